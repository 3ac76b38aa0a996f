"""Number normalization, the figure-grounding check, value + unit reading and the year/period parser."""

from __future__ import annotations

import pytest

from rag.core.numbers import (
    VALUE_UNIT_RE,
    convert,
    extract_figures,
    parse_number,
    read_value,
    unsupported_figures,
)
from rag.core.years import ARABIC_YEAR_RE, RANGE_RE, YEAR_RE, parse_date, plan_periods, year_value

SOURCE = "固定资产投资完成33.8亿元,增长27.5%,增速全市第一;全年新增市场主体3966家。"


def test_forms_of_the_same_figure():
    texts = ["33.8亿元", "33.8 亿", "３３．８亿", "三十三点八亿", "3.38 billion yuan"]
    values = {round(extract_figures(t)[0].scaled) for t in texts}
    assert values == {3_380_000_000}


def test_thousands_separators_chinese_numerals_and_percent():
    assert [f.raw for f in extract_figures("新增3,966家，三千九百六十六家")] == [3966, 3966]
    figure = extract_figures("增长百分之二十七点五")[0]
    assert figure.raw == 27.5 and figure.percent


def test_citation_markers_are_not_figures():
    assert extract_figures("完成33.8亿元[1][2]") == extract_figures("完成33.8亿元")


def test_grounded_answer_passes():
    assert unsupported_figures("凌河区固定资产投资完成33.8亿元，增长27.5%[1]。", [SOURCE]) == []
    assert unsupported_figures("Fixed-asset investment reached 3.38 billion yuan, up 27.5% [1].", [SOURCE]) == []


def test_fabricated_figure_is_caught():
    assert unsupported_figures("固定资产投资完成35.2亿元[1]", [SOURCE]) == ["35.2亿"]
    assert unsupported_figures("新增市场主体4000家[1]", [SOURCE]) == ["4000"]


def test_figures_from_the_question_are_allowed():
    assert unsupported_figures("2022年新增市场主体3966家[1]", [SOURCE], question="凌河区2022年新增多少家？") == []


def test_numbers_as_reports_write_them():
    assert [parse_number(t) for t in ("3,966", "1 2 9", "33·8", "三千九百六十六", "三十三点八")] == [
        3966, 129, 33.8, 3966, 33.8]
    assert parse_number("元") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("完成33.8亿元", (33.8, "亿元", "")),
    ("增长百分之二十", (20, "%", "")),
    ("新增就业三千多万人", (3000, "万人", "多")),
    ("４７６１元", (4761, "元", "")),
])
def test_value_with_unit(text, expected):
    assert read_value(VALUE_UNIT_RE.search(text)) == expected


def test_unit_conversion_within_a_family():
    assert convert(33.8, "亿元", "万元") == pytest.approx(338_000)
    assert convert(2, "亿公斤", "万吨") == pytest.approx(20)  # mass compares in 斤: 1 吨 = 2000 斤, 1 公斤 = 2 斤
    assert convert(5, "万人", "亿元") is None


@pytest.mark.parametrize(("text", "years"), [
    ("2022年工作回顾", [2022]),
    ("二〇二二年主要目标", [2022]),
    ("1 9 9 7 年香港回归", [1997]),
    ("上世纪90年代以来", []),
])
def test_years_in_every_script(text, years):
    assert [year_value(y) for y in YEAR_RE.findall(text)] == years


def test_ranges_periods_and_dates():
    assert [year_value(y) for pair in RANGE_RE.findall("2017年到2021年年均增长") for y in pair if y] == [2017, 2021]
    assert plan_periods("“十四五”规划和十三五时期") == [2025, 2020]
    assert parse_date("——二〇二三年一月十三日在…会议上") == "2023-01-13"
    assert parse_date("2022年12月19日") == "2022-12-19"
    assert parse_date("2022年13月1日") is None
    assert ARABIC_YEAR_RE.search("2023年锦州市凌河区政府工作报告").group(1) == "2023"


def test_a_rate_per_thousand_is_a_figure():
    """千分之十 (older reports' population growth rates) is read like 10‰ written in digits."""
    from rag.core.numbers import extract_figures

    assert [(f.text, f.raw) for f in extract_figures("人口自然增长率降到千分之十左右")] == [("10‰", 10.0)]
    assert [f.raw for f in extract_figures("增长千分之十二点五")] == [12.5]


def test_a_number_inside_a_code_is_no_figure():
    """PM2.5, G20, COVID-19, 5G and 4A级 name things: a sentence that only names PM2.5 states no concentration."""
    from rag.core.numbers import VALUE_UNIT_RE, extract_figures

    assert extract_figures("主要污染物和PM2.5、PM10浓度实现大幅下降") == []
    assert extract_figures("建成5G基站，举办G20峰会，应对COVID-19疫情") == []
    assert [f.raw for f in extract_figures("PM2.5平均浓度38微克/立方米，4A级景区12个")] == [38.0, 12.0]
    assert [m.group("num") for m in VALUE_UNIT_RE.finditer("PM2.5浓度下降到38微克") if m.group("num")] == ["38"]
    assert [f.text for f in extract_figures("GDP grew 8.5 billion yuan, about 2%")] == ["8.5 billion", "2%"]


def test_hundred_millions_with_more_than_ten_thousands():
    """四亿零七百多万吨 is 4.07亿 tonnes and more (an English answer's "407 million tonnes" is found in it), not
    400000700: 多 between the two scale words ends cn2an's run."""
    from rag.core.numbers import extract_figures

    assert [f.scaled for f in extract_figures("粮食产量达到四亿零七百多万吨")] == [407000000.0]
    assert [f.scaled for f in extract_figures("三亿五千余万人")] == [350000000.0]
    assert [f.scaled for f in extract_figures("四亿零七百万吨")] == [407000000.0]


def test_an_ordinal_counts_nothing():
    """第十三个五年规划 and 第1季度 name which one, not how many: an answer asked for a figure does not stop at them."""
    from rag.core.numbers import extract_figures

    assert extract_figures("根据第十三个五年规划的建议，提交大会审查") == []
    assert [f.text for f in extract_figures("第1季度增长5%，新增13个项目")] == ["5%", "13"]
