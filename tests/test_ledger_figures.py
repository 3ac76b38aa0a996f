"""Ledger rules for the national reports: Chinese numerals, ranges, the indicators national reports need
(赤字率, 专项债券, 超长期特别国债, 钢产量, 工农业总产值 …), dating (baseline years, a paragraph about last year)
and the upper end of ranges in the store."""

from __future__ import annotations

import sqlite3

import pytest

from rag.core.models import Chunk, Report
from rag.core.numbers import VALUE_UNIT_RE, read_range_high, read_value, unsupported_figures
from rag.reports.indicators import load_table, question_indicators
from rag.reports.ledger import LedgerRow, extract_chunk, query_ledger


def _rows(text: str, year: int = 2024, path: list[str] | None = None, level: str = "national",
          lead: str = "") -> list[LedgerRow]:
    report = Report(report_id="t", title=f"{year}年政府工作报告", year=year, level=level)
    chunk = Chunk("t:p0001", "t", 0, 1, 1, 0, path if path is not None else [], 0, len(text), text, text, "")
    return extract_chunk(report, chunk, lead)


def _one(rows: list[LedgerRow], indicator: str) -> LedgerRow:
    found = [r for r in rows if r.indicator == indicator]
    assert len(found) == 1, [(r.indicator, r.quote) for r in rows]
    return found[0]


# -- numbers ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("增长百分之七。", (7, "%", "")),  # one character: cn2an reads it, the figure reader used to skip it
    ("钢二百十七万吨", (217, "万吨", "")),  # 二百十七 as the 1950s wrote it
    ("一千三百八十七亿四千万元", (1387.4, "亿元", "")),  # 亿 inside, 万 in the unit
    ("四亿零七百多万吨", (4.07, "亿吨", "多")),
    ("一万六千七百七十亿元", (16770, "亿元", "")),  # 万 inside, 亿 in the unit: not 六千七百七十亿元
    ("达到74.4\u200b万亿元", (74.4, "万亿元", "")),  # a zero-width space between number and unit
])
def test_chinese_numerals_and_scraped_spacing(text, expected):
    value, unit, approx = read_value(VALUE_UNIT_RE.search(text))
    assert (value, unit, approx) == (pytest.approx(expected[0]), expected[1], expected[2])


def test_grounding_reads_one_character_percentages_and_traditional_scale_words():
    assert unsupported_figures("growth of 6% [1]", ["国民生产总值增长百分之六"]) == []
    assert unsupported_figures("糧食產量三千九百二十億斤[1]", ["粮食产量三千九百二十亿斤"]) == []
    assert unsupported_figures("growth of 7% [1]", ["国民生产总值增长百分之六"]) == ["7%"]


@pytest.mark.parametrize(("tail", "unit", "expected"), [
    ("－6.5%", "%", (6.5, "%")),
    ("-7%", "", (7, "%")),  # 6.5-7%: the unit is written once, after the upper end
    ("至九", "%", (9, "%")),  # 百分之八至九
    ("至百分之十", "%", (10, "%")),
    ("到二十亿元", "亿元", (20, "亿元")),
    ("到一九五七年", "%", None),  # 百分之三十九点七到一九五七年: a year, not a range
    ("-2019年", "", None),
    ("到30万吨", "亿元", None),  # another unit
])
def test_range_upper_end(tail, unit, expected):
    found = read_range_high(tail, 0, unit)
    assert (found[:2] if found else None) == expected


# -- rows -----------------------------------------------------------------------------------------------------
def test_growth_ranges_keep_both_ends_and_quote_the_whole_range():
    (row,) = _rows("今年经济社会发展的主要预期目标是：国内生产总值增长6%－6.5%；", year=2019)
    assert (row.growth, row.growth_high, row.kind, row.ref_year) == (6, 6.5, "target", 2019)
    assert row.quote == "国内生产总值增长6%－6.5%" and row.figure_text() == "增长6%－6.5%"
    (row,) = _rows("经济增长速度的宏观调控目标，定为百分之八至九。", year=1995)
    assert (row.indicator, row.growth, row.growth_high) == ("地区生产总值", 8, 9)
    row = _one(_rows("国内生产总值增长6.5-7%，居民消费价格涨幅3%左右。", year=2016), "地区生产总值")
    assert (row.growth, row.growth_high) == (6.5, 7)


def test_a_change_is_not_a_range():
    (row,) = _rows("进出口总额由1655亿美元到3251亿美元。", year=1998)
    assert row.value_high is None


def test_chinese_numeral_figures_of_old_reports():
    (row,) = _rows("1991年国民生产总值比上年增长百分之七。", year=1992)
    assert (row.indicator, row.growth, row.kind, row.ref_year) == ("国民生产总值", 7, "actual", 1991)
    (row,) = _rows("今年国民生产总值计划增长百分之八，是留有余地的。", year=1993)
    assert (row.growth, row.kind, row.ref_year) == (8, "target", 1993)
    (row,) = _rows("1984年粮食产量达到四亿零七百多万吨，比上年增长5.1%。", year=1985)
    assert (row.value, row.unit, row.qualifier, row.growth) == (pytest.approx(4.07), "亿吨", "以上", 5.1)
    (row,) = _rows("我国的工农业总产值在一九五七年达到了一千三百八十七亿四千万元。", year=1959)
    assert (row.indicator, row.value, row.unit, row.ref_year) == ("工农业总产值", pytest.approx(1387.4), "亿元", 1957)


