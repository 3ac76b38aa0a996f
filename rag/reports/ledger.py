"""The indicator ledger: one row per reported figure of a standard indicator, extracted at ingest (no model).

For every mention of an indicator of the synonym table (:mod:`rag.reports.indicators`) the figures that follow it in
the same clause are read: the value with its unit (亿元, 万元, 万美元, 元, 万人, %, …), the growth rate after
增长/增/下降, a qualifier (左右/以上/以内) and a rank phrase (增速全市第一). Each row keeps the exact quoted span
of its chunk, so a figure is never shown without its source.

Kinds: ``actual`` (the review of the past year), ``target`` (the year ahead's 预期目标), ``multi-year`` (五年,
年均, "十四五", 2017年到2021年). The kind and the year a figure refers to come from the sentence (explicit year,
target/period cues), the paragraph (这五年…) and the section headings (2022年工作回顾 / 2023年主要工作安排).

Matching runs on a character-aligned Simplified form of the chunk (NFKC + OpenCC per position), so
Traditional reports match the same synonyms and every offset points into the original text.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from rag.core.models import Chunk, Report
from rag.core.numbers import extract_figures
from rag.core.textnorm import to_simplified
from rag.reports.indicators import Indicator, IndicatorTable, load_table

log = logging.getLogger(__name__)

# Bump when extraction rules change: stored ledgers are re-extracted on the next store open.
LEDGER_VERSION = 2

UNIT_FAMILIES = {
    "money": ("万亿元", "亿元", "万元", "千元", "元"),
    "usd": ("亿美元", "万美元", "美元"),
    "people": ("万人", "人"),
    "mass": ("万亿斤", "亿斤", "万斤", "斤", "亿公斤", "万公斤", "公斤", "亿吨", "万吨", "吨"),
    "percent": ("%", "‰"),
}
UNIT_FACTORS = {"万亿元": 1e12, "亿元": 1e8, "万元": 1e4, "千元": 1e3, "元": 1.0, "亿美元": 1e8, "万美元": 1e4,
                "美元": 1.0, "万人": 1e4, "人": 1.0, "万亿斤": 1e12, "亿斤": 1e8, "万斤": 1e4, "斤": 1.0,
                "亿公斤": 2e8, "万公斤": 2e4, "公斤": 2.0, "亿吨": 2e11, "万吨": 2e7, "吨": 2000.0}
OTHER_UNITS = ("万人次", "人次", "个百分点", "个点")
ALL_UNITS = sorted({u for units in UNIT_FAMILIES.values() for u in units} | set(OTHER_UNITS), key=len, reverse=True)
UNIT_RE = "|".join(re.escape(u) for u in ALL_UNITS)
CN_DIGITS = "零〇一二两三四五六七八九十百千点"
ARABIC = r"(?<![\d.·])\d(?:\d|,(?=\d{3})|\s(?=\d))*(?:[.·]\d+)?"
FIGURE_RE = re.compile(
    rf"百分之(?P<pnum>[{CN_DIGITS}]+|\d+(?:\.\d+)?)"
    rf"|(?P<num>{ARABIC})\s*(?P<approx>多|余)?\s*(?P<unit>{UNIT_RE})?"
    rf"|(?<![{CN_DIGITS}])(?P<cnum>[{CN_DIGITS}]+)(?P<capprox>多|余)?(?P<cunit>{UNIT_RE})"
)
QUALIFIER_AFTER = re.compile(r"\s*(左右|以上|以内|以下|上下|之内)")
QUALIFIER_BEFORE = re.compile(r"(超过|突破|不低于|高于|逾|低于|不超过|控制在|约|近|接近)\s*$")
QUALIFIER_NAMES = {"左右": "左右", "上下": "左右", "以上": "以上", "以内": "以内", "之内": "以内", "以下": "以内",
                   "超过": "以上", "突破": "以上", "不低于": "以上", "高于": "以上", "逾": "以上", "多": "以上",
                   "余": "以上", "低于": "以内", "不超过": "以内", "控制在": "以内", "约": "左右", "近": "左右", "接近": "左右"}
RANK_RE = re.compile(
    r"(?:(?:增速|增幅|总量|规模|总额)\s*)?(?:(?:居|位居|位列|列|排在|名列|稳居|跃居|保持)\s*)?"
    r"(?:全国|全省|全市|全区|全县|城区|同类城区|世界主要经济体|世界)(?:同类城区)?(?:排名|排位)?"
    r"(?:第[一二三四五六七八九十\d]{1,3}(?:位|名)?|首位|前列|前茅|榜首)"
    r"|(?:增速|增幅|总量)(?:位居|居|排名|位列|列)?(?:第[一二三四五六七八九十\d]{1,3}(?:位|名)?|首位|前列)"
)
FORMER_RANK = re.compile(r"(?:由|从)(?:上年|去年|前年)?\s*$")  # 由上年居世界第五位上升到第四位: not the rank now
PAREN_RE = re.compile(r"[（(][^（）()]{0,40}[）)]")
# What may stand between an indicator and its figures (anything else ends the reading).
_FILLER = """
完成 实现 达到 达 为 是 突破 超过 超 逾 增至 增加到 增加至 增长到 增长至 提高到 提高至 上升到 上升至 下降到 下降至 降到 降至
降低到 降低至 回落到 回落至 减少到 减少至 预计 预期 全年 年均 平均 累计 同比 同口径 按可比价格计算 按可比价计算 可比价
比上年 比去年 较上年 较去年 比上年末 比上年同期 同期 分别 实际 名义 扣除价格因素 力争 争取 确保 保持 控制在 稳定在 约 近 接近
只有 仅 就 要 在 了 的 也 将 可 共 和 与 及 以及 合计 总计 总额 总量 总值 人数 规模 额 增长 增 增速 增幅 涨幅 上涨 下降 降低 减少 回落 提高
上升 增加 回升 以上 左右 以内 以下 全区 全市 全县 全省 全国 我区 我市 本区 基本 翻番 翻一番 翻两番 从 由 继续 持续 保持在
到 至 拟 目标 预期目标 建议为 建议 年底 年末 到年底 预计到年底 达到了 实现了 完成了 总水平 指数 平均为 全年平均 年平均
"""
FILLER_WORDS = sorted(_FILLER.split(), key=len, reverse=True)
YEAR_TOKEN = r"(?:(?:1 ?9|2 ?0) ?\d ?\d|[一二三四五六七八九〇零]{4})\s*年度?"
FILLER_RE = re.compile(r"^(?:[\s,，、:：;“”\"'/·]|" + YEAR_TOKEN + "|" + "|".join(FILLER_WORDS) + ")*$")
JOINER_RE = re.compile(r"^\s*(?:、|和|与|及|以及|,|，)\s*$")
NAME_JOINER_RE = re.compile(r"^\s*(?:、|和|与|及|以及)\s*$")
GROWTH_TAIL = re.compile(r"(?:增长|增加|增速|增幅|涨幅|上涨|提高|上升|回升|增)(?:了)?(?:为|达|达到)?\s*(?:约|近|超过)?\s*$")
DECLINE_TAIL = re.compile(r"(?:下降|降低|减少|回落|下滑|负增长|降)(?:了)?\s*(?:约|近)?\s*$")
LEVEL_TAIL = re.compile(r"(?:到|至)\s*(?:约|近)?\s*$")
START_TAIL = re.compile(r"(?:从|由)\s*(?:" + YEAR_TOKEN + r")?\s*的?\s*$")
INCREMENT_TAIL = re.compile(r"(?:增长|增加|增|提高|减少|下降|多)(?:了)?\s*(?:约|近|超过)?\s*$")
PREFIX_BLOCK = re.compile(r"(?:人均|单位|万元|占|中央本级|中央|高技术|高新技术|新兴产业|地方级|税收|业)$")
SUFFIX_BLOCK = re.compile(r"^(?:的?比重|的?比例|之比|中所占|占比|中的|中)")
CLAUSE_END = re.compile(r"[；;。！？!?\n]")
SENTENCE_END = re.compile(r"[。！？!?\n]")

YEAR_RE = re.compile(r"(?<![\d.])((?:1 ?9|2 ?0) ?\d ?\d|[一二三四五六七八九〇零]{4})\s*年(?!代)")  # 1 9 9 7 年 too
RANGE_RE = re.compile(r"((?:19|20)\d{2}|[一二三四五六七八九〇零]{4})\s*年?\s*(?:到|至|—|–|-|－|~|～)\s*"
                      r"((?:19|20)\d{2}|[一二三四五六七八九〇零]{4})\s*年"
                      r"|((?:19|20)\d{2}|[一二三四五六七八九〇零]{4})\s*年\s*(?:同|与|和|比)\s*"
                      r"((?:19|20)\d{2}|[一二三四五六七八九〇零]{4})\s*年相?比"
                      r"|(?:从|由)\s*((?:19|20)\d{2}|[一二三四五六七八九〇零]{4})\s*年[^。；;]{0,30}?(?:到|至)\s*"
                      r"((?:19|20)\d{2}|[一二三四五六七八九〇零]{4})\s*年")
PLAN_PERIOD = {"十五": 2005, "十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025, "十五五": 2030}
PERIOD_RE = re.compile(r"(十[一二三四五]?五)(?:”|\")?\s*(?:规划|计划|时期|期间|末|收官)")
MULTI_RE = re.compile(r"(?<![〇零一二三四五六七八九十])五年|年均|平均每年|近[两二三四五六七八九十几]+年|"
                      r"(?<![〇零一二三四五六七八九十\d])[两二三四五六七八九十几]+年来")
PARAGRAPH_MULTI_RE = re.compile(r"^.{0,40}?(这五年|过去五年|五年来|五年间|五年中|过去的五年)")
TARGET_RE = re.compile(r"(?:目标|指标)(?:建议)?(?:是|为)|(?:预期|主要|发展)(?:目标|指标)[:：]|预期性指标")
WEAK_TARGET_RE = re.compile(r"力争|今年|明年|新的一年|全年目标|提出")
LAST_TARGET_RE = re.compile(r"年初(?:确定|提出|预定|制定)的\s*$")
BASELINE_BEFORE = re.compile(r"(?:比|较|同|与|和|从|由)\s*$")
PARAGRAPH_PERIOD_RE = re.compile(r"^.{0,15}?十[一二三四五]?五")
ACTUAL_RE = re.compile(r"去年|过去一年|过去的一年|一年来|预计到年底|年底预计")
REVIEW_HEADING = re.compile(r"回顾|过去一年|一年来|过去的一年|成效|成绩|成就|取得|进展|回眸|形势")
PLAN_HEADING = re.compile(r"安排|任务|目标|今后|今年|明年|部署|总体要求|重点工作|主要工作|工作建议|政策取向|思路")
CN_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass
class LedgerRow:
    """One reported figure of one indicator, with the exact span of the chunk that states it."""

    report_id: str
    region: str
    report_year: int | None
    indicator: str  # canonical Chinese name (rag/data/indicators.tsv)
    indicator_en: str
    value: float | None
    unit: str  # 亿元 万元 元 万美元 万人 % … ('' for a growth-only figure)
    growth: float | None  # percent; negative for 下降
    kind: str  # actual | target | multi-year
    ref_year: int | None  # the year (or last year of the period) the figure refers to
    qualifier: str  # 左右 | 以上 | 以内 | ''
    rank: str  # e.g. 增速全市第一, as written
    chunk_id: str
    quote: str  # exact span of the chunk text
    quote_start: int  # offset of the quote inside the chunk text
    paragraph: int | None = None
    qualifier_of: str = ""  # value | growth: which figure the qualifier belongs to

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def figure_text(self) -> str:
        """The figures in words, e.g. ``129亿元，增长3.1%`` or ``增长8%左右``."""
        parts = []
        if self.value is not None:
            parts.append(fmt_number(self.value) + self.unit + (self.qualifier if self.qualifier_of == "value" else ""))
        if self.growth is not None:
            word = "增长" if self.growth >= 0 else "下降"
            parts.append(f"{word}{fmt_number(abs(self.growth))}%"
                         + (self.qualifier if self.qualifier_of == "growth" else ""))
        if self.rank:
            parts.append(self.rank)
        return "，".join(parts)

    def describe(self) -> str:
        return f"{self.indicator}：{self.figure_text()}"


def fmt_number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


# -- character-aligned normalization -----------------------------------------------------------------
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


@lru_cache(maxsize=4)
def _mention_re(table: IndicatorTable) -> tuple[re.Pattern[str], dict[str, Indicator]]:
    synonyms: dict[str, Indicator] = {}
    for indicator in table.indicators:
        for synonym in (indicator.name, *indicator.synonyms):
            synonyms.setdefault(aligned_search_text(synonym), indicator)
    pattern = "|".join(re.escape(s) for s in sorted(synonyms, key=len, reverse=True))
    return re.compile(pattern), synonyms


def ledger_version(table: IndicatorTable | None = None) -> str:
    """Changes when the extraction rules or the synonym table change (the store re-extracts then)."""
    return f"{LEDGER_VERSION}:{(table or load_table()).checksum}"


# -- figures -----------------------------------------------------------------------------------------
@dataclass
class _Figure:
    start: int
    end: int  # after the figure, its unit and a trailing qualifier
    number: float
    unit: str
    qualifier: str


def _parse_number(text: str) -> float | None:
    text = text.replace(",", "").replace(" ", "").replace("·", ".")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    figures = extract_figures(text)  # Chinese numerals via rag.core.numbers (cn2an)
    return figures[0].raw if len(figures) == 1 else None


def _figures(norm: str, start: int, end: int) -> list[_Figure]:
    found = []
    for m in FIGURE_RE.finditer(norm, start, end):
        if m.group("pnum") is not None:
            number, unit = _parse_number(m.group("pnum")), "%"
            approx = ""
        elif m.group("num") is not None:
            number, unit, approx = _parse_number(m.group("num")), m.group("unit") or "", m.group("approx") or ""
        else:
            number, unit = _parse_number(m.group("cnum")), m.group("cunit")
            approx = m.group("capprox") or ""
        if number is None or (not unit and norm[m.end():m.end() + 2].lstrip().startswith("年")):
            continue  # a year is context, not a figure
        fig_end = m.end()
        qualifier = QUALIFIER_NAMES.get(approx, "")
        after = QUALIFIER_AFTER.match(norm, fig_end, end)
        if after:
            qualifier, fig_end = QUALIFIER_NAMES[after.group(1)], after.end()
        before = QUALIFIER_BEFORE.search(norm, max(start, m.start() - 4), m.start())
        if before and not qualifier:
            qualifier = QUALIFIER_NAMES[before.group(1)]
        found.append(_Figure(m.start(), fig_end, number, unit, qualifier))
    return found


def _unit_family(unit: str) -> str | None:
    for family, units in UNIT_FAMILIES.items():
        if unit in units:
            return family
    return None


# -- context: kind and year ------------------------------------------------------------------------
def _year(text: str) -> int:
    return int(text.translate(CN_YEAR_DIGITS).replace(" ", ""))


def heading_part(section_path: list[str], report_year: int | None) -> tuple[str | None, int | None]:
    """The part of the report a chunk lies in, from its headings (outermost first), and the year they name.

    Parts: ``review`` (2022年工作回顾), ``plan`` (2023年主要工作安排), ``multi-review`` (过去五年工作回顾),
    ``multi-plan`` (今后五年奋斗目标, 2035年远景目标) or None.
    """
    for heading in section_path:
        norm = aligned_search_text(heading)
        years = [_year(y) for y in YEAR_RE.findall(norm)]
        year = years[0] if years else None
        periods = _periods(norm)
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


def _periods(text: str) -> list[int]:
    return [PLAN_PERIOD[p] for p in PERIOD_RE.findall(text) if p in PLAN_PERIOD]


def _classify(norm: str, sentence_start: int, mention_start: int, figure_start: int, clause_end: int,
              paragraph_lead: str, part: str | None, heading_year: int | None,
              report_year: int | None) -> tuple[str, int | None]:
    """(kind, ref_year) of a figure, from the strongest evidence down: a period (2017年到2021年, 年均, 五年,
    "十四五") in the sentence or the paragraph's opening; the year named before the figure (baseline years
    after 比/从 do not count); 去年; a five-year part of the report; a target list (目标是：); 去年 in the
    sentence before; the review or plan part; weak target words (今年, 力争); else ``actual``."""
    before = norm[sentence_start:mention_start]
    context = norm[sentence_start:clause_end]
    years_before = [_year(m.group(1)) for m in YEAR_RE.finditer(norm, sentence_start, max(figure_start, mention_start))
                    if not BASELINE_BEFORE.search(norm, max(0, m.start() - 2), m.start())]
    explicit = years_before[-1] if years_before else None
    last_year = report_year - 1 if report_year else None
    ranges = RANGE_RE.findall(context)
    lead_period = _periods(paragraph_lead) if PARAGRAPH_PERIOD_RE.search(paragraph_lead) else []
    periods = _periods(context) or lead_period
    looking_back = part in ("review", "multi-review") or PARAGRAPH_MULTI_RE.search(paragraph_lead)
    if ranges:
        return "multi-year", max(_year(y) for pair in ranges for y in pair if y)
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


# -- extraction ---------------------------------------------------------------------------------------
@dataclass
class _Reading:
    values: list[_Figure] = field(default_factory=list)
    growths: list[tuple[_Figure, float]] = field(default_factory=list)
    rate_values: list[_Figure] = field(default_factory=list)
    respectively: bool = False
    listed: bool = False  # a list of figures (…5%和7%): per member, or ambiguous for one indicator
    level_value: _Figure | None = None  # the last value reached (…增加到181.8亿元)
    rank: tuple[int, int] | None = None
    end: int = 0
    first: int = -1  # where the first figure read starts


def _strip_gap(gap: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove parentheticals and rank phrases from a gap; returns the rest and the rank spans (gap offsets)."""
    ranks = [(m.start(), m.end()) for m in RANK_RE.finditer(gap)]
    rest = RANK_RE.sub("", gap)
    rest = PAREN_RE.sub("", rest)
    return rest, ranks


