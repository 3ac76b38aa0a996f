"""The time model of a report: which part a paragraph lies in and the year(s) it speaks about.

A report of year Y reviews Y−1 (工作回顾, 过去一年), its five-year reviews cover Y−5…Y−1 (过去五年), its plan part speaks about
Y (今年, 主要预期目标, 工作安排) and multi-year plans about their period ("十四五" = 2021–2025, 今后五年, 到2035年). Headings decide
first (2022年工作回顾 / 2023年工作总体部署); a top section whose heading says nothing takes the part its opening sentence
implies, and the task sections after the review are the year's plan. A paragraph's own opening (这五年…, 今后五年…, 去年…,
2021年…) overrides its section; explicit years in a sentence override the paragraph (:func:`sentence_years`).

One implementation serves the indicator ledger (a figure's kind and year, :mod:`rag.reports.ledger_context`),
the chunks of the index (``chunk_time`` rows, used by retrieval's year prior) and the answer's year check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rag.core.levels import span_levels
from rag.core.numbers import VALUE_UNIT_RE
from rag.core.textnorm import aligned_search_text
from rag.core.years import PLAN_PERIOD_NAME, RANGE_RE, YEAR_RE, plan_periods, year_value

TimeKind = Literal["review", "plan", "multi-year"]

SENTENCE_END = re.compile(r"[。！？!?\n]")
MULTI_RE = re.compile(r"(?<![〇零一二三四五六七八九十])五年|年均|平均每年|近[两二三四五六七八九十几]+年|"  # 三年累计, 前三年共: sums
                      r"(?<![〇零一二三四五六七八九十\d])[两二三四五六七八九十几]+年(?:来|累计)|"
                      r"(?<![提〇零一二三四五六七八九十])前[两二三四五六七八九十几]+年")  # not 提前十年
PARAGRAPH_MULTI_RE = re.compile(r"^.{0,40}?(这五年|过去五年|五年来|五年间|五年中|过去的五年)")
PARAGRAPH_FUTURE_RE = re.compile(r"^.{0,20}?(今后五年|未来五年|今后一个时期|今后一段时期)")
# A paragraph about a plan period opens with its name (“十四五”时期…, 第六个五年计划期间…), or names the plan as the subject of its
# first sentence after an opening clause (根据…的可能，“七五”计划草案规定…), not as a baseline (比“六五”期间…).
PARAGRAPH_PERIOD_RE = re.compile(rf"^.{{0,15}}?(?:{PLAN_PERIOD_NAME}|第[一二三四五六七八九十]{{1,3}}个五年(?:计划|规划))|^[^。；;]{{0,40}}?[，,]\s*[“\"]?{PLAN_PERIOD_NAME}[”\"]?"
                                 r"(?:计划|规划)")
LAST_YEAR_OPENING = re.compile(r"^.{0,12}?(过去一年|过去的一年|一年来|去年)")  # a part about the last year
BASELINE_BEFORE = re.compile(r"(?:比|较|同|与|和|从|由)\s*$")  # 比2012年: the year a figure is measured against
# 是2010年的2.2倍, 相当于1949年的三倍, 等于一九四九年的十三点七倍: a multiple of that year's figure, like 比2010年
MULTIPLE_BEFORE = re.compile(r"(?:是|为|相当于|等于|达到|到)\s*$")
SINCE_AFTER = re.compile(r"[^，,。；;：:]{0,16}?以来|\s*的?\s*(?:不变价|可比价|价格)")  # …实施以来; 2010年不变价: a price base
STARTING = re.compile(r"(?:\d{1,2}月(?:\d{1,2}日)?)?起")  # 从2002年1月1日起: when it took effect, no baseline
MULTIPLE_AFTER = re.compile(r"^\s*年?(?:底|末)?的\s*[\d.〇零一二三四五六七八九十两几多点]+倍")
ACTUAL_RE = re.compile(r"去年|过去一年|过去的一年|一年来|预计到年底|年底预计")
REVIEW_HEADING = re.compile(r"回顾|过去|一年来|五年来|以来|成效|成绩|成就|取得|进展|回眸|形势")
PLAN_HEADING = re.compile(r"安排|任务|目标|今后|今年|明年|部署|总体要求|重点工作|主要工作|工作建议|政策取向|思路")
FIVE_YEARS = 5


@dataclass(frozen=True)
class ChunkTime:
    """What a paragraph speaks about: its kind and the years (ascending); ``kind`` None = not known.
    ``named``: the single years its sentences state figures for (2012年，…增长7.8% inside a five-year review),
    which override the paragraph's time for those sentences."""

    kind: TimeKind | None = None
    years: tuple[int, ...] = ()
    named: tuple[int, ...] = ()

    def covers(self, year: int) -> bool:
        return year in self.years

    def looks_back(self, report_year: int | None) -> bool:
        """A review (工作回顾) or a paragraph about years all before its report's (六五期间 in the 1986 report):
        its figures are results, never the targets set for those years."""
        return self.kind == "review" or bool(self.years and report_year and max(self.years) < report_year)

    def to_dict(self) -> dict[str, object]:
        """``{"kind": "review", "years": [2022]}``: what search results and citations carry."""
        return {"kind": self.kind, "years": list(self.years)}

    def encode(self) -> str:
        return _encode_years(self.years)

    def encode_named(self) -> str:
        return _encode_years(self.named)

    @staticmethod
    def decode(kind: str | None, years: str | None, named: str | None = None) -> ChunkTime:
        known = kind if kind in ("review", "plan", "multi-year") else None
        return ChunkTime(known, _decode_years(years), _decode_years(named))  # type: ignore[arg-type]


