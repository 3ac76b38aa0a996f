"""The extractive summary: headline figures and targets from the ledger, one achievement per level-2 section of
the review part, one task per level-2 section of the plan part, the problems the report acknowledges; every
bullet cites its exact span. No model."""

from __future__ import annotations

import re
from typing import Any

from rag.answer.citations import sentence_units
from rag.core.models import Chunk, Report, Section
from rag.core.textnorm import to_traditional
from rag.reports.ledger import LedgerRow, aligned_search_text, heading_part, part_hints, query_ledger
from rag.reports.summary_items import (
    ENUM_RE,
    MAX_ITEMS,
    MAX_QUOTE,
    NUMBERING_RE,
    PROBLEM_RE,
    STRONG_PROBLEM_RE,
    ReportSummary,
    SummaryItem,
)


class _Citations:
    """Numbered citations, one per distinct quoted span."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.entries: list[dict[str, Any]] = []
        self.index: dict[tuple[str, int, int], int] = {}

    def add(self, chunk: Chunk, start: int, end: int) -> int:
        key = (chunk.chunk_id, start, end)
        if key not in self.index:
            self.index[key] = len(self.entries) + 1
            self.entries.append({
                "n": self.index[key], "chunk_id": chunk.chunk_id, "report_id": chunk.report_id,
                "title": self.report.title, "section_path": chunk.section_path, "paragraph": chunk.paragraph,
                "quote": chunk.text[start:end], "quote_start": start, "text": chunk.text,
            })
        return self.index[key]


def _facts(report: Report) -> dict[str, Any]:
    speaker = " ".join(p for p in (report.speaker_role, report.speaker) if p)
    return {"title": report.title, "region": report.region, "year": report.year, "date": report.meeting_date,
            "speaker": speaker or None, "meeting": report.meeting_name, "level": report.level,
            "province": report.province, "city": report.city, "district": report.district,
            "script": report.script, "chunks": report.n_chunks}


def _lead_span(chunk: Chunk) -> tuple[int, int] | None:
    """The opening sentences of a chunk, about one line: the unit(s) a section leads with, cut at a comma."""
    units = sentence_units(chunk.text)
    if not units:
        return None
    start, end = units[0]
    for unit in units[1:]:
        if end - start >= 40 or unit[1] - start > MAX_QUOTE:
            break
        end = unit[1]
    if end - start > MAX_QUOTE:
        text = chunk.text[start:start + MAX_QUOTE]
        cut = max(text.rfind("，"), text.rfind(","), text.rfind("；"), text.rfind(";"))
        end = start + (cut if cut > 30 else MAX_QUOTE)
    return start, end


def _section_title(heading: str) -> str:
    return NUMBERING_RE.sub("", heading).strip()


def _lead_item(chunks: list[Chunk], cites: _Citations, section: str) -> SummaryItem | None:
    for chunk in chunks:
        if len(chunk.text.strip()) < 20:
            continue
        span = _lead_span(chunk)
        if span is None:
            continue
        n = cites.add(chunk, *span)
        return SummaryItem(chunk.text[span[0]:span[1]], [n], section)
    return None


def _part_items(part_tops: list[str], sections: list[Section], chunks: list[Chunk],
                cites: _Citations) -> list[SummaryItem]:
    """One bullet per level-2 section under these top-level sections (or per paragraph when there are none)."""
    items: list[SummaryItem] = []
    with_children = {s.path[0] for s in sections if s.level == 2 and s.path and s.path[0] in part_tops}
    for top in part_tops:
        children = [s for s in sections if s.level == 2 and s.path and s.path[0] == top]
        if with_children and not children:
            continue  # 今后五年指导思想… next to sections of tasks: the tasks are the sections
        if children:
            for child in children:
                own = [c for c in chunks if c.section_path[:len(child.path)] == child.path]
                item = _lead_item(own, cites, _section_title(child.heading))
                if item is not None:
                    items.append(item)
        else:
            body = [c for c in chunks if c.section_path[:1] == [top] and c.part <= 1]
            for chunk in body[:MAX_ITEMS]:
                item = _lead_item([chunk], cites, _section_title(top))
                if item is not None:
                    items.append(item)
    return items[: MAX_ITEMS * 2]


def _figure_items(rows: list[LedgerRow], chunks_by_id: dict[str, Chunk], cites: _Citations,
                  traditional: bool) -> list[SummaryItem]:
    items, seen = [], set()
    for row in rows:
        if row.indicator in seen or row.chunk_id not in chunks_by_id:
            continue
        seen.add(row.indicator)
        n = cites.add(chunks_by_id[row.chunk_id], row.quote_start, row.quote_start + len(row.quote))
        text = row.describe()
        items.append(SummaryItem(to_traditional(text) if traditional else text, [n], indicator=row.indicator))
    return items


def _problem_items(chunks: list[Chunk], cites: _Citations, review_tops: set[str]) -> list[SummaryItem]:
    ordered = sorted(chunks, key=lambda c: (not c.section_path or c.section_path[0] not in review_tops, c.ordinal))
    found: list[tuple[bool, Chunk, list[tuple[int, int]]]] = []
    for chunk in ordered:
        norm = aligned_search_text(chunk.text)
        for cue in PROBLEM_RE.finditer(norm):
            found.append((bool(STRONG_PROBLEM_RE.search(cue.group(0))), chunk, _enumerated(norm, cue.end())))
    # 清醒看到…不足 beats a passing mention of 困难; a cue followed by a list of problems (一是…二是…, …：A；B,
    # or short sentences after 我们也清醒看到面临的困难和挑战。) beats one without
    found.sort(key=lambda f: (not f[0], len(f[2]) < 2))
    for _, chunk, spans in found[:1]:
        items = []
        for start, end in spans[:MAX_ITEMS]:
            if end - start > MAX_QUOTE:
                text = chunk.text[start:start + MAX_QUOTE]
                cut = max(text.rfind("，"), text.rfind(","))
                end = start + (cut if cut > 20 else MAX_QUOTE)
            n = cites.add(chunk, start, end)
            items.append(SummaryItem(chunk.text[start:end], [n], _section_title(chunk.section_path[-1])
                                     if chunk.section_path else ""))
        if items:
            return items
    return []


def _enumerated(norm: str, after: int) -> list[tuple[int, int]]:
    """Spans of the problems listed after a cue: 一是…；二是… or …：A；B；C。, else the cue's sentence."""
    markers = [m.start() for m in ENUM_RE.finditer(norm, after)]
    if len(markers) >= 2:
        spans = []
        for i, start in enumerate(markers):
            stop = markers[i + 1] if i + 1 < len(markers) else len(norm)
            end_match = re.search(r"[。]", norm[start:stop])
            end = start + end_match.start() if end_match else stop
            spans.append((start, _trim(norm, start, end)))
        return [(s, e) for s, e in spans if e > s]
    sentence_end = norm.find("。", after)
    sentence_end = len(norm) if sentence_end < 0 else sentence_end
    colon = max(norm.rfind("：", 0, sentence_end), norm.rfind(":", 0, sentence_end))
    if colon >= after - 40 and colon > 0:
        spans, start = [], colon + 1
        for m in re.finditer(r"[；;]", norm[start:sentence_end]):
            spans.append((start, _trim(norm, start, colon + 1 + m.start())))
            start = colon + 1 + m.end()
        spans.append((start, _trim(norm, start, sentence_end)))
        return [(s, e) for s, e in spans if e - s >= 4]
    sentence_start = max(norm.rfind("。", 0, after) + 1, 0)
    if sentence_end - sentence_start <= 40:  # 我们也清醒看到面临的困难和挑战。 then one sentence per problem
        spans, start = [], sentence_end + 1
        for m in re.finditer(r"[^。]+。?", norm[start:]):
            spans.append((start + m.start(), _trim(norm, start + m.start(), start + m.end())))
        spans = [(s, e) for s, e in spans if e - s >= 4][:MAX_ITEMS]
        if len(spans) >= 2:
            return spans
    return [(sentence_start, _trim(norm, sentence_start, sentence_end))]


