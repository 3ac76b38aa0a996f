"""Reading the figures of an indicator mention: the extraction rules of the ledger (no model).

After each mention of an indicator (a synonym of :mod:`rag.reports.indicators`, matched on the character-aligned
search text of :func:`rag.reports.ledger_context.aligned_search_text`) the figures of the same clause are read
with :data:`rag.core.numbers.VALUE_UNIT_RE` as long as only filler words stand between them: the value with its
unit, the growth rate after 增长/增/下降 (or after a name that says growth: 经济增长预期目标为7%), the upper end of a
range (6%－6.5%, 百分之八至九), a qualifier (左右/以上/以内) and a rank phrase (增速全市第一).

Before the kind and year are read (:func:`rag.reports.ledger_context.classify`) baseline years are masked
(比去年增加…, 等于一九四九年的…), a paragraph opening with last year (刚刚过去的2017年) inside a five-year review
counts as last year's review, and text after the figure's comma piece dates it only when it averages (年均).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rag.core.models import Chunk, Report
from rag.core.numbers import OTHER_UNITS, VALUE_UNIT_RE, read_range_high, read_value, unit_family
from rag.core.years import YEAR_RE, YEAR_TOKEN, year_value
from rag.reports.indicators import Indicator, IndicatorTable, load_table, mention_pattern
from rag.reports.ledger_context import SENTENCE_END, aligned_search_text, classify, heading_part, part_hints
from rag.reports.ledger_records import LedgerRow

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
拟按 按 计划 安排 拟安排 发行 拟发行 先发行 定为 调控目标 宏观调控目标 预期为 产量 总产量 去年 上年 大关
"""
FILLER_WORDS = sorted(_FILLER.split(), key=len, reverse=True)
FILLER_RE = re.compile(r"^(?:[\s,，、:：;“”\"'/·]|" + YEAR_TOKEN + "|" + "|".join(FILLER_WORDS) + ")*$")
JOINER_RE = re.compile(r"^\s*(?:、|和|与|及|以及|,|，)\s*$")
NAME_JOINER_RE = re.compile(r"^\s*(?:、|和|与|及|以及)\s*$")
GROWTH_TAIL = re.compile(r"(?:增长|增加|增速|增幅|涨幅|上涨|提高|上升|回升|增)(?:了)?(?:为|达|达到)?\s*(?:约|近|超过)?\s*$")
DECLINE_TAIL = re.compile(r"(?:下降|降低|减少|回落|下滑|负增长|降)(?:了)?\s*(?:约|近)?\s*$")
LEVEL_TAIL = re.compile(r"(?:到|至)\s*(?:约|近)?\s*$")
START_TAIL = re.compile(r"(?:从|由)\s*(?:" + YEAR_TOKEN + r"|去年|上年|前年)?\s*的?\s*$")
INCREMENT_TAIL = re.compile(r"(?:增长|增加|增|提高|减少|下降|多)(?:了)?\s*(?:约|近|超过)?\s*$")
PREFIX_BLOCK = re.compile(r"(?:人均|单位|万元|占|中央本级|中央|高技术|高新技术|新兴产业|地方级|税收|业|手|轻|重|乡镇|村办|社队|炼|增产)$")
NATIONAL_PREFIX_BLOCK = re.compile(r"地方$")  # in a State Council report 地方财政赤字 is the local governments' share
SUFFIX_BLOCK = re.compile(r"^(?:的?比重|的?比例|之比|中所占|占比|中的|中)")
CLAUSE_END = re.compile(r"[；;。！？!?\n]")
PIECE_END = re.compile(r"[，,；;。！？!?\n]")
AVERAGE_AFTER = re.compile(r"年均|平均每年|每年平均|递增")
FROM_BEFORE = re.compile(r"(?:从|由)\s*$")  # 由1655亿美元到3251亿美元 is a change, not a range
EARMARK_AFTER = re.compile(r"\s*(?:专项)?(?:用于|支持)")  # 超长期特别国债3000亿元支持消费品以旧换新: a share
GROWTH_NAME = re.compile(r"增长|增速")
CAPACITY_RE = re.compile(r"生产能力|生产规模|年产能力|设计能力|产能")
PROJECT_AFTER = re.compile(r"[^，,。；;]{0,12}?项目")  # 刚和石油8万吨润滑油脂加工项目: a project's scale
# Years and 去年 that are only a baseline (比去年增加5600亿元, 等于一九四九年的十三点七倍) do not date a figure:
# they are masked (same length, offsets kept) before the kind and year are read.
BASELINE_MASK = re.compile(r"(?<=比|较)(?:去年|上年)|(?<=等于|当于)\s*(?:" + YEAR_TOKEN + ")")
THIS_YEAR = re.compile(r"今年|本年度?")  # 经济增长预期目标为7%左右: the name says the percentage is the growth


