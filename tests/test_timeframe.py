"""The time model of a report (rag/core/timeframe.py): which part a paragraph lies in and the years it speaks
about, stored per chunk and used by retrieval and by the answer's year check."""

from __future__ import annotations

import pytest

from rag.core.timeframe import ChunkTime, chunk_time, report_times, section_parts, sentence_years
from rag.core.years import plan_periods


@pytest.mark.parametrize(("path", "text", "expected"), [
    (["一、2022年工作回顾"], "经济保持增长。", ChunkTime("review", (2022,))),
    (["二、2023年经济社会发展总体要求和政策取向"], "要坚持稳字当头。", ChunkTime("plan", (2023,))),
    (["一、过去五年工作回顾"], "经济实力明显增强。", ChunkTime("multi-year", (2018, 2019, 2020, 2021, 2022))),
    (["三、2023年政府工作任务"], "过去一年，国防和军队建设扎实推进。", ChunkTime("review", (2022,))),
    (["二、2023年工作任务"], "这五年，我们经历了很多。", ChunkTime("multi-year", (2018, 2019, 2020, 2021, 2022))),
    (["一、工作回顾"], "“十四五”时期经济社会发展主要目标是……", ChunkTime("multi-year", (2021, 2022, 2023, 2024, 2025))),
    (["二、今后五年的主要任务"], "坚持创新驱动。", ChunkTime("multi-year", (2023, 2024, 2025, 2026, 2027))),
    ([], "各位代表：", ChunkTime()),
])
def test_chunk_time_from_headings_and_openings(path, text, expected):
    assert chunk_time(path, text, 2023) == expected


def test_a_report_without_years_has_no_chunk_times():
    assert chunk_time(["一、2022年工作回顾"], "经济保持增长。", None) == ChunkTime()


def test_task_sections_after_the_review_are_the_years_plan():
    sections = [(["一、2014年工作回顾"], "过去一年……"), (["二、2015年工作总体部署"], "我国是……"),
                (["三、把改革开放扎实推向纵深"], "改革开放是推动发展的制胜法宝。"),
                (["四、关于外交工作"], "2014年，面对复杂多变的国际形势……")]
    hints = section_parts(2015, sections)
    assert hints["三、把改革开放扎实推向纵深"] == ("plan", 2015)
    assert hints["四、关于外交工作"] == ("review", 2014)  # its opening names the year before
    assert section_parts(2015, sections, by_order=False)["三、把改革开放扎实推向纵深"] == (None, None)
    times = report_times(2015, sections)
    assert [t.kind for t in times] == ["review", "plan", "plan", "review"]


def test_a_five_year_opening_carries_to_the_paragraphs_after_it():
    """The 2023 report reviews one year, then five, under one heading: 过去五年… opens the five-year part and the
    ——经济发展再上新台阶 paragraphs after it (and its subsections) belong to it, until a paragraph opens with
    another time or a new top section starts."""
    head = ["一、过去一年和五年工作回顾"]
    chunks = [(head, "过去一年，国内生产总值增长3%。"), (head, "针对就业压力凸显，城镇新增就业1206万人。"),
              (head, "过去五年极不寻常、极不平凡。"), (head, "——经济发展再上新台阶。国内生产总值增加到121万亿元。"),
              ([*head, "（一）创新宏观调控"], "坚持实施积极的财政政策。"),
              ([*head, "（一）创新宏观调控"], "去年城镇调查失业率一度明显攀升。"),
              (["二、2023年经济社会发展总体要求"], "今年发展主要预期目标是：国内生产总值增长5%左右。")]
    times = report_times(2023, chunks)
    five = tuple(range(2018, 2023))
    assert [(t.kind, t.years) for t in times] == [
        ("review", (2022,)), ("review", (2022,)), ("multi-year", five), ("multi-year", five),
        ("multi-year", five), ("review", (2022,)), ("plan", (2023,))]


def test_sentences_name_the_years_they_state_figures_for():
    """2012年，…国内生产总值增长7.8% inside the 2013 five-year review states 2012's figure; 年均 and
    2008年到2012年 are spans, and 比2007年 a baseline."""
    times = report_times(2013, [(["一、过去五年工作回顾"], "五年来，国内生产总值年均增长9.3%。2012年，国内生产总值增长"
                                 "7.8%。比2007年增加一倍。2008年到2012年累计新增就业5870万人。")])
    assert times[0].kind == "multi-year" and times[0].named == (2012,)


