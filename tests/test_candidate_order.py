"""How candidates are ordered and grouped before sentences are chosen: coordination (rag/retrieve/coordination.py)
reorders the top ones by how many of the question's concepts they name, answers read them in the order before,
and a table question asks each report for its own year (rag/answer/groups.py). No model, no index."""

from __future__ import annotations

from types import SimpleNamespace

from rag.answer.pipeline import _search
from rag.retrieve.coordination import DEPTH, FUSED, concept_groups, coordinate, coverage, figure_coverage
from rag.retrieve.plan import analyze

REPORTS = [SimpleNamespace(report_id="n", province=None, city=None, district=None, year=2008, level="national")]
TEXTS = {
    "n:1": "中央财政用于科技的投入五年累计3406亿元。国内生产总值增长11%，经济增长质量提高。",
    "n:2": "全社会研究与试验发展经费支出占国内生产总值的比重由2007年的1.4%提高到2012年的1.97%。",
    "n:3": "科技体制改革继续深化。",
}


def texts(ids: list[str]) -> dict[str, str]:
    return {cid: TEXTS[cid] for cid in ids if cid in TEXTS}


def weigh(term: str) -> float:
    return float(len(term))


def test_a_chinese_question_counts_each_content_word_once():
    plan = analyze("2012年研究与试验发展经费占国内生产总值比重是多少？", REPORTS)
    groups = concept_groups(plan)
    flat = {t for group in groups for t in group}
    assert "国内生产总值" in flat and not any(t.startswith("2012") for t in flat)
    sizes = [max(weigh(t) for t in group) for group in groups]
    assert coverage(groups, sizes, TEXTS["n:2"]) > coverage(groups, sizes, TEXTS["n:1"])


def test_the_candidate_naming_more_concepts_moves_up_within_the_top():
    plan = analyze("How much did China spend on R&D in 2007, and what share of GDP was that?", REPORTS)
    fused = [("n:1", 1.0, {"bm25": 1}), ("n:2", 0.9, {"bm25": 2}), ("n:3", 0.8, {"bm25": 3})]
    ranked = coordinate(fused, plan, texts, weigh, 0.5)
    assert [cid for cid, _, _ in ranked][:2] == ["n:2", "n:1"]
    assert {cid: ranks[FUSED] for cid, _, ranks in ranked} == {"n:1": 1, "n:2": 2, "n:3": 3}
    assert coordinate(fused, plan, texts, weigh, 0.0) == fused  # off


def test_a_figure_question_counts_the_concepts_of_a_sentence_that_states_a_figure():
    """进出口总额进一步增长 names the topic but states nothing; 进出口总额…1656亿美元 answers."""
    plan = analyze("1992年进出口总额是多少？", REPORTS)
    groups = concept_groups(plan)
    sizes = [max(weigh(t) for t in group) for group in groups]
    vague, stated = "要开拓国际市场，使进出口总额进一步增长。", "对外开放扩大。1992年进出口总额达到1656亿美元。"
    assert figure_coverage(groups, sizes, vague) == 0.0 < figure_coverage(groups, sizes, stated)
    fused = [("v", 1.0, {}), ("s", 0.95, {})]
    ranked = coordinate(fused, plan, lambda ids: {"v": vague, "s": stated}, weigh, 0.5)
    assert [cid for cid, _, _ in ranked] == ["s", "v"]
    assert coverage(groups, sizes, vague) >= coverage(groups, sizes, stated)  # the whole chunk ranks them the same


def test_candidates_below_the_top_keep_their_place():
    plan = analyze("How much did China spend on R&D in 2007, and what share of GDP was that?", REPORTS)
    fused = [(f"x:{i}", 2.0 - i / 100, {}) for i in range(DEPTH)] + [("n:2", 0.5, {})]
    assert coordinate(fused, plan, texts, weigh, 0.5)[-1][0] == "n:2"


def test_answers_read_the_candidates_in_the_order_before_coordination():
    hits = [SimpleNamespace(ranks={FUSED: 2}), SimpleNamespace(ranks={FUSED: 1}), SimpleNamespace(ranks={})]
    services = SimpleNamespace(search=lambda *args, **kwargs: SimpleNamespace(hits=hits))
    ordered = _search(services, "q", None, 8, None)  # type: ignore[arg-type]
    assert [hit.ranks.get(FUSED) for hit in ordered] == [None, 1, 2]  # a front-matter hit (no rank) stays first


def test_a_table_question_asks_each_report_the_one_year_it_speaks_for():
    """Asked results for 2013–2015: the 2014 report's row is 2013's (its review), not its own plan for 2014."""
    from rag.answer.groups import year_plan

    plan = analyze("2013年、2014年、2015年这三年，农村贫困人口每年分别减少了多少？", REPORTS)
    group = [SimpleNamespace(report=SimpleNamespace(year=2014))]
    assert year_plan(plan, group).time.asked_years == frozenset({2013})  # type: ignore[arg-type]
    target = analyze("2014年、2015年的经济增长预期目标分别是多少？", REPORTS)
    assert year_plan(target, group).time.asked_years == frozenset({2014})  # type: ignore[arg-type]


def test_a_change_between_two_years_is_no_table():
    """"How much did R&D spending as a share of GDP rise between 2007 and 2012": one sentence with both ends
    (由2007年的1.4%提高到2012年的1.97%), not a row per report; asked for each year, still a table."""
    from rag.answer.groups import year_groups

    change = analyze("How much did R&D spending as a share of GDP rise between 2007 and 2012?", REPORTS)
    each = analyze("What budget deficit did the government plan for each year from 2016 through 2019?", REPORTS)
    hits = [SimpleNamespace(report=SimpleNamespace(year=year)) for year in range(2007, 2021)]
    assert year_groups(change, hits) is None  # type: ignore[arg-type]
    assert year_groups(each, hits) is not None  # type: ignore[arg-type]
