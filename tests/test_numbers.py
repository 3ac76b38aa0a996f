"""Number normalization and the figure-grounding check."""

from __future__ import annotations

from rag.core.numbers import extract_figures, unsupported_figures

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