def _read_scope(norm: str, start: int, end: int, indicator: Indicator) -> _Reading:
    reading = _Reading(end=start)
    cursor = start
    previous: str | None = None  # kind of the previous figure, for lists (5%和7%, 41165元和20530元)
    for fig in _figures(norm, start, end):
        if fig.start < cursor:
            continue
        if _inside_paren(norm, start, fig.start):
            continue  # (含沿海产业基地119亿元): a detail, not the figure
        gap = norm[cursor:fig.start]
        rest, ranks = _strip_gap(gap)
        if ranks and not FORMER_RANK.search(gap, 0, ranks[-1][0]):
            reading.rank = (cursor + ranks[-1][0], cursor + ranks[-1][1])
        if "分别" in rest:
            reading.respectively = True
        if not FILLER_RE.match(rest):
            break
        joined = previous is not None and JOINER_RE.match(rest) is not None
        kind = _figure_kind(fig, rest, indicator, previous if joined else None)
        cursor = fig.end
        if joined and kind in ("growth", "value", "rate"):
            reading.listed = True
        if kind == "growth":
            sign = -1.0 if DECLINE_TAIL.search(rest) or (joined and reading.growths and reading.growths[-1][1] < 0) else 1.0
            reading.growths.append((fig, sign))
        elif kind == "value":
            reading.values.append(fig)
            if LEVEL_TAIL.search(rest):
                reading.level_value = fig
        elif kind == "rate":
            sign = -1.0 if DECLINE_TAIL.search(rest) else 1.0
            reading.rate_values.append(_Figure(fig.start, fig.end, sign * fig.number, fig.unit, fig.qualifier))
        elif kind == "stop":
            break
        if kind in ("growth", "value", "rate"):
            reading.end = fig.end
            if reading.first < 0:
                reading.first = fig.start
        previous = kind
    # a rank phrase right after the last figure (…增长27.5%,增速全市第一)
    tail_end = end
    tail = norm[cursor:tail_end]
    for clause in re.finditer(r"[^,，]+|[,，]", tail):
        text = clause.group(0)
        if text in ",，":
            continue
        rank = RANK_RE.search(text)
        rest = PAREN_RE.sub("", RANK_RE.sub("", text))
        if rank and reading.end > start and not FORMER_RANK.search(text, 0, rank.start()):
            reading.rank = (cursor + clause.start() + rank.start(), cursor + clause.start() + rank.end())
        if not FILLER_RE.match(rest):
            break
    if reading.rank and reading.end > start:
        reading.end = max(reading.end, reading.rank[1])
    return reading


