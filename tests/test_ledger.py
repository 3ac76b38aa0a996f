"""Indicator ledger: hand-checked rows of the five seeds (Simplified and Traditional), kinds, units, qualifiers,
exact quotes, storage in the report's transaction, migration of old stores, target-vs-actual pairing."""

from __future__ import annotations

import sqlite3

import pytest

from rag.core.models import Chunk, Report
from rag.core.numbers import unsupported_figures
from rag.reports.indicators import KINDS, IndicatorError, load_table, resolve_indicator
from rag.reports.ledger import (
    UNIT_FAMILIES,
    LedgerRow,
    aligned_search_text,
    extract_chunk,
    extract_ledger,
    target_checks,
)

S000, S001, S002, S003, S004 = (
    "000_748cc8dca99de2ec.txt", "001_377fd206c21df32a.txt", "002_bddc84386e9e697e.txt",
    "003_a4fd2a1ae2d076c2.txt", "004_47fca0f5403c067d.txt",
)

# (seed, indicator, kind, ref_year, value, unit, growth, qualifier, rank, quote) — checked by hand against the text
EXAMPLES = [  # the five examples of the issue
    (S000, "地区生产总值", "actual", 2022, 129, "亿元", 3.1, "", "", "地区生产总值完成129亿元,同比增长3.1%"),
    (S000, "地区生产总值", "target", 2023, None, "", 5, "", "", "地区生产总值增长5%"),
    (S002, "地区生产总值", "target", 2022, None, "", 8, "左右", "", "地区生产总值增长8%左右"),
    (S004, "地区生产总值", "target", 2019, 122, "亿元", 6.5, "", "", "地區生產總值實現122億元,同比增長6.5%"),
    (S001, "地区生产总值", "actual", 2022, None, "", 5, "左右", "", "生產總值同比增5%左右"),  # 區域內: no synonym of its own (one seed)
]
HAND_CHECKED = [
    # 凌河区 2023 report (Simplified): 2022 results and 2023 targets
    (S000, "固定资产投资", "actual", 2022, 33.8, "亿元", 27.5, "", "增速全市第一", "固定资产投资完成33.8亿元,增长27.5%,增速全市第一"),
    (S000, "一般公共预算收入", "actual", 2022, 7.4, "亿元", 24.73, "", "增速全市第二", None),
    (S000, "规模以上工业增加值", "actual", 2022, 4.15, "亿元", None, "", "增速全市第五", "规模以上工业增加值完成4.15亿元,增速全市第五"),
    (S000, "外贸进出口", "actual", 2022, 1.09, "亿元", 29, "", "增速全市第四", None),
    (S000, "社会消费品零售总额", "actual", 2022, 102.2, "亿元", None, "", "总量全市第一", None),
    (S000, "实际利用外资", "actual", 2022, 120, "万美元", None, "", "", "实际利用外资完成120万美元"),
    (S000, "城镇居民人均可支配收入", "actual", 2022, 41165, "元", 2.6, "", "",
     "城镇和农村人均可支配收入分别达到41165元和20530元,分别增长2.6%"),
    (S000, "农村居民人均可支配收入", "actual", 2022, 20530, "元", 2.6, "", "", None),
    (S000, "民生支出", "actual", 2022, 75354, "万元", 7.3, "", "", "民生领域支出75354万元,增长7.3%"),
    (S000, "城镇新增就业", "actual", 2022, 3900, "人", None, "", "", "新增就业3900人"),
    (S000, "一般公共预算收入", "target", 2023, None, "", 2.5, "", "", None),
    (S000, "实际利用外资", "target", 2023, 440, "万美元", None, "", "", "实际利用外资440万美元"),
    (S000, "城镇新增就业", "target", 2023, 4100, "人", None, "", "", "城镇新增就业人数4100人"),
    (S000, "农村居民人均可支配收入", "target", 2023, None, "", 7, "", "", "城乡居民人均可支配收入分别增长5%和7%"),
    # 麒麟区 2023 report (Traditional)
    (S001, "一般公共预算收入", "actual", 2022, None, "", -2.8, "", "", "一般公共預算收入同口徑下降2.8%"),
    (S001, "城镇居民人均可支配收入", "actual", 2022, None, "", 3, "左右", "", "城鄉居民人均可支配收入同比分別增3%、7%左右"),
    (S001, "农村居民人均可支配收入", "actual", 2022, None, "", 7, "左右", "", None),
    (S001, "外贸进出口", "actual", 2022, 4.12, "亿美元", None, "", "", "外貿進出口4.12億美元"),
    (S001, "城镇新增就业", "actual", 2022, 1.11, "万人", None, "", "", "新增城鎮就業1.11萬人"),
    (S001, "地区生产总值", "target", 2023, None, "", 8, "以上", "", "生產總值增8%以上"),
    (S001, "规模以上工业增加值", "target", 2023, None, "", 13, "以上", "", None),
    (S001, "粮食产量", "target", 2023, 23, "万吨", None, "以上", "", "糧食產量23萬噸以上"),
    # 解放区 2022 report (Simplified): 2021 results, five-year figures, 2022 targets
    (S002, "地区生产总值", "actual", 2021, 181.8, "亿元", 5.3, "", "", "地区生产总值完成181.8亿元,同比增长5.3%"),
    (S002, "城镇居民人均可支配收入", "actual", 2021, 39607, "元", None, "", "", None),
    (S002, "城镇登记失业率", "actual", 2021, 3, "%", None, "以内", "", "登记失业率控制在3%以内"),
    (S002, "地区生产总值", "multi-year", 2021, 181.8, "亿元", None, "", "",
     "地区生产总值年均增长10亿元以上,从129.6亿元增加到181.8亿元"),
    (S002, "规模以上工业增加值", "target", 2022, None, "", 8.5, "以上", "", None),
    (S002, "社会消费品零售总额", "target", 2022, None, "", 8.5, "", "", "社会消费品零售总额增长8.5%"),
    # 西市区 2019 report (Traditional): 2018 results and 2019 targets
    (S004, "地区生产总值", "actual", 2018, 118, "亿元", 5.5, "", "", "地區生產總值實現118億元,同比增長5.5%"),
    (S004, "实际利用外资", "actual", 2018, 316, "万美元", 378, "", "", "實際利用外資完成316萬美元,同比增長378%"),
    (S004, "外贸出口", "actual", 2018, 3.26, "亿元", 17.5, "", "", "外貿出口創匯完成3.26億元,同比增長17.5%"),
    (S004, "城镇登记失业率", "actual", 2018, 2.9, "%", None, "以内", "", "城鎮登記失業率控制在2.9%以內"),
    (S004, "一般公共预算收入", "target", 2019, 3.1, "亿元", 6.5, "", "", "公共財政預算收入實現3.1億元,同比增長6.5%"),
    (S004, "实际利用外资", "target", 2019, 500, "万美元", 58, "", "", "實際利用外資實現500萬美元,同比增長58 %"),
    (S004, "居民人均可支配收入", "target", 2019, 39094, "元", 7, "", "", "人均可支配收入實現39094元,同比增長7%"),
]


