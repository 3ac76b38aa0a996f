"""Extract, then phrase (rag/answer/phrasing.py): what a model may write is checked before it is shown.

The chat models here are scripted (they stream a fixed reply), so every check is exercised deterministically;
the real local model is tested in test_llm_local.py and measured by ``reportqa eval --answers --llm local``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.answer.grounding import names_subject
from rag.answer.phrasing import (
    Source,
    check_phrased,
    in_report_numerals,
    phrase_sources,
    restate_scaled,
    with_report_wording,
)
from rag.answer.pipeline import llm_answer
from rag.core.models import Chunk, Report
from rag.core.textnorm import normalize_for_search
from rag.core.timeframe import ChunkTime
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.plan import analyze

LINGHE = Report("lh", "2023年锦州市凌河区政府工作报告", year=2023, level="district", province="辽宁省",
                city="锦州市", district="凌河区")
XISHI = Report("xs", "2023年营口市西市区政府工作报告", year=2023, level="district", province="辽宁省",
               city="营口市", district="西市区")
REVIEW = ("全年新增市场主体3966家，增长12.3%；新注册科技型中小企业108家。"
          "城镇新增就业1.2万人以上，城镇调查失业率控制在5.5%左右。")


def _hit(report: Report, text: str, paragraph: int = 3, years: tuple[int, ...] = (2022,),
         kind: str = "review") -> SearchHit:
    section = "一、2022年工作回顾" if kind == "review" else "二、2023年工作安排"
    chunk = Chunk(f"{report.report_id}:{paragraph}", report.report_id, paragraph, paragraph, paragraph, 0,
                  [section], 0, len(text), text, normalize_for_search(text), "", ChunkTime(kind, years))
    return SearchHit(chunk, report, 1.0)


class Scripted:
    """A chat model that streams a fixed reply (and records what it was asked)."""

    def __init__(self, reply: str) -> None:
        self.reply, self.asked = reply, []

    def stream(self, messages):
        self.asked.append(messages)
        for piece in (self.reply[: len(self.reply) // 2], self.reply[len(self.reply) // 2:]):
            yield SimpleNamespace(content=piece)


class NeverCalled:
    def stream(self, messages):
        raise AssertionError("the model must not be asked")


def _ask(reply: str, question: str, hits: list[SearchHit] | None = None, sentences: int = 3):
    hits = hits or [_hit(LINGHE, REVIEW)]
    reports = [LINGHE, XISHI]
    plan = analyze(question, reports)
    model = Scripted(reply)
    return llm_answer(model, "local", plan, hits, question, question, sentences=sentences, reports=reports), model


def test_a_phrased_answer_cites_the_sentence_it_rests_on():
    result, model = _ask("凌河区2022年新增市场主体3966家，增长12.3%[1]。", "凌河区2022年新增市场主体多少家？")
    assert result.engine == "local" and result.grounded and not result.refused
    assert result.answer == "凌河区2022年新增市场主体3966家，增长12.3%[1]。"
    [citation] = result.citations
    assert citation.n == 1 and "3966家" in citation.quote and citation.quote in citation.hit.chunk.text
    # the model read the selected sentences (with report and paragraph), not the whole chunk
    prompt = model.asked[0][-1].content
    assert "《2023年锦州市凌河区政府工作报告》" in prompt and "¶3" in prompt and "3966家" in prompt
    assert "城镇调查失业率" not in prompt.split("3966家")[0]


def test_a_bare_number_is_not_an_answer():
    result, _ = _ask("3966家[1]", "凌河区2022年新增市场主体多少家？")
    assert result.engine == "extractive (fallback from local)" and "bare number" in result.grounding_note
    assert "3966家" in result.answer  # the extractive answer, which quotes the sentence


def test_a_figure_not_in_the_cited_sentence_is_rejected():
    result, _ = _ask("凌河区2022年新增市场主体3967家[1]。", "凌河区2022年新增市场主体多少家？")
    assert result.engine.startswith("extractive (fallback") and "3967" in result.grounding_note


def test_a_year_the_sources_do_not_speak_about_is_rejected():
    result, _ = _ask("凌河区2019年新增市场主体3966家[1]。", "凌河区新增市场主体多少家？")
    assert result.engine.startswith("extractive (fallback") and "2019" in result.grounding_note


def test_another_place_is_rejected():
    result, _ = _ask("西市区2022年新增市场主体3966家[1]。", "凌河区2022年新增市场主体多少家？")
    assert result.engine.startswith("extractive (fallback") and "西市区" in result.grounding_note


def test_markers_are_renumbered_in_order_and_missing_ones_repaired():
    hits = [_hit(LINGHE, "全年新增市场主体3966家。", 3), _hit(LINGHE, "新注册科技型中小企业108家。", 4)]
    result, _ = _ask("凌河区新注册科技型中小企业108家[2]。", "凌河区新注册科技型中小企业多少家？", hits)
    assert result.answer.endswith("[1]。") and [c.n for c in result.citations] == [1]
    assert "108家" in result.citations[0].quote
    repaired, _ = _ask("凌河区新注册科技型中小企业108家。", "凌河区新注册科技型中小企业多少家？", hits)
    assert repaired.engine == "local" and repaired.answer == "凌河区新注册科技型中小企业108家[1]。"


def test_when_no_sentence_answers_the_model_is_not_asked():
    plan = analyze("凌河区的房价是多少？", [LINGHE])
    result = llm_answer(NeverCalled(), "local", plan, [_hit(LINGHE, REVIEW)], plan.text, plan.text,
                        weight_of=lambda term: 5.0, reports=[LINGHE])
    assert result.refused and result.engine == "local"


def test_an_english_answer_keeps_the_reports_wording_of_its_figures():
    result, _ = _ask("Linghe District aimed to add more than 12,000 new urban jobs [1].",
                     "What was Linghe District's target for new urban jobs?",
                     [_hit(LINGHE, "城镇新增就业1.2万人以上，城镇调查失业率控制在5.5%左右。", years=(2023,), kind="plan")])
    assert result.engine == "local", result.grounding_note
    assert "12,000 (1.2万人以上)" in result.answer
    assert with_report_wording("Unemployment stays at about 5.5% [1].", ["城镇调查失业率控制在5.5%左右"]) == \
        "Unemployment stays at about 5.5% (5.5%左右) [1]."
    assert with_report_wording("GDP grew 5.2% in 2023 [1].", ["国内生产总值增长5.2%"]) == \
        "GDP grew 5.2% in 2023 [1]."
    evacuated = ["转移群众2.5万余人"]
    assert with_report_wording("It evacuated 25,000 people [1].", evacuated) == \
        "It evacuated 25,000 people (2.5万余人) [1]."
    assert with_report_wording("It evacuated 2.5万余 people [1].", evacuated) == \
        "It evacuated 2.5万余 people (2.5万余人) [1]."
    assert with_report_wording("It evacuated 2.5万余人 [1].", evacuated) == "It evacuated 2.5万余人 [1]."
    assert with_report_wording("It built 40 base stations [1].", ["新建5G基站40个"]) == \
        "It built 40 (40个) base stations [1]."
    # Chinese numerals of older reports, with their qualifier; the marker [1] is never a figure
    assert with_report_wording("Growth was to fall below 1% [1].", ["人口自然增长率降到百分之一以下"]) == \
        "Growth was to fall below 1% (百分之一以下) [1]."


def test_sources_are_the_quoted_sentences_then_runners_up():
    hit = _hit(LINGHE, REVIEW)
    picked = [(hit, SimpleNamespace(text="全年新增市场主体3966家", start=0)),
              (hit, SimpleNamespace(text="全年新增市场主体3966家", start=0)),
              (hit, SimpleNamespace(text="新注册科技型中小企业108家", start=19))]
    sources = phrase_sources(picked, 5)  # type: ignore[arg-type]
    assert [s.n for s in sources] == [1, 2] and sources[1].quote == "新注册科技型中小企业108家"
    assert len(phrase_sources(picked, 1)) == 1  # type: ignore[arg-type]
    assert sources[0].line().startswith("[1] 《2023年锦州市凌河区政府工作报告》 一、2022年工作回顾 ¶3：")


@pytest.mark.parametrize(("answer", "named"), [
    ("3966家[1]", False), ("9[1]", False), ("凌河区新增市场主体3966家[1]。", True),
    ("Linghe District added 3,966 market entities [1].", True), ("3,966 [1]", False),
])
def test_names_subject(answer: str, named: bool):
    question = "How many market entities were added in Linghe District?" if answer.isascii() else \
        "凌河区新增市场主体多少家？"
    plan = analyze(question, [LINGHE])
    assert names_subject(answer, plan, ["全年新增市场主体3966家"]) is named


def test_check_phrased_rejects_unknown_markers():
    source = Source(1, _hit(LINGHE, REVIEW), "全年新增市场主体3966家", 0)
    plan = analyze("凌河区新增市场主体多少家？", [LINGHE])
    phrased = check_phrased("凌河区新增市场主体3966家[2]。", "local", plan, [source], plan.text, plan.text, [LINGHE])
    assert phrased.answer is None and "do not exist" in (phrased.rejected or "")


def test_an_amount_at_the_wrong_scale_is_restated_from_the_source_or_rejected():
    """17.8亿元 is 1.78 billion yuan; a model that writes "17.8 billion" gets the source's amount restated (the
    digits are the source's, only the scale word slipped), a figure from nowhere is still rejected."""
    quote = ["增值税留抵退税17.8亿元"]
    assert restate_scaled("VAT refunds reached 17.8 billion yuan [1].", quote) == \
        "VAT refunds reached 1.78 billion yuan (17.8亿元) [1]."
    assert restate_scaled("VAT refunds reached 1.78 billion yuan [1].", quote) == \
        "VAT refunds reached 1.78 billion yuan [1]."
    assert restate_scaled("VAT refunds reached 99 billion yuan [1].", quote) == "VAT refunds reached 99 billion yuan [1]."
    hit = _hit(LINGHE, "增值税留抵退税17.8亿元。")
    plan = analyze("How much VAT credit was refunded in Linghe District?", [LINGHE])
    source = Source(1, hit, "增值税留抵退税17.8亿元", 0)
    ok = check_phrased("Linghe District refunded 17.8 billion yuan of VAT credits [1].", "local", plan, [source],
                       plan.text, plan.text, [LINGHE])
    assert ok.answer is not None and "1.78 billion yuan (17.8亿元)" in ok.answer.answer
    wrong = check_phrased("Linghe District refunded 17.9 billion yuan of VAT credits [1].", "local", plan, [source],
                          plan.text, plan.text, [LINGHE])
    assert wrong.answer is None and "17.9 billion" in (wrong.rejected or "")