def test_a_section_before_any_part_stays_unknown():
    assert section_parts(1954, [(["一、"], "我们的国家……")])["一、"] == (None, None)


@pytest.mark.parametrize(("sentence", "years"), [
    ("2022年国内生产总值增长3%。", (2022,)),
    ("2021年同2012年相比，国内生产总值增加到114万亿元。", (2021,)),  # the baseline year is not the figure's
    ("比2020年增长8.1%。", ()),
    ("一九五七年粮食产量达到三千七百亿斤。", (1957,)),
    ("2017年到2021年年均增长6.5%。", (2021,)),
    ("国内生产总值增长5%左右。", ()),
])
def test_sentence_years(sentence, years):
    assert sentence_years(sentence) == years


def test_all_five_year_plans_are_known():
    assert plan_periods("“六五”计划") == [1985]
    assert plan_periods("第一个五年计划") == [1957]
    assert plan_periods("“七五”期间和十三五时期") == [1990, 2020]
    assert plan_periods("三十五万计划") == []  # a number, not a plan


def test_chunk_times_are_stored_and_recomputed(tmp_path):
    """Every stored chunk carries its time; a store written before times existed gets them on open."""
    from rag.core.models import Report
    from rag.index.store import TIME_VERSION, ReportStore
    from rag.ingest.loaders import RawDocument
    from rag.ingest.parser import parse_document

    text = ("2023年政府工作报告\n一、2022年工作回顾\n过去一年，国内生产总值增长3%。\n"
            "二、2023年经济社会发展总体要求\n今年发展主要预期目标是：国内生产总值增长5%左右。\n")
    raw = RawDocument("r.txt", text, text.encode(), "txt", title_hint="2023年政府工作报告")
    parsed = parse_document(raw, "r", 500, 10)
    assert isinstance(parsed.report, Report) and parsed.report.year == 2023
    with ReportStore(tmp_path) as store:
        store.upsert(parsed)
        times = {c.text[:4]: c.time for c in store.chunks("r")}
        assert times["过去一年"] == ChunkTime("review", (2022,))
        assert times["今年发展"] == ChunkTime("plan", (2023,), named=(2023,))
        assert store.chunk_times() == {c.chunk_id: c.time for c in store.chunks("r")}
        with store.transaction() as conn:  # as if written by an older version, before sentences' own years
            conn.execute("DROP TABLE chunk_time")
            conn.execute("CREATE TABLE chunk_time (chunk_id TEXT PRIMARY KEY, report_id TEXT NOT NULL, kind TEXT, "
                         "years TEXT NOT NULL)")
            conn.execute("UPDATE meta SET value='0' WHERE key='time_version'")
    with ReportStore(tmp_path) as store:
        assert store.chunks("r")[-1].time == ChunkTime("plan", (2023,), named=(2023,))
        assert store.conn.execute("SELECT value FROM meta WHERE key='time_version'").fetchone()[0] == TIME_VERSION


def _review_hit(report_year: int, text: str):
    """A search hit of one paragraph in the review part of a national report of ``report_year``."""
    from rag.core.models import Chunk, Report
    from rag.retrieve.hybrid import SearchHit

    report = Report("r", f"{report_year}年政府工作报告", year=report_year, level="national")
    chunk = Chunk("r:1", "r", 1, 1, 1, 0, [f"一、{report_year - 1}年工作回顾"], 0, len(text), text, text, "",
                  ChunkTime("review", (report_year - 1,)))
    return SearchHit(chunk, report, 1.0)


def _chosen(question: str, hit):
    from rag.answer.extractive import select_sentences
    from rag.retrieve.plan import analyze

    return select_sentences(analyze(question, [hit.report]), [hit], set())[0]


def test_the_answer_never_quotes_a_figure_about_another_year():
    """Asked about 2022, a sentence stating 2021's figure is not an answer, though it shares every word."""
    hit = _review_hit(2023, "2021年国内生产总值增长8.1%。2022年国内生产总值增长3%。")
    chosen = _chosen("2022年国内生产总值增长了多少？", hit)
    assert chosen and all("2021年" not in s.text for s in chosen) and "3%" in chosen[0].text
    assert _chosen("2020年国内生产总值增长了多少？", hit) == []