@pytest.fixture(scope="module")
def ledgers(parsed_seeds):
    return {name: extract_ledger(p.report, p.chunks) for name, p in parsed_seeds.items()}


def _find(rows: list[LedgerRow], indicator: str, kind: str, ref_year: int, value, growth) -> LedgerRow:
    for row in rows:
        if (row.indicator, row.kind, row.ref_year) == (indicator, kind, ref_year) and row.value == (
                None if value is None else pytest.approx(value)) and row.growth == (
                None if growth is None else pytest.approx(growth)):
            return row
    listing = "\n".join(f"{r.indicator} {r.kind} {r.ref_year} {r.value} {r.growth} | {r.quote}" for r in rows)
    raise AssertionError(f"no row {indicator} {kind} {ref_year} value={value} growth={growth} in:\n{listing}")


@pytest.mark.parametrize("case", EXAMPLES + HAND_CHECKED, ids=lambda c: f"{c[0][:3]}-{c[1]}-{c[2]}-{c[3]}")
def test_hand_checked_rows(ledgers, case):
    seed, indicator, kind, ref_year, value, unit, growth, qualifier, rank, quote = case
    row = _find(ledgers[seed], indicator, kind, ref_year, value, growth)
    assert row.unit == unit and row.qualifier == qualifier and row.rank == rank
    if quote is not None:
        assert row.quote == quote


