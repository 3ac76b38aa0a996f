"""Retrieval in a many-year library (the 52 national reports + the seeds, BM25 only so no model is needed):
a question about one year finds the report that speaks about that year."""

from __future__ import annotations

import pytest

from tests.conftest import BACKENDS, NATIONAL, SEEDS, bm25_milvus, need_shared


@pytest.fixture(scope="module", params=BACKENDS)
def library(request, tmp_path_factory):
    """The library on each search backend: FTS5, or Milvus Lite's BM25 function (with stand-in vectors)."""
    from rag.core.config import Settings
    from rag.service.resources import Services

    services = Services(Settings(index_dir=tmp_path_factory.mktemp("national")))
    outcomes = services.ingest([SEEDS, need_shared(NATIONAL)], index=False)
    assert sum(o.status == "added" for o in outcomes) == 57
    if request.param == "milvus":
        bm25_milvus(services, tmp_path_factory.mktemp("hash"))
    yield services
    services.close()


def retriever(library, prior: str):
    from rag.retrieve.hybrid import Retriever

    return Retriever(library.store, library.__dict__.get("milvus"), year_prior=prior)


def top_years(library, question: str, prior: str, k: int = 3) -> list[int | None]:
    hits = retriever(library, prior).search(question, k=k, mode="bm25").hits
    return [hit.report.year for hit in hits]


@pytest.mark.parametrize(("question", "report_year"), [
    ("2018年国内生产总值增长多少？", 2019),  # a result: reviewed in the next year's report
    ("2019年的经济增长预期目标是多少？", 2019),  # a target: that year's own report
    ("How many new urban jobs were created in 2021?", 2022),
    ("2024年政府工作报告提出的赤字率是多少？", 2024),  # a named report
])
def test_a_question_about_one_year_gets_that_years_report(library, question, report_year):
    assert set(top_years(library, question, "hard")) == {report_year}  # (soft is a hybrid-score bonus only)


def test_a_named_report_restricts_even_without_the_prior(library):
    assert set(top_years(library, "2024年政府工作报告提出的赤字率是多少？", "off")) == {2024}


def test_questions_about_spans_or_no_year_are_not_restricted(library):
    years = top_years(library, "国内生产总值增长目标是多少？", "hard", k=10)
    assert len(set(years)) > 1


def test_a_named_place_keeps_its_own_reports(library):
    hits = retriever(library, "hard").search("凌河区2022年固定资产投资完成多少？", k=3, mode="bm25").hits
    assert hits[0].report.district == "凌河区" and "33.8亿元" in hits[0].chunk.text


def test_a_named_place_gets_no_other_places_paragraphs(library):
    """Under the hard prior a named place restricts like a named report: the State Council's paragraph on the
    same policy never outranks the district's own."""
    hits = retriever(library, "hard").search("麒麟区增值税留抵退税多少？", k=5, mode="bm25").hits
    assert hits and {hit.report.district for hit in hits} == {"麒麟区"}


def test_the_bare_title_prefers_the_state_councils_report(library):
    """政府工作报告 / "the government work report" without a place is the State Council's, as the press uses it;
    the 2022 district report of the same year stays searchable by its name."""
    for question in ("2022年政府工作报告提出的经济增长预期目标是多少？",
                     "What GDP growth target did the 2022 government work report set?"):
        hits = library.search(question, k=3, mode="bm25").hits
        assert {hit.report.level for hit in hits} == {"national"}, question
    local = library.search("解放区2022年政府工作报告提出的经济增长预期目标是多少？", k=3, mode="bm25").hits
    assert local[0].report.district == "解放区"


def test_a_report_fact_question_finds_the_title_block_first(library):
    hits = library.search("2023年政府工作报告是在哪次会议上作的？", k=3, mode="bm25").hits
    assert hits[0].chunk.paragraph == 0 and hits[0].report.level == "national"
    assert "第十四届全国人民代表大会第一次会议" in hits[0].chunk.text