def _encode_years(years: Sequence[int]) -> str:
    return ",".join(str(y) for y in years)


def _decode_years(text: str | None) -> tuple[int, ...]:
    return tuple(int(y) for y in (text or "").split(",") if y)


def heading_part(section_path: Sequence[str], report_year: int | None) -> tuple[str | None, int | None]:
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


def opening_part(first_sentence: str, report_year: int | None) -> tuple[str | None, int | None]:
    """The part a section's opening sentence implies: 2023年是… (the report year) → plan, 2022年… → review,
    过去一年 → review, 今后五年 → multi-plan, 过去五年 → multi-review."""
    norm = aligned_search_text(first_sentence[:60])
    if report_year is None:
        return None, None
    years = [year_value(y) for y in YEAR_RE.findall(norm)]
    if years and years[0] == report_year:
        return "plan", report_year
    if years and years[0] == report_year - 1:
        return "review", years[0]
    if PARAGRAPH_MULTI_RE.search(norm):
        return "multi-review", None
    if PARAGRAPH_FUTURE_RE.search(norm):
        return "multi-plan", None
    if LAST_YEAR_OPENING.match(norm):
        return "review", report_year - 1
    return None, None


def section_parts(report_year: int | None, sections: Sequence[tuple[Sequence[str], str]],
                  by_order: bool = True) -> dict[str, tuple[str | None, int | None]]:
    """For each top-level heading whose headings say nothing, the part it lies in: what its opening sentence
    implies, else ``plan`` when it follows the review or the plan (the year's task sections: 三、把改革开放扎实
    推向纵深; ``by_order``), else unknown. ``sections``: (section path, text of its first chunk) in report order."""
    hints: dict[str, tuple[str | None, int | None]] = {}
    seen_part = False
    for path, first_text in sections:
        top = path[0] if path else ""
        if top in hints:
            continue
        own = heading_part(path[:1], report_year)
        if own[0] is not None or report_year is None or not top:
            hints[top] = (None, None)
            seen_part = seen_part or own[0] is not None
            continue
        first = SENTENCE_END.split(first_text, maxsplit=1)[0]
        hint = opening_part(first, report_year)
        if hint[0] is None and seen_part and by_order:
            hint = ("plan", report_year)
        hints[top] = hint
        seen_part = seen_part or hint[0] is not None
    return hints