def test_an_amount_spelled_out_in_words_is_checked_like_digits():
    """"four billion seven hundred million tonnes" for 四亿零七百多万吨 (407 million) is a wrong figure, rejected as
    one written in digits would be; "one of the two" counts nothing and passes."""
    hit = _hit(LINGHE, "粮食产量达到四亿零七百多万吨。")
    plan = analyze("How big was the grain harvest in Linghe District?", [LINGHE])
    source = Source(1, hit, "粮食产量达到四亿零七百多万吨", 0)
    wrong = check_phrased("Linghe District's grain harvest was four billion seven hundred million tonnes [1].", "local",
                          plan, [source], plan.text, plan.text, [LINGHE])
    assert wrong.answer is None and "4 billion" in (wrong.rejected or "")
    right = check_phrased("Linghe District's grain harvest, one of the two largest, was 407 million tonnes [1].",
                          "local", plan, [source], plan.text, plan.text, [LINGHE])
    assert right.answer is not None


def test_a_chinese_answer_keeps_the_reports_numerals():
    quote = ["一九七七年工业总产值比上年增长百分之十四点三，一九七八年增长百分之十三点五"]
    assert in_report_numerals("1977年工业总产值增长14.3%，1978年增长13.5%[1]。", quote) == \
        "1977年工业总产值增长百分之十四点三，1978年增长百分之十三点五[1]。"
    assert in_report_numerals("增长6.5%[1]。", ["增长6.5%"]) == "增长6.5%[1]。"
    assert in_report_numerals("增长14%[1]。", quote) == "增长14%[1]。"  # not the report's figure: left to the check


