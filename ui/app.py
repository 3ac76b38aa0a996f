"""The ReportQA web app: Gradio UI (问答 chat, 报告 reports, 对比 compare) plus the REST API under /api.

``build_app(services)`` returns the FastAPI application (UI mounted at /, API at /api) so tests and
``reportqa serve`` start the same thing. Everything shown comes from ``rag.service.Gateway`` (the same
service functions as the CLI); this package only lays it out.
"""

from __future__ import annotations

import logging
import os
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr
import pandas as pd
from fastapi import FastAPI
from gradio.utils import get_upload_folder

from rag.core.config import parse_auth  # noqa: F401 - re-exported for callers of ui.app
from rag.service import Busy, Gateway, RequestError
from ui import render
from ui.api import api_router, install_error_handlers
from ui.assets import CSS, SOURCES_JS, VIEWER_JS
from ui.upload_guard import UploadGuard

log = logging.getLogger(__name__)

EXAMPLES = [
    "凌河区2022年固定资产投资完成多少？",
    "凌河区和解放区的GDP增速分别是多少？",
    "What is Linghe District's 2023 target for new urban jobs?",
    "解放区2022年的主要预期目标是什么？",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl"]
ALL = "全部 All"
KINDS = [("实际 Actual", "actual"), ("目标 Target", "target"), ("全部 All", "all")]
STREAM_INTERVAL_S = 0.08


# -- choices ------------------------------------------------------------------------------------------------
def report_choices(gw: Gateway) -> list[tuple[str, str]]:
    return [(render.report_label(r), r.report_id) for r in gw.reports()]


def year_choices(gw: Gateway) -> list[str]:
    return [ALL] + [str(y) for y in sorted({r.year for r in gw.reports() if r.year}, reverse=True)]


def region_choices(gw: Gateway) -> list[str]:
    names: set[str] = set()
    for r in gw.reports():
        names.update(n for n in (r.province, r.city, r.district) if n)
    return [ALL, *sorted(names)]


def indicator_choices(gw: Gateway) -> list[tuple[str, str]]:
    if not gw.has("indicators"):
        return []
    try:
        rows = [row.to_dict() for row in gw.indicators()]
    except Exception:  # a half-built ledger must not keep the app from starting
        log.exception("indicators unavailable")
        return []
    seen: dict[str, str] = {}
    for row in rows:
        name = row.get("indicator")
        if name and name not in seen:
            seen[name] = f"{name} {row.get('indicator_en') or ''}".strip()
    return [(label, name) for name, label in sorted(seen.items())]


def _year(value: str | None) -> int | None:
    return int(value) if value and value != ALL and str(value).isdigit() else None


def _region(value: str | None) -> str | None:
    return value if value and value != ALL else None


# -- the UI ------------------------------------------------------------------------------------------------
def build_blocks(gw: Gateway) -> gr.Blocks:
    """The Gradio Blocks of the app (without the REST API)."""
    has_summary, has_indicators, has_compare = gw.has("summarize"), gw.has("indicators"), gw.has("compare")
    engines = gw.engines()
    with gr.Blocks(title="ReportQA 政府工作报告问答", analytics_enabled=False) as demo:
        turns = gr.State([])
        gr.HTML('<div id="rq-title"><h1>ReportQA · 政府工作报告问答</h1>'
                "<p>问答并引用原文段落 · Answers cite the exact paragraph of the report</p></div>",
                js_on_load=None)
        with gr.Tabs(elem_id="rq-tabs") as tabs:
            # -- 问答 Chat ------------------------------------------------------------------------------
            with gr.Tab("问答 Chat", id="chat", elem_id="rq-tab-chat"), gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chatbot = gr.Chatbot(
                            label="对话 Conversation", height=520, elem_id="rq-chat", buttons=["copy", "copy_all"],
                            feedback_options=None, placeholder="用中文或英文提问，答案会引用报告原文段落。<br>"
                            "Ask in Chinese or English; answers cite the report paragraphs.",
                        )
                        status = gr.HTML("", elem_id="rq-status", js_on_load=None)
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(show_label=False, placeholder="输入问题 Ask…",
                                                  lines=1, max_lines=4, scale=6, elem_id="rq-question",
                                                  autofocus=True)
                            ask_btn = gr.Button("提问 Ask", variant="primary", scale=1, min_width=90,
                                                elem_id="rq-ask")
                        with gr.Row():
                            gr.Examples(EXAMPLES, inputs=[question], label="示例问题 Examples")
                        clear_btn = gr.Button("清空对话 Clear", size="sm", elem_id="rq-clear")
                    with gr.Column(scale=2, min_width=300):
                        engine = gr.Radio([(_engine_label(e), e) for e in engines], value=gw.default_engine(),
                                          label="回答引擎 Answer engine", elem_id="rq-engine")
                        with gr.Accordion("筛选 Filters (报告 / 年份 / 地区)", open=False, elem_id="rq-filters"):
                            f_reports = gr.Dropdown(report_choices(gw), multiselect=True, value=[],
                                                    label="报告 Reports", elem_id="rq-f-reports",
                                                    allow_custom_value=True)
                            with gr.Row():
                                f_year = gr.Dropdown(year_choices(gw), value=ALL, label="年份 Year",
                                                     elem_id="rq-f-year", min_width=120)
                                f_region = gr.Dropdown(region_choices(gw), value=ALL, allow_custom_value=True,
                                                       label="地区 Region", elem_id="rq-f-region", min_width=120)
                        sources = gr.HTML(render.sources_html([], ""), js_on_load=SOURCES_JS,
                                          elem_id="rq-sources")

            # -- 报告 Reports ---------------------------------------------------------------------------
            with gr.Tab("报告 Reports", id="reports", elem_id="rq-tab-reports"), gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=320):
                        reports_table = gr.Dataframe(
                            value=render.report_rows(gw.reports()), headers=render.REPORT_COLUMNS,
                            interactive=False, max_height=360, label="已导入的报告 Reports（点击一行查看）",
                            elem_id="rq-reports-table",
                        )
                        with gr.Accordion("导入报告 Upload reports", open=True):
                            files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, elem_id="rq-upload",
                                            label="文件 Files (.txt .html .pdf .docx …)")
                            replace_box = gr.Checkbox(False, label="替换同名报告 Replace a report with the same file name",
                                                      elem_id="rq-replace")
                            import_btn = gr.Button("导入 Import", variant="primary", elem_id="rq-import")
                            upload_result = gr.Dataframe(headers=render.UPLOAD_COLUMNS, interactive=False, wrap=True,
                                                         label="导入结果 Results", elem_id="rq-upload-result",
                                                         visible=False)
                    with gr.Column(scale=3, min_width=320):
                        # custom values allowed: the list a page was built with goes stale when another session
                        # uploads; the id is checked by the gateway instead
                        report_pick = gr.Dropdown(report_choices(gw), value=None, label="报告 Report",
                                                  elem_id="rq-report-pick", allow_custom_value=True)
                        report_head = gr.HTML("", elem_id="rq-report-head", js_on_load=None)
                        with gr.Tabs(elem_id="rq-report-tabs", selected="text") as report_tabs:
                            with gr.Tab("原文 Full text", id="text", elem_id="rq-rtab-text"):
                                viewer = gr.HTML(render.viewer_html(None), js_on_load=VIEWER_JS, elem_id="rq-viewer")
                            with gr.Tab("摘要 Summary", id="summary", visible=has_summary, elem_id="rq-rtab-summary"):
                                summary = gr.HTML("", elem_id="rq-summary", max_height=640, js_on_load=None)
                            with gr.Tab("指标 Indicators", id="indicators", visible=has_indicators,
                                        elem_id="rq-rtab-indicators"):
                                indicators = gr.Dataframe(interactive=False, wrap=True, elem_id="rq-indicators",
                                                          label="指标（点击一行查看原文）Indicators")
                        with gr.Row():
                            back_btn = gr.Button("← 返回对话 Back to chat", size="sm", elem_id="rq-back")
                            delete_btn = gr.Button("删除此报告 Delete report", size="sm", variant="stop",
                                                   elem_id="rq-delete")

            # -- 对比 Compare ---------------------------------------------------------------------------
            with gr.Tab("对比 Compare", id="compare", elem_id="rq-tab-compare"):
                if not has_compare:
                    gr.Markdown("对比功能尚未安装（需要 `Services.compare`）。Comparison is not available in this "
                                "version.")
                with gr.Row(equal_height=True):
                    choices = indicator_choices(gw)
                    preferred = [v for _, v in choices if v == "地区生产总值"] or [v for _, v in choices[:1]]
                    cmp_indicator = gr.Dropdown(choices, value=preferred[0] if preferred else None,
                                                allow_custom_value=True, label="指标 Indicator",
                                                elem_id="rq-cmp-indicator", scale=3, min_width=260)
                    cmp_kind = gr.Radio(KINDS, value="actual", label="类型 Kind", elem_id="rq-cmp-kind", scale=2,
                                    min_width=260)
                    cmp_year = gr.Dropdown(year_choices(gw), value=ALL, label="报告年份 Year", elem_id="rq-cmp-year",
                                           scale=1, min_width=110)
                    cmp_btn = gr.Button("对比 Compare", variant="primary", elem_id="rq-cmp-run", scale=1,
                                        interactive=has_compare)
                cmp_note = gr.Markdown("", elem_id="rq-cmp-note")
                cmp_table = gr.Dataframe(interactive=False, wrap=True, label="对比表 Table", elem_id="rq-cmp-table")
                cmp_plot = gr.BarPlot(x="label", y="value", label="图表 Chart", elem_id="rq-cmp-plot", height=360,
                                      y_lim=[0, None], x_title=" ", y_title=" ", sort=None)
                cmp_csv = gr.File(label="CSV 下载 Download", elem_id="rq-cmp-csv", interactive=False)

        # -- chat events --------------------------------------------------------------------------------
        def respond(text: str, chat: list[dict[str, Any]], history: list[dict[str, str]], report_ids: list[str],
                    year: str, region: str, engine_name: str) -> Any:
            chat = list(chat or [])
            text = (text or "").strip()
            if not text:
                yield chat, history, gr.update(), render.badge_html(None, "请输入问题 Please type a question"), ""
                return
            turn = len(history or []) // 2 + 1
            events: queue.Queue[tuple[str, Any]] = queue.Queue()

            def work() -> None:
                try:
                    answer = gw.ask(text, history, engine_name, report_ids or None, _year(year), _region(region),
                                    on_token=lambda t: events.put(("token", t)),
                                    on_sources=lambda hits: events.put(("sources", hits)))
                    events.put(("done", answer))
                except (RequestError, Busy) as exc:
                    events.put(("error", str(exc)))
                except Exception as exc:
                    log.exception("answering failed")
                    events.put(("error", f"内部错误 internal error: {exc.__class__.__name__}"))

            threading.Thread(target=work, daemon=True).start()
            chat += [{"role": "user", "content": render.md_text(text)},
                     {"role": "assistant", "content": "检索中… Searching…"}]
            yield chat, history, gr.update(), '<div class="rq-status"><span class="rq-engine">…</span></div>', ""
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
                    history = [*history, {"role": "user", "content": text},
                               {"role": "assistant", "content": answer.answer}]
                    yield (chat, history, render.sources_from_answer(answer), render.badge_html(answer, turn=turn),
                           gr.update())
                    return

        chat_inputs = [question, chatbot, turns, f_reports, f_year, f_region, engine]
        chat_outputs = [chatbot, turns, sources, status, question]
        ask_btn.click(respond, chat_inputs, chat_outputs, concurrency_limit=2)
        question.submit(respond, chat_inputs, chat_outputs, concurrency_limit=2)
        clear_btn.click(lambda: ([], [], render.sources_html([], ""), ""), None, [chatbot, turns, sources, status])

        # -- report viewer ------------------------------------------------------------------------------
        def report_pick_update(report_id: str | None) -> Any:
            """Select a report with the current list as choices: another session may have just added it."""
            return gr.update(choices=report_choices(gw), value=report_id)

        def show_report(report_id: str | None, chunk_id: str | None = None, quote_text: str | None = None) -> tuple:
            if not report_id:
                return "", render.viewer_html(None)
            try:
                view = gw.view(report_id)
            except RequestError as exc:
                return render.badge_html(None, str(exc)), render.viewer_html(None)
            return render.report_header_html(view.report), render.viewer_html(view, chunk_id, quote_text)

        def load_extras(report_id: str | None) -> tuple:
            summary_md, rows = "", pd.DataFrame()
            if not report_id:
                return summary_md, rows
            if has_summary:
                try:
                    summary_md = render.summary_html(gw.summarize(report_id))
                except Exception as exc:
                    log.exception("summary failed")
                    summary_md = f"⚠ 摘要失败 summary failed: {render.esc(exc.__class__.__name__)}"
            if has_indicators:
                try:
                    rows = indicator_frame([r.to_dict() for r in gw.indicators(report_id=report_id)])
                except Exception:
                    log.exception("indicators failed")
            return summary_md, rows

        def pick_report(report_id: str | None) -> tuple:
            head, html = show_report(report_id)
            return head, html, gr.Tabs(selected="summary" if has_summary and report_id else "text")

        def select_row(evt: gr.SelectData) -> tuple:
            row = evt.row_value or []
            report_id = str(row[-1]) if row else None  # the ID column is the last
            head, html = show_report(report_id)
            return (report_pick_update(report_id), head, html,
                    gr.Tabs(selected="summary" if has_summary and report_id else "text"))

        def open_chunk(evt: gr.EventData) -> tuple:
            data = evt._data if isinstance(evt._data, dict) else {}
            chunk_id, start, end = render.parse_cite(str(data.get("chunk_id") or ""))
            try:
                chunk = gw.chunk(chunk_id)
            except RequestError as exc:
                gr.Warning(render.esc(exc))  # the id comes from the client: a toast renders HTML
                return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
            quote_text = chunk.text[start:end] if start is not None else data.get("quote")
            head, html = show_report(chunk.report_id, chunk.chunk_id, quote_text)
            return (report_pick_update(chunk.report_id), head, html, gr.Tabs(selected="reports"),
                    gr.Tabs(selected="text"))

        viewer_outputs = [report_pick, report_head, viewer, tabs, report_tabs]
        sources.click(open_chunk, None, viewer_outputs).then(load_extras, report_pick, [summary, indicators])
        report_pick.input(pick_report, report_pick, [report_head, viewer, report_tabs]).then(
            load_extras, report_pick, [summary, indicators])
        reports_table.select(select_row, None, [report_pick, report_head, viewer, report_tabs]).then(
            load_extras, report_pick, [summary, indicators])
        back_btn.click(lambda: gr.Tabs(selected="chat"), None, tabs)

        def open_row_chunk(frame: pd.DataFrame, evt: gr.SelectData) -> tuple:
            """A click on an indicator or comparison row opens its paragraph, quote highlighted."""
            row = evt.row_value or []
            columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else []
            record = dict(zip(columns, row, strict=False))
            try:
                chunk = gw.chunk(str(record.get("chunk_id") or ""))
            except RequestError:
                return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
            quote_text = record.get("原文 quote") or None
            head, html = show_report(chunk.report_id, chunk.chunk_id, str(quote_text) if quote_text else None)
            return (report_pick_update(chunk.report_id), head, html, gr.Tabs(selected="reports"),
                    gr.Tabs(selected="text"))

        indicators.select(open_row_chunk, indicators, viewer_outputs)
        cmp_table.select(open_row_chunk, cmp_table, viewer_outputs)

        # -- upload and delete --------------------------------------------------------------------------
        refresh_outputs = [reports_table, report_pick, f_reports, f_year, f_region, cmp_indicator, cmp_year]

        def refreshed() -> list[Any]:
            choices = report_choices(gw)
            return [render.report_rows(gw.reports()), gr.update(choices=choices), gr.update(choices=choices),
                    gr.update(choices=year_choices(gw)), gr.update(choices=region_choices(gw)),
                    gr.update(choices=indicator_choices(gw)), gr.update(choices=year_choices(gw))]

        def do_import(paths: list[str] | None, replace: bool = False,
                      progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
            rows: list[list[str]] = []
            paths = [p if isinstance(p, str) else getattr(p, "name", str(p)) for p in paths or []]
            if not paths:
                gr.Warning("请先选择文件 Choose files first")
            limit = int(gw.settings.max_upload_files)  # REPORTQA_MAX_UPLOAD_FILES
            for i, path in enumerate(paths[:limit]):
                name = Path(path).name
                progress((i, len(paths)), desc=f"导入 importing {name}")
                try:  # only files Gradio received from this upload widget: never a path the client names
                    outcomes = gw.ingest_uploaded_file(path, get_upload_folder(), replace=bool(replace))
                except RequestError as exc:
                    rows.append([name, render.OUTCOME_LABELS["rejected"], str(exc)])
                    continue
                except Exception as exc:
                    log.exception("upload failed")
                    rows.append([name, render.OUTCOME_LABELS["rejected"], f"internal error: {exc.__class__.__name__}"])
                    continue
                rows.extend(render.outcome_row(o) for o in outcomes)
            if len(paths) > limit:
                rows.append([f"+{len(paths) - limit}", render.OUTCOME_LABELS["rejected"],
                             f"at most {limit} files per import (REPORTQA_MAX_UPLOAD_FILES)"])
            progress((len(paths), len(paths)), desc="完成 done")
            result = pd.DataFrame(rows, columns=render.UPLOAD_COLUMNS)
            return [gr.update(value=result, visible=True), None, *refreshed()]

        import_btn.click(do_import, [files, replace_box], [upload_result, files, *refresh_outputs],
                         concurrency_limit=1)
        demo.load(refreshed, None, refresh_outputs)  # each new page sees the library as it is now

        def do_delete(report_id: str | None) -> list[Any]:
            if not report_id:
                gr.Warning("请先选择报告 Choose a report first")
                return [gr.update(), gr.update(), *refreshed()]
            try:
                gw.delete_report(report_id)
                gr.Info(f"已删除 Deleted {render.esc(report_id)}")
            except RequestError as exc:
                gr.Warning(render.esc(exc))
            return ["", render.viewer_html(None), *refreshed()]

        delete_btn.click(do_delete, report_pick, [report_head, viewer, *refresh_outputs], concurrency_limit=1,
                         js="(rid) => (rid && confirm('删除这份报告？Delete this report? ' + rid)) ? rid : null")

        # -- compare ------------------------------------------------------------------------------------
        def do_compare(indicator: str | None, kind: str, year: str) -> list[Any]:
            empty = [pd.DataFrame(), pd.DataFrame({"label": [], "value": []}), None]
            if not has_compare:
                return ["对比功能尚未安装。Comparison is not available.", *empty]
            if not indicator:
                return ["请选择指标 Choose an indicator.", *empty]
            try:
                comparison = gw.compare(indicator, kind=None if kind == "all" else kind, year=_year(year))
            except Exception as exc:  # unknown indicator, bad kind: say so in one line
                return [f"⚠ {render.md_text(exc)}", *empty]
            data = comparison.to_dict()
            if not data["rows"]:
                return [f"没有找到“{render.md_text(indicator)}”的数据。No figures for this indicator.", *empty]
            path = Path(tempfile.mkdtemp(prefix="reportqa-")) / f"compare_{_safe(comparison.indicator)}.csv"
            path.write_text(comparison.to_csv(), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
            unit = f"（{comparison.unit}）" if comparison.unit else ""
            note = (f"**{render.md_text(comparison.indicator)}** {render.md_text(comparison.indicator_en)}{unit} · "
                    f"{len(data['rows'])} 行 rows · 点击一行查看原文 click a row to open its paragraph")
            table = compare_frame(data["rows"])
            return [note, table, chart_frame(data["rows"], kind == "all"), str(path)]

        cmp_btn.click(do_compare, [cmp_indicator, cmp_kind, cmp_year], [cmp_note, cmp_table, cmp_plot, cmp_csv])
    return demo


def _engine_label(name: str) -> str:
    return {"extractive": "抽取式 Extractive（快）", "local": "本地模型 Local LLM",
            "openai": "OpenAI 兼容 OpenAI-compatible"}.get(name, name)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40] or "indicator"


INDICATOR_COLUMNS = [("indicator", "指标 indicator"), ("value", "数值 value"), ("unit", "单位 unit"),
                     ("growth", "增长 growth"), ("kind", "类型 kind"), ("ref_year", "年份 year"),
                     ("qualifier", "说明 qualifier"), ("quote", "原文 quote"), ("chunk_id", "chunk_id")]


def indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _frame(rows, INDICATOR_COLUMNS)


def _frame(rows: list[dict[str, Any]], spec: list[tuple[str, str]]) -> pd.DataFrame:
    """Rows as a table with bilingual headers; columns no row fills (often rank, qualifier) are left out."""
    columns = [(key, label) for key, label in spec
               if key == "chunk_id" or any(row.get(key) not in (None, "", []) for row in rows)]
    return pd.DataFrame([{label: row.get(key) for key, label in columns} for row in rows],
                        columns=[label for _, label in columns])


COMPARE_COLUMNS = [("region", "地区 place"), ("ref_year", "年份 year"), ("kind", "类型 kind"),
                   ("value", "数值 value"), ("unit", "单位 unit"), ("written", "原文数字 as written"),
                   ("growth", "增长 growth"), ("rank", "排名 rank"), ("title", "报告 report"),
                   ("paragraph", "¶"), ("quote", "原文 quote"), ("chunk_id", "chunk_id")]


def compare_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _frame(rows, COMPARE_COLUMNS)


def chart_frame(rows: list[dict[str, Any]], with_kind: bool = False) -> pd.DataFrame:
    """Bars: one per row, labelled place + year (+ kind), the value in the common unit (else the growth %)."""
    field = "value" if any(r.get("value") is not None for r in rows) else "growth"
    labels, values = [], []
    for row in rows:
        number = row.get(field)
        if not isinstance(number, int | float):
            continue
        kind = f" {row.get('kind')}" if with_kind else ""
        label = f"{row.get('region') or ''} {row.get('ref_year') or ''}{kind}".strip()
        if label in labels:  # the same place and year stated in two reports: keep both bars apart
            label += f"（{row.get('report_year') or row.get('report_id')}报告）"
        labels.append(label)
        values.append(float(number))
    return pd.DataFrame({"label": labels, "value": values})


# -- the server --------------------------------------------------------------------------------------------
def build_app(services: Any, auth: tuple[str, str] | None = None, warm: bool = True,
              throttle: Any = None) -> FastAPI:
    """FastAPI app: REST API under /api, the Gradio UI at /. ``auth`` guards both (UI login, API Basic).

    ``warm`` loads the embedding model and vector index now rather than on the first question
    (``app.state.gateway.warm_up()`` does it later). With ``auth``, ui.security.AccessGuard puts every path
    but /api/health and Gradio's login page behind the login and throttles failed logins (``throttle``: a
    ``LoginThrottle``, default thresholds when None); request bodies are capped either way (ui.security.BodyLimit).
    No interactive API docs: Swagger UI loads from a CDN and the app must work offline (/api/openapi.json stays).
    """
    from starlette.routing import Mount

    from ui.security import AccessGuard, BodyLimit, LoginThrottle, gradio_session_user, upload_limit

    gateway = Gateway(services)
    if warm:
        gateway.warm_up()
    app = FastAPI(title="ReportQA API", docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    app.state.gateway = gateway
    install_error_handlers(app)
    app.include_router(api_router(gateway, auth))
    blocks = build_blocks(gateway)
    blocks.queue(default_concurrency_limit=2)
    theme = gr.themes.Soft(font=["system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
                                 "WenQuanYi Micro Hei", "sans-serif"],
                           font_mono=["ui-monospace", "Consolas", "monospace"])
    settings = services.settings
    gr.mount_gradio_app(
        app, blocks, path="/", auth=auth, auth_message="ReportQA 登录 Login", footer_links=[], run_history=False,
        show_error=True, max_file_size=int(settings.max_file_bytes), theme=theme, css=CSS,
        ssr_mode=False, mcp_server=False,
        app_kwargs={"docs_url": None, "redoc_url": None, "openapi_url": None},  # Gradio's sub-app: no /docs
    )
    app.add_middleware(UploadGuard, upload_root=get_upload_folder)  # file inputs: uploaded files only
    # add_middleware puts the last added outermost: the login is checked before any body is read.
    app.add_middleware(BodyLimit, max_bytes=int(settings.max_request_kb) * 1024,
                       upload_max_bytes=upload_limit(int(settings.max_file_bytes), int(settings.max_upload_files)))
    if auth is not None:
        gradio_app = next(r.app for r in app.routes if isinstance(r, Mount) and isinstance(r.app, gr.routes.App))
        app.state.login_throttle = throttle if throttle is not None else LoginThrottle()
        app.add_middleware(AccessGuard, auth=auth, session_user=gradio_session_user(gradio_app),
                           throttle=app.state.login_throttle)
    return app


def serve(services: Any, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
          on_ready: Any = None) -> None:
    """Run the app with uvicorn until interrupted. The page is served at once; the embedding model loads right
    after (a question asked meanwhile waits for it)."""
    import uvicorn

    app = build_app(services, auth, warm=False)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)

    def after_start() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            if on_ready is not None:
                on_ready()
            app.state.gateway.warm_up()

    threading.Thread(target=after_start, name="reportqa-warm-up", daemon=True).start()
    server.run()