def test_an_llm_answer_citing_another_years_figure_is_rejected():
    """A model that answers 2022's growth with the 2021 figure of its source is replaced by the extractive
    answer, which quotes the 2022 sentence."""
    from types import SimpleNamespace

    from rag.answer.pipeline import llm_answer
    from rag.retrieve.plan import analyze

    class WrongYearModel:
        def stream(self, messages):
            yield SimpleNamespace(content="国内生产总值增长8.1%[1]。")

    hit = _review_hit(2023, "2021年国内生产总值增长8.1%。2022年国内生产总值增长3%。")
    plan = analyze("2022年国内生产总值增长了多少？", [hit.report])
    # reading the top chunk (sentences=0), the 2021 figure is there, so the year check rejects it
    result = llm_answer(WrongYearModel(), "openai", plan, [hit], plan.text, plan.text, sentences=0)
    assert result.engine.startswith("extractive (fallback") and "another year" in (result.grounding_note or "")
    assert "3%" in result.answer and "8.1%" not in result.answer
    # phrasing the selected 2022 sentence, the 2021 figure is not in what it cites
    result = llm_answer(WrongYearModel(), "openai", plan, [hit], plan.text, plan.text)
    assert result.engine.startswith("extractive (fallback") and "8.1%" in (result.grounding_note or "")
    assert "3%" in result.answer and "8.1%" not in result.answer


def test_relative_years_of_a_sentence():
    assert sentence_years("今年预计将达二万五千五百公里。", 1954) == (1954,)
    assert sentence_years("去年国内生产总值增长3%。", 2023) == (2022,)
    assert sentence_years("比去年增加300亿元。", 2018) == ()  # a baseline, not the figure's year
    assert sentence_years("今年预计将达二万五千五百公里。") == ()


def test_results_and_citations_say_what_a_paragraph_speaks_about():
    from rag.core.models import Chunk, Report
    from rag.retrieve.hybrid import SearchHit
    from ui.render import year_chip

    report = Report("r", "2023年政府工作报告", year=2023)
    chunk = Chunk("r:1", "r", 1, 1, 1, 0, ["一、2022年工作回顾"], 0, 4, "经济增长", "经济增长", "",
                  ChunkTime("review", (2022,)))
    assert SearchHit(chunk, report, 1.0).to_dict()["speaks_about"] == {"kind": "review", "years": [2022]}
    assert "2023 · 回顾 2022" in year_chip(2023, {"kind": "review", "years": [2022]})
    assert ">2023<" in year_chip(2023, {"kind": None, "years": []})
    assert "2021–2025" in year_chip(2023, {"kind": "multi-year", "years": [2021, 2022, 2023, 2024, 2025]})


def test_a_figure_in_a_five_year_part_does_not_answer_for_one_year():
    """贫困人口减少6800多万 in the review of 2013–2017 is the five years' figure, not 2017's."""
    from rag.answer.sentence_time import year_match

    five_years = ChunkTime("multi-year", (2013, 2014, 2015, 2016, 2017))
    assert year_match(frozenset({2017}), "贫困人口减少6800多万。", five_years, 2018) == -1
    assert year_match(frozenset({2017}), "2017年贫困人口减少1289万。", five_years, 2018) == 1
    assert year_match(frozenset(range(2013, 2018)), "贫困人口减少6800多万。", five_years, 2018) == 1


def test_a_span_named_after_the_figures_explains_them():
    """全国财政赤字合计9500亿元，…但由于前几年连续减少赤字: the figure is the planned year's; 五年来，…达到X: the span's."""
    from rag.answer.sentence_time import span_scoped

    assert not span_scoped("全国财政赤字合计9500亿元，占国内生产总值比重在3%以内，但由于前几年连续减少赤字，发债空间较大。")
    assert span_scoped("前三年，粮食产量累计增加800亿斤。")
    assert span_scoped("近五年来，国内生产总值年均增长9.8%。")


def test_a_span_asked_is_answered_by_its_own_span():
    """Asked 2002–2007: the 2003 report's 1997→2002 meets it only at 2002; the 2008 report's 2002→2007 is it."""
    from rag.answer.sentence_time import names_both_ends, year_match

    asked = frozenset(range(2002, 2008))
    before = "全国研究与试验开发经费，从1997年的509亿元增加到2002年的1161亿元。"
    same = "全社会研究与实验发展经费，从2002年1288亿元增加到2007年的3664亿元。"
    review = ChunkTime("multi-year", (1998, 1999, 2000, 2001, 2002))
    assert names_both_ends(asked, same) and not names_both_ends(asked, before)
    assert year_match(asked, "1997年至2002年，研发经费年均增长17.9%。", review, 2003) == -1
    assert year_match(asked, same, ChunkTime("multi-year", tuple(range(2003, 2008))), 2008) == 1


