"""When a sentence speaks: the year (or span of years) its figures are about, read from the sentence, the
clause it continues, and its paragraph's time. The extractive selector and the grounding check of LLM answers
both use it, so a figure about another year never answers for the asked one."""

from __future__ import annotations

import re

from rag.answer.cues import CLAUSE_BREAK
from rag.core.levels import level_years, span_levels
from rag.core.numbers import extract_figures
from rag.core.textnorm import aligned_search_text
from rag.core.timeframe import (
    FIVE_YEARS,
    MULTI_RE,
    ChunkTime,
    figure_years,
    present_after_year,
    sentence_years,
)
from rag.core.years import RANGE_RE, YEAR_RE, year_value

# The level a change reached (…增长百分之五十九，达到５．９亿吨), and the totals of a span that are not a level.
LEVEL_REACHED = re.compile(r"(?:达到|增加到|增长到|提高到|上升到|扩大到|发展到|增至|超过)\s*[\d〇零一二三四五六七八九十两]")
SPAN_TOTAL = re.compile(r"累计|共计|总计|合计|[共总]\s*[\d〇零一二三四五六七八九十两]")


def with_time_context(text: str, start: int, end: int, report_year: int | None) -> str:
    """A clause after ；that names no year speaks in the time of the sentence it continues (１９９２年同１９８７年相比，
    城镇…达到１８２６元；农村居民…达到７８４元): its year is read with the sentence's opening."""
    if sentence_years(text[start:end], report_year):
        return text[start:end]
    opening = max(text.rfind(mark, 0, start) for mark in "。！？!?\n") + 1
    return text[opening:end]


def before_period(periods: tuple[int, ...], report_year: int | None) -> bool:
    """A report written before the five-year plan periods a question names were drawn up (more than a year
    before the first one began) cannot state their figures, only an earlier plan's for the same years."""
    if not periods or report_year is None:
        return False
    return report_year < min(periods) - FIVE_YEARS


STREAK_RE = re.compile(r"连续[两二三四五六七八九十几\d]+年")
# No span of the sentence's figures: a programme named for its length (新型城镇化战略五年行动计划), and an annual
# mean (PM2.5年均浓度: one year's average concentration).
NOT_A_SPAN = re.compile(r"五年行动|年(?:平)?均浓度")


def span_scoped(sentence: str) -> bool:
    """Whether a span word (五年, 年均, 近三年 …) governs the sentence's figures. A streak in a clause of its own
    does not (粮食连续五年增产，总产量10570亿斤: the figure is the latest year's; 34 streaks 连续N年 in the
    national reports); a streak in the figure's own clause does (连续五年增产百分之三以上). A span named after the
    figures, in a clause without one, explains them (全国财政赤字合计9500亿元，…但由于前几年连续减少赤字: 2009's)."""
    stated = False  # a clause before this one stated a figure
    for clause in CLAUSE_BREAK.split(sentence):
        figures = bool(extract_figures(clause))
        if MULTI_RE.search(NOT_A_SPAN.sub("", aligned_search_text(clause))) and (
                (not STREAK_RE.search(clause) and not stated) or figures):
            return True
        stated = stated or figures
    return False


def names_both_ends(asked: frozenset[int], sentence: str) -> bool:
    """Whether a sentence writes the first and the last asked year (asked 2002–2007: 从2002年1288亿元增加到2007年的
    3664亿元 gives both ends; 从1997年的509亿元增加到2002年的1161亿元 only one)."""
    years = {year_value(m.group(1)) for m in YEAR_RE.finditer(aligned_search_text(sentence))}
    return len(asked) >= 2 and {min(asked), max(asked)} <= years


def _meets_at_an_end(asked: frozenset[int], norm: str) -> bool:
    """Whether a span of years the sentence names (1997年至2002年) shares only its first or last year with the
    asked span of years."""
    for match in RANGE_RE.finditer(norm):
        ends = [year_value(g) for g in match.groups() if g]
        if len(asked) >= 2 and len(ends) >= 2:
            shared = asked & set(range(min(ends), max(ends) + 1))
            if len(shared) == 1 and (min(ends) < min(asked) or max(ends) > max(asked)):
                return True
    return False


def year_match(asked: frozenset[int], sentence: str, chunk_time: ChunkTime, report_year: int | None = None) -> int:
    """+1 when a sentence speaks about the asked year, −1 when it speaks about another year or a span of years
    (年均, 五年, 2017年到2021年), 0 when it cannot be told. The sentence's own years come first (2021年…, not the
    baseline of 比2012年); a sentence without one speaks about its paragraph's time (rag/core/timeframe.py:
    the review part of the 2023 report is about 2022)."""
    if not asked:
        return 0
    if asked & set(level_years(sentence)):
        return 1  # 财政赤字从１９７９年的一百七十亿元…: the asked year's level, named as such
    single = len(asked) == 1  # one year asked: a five-year figure (年均, 2017年到2021年) does not answer it
    norm = aligned_search_text(sentence)
    stated = sentence_years(sentence, report_year)
    if stated and report_year is not None and present_after_year(sentence):
        stated = tuple(sorted({*stated, report_year}))  # 一九五八年初…，现在…: the report's own year too
    if len(stated) >= 2 and not RANGE_RE.search(norm):
        stated = figure_years(sentence, report_year) or stated  # 1956年…五百八十六亿元，超过了…1957年的指标: the figure's is 1956
    if stated:
        if single and RANGE_RE.search(norm):  # a span's figure, unless the sentence gives the year's level
            return 1 if asked & span_levels(sentence) else -1
        if not single and _meets_at_an_end(asked, norm):
            return -1  # asked 2002–2007: 从1997年的509亿元增加到2002年的1161亿元 is the span before it
        return 1 if asked & set(stated) else -1
    if single and MULTI_RE.search(norm) and span_scoped(sentence):
        return -1
    if not chunk_time.years:
        return 0
    if not asked & set(chunk_time.years):
        return -1
    # A figure in a five-year part, in a sentence that names no year, is the span's (贫困人口减少6800多万 in the
    # review of 2013–2017), not one year's: the paragraphs about the last year open with it (刚刚过去的2017年).
    # Only the level a change reached (吞吐量增长百分之五十九，达到５．９亿吨) is the span's last year's.
    if single and chunk_time.kind == "multi-year":
        reached_last = asked == {max(chunk_time.years)} and LEVEL_REACHED.search(norm) and not SPAN_TOTAL.search(norm)
        return 1 if reached_last else -1
    if len(asked) > 2 and chunk_time.kind == "review" and len(chunk_time.years) == 1:
        return 0  # one year of an asked span (the 2017 report's 2016 within 2016–2020): not the span's figure
    return 1
