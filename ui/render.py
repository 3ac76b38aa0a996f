"""HTML and table rendering for the Gradio app (presentation only: every value comes from rag.service)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from rag.answer.pipeline import Answer
from rag.core.models import Report
from rag.retrieve.hybrid import SearchHit
from rag.service import ReportView
from rag.service.payloads import grounding_status

MARKER_RE = re.compile(r"\\\[(\d{1,2})\\\]")  # a [n] marker as it reads after ``md_text``
CITE_PREFIX = "#cite-"
# Punctuation that Markdown (and the chat's LaTeX delimiters) would act on: links [x](y), images ![](…),
# emphasis, code, tables, headings, $…$. Escaped with a backslash, it shows as itself.
MARKDOWN_ACTIVE_RE = re.compile(r"([\\`*_{}\[\]()#!|~$])")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


def md_text(text: object) -> str:
    """Untrusted text (report text, model output, file names) for a Markdown field: HTML-escaped and every
    Markdown-active character backslash-escaped, so it can create no tag, link, image or formula."""
    return MARKDOWN_ACTIVE_RE.sub(r"\\\1", esc(text))


def cite_href(chunk_id: str, quote_start: int | None = None, quote_len: int | None = None) -> str:
    """``#cite-<chunk id>[@start:end]``: a click opens the paragraph in the viewer with that span marked."""
    span = f"@{quote_start}:{quote_start + quote_len}" if quote_start is not None and quote_len else ""
    return CITE_PREFIX + quote(chunk_id, safe="") + span


def parse_cite(target: str) -> tuple[str, int | None, int | None]:
    """(chunk id, start, end) from what a citation link carries (see ``cite_href``)."""
    chunk_id, _, span = target.partition("@")
    start, _, end = span.partition(":")
    if start.isdigit() and end.isdigit() and int(end) > int(start):
        return chunk_id, int(start), int(end)
    return chunk_id, None, None


@dataclass
class SourceItem:
    """One card of the sources panel."""

    n: int
    chunk_id: str
    title: str
    section_path: list[str]
    paragraph: int
    text: str
    quote: str | None = None
    quote_start: int = 0
    year: int | None = None  # the report's year, shown as a chip: in a many-year library it decides
    speaks_about: dict[str, Any] | None = None  # the paragraph's kind and years (rag/core/timeframe.py)

    @classmethod
    def from_hit(cls, n: int, hit: SearchHit) -> SourceItem:
        c = hit.chunk
        return cls(n, c.chunk_id, hit.report.title, c.section_path, c.paragraph, c.text, year=hit.report.year,
                   speaks_about=c.time.to_dict())

    @classmethod
    def from_citation(cls, data: dict[str, Any]) -> SourceItem:
        return cls(data["n"], data["chunk_id"], data["title"], data["section_path"], data["paragraph"],
                   data.get("text", ""), data.get("quote"), data.get("quote_start", 0), data.get("report_year"),
                   data.get("speaks_about"))