def test_a_figure_keeps_the_reports_qualifier():
    """A cap, a floor or an approximation reads as the quote says it: 不超过百分之十 for 百分之十以内 and a dropped 左右
    go back to the report's wording; another figure that merely contains the digits (15%) is left alone. An
    English figure is followed by the report's wording, full-width figures and days included."""
    from rag.answer.phrasing import with_report_qualifiers

    assert with_report_qualifiers("控制目标是不超过百分之十[1]。", ["控制在百分之十以内。"]) == "控制目标是百分之十以内[1]。"
    assert with_report_qualifiers("增长15%，目标5%[1]。", ["增长5%左右"]) == "增长15%，目标5%左右[1]。"
    assert with_report_qualifiers("增长5.5%[1]。", ["增长5%左右"]) == "增长5.5%[1]。"
    assert with_report_wording("The plan set annual growth of 7% [1].", ["预期为年均7％左右"]) == \
        "The plan set annual growth of 7% (7％左右) [1]."
    assert with_report_wording("It recorded 224 days of good air [1].", ["优良天数达到224天"]) == \
        "It recorded 224 days (224天) of good air [1]."
    assert with_report_wording("It helped 1695 migrant workers in 2022 [1].", ["帮助1695名农民工讨回工资"]) == \
        "It helped 1695 (1695名) migrant workers in 2022 [1]."  # a count in the range of years is still a count
    assert "(６，４９９，８６２，０００元)" in with_report_wording("Defence took 6,499,862,000 yuan [1].",
                                                              ["国防费支出６，４９９，８６２，０００元"])