def test_a_level_reached_in_a_five_year_review_is_its_last_years():
    """The 2016 report's review of 2011–2015: 铁路营业里程达到12.1万公里，其中高速铁路超过1.9万公里 is the network
    at the end of 2015; 新增铁路里程1.97万公里 is the five years' addition."""
    from rag.answer.sentence_time import year_match

    five_years = ChunkTime("multi-year", (2011, 2012, 2013, 2014, 2015))
    assert year_match(frozenset({2015}), "铁路营业里程达到12.1万公里，其中高速铁路超过1.9万公里。", five_years, 2016) == 1
    assert year_match(frozenset({2015}), "新增铁路里程1.97万公里。", five_years, 2016) == -1
    assert year_match(frozenset({2015}), "五年累计完成投资达到3.8万亿元。", five_years, 2016) == -1


def test_a_span_then_a_change_to_a_level_states_the_spans_last_year():
    """The 1983 report: 从一九七八年到一九八二年，我国普通高等学校已由五百九十八所增加到七百一十五所 gives 1982's count;
    a clause read with such a sentence (…从129.6亿元增加到181.8亿元；社会消费品零售总额年均增长3亿元) states no level."""
    from rag.answer.sentence_time import year_match
    from rag.core.levels import span_levels

    five_years = ChunkTime("multi-year", (1978, 1979, 1980, 1981, 1982))
    sentence = "从一九七八年到一九八二年，我国普通高等学校已由五百九十八所增加到七百一十五所。"
    assert span_levels(sentence) == {1982}
    assert year_match(frozenset({1982}), sentence, five_years, 1983) == 1
    assert year_match(frozenset({1980}), sentence, five_years, 1983) == -1
    assert year_match(frozenset({2021}), "2017年到2021年，地区生产总值年均增长10亿元以上。", five_years, 2022) == -1
    continued = "2017年到2021年,地区生产总值从129.6亿元增加到181.8亿元;社会消费品零售总额年均增长3亿元;"
    assert span_levels(continued) == set()


def test_a_streak_in_its_own_clause_leaves_the_figure_to_the_year():
    """粮食连续五年增产，总产量10570亿斤 (the 2009 report's review of 2008) gives 2008's harvest; a streak in the
    figure's own clause (连续五年增产百分之三以上) or a leading 五年来 still speaks about the span."""
    from rag.answer.sentence_time import year_match

    review = ChunkTime("review", (2008,))
    assert year_match(frozenset({2008}), "粮食连续五年增产，总产量10570亿斤，创历史最高水平。", review, 2009) == 1
    assert year_match(frozenset({2008}), "粮食连续五年增产百分之三以上。", review, 2009) == -1
    assert year_match(frozenset({2008}), "五年来，累计减少贫困人口6800多万。", review, 2009) == -1


def test_a_target_question_is_not_answered_with_the_reviewed_result():
    """Asked for 2006's target, the 2007 report's review sentence (转为下降1.2%) is not the answer; a review
    sentence that restates the target (年初确定的…目标) still is."""
    hit = _review_hit(2007, "2006年，单位国内生产总值能耗转为下降1.2%。"
                            "2006年年初确定的单位国内生产总值能耗降低4%左右的目标没有实现。")
    chosen = _chosen("2006年单位国内生产总值能耗要降低多少？", hit)
    assert chosen and all("1.2%" not in s.text for s in chosen) and "4%" in chosen[0].text


def test_a_figure_takes_the_year_named_before_it():
    """1956年的工业总产值达到了五百八十六亿元，超过了…1957年的指标 states 1956's output; the 1957 named after the
    figure is what it is measured against, and a baseline after 比 is never the figure's year."""
    from rag.answer.sentence_time import year_match
    from rag.core.timeframe import figure_years

    passed = "1956年的工业总产值达到了五百八十六亿元，超过了五年计划所要求的1957年的指标。"
    assert figure_years(passed) == (1956,)
    assert figure_years("1957年的工业总产值比1956年将增长百分之四点五，达到六百零三亿元。") == (1957,)
    assert figure_years("粮食产量有所增加。") == ()
    plan = ChunkTime("plan", (1957,))
    assert year_match(frozenset({1957}), passed, plan, 1957) == -1