def _inside_paren(norm: str, start: int, pos: int) -> bool:
    depth = 0
    for ch in norm[start:pos]:
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
    return depth > 0


def _figure_kind(fig: _Figure, gap: str, indicator: Indicator, previous: str | None) -> str:
    family = _unit_family(fig.unit)
    if fig.unit in OTHER_UNITS:
        return "skip"
    if family == "percent":
        if previous in ("growth", "rate"):
            return previous
        if indicator.measure == "rate":
            return "rate" if fig.unit == "%" else "skip"
        if fig.unit == "%" and (GROWTH_TAIL.search(gap) or DECLINE_TAIL.search(gap)) and not LEVEL_TAIL.search(gap):
            return "growth"
        return "skip"
    if family is None:
        return "stop"
    if family not in indicator.units:
        return "stop"
    if previous == "value":
        return "value"
    if START_TAIL.search(gap):
        return "skip"
    if INCREMENT_TAIL.search(gap) and not LEVEL_TAIL.search(gap):
        return "skip"
    return "value"


def _mentions(norm: str, table: IndicatorTable) -> list[tuple[int, int, Indicator]]:
    pattern, synonyms = _mention_re(table)
    found = []
    for m in pattern.finditer(norm):
        if PREFIX_BLOCK.search(norm, max(0, m.start() - 4), m.start()):
            continue
        if SUFFIX_BLOCK.match(norm, m.end()):
            continue
        found.append((m.start(), m.end(), synonyms[m.group(0)]))
    return found


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
        years = [_year(y) for y in YEAR_RE.findall(first)]
        if years and years[0] == report.year:
            hints[top] = ("plan", report.year)
        elif years and years[0] == report.year - 1:
            hints[top] = ("review", years[0])
        else:
            hints[top] = (None, None)
    return hints