def part_time(part: str | None, part_year: int | None, report_year: int | None) -> ChunkTime:
    """The kind and years of a part of a report of ``report_year``."""
    if report_year is None or part is None:
        return ChunkTime()
    if part == "review":
        year = part_year if part_year and part_year < report_year else report_year - 1
        return ChunkTime("review", (year,))
    if part == "plan":
        return ChunkTime("plan", (report_year,))
    if part == "multi-review":
        last = part_year if part_year and part_year < report_year else report_year - 1
        return ChunkTime("multi-year", tuple(range(last - FIVE_YEARS + 1, last + 1)))
    # multi-plan: 今后五年 (Y…Y+4), "十四五" (its five years), 到2035年 (Y…2035)
    last = part_year if part_year and part_year >= report_year else report_year + FIVE_YEARS - 1
    first = min(report_year, last - FIVE_YEARS + 1)
    return ChunkTime("multi-year", tuple(range(first, last + 1)))


def lead_part(text: str, report_year: int | None) -> tuple[str | None, int | None]:
    """The part a paragraph's own opening names (这五年…, 今后五年…, "十四五"时期…, 去年…, 今年…, 2021年…)."""
    if report_year is None:
        return None, None
    lead = aligned_search_text(text[:60])
    periods = plan_periods(lead) if PARAGRAPH_PERIOD_RE.search(lead) else []
    if periods:
        return ("multi-plan" if periods[0] >= report_year else "multi-review"), periods[0]
    if PARAGRAPH_MULTI_RE.search(lead):
        return "multi-review", None
    if PARAGRAPH_FUTURE_RE.search(lead):
        return "multi-plan", None
    return opening_part(SENTENCE_END.split(lead, maxsplit=1)[0], report_year)


def _opens_with_a_year(text: str) -> bool:
    """The paragraph's first sentence names a year (国内生产总值2000年达…), not 去年/过去一年."""
    first = SENTENCE_END.split(aligned_search_text(text[:60]), maxsplit=1)[0]
    return bool(YEAR_RE.search(first)) and not LAST_YEAR_OPENING.match(first)


_CARRIES_UNDER = {"multi-review": (None, "review", "multi-review"), "multi-plan": (None, "plan", "multi-plan")}


def chunk_time(section_path: Sequence[str], text: str, report_year: int | None,
               hint: tuple[str | None, int | None] = (None, None),
               carried: tuple[str | None, int | None] = (None, None)) -> ChunkTime:
    """The time of one chunk: its paragraph's opening first (:func:`lead_part`), then a five-year opening of an
    earlier paragraph of its section (``carried``: 过去五年… and the ——经济发展再上新台阶 paragraphs after it), then
    its headings, then the hint of its top section (:func:`section_parts`)."""
    return _time_from(lead_part(text, report_year), section_path, report_year, hint, carried,
                      _opens_with_a_year(text))


def _time_from(lead: tuple[str | None, int | None], section_path: Sequence[str], report_year: int | None,
               hint: tuple[str | None, int | None], carried: tuple[str | None, int | None],
               year_opening: bool = False) -> ChunkTime:
    """:func:`chunk_time` given the paragraph's :func:`lead_part` (report_times reads it once per chunk).
    ``year_opening``: the paragraph opens with the reviewed year's figure (国内生产总值2000年达…), which under a
    five-year review's heading is the span's result, not a part about that year alone (过去一年…)."""
    if report_year is None:
        return ChunkTime()
    part, year = lead
    if part == "review" and year_opening:
        heading = heading_part(section_path, report_year)
        if heading[0] == "multi-review" and (heading[1] is None or year is None or heading[1] >= year):
            part, year = heading  # 国内生产总值2000年达…，平均每年增长8.3% under “九五”时期…的回顾: the five years'
    if part is None:
        part, year = heading_part(section_path, report_year)
        if carried[0] is not None and year is None and part in _CARRIES_UNDER[carried[0]]:
            part, year = carried
    if part is None:
        part, year = hint
    return part_time(part, year, report_year)