def test_at_least_thirty_hand_checked_rows_beyond_the_examples():
    assert len(HAND_CHECKED) >= 30
    assert {c[0] for c in HAND_CHECKED} >= {S000, S001, S002, S004}  # S003 states no indicator figure


def test_every_row_quotes_its_chunk_exactly_and_every_figure_is_in_the_quote(parsed_seeds, ledgers):
    for name, rows in ledgers.items():
        chunks = {c.chunk_id: c for c in parsed_seeds[name].chunks}
        for row in rows:
            text = chunks[row.chunk_id].text
            assert row.quote and text[row.quote_start:row.quote_start + len(row.quote)] == row.quote
            assert row.value is not None or row.growth is not None
            assert not unsupported_figures(row.figure_text(), [row.quote]), (row.figure_text(), row.quote)
            assert row.paragraph == chunks[row.chunk_id].paragraph


def test_kinds_units_and_qualifiers(ledgers):
    rows = [r for rs in ledgers.values() for r in rs]
    assert {r.kind for r in rows} == set(KINDS)
    units = {u for us in UNIT_FAMILIES.values() for u in us}
    assert {r.unit for r in rows} <= units | {""}
    assert {r.qualifier for r in rows} <= {"", "左右", "以上", "以内"}
    assert all(r.qualifier_of in ("value", "growth") for r in rows if r.qualifier)
    assert all(r.unit == "" for r in rows if r.value is None)
    by_seed = {name: {r.kind for r in rs} for name, rs in ledgers.items()}
    assert by_seed[S000] == {"actual", "target"} and "multi-year" in by_seed[S002]
    # 2022/2023 reports: the review states last year, the plan this year
    assert all(r.ref_year == 2022 for r in ledgers[S000] if r.kind == "actual")
    assert all(r.ref_year == 2023 for r in ledgers[S000] if r.kind == "target")


def test_excerpt_without_indicator_figures_has_no_rows(ledgers):
    # 锦州市 excerpt: 职业院校招生增长20%, pm2.5浓度改善10.1% … are not indicators of the table
    assert ledgers[S003] == []


def test_regions_and_report_years(ledgers):
    assert {r.region for r in ledgers[S001]} == {"曲靖市麒麟区"}
    assert {r.report_year for r in ledgers[S004]} == {2019}


# -- single sentences -------------------------------------------------------------------------------------
def _rows(text: str, year: int = 2024, path: list[str] | None = None) -> list[LedgerRow]:
    report = Report(report_id="t", title=f"{year}年政府工作报告", year=year, level="national")
    chunk = Chunk("t:p0001", "t", 0, 1, 1, 0, path if path is not None else [f"一、{year - 1}年工作回顾"], 0,
                  len(text), text, text, "")
    return extract_chunk(report, chunk)


def test_value_with_qualifier_growth_and_rank():
    (row,) = _rows("国内生产总值超过126万亿元，增长5.2%，增速居世界主要经济体前列。")
    assert (row.indicator, row.value, row.unit, row.growth, row.qualifier, row.qualifier_of) == (
        "地区生产总值", 126, "万亿元", 5.2, "以上", "value")
    assert row.rank == "增速居世界主要经济体前列" and (row.kind, row.ref_year) == ("actual", 2023)


def test_rates_are_values_and_longest_synonym_wins():
    rows = _rows("今年发展主要预期目标是：国内生产总值增长5%左右；城镇调查失业率5.5%左右；居民消费价格涨幅3%左右；"
                 "单位国内生产总值能耗降低2.5%左右。", path=["二、2024年经济社会发展总体要求和政策取向"])
    got = {(r.indicator, r.value, r.unit, r.growth, r.kind, r.ref_year) for r in rows}
    assert got == {("地区生产总值", None, "", 5, "target", 2024), ("城镇调查失业率", 5.5, "%", None, "target", 2024),
                   ("居民消费价格", 3, "%", None, "target", 2024),
                   ("单位地区生产总值能耗", None, "", -2.5, "target", 2024)}