def test_a_yearly_rate_is_preferred_when_a_span_asks_for_one():
    """"What yearly GNP growth did the Seventh Five-Year Plan aim for": 平均每年增长7.5%, not the five years' 44%."""
    from rag.core.models import Chunk, Report
    from rag.retrieve.hybrid import SearchHit

    text = "“七五”计划草案规定，五年内国民生产总值增长百分之四十四。国民生产总值平均每年增长百分之七点五。"
    chunk = Chunk("r:1", "r", 1, 1, 1, 0, ["一、七五计划"], 0, len(text), text, text, "",
                  ChunkTime("multi-year", (1986, 1987, 1988, 1989, 1990)))
    hit = SearchHit(chunk, Report("r", "1986年政府工作报告", year=1986, level="national"), 1.0)
    chosen = _chosen("What yearly GNP growth did the Seventh Five-Year Plan (1986-1990) aim for?", hit)
    assert chosen and "七点五" in chosen[0].text


def test_the_last_years_figure_under_a_five_year_review_heading_is_the_spans():
    """国内生产总值2000年达89404亿元，平均每年增长8.3％ under 一、“九五”时期…的回顾 (the 2001 report) speaks about
    1996–2000; a paragraph opening with 过去一年/去年 under a five-year heading stays the last year's."""
    heading = ["一、“九五”时期国民经济和社会发展的回顾"]
    span = chunk_time(heading, "国内生产总值2000年达89404亿元，平均每年增长8.3％。", 2001)
    assert span == ChunkTime("multi-year", (1996, 1997, 1998, 1999, 2000))
    assert chunk_time(["一、过去五年工作回顾"], "过去一年，国内生产总值增长3%。", 2023).kind == "review"


def test_a_span_sentence_gives_the_level_of_its_end_year():
    """由一九七八年的三百五十五亿元增加到一九八二年的七百七十二亿元 states 1982's level, and 1978's too (its year named
    with its level, 一九七八年的三百五十五亿元), not 1980's; 从2013年到2017年，年均增长7.1% states no one year's figure."""
    from rag.answer.sentence_time import year_match

    review = ChunkTime("review", (1982,))
    level = "一九八二年同一九七八年相比，进出口贸易总额由一九七八年的三百五十五亿元增加到一九八二年的七百七十二亿元。"
    assert year_match(frozenset({1982}), level, review, 1983) == 1
    assert year_match(frozenset({1978}), level, review, 1983) == 1
    assert year_match(frozenset({1980}), level, review, 1983) == -1
    assert year_match(frozenset({2017}), "从2013年到2017年，国内生产总值年均增长7.1%。", review, 2018) == -1


def test_one_untranslated_word_does_not_sink_a_sentence_that_answers():
    """"By how much did universities expand their cohort in 1999": nothing translates "cohort", yet the sentence
    on 普通高等学校招生规模…扩大47.4% covers the rest; a question mostly made of such words is still refused."""
    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.retrieve.plan import analyze

    hit = _review_hit(2000, "普通高校招收新生规模比上年扩大47．4％，增幅之大是多年来没有的。")
    plan = analyze("By how much did universities expand their cohort of new students in 1999?", [hit.report])
    assert plan.untranslated == ["cohort"]
    assert rank_sentences(plan, [hit], set(), weight_of=lambda term: 1.0).coverage >= MIN_COVERAGE
    medals = analyze("How many Olympic gold medals did athletes win in 1999?", [hit.report])
    assert rank_sentences(medals, [hit], set(), weight_of=lambda term: 1.0).coverage < MIN_COVERAGE


def test_asked_from_what_to_what_the_sentence_stating_both_levels_wins():
    """"How did GDP change between 2017 and 2021 — from what to what?": 从129.6亿元增加到181.8亿元, not the
    sentence with 2021's level alone (which comes first in the paragraph)."""
    hit = _review_hit(2022, "地区生产总值完成181.8亿元，同比增长5.3%。全区地区生产总值年均增长10亿元以上，从129.6亿元增加到181.8亿元。")
    for question in ("How did GDP change between 2017 and 2021 — from what to what?",
                     "How much did GDP grow from 2017 to 2021?"):  # a change between two named years, too
        chosen = _chosen(question, hit)
        assert chosen and "从129.6亿元增加到181.8亿元" in chosen[0].text, question