_RELATIVE_YEAR = re.compile(r"(?<![比较同与和从由])(今年|本年|去年|明年)")
RELATIVE_OFFSETS = {"今年": 0, "本年": 0, "去年": -1, "明年": 1}  # a report's own relative years


def sentence_years(sentence: str, report_year: int | None = None) -> tuple[int, ...]:
    """Years a sentence states its figures for: explicit years and the ends of ranges, not baselines after
    比/较/同/与/从 (2021年同2012年相比 → 2021); else, given the report's year, its 今年/去年/明年 (not 比去年).
    Empty when the sentence names none."""
    norm = aligned_search_text(sentence)
    ranges = list(RANGE_RE.finditer(norm))
    measured = [m for m in ranges if not _baseline_range(norm, m)]
    if measured:
        return tuple(sorted({max(year_value(y) for y in m.groups() if y) for m in measured}))
    years = []
    for match in YEAR_RE.finditer(norm):
        if baseline_year(norm, match.start(), match.end()) or any(m.start() <= match.start() < m.end() for m in ranges):
            continue
        years.append(year_value(match.group(1)))
    if not years and report_year is not None:
        years = [report_year + RELATIVE_OFFSETS[word] for word in _RELATIVE_YEAR.findall(norm)]
    return tuple(sorted(set(years)))


def baseline_year(norm: str, start: int, end: int) -> bool:
    """Whether the year at ``norm[start:end]`` is a baseline (比2012年, 是2010年的2.2倍, 创2014年…以来最好), not the figure's."""
    before = norm[max(0, start - 3):start]
    return bool((BASELINE_BEFORE.search(before[-2:]) and not STARTING.match(norm, end)) or SINCE_AFTER.match(norm, end) or (
        MULTIPLE_BEFORE.search(before) and MULTIPLE_AFTER.match(norm[end:end + 12])))


_RANGE_MULTIPLE_AFTER = re.compile(r"^[^，,。；;]{0,8}?的\s*[\d.〇零一二三四五六七八九十两几多点]+倍")


def _baseline_range(norm: str, match: re.Match[str]) -> bool:
    """Whether a span of years is a baseline like a single year (比1998年到2002年), or the span whose total a
    figure is a multiple of, with a noun before 的 (是1950年到1997年投入总和的1.7倍)."""
    before, after = norm[max(0, match.start() - 3):match.start()], norm[match.end():]
    return baseline_year(norm, match.start(), match.end()) or bool(
        MULTIPLE_BEFORE.search(before) and _RANGE_MULTIPLE_AFTER.match(after))


# The report's own present (现在, 目前): a figure after it is the report year's (一九五八年初有七十四万多个合作社，
# 现在已经合并改组成为二万四千多个人民公社).
PRESENT_RE = re.compile(r"现在|目前|如今|现已")


def present_after_year(sentence: str) -> bool:
    """Whether the sentence turns to the report's present after naming a year (一九五八年初…，现在…)."""
    norm = aligned_search_text(sentence)
    first = YEAR_RE.search(norm)
    return first is not None and PRESENT_RE.search(norm, first.end()) is not None


def figure_years(sentence: str, report_year: int | None = None) -> tuple[int, ...]:
    """The years a sentence's figures are stated for, each figure taking the last year named before it (not a
    baseline after 比/较/同/与/从/由): 1956年的工业总产值达到了五百八十六亿元，超过了…1957年的指标 → (1956,).
    Given the report's year, 现在/目前 name it too. Empty when no figure follows a year."""
    norm = aligned_search_text(sentence)
    mentions = [(m.start(), year_value(m.group(1))) for m in YEAR_RE.finditer(norm)
                if not baseline_year(norm, m.start(), m.end())]
    if report_year is not None:
        mentions = sorted(mentions + [(m.start(), report_year) for m in PRESENT_RE.finditer(norm)])
    years: set[int] = set()
    for figure in VALUE_UNIT_RE.finditer(norm):
        if figure.group("unit") or figure.group("pnum") or figure.group("cunit"):
            before = [year for position, year in mentions if position < figure.start()]
            if before:
                years.add(before[-1])
    return tuple(sorted(years))