def test_a_named_place_keeps_paragraphs_elsewhere_that_name_it(tmp_path):
    """A question naming a place keeps, besides that place's own reports, paragraphs of other documents that
    name the place (a notice filed under another place), never those that do not."""
    from rag.core.config import Settings
    from rag.retrieve.hybrid import Retriever
    from rag.service.resources import Services

    docs = {
        "jinzhou.txt": "2023年锦州市政府工作报告\n\n一、2022年工作回顾\n\n全市地区生产总值增长3.5%，城镇新增就业2.1万人。",
        "yingkou.txt": "营口市人民政府关于冬季供暖保障工作的通报\n\n营口市与锦州市开展供暖协作，锦州市今冬新建换热站12座，"
                       "营口市新建换热站9座。",
        "other.txt": "关于冬季供暖保障工作的通报\n\n各地今冬新建换热站共计300座，供暖保障工作有序推进，群众反映良好。"
                     "\n\n下一步将继续做好供暖保障。",
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Services(Settings(index_dir=tmp_path / "idx")) as services:
        services.ingest([tmp_path], index=False)
        places = {r.report_id: r.city for r in services.store.reports()}
        assert set(places) == {"jinzhou", "yingkou", "other"} and places["yingkou"] != "锦州市"  # the notice is filed under 营口市 (or no place)
        hits = Retriever(services.store, year_prior="hard").search("锦州市今冬新建换热站多少座？", k=5, mode="bm25").hits
        reports = [hit.report.report_id for hit in hits]
        assert "yingkou" in reports and "other" not in reports


def test_a_plan_period_prefers_the_paragraphs_about_the_whole_period(library):
    """七五 (1986–1990): the 1986 report's plan for the period, not the 1988 report's 今后五年 (1988–1992) that
    only overlaps it; 六五 (1981–1985): its plan (1982 report) for a target, its review (1986) for a result."""
    from rag.retrieve.plan import analyze

    search = retriever(library, "soft")
    reports = search.reports()
    times = search._times
    plan = analyze("七五计划的国民生产总值年均增长目标是多少？", list(reports.values()))
    by_year = {}
    for cid, when in times.items():
        by_year.setdefault(reports[cid.split(":", 1)[0]].year, []).append((cid, when))
    speaks = {year: [cid for cid, _ in chunks if search._speaks_about(cid, plan)] for year, chunks in by_year.items()}
    assert speaks[1986] and not speaks[1988]
    target = analyze("六五计划的工农业总产值增长目标是多少？", list(reports.values()))
    review = analyze("六五期间工农业总产值实际年均增长多少？", list(reports.values()))
    assert any(search._speaks_about(cid, target) for cid, _ in by_year[1982])
    assert not any(search._speaks_about(cid, target) for cid, _ in by_year[1986])
    assert any(search._speaks_about(cid, review) for cid, _ in by_year[1986])
    # a plan paragraph of the period naming its last year states its target: 到一九八五年，全国粮食产量计划达到…
    # (the 1982 report's plan for 1982–1983), the 1978 ten-year plan's 1985 does not
    grain = analyze("六五计划要求到1985年全国粮食产量达到多少？", list(reports.values()))
    texts = search._texts([cid for cid, _ in by_year[1982]])
    assert any(search._speaks_about(cid, grain) for cid, text in texts.items() if "粮食产量计划达到三亿六千万吨" in text)
    assert not any(search._speaks_about(cid, grain) for cid, _ in by_year[1978])


def test_a_report_delivered_late_in_its_year_answers_for_the_next(library):
    """The reports of December 1964 and of the autumns of 1980–1982 plan the next year: the library knows them,
    and a question about 1965's budget finds the 1964 report instead of being refused for a missing 1965 one."""
    late = library.store.late_reports()
    assert sorted(library.store.report(rid).year for rid in late) == [1964, 1980, 1981, 1982]
    assert set(top_years(library, "1965年国家预算收支计划比上年增长多少？", "hard")) == {1964}


def test_a_table_question_quotes_each_years_report_and_keeps_a_figures_own_clauses(library):
    """2003年至2006年…分别: one sentence from each year's report, labelled with its year (not the best sentences
    overall, which may come from one report); a figure's level or change in the next clause stays quoted."""
    from rag.answer.pipeline import ask
    from rag.core.config import Settings

    before = library.settings
    library.settings = Settings(index_dir=before.index_dir, search_mode="bm25")  # no model in this library
    try:
        table = ask(library, "2003年至2006年的政府工作报告分别安排发行多少长期建设国债？", engine="extractive")
        savings = ask(library, "1981年政府工作报告说，当年头十个月城乡储蓄存款增加了多少？余额达到多少？",
                      engine="extractive")
    finally:
        library.settings = before
    amounts = {2003: "1400亿元", 2004: "1100亿元", 2005: "800亿元", 2006: "600亿元"}
    parts = dict(part.split("：", 1) for part in table.answer.split("；"))
    assert len(parts) >= 3  # BM25 alone misses 2004's 建设国债 paragraph; hybrid search finds all four
    assert all(label.endswith("年") and amounts[int(label[:-1])] in text for label, text in parts.items())
    assert "九十五亿元" in savings.answer and "四百九十四亿元" in savings.answer


def test_who_of_something_else_than_the_report_is_asked_of_the_text(library):
    """谁 / 哪位 about a speech or a premier the report mentions (谁关于宪法草案的报告, 在哪位总理主持下工作) is not a
    question about who delivered the report: the text answers it, not the title block."""
    from rag.retrieve.facts import asked_facts

    assert asked_facts("1954年的政府工作报告是在大会听取了谁关于宪法草案的报告之后作出的？") == ()
    assert asked_facts("2025年政府工作报告是在哪一天、由谁作的？") == ("speaker", "date")
    from rag.answer.pipeline import ask
    from rag.core.config import Settings

    before = library.settings
    library.settings = Settings(index_dir=before.index_dir, search_mode="bm25")
    try:
        other = ask(library, "1988年政府工作报告回顾第六届全国人大期间的工作时，说国务院是在哪位总理主持下工作的？",
                    engine="extractive")
    finally:
        library.settings = before
    assert not other.refused and "赵紫阳" in other.answer and other.engine == "extractive"