def test_a_year_a_record_runs_since_is_not_the_figures_year():
    """全年pm2.5浓度改善10.1%…创2014年空气质量新考核标准实施以来最好水平: the figure is the report's year's, 2014 only
    says since when the record runs; 2014年国内生产总值增长7.4% still states 2014's figure."""
    assert sentence_years("全年pm2.5浓度改善10.1%,创2014年空气质量新考核标准实施以来最好水平。") == ()
    assert sentence_years("2014年国内生产总值增长7.4%。") == (2014,)
    # 从2002年1月1日起 says when a cut took effect: 2002 is the figure's year, no baseline (not 从2012年的…到…)
    assert sentence_years("从２００２年１月１日起，我国关税总水平已由１５．３％降到１２％。") == (2002,)
    assert sentence_years("贫困发生率从2012年的10.2%下降到2017年的3.1%。") == (2017,)


def test_a_comparison_with_an_earlier_year_states_the_first_years_level():
    """１９９２年同１９８７年相比…增加９１０元，达到１８２６元: 1826元 is 1992's level (1987 is the baseline), and the
    clause after ；that names no year is read in the same sentence's time."""
    from rag.answer.sentence_time import with_time_context, year_match
    from rag.core.levels import end_values
    from rag.core.timeframe import ChunkTime

    text = "１９９２年同１９８７年相比，城镇居民人均生活费收入增加９１０元，达到１８２６元；农村居民人均纯收入增加３２１元，达到７８４元。"
    assert end_values(text) == (1992,)
    assert end_values("一九五七年同一九五二年相比，工业总产值增长一点二倍") == ()
    span = ChunkTime("multi-year", (1988, 1989, 1990, 1991, 1992), ())
    second = text.index("农村")
    assert year_match(frozenset({1992}), with_time_context(text, second, len(text), 1993), span, 1993) == 1
    # alone, the level a change reached in a five-year review is the span's last year's; the change is the span's
    assert year_match(frozenset({1992}), text[second:], span, 1993) == 1
    assert year_match(frozenset({1992}), "农村居民人均纯收入增加３２１元。", span, 1993) == -1
    assert year_match(frozenset({1991}), text[second:], span, 1993) == -1
    assert year_match(frozenset({1992}), "五年累计增加３２１亿元，达到７８４亿元。", span, 1993) == -1  # a total


def test_a_multiple_of_a_years_figure_is_measured_against_that_year():
    """是2010年的2.2倍 names 2010 as a baseline, like 比2010年: the sentence's figures are the report's year's."""
    from rag.core.timeframe import figure_years, sentence_years

    text = "中央财政安排资金1713亿元，是2010年的2.2倍，全年城镇保障性住房基本建成432万套。"
    assert sentence_years(text, 2012) == ()
    assert figure_years("2011年安排资金1713亿元，相当于2010年的两倍多") == (2011,)
    assert sentence_years("今年将达到一九四九年的三倍", 1954) == (1954,)  # its 今年, not 1949
    assert sentence_years("2010年是“十一五”的最后一年", 2010) == (2010,)


def test_a_year_named_with_its_level_is_that_years_figure_even_after_from():
    """财政赤字从１９７９年的一百七十亿元、１９８０年的一百二十七亿元，预计降低到今年的二十七亿元: 从 marks a starting point, but
    １９７９年的一百七十亿元 is 1979's level, so the sentence answers for 1979; 比2012年的水平 names no level."""
    from rag.answer.sentence_time import year_match
    from rag.core.levels import level_years
    from rag.core.timeframe import ChunkTime

    text = "财政赤字从１９７９年的一百七十亿元、１９８０年的一百二十七亿元，预计降低到今年的二十七亿元。"
    assert level_years(text) == (1979, 1980)
    assert level_years("比2012年的水平提高一倍") == ()
    assert year_match(frozenset({1979}), text, ChunkTime("review", (1981,), ()), 1981) == 1
    assert year_match(frozenset({1978}), text, ChunkTime("review", (1981,), ()), 1981) == -1


def test_the_reports_present_names_the_report_year():
    """一九五八年初…七十四万多个合作社，现在…二万四千多个人民公社 (the 1960 report): the figure after 现在 is 1960's."""
    from rag.answer.sentence_time import year_match
    from rag.core.timeframe import figure_years

    merged = "一九五八年初全国有七十四万多个高级农业生产合作社，现在已经合并改组成为二万四千多个人民公社。"
    steel = "一九五八年钢产量八百万吨，现在已达一千三百万吨。"
    assert figure_years(steel, 1960) == (1958, 1960) and figure_years(steel) == (1958,)
    review = ChunkTime("review", (1959,))
    assert year_match(frozenset({1960}), merged, review, 1960) == 1
    assert year_match(frozenset({1957}), merged, review, 1960) == -1
    assert year_match(frozenset({1960}), "一九五八年初全国有七十四万多个高级农业生产合作社。", review, 1960) == -1