def named_years(text: str, report_year: int | None) -> tuple[int, ...]:
    """The single years a chunk's sentences state figures for (:func:`sentence_years`), leaving out sentences
    about spans (年均, 五年) but for the levels they state (从一九八○年至一九八五年，…增加到四千六百六十六万吨: 1985)."""
    years: set[int] = set()
    for sentence in SENTENCE_END.split(text):
        norm = aligned_search_text(sentence)
        if sentence.strip() and not MULTI_RE.search(norm):  # a span's sentence names the years of its levels
            years.update(span_levels(sentence) if RANGE_RE.search(norm) else sentence_years(sentence, report_year))
    return tuple(sorted(years))


NEXT_YEAR_WORD = "明年"
LATE_EVIDENCE = 3  # 明年, or the next year by number, this often in one report: it plans the next year


def plans_next_year(report_year: int | None, text: str) -> bool:
    """A report delivered late in its year (1964's in December, 1980–1982's in the autumn) reviews its own year
    and plans the next: it says 明年 often, or names the next year at least as often as the one before (到2020年
    is a deadline, not the year planned). Reports of the spring session say 明年 at most once."""
    if report_year is None:
        return False
    counts = {report_year - 1: 0, report_year + 1: 0}
    for match in YEAR_RE.finditer(text):
        year = year_value(match.group(1))
        if year in counts and text[max(0, match.start() - 1):match.start()] not in ("到", "至"):
            counts[year] += 1
    after, before = counts[report_year + 1], counts[report_year - 1]
    return text.count(NEXT_YEAR_WORD) >= LATE_EVIDENCE or (after >= LATE_EVIDENCE and after >= before)


def report_times(report_year: int | None, chunks: Sequence[tuple[Sequence[str], str]]) -> list[ChunkTime]:
    """The time of every chunk of one report, given as (section path, text) in report order. A paragraph that
    opens a five-year review or plan (过去五年…, 今后五年…) sets the time of the paragraphs after it in the same
    top section until one opens with another time (过去一年…, 今年…)."""
    hints = section_parts(report_year, chunks)
    times: list[ChunkTime] = []
    carried: tuple[str | None, int | None] = (None, None)
    carried_top: str | None = None
    for path, text in chunks:
        top = path[0] if path else ""
        if top != carried_top:
            carried, carried_top = (None, None), top
        lead = lead_part(text, report_year)
        if lead[0] is not None:
            carried = lead if lead[0] in ("multi-review", "multi-plan") else (None, None)
        when = _time_from(lead, path, report_year, hints.get(top, (None, None)), carried, _opens_with_a_year(text))
        times.append(ChunkTime(when.kind, when.years, named_years(text, report_year)))
    return times


def late_time(when: ChunkTime, report_year: int | None) -> ChunkTime:
    """A paragraph of a report delivered late in its year (:func:`plans_next_year`): its review speaks about that
    year too (the 1980 report reviews 1979 and 1980 so far), its plan about the next one too (the December 1964
    report plans 1965). For checking a sentence's year only: as a retrieval prior, a whole report speaking about
    two years would no longer tell its paragraphs apart."""
    if report_year is None or when.kind not in ("review", "plan") or when.years not in ((report_year - 1,),
                                                                                        (report_year,)):
        return when
    years = (report_year - 1, report_year) if when.kind == "review" else (report_year, report_year + 1)
    return ChunkTime(when.kind, years, when.named)