def extract_chunk(report: Report, chunk: Chunk, paragraph_lead: str = "", table: IndicatorTable | None = None,
                  hint: tuple[str | None, int | None] = (None, None)) -> list[LedgerRow]:
    """Ledger rows of one chunk (see the module docstring)."""
    table = table or load_table()
    text = chunk.text
    norm = aligned_search_text(text)
    mentions = _mentions(norm, table)
    if not mentions:
        return []
    part, heading_year = heading_part(chunk.section_path, report.year)
    if part is None:
        part, heading_year = hint
    lead = aligned_search_text(paragraph_lead or text[:40])
    rows: list[LedgerRow] = []
    i = 0
    while i < len(mentions):
        group = [mentions[i]]
        while i + 1 < len(mentions) and NAME_JOINER_RE.match(norm[group[-1][1]:mentions[i + 1][0]]):
            i += 1
            group.append(mentions[i])
        i += 1
        next_start = mentions[i][0] if i < len(mentions) else len(norm)
        clause_end = CLAUSE_END.search(norm, group[-1][1])
        scope_end = min(next_start, clause_end.start() if clause_end else len(norm))
        members: list[Indicator] = []
        for _, _, indicator in group:
            members.extend([table.get(p) for p in indicator.parts] if indicator.combined else [indicator])
        if len({m.measure for m in members}) > 1:
            continue
        reading = _read_scope(norm, group[-1][1], scope_end, members[0])
        if reading.end <= group[-1][1]:
            continue
        sentence_start = max((m.end() for m in SENTENCE_END.finditer(norm, 0, group[0][0])), default=0)
        figure_start = reading.level_value.start if reading.level_value is not None else reading.first
        kind, ref_year = _classify(norm, sentence_start, group[0][0], figure_start, scope_end, lead, part,
                                   heading_year, report.year)
        quote_start, quote_end = group[0][0], reading.end
        for n, indicator in enumerate(members):
            row = _member_row(report, chunk, indicator, n, len(members), reading, kind, ref_year,
                              text[quote_start:quote_end], quote_start, text)
            if row is not None:
                rows.append(row)
    return rows


