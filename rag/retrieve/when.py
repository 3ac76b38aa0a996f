"""The time a question asks about, and whether the library can answer for it.

A library holds many years of the same place, and the year decides which paragraph is right. A report of year Y
reviews Y−1 (工作回顾) and plans Y (主要预期目标), so a question about a year's *result* is answered by the next year's report
and one about a *target* by that year's own. No report covers the asked year: say so, listing the years it has.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from rag.core.models import Report
from rag.core.textnorm import to_simplified
from rag.core.timeframe import FIVE_YEARS, RELATIVE_OFFSETS
from rag.core.years import (
    ARABIC_YEAR,
    CN_YEAR,
    PLAN_PERIOD,
    PLAN_PERIOD_ENDS,
    RANGE_RE,
    YEAR_RE,
    expand_short_ranges,
    listed_years,
    names_horizon,
    plan_periods,
    year_value,
)
from rag.retrieve.figures import ordinal_value
from rag.retrieve.year_names import without_year_appositive

Intent = Literal["result", "target", "multi-year", "unknown"]

# "the 2024 government work report", "2024年政府工作报告", "2024年的报告", "2024年報告"
_NAMED_REPORT_ZH = re.compile(rf"({ARABIC_YEAR}|{CN_YEAR})\s*年\s*(?:底|末|初)?(?:[^，,。？?；;、：:“”\d]{{0,16}}?的)?\s*"
                              r"(?:那份|这份|那篇|这篇)?\s*(?:国务院)?\s*(?:政府工作)?报告")  # 1960年关于…纲要的报告
_NAMED_REPORT_EN = re.compile(rf"\b({ARABIC_YEAR})\s+(?:government\s+)?(?:work\s+)?report\b"
                              rf"|\b(?:the|its|a|this|that|work|government)\s+report\s+(?:of|for|delivered in|from)\s+({ARABIC_YEAR})\b"
                              # "the ten-year plan laid out in 1978": the report that laid it out
                              r"|\b(?:plan|programme|program|blueprint|budget)\s+(?:was\s+)?(?:laid out|unveiled|announced|"
                              rf"presented|outlined|drawn up|put forward|released|adopted)\s+(?:(?:to|before)\s+(?:the\s+)?(?:national\s+people['’]s\s+congress|npc)\s+)?in\s+({ARABIC_YEAR})\b", re.I)
_EN_YEAR = re.compile(rf"\b({ARABIC_YEAR})\b")
# Words of a span of years or a far horizon: the question is not about one year.
_MULTI_YEAR = re.compile(r"(?<![〇零一二三四五六七八九\d])五年|年均|平均每年|十[一二三四五]?五|规划期|到\s*(?:19|20)\d{2}\s*年|(?<!截)至\s*(?:19|20)\d{2}\s*年|"
                         r"历年|逐年|五年计划|十年(?:规划|计划)|five-year|ten-year|per year on average|annual average|"
                         r"by (?:19|20)\d{2}\b|(?:past|previous|last|preceding|these|those|next|coming) (?:five|5) years|"
                         r"between (?:19|20)\d{2} and|from (?:19|20)\d{2} to|(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}",
                         re.I)
# 安排了 is often a result (安排就业); a budget's, deficit's or bond's 安排 is that year's plan (赤字规模安排了多少; 安排…债
# in 14 of the national reports' 16), so is the state budget (按1954年国家预算), not its execution nor 一般公共预算收入
_TARGET = re.compile(r"目标|预期(?!寿命)|拟|计划|安排(?!了)|(?:预算|赤字|债)[^，,。？?]{0,10}安排|安排了[^，,。？?]{0,10}(?:预算|赤字|债)|"
                     r"(?:\d{4}\s*年的?|国家)预算(?![^，,。？?]{0,12}(?:执行|完成|结果|结余|实际|决算))|力争|争取|提出|要求|打算|定为|定了|定下|原定|给[^，,。？?]{1,12}定的|设定|确定为|要控制|控制目标|任务|"
                     r"(?<!主)要(?:把|保持|完成|实现|达到|降低|下降|增长|提高|减少|新增|增加|建成|改造)|\btarget|\bgoals?\b|\baim(?:s|ed|ing)?\b|\bceilings?\b|\bcap(?:s|ped)?\b|\bpencil(?:l?ed)? in\b|\bplan(?:s|ned|ning)?\b|set for|\bexpect(?!anc)|quota|\bwill\b|going to|"
                     r"supposed to|\b(?:was|were) to (?!(?:19|20)\d\d)(?=[a-z])|\bhop(?:e|ed|ing) to\b|intend|set aside|earmark|allocat|budget(?:ed|s)? for|pledge|promis|vow|propos", re.I)
_RESULT = re.compile(r"完成|实现|增长了|达到|达|实际|多少|几|"
                     r"grew|was|were|reached|achieved|actual|did .* (?:grow|rise|fall|reach|run)|\bran\b|how (?:much|many)",
                     re.I)
# What happened, even when a target is named too: "实际增长多少", "有没有完成目标", "was the target met".
# (not 实际/actual alone, nor "actually used": 实际利用外资, "foreign capital actually used" is an indicator's name)
_STRONG_RESULT = re.compile(r"实际(?:增长|完成|执行|实现|达到|降到|上涨|涨(?!幅)|下降|降(?!幅))|实际上|有没有完成|是否完成|完成了吗|完成得|"
                            r"完成[^，,。？?]{0,8}?情况|执行情况|"
                            r"达到了吗|实现了吗|actually(?! (?:utili[sz]|us(?:e|ed|ing)\b))|achieved|"
                            r"(?:was|were) (?:the|this|that|its) (?:\w+ )?(?:target|goal)s? (?:met|achieved|reached)|"
                            r"\bmet\b|fulfil|\b(?:held|kept)\s+(?:under|below|within)\b", re.I)
_EARLY_IN_YEAR = re.compile(r"(?:19|20)\d{2}\s*年\s*(?:1|一|元|2|二)\s*月|\b(?:january|february) (?:1st |1 )?(?:of )?(?:19|20)\d{2}\b|"
                            r"\b1 january (?:19|20)\d{2}\b", re.I)
_EN_RANGE = re.compile(rf"\b{ARABIC_YEAR}\s*(?:[-–—~]|to|through|until)\s*{ARABIC_YEAR}\b", re.I)
_SEVERAL = re.compile(r"分别|各是|respectively|each year", re.I)
# Years relative to a named report: its 去年 is the year it reviews, its 今年 the year it plans.
# 去年 as the year asked; 比上年 / 较去年 is the baseline a change is measured against, not a year asked about
_LAST_YEAR = re.compile(r"(?<![比较])(?:去年|上年|上一年|前一年)|(?<!than )(?<!with )(?<!over )(?<!from )(?:last year|previous year|the year before)", re.I)
_FIVE_YEARS = re.compile(r"(?<![〇零一二三四五六七八九十\d])五年(?!计划|规划)|\b(?:five|5) years\b", re.I)
_FORWARD = re.compile(r"今后|未来|接下来|以后|\bnext\b|\bcoming\b|\bahead\b|\bfollowing\b", re.I)
_NEXT_YEAR = re.compile(r"明年|第二年|次年|下一年|来年|\bnext year\b|\bthe following year\b|\bthe year after\b", re.I)
COMPARED_WITH_TARGET = r"\bcompar\w* (?:with|to|against) (?:the |its |that )?(?:target|goal)|与(?:预期)?目标相比|比(?:预期)?目标"
_OUTCOME = re.compile(r"实际|回落到|降到|降至|升到|完成了|实现了|达到了|增长了|\bactually\b(?! (?:utili[sz]|us(?:e|ed|ing)\b))|\bturn(?:ed|s)? out\b|\bend(?:ed)? up\b|"
                      r"\bdid (?:(?!to\b|expect|aim|plan|target|want|intend|hope)\w+[\s']+){0,4}(?:grow|rise|fall|expand|increase|drop)\b|\b(?:hit|miss(?:ed)?) (?:the |its )?(?:\w+ )?(?:target|goal)|\bf[ae]ll short\b|"
                      rf"{COMPARED_WITH_TARGET}", re.I)  # what happened, asked beside a target
_SAME_YEAR = re.compile(r"当年|今年|本年|同年|that year|the same year|this year", re.I)
_EN_PLAN = re.compile(r"\b([a-z0-9]+)\s+five-year plans?(?:\s+period)?", re.I)  # the 13th / Sixth Five-Year Plan
_PLAN_NAME = re.compile(  # a plan period's name says which years, not that a target is asked ("during the Sixth …")
    r"five-year plans?|五年(?:计划|规划)|(?:十[一二三四五]?|[一二三四六七八九])五(?:计划|规划)", re.I)
_REVIEW_DISTANCE = 1  # a year's results are reviewed in the next year's report


# Words that only say when: of the named report (当年, 今年, 去年 …) or of the calendar.
# Spans of years too (回顾过去五年, 这五年, 五年来, 今后五年): the report part they name, not a topic.
_TIME_WORDS = re.compile(r"当年|今年|去年|上年|上一年|明年|本年|那一年|这一年|那年|同年|当时|"
                         r"(?:回顾)?(?:过去|这|今后|未来)的?[一二三四五六七八九十两几]+年(?:来|间|中|时)?|"
                         r"(?:(?<=[五”\"’])|(?<=计划|规划))(?:时期|期间)|"  # “十四五”时期: a plan period, said when
                         r"(?<![〇零一二三四五六七八九十\d])[一二三四五六七八九十两几]+年(?:来|间)")


def without_plan_names(text: str) -> str:
    """An English question without the plan periods it names ("the Seventh Five-Year Plan (1986-1990)") and
    the phrases that rename its year (rag/retrieve/year_names.py): like a year they say when, which the time
    model reads; translated, 五年计划 would match every plan paragraph."""
    return _EN_PLAN.sub(lambda m: " " if ordinal_value(m.group(1)) else m.group(0), without_year_appositive(text))


def without_time_phrases(text: str) -> str:
    """The question without what says *when* (a named report "2019年政府工作报告", years, 当年, 去年 …): what
    is left says what it is about (the answer engine's topic words)."""
    text = _NAMED_REPORT_ZH.sub(" ", without_year_appositive(text))
    text = YEAR_RE.sub(" ", text)
    return _TIME_WORDS.sub(" ", text)


def names_aim(text: str) -> bool:
    """Whether a question says itself whether it asks for a target (计划, 安排) or what happened (实际, 结果)."""
    text = to_simplified(text)
    return bool(_TARGET.search(text) or _STRONG_RESULT.search(text) or _OUTCOME.search(text)
                or re.search(r"实际|结果|actual", text, re.I))


def aim_word(text: str) -> str | None:
    """The word that makes a question ask for a target (安排 of 第一个五年计划安排的基本建设投资), if any."""
    match = _TARGET.search(_PLAN_NAME.sub(" ", to_simplified(text)))
    return match.group(0) if match else None


def time_phrases(text: str) -> list[str]:
    """What says *when* in a question, as written and in order: a named report, years, 当年/去年 …, a plan
    period (the longest phrase where they overlap). A later part of a two-part question that names no time is
    asked with these."""
    matches = sorted((m.span() for pattern in (_NAMED_REPORT_ZH, YEAR_RE, _TIME_WORDS, _PLAN_PERIOD_ZH, _EN_TIME)
                      for m in pattern.finditer(text)), key=lambda span: (span[0], -span[1]))
    found: list[tuple[int, int]] = []
    for start, end in matches:
        if not found or start >= found[-1][1]:
            found.append((start, end))
    return [text[s:e] for s, e in found]


_PLAN_PERIOD_ZH = re.compile(r"[“\"]?十[一二三四五]?五[”\"]?(?:规划|计划|时期|期间)?|第[一二三四五六七八九十]+个五年(?:规划|计划)")
_EN_TIME = re.compile(rf"\b(?:(?:in|from|by) )?the {ARABIC_YEAR} (?:government )?(?:work )?report\b|"
                      r"\b(?:(?:under|during|in|for) )?the [a-z0-9]+ five-year plan(?: period)?\b|"
                      rf"\b(?:in|for|during|by) (?:the )?(?:year )?{ARABIC_YEAR}\b|\b{ARABIC_YEAR}\b", re.I)


@dataclass(frozen=True)
class QuestionTime:
    """Years a question names and what it wants of them."""

    years: tuple[int, ...] = ()  # every explicit year, in order
    named_report: int | None = None  # "the 2024 report": answer from that report only
    intent: Intent = "unknown"
    spans: bool = False  # a range, a five-year plan, "到2035年": not about one year
    periods: tuple[int, ...] = field(default_factory=tuple)  # plan periods by last year (十四五 → 2025)
    aim: Intent = "unknown"  # result or target, also for questions about several years (a table of targets)
    averaged: bool = False  # 年均, 五年, 累计: one figure for the whole span, not one per year
    said_year: bool = False  # 当年/今年 of a named report: the report's own year is asked, not any it speaks of
    five_years: int = 0  # 过去五年 (−1) / 今后五年 (+1) with one year named: the five years up to / from it
    baselines: tuple[int, ...] = ()  # 1953年…比1952年增加了多少: 1952 is what the change is measured against
    estimate: bool = False  # "expected" alone: a plan, or the next report's estimate of the year just ended (预计)
    period_end: bool = False  # "by the end of the 12th Five-Year Plan in 2015", 十二五末: the level its last year reached

    @property
    def compared(self) -> int | None:
        """The one year a change is asked for when the others are its baselines (1953 of 1953年…比1952年)."""
        rest = set(self.years) - set(self.baselines)
        return rest.pop() if self.baselines and len(rest) == 1 and not self.spans else None

    @property
    def per_year(self) -> bool:
        """Several explicit years, each asked for its own figure (2016—2019年…分别, "the 2016, 2017 and 2018
        reports"): each year's own report answers for it."""
        return (self.single_year is None and len(set(self.years)) >= 2 and not self.averaged and not self.periods
                and self.compared is None)

    @property
    def horizon(self) -> int | None:
        """The last year of the plan period a multi-year question names (六五计划 → 1985)."""
        return self.periods[-1] if self.periods else None

    @property
    def asked_years(self) -> frozenset[int]:
        """Every year the question asks about: its one year, the years of a span (2016—2019年 → 2016…2019) or of
        the plan periods it names (六五 → 1981…1985); empty when it names none."""
        if self.named_report is not None and self.intent == "multi-year" and self.aim == "result" and \
                not self.periods and set(self.years) == {self.named_report}:
            # 2023年政府工作报告回顾过去五年…: the year is the report's; the figures are its review's five years
            return frozenset(range(self.named_report - FIVE_YEARS, self.named_report))
        if self.single_year is not None:
            return frozenset({self.single_year})
        if self.period_end:
            return frozenset({self.periods[-1]})
        if self.compared is not None:
            return frozenset({self.compared})
        if self.five_years and len(set(self.years)) == 1 and not self.periods and self.named_report is None:
            year = self.years[0]  # "GDP in 2000 and its average growth over the previous five years": 1996–2000
            return frozenset(range(year - FIVE_YEARS + 1, year + 1) if self.five_years < 0 else
                             range(year, year + FIVE_YEARS))
        years: set[int] = set()
        if len(set(self.years)) >= 2 and self.spans:
            years.update(range(min(self.years), max(self.years) + 1))
        else:
            years.update(self.years)
        for end in self.periods:
            years.update(range(end - 4, end + 1))
        return frozenset(years)

    @property
    def only_the_report(self) -> bool:
        """The one year named is the named report's ("1983年政府工作报告提到…", no other year, no 去年): that
        report states figures for its review, its plan, a five-year span or 本世纪末, and any of them may be
        what is asked, so a sentence's year ranks answers rather than ruling them out."""
        return (self.named_report is not None and set(self.years) == {self.named_report} and not self.said_year
                and self.asked_years == {self.named_report})  # not "回顾过去五年": that asks for the review's years

    @property
    def single_year(self) -> int | None:
        distinct = set(self.years)
        return self.years[0] if len(distinct) == 1 and not self.spans else None


def question_time(text: str) -> QuestionTime:
    """Explicit years (2022年, 二〇二二年, "in 2022"), a named report, ranges and plan periods, and the intent."""
    text = expand_short_ranges(to_simplified(text))  # one set of cue words for both scripts; 1953–57 is a span
    years = [year_value(m.group(1)) for m in YEAR_RE.finditer(text)]
    # a range's first year written without 年 (1949到1952年)
    years += [y for m in RANGE_RE.finditer(text) for g in m.groups() if g and (y := year_value(g)) not in years]
    years += [y for y in listed_years(text) if y not in years]  # 2019、2020、2021和2022年
    compared = [int(y) for y in _EN_BASELINE_YEAR.findall(text)]
    years += [int(y) for y in _EN_YEAR.findall(text)]
    if compared and set(years) - set(compared):
        years = [y for y in years if y not in compared]  # "in 1958 compared with 1957": about 1958
    named = None
    match = _NAMED_REPORT_ZH.search(text)
    if match and re.search(r"[—–\-－~～到至、和与及,，]\s*$", text[:match.start()]):
        match = None  # 2016—2019年政府工作报告: the end of a span of reports, not one report
    if match:
        named = year_value(match.group(1))
    else:
        match = _NAMED_REPORT_EN.search(text)
        if match:
            named = int(next(group for group in match.groups() if group))
    # 当年 of a named report, or its year written again (按1954年报告的说法，1954年预计…): that year is asked
    said_year = named is not None and (bool(_SAME_YEAR.search(text)) or years.count(named) >= 2)
    if named is not None and set(years) <= {named} and _NEXT_YEAR.search(text):
        years = [named + 1]  # "1964年底的报告…第二年": what the report plans for the year after its own
    elif named is not None and set(years) <= {named} and _LAST_YEAR.search(text):
        if said_year:  # "从去年的…提高到今年的…": both years, as the named report states them side by side
            years, said_year = [named], False
        else:
            years = [named - 1]  # "the 2023 report says last year …": about 2022, from the 2023 report
    elif said_year and len(set(years) - {named}) == 1:
        if not any(names_horizon(text, y) for y in years):  # 当年…到1985年又要降到多少: both years are asked
            years = [named]  # "1954年报告预计当年…相当于1949年的几倍": about 1954; 1949 is the baseline
    elif named is not None and len(set(years) - {named}) == 1 and not RANGE_RE.search(text):
        years = [y for y in years if y != named]  # "the 1958 report's estimate for 1957": about 1957
    elif named is not None and len(set(years) - {named}) >= 2 and years.count(named) == 1 and (
            RANGE_RE.search(text) or _EN_RANGE.search(text)):
        years = [y for y in years if y != named]  # "the 2018 report … the 2013-2017 term": about those five years
    named_periods = without_year_appositive(text)  # "in 1957, the last year of the first five-year plan": 1957
    spans = bool(RANGE_RE.search(text) or _MULTI_YEAR.search(named_periods)
                 or (_SEVERAL.search(text) and len(set(years)) >= 2))
    periods = tuple(dict.fromkeys(
        [PLAN_PERIOD[p] for p in re.findall(r"十[一二三四五]?五", named_periods) if p in PLAN_PERIOD]
        + plan_periods(named_periods) + [PLAN_PERIOD_ENDS[n - 1] for word in _EN_PLAN.findall(named_periods)
           if (n := ordinal_value(word) or 0) and n <= len(PLAN_PERIOD_ENDS)]))
    aim: Intent = "unknown"
    estimate = False
    asked = _PLAN_NAME.sub(" ", text)
    if _STRONG_RESULT.search(asked):
        aim = "result"
    elif _TARGET.search(asked):
        # 调控目标是多少？实际涨幅回落到多少？ asks both: the target's report and the one reviewing the year answer
        estimate = {m.group(0).lower() for m in _TARGET.finditer(asked)} <= {"expect"}
        aim = "unknown" if _OUTCOME.search(asked) else "target"
    elif _RESULT.search(asked):
        aim = "result"
    if aim == "result" and _EARLY_IN_YEAR.search(text):
        aim = "unknown"  # 从2002年1月1日起: already in force when that year's report was delivered in March
    intent: Intent = "multi-year" if spans or periods else aim
    # "average income in 2004, 2005 and 2006": three years listed one by one ask for each one's figure
    averaged = bool(_AVERAGED.search(text)) and not (len(set(years)) >= 3 and not RANGE_RE.search(text))
    five_years = 0
    if _FIVE_YEARS.search(text):
        five_years = 1 if _FORWARD.search(text) else -1
    baselines = tuple(year_value(m.group(1)) for m in YEAR_RE.finditer(text) if _ZH_BASELINE.search(text, 0, m.start()))
    period_end = (bool(periods) and set(years) - set(baselines) <= {periods[-1]} and not _AVERAGED.search(asked) and not RANGE_RE.search(text)
                  and (bool(_PERIOD_END.search(text)) or bool(years and (compared or baselines))))  # 1957 vs 1952
    return QuestionTime(tuple(dict.fromkeys(years)), named, intent, spans or bool(periods), periods, aim, averaged,
                        said_year, five_years, baselines, aim == "target" and estimate, period_end)


# "by the end of the 12th Five-Year Plan", “十二五”末, 收官之年: the period's last year, not the whole span
_PERIOD_END = re.compile(r"\b(?:by|at|until|as of|toward) the (?:end|close|conclusion) of\b|(?<!周)末|收官", re.I)


_AVERAGED = re.compile(r"(?<![〇零一二三四五六七八九])五年|年均|平均|累计|合计|总共|一共|年间|期间|"
                       r"average|total|cumulative|in all", re.I)
# "compared with 1957", "than in 2019": the year a figure is measured against, not the one asked about
_ZH_BASELINE = re.compile(r"(?:比|较)\s*$")  # 比1952年: what a change is measured against
_EN_BASELINE_YEAR = re.compile(rf"\b(?:compared (?:with|to)|compar(?:ed|es|ing) (?:19|20)\d\d (?:with|to)|than(?: in)?|versus|vs\.?|against|relative to|"
                               rf"(?:exceed(?:ed|s|ing)?|surpass(?:ed|es|ing)?|above|beyond|multiple of|"
                               rf"(?:rise|rose|risen|rising|grow|grew|grown|growth|increase[sd]?|up|gain(?:ed|s)?) (?:over|on))"
                               rf"(?: the| its)?)\s+({ARABIC_YEAR})\b(?!\s*(?:[-–—~]|to\b|through\b)\s*\d)", re.I)


_RELATIVE_TO_LATEST = re.compile(r"(?<![比较同与和从由])(今年|本年|去年|上年|明年)|\b(this|last|next) year\b", re.I)
_OFFSETS = {**RELATIVE_OFFSETS, "上年": -1, "this": 0, "last": -1, "next": 1}


def relative_to_latest(time: QuestionTime, text: str, latest: int | None) -> QuestionTime:
    """A question that names no year but says 今年/去年/明年 (this/last/next year) speaks from the latest report
    in scope: 今年 is that report's year, 去年 the year it reviews."""
    if time.years or time.named_report is not None or time.spans or latest is None:
        return time
    match = _RELATIVE_TO_LATEST.search(to_simplified(text))
    if not match:
        return time
    year = latest + _OFFSETS[(match.group(1) or match.group(2)).lower()]
    intent = time.intent
    if intent == "unknown":
        intent = "result" if year < latest else "target"
    return QuestionTime((year,), None, intent, False, (), intent)


def reports_for_time(time: QuestionTime) -> set[int] | None:
    """Report years that speak about what the question asks: :func:`reports_needed` for one year; for several
    years each asked for its own figure, every one of their reports (targets: the year's own, results: the
    next); None when the question is about no year or a whole span."""
    needed = reports_needed(time)
    if needed is None and time.compared is not None:  # 1953年…比1952年: the reports about 1953
        needed = reports_needed(replace(time, years=(time.compared,), baselines=()))
    if needed is not None or not time.per_year or time.aim == "unknown":
        return needed
    distance = _REVIEW_DISTANCE if time.aim == "result" else 0
    return {year + distance for year in time.asked_years}


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


def speaks_for(report: Report, time: QuestionTime, late: Collection[str]) -> set[int]:
    """The report years ``report`` answers for: its own, and the next one's when it was delivered late in its
    year (``late``: it reviews that year and plans the next, 1964's plans 1965) and the question asks one year
    without naming a report (a named report is that report, never a stand-in)."""
    if not report.year:
        return set()
    stands_in = report.report_id in late and time.single_year is not None and time.named_report is None
    return {report.year, report.year + 1} if stands_in else {report.year}


def missing_year(time: QuestionTime, reports: Iterable[Report], place: str = "",
                 late: Collection[str] = ()) -> MissingYear | None:
    """``MissingYear`` when no report in scope has a year the question needs (None when one has, or when the
    question is not about a single year, or the reports carry no years). A report in ``late`` (delivered late
    in its year: it reviews that year and plans the next) stands in for the next year's report as well."""
    needed = reports_needed(time)
    reports = list(reports)
    have = sorted({r.year for r in reports if r.year})
    if needed is None or not have or any(needed & speaks_for(r, time, late) for r in reports):
        return None
    asked = time.named_report if time.named_report is not None else time.single_year
    assert asked is not None
    nearest = tuple(sorted(have, key=lambda y: (abs(y - asked), y)))
    return MissingYear(asked, tuple(sorted(needed)), nearest, time.named_report is not None, place)