def _trim(norm: str, start: int, end: int) -> int:
    while end > start and norm[end - 1] in "；;。，, \n":
        end -= 1
    return end


def build_extractive(store: Any, report: Report) -> ReportSummary:
    """The model-free summary of one stored report."""
    chunks = store.chunks(report.report_id)
    sections = store.sections(report.report_id)
    ledger = query_ledger(store.conn, report_id=report.report_id)
    chunks_by_id = {c.chunk_id: c for c in chunks}
    cites = _Citations(report)
    traditional = report.script == "traditional"
    hints = part_hints(report, chunks, by_order=False)  # tasks: sections that say they are the plan
    tops = [s.heading for s in sections if s.level == 1]
    parts: dict[str, str | None] = {}
    for top in tops:
        part = heading_part([top], report.year)[0] or hints.get(top, (None, None))[0]
        parts[top] = part
    review_tops = [t for t in tops if parts[t] in ("review", "multi-review")]
    plan_tops = [t for t in tops if parts[t] in ("plan", "multi-plan")]

    summary = ReportSummary(report.report_id, report.title, "extractive", "zh", _facts(report))
    actual = [r for r in ledger if r.kind == "actual"]
    last_year = [r for r in actual if report.year and r.ref_year == report.year - 1]
    summary.headline_figures = _figure_items(last_year or actual, chunks_by_id, cites, traditional)
    if review_tops:
        summary.achievements = _part_items(review_tops, sections, chunks, cites)
    elif not plan_tops:  # an excerpt without part headings (a review fragment): one bullet per section
        top_level = min((s.level for s in sections), default=0)
        loose = [s.path[0] for s in sections if s.level == top_level]
        summary.achievements = _part_items_flat(loose, sections, chunks, cites)
    targets = [r for r in ledger if r.kind == "target"]
    this_year = [r for r in targets if report.year and r.ref_year == report.year]
    summary.targets = _figure_items(this_year or targets, chunks_by_id, cites, traditional)
    summary.tasks = _part_items(plan_tops, sections, chunks, cites)
    summary.problems = _problem_items(chunks, cites, set(review_tops))
    summary.citations = cites.entries
    return summary


def _part_items_flat(paths: list[str], sections: list[Section], chunks: list[Chunk],
                     cites: _Citations) -> list[SummaryItem]:
    items = []
    for heading in dict.fromkeys(paths):
        own = [c for c in chunks if c.section_path[:1] == [heading]]
        item = _lead_item(own, cites, _section_title(heading))
        if item is not None:
            items.append(item)
    if not items:  # no sections at all: the opening of the first paragraphs
        for chunk in chunks[:MAX_ITEMS]:
            item = _lead_item([chunk], cites, "")
            if item is not None:
                items.append(item)
    return items