def _pick(items: list[Any], n: int, count: int, reading: _Reading) -> Any | None:
    """The item of member ``n``: a list is spread over the members (…分别增长5%和7%), one item serves all members
    only after 分别; for a single indicator a list of figures is ambiguous (…4761元，实际增长8.4%和8%)."""
    if not items:
        return None
    if count == 1:
        return items[0] if len(items) == 1 or not (reading.listed or reading.respectively) else None
    if len(items) == count:
        return items[n]
    if len(items) == 1 and reading.respectively:
        return items[0]
    return None


def _member_row(report: Report, chunk: Chunk, indicator: Indicator, n: int, count: int, reading: _Reading,
                kind: str, ref_year: int | None, quote: str, quote_start: int, text: str) -> LedgerRow | None:
    if indicator.measure == "rate":
        value_fig = _pick(reading.rate_values, n, count, reading)
    elif count == 1 and reading.level_value is not None and not reading.listed:
        value_fig = reading.level_value  # 从129.6亿元增加到181.8亿元 → 181.8
    else:
        value_fig = _pick(reading.values, n, count, reading)
    growth_item = _pick(reading.growths, n, count, reading)
    if count > 1 and not reading.respectively:
        return None
    if value_fig is None and growth_item is None:
        return None
    growth = None
    qualifier, qualifier_of = "", ""
    if growth_item is not None:
        fig, sign = growth_item
        growth = sign * fig.number
        qualifier = fig.qualifier or (reading.growths[-1][0].qualifier if count > 1 else "")
        qualifier_of = "growth" if qualifier else ""
    if not qualifier and value_fig is not None and value_fig.qualifier:
        qualifier, qualifier_of = value_fig.qualifier, "value"
    rank = text[reading.rank[0]:reading.rank[1]] if reading.rank else ""
    return LedgerRow(
        report_id=report.report_id, region=report.region, report_year=report.year, indicator=indicator.name,
        indicator_en=indicator.english, value=value_fig.number if value_fig is not None else None,
        unit=value_fig.unit if value_fig is not None else "", growth=growth, kind=kind, ref_year=ref_year,
        qualifier=qualifier, rank=rank, chunk_id=chunk.chunk_id, quote=quote, quote_start=quote_start,
        paragraph=chunk.paragraph, qualifier_of=qualifier_of,
    )