def test_shares_projects_and_per_capita_are_not_mistaken_for_the_indicator():
    assert _rows("财政性教育经费占国内生产总值的比重从2.5%提高到3.3%。") == []
    assert _rows("实现固定资产投资动态储备100亿元。") == []
    (row,) = _rows("人均国内生产总值突破1000美元。")
    assert row.indicator == "人均地区生产总值" and row.value == 1000 and row.unit == "美元"


def test_chinese_numerals_full_width_digits_and_spaced_digits():
    (row,) = _rows("进出口总额增长百分之十七点五。", year=1992, path=[])
    assert (row.indicator, row.growth) == ("外贸进出口", 17.5)
    (row,) = _rows("粮食产量达到三千二百七十八亿斤。", year=1955, path=[])
    assert (row.value, row.unit) == (3278, "亿斤")
    (row,) = _rows("全社会固定资产投资增长１４·１％。", year=1999)
    assert row.growth == 14.1
    (row,) = _rows("进出口总额由1 6 5 5 亿美元增加到3 2 5 1 亿美元。", year=1998)
    assert (row.value, row.unit) == (3251, "亿美元")


def test_from_to_takes_the_level_reached_and_the_period_end_year():
    (row,) = _rows("国内生产总值从1997年的7.4万亿元增加到2002年的10.2万亿元。", year=2003, path=["一、过去五年工作回顾"])
    assert (row.value, row.unit, row.kind, row.ref_year) == (10.2, "万亿元", "multi-year", 2002)


def test_a_sum_over_several_years_is_no_single_years_result():
    """“十一五”前四年累计…下降14.38% (the 2010 report) is the sum of 2006–2009, not 2009's fall."""
    (row,) = _rows("“十一五”前四年累计单位国内生产总值能耗下降14.38%。", year=2010)
    assert row.kind == "multi-year"
    (row,) = _rows("单位国内生产总值能耗下降3.27%。", year=2010)
    assert (row.kind, row.ref_year) == ("actual", 2009)


def test_ambiguous_lists_give_no_growth():
    (row,) = _rows("农村居民人均纯收入4761元，实际增长8.4%和8%。", year=2009)
    assert (row.indicator, row.value, row.growth) == ("农村居民人均可支配收入", 4761, None)


def test_last_years_missed_target_is_a_target():
    (row,) = _rows("但是，全国没有实现年初确定的单位国内生产总值能耗降低4%左右的目标。", year=2007)
    assert (row.kind, row.ref_year, row.growth) == ("target", 2006, -4)


def test_aligned_text_keeps_offsets():
    for text in ["地區生產總值實現118億元", "ＧＤＰ增长５％", "乾隆年間 國內生產總值", "ß İ ﬁ ㎡ 增長"]:
        assert len(aligned_search_text(text)) == len(text)
    assert aligned_search_text("國內生產總值１２９億元") == "国内生产总值129亿元"


# -- the synonym table -------------------------------------------------------------------------------------
def test_names_synonyms_traditional_and_english_aliases_resolve():
    assert resolve_indicator("GDP") == ["地区生产总值"]
    assert resolve_indicator("國內生產總值") == ["地区生产总值"]
    assert resolve_indicator("fiscal revenue") == ["一般公共预算收入"]
    assert resolve_indicator("Fixed-Asset Investment") == ["固定资产投资"]
    assert resolve_indicator("城乡居民人均可支配收入") == ["城镇居民人均可支配收入", "农村居民人均可支配收入"]
    with pytest.raises(IndicatorError, match="unknown indicator"):
        resolve_indicator("happiness")