def test_a_late_reports_plan_speaks_about_the_next_year_when_a_sentence_is_checked():
    """The December 1964 report plans 1965 (its 工业总产值比一九六四年增长百分之十一左右 is 1965's target); the
    1980 report (August) reviews 1979 and 1980 so far. Other kinds and other years are left alone."""
    from rag.answer.sentence_time import year_match
    from rag.core.timeframe import late_time

    plan, review = ChunkTime("plan", (1964,)), ChunkTime("review", (1979,))
    assert late_time(plan, 1964).years == (1964, 1965) and late_time(review, 1980).years == (1979, 1980)
    five = ChunkTime("multi-year", (1976, 1977, 1978, 1979, 1980))
    assert late_time(five, 1980) == five and late_time(ChunkTime(), 1980) == ChunkTime()
    sentence = "工业总产值比一九六四年增长百分之十一左右。"
    assert year_match(frozenset({1965}), sentence, plan, 1964) == -1
    assert year_match(frozenset({1965}), sentence, late_time(plan, 1964), 1964) == 1


def test_a_programme_named_for_five_years_is_no_span():
    """出台实施新型城镇化战略五年行动计划，…常住人口城镇化率提高到67% (the 2025 report's review of 2024) is 2024's rate."""
    from rag.answer.sentence_time import year_match

    review = ChunkTime("review", (2024,))
    sentence = "出台实施新型城镇化战略五年行动计划，扎实推进城市更新，常住人口城镇化率提高到67%。"
    assert year_match(frozenset({2024}), sentence, review, 2025) == 1
    assert year_match(frozenset({2024}), "五年来，常住人口城镇化率提高到67%。", review, 2025) == -1


def test_asked_what_actually_happened_a_restated_target_gives_way():
    """The 1995 report's review: 曾提出，要把…涨幅控制在百分之十以内 restates 1994's target; asked how high prices actually
    rose, the next sentence (涨幅仍然高达百分之二十一点七) answers."""
    hit = _review_hit(1995, "去年我在政府工作报告中曾提出，要把全年商品零售物价上涨幅度控制在百分之十以内。"
                            "虽然在这方面做了很大努力，商品零售物价涨幅仍然高达百分之二十一点七。")
    chosen = _chosen("1994年商品零售物价实际上涨了多少？", hit)
    assert chosen and "二十一点七" in chosen[0].text


def test_an_annual_mean_concentration_is_one_years():
    """PM2.5、PM10年均浓度分别下降18.2%和11.7%,优良天数达224天 (the 2022 report's review of 2021): 年均浓度 is the year's
    mean, not an average over years."""
    from rag.answer.sentence_time import year_match

    review = ChunkTime("review", (2021,))
    sentence = "PM2.5、PM10年均浓度分别下降18.2%和11.7%,优良天数达224天,创我区空气优良天数新高。"
    assert year_match(frozenset({2021}), sentence, review, 2022) == 1


def test_asked_how_many_a_date_is_no_count():
    """How many people the earthquake killed is not answered by 去年5月12日…发生汶川特大地震 (only a date)."""
    from rag.answer.extractive import MIN_COVERAGE, select_sentences
    from rag.retrieve.plan import analyze

    def coverage(text: str) -> float:
        hit = _review_hit(2009, text)
        return select_sentences(analyze("2008年汶川特大地震中有多少人遇难？", [hit.report]), [hit], set())[1]

    assert coverage("去年5月12日，我国发生震惊世界的汶川特大地震。") < MIN_COVERAGE
    assert coverage("去年5月12日，汶川特大地震造成六万九千多人遇难。") >= MIN_COVERAGE


def test_a_multiple_of_a_years_figure_is_measured_against_it():
    """鋼二百十七萬噸，等於一九四九年的十三點七倍 (the 1954 report's 1954 estimate): 1949 is the baseline, the figure is
    the year the list opened with."""
    from rag.core.timeframe import sentence_years

    assert sentence_years("鋼二百十七萬噸，等於一九四九年的十三點七倍；", 1954) == ()
    assert sentence_years("钢产量是2010年的2.2倍", 2020) == ()
    assert sentence_years("一九五四年钢产量二百十七万吨", 1954) == (1954,)