@dataclass
class _Figure:
    start: int
    end: int  # after the figure, its unit and a trailing qualifier
    number: float
    unit: str
    qualifier: str
    high: float | None = None  # upper end of a range (6%－6.5%)


def _figures(norm: str, start: int, end: int) -> list[_Figure]:
    found: list[_Figure] = []
    for m in VALUE_UNIT_RE.finditer(norm, start, end):
        if found and m.start() < found[-1].end:
            continue  # the upper end of a range already read
        number, unit, approx = read_value(m)
        if number is None or (not unit and norm[m.end():m.end() + 2].lstrip().startswith("年")):
            continue  # a year is context, not a figure
        fig_end = m.end()
        high = None
        ranged = None if FROM_BEFORE.search(norm, max(start, m.start() - 2), m.start()) else \
            read_range_high(norm[:end], fig_end, unit)
        if ranged is not None and ranged[0] > number:
            high, unit, fig_end = ranged
        qualifier = QUALIFIER_NAMES.get(approx, "")
        after = QUALIFIER_AFTER.match(norm, fig_end, end)
        if after:
            qualifier, fig_end = QUALIFIER_NAMES[after.group(1)], after.end()
        before = QUALIFIER_BEFORE.search(norm, max(start, m.start() - 4), m.start())
        if before and not qualifier:
            qualifier = QUALIFIER_NAMES[before.group(1)]
        found.append(_Figure(m.start(), fig_end, number, unit, qualifier, high))
    return found


@dataclass
class _Reading:
    values: list[_Figure] = field(default_factory=list)
    growths: list[tuple[_Figure, float]] = field(default_factory=list)
    rate_values: list[_Figure] = field(default_factory=list)
    respectively: bool = False
    listed: bool = False  # a list of figures (…5%和7%): per member, or ambiguous for one indicator
    level_value: _Figure | None = None  # the last value reached (…增加到181.8亿元)
    level_rate: _Figure | None = None  # the rate reached (赤字率从去年的2.1%提高到2.3%)
    earmarked: bool = False  # the figure is a share for a purpose (…3000亿元支持消费品以旧换新)
    rank: tuple[int, int] | None = None
    end: int = 0
    first: int = -1  # where the first figure read starts