def test_table_is_well_formed():
    table = load_table()
    names = [i.name for i in table.indicators]
    assert len(names) == len(set(names)) and len(table.checksum) == 16
    assert all(part in names for i in table.indicators for part in i.parts)
    assert {"地区生产总值", "一般公共预算收入", "固定资产投资", "规模以上工业增加值", "社会消费品零售总额", "外贸进出口",
            "实际利用外资", "城镇居民人均可支配收入", "农村居民人均可支配收入", "城镇新增就业", "城镇登记失业率",
            "民生支出"} <= set(names)


# -- storage -------------------------------------------------------------------------------------------------
def test_a_projects_scale_is_no_output():
    """刚和石油8万吨润滑油脂加工项目: a company's name and a project's scale, not crude oil output (石油 is the old
    reports' word for it: 石油增长六点五倍)."""
    rows = _rows("工业项目中，投资2亿元的刚和石油8万吨润滑油脂加工项目完成总工程量的80%。", 2019)
    assert not [r for r in rows if r.indicator == "原油产量"]
    rows = _rows("钢增长一点二倍，原煤增长百分之九十一，石油达到一亿零四百万吨。", 1979)
    assert [r for r in rows if r.indicator == "原油产量"]


def test_ledger_is_stored_with_the_report_and_deleted_with_it(tmp_path):
    from rag.core.config import Settings
    from rag.index.store import ReportStore
    from rag.ingest.pipeline import ingest_paths
    from tests.conftest import SEEDS

    store = ReportStore(tmp_path / "idx")
    ingest_paths(store, [SEEDS / S004], Settings(index_dir=tmp_path / "idx"))
    count = store.conn.execute("SELECT count(*) FROM ledger WHERE report_id=?", (S004[:-4],)).fetchone()[0]
    assert count == 17
    assert store.delete(S004[:-4])
    assert store.conn.execute("SELECT count(*) FROM ledger").fetchone()[0] == 0
    store.close()


def test_existing_store_gets_its_ledger_on_open(tmp_path):
    from rag.core.config import Settings
    from rag.index.store import ReportStore
    from rag.ingest.pipeline import ingest_paths
    from tests.conftest import SEEDS

    store = ReportStore(tmp_path / "idx")
    ingest_paths(store, [SEEDS / S000, SEEDS / S002], Settings(index_dir=tmp_path / "idx"))
    before = store.conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
    store.close()
    conn = sqlite3.connect(tmp_path / "idx" / "reports.db")  # an index written before the ledger existed
    conn.execute("DROP TABLE ledger")
    conn.execute("DELETE FROM meta WHERE key='ledger_version'")
    conn.commit()
    conn.close()
    store = ReportStore(tmp_path / "idx")
    assert store.conn.execute("SELECT count(*) FROM ledger").fetchone()[0] == before == 22 + 17
    store.close()


def test_services_filters(store_services):
    rows = store_services.indicators(indicator="GDP", kind="target")
    assert {(r.region, r.ref_year) for r in rows} == {
        ("锦州市凌河区", 2023), ("曲靖市麒麟区", 2023), ("焦作市解放区", 2022), ("营口市西市区", 2019)}
    assert all(r.indicator == "地区生产总值" for r in rows)
    assert store_services.indicators(report_id="004_47fca0f5403c067d", year=2018, indicator="利用外資")[0].value == 316
    with pytest.raises(IndicatorError, match="unknown kind"):
        store_services.indicators(kind="forecast")


# -- target vs actual ------------------------------------------------------------------------------------------
def _row(kind: str, report_year: int, ref_year: int, indicator: str = "地区生产总值", value=None, unit="",
         growth=None, qualifier="") -> LedgerRow:
    return LedgerRow(f"r{report_year}", "某区", report_year, indicator, "", value, unit, growth, kind, ref_year,
                     qualifier, "", f"r{report_year}:p1", "q", 0)