def highlighted(text: str, quote_text: str | None, start: int) -> str:
    """The paragraph with the supporting span wrapped in <mark>."""
    if not quote_text:
        return esc(text)
    if text[start:start + len(quote_text)] != quote_text:
        start = text.find(quote_text)
        if start < 0:
            return esc(text)
    end = start + len(quote_text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


_KIND_LABELS = {"review": ("回顾", "review of"), "plan": ("部署", "plan for"), "multi-year": ("多年", "years")}


def year_chip(year: int | None, speaks_about: dict[str, Any] | None = None) -> str:
    """The report's year, and what the paragraph speaks about (回顾 2022 / 部署 2023 / 多年 2018–2022)."""
    if not year:
        return ""
    label, title = str(year), "报告年份 report year"
    kind = (speaks_about or {}).get("kind")
    years = [int(y) for y in (speaks_about or {}).get("years", [])]
    if kind in _KIND_LABELS and years:
        span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
        zh, en = _KIND_LABELS[kind]
        label += f" · {zh} {span}"
        title += f"; 段落所讲 the paragraph is a {en} {span}"
    return f'<span class="rq-year" title="{esc(title)}">{esc(label)}</span>'



def sources_html(items: list[SourceItem], heading: str) -> str:
    if not items:
        return ('<div class="rq-sources rq-empty">来源会显示在这里：报告、章节、段落（¶），支持答案的句子高亮。'
                '<br>Sources appear here, with the supporting sentence highlighted.</div>')
    cards = []
    for item in items:
        path = " › ".join(item.section_path) or ("（标题 title block）" if item.paragraph == 0 else "（正文 body）")
        cards.append(
            f'<div class="rq-src" id="rq-src-{item.n}" data-chunk="{esc(item.chunk_id)}" '
            f'data-quote="{esc(item.quote or "")}" role="button" tabindex="0" '
            f'title="在原文中查看 Open in the report viewer">'
            f'<div class="rq-src-head"><span class="rq-num">{item.n}</span>{year_chip(item.year, item.speaks_about)}'
            f'<span class="rq-src-title">{esc(item.title)}</span></div>'
            f'<div class="rq-src-meta">{esc(path)} · <b>¶{item.paragraph}</b></div>'
            f'<div class="rq-src-text">{highlighted(item.text, item.quote, item.quote_start)}</div>'
            f'<div class="rq-src-open">在原文中查看 Open ¶{item.paragraph} →</div></div>'
        )
    return f'<div class="rq-sources"><div class="rq-sources-h">{esc(heading)}</div>{"".join(cards)}</div>'


def sources_from_hits(hits: list[SearchHit]) -> str:
    return sources_html([SourceItem.from_hit(n, h) for n, h in enumerate(hits, start=1)],
                        "检索到的来源 Retrieved sources（生成答案中 answering…）")


def sources_from_answer(answer: Answer) -> str:
    items = [SourceItem.from_citation(c.to_dict()) for c in answer.citations]
    heading = "最接近的段落 Closest paragraphs" if answer.refused else "引用来源 Cited sources"
    return sources_html(items, heading)


BADGES = {  # by rag.service.payloads.grounding_status, the status the CLI prints too
    "refused": '<span class="rq-badge rq-refused">未找到 · Not in the reports</span>',
    "not grounded": '<span class="rq-badge rq-warn">未通过核验 · Not grounded</span>',
    "grounded": '<span class="rq-badge rq-ok">已核验 · Grounded</span>',
}


def badge_html(answer: Answer | None, error: str | None = None, turn: int = 0) -> str:
    """Status line under the chat: grounded / not grounded / not found, engine and time (``turn`` numbers it)."""
    if error:
        return f'<div class="rq-status" data-turn="{turn}"><span class="rq-badge rq-bad">⚠ {esc(error)}</span></div>'
    if answer is None:
        return ""
    badge = BADGES[grounding_status(answer)]
    ms = answer.timings.get("total_ms", 0)
    took = f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
    note = f'<div class="rq-note">{esc(answer.grounding_note)}</div>' if answer.grounding_note else ""
    return (f'<div class="rq-status" data-turn="{turn}">{badge}<span class="rq-engine">{esc(answer.engine)} · {took}</span>'
            f"{note}</div>")


def answer_message(answer: Answer) -> str:
    """The answer for the chat: [n] markers become links to their paragraph, then a compact source list."""
    by_n = {c.n: c for c in answer.citations}

    def link(match: re.Match[str]) -> str:
        c = by_n.get(int(match.group(1)))
        if c is None:
            return match.group(0)
        return (f'<a class="rq-cite" href="{cite_href(c.hit.chunk.chunk_id, c.quote_start, len(c.quote))}" '
                f'title="{esc(c.hit.report.title)} ¶{c.hit.chunk.paragraph}">[{c.n}]</a>')

    body = MARKER_RE.sub(link, md_text(answer.answer))  # report text in it cannot form links: only our [n]
    if answer.refused:
        body = f"⚠ {body}"
    elif not answer.grounded:
        body = f"{body}\n\n⚠ *未通过核验 Not grounded*"
    if answer.citations and not answer.refused:
        refs = "<br>".join(
            f'<a class="rq-cite" href="{cite_href(c.hit.chunk.chunk_id, c.quote_start, len(c.quote))}">[{c.n}]</a> '
            f"{md_text(c.hit.report.title)} ¶{c.hit.chunk.paragraph}" for c in answer.citations)
        body += f'\n\n<span class="rq-refs">{refs}</span>'
    return body


def streaming_message(text: str) -> str:
    return md_text(text) + " ▌"


# -- reports -----------------------------------------------------------------------------------------------
REPORT_COLUMNS = ["标题 Title", "地区 Place", "年份 Year", "报告人 Speaker", "块 Chunks", "警告 Warnings", "ID"]


def report_rows(reports: list[Report]) -> list[list[Any]]:
    return [[r.title, r.region, r.year or "", f"{r.speaker_role or ''} {r.speaker or ''}".strip(),
             r.n_chunks, len(r.warnings), r.report_id] for r in reports]


def report_label(report: Report) -> str:
    return f"{report.title}（{report.report_id[:12]}）"


def report_header_html(report: Report) -> str:
    facts = [("地区 Place", report.region), ("年份 Year", report.year), ("级别 Level", report.level),
             ("会议 Meeting", report.meeting_name), ("日期 Date", report.meeting_date),
             ("报告人 Speaker", f"{report.speaker_role or ''} {report.speaker or ''}".strip()),
             ("段落块 Chunks", report.n_chunks), ("文字 Script", report.script), ("来源文件 File", report.source_file)]
    rows = "".join(f"<span><b>{esc(k)}</b> {esc(v)}</span>" for k, v in facts if v not in (None, "", 0))
    warnings = "".join(f"<li>{esc(w)}</li>" for w in report.warnings)
    warn_html = f'<details class="rq-warnings"><summary>警告 Warnings ({len(report.warnings)})</summary>' \
                f"<ul>{warnings}</ul></details>" if report.warnings else ""
    return (f'<div class="rq-report-head"><h3>{esc(report.title)}</h3><div class="rq-facts">{rows}</div>'
            f"{warn_html}</div>")


def viewer_html(view: ReportView | None, target_chunk: str | None = None, quote_text: str | None = None) -> str:
    """Full text with the section tree; ¶n anchors; the target paragraph highlighted (and scrolled to)."""
    if view is None:
        return '<div class="rq-viewer rq-empty">选择一份报告查看原文。Select a report to read its full text.</div>'
    toc = _toc(view.to_dict()["sections"])
    parts = []
    if view.header:
        parts.append('<div class="rq-doc-header">' + "".join(f"<div>{esc(h)}</div>" for h in view.header) + "</div>")
    for block in view.blocks:
        if block.kind == "heading":
            level = min(max(block.level, 1), 4)
            parts.append(f'<div class="rq-h rq-h{level}">{esc(block.text)}</div>')
            continue
        target = target_chunk is not None and target_chunk in block.chunk_ids
        text = highlighted(block.text, quote_text, block.text.find(quote_text or "\x00")) if target else esc(block.text)
        cls = "rq-p rq-target" if target else "rq-p"
        parts.append(f'<p class="{cls}" id="rq-p-{block.paragraph}" data-para="{block.paragraph}">'
                     f'<a class="rq-pn" href="#rq-p-{block.paragraph}">¶{block.paragraph}</a>{text}</p>')
    return (f'<div class="rq-viewer" data-report="{esc(view.report.report_id)}">'
            f'<nav class="rq-toc"><div class="rq-toc-h">目录 Sections</div>{toc}</nav>'
            f'<article class="rq-text">{"".join(parts)}</article></div>')


def _toc(nodes: list[dict[str, Any]]) -> str:
    if not nodes:
        return ""
    items = []
    for node in nodes:
        first, last = node["first_paragraph"], node["last_paragraph"]
        span = f' <span class="rq-toc-span">¶{first}–{last}</span>' if first else ""
        target = f' data-para="{first}"' if first else ""
        items.append(f'<li><a href="#"{target}>{esc(node["heading"])}</a>{span}{_toc(node["children"])}</li>')
    return f"<ul>{''.join(items)}</ul>"


OUTCOME_LABELS = {"added": "新增 added", "replaced": "已替换 replaced", "unchanged": "未变 unchanged",
                  "duplicate": "重复 duplicate", "rejected": "拒绝 rejected"}
UPLOAD_COLUMNS = ["文件 File", "结果 Result", "说明 Details"]


def outcome_row(outcome: Any) -> list[str]:
    """File, result, and the report it became (or why it was rejected / which report it duplicates)."""
    report = outcome.report
    if outcome.error:
        detail = outcome.error.removeprefix(f"{outcome.source}: ")
    elif outcome.duplicate_of:
        detail = f"与 {outcome.duplicate_of} 内容相同 same text as {outcome.duplicate_of}"
    elif report is not None:
        detail = f"{report.title}（{report.report_id}）· {report.region} {report.year or ''} · {report.n_chunks} chunks"
    else:
        detail = ""
    return [outcome.source, OUTCOME_LABELS.get(outcome.status, outcome.status), detail]


# -- summaries ---------------------------------------------------------------------------------------------
def summary_html(summary: Any) -> str:
    """A ``ReportSummary`` as HTML built from its fields: every text escaped (report text is never markup), and
    the only links are the ``[n]`` of each bullet's own citation list, which open the quoted paragraph."""
    from rag.reports.summary import FACT_LABELS, HEADINGS, SECTION_KEYS

    lang = summary.lang if summary.lang in HEADINGS else "zh"
    heads, labels = HEADINGS[lang], FACT_LABELS[lang]
    by_n = {c["n"]: c for c in summary.citations}

    def cite(n: int) -> str:
        c = by_n.get(n)
        if c is None:
            return ""
        href = cite_href(c["chunk_id"], c.get("quote_start"), len(c.get("quote") or ""))
        return f'<a class="rq-cite" href="{esc(href)}" title="¶{esc(c["paragraph"])}">[{esc(c["n"])}]</a>'

    parts = [f"<h2>{esc(summary.title)}</h2>"]
    facts = [f"<span><b>{esc(labels[k])}</b> {esc(summary.facts[k])}</span>" for k in labels if summary.facts.get(k)]
    if facts:
        parts.append(f'<div class="rq-facts">{"".join(facts)}</div>')
    for key in SECTION_KEYS:
        items = getattr(summary, key)
        if not items:
            continue
        bullets = []
        for item in items:
            lead = (f"<b>{esc(item.section)}</b>：" if item.section and key in ("achievements", "tasks") else "")
            marks = "".join(cite(n) for n in item.citations)
            bullets.append(f"<li>{lead}{esc(item.text)} {marks}</li>")
        parts.append(f"<h3>{esc(heads[key])}</h3><ul>{''.join(bullets)}</ul>")
    if summary.citations:
        items_html = "".join(
            f"<li>{cite(c['n'])} {esc(' › '.join(c['section_path']))} ¶{esc(c['paragraph'])} — “{esc(c['quote'])}”</li>"
            for c in summary.citations)
        parts.append(f'<details class="rq-sum-sources"><summary>{esc(heads["sources"])} Sources '
                     f"({len(summary.citations)})</summary><ul>{items_html}</ul></details>")
    if getattr(summary, "cached", False):
        parts.append('<span class="rq-refs">（缓存 cached）</span>')
    return f'<div class="rq-summary">{"".join(parts)}</div>'
