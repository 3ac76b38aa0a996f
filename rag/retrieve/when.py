"""The time a question asks about, and whether the library can answer for it.

A library holds many years of the same place, and the year decides which paragraph is right. A report of year
Y reviews Y−1 (工作回顾) and plans Y (主要预期目标), so a question about a year's *result* is answered by the next
year's report and one about a *target* by that year's own. When no report in scope covers the asked year, the
honest answer is to say so, listing the years the library has — never another year's figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rag.core.models import Report
from rag.core.textnorm import to_simplified
from rag.core.years import ARABIC_YEAR, CN_YEAR, PLAN_PERIOD, RANGE_RE, YEAR_RE, year_value

Intent = Literal["result", "target", "multi-year", "unknown"]

# "the 2024 government work report", "2024年政府工作报告", "2024年的报告", "2024年報告"
_NAMED_REPORT_ZH = re.compile(rf"({ARABIC_YEAR}|{CN_YEAR})\s*年\s*(?:的)?\s*(?:国务院)?\s*(?:政府工作)?报告")
_NAMED_REPORT_EN = re.compile(rf"\b({ARABIC_YEAR})\s+(?:government\s+)?(?:work\s+)?report\b"
                              rf"|\breport\s+(?:of|for|delivered in|from)\s+({ARABIC_YEAR})\b", re.I)
_EN_YEAR = re.compile(rf"\b({ARABIC_YEAR})\b")
# Words of a span of years or a far horizon: the question is not about one year.
_MULTI_YEAR = re.compile(r"(?<![〇零一二三四五六七八九\d])五年|年均|平均每年|十[一二三四五]?五|规划期|到\s*(?:19|20)\d{2}\s*年|至\s*(?:19|20)\d{2}\s*年|"
                         r"分别|历年|逐年|五年计划|five-year|per year on average|annual average|by (?:19|20)\d{2}\b|"
                         r"between (?:19|20)\d{2} and|from (?:19|20)\d{2} to|(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}",
                         re.I)
_TARGET = re.compile(r"目标|预期|拟|计划|安排|力争|要求|打算|定为|设定|确定为|target|goal|aim|plan|set for|expect|quota|\bwill\b|going to",
                     re.I)
_RESULT = re.compile(r"完成|实现|增长了|达到|达|实际|多少|几|"
                     r"grew|was|were|reached|achieved|actual|did .* (?:grow|rise|fall|reach)|how (?:much|many)",
                     re.I)
_REVIEW_DISTANCE = 1  # a year's results are reviewed in the next year's report


@dataclass(frozen=True)
class QuestionTime:
    """Years a question names and what it wants of them."""

    years: tuple[int, ...] = ()  # every explicit year, in order
    named_report: int | None = None  # "the 2024 report": answer from that report only
    intent: Intent = "unknown"
    spans: bool = False  # a range, a five-year plan, "到2035年": not about one year
    periods: tuple[int, ...] = field(default_factory=tuple)  # plan periods by last year (十四五 → 2025)

    @property
    def single_year(self) -> int | None:
        distinct = set(self.years)
        return self.years[0] if len(distinct) == 1 and not self.spans else None


def question_time(text: str) -> QuestionTime:
    """Explicit years (2022年, 二〇二二年, "in 2022"), a named report, ranges and plan periods, and the intent."""
    text = to_simplified(text)  # one set of cue words for both scripts
    years = [year_value(m.group(1)) for m in YEAR_RE.finditer(text)]
    years += [int(y) for y in _EN_YEAR.findall(text)]
    named = None
    match = _NAMED_REPORT_ZH.search(text)
    if match:
        named = year_value(match.group(1))
    else:
        match = _NAMED_REPORT_EN.search(text)
        if match:
            named = int(match.group(1) or match.group(2))
    spans = bool(RANGE_RE.search(text) or _MULTI_YEAR.search(text))
    periods = tuple(PLAN_PERIOD[p] for p in re.findall(r"十[一二三四五]?五", text) if p in PLAN_PERIOD)
    if spans or periods:
        intent: Intent = "multi-year"
    elif _TARGET.search(text):
        intent = "target"
    elif _RESULT.search(text):
        intent = "result"
    else:
        intent = "unknown"
    return QuestionTime(tuple(dict.fromkeys(years)), named, intent, spans or bool(periods), periods)


def reports_needed(time: QuestionTime) -> set[int] | None:
    """Report years any one of which could answer, or None when the question is not about one year."""
    if time.named_report is not None:
        return {time.named_report}
    year = time.single_year
    if year is None:
        return None
    if time.intent == "target":
        return {year}
    if time.intent == "result":
        return {year + _REVIEW_DISTANCE}
    return {year, year + _REVIEW_DISTANCE}


@dataclass(frozen=True)
class MissingYear:
    """The library cannot answer for the asked year: which report it would need and which it has."""

    asked: int
    needed: tuple[int, ...]
    available: tuple[int, ...]  # report years in scope, nearest first
    named_report: bool
    place: str = ""  # the place the question names, when the scope is that place's reports

    def message(self, lang: str) -> str:
        have = sorted(self.available[:6])
        if lang == "en":
            listing = ", ".join(str(y) for y in have) + (" …" if len(self.available) > 6 else "")
            of = f" for {self.place}" if self.place else ""
            if self.named_report or self.needed == (self.asked,):
                return f"The library has no {self.asked} report{of} (it has {listing}); nothing can be said about it."
            return (f"The library has no report{of} that reviews {self.asked} (that would be the "
                    f"{' or '.join(str(y) for y in self.needed)} report; it has {listing}).")
        listing = "、".join(str(y) for y in have) + (" …" if len(self.available) > 6 else "")
        if self.named_report or self.needed == (self.asked,):
            return f"库中没有{self.place}{self.asked}年的政府工作报告（已有 {listing}），无法回答。"
        needed = "或".join(f"{y}年" for y in self.needed)
        return (f"库中没有回顾{self.place}{self.asked}年情况的报告（应为{needed}的政府工作报告；已有 {listing}），"
                "无法回答。")


def missing_year(time: QuestionTime, reports: Iterable[Report], place: str = "") -> MissingYear | None:
    """``MissingYear`` when no report in scope has a year the question needs (None when one has, or when the
    question is not about a single year, or the reports carry no years)."""
    needed = reports_needed(time)
    have = sorted({r.year for r in reports if r.year})
    if needed is None or not have or needed & set(have):
        return None
    asked = time.named_report if time.named_report is not None else time.single_year
    assert asked is not None
    nearest = tuple(sorted(have, key=lambda y: (abs(y - asked), y)))
    return MissingYear(asked, tuple(sorted(needed)), nearest, time.named_report is not None, place)
