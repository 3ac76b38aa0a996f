"""The 问答 Chat tab: the conversation, the answer engine, the filters and the cited sources.

Its own events (ask, clear) are wired here; a click on a cited source opens the 报告 tab, which ui.app wires.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from rag.service import Busy, Gateway, RequestError
from ui import render
from ui.assets import SOURCES_JS
from ui.choices import ALL, parse_region, parse_year, region_choices, report_choices, year_choices

log = logging.getLogger(__name__)

EXAMPLES = [
    "凌河区2022年固定资产投资完成多少？",
    "凌河区和解放区的GDP增速分别是多少？",
    "What is Linghe District's 2023 target for new urban jobs?",
    "解放区2022年的主要预期目标是什么？",
]
STREAM_INTERVAL_S = 0.08  # at most ~12 chat updates a second while tokens stream in
ENGINE_LABELS = {"extractive": "抽取式 Extractive（快）", "local": "本地模型 Local LLM",
                 "openai": "OpenAI 兼容 OpenAI-compatible"}


@dataclass(frozen=True)
class ChatTab:
    """The chat tab's components other tabs and the page load need (filters, sources)."""

    chatbot: gr.Chatbot
    turns: gr.State
    status: gr.HTML
    question: gr.Textbox
    ask_btn: gr.Button
    clear_btn: gr.Button
    engine: gr.Radio
    f_reports: gr.Dropdown
    f_year: gr.Dropdown
    f_region: gr.Dropdown
    sources: gr.HTML


def build_chat_tab(gw: Gateway, turns: gr.State) -> ChatTab:
    """Lay out the 问答 tab and wire ask / clear. ``turns`` (the model-side history) is made by the caller,
    first on the page, so component ids stay where they were."""
    with gr.Tab("问答 Chat", id="chat", elem_id="rq-tab-chat"), gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chatbot, status, question, ask_btn, clear_btn = _conversation()
        with gr.Column(scale=2, min_width=300):
            engine, f_reports, f_year, f_region = _options(gw)
            sources = gr.HTML(render.sources_html([], ""), js_on_load=SOURCES_JS, elem_id="rq-sources")
    tab = ChatTab(chatbot=chatbot, turns=turns, status=status, question=question, ask_btn=ask_btn,
                  clear_btn=clear_btn, engine=engine, f_reports=f_reports, f_year=f_year, f_region=f_region,
                  sources=sources)
    _wire(gw, tab)
    return tab


def _conversation() -> tuple[gr.Chatbot, gr.HTML, gr.Textbox, gr.Button, gr.Button]:
    """The left column: chat, status line, question box, examples."""
    chatbot = gr.Chatbot(
        label="对话 Conversation", height=520, elem_id="rq-chat", buttons=["copy", "copy_all"],
        feedback_options=None, placeholder="用中文或英文提问，答案会引用报告原文段落。<br>"
        "Ask in Chinese or English; answers cite the report paragraphs.",
    )
    status = gr.HTML("", elem_id="rq-status", js_on_load=None)
    with gr.Row(equal_height=True):
        question = gr.Textbox(show_label=False, placeholder="输入问题 Ask…", lines=1, max_lines=4, scale=6,
                              elem_id="rq-question", autofocus=True)
        ask_btn = gr.Button("提问 Ask", variant="primary", scale=1, min_width=90, elem_id="rq-ask")
    with gr.Row():
        gr.Examples(EXAMPLES, inputs=[question], label="示例问题 Examples")
    clear_btn = gr.Button("清空对话 Clear", size="sm", elem_id="rq-clear")
    return chatbot, status, question, ask_btn, clear_btn


def _options(gw: Gateway) -> tuple[gr.Radio, gr.Dropdown, gr.Dropdown, gr.Dropdown]:
    """The right column's controls: answer engine and the report / year / place filters."""
    engine = gr.Radio([(ENGINE_LABELS.get(e, e), e) for e in gw.engines()], value=gw.default_engine(),
                      label="回答引擎 Answer engine", elem_id="rq-engine")
    with gr.Accordion("筛选 Filters (报告 / 年份 / 地区)", open=False, elem_id="rq-filters"):
        f_reports = gr.Dropdown(report_choices(gw), multiselect=True, value=[], label="报告 Reports",
                                elem_id="rq-f-reports", allow_custom_value=True)
        with gr.Row():
            f_year = gr.Dropdown(year_choices(gw), value=ALL, label="年份 Year", elem_id="rq-f-year",
                                 min_width=120)
            f_region = gr.Dropdown(region_choices(gw), value=ALL, allow_custom_value=True, label="地区 Region",
                                   elem_id="rq-f-region", min_width=120)
    return engine, f_reports, f_year, f_region