def test_a_span_a_figure_is_a_multiple_of_is_measured_against_it():
    """五年…投入5800亿元，是1950年到1997年投入总和的1.7倍 (the 2003 report's five-year review): the sentence's
    figure is about its own five years, not 1950–1997; a span after 比 is a baseline too."""
    assert sentence_years("五年全国环境保护和生态建设投入5800亿元，是1950年到1997年投入总和的1.7倍。", 2003) == ()
    assert sentence_years("比1998年到2002年增加了一倍", 2008) == ()
    assert sentence_years("从2002年到2007年增加了一倍", 2008) == (2007,)


def test_a_heading_about_the_past_five_years_is_a_review():
    from rag.core.timeframe import heading_part

    assert heading_part(["一、关于过去五年的政府工作"], 1998) == ("multi-review", None)
    assert heading_part(["二、今后五年的目标"], 1998) == ("multi-plan", None)


def test_a_price_base_year_is_not_the_figures_year():
    """农民人均纯收入2300元（2010年不变价）作为新的国家扶贫标准 (the 2012 report, about 2011): 2010 is the prices the
    figure is measured in, like a baseline (按1980年不变价格, 按1952年的价格计算)."""
    from rag.core.timeframe import baseline_year

    norm = "将农民人均纯收入2300元（2010年不变价）作为新的国家扶贫标准，按1952年的价格计算"
    for year in ("2010年", "1952年"):
        start = norm.index(year)
        assert baseline_year(norm, start, start + len(year))
    norm = "2010年国内生产总值增长10.3%"
    assert not baseline_year(norm, 0, 5)


def test_a_year_written_with_a_circle_for_zero_is_a_year():
    """一九八○年 (○, not 〇: 67 years in nine of the older reports) is 1980 for every reader of years."""
    from rag.core.years import YEAR_RE, names_horizon, year_value

    assert [year_value(y) for y in YEAR_RE.findall("从一九八○年至一九八五年")] == [1980, 1985]
    assert names_horizon("到一九八○年以前，建成一个独立的比较完整的工业体系", 1980)
    assert not names_horizon("１９９０年将在我国举行的第十一届亚洲运动会", 1990)


def test_a_span_sentence_names_the_year_of_the_level_it_reached():
    """从一九八○年至一九八五年，…钢由三千七百万吨增加到四千六百六十六万吨 states 1985's output: the chunk names
    1985 (a question about 1985 prefers it); a yearly average over the span names no year."""
    times = report_times(1986, [(["一、过去五年的回顾"], "从一九八○年至一九八五年，我国原煤产量由六亿二千万吨增加到八亿五千万吨，"
                                 "钢由三千七百万吨增加到四千六百六十六万吨。")])
    assert times[0].named == (1985,)
    averaged = report_times(1986, [(["一、过去五年的回顾"], "一九八一年至一九八五年，国民收入平均每年增长百分之九点七。")])
    assert averaged[0].named == ()


def test_a_result_is_not_answered_by_a_plan_made_before_the_year():
    """Asked what 1990's growth actually was, the 1986 report's 七五 plan for 1990 (…一九九○年比一九八五年增长百分之
    四十) is no answer: a report states the results of the years before it."""
    from rag.core.models import Chunk, Report
    from rag.retrieve.hybrid import SearchHit

    text = "进出口贸易总额一九九○年比一九八五年增长百分之四十。"
    report = Report("r", "1986年政府工作报告", year=1986, level="national")
    chunk = Chunk("r:1", "r", 1, 1, 1, 0, ["三、第七个五年计划"], 0, len(text), text, text, "",
                  ChunkTime("multi-year", (1986, 1987, 1988, 1989, 1990), (1990,)))
    assert _chosen("1990年进出口贸易总额实际增长了百分之几？", SearchHit(chunk, report, 1.0)) == []
    assert _chosen("七五计划要求1990年进出口贸易总额比1985年增长百分之几？", SearchHit(chunk, report, 1.0))


def test_one_year_of_an_asked_span_is_not_the_spans_figure():
    """Asked how many were lifted out of poverty over 2016–2020, the 2017 report's review of 2016 (农村贫困人口减少
    1240万) cannot be told a match; the 2021 report's five-year review (5575万) is."""
    from rag.answer.sentence_time import year_match

    span = frozenset(range(2016, 2021))
    assert year_match(span, "农村贫困人口减少1240万。", ChunkTime("review", (2016,)), 2017) == 0
    assert year_match(span, "5575万农村贫困人口实现脱贫。", ChunkTime("multi-year", tuple(range(2016, 2021))), 2021) == 1
    assert year_match(frozenset({2016}), "农村贫困人口减少1240万。", ChunkTime("review", (2016,)), 2017) == 1
