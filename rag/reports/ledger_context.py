"""Where a ledger figure stands: the character-aligned search text, the part of the report (from headings and
section openings) and the kind and year a figure refers to (from sentence, paragraph and part).

Years, year ranges and plan periods ("十四五") are read with :mod:`rag.core.years`.
"""

from __future__ import annotations

import re

from rag.core.models import Chunk, Report
from rag.core.textnorm import aligned_search_text
from rag.core.timeframe import (
    ACTUAL_RE,
    MULTI_RE,
    PARAGRAPH_MULTI_RE,
    PARAGRAPH_PERIOD_RE,
    PLAN_HEADING,
    REVIEW_HEADING,
    SENTENCE_END,
    baseline_year,
    heading_part,
    section_parts,
)
from rag.core.years import RANGE_RE, YEAR_RE, plan_periods, year_value

__all__ = ["ACTUAL_RE", "MULTI_RE", "PARAGRAPH_MULTI_RE", "PARAGRAPH_PERIOD_RE", "PLAN_HEADING", "REVIEW_HEADING",
           "SENTENCE_END", "aligned_search_text", "classify", "heading_part", "part_hints"]

TARGET_RE = re.compile(r"(?:目标|指标)(?:建议)?(?:是|为)|(?:预期|主要|发展)(?:目标|指标)[:：]|预期性指标")
WEAK_TARGET_RE = re.compile(r"力争|今年|明年|新的一年|全年目标|提出")
LAST_TARGET_RE = re.compile(r"年初(?:确定|提出|预定|制定)的\s*$")


def part_hints(report: Report, chunks: list[Chunk], by_order: bool = True) -> dict[str, tuple[str | None, int | None]]:
    """For top-level sections whose headings say nothing, the part they lie in (:func:`section_parts` of the
    report's time model: the opening sentence, else — ``by_order`` — the plan when they follow the review)."""
    return section_parts(report.year, [(c.section_path, aligned_search_text(c.text)) for c in chunks], by_order)


def classify(norm: str, sentence_start: int, mention_start: int, figure_start: int, clause_end: int,
             paragraph_lead: str, part: str | None, heading_year: int | None,
             report_year: int | None) -> tuple[str, int | None]:
    """(kind, ref_year) of a figure, from the strongest evidence down: a period (2017年到2021年, 年均, 五年,
    "十四五") in the sentence or the paragraph's opening; the year named before the figure (baseline years
    after 比/从 do not count); 去年; a five-year part of the report; a target list (目标是：); 去年 in the
    sentence before; the review or plan part; weak target words (今年, 力争); else ``actual``."""
    before = norm[sentence_start:mention_start]
    context = norm[sentence_start:clause_end]
    years_before = [year_value(m.group(1))
                    for m in YEAR_RE.finditer(norm, sentence_start, max(figure_start, mention_start))
                    if not baseline_year(norm, m.start(), m.end())]
    explicit = years_before[-1] if years_before else None
    last_year = report_year - 1 if report_year else None
    ranges = RANGE_RE.findall(context)
    lead_period = plan_periods(paragraph_lead) if PARAGRAPH_PERIOD_RE.search(paragraph_lead) else []
    periods = plan_periods(context) or lead_period
    looking_back = part in ("review", "multi-review") or PARAGRAPH_MULTI_RE.search(paragraph_lead)
    if ranges:
        return "multi-year", max(year_value(y) for pair in ranges for y in pair if y)
    if periods or MULTI_RE.search(context) or PARAGRAPH_MULTI_RE.search(paragraph_lead):
        if explicit is not None and (report_year is None or explicit != report_year):
            return "multi-year", explicit
        if periods:
            return "multi-year", periods[-1]
        if part == "multi-plan" and heading_year and report_year and heading_year > report_year:
            return "multi-year", heading_year
        return "multi-year", last_year if looking_back else None
    if explicit is not None and report_year is not None:
        if explicit > report_year:
            return "multi-year", explicit
        return ("target" if explicit == report_year else "actual"), explicit
    if LAST_TARGET_RE.search(before):
        return "target", last_year  # 没有实现年初确定的…降低4%左右的目标: last year's target
    if ACTUAL_RE.search(before):
        return "actual", explicit or last_year
    if part == "multi-plan":
        return "multi-year", heading_year
    if part == "multi-review":
        return "multi-year", heading_year or last_year
    if TARGET_RE.search(before) or WEAK_TARGET_RE.search(before):
        return "target", explicit or report_year
    previous_sentence = norm[max((m.end() for m in SENTENCE_END.finditer(norm, 0, max(0, sentence_start - 1))),
                                 default=0):sentence_start]
    if ACTUAL_RE.search(previous_sentence) and not WEAK_TARGET_RE.search(previous_sentence):
        return "actual", last_year
    if part == "review":
        return "actual", heading_year if heading_year and (not report_year or heading_year < report_year) \
            else last_year
    if part == "plan":
        return "target", explicit or report_year or heading_year
    return "actual", explicit or last_year