def _wire(gw: Gateway, tab: ChatTab) -> None:
    """Ask (button or Enter) streams an answer; Clear empties chat, history, sources and status."""
    inputs = [tab.question, tab.chatbot, tab.turns, tab.f_reports, tab.f_year, tab.f_region, tab.engine]
    outputs = [tab.chatbot, tab.turns, tab.sources, tab.status, tab.question]
    respond = Responder(gw).respond
    tab.ask_btn.click(respond, inputs, outputs, concurrency_limit=2)
    tab.question.submit(respond, inputs, outputs, concurrency_limit=2)
    tab.clear_btn.click(lambda: ([], [], render.sources_html([], ""), ""), None,
                        [tab.chatbot, tab.turns, tab.sources, tab.status], queue=False)  # see ui.app


class Responder:
    """Answers on a worker thread and streams tokens, sources and the final answer into the chat.

    A method, not a closure, so the event keeps its API name ``respond`` (Gradio names endpoints by function).
    """

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def respond(self, text: str, chat: list[dict[str, Any]], history: list[dict[str, str]],
                report_ids: list[str], year: str, region: str, engine_name: str) -> Iterator[tuple]:
        """Yields (chat, history, sources, status, question) as the answer comes in."""
        chat = list(chat or [])
        text = (text or "").strip()
        if not text:
            yield chat, history, gr.update(), render.badge_html(None, "请输入问题 Please type a question"), ""
            return
        turn = len(history or []) // 2 + 1
        events = self._ask_in_background(text, history, engine_name, report_ids, year, region)
        chat += [{"role": "user", "content": render.md_text(text)},
                 {"role": "assistant", "content": "检索中… Searching…"}]
        yield chat, history, gr.update(), '<div class="rq-status"><span class="rq-engine">…</span></div>', ""
        yield from _stream(events, chat, history, text, turn)

    def _ask_in_background(self, text: str, history: list[dict[str, str]], engine_name: str,
                           report_ids: list[str], year: str, region: str) -> queue.Queue[tuple[str, Any]]:
        """Start answering; what happens arrives on the queue as (kind, payload), "done" or "error" last."""
        events: queue.Queue[tuple[str, Any]] = queue.Queue()

        def work() -> None:
            try:
                answer = self.gw.ask(text, history, engine_name, report_ids or None, parse_year(year),
                                     parse_region(region), on_token=lambda t: events.put(("token", t)),
                                     on_sources=lambda hits: events.put(("sources", hits)))
                events.put(("done", answer))
            except (RequestError, Busy) as exc:
                events.put(("error", str(exc)))
            except Exception as exc:
                log.exception("answering failed")
                events.put(("error", f"内部错误 internal error: {exc.__class__.__name__}"))

        threading.Thread(target=work, daemon=True).start()
        return events


def _stream(events: queue.Queue[tuple[str, Any]], chat: list[dict[str, Any]], history: list[dict[str, str]],
            text: str, turn: int) -> Iterator[tuple]:
    """Turn the worker's events into chat updates (tokens throttled to STREAM_INTERVAL_S) until done or error."""
    streamed, last = "", 0.0
    while True:
        kind, payload = events.get()
        if kind == "sources":
            chat[-1]["content"] = "生成答案中… Answering…"
            yield chat, history, render.sources_from_hits(payload), gr.update(), gr.update()
        elif kind == "token":
            streamed += payload
            if time.monotonic() - last >= STREAM_INTERVAL_S:
                last = time.monotonic()
                chat[-1]["content"] = render.streaming_message(streamed)
                yield chat, history, gr.update(), gr.update(), gr.update()
        elif kind == "error":
            chat[-1]["content"] = f"⚠ {render.md_text(payload)}"
            yield chat, history, gr.update(), render.badge_html(None, payload, turn), gr.update()
            return
        else:
            answer = payload
            chat[-1]["content"] = render.answer_message(answer)
            history = [*history, {"role": "user", "content": text}, {"role": "assistant", "content": answer.answer}]
            yield chat, history, render.sources_from_answer(answer), render.badge_html(answer, turn=turn), gr.update()
            return