def test_deficit_bonds_and_special_treasury_bonds():
    rows = _rows("今年赤字率拟按3%安排，赤字规模4.06万亿元，比上年年初预算增加1800亿元。拟安排地方政府专项债券"
                 "3.9万亿元、比上年增加1000亿元。拟发行超长期特别国债1.3万亿元。", path=["二、2024年政府工作任务"])
    got = {(r.indicator, r.value, r.unit, r.kind, r.ref_year) for r in rows}
    assert got == {("赤字率", 3, "%", "target", 2024), ("财政赤字", 4.06, "万亿元", "target", 2024),
                   ("地方政府专项债券", 3.9, "万亿元", "target", 2024), ("超长期特别国债", 1.3, "万亿元", "target", 2024)}


def test_a_rate_from_to_is_the_rate_reached():
    (row,) = _rows("今年拟安排财政赤字1.62万亿元，比去年增加2700亿元，赤字率从去年的2.1%提高到2.3%。", year=2015,
                   path=["二、2015年工作总体部署"])[1:]
    assert (row.indicator, row.value, row.kind, row.ref_year) == ("赤字率", 2.3, "target", 2015)


def test_a_baseline_last_year_does_not_date_the_figure():
    rows = _rows("今年拟安排财政赤字2.18万亿元，比去年增加5600亿元，赤字率提高到3%。", year=2016)
    assert {(r.indicator, r.kind, r.ref_year) for r in rows} == {("财政赤字", "target", 2016), ("赤字率", "target", 2016)}


def test_shares_earmarks_and_local_parts_of_national_budgets_are_not_totals():
    assert _rows("安排超长期特别国债3000亿元支持消费品以旧换新。", year=2025) == []
    assert _rows("其中，中央财政赤字1.12万亿元；地方财政赤字5000亿元。", year=2015) == []
    assert _rows("五年淘汰落后炼钢产能5500万吨，钢材2000万吨。", year=2007) == []  # 钢 only right before a figure
    (row,) = _rows("生铁三百零三万吨；钢二百十七万吨，等于一九四九年的十三点七倍。", year=1954, path=["今年"])
    assert (row.indicator, row.value, row.ref_year) == ("钢产量", 217, 1954)  # 等于一九四九年: a baseline


def test_growth_named_by_the_wording():
    (row,) = _rows("经济增长预期目标为5%左右，考虑了促进就业增收等需要，并与“十四五”规划相衔接。", year=2024,
                   path=["二、2024年政府工作任务"])  # the plan it fits is named after the figure: not a period
    assert (row.indicator, row.growth, row.qualifier, row.kind, row.ref_year) == ("地区生产总值", 5, "左右", "target", 2024)
    assert _rows("消费对经济增长的贡献率达到66.4%。", year=2016) == []


def test_a_paragraph_about_last_year_inside_a_five_year_review():
    text = "刚刚过去的2017年，经济社会发展主要目标任务全面完成。国内生产总值增长6.9%，城镇新增就业1351万人。"
    rows = _rows(text, year=2018, path=["一、过去五年工作回顾"], lead=text[:40])
    assert {(r.indicator, r.kind, r.ref_year) for r in rows} == {("地区生产总值", "actual", 2017),
                                                                 ("城镇新增就业", "actual", 2017)}


def test_years_written_with_a_circle():
    (row,) = _rows("我国在一九○七年建设起汉阳钢铁厂，当年的钢产量只有八千五百多吨。", year=1955)
    assert row.ref_year == 1907


def test_question_indicators():
    names = lambda q: [i.name for i in question_indicators(q)]  # noqa: E731
    assert names("2016—2019年GDP增长目标分别是多少？") == ["地区生产总值"]
    assert names("2023年人均GDP是多少？") == ["人均地区生产总值"]
    assert names("2023年赤字占国内生产总值的比重") == []
    assert names("What deficit-to-GDP ratio was planned?") == ["赤字率"]
    assert names("How much grain and steel output was targeted?") == ["粮食产量", "钢产量"]
    assert names("How did the local government special bond quota change?") == ["地方政府专项债券"]
    assert names("How much did the economy grow?") == ["地区生产总值"]
    assert names("What does the report say about investment in education?") == []
    assert names("城乡居民人均可支配收入增长多少") == ["城镇居民人均可支配收入", "农村居民人均可支配收入"]


def test_new_indicators_are_in_the_table():
    names = {i.name for i in load_table().indicators}
    assert {"赤字率", "财政赤字", "地方政府专项债券", "超长期特别国债", "钢产量", "工农业总产值", "国民收入"} <= names


# -- storage --------------------------------------------------------------------------------------------------
def test_range_ends_are_stored_and_old_stores_gain_the_columns():
    from rag.reports.ledger import LEDGER_SCHEMA, write_ledger

    conn = sqlite3.connect(":memory:")
    conn.executescript(LEDGER_SCHEMA)
    report = Report(report_id="r", title="2019年政府工作报告", year=2019, level="national")
    text = "今年发展主要预期目标是：国内生产总值增长6%－6.5%；城镇新增就业1100万人以上。"
    chunk = Chunk("r:p0001", "r", 0, 1, 1, 0, [], 0, len(text), text, text, "")
    write_ledger(conn, report, [chunk])
    (gdp,) = query_ledger(conn, indicators=["地区生产总值"])
    assert (gdp.growth, gdp.growth_high, gdp.kind, gdp.ref_year) == (6, 6.5, "target", 2019)
    conn.execute("ALTER TABLE ledger DROP COLUMN growth_high")  # a store written before the column
    assert query_ledger(conn, indicators=["地区生产总值"])[0].growth_high is None  # still readable
    write_ledger(conn, report, [chunk])  # the re-extraction a new LEDGER_VERSION starts adds it back
    assert query_ledger(conn, indicators=["地区生产总值"])[0].growth_high == 6.5
    assert conn.execute("SELECT count(*) FROM pragma_table_info('ledger') "
                        "WHERE name IN ('value_high', 'growth_high')").fetchone() == (2,)
