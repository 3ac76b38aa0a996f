"""Abbreviations and their full forms as the library writes them (rag/retrieve/abbreviations.py)."""

from rag.retrieve.abbreviations import full_forms, other_forms
from rag.retrieve.corpus import TermCounts
from rag.retrieve.plan import analyze


def test_an_abbreviation_gets_the_full_forms_the_library_writes():
    library = TermCounts(text="高速铁路运营里程从2.5万公里增加到4.2万公里\x00高速铁路\x00高速铁路\x00技术改造")
    assert other_forms("高铁", library) == ["高速铁路"]
    assert other_forms("技改", library) == []  # written once: chance, not usage
    assert other_forms("财政", TermCounts(text="财政政策" * 5)) == []  # a compound of it, not its full form
    assert "五十年代" not in full_forms("五年")  # numerals are not abbreviated
    # a word the library writes far more often than its would-be full form is a word of its own (生活, 生动活泼)
    assert other_forms("生活", TermCounts(text="生活水平\x00" * 100 + "生动活泼\x00" * 5)) == []
    assert other_forms("科技", TermCounts(text="科技\x00" * 40 + "科学技术\x00" * 10)) == ["科学技术"]


def test_questions_search_and_match_both_forms():
    library = TermCounts(text="高速铁路运营里程\x00高速铁路\x00高速铁路\x00高铁")
    plan = analyze("2022年高铁运营里程是多少？", [], library)
    assert plan.word_variants("高铁") == ["高铁", "高速铁路"] and "高速铁路" in plan.expansions
    assert plan.word_variants("高铁运营") == ["高铁运营", "高速铁路运营"]  # inside a compound of the question too