def extract_ledger(report: Report, chunks: Iterable[Chunk], table: IndicatorTable | None = None) -> list[LedgerRow]:
    """All ledger rows of a report, in reading order; a figure repeated by overlapping chunks is kept once."""
    table = table or load_table()
    chunk_list = list(chunks)
    leads: dict[int, str] = {}
    for chunk in chunk_list:
        leads.setdefault(chunk.paragraph, chunk.text[:40])
    hints = part_hints(report, chunk_list)
    rows: list[LedgerRow] = []
    seen: set[tuple[Any, ...]] = set()
    for chunk in chunk_list:
        top = chunk.section_path[0] if chunk.section_path else ""
        for row in extract_chunk(report, chunk, leads.get(chunk.paragraph, ""), table, hints.get(top, (None, None))):
            key = (row.indicator, row.kind, row.ref_year, row.value, row.unit, row.growth, row.quote)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return rows


# -- storage (table ``ledger`` of reports.db, written in the report's transaction) ---------------------
LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    region TEXT NOT NULL,
    report_year INTEGER,
    indicator TEXT NOT NULL,
    indicator_en TEXT NOT NULL,
    value REAL,
    unit TEXT NOT NULL,
    growth REAL,
    kind TEXT NOT NULL,
    ref_year INTEGER,
    qualifier TEXT NOT NULL,
    rank TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    quote TEXT NOT NULL,
    quote_start INTEGER NOT NULL,
    paragraph INTEGER,
    qualifier_of TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
);
CREATE INDEX IF NOT EXISTS ledger_by_indicator ON ledger(indicator, kind, ref_year);
"""
_COLUMNS = ("report_id", "seq", "region", "report_year", "indicator", "indicator_en", "value", "unit", "growth",
            "kind", "ref_year", "qualifier", "rank", "chunk_id", "quote", "quote_start", "paragraph", "qualifier_of")


def safe_extract_ledger(report: Report, chunks: list[Chunk]) -> list[LedgerRow]:
    """``extract_ledger`` that never raises on odd text: a failure is logged and yields no rows."""
    try:
        return extract_ledger(report, chunks)
    except Exception as exc:  # a bug in a rule must not block ingestion
        log.warning("ledger extraction failed for %s: %s: %s", report.report_id, exc.__class__.__name__, exc)
        return []


def write_ledger(conn: sqlite3.Connection, report: Report, chunks: list[Chunk],
                 rows: list[LedgerRow] | None = None) -> int:
    """Replace the ledger rows of one report (call inside the report's transaction). ``rows`` extracted
    beforehand (outside the writer's lock) are written as they are; otherwise they are extracted here."""
    conn.execute("DELETE FROM ledger WHERE report_id=?", (report.report_id,))
    if rows is None:
        rows = safe_extract_ledger(report, chunks)
    marks = ",".join("?" * len(_COLUMNS))
    conn.executemany(
        f"INSERT INTO ledger ({','.join(_COLUMNS)}) VALUES ({marks})",
        [(r.report_id, seq, r.region, r.report_year, r.indicator, r.indicator_en, r.value, r.unit, r.growth,
          r.kind, r.ref_year, r.qualifier, r.rank, r.chunk_id, r.quote, r.quote_start, r.paragraph, r.qualifier_of)
         for seq, r in enumerate(rows)],
    )
    return len(rows)


def query_ledger(conn: sqlite3.Connection, report_id: str | None = None, indicators: list[str] | None = None,
                 kind: str | None = None, year: int | None = None) -> list[LedgerRow]:
    where, args = [], []
    if report_id is not None:
        where.append("report_id=?")
        args.append(report_id)
    if indicators:
        where.append(f"indicator IN ({','.join('?' * len(indicators))})")
        args.extend(indicators)
    if kind is not None:
        where.append("kind=?")
        args.append(kind)
    if year is not None:
        where.append("ref_year=?")
        args.append(year)
    sql = f"SELECT {','.join(c for c in _COLUMNS if c != 'seq')} FROM ledger"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY report_id, seq"
    names = [c for c in _COLUMNS if c != "seq"]
    return [LedgerRow(**dict(zip(names, row, strict=True))) for row in conn.execute(sql, args)]


# -- queries --------------------------------------------------------------------------------------------
def convert(value: float, unit: str, to_unit: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to_unit`` (万元 → 亿元, 万人 → 人, 亿公斤 → 万吨); None across families."""
    if unit == to_unit:
        return value
    family, target_family = _unit_family(unit), _unit_family(to_unit)
    if family is None or family != target_family or unit not in UNIT_FACTORS or to_unit not in UNIT_FACTORS:
        return None
    return value * UNIT_FACTORS[unit] / UNIT_FACTORS[to_unit]


def indicators(conn: sqlite3.Connection, report_id: str | None = None, indicator: str | None = None,
               kind: str | None = None, year: int | None = None) -> list[LedgerRow]:
    """Ledger rows filtered by report, indicator (any name the table accepts), kind and the year referred to."""
    from rag.reports.indicators import check_kind, resolve_indicator

    check_kind(kind)
    names = resolve_indicator(indicator) if indicator else None
    return query_ledger(conn, report_id, names, kind, year)


@dataclass
class TargetCheck:
    """Year N's target (report N) against year N's result (a later report) of one place and indicator."""

    region: str
    indicator: str
    indicator_en: str
    year: int
    measure: str  # growth | value
    target: float
    actual: float
    unit: str  # % for growth rates
    qualifier: str  # of the target: 左右 / 以上 / 以内
    status: str  # met | missed
    margin: float  # actual - target
    target_row: LedgerRow
    actual_row: LedgerRow

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target_row"], data["actual_row"] = self.target_row.to_dict(), self.actual_row.to_dict()
        return data


ABOUT_TOLERANCE = (0.2, 0.02)  # 左右: percentage points for rates, share of the target for amounts


def target_checks(rows: list[LedgerRow], table: IndicatorTable | None = None) -> list[TargetCheck]:
    """Pair each target (kind ``target``, year N) with the same place's result for year N from a later report,
    comparing growth rates when both state one, else values (converted to the target's unit).

    ``met`` means at least the target (at most, for 以内 targets and indicators where lower is better:
    unemployment, CPI, energy use per unit of GDP). A 左右 ("about") target allows ABOUT_TOLERANCE: 0.2
    percentage points for rates (7.4% meets "7.5%左右", 3.3% misses "3%左右"), 2% of the target for amounts.
    The margin (actual - target) is always reported.
    """
    table = table or load_table()
    checks: list[TargetCheck] = []
    actuals: dict[tuple[str, str, int], list[LedgerRow]] = {}
    for row in rows:
        if row.kind == "actual" and row.ref_year is not None:
            actuals.setdefault((row.region, row.indicator, row.ref_year), []).append(row)
    seen: set[tuple[str, str, int]] = set()
    for target in rows:
        if target.kind != "target" or target.ref_year is None:
            continue
        key = (target.region, target.indicator, target.ref_year)
        later = [a for a in actuals.get(key, []) if a.report_id != target.report_id
                 and (a.report_year or 0) > (target.report_year or 0)]
        if key in seen or not later:
            continue
        later.sort(key=lambda a: a.report_year or 0)
        pair = _compare_pair(target, later, table)
        if pair is not None:
            seen.add(key)
            checks.append(pair)
    return sorted(checks, key=lambda c: (c.region, c.indicator, c.year))


def _compare_pair(target: LedgerRow, actuals: list[LedgerRow], table: IndicatorTable) -> TargetCheck | None:
    try:
        indicator = table.get(target.indicator)
    except KeyError:
        return None
    for actual in actuals:
        if target.growth is not None and actual.growth is not None:
            measure, goal, result, unit = "growth", target.growth, actual.growth, "%"
        elif target.value is not None and actual.value is not None:
            converted = convert(actual.value, actual.unit, target.unit)
            if converted is None:
                continue
            measure, goal, result, unit = "value", target.value, converted, target.unit
        else:
            continue
        lower = indicator.better == "lower" or target.qualifier == "以内"
        slack = 1e-9
        if target.qualifier == "左右":
            slack += ABOUT_TOLERANCE[0] if unit == "%" else ABOUT_TOLERANCE[1] * abs(goal)
        met = result <= goal + slack if lower else result >= goal - slack
        return TargetCheck(target.region, target.indicator, target.indicator_en, target.ref_year or 0, measure,
                           goal, result, unit, target.qualifier, "met" if met else "missed",
                           round(result - goal, 6), target, actual)
    return None
