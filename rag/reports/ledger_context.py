"""Where a ledger figure stands: the character-aligned search text, the part of the report (from headings and
section openings) and the kind and year a figure refers to (from sentence, paragraph and part).

Years, year ranges and plan periods ("十四五") are read with :mod:`rag.core.years`.
"""

from __future__ import annotations

import re
import unicodedata

from rag.core.models import Chunk, Report
from rag.core.textnorm import to_simplified
from rag.core.years import PLAN_PERIOD_NAME, RANGE_RE, YEAR_RE, plan_periods, year_value

SENTENCE_END = re.compile(r"[。！？!?\n]")
MULTI_RE = re.compile(r"(?<![〇零一二三四五六七八九十])五年|年均|平均每年|近[两二三四五六七八九十几]+年|"
                      r"(?<![〇零一二三四五六七八九十\d])[两二三四五六七八九十几]+年来")
PARAGRAPH_MULTI_RE = re.compile(r"^.{0,40}?(这五年|过去五年|五年来|五年间|五年中|过去的五年)")
TARGET_RE = re.compile(r"(?:目标|指标)(?:建议)?(?:是|为)|(?:预期|主要|发展)(?:目标|指标)[:：]|预期性指标")
WEAK_TARGET_RE = re.compile(r"力争|今年|明年|新的一年|全年目标|提出")
LAST_TARGET_RE = re.compile(r"年初(?:确定|提出|预定|制定)的\s*$")
BASELINE_BEFORE = re.compile(r"(?:比|较|同|与|和|从|由)\s*$")
PARAGRAPH_PERIOD_RE = re.compile(rf"^.{{0,15}}?{PLAN_PERIOD_NAME}")
ACTUAL_RE = re.compile(r"去年|过去一年|过去的一年|一年来|预计到年底|年底预计")
REVIEW_HEADING = re.compile(r"回顾|过去一年|一年来|过去的一年|成效|成绩|成就|取得|进展|回眸|形势")
PLAN_HEADING = re.compile(r"安排|任务|目标|今后|今年|明年|部署|总体要求|重点工作|主要工作|工作建议|政策取向|思路")


def aligned_search_text(text: str) -> str:
    """Simplified, half-width, lower-case form of ``text`` with exactly one character per original character."""
    chars = []
    for ch in text:
        norm = unicodedata.normalize("NFKC", ch)
        norm = norm if len(norm) == 1 else ch
        low = norm.lower()
        chars.append(low if len(low) == 1 else norm)
    folded = "".join(chars)
    simplified = to_simplified(folded)
    if len(simplified) == len(folded):
        return simplified
    out = []
    for ch in folded:  # phrase conversion changed the length somewhere: convert one character at a time
        conv = to_simplified(ch)
        out.append(conv if len(conv) == 1 else ch)
    return "".join(out)


def heading_part(section_path: list[str], report_year: int | None) -> tuple[str | None, int | None]:
    """The part of the report a chunk lies in, from its headings (outermost first), and the year they name.

    Parts: ``review`` (2022年工作回顾), ``plan`` (2023年主要工作安排), ``multi-review`` (过去五年工作回顾),
    ``multi-plan`` (今后五年奋斗目标, 2035年远景目标) or None.
    """
    for heading in section_path:
        norm = aligned_search_text(heading)
        years = [year_value(y) for y in YEAR_RE.findall(norm)]
        year = years[0] if years else None
        periods = plan_periods(norm)
        if len(periods) == 1 and year is None:
            if report_year is not None and periods[0] >= report_year:
                return "multi-plan", periods[0]
            return "multi-review", periods[0]
        if "五年" in norm and "一年" not in norm and year is None:
            return ("multi-review" if REVIEW_HEADING.search(norm) else "multi-plan"), None
        if year is not None and report_year is not None:
            if year < report_year:
                return "review", year
            if year == report_year:
                return "plan", year
            return "multi-plan", year
        review, plan = REVIEW_HEADING.search(norm), PLAN_HEADING.search(norm)
        if review and plan:  # 当前国内形势和基本任务: says nothing about a figure's kind
            continue
        if review:
            return "review", year
        if plan:
            return "plan", year
    return None, None


def part_hints(report: Report, chunks: list[Chunk]) -> dict[str, tuple[str | None, int | None]]:
    """For top-level sections whose headings say nothing (三、勇毅前行，奋力夺取…新胜利), the part their opening
    sentence implies: 2023年是… (the report year) → plan; 2022年… (the year before) → review."""
    hints: dict[str, tuple[str | None, int | None]] = {}
    for chunk in chunks:
        top = chunk.section_path[0] if chunk.section_path else ""
        if top in hints:
            continue
        if heading_part(chunk.section_path[:1], report.year)[0] is not None or report.year is None:
            hints[top] = (None, None)
            continue
        first = SENTENCE_END.split(aligned_search_text(chunk.text), maxsplit=1)[0][:60]
        years = [year_value(y) for y in YEAR_RE.findall(first)]
        if years and years[0] == report.year:
            hints[top] = ("plan", report.year)
        elif years and years[0] == report.year - 1:
            hints[top] = ("review", years[0])
        else:
            hints[top] = (None, None)
    return hints


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
                    if not BASELINE_BEFORE.search(norm, max(0, m.start() - 2), m.start())]
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