def test_target_checks_pair_next_years_result():
    rows = [_row("target", 2022, 2022, growth=8, qualifier="左右"), _row("actual", 2023, 2022, growth=5.3),
            _row("target", 2022, 2022, "城镇登记失业率", 4.5, "%", qualifier="以内"),
            _row("actual", 2023, 2022, "城镇登记失业率", 4.1, "%"),
            _row("target", 2022, 2022, "实际利用外资", 500, "万美元"), _row("actual", 2023, 2022, "实际利用外资", 0.06, "亿美元"),
            _row("target", 2023, 2023, growth=6)]  # no 2024 report: unpaired
    checks = {c.indicator: c for c in target_checks(rows)}
    assert set(checks) == {"地区生产总值", "城镇登记失业率", "实际利用外资"}
    gdp = checks["地区生产总值"]
    assert (gdp.measure, gdp.target, gdp.actual, gdp.status, gdp.margin, gdp.year) == ("growth", 8, 5.3, "missed", -2.7, 2022)
    assert checks["城镇登记失业率"].status == "met"  # lower is better
    fdi = checks["实际利用外资"]
    assert (fdi.measure, fdi.actual, fdi.unit, fdi.status) == ("value", pytest.approx(600), "万美元", "met")
    assert gdp.to_dict()["target_row"]["report_id"] == "r2022"
    about = target_checks([_row("target", 2014, 2014, growth=7.5, qualifier="左右"), _row("actual", 2015, 2014, growth=7.4),
                           _row("target", 2014, 2014, "居民消费价格", 3, "%", qualifier="左右"),
                           _row("actual", 2015, 2014, "居民消费价格", 3.3, "%")])
    assert [(c.indicator, c.status) for c in about] == [("地区生产总值", "met"), ("居民消费价格", "missed")]


@pytest.fixture(scope="module")
def national_services(tmp_path_factory):
    from rag.core.config import Settings
    from rag.service.resources import Services
    from tests.conftest import NATIONAL, need_shared

    path = need_shared(NATIONAL)
    services = Services(Settings(index_dir=tmp_path_factory.mktemp("national")))
    outcomes = services.ingest([path], index=False)
    assert all(o.status == "added" for o in outcomes)
    yield services
    services.close()


def test_national_reports_ledger(national_services):
    rows = national_services.indicators()
    assert len(rows) > 300
    chunks = national_services.store.chunks_by_id(list({r.chunk_id for r in rows}))
    assert all(chunks[r.chunk_id].text[r.quote_start:].startswith(r.quote) for r in rows)
    gdp = {(r.ref_year, r.kind): r for r in national_services.indicators(indicator="GDP")}
    assert (gdp[(2024, "target")].growth, gdp[(2024, "target")].qualifier) == (5, "左右")
    assert (gdp[(2023, "actual")].value, gdp[(2023, "actual")].unit, gdp[(2023, "actual")].growth) == (126, "万亿元", 5.2)
    checks = {(c.indicator, c.year): c for c in national_services.target_vs_actual()}
    assert checks[("地区生产总值", 2024)].status == "met" and checks[("地区生产总值", 2022)].status == "missed"
    assert checks[("地区生产总值", 2014)].status == "met"  # 7.4% against "7.5%左右"
    assert checks[("城镇调查失业率", 2023)].status == "met"


def test_a_lists_item_is_a_row_and_a_plants_capacity_is_none():
    """The 1955 report lists the plan's 1957 output (…如下列：\\n钢：从一百三十五万吨增加到四百十二万吨): the item is the
    indicator's row; 它的生产规模可以扩大到年产…钢三百二十二万吨 is one plant's capacity, no row."""
    rows = _rows("主要产品在一九五七年的计划产量比一九五二年的产量增长的情况如下列：\n钢：从一百三十五万吨增加到四百十二万吨，"
                 "增长二点一倍。", 1955, ["二、第一个五年计划概要"])
    assert [(r.indicator, r.value, r.unit) for r in rows] == [("钢产量", 412, "万吨")]
    assert _rows("这个联合企业在改建完成以后，它的生产规模可以扩大到年产生铁二百五十万吨，钢三百二十二万吨。", 1955) == []
    assert all(r.indicator != "钢产量" for r in _rows("钢材：达到二百万吨。", 1955))  # 钢 of 钢材 is no item
