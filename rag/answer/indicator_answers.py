"""Indicator questions answered from the ledger (no model): a standard indicator's figure for a year and a place,
stated as the report writes it and cited to its exact span.

Why a separate path: a ledger row knows its indicator, its kind (target or result), the year it refers to and its
place, so "2019年GDP增长目标" is answered by the one row that states it, not by passages that merely look alike,
and a figure of another year, kind or report is never given. Whatever the ledger cannot say (no indicator named,
no row of the asked year and kind, a period's average, a comparison of two years, an age group, a place no
report covers, one of two named indicators without its row) gives None, and text retrieval answers.

* one year: the row of that year and kind, from the report that speaks about it (its own for a target, the next
  one for a result; only the named report when the question names one; a named report's 明年 or a plan's far
  year, 到1985年, from the plan figures of earlier reports);
* several years (2016—2019年, 分别, "2016, 2017 and 2019", "from 2023 to 2025"): one cited line per year; a
  year without a row says so and is never filled from another year;
* was the target met (目标完成了吗): the year's target and result, paired by :func:`ledger_pairs.target_checks`.

Places: a question naming places is answered from their reports, one saying 全国/我国/China from the national
reports; otherwise every place with a row is given, national first, each labelled (an unlabelled figure could
be read as another place's). A place the library has no report of gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.answer.citations import Citation, neutralize_markers
from rag.answer.cues import RANK_ASK
from rag.answer.injection import looks_like_instruction
from rag.answer.ledger_statements import statement_end
from rag.answer.records import Answer, in_script, reply_language
from rag.core.age_groups import age_groups
from rag.core.models import Report
from rag.core.numbers import convert
from rag.core.textnorm import aligned_search_text
from rag.core.tokens import tagged_words
from rag.core.years import ARABIC_YEAR, CN_YEAR, year_value
from rag.index.store import ReportStore
from rag.reports.indicators import Indicator, load_table, question_indicators
from rag.reports.ledger import LedgerRow, query_ledger
from rag.reports.ledger_pairs import target_checks
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.places import gazetteer_by_pinyin, short_place_name, speaks_for, tagged_place
from rag.retrieve.plan import QueryPlan
from rag.retrieve.when import COMPARED_WITH_TARGET

ENGINE = "ledger"
MAX_INDICATORS = 3
MAX_SPAN = 12  # years in one table

# -- what the question asks (matched on the Simplified, lower-case question) ------------------------------
CHECK_RE = re.compile(r"完成了?吗|有没有完成|是否完成|完成(?:得)?(?:怎么样|如何|情况)|(?:完成|实现|达到)了?(?:预期)?目标(?:了)?(?:吗|没有)?|"
                      r"目标(?:完成|实现|达到)了?(?:吗|没有)|\b(?:met|meet|achieve[ds]?|hit|miss(?:ed)?|exceed(?:ed)?|"
                      r"f[ae]ll short of)\b.{0,24}\b(?:target|goal)|\b(?:target|goal)s?\b.{0,24}\b(?:met|achieved|"
                      rf"reached|missed|exceeded|fulfill?ed)\b|{COMPARED_WITH_TARGET}")
TARGET_RE = re.compile(r"目标|预期|计划|拟|安排|力争|要求|定为|定的|设定|确定|提出|打算|控制在|要控制|规定|"
                       r"\b(?:target\w*|goals?|(?<!five-year )plan(?:s|ned)?|set|quotas?|aim\w*|allocat\w*|intend\w*|projected|supposed|meant)\b")
RESULT_RE = re.compile(r"实际|执行|完成了|实现了|增长了|增加了|达到了|降到了|降至|上涨了|下降了|回落到|增产|"
                       r"\b(?:actual\w*|achieved|grew|created|added|produced|harvested)\b")
WEAK_RESULT_RE = re.compile(r"多少|几|达到|\b(?:was|were|did|how (?:much|many|fast|large|big))\b")
AVERAGE_RE = re.compile(r"年均|平均每年|每年平均|累计|五年来|年间|期间|这五年|过去五年|\baverage\b|\bper year\b|\bcumulative")
NOT_A_FIGURE_RE = re.compile(r"措施|举措|政策|办法|为什么|原因|意义|哪些|怎么(?:做|办)|占.{0,8}(?:比重|比例)|"
                             r"\bwhy\b|\bmeasures?\b|\bpolic(?:y|ies)\b|\bsteps\b|\bshare of\b|"
                             r"\bhow (?:will|can|should|does|do)\b")
TABLE_RE = re.compile(r"分别|每年|历年|逐年|各年|各是|\beach\b|\bevery\b|\blist\b|\bchange[ds]?\b|\brespectively\b|"
                      r"\bfrom (?:19|20)\d\d (?:to|through|until)\b|\bbetween (?:19|20)\d\d and\b")
REPORT_RE = re.compile(r"报告|\breports?\b")
YEAR_LIST_RE = re.compile(rf"{ARABIC_YEAR}\s*年?\s*(?:和|与|及|、|,|，|\band\b)\s*{ARABIC_YEAR}")  # 2022年和2023年
HORIZON_RE = re.compile(r"到\s*(?:19|20)\d\d\s*年|\bby (?:19|20)\d\d\b|计划|规划|\bplan\b")
NEXT_YEAR_RE = re.compile(r"明年|下一年|\bnext year\b|\bthe following year\b")
GROWTH_ASK = re.compile(r"增长|增速|增幅|涨幅|上涨|下降|\bgr[eo]w\w*|\bfast\b|\brate\b|\bpercent")
VALUE_ASK = re.compile(r"规模|总量|多少亿|多少万|多少元|多少美元|多少人|多少吨|多少斤|产量|总额|总值是|达到多少|\bhow (?:large|big)\b|"
                       r"\boutput\b|\bsize\b|\btotal\b|\bin yuan\b|\bjobs\b")
# "how much grain … by 1957" asks the amount, not its growth, unless a change is named (how much did it increase)
AMOUNT_ASK = re.compile(r"多少|\bhow (?:much|many)\b")
CHANGE_ASK = re.compile(r"增加|减少|提高|降低|比上年|翻番|\b(?:increas|decreas|ris|rose|fell|fall|declin|drop|jump|climb|expand|"
                        r"shr[iu]nk|cut|more|less|up|down)\w*")
NATIONAL_RE = re.compile(r"全国|我国|中国|国内|\bchina\b|\bchinese\b|\bnational\b|\bnationwide\b|\bthe country\b")
_Y = rf"({ARABIC_YEAR}|{CN_YEAR})"
SPAN_RE = re.compile(rf"{_Y}\s*年?\s*(?:到|至|—|–|-|－|~|～)\s*{_Y}\s*年|\b(?:from|between)\s+({ARABIC_YEAR})\s+"
                     rf"(?:to|and|through|until)\s+({ARABIC_YEAR})\b|\b({ARABIC_YEAR})\s*[-–—]\s*({ARABIC_YEAR})\b")
# A statement goes on after its figures while the next comma pieces still state figures (比上年增加5500亿元).
# "Economic growth" was reported as GNP before GDP was (1992年国民生产总值增长百分之六).
GENERIC_GROWTH_FALLBACK = {"地区生产总值": "国民生产总值"}
NAMES_GDP_RE = re.compile(r"gdp|生产总值|gross domestic")
BASELINE_LAST_YEAR_RE = re.compile(r"(?<![比较])(?:去年|上年|上一年|前一年)|\blast year\b|\bprevious year\b")
KIND_ZH = {"target": "目标", "actual": "实际", "multi-year": "规划目标"}
KIND_EN = {"target": "target", "actual": "result", "multi-year": "plan target"}


@dataclass(frozen=True)
class _Ask:
    years: tuple[int, ...]  # the years the figures refer to
    kinds: tuple[str, ...]  # ledger kinds wanted, in the order shown
    check: bool = False  # was the target met
    report: int | None = None  # only this report (a named report)
    table: bool = False  # one line per year
    by_report: bool = False  # the table's years name reports: a result is then the year before
    measure: str | None = None  # growth | value: the figure the question asks for
    since: int | None = None  # plan figures only from reports of this year on (the plan period the question names)


def indicator_answer(plan: QueryPlan, question: str, standalone: str, store: ReportStore,
                     reports: list[Report]) -> Answer | None:
    """The ledger's answer to a question about a standard indicator, or None when the ledger cannot give one
    (see the module docstring); ``reports`` are the reports the question may be answered from."""
    text = standalone or question
    norm = aligned_search_text(text)
    if NOT_A_FIGURE_RE.search(norm) or looks_like_instruction(question) or looks_like_instruction(text) or \
            age_groups(text):  # an instruction is refused by the pipeline; a row is no age group's figure
        return None
    indicators = question_indicators(text)
    ask = _read_ask(plan, norm) if indicators and len(indicators) <= MAX_INDICATORS else None
    scope = _scope(plan, norm, reports) if ask is not None else None
    if ask is None or not scope:
        return None
    by_id = {r.report_id: r for r in scope}
    if ask.report is not None and ask.report not in {r.year for r in scope}:
        return None
    names = [i.name for i in indicators]
    fallback = {} if NAMES_GDP_RE.search(norm) else {n: GENERIC_GROWTH_FALLBACK[n] for n in names
                                                      if n in GENERIC_GROWTH_FALLBACK}
    rows = [r for r in query_ledger(store.conn, indicators=names + list(fallback.values())) if r.report_id in by_id
            and _same_level(norm, r.quote)]
    if len(indicators) > 1:
        ask = _Ask(ask.years, ask.kinds, ask.check, ask.report, ask.table, ask.by_report)  # growth of one, level of another
    language = reply_language(plan)
    lines: list[tuple[str, list[LedgerRow]]] = []  # (line template with {n} slots, rows cited in order)
    for indicator in indicators:
        alternative = load_table().get(fallback[indicator.name]) if indicator.name in fallback else None
        if ask.table:
            lines.extend(_table_lines(rows, indicator, ask, scope, language, alternative))
        else:
            found = _select(rows, indicator, ask.years[0], ask, scope)
            if not found and alternative is not None:
                found = _select(rows, alternative, ask.years[0], ask, scope)
            own = ask.years[0] + (0 if ask.kinds == ("target",) else 1)  # the report that would state it
            unstated = (ask.check and {kind for kind, _ in found} == {"target"}) or (len(indicators) > 1 and not found)
            if unstated and own in {r.year for r in scope}:
                return None  # a figure asked for is no row (转为下降1.2%): the report's text answers the whole question
            lines.extend(_year_lines(found, indicator, ask, language))
    holes = ask.table and any(y + (ask.kinds[0] == "actual") not in {r.year for r in scope} for y in ask.years)
    if sum(bool(cited) for _, cited in lines) < 1 + holes:
        return None  # nothing found; a table of one year, the others' reports missing (the text may give the span)
    return _compose(plan, question, standalone, store, by_id, lines, language)


# -- reading the question ------------------------------------------------------------------------------------
def _read_ask(plan: QueryPlan, norm: str) -> _Ask | None:
    if AVERAGE_RE.search(norm) or RANK_ASK.search(norm):
        return None  # a period's average or total is not one year's row; a rank (排第几位) is the text's
    time = plan.time
    check = CHECK_RE.search(norm) is not None
    target, strong = TARGET_RE.search(norm) is not None, RESULT_RE.search(norm) is not None
    if check or (target and strong):
        kinds: tuple[str, ...] = ("target", "actual")
    elif target:
        kinds = ("target",)
    elif strong or WEAK_RESULT_RE.search(norm):
        kinds = ("actual",)
    else:
        kinds = {"result": ("actual",), "target": ("target",)}.get(time.intent, ("target", "actual"))
    measure = _measure(norm)
    years = _years(norm, time.years)
    if len(years) >= 2 and (TABLE_RE.search(norm) or SPAN_RE.search(norm) or YEAR_LIST_RE.search(norm)
                            or len(years) >= 3):
        kinds = ("actual",) if len(kinds) > 1 and not (check or target) else kinds  # "grain output 2021–2024"
        if check or len(kinds) != 1 or len(years) > MAX_SPAN or (time.periods and not TABLE_RE.search(norm)):
            return None  # a plan period's years ("the 12th Five-Year Plan (2011-2015)"): its own figure, the text's
        return _Ask(tuple(years), kinds, table=True, by_report=REPORT_RE.search(norm) is not None, measure=measure)
    named = time.named_report
    if named is not None and time.five_years:
        return None  # "the 2018 report … over the previous five years": a span's figure, not a row of one year
    if named is not None:
        others = set(time.years) - {named}
        if others == {named - 1} and f"{named - 1}" not in norm and not BASELINE_LAST_YEAR_RE.search(norm):
            others = set()  # 比上年增加了多少 is the named report's own figure against last year's, not last year's
        if len(others) > 1:
            return None
        year = others.pop() if others else named + 1 if NEXT_YEAR_RE.search(norm) else named
        if year < named:
            kinds = ("actual",)
        elif year > named:
            kinds = ("target", "multi-year")
        elif not target:  # a report's figures for its own year are plans or early estimates (预计)
            kinds = ("target", "actual")
        return _Ask((year,), kinds, check, named, measure=measure)
    if len(set(time.years)) != 1:
        return None  # no year, or a comparison of two years (比2018年高出多少)
    if time.spans:  # 六五计划要求到1985年…: the plan figure earlier reports set for that year
        if "target" not in kinds or not HORIZON_RE.search(norm):
            return None
        period = next((end for end in time.periods if end == time.years[0]), None)  # 六五计划…到1985年
        return _Ask((time.years[0],), ("multi-year",), measure=measure, since=period - 5 if period else None)
    return _Ask((time.years[0],), kinds, check, measure=measure)


def _measure(norm: str) -> str | None:
    growth, value = GROWTH_ASK.search(norm) is not None, VALUE_ASK.search(norm) is not None
    value = value or (not growth and AMOUNT_ASK.search(norm) is not None and not CHANGE_ASK.search(norm))
    return "growth" if growth and not value else "value" if value and not growth else None


def _years(norm: str, explicit: tuple[int, ...]) -> list[int]:
    """Explicit years and spans (2016—2019年, from 2023 to 2025), ascending."""
    years = set(explicit)
    for match in SPAN_RE.finditer(norm):
        first, last = (year_value(y) for y in [g for g in match.groups() if g][:2])
        years.update(range(first, last + 1) if 0 < last - first <= MAX_SPAN else ())
    return sorted(years)


@lru_cache(maxsize=1)
def _gazetteer_names() -> frozenset[str]:
    """Chinese place names a question may use (full names, and short names of provinces and cities)."""
    names: set[str] = set()
    for full_names in gazetteer_by_pinyin().values():
        for name in full_names:
            if len(name) >= 3:
                names.add(name)
            if name.endswith(("省", "市", "自治区")) and len(short_place_name(name)) >= 2:
                names.add(short_place_name(name))
    return frozenset(names)


def _unknown_place(norm: str) -> bool:
    """A place named (jieba's place tag on a word with a place suffix: 云溪县) that the library lacks."""
    return any(tagged_place(word, flag) for word, flag in tagged_words(norm))


def _scope(plan: QueryPlan, norm: str, reports: list[Report]) -> list[Report] | None:
    if plan.other_places:
        return None  # Shanyang District of Jiaozuo: a place the library lacks, inside one it has
    if plan.places:
        named, names = plan.place_report_ids, {m.name for m in plan.places}
        return [r for r in reports if r.report_id in named and speaks_for(r, names)]
    if any(name in norm for name in _gazetteer_names()) or _unknown_place(norm):
        return None  # a place the library has no report of: never another place's figure
    if NATIONAL_RE.search(norm):
        return [r for r in reports if r.level == "national"]
    return reports


LEVEL_WORDS = (("中央", re.compile(r"中央|\bcentral\b")), ("地方", re.compile(r"地方|\blocal\b")))


def _same_level(question: str, quote: str) -> bool:  # a level the question names: 全国 ≠ 中央财政赤字
    return all(word in aligned_search_text(quote) for word, asked in LEVEL_WORDS if asked.search(question))


# -- choosing rows ----------------------------------------------------------------------------------------------
def _select(rows: list[LedgerRow], indicator: Indicator, year: int, ask: _Ask,
            scope: list[Report]) -> list[tuple[str, LedgerRow]]:
    """(kind, row) for one year: per place, the best row of the report that speaks about the year."""
    found: list[tuple[str, LedgerRow]] = []
    national = {r.report_id for r in scope if r.level == "national"}
    for kind in ask.kinds:
        candidates = [r for r in rows if r.indicator == indicator.name and r.kind == kind and r.ref_year == year]
        if ask.report is not None:
            candidates = [r for r in candidates if r.report_year == ask.report]
        elif kind == "multi-year":
            candidates = [r for r in candidates if (r.report_year or year) < year
                          and (ask.since is None or (r.report_year or 0) >= ask.since)]
        else:  # a target is set in its year's report, a result reviewed in the next one's: only that report
            own = year if kind == "target" else year + 1
            candidates = [r for r in candidates if r.report_year == own]
        groups: dict[str, list[LedgerRow]] = {}
        for row in candidates:  # one report per place (every report for a plan's far year: each is labelled)
            key = row.report_id if kind == "multi-year" else row.region
            if key not in groups or groups[key][0].report_id == row.report_id:
                groups.setdefault(key, []).append(row)
        for group in sorted(groups.values(), key=lambda g: (g[0].report_id not in national, g[0].report_year or 0)):
            best = _best(group, indicator, ask.measure)
            if best is not None:
                found.append((kind, best))
    return found


def _best(rows: list[LedgerRow], indicator: Indicator, measure: str | None) -> LedgerRow | None:
    """The row stating what is asked (growth or level); else the fullest, the first in reading order."""
    if indicator.measure == "rate":
        return rows[0]
    if measure == "growth":
        rows = [r for r in rows if r.growth is not None]
    elif measure == "value":
        rows = [r for r in rows if r.value is not None]
    if not rows:
        return None
    unit = next((r.unit for r in rows if r.value is not None), "")  # of equally full rows the largest level is
    return max(rows, key=lambda r: ((r.value is not None) + (r.growth is not None),  # the whole, the rest parts
                                    convert(r.value, r.unit, unit) or 0.0 if r.value is not None else 0.0))


# -- writing the answer ---------------------------------------------------------------------------------------
def _year_lines(found: list[tuple[str, LedgerRow]], indicator: Indicator, ask: _Ask,
                language: str) -> list[tuple[str, list[LedgerRow]]]:
    if not found:
        return []
    places = {row.region for _, row in found}
    lines = [(_line(row, kind, len(places) > 1, language), [row]) for kind, row in found]
    if ask.check:
        targets = [row for kind, row in found if kind == "target"]
        actuals = [row for kind, row in found if kind == "actual"]
        one_place = len(places) == 1
        checks = target_checks([targets[0], actuals[0]]) if targets and actuals and one_place else []
        if checks:
            met = checks[0].status == "met"
            verdict = ("the target was met" if met else "the target was missed") if language == "en" else \
                ("目标已完成" if met else "目标未完成")
            lines.append((verdict, []))
    return lines


def _table_lines(rows: list[LedgerRow], indicator: Indicator, ask: _Ask, scope: list[Report], language: str,
                 alternative: Indicator | None = None) -> list[tuple[str, list[LedgerRow]]]:
    kind = ask.kinds[0]
    have = {r.year for r in scope}
    lines: list[tuple[str, list[LedgerRow]]] = []
    for year in ask.years:
        ref = year - 1 if ask.by_report and kind == "actual" else year  # "the 2022 and 2023 reports' results"
        own = year if ask.by_report else ref if kind == "target" else ref + 1
        one = _Ask((ref,), (kind,), report=own if ask.by_report else None, measure=ask.measure)
        found = _select(rows, indicator, ref, one, scope)
        if not found and alternative is not None:
            found = _select(rows, alternative, ref, one, scope)
        if found:
            lines.extend((_line(row, k, len({r.region for _, r in found}) > 1, language, ref), [row])
                         for k, row in found)
        elif own not in have:
            lines.append((f"{ref}: the library has no {own} report" if language == "en"
                          else f"{ref}年：库中没有{own}年的报告", []))
        else:
            lines.append((f"{ref}: not found in the {own} report" if language == "en"
                          else f"{ref}年：{own}年的报告中未找到", []))
    return lines


def _line(row: LedgerRow, kind: str, label_place: bool, language: str, year: int | None = None) -> str:
    """One cited line; ``{n}`` is the citation number and ``{s}`` the statement, filled in by ``_compose``."""
    year = year if year is not None else row.ref_year
    if language == "en":
        place = ("National" if row.region == "全国" else row.region) + ": " if label_place else ""
        return (f"{place}{year} {row.indicator_en} {KIND_EN[kind]} ({row.report_year} report): "
                f"{row.figure_text_en()} — “{{s}}” [{{n}}]")
    place = f"{row.region}，" if label_place else ""
    return f"{place}{year}年{KIND_ZH[kind]}（{row.report_year}年报告）：{{s}}[{{n}}]"


def _compose(plan: QueryPlan, question: str, standalone: str, store: ReportStore, by_id: dict[str, Report],
             lines: list[tuple[str, list[LedgerRow]]], language: str) -> Answer:
    chunks = store.chunks_by_id(list({row.chunk_id for _, cited in lines for row in cited}))
    citations: list[Citation] = []
    number: dict[tuple[str, int], int] = {}
    out: list[str] = []
    for template, cited in lines:
        if not cited:
            out.append(template)
            continue
        row = cited[0]
        chunk = chunks.get(row.chunk_id)
        if chunk is None:
            continue
        end = statement_end(chunk.text, row.quote_start, row.quote_start + len(row.quote))
        statement = chunk.text[row.quote_start:end]
        key = (row.chunk_id, row.quote_start)
        if key not in number:
            number[key] = len(citations) + 1
            hit = SearchHit(chunk, by_id[row.report_id], 1.0)
            citations.append(Citation(number[key], hit, statement, row.quote_start))
        out.append(template.format(s=neutralize_markers(statement.strip()), n=number[key]))
    separator = "; \n" if language == "en" else "；\n"
    text = separator.join(out) + ("." if language == "en" else "。")
    return Answer(question, in_script(text, language), ENGINE, True, False, citations, standalone)