def _strip_gap(gap: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove parentheticals and rank phrases from a gap; returns the rest and the rank spans (gap offsets)."""
    ranks = [(m.start(), m.end()) for m in RANK_RE.finditer(gap)]
    rest = RANK_RE.sub("", gap)
    rest = PAREN_RE.sub("", rest)
    return rest, ranks


def _read_scope(norm: str, start: int, end: int, indicator: Indicator, growth_named: bool = False) -> _Reading:
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
        kind = _figure_kind(fig, rest, indicator, previous if joined else None, growth_named)
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
            if START_TAIL.search(rest) and not joined:
                cursor = fig.end
                continue  # 从去年的2.1%提高到2.3%: the rate before
            sign = -1.0 if DECLINE_TAIL.search(rest) and not LEVEL_TAIL.search(rest) else 1.0
            rate = _Figure(fig.start, fig.end, sign * fig.number, fig.unit, fig.qualifier, fig.high)
            reading.rate_values.append(rate)
            if LEVEL_TAIL.search(rest):
                reading.level_rate = rate
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
    reading.earmarked = bool(reading.values) and EARMARK_AFTER.match(norm, reading.values[-1].end) is not None
    return reading


def _inside_paren(norm: str, start: int, pos: int) -> bool:
    depth = 0
    for ch in norm[start:pos]:
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
    return depth > 0


def _figure_kind(fig: _Figure, gap: str, indicator: Indicator, previous: str | None,
                 growth_named: bool = False) -> str:
    family = unit_family(fig.unit)
    if fig.unit in OTHER_UNITS:
        return "skip"
    if family == "percent":
        if previous in ("growth", "rate"):
            return previous
        if indicator.measure == "rate":
            return "rate" if fig.unit == "%" else "skip"
        growth_gap = growth_named or GROWTH_TAIL.search(gap) or DECLINE_TAIL.search(gap)
        if fig.unit == "%" and growth_gap and not LEVEL_TAIL.search(gap):
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


def _mentions(norm: str, table: IndicatorTable, national: bool = False) -> list[tuple[int, int, Indicator]]:
    pattern, synonyms = mention_pattern(table)
    found = []
    for m in pattern.finditer(norm):
        if PREFIX_BLOCK.search(norm, max(0, m.start() - 4), m.start()):
            continue
        if national and NATIONAL_PREFIX_BLOCK.search(norm, max(0, m.start() - 2), m.start()):
            continue
        item = norm[m.end():m.end() + 1] in ("：", ":") and (m.start() == 0 or norm[m.start() - 1] in "\n。；;")
        if m.end() - m.start() == 1 and not VALUE_UNIT_RE.match(norm, m.end()) and not item:
            continue  # 钢 only as 钢二百十七万吨 or a list's item (钢：从…增加到…), never 钢材 / 钢铁
        if SUFFIX_BLOCK.match(norm, m.end()):
            continue
        found.append((m.start(), m.end(), synonyms[m.group(0)]))
    return found


def extract_chunk(report: Report, chunk: Chunk, paragraph_lead: str = "", table: IndicatorTable | None = None,
                  hint: tuple[str | None, int | None] = (None, None)) -> list[LedgerRow]:
    """Ledger rows of one chunk (see the module docstring)."""
    table = table or load_table()
    text = chunk.text
    norm = aligned_search_text(text)
    mentions = _mentions(norm, table, report.level == "national")
    if not mentions:
        return []
    part, heading_year = heading_part(chunk.section_path, report.year)
    if part is None:
        part, heading_year = hint
    lead = aligned_search_text(paragraph_lead or text[:40])
    dating = _dating_text(norm)
    if part == "multi-review" and report.year is not None and _lead_year(lead) == report.year - 1:
        part, heading_year = "review", report.year - 1  # 刚刚过去的2017年，… inside 过去五年工作回顾
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
        named_growth = GROWTH_NAME.search(norm, group[-1][0], group[-1][1]) is not None
        reading = _read_scope(norm, group[-1][1], scope_end, members[0], named_growth)
        if reading.end <= group[-1][1] or reading.earmarked:
            continue
        sentence_start = max((m.end() for m in SENTENCE_END.finditer(norm, 0, group[0][0])), default=0)
        if CAPACITY_RE.search(norm[sentence_start:reading.end]):
            continue  # 它的生产规模可以扩大到年产…钢三百二十二万吨: a plant's capacity, not the indicator's output
        if PROJECT_AFTER.match(norm, reading.end):
            continue
        figure_start = reading.level_value.start if reading.level_value is not None else reading.first
        kind, ref_year = classify(dating, sentence_start, group[0][0], figure_start,
                                  _dating_end(norm, reading.end, scope_end), lead, part, heading_year, report.year)
        if kind == "multi-year" and ref_year is None and THIS_YEAR.search(dating, sentence_start, group[0][0]):
            kind, ref_year = "target", report.year  # 今年国民生产总值计划增长百分之八 inside a long-term part
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
    if indicator.measure == "rate" and count == 1 and reading.level_rate is not None and not reading.listed:
        value_fig = reading.level_rate  # 赤字率从去年的2.1%提高到2.3% → 2.3
    elif indicator.measure == "rate":
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
    growth = growth_high = None
    qualifier, qualifier_of = "", ""
    if growth_item is not None:
        fig, sign = growth_item
        growth = sign * fig.number
        growth_high = sign * fig.high if fig.high is not None else None
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
        value_high=value_fig.high if value_fig is not None else None, growth_high=growth_high,
    )


def _dating_end(norm: str, end: int, scope_end: int) -> int:
    """How far after its figures a figure's sentence still dates it: the rest of the clause when it averages
    (…402亿元，平均每年递增8.1%), else the end of the figure's comma piece (5%左右，…并与“十四五”规划衔接 names
    the plan the target fits, not the period of the figure)."""
    piece = PIECE_END.search(norm, end, scope_end)
    if piece is None or AVERAGE_AFTER.search(norm, piece.start(), scope_end):
        return scope_end
    return piece.start()


def _dating_text(norm: str) -> str:
    """``norm`` with baseline years masked and ○ read as 〇 (一九○七年), for dating figures."""
    return BASELINE_MASK.sub(lambda m: "＊" * len(m.group(0)), norm.replace("○", "〇"))


def _lead_year(lead: str) -> int | None:
    """The year a paragraph opens with (刚刚过去的2017年，…), when its opening names exactly one."""
    opening = re.split(r"[。；;！？!?]", lead[:24], maxsplit=1)[0]
    years = {year_value(m.group(1)) for m in YEAR_RE.finditer(opening)}
    return years.pop() if len(years) == 1 else None


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