def test_a_figure_is_not_put_under_a_subject_its_sentence_does_not_name():
    """Asked the growth of 国民生产总值, a model that quotes 全国工农业总产值…百分之六点七 as 国民生产总值's is rejected
    (the extractive answer is shown); the same figure under the sentence's own subject passes."""
    from rag.answer.grounding import unbacked_topics
    from rag.retrieve.plan import analyze

    plan = analyze("“七五”计划草案要求国民生产总值平均每年增长多少？", [])
    quotes = ["“七五”计划草案规定，全国工农业总产值平均每年增长百分之六点七"]
    assert unbacked_topics("“七五”计划草案要求国民生产总值平均每年增长百分之六点七[1]。", plan, quotes) == ["国民生产总值"]
    assert unbacked_topics("全国工农业总产值平均每年增长百分之六点七[1]。", plan, quotes) == []
    jobs = analyze("2019年城镇新增就业目标是多少？", [])
    assert unbacked_topics("2019年城镇新增就业目标是1100万人以上[1]。", jobs, ["城镇新增就业1100万人以上"]) == []


def test_an_unmarked_answer_cites_the_best_sentence_that_holds_its_figures():
    """A model that forgets [n]: the answer cites the one sentence holding its figures; where several do, the
    best (first) one if it is among them, else none (the extractive answer is shown)."""
    from rag.answer.grounding import mark_sole_holder

    quotes = ["城镇新增就业1100万人以上", "全年城镇新增就业1100万人以上，增长5%", "粮食产量1.3万亿斤"]
    assert mark_sole_holder("城镇新增就业1100万人以上。", quotes, "", best_first=True) == "城镇新增就业1100万人以上[1]。"
    assert mark_sole_holder("城镇新增就业1100万人以上。", quotes, "") is None
    assert mark_sole_holder("增长5%。", quotes, "", best_first=True) == "增长5%[2]。"


def test_runners_up_come_from_the_quoted_reports_only():
    other = Report("old", "1959年政府工作报告", year=1959, level="national")
    quoted, same, elsewhere = _hit(LINGHE, REVIEW), _hit(LINGHE, "城镇新增就业1.2万人以上。", 4), _hit(other, "达到了三千七百亿斤。")
    parts = [(quoted, SimpleNamespace(text="全年新增市场主体3966家", start=0)),
             (elsewhere, SimpleNamespace(text="达到了三千七百亿斤", start=0)),
             (same, SimpleNamespace(text="城镇新增就业1.2万人以上", start=0))]
    sources = phrase_sources(parts, 5, quoted=1)  # type: ignore[arg-type]
    assert [s.hit.report.report_id for s in sources] == ["lh", "lh"]


def test_a_question_asking_two_figures_gets_the_second_from_the_same_report():
    """原来打算控制在多少？实际涨了多少？ asks two figures: a second sentence of the same report about the same topic
    is quoted for the other one, though it covers no new word of the question."""
    from rag.answer.extractive import select_sentences

    report = Report("n95", "1995年政府工作报告", year=1995)
    text = ("去年我在政府工作报告中曾提出，要把全年商品零售物价上涨幅度控制在百分之十以内。"
            "但实际执行结果，全年商品零售物价上涨百分之二十一点七。")
    hit = _hit(report, text, years=(1994,))
    two = select_sentences(analyze("1994年商品零售物价原来打算控制在多少以内？结果实际涨了多少？", [report]), [hit], set())[0]
    assert len(two) == 2 and {"百分之十以内" in s.text for s in two} == {True, False}
    one = select_sentences(analyze("1994年商品零售物价实际上涨了多少？", [report]), [hit], set())[0]
    assert len(one) == 1


def test_average_yearly_prefers_a_mean_but_never_requires_one():
    """"average annual wage": the termbase's 年均|平均每年|年平均|平均 is a soft concept (年平均工资 may cover it);
    "average annual growth" still finds 年均增长: a question of soft words only has no topic to miss."""
    from rag.answer.extractive import select_sentences

    plan = analyze("What was the average annual wage of workers in 1979?", [])
    average = [i for i, group in enumerate(plan.expansion_groups) if "年平均" in group]
    assert average and set(average) <= plan.soft_groups
    plan_report = Report("n16", "2016年政府工作报告", year=2016)
    plan_hit = _hit(plan_report, "“十三五”时期经济年均增长保持在6.5%以上。", years=(2016, 2017, 2018, 2019, 2020),
                    kind="multi-year")
    chosen, coverage = select_sentences(analyze("What average annual growth did the plan aim for?", [plan_report]),
                                        [plan_hit], set())
    assert chosen and coverage >= 0.5
