"""Questions that ask for two figures (rag/answer/multipart.py): split, completed from the first part, joined."""

from __future__ import annotations

from rag.answer.citations import Citation
from rag.answer.multipart import join_answers, split_question
from rag.answer.pipeline import ask
from rag.answer.records import Answer
from rag.core.models import Chunk, Report
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.plan import analyze


def parts(question: str, attested: set[str] | None = None) -> list[str]:
    return split_question(question, lambda text: analyze(text, []), lambda phrase: phrase in (attested or set()))


def test_a_second_question_gets_the_first_ones_year_and_subject():
    first, second = parts("1958年全国钢产量达到多少万吨？前一年又是多少？")
    assert first.startswith("1958年全国钢产量")
    assert "1957年" in second and "钢产量" in second and "1958" not in second
    first, second = parts("1994年商品零售物价原定控制目标是多少？实际涨了多少？")
    assert second.startswith("1994年") and "商品零售物价" in second and "实际涨了多少" in second
    assert "控制目标" not in second  # the first part's aim is not the second's


def test_a_context_clause_and_a_share_of_the_first_subject_carry_over():
    first, second = parts("据1994年政府工作报告，去年国内生产总值增长了多少？城镇新建住宅多少平方米？")
    assert first.startswith("据1994年政府工作报告") and second.startswith("据1994年政府工作报告")
    assert second.endswith("城镇新建住宅多少平方米")
    _, share = parts("第一个五年计划安排的基本建设投资总共多少？其中工业部门分到多少？")
    assert "基本建设投资" in share and "第一个五年计划" in share and share.endswith("其中工业部门分到多少")


def test_a_later_part_without_an_aim_keeps_the_first_parts_target():
    _, share = parts("第一个五年计划安排的基本建设投资总共多少？其中工业部门分到多少？")
    assert "安排的基本建设投资" in share
    _, bonds = parts("2020年政府工作报告安排的财政赤字率是多少？抗疫特别国债发行了多少？")
    assert bonds.startswith("2020年政府工作报告安排") and bonds.endswith("抗疫特别国债发行了多少")
    _, actual = parts("1994年商品零售物价原定控制目标是多少？实际涨了多少？")
    assert "安排" not in actual and "目标" not in actual  # 实际 is an aim of its own


def test_english_things_asked_with_one_predicate_are_asked_one_by_one():
    assert parts("In the 1954 report, how much coal and how much steel was China expected to turn out?") == [
        "In the 1954 report, how much coal was China expected to turn out?",
        "In the 1954 report, how much steel was China expected to turn out?"]
    first, second = parts("Did spending on education reach 4% of GDP in 2012, and how much was spent on education?")
    assert first.startswith("Did spending") and "2012" in second


def test_a_predicate_after_the_last_english_part_is_every_parts():
    """"How large a deficit, and what deficit ratio, did the government plan for 2015?": both are 2015's plan (the
    first part alone named no year and was answered from the 2011 report)."""
    assert parts("How large a fiscal deficit, and what deficit-to-GDP ratio, did the government plan for 2015?") == [
        "How large a fiscal deficit did the government plan for 2015?",
        "what deficit-to-GDP ratio did the government plan for 2015?"]


def test_things_joined_with_each_are_asked_one_by_one():
    assert parts("1985年的政府工作报告说，去年粮食和棉花产量各达到多少？", {"粮食产量"}) == [
        "1985年的政府工作报告说，去年粮食产量达到多少？", "1985年的政府工作报告说，去年棉花产量达到多少？"]
    # without the shared head in the library, each noun phrase stands as written
    assert parts("2009年安排的中央财政赤字和全国财政赤字分别是多少？") == [
        "2009年安排的中央财政赤字是多少？", "2009年安排的全国财政赤字是多少？"]
    # a modifier is shared too where the library writes the shared form
    assert parts("1991年全国粮食和棉花产量分别是多少？", {"全国粮食产量", "全国棉花产量"}) == [
        "1991年全国粮食产量是多少？", "1991年全国棉花产量是多少？"]


def test_one_question_years_and_context_clauses_are_not_split():
    for question in ("2022年国内生产总值增长了多少？", "从1952年到1957年，钢产量增长了多少？",
                     "1981年和1982年农业总产值分别比上年增长了多少？", "为什么要降低增长目标？如何实现？",
                     "What was the GDP growth target for 2023?"):
        assert parts(question) == [question]


def test_english_parts_take_the_first_ones_year():
    first, second = parts("For 1996, what price-inflation target had been set, and what was the actual increase?")
    assert first == "For 1996, what price-inflation target had been set?"
    assert "actual increase" in second and "1996" in second and "price-inflation" in second
    _, jobs = parts("What was the registered urban jobless rate in 2013, and how many new urban jobs were created?")
    assert "2013" in jobs and "jobless" not in jobs  # a part with its own subject keeps it alone


def test_a_part_that_names_only_a_year_asks_the_first_part_of_it():
    """"…in 2002, and in 2007?", "…？2007年呢？": the first part asked again of the other year; years joined by
    "and" without a comma stay one question (a table by year answers it)."""
    assert parts("What share of GDP did R&D spending account for in 2002, and in 2007?") == [
        "What share of GDP did R&D spending account for in 2002?",
        "What share of GDP did R&D spending account for in 2007?"]
    assert parts("2002年研发经费占国内生产总值的比重是多少？2007年呢？") == [
        "2002年研发经费占国内生产总值的比重是多少", "2007年研发经费占国内生产总值的比重是多少"]
    assert parts("What was GDP growth in 2002 and 2007?") == ["What was GDP growth in 2002 and 2007?"]


def test_how_low_and_how_far_ask_and_an_own_aim_drops_the_first_parts():
    _, second = parts("What population growth rate was the government aiming for in 1979, and how low did it want "
                      "the rate to fall by 1985?")
    assert second.startswith("how low did it want the rate to fall by 1985")
    _, actual = parts("In 2006, what cut in energy use per unit of GDP had the government targeted, and what cut did "
                      "it actually achieve?")
    assert "actually achieve" in actual and "energy use per unit of GDP" in actual and "target" not in actual
    # "turn out" / "end up" frame the part: "the increase" alone is no subject of its own
    _, outcome = parts("What cap on retail price increases had the government set for 1994, and how high did the "
                       "increase actually turn out?")
    assert "retail price increases" in outcome and "cap" not in outcome


def test_english_things_in_parallel_phrases_are_asked_one_by_one():
    """"set for A and for B": the same preposition twice, one question each; a shared rest or head noun goes to
    both, and a plain year after "and in" is a table's, not split here."""
    assert parts("What targets did the 2019 report set for the rural poor population and for new urban jobs?") == [
        "What targets did the 2019 report set for the rural poor population?",
        "What targets did the 2019 report set for new urban jobs?"]
    assert parts("What growth did the plan for 1965 set for farm output and for industrial output?")[1] == \
        "What growth did the plan for 1965 set for industrial output?"
    assert parts("How many kilometres of new railway, and of high-speed railway, opened in 2010?") == [
        "How many kilometres of new railway opened in 2010?", "How many kilometres of high-speed railway opened in 2010?"]
    assert parts("How much did Jinzhou raise its allowance for urban and for rural residents?")[0].endswith(
        "for urban residents?")
    assert parts("What was the GDP in 2010 and in 2015?") == ["What was the GDP in 2010 and in 2015?"]
    # the predicate after the second thing is both's: "for A and for B does the plan set"
    assert parts("What targets for the urbanization rate and for forest coverage does the 14th Five-Year Plan set?") == [
        "What targets for the urbanization rate does the 14th Five-Year Plan set?",
        "What targets for forest coverage does the 14th Five-Year Plan set?"]


def test_whereas_opens_a_part_with_a_subject_of_its_own():
    """而1958年初的报告预计…粮食产量是多少: 而 is "whereas", not "of that": the part keeps its own subject."""
    _, second = parts("第一个五年计划原定1957年粮食产量要达到多少？而1958年初的报告预计1957年实际粮食产量是多少？")
    assert second == "1958年初的报告预计1957年实际粮食产量是多少"
    assert parts("1958年钢产量是多少？而1957年呢？") == ["1958年钢产量是多少", "1957年钢产量是多少"]


def _answer(text: str, quotes: list[str], refused: bool = False) -> Answer:
    report = Report(report_id="r", source_file="r.txt", title="2020年政府工作报告", year=2020, sha256="x")
    citations = []
    for n, quote in enumerate(quotes, start=1):
        chunk = Chunk(chunk_id=f"c{quote}", report_id="r", ordinal=n, paragraph=n, paragraph_end=n, part=0,
                      section_path=["一"], char_start=0, char_end=len(quote), text=quote, search_text=quote,
                      context="")
        citations.append(Citation(n, SearchHit(chunk=chunk, report=report, score=1.0), quote, 0))
    return Answer("q", text, "extractive", True, refused, citations, "q")


def test_joined_answers_renumber_citations_and_say_which_part_was_not_found():
    joined = join_answers("问", "问", ["甲是多少", "乙是多少", "丙是多少"],
                          [_answer("甲为1[1]。", ["甲为1"]), _answer("乙为2[1]；丁为3[2]。", ["乙为2", "丁为3"]),
                           _answer("报告中未找到相关信息。", [], refused=True)], "zh")
    assert joined is not None and not joined.refused
    assert joined.answer == "甲为1[1]；乙为2[2]；丁为3[3]；“丙是多少”：报告中未找到相关信息。"
    assert [c.n for c in joined.citations] == [1, 2, 3] and joined.citations[1].quote == "乙为2"
    assert join_answers("q", "q", ["a", "b"], [_answer("x", [], True), _answer("y", [], True)], "zh") is None


def test_a_two_part_question_is_answered_in_both_parts(seed_services):
    result = ask(seed_services, "凌河区2022年增加城区覆绿面积多少？固定资产投资完成多少？", engine="extractive")
    assert not result.refused and "35.6万平方米" in result.answer and "33.8亿元" in result.answer
    assert len(result.citations) >= 2
    assert {"retrieve_ms", "answer_ms", "total_ms"} <= result.timings.keys()  # stages summed over the parts


def test_two_things_asked_with_one_english_predicate_keep_the_place_and_year():
    assert parts("What GDP growth and how many new urban jobs did Linghe District target for 2023?") == [
        "What GDP growth did Linghe District target for 2023?",
        "how many new urban jobs did Linghe District target for 2023?"]


def test_a_baseline_is_no_time_of_the_part_itself():
    _, change = parts("1994年底国家外汇储备有多少？比上年增长了几倍？")
    assert change.startswith("1994年") and change.endswith("比上年增长了几倍")


def test_a_later_part_naming_the_head_alone_means_the_first_parts_subject():
    _, second = parts("1958年全国钢产量达到多少？前一年的产量又是多少？")
    assert "1957年的钢产量" in second


def test_an_estimate_word_is_no_subject_and_the_first_parts_subject_carries_over():
    _, second = parts("按1954年政府工作报告的说法，全国铁路正线通车里程1949年有多少公里？1954年预计能达到多少？")
    assert "铁路正线通车里程" in second and second.endswith("1954年预计能达到多少")


def test_how_big_asks_for_a_figure_and_a_head_tagged_as_verb_is_not_repeated():
    first, second = parts("2018年全年为企业和个人减税降费的规模约有多大？2019年又计划减轻企业税收和社保缴费负担多少？")
    assert first.endswith("规模约有多大") and second.startswith("2019年")
    assert parts("1983年农民人均纯收入和城镇职工家庭人均生活费收入各是多少元？") == [
        "1983年农民人均纯收入是多少元？", "1983年城镇职工家庭人均生活费收入是多少元？"]


def test_what_range_or_level_asks_for_a_figure():
    """什么幅度 / 什么水平 ask for a figure like 多少: "原本要控制在什么幅度内？实际涨了多少？" asks two."""
    first, second = parts("1994年商品零售物价原本要控制在什么幅度内？实际涨了多少？")
    assert first.endswith("什么幅度内") and second.startswith("1994年") and second.endswith("实际涨了多少")
    # the thing 什么 asks for (范围) is no subject for the next part: 商品零售物价涨幅 is
    _, second = parts("1994年原定把商品零售物价涨幅控制在什么范围，最后实际涨了多少？")
    assert "商品零售物价涨幅" in second and "范围" not in second


def test_an_english_part_naming_an_indicator_keeps_its_own_subject_and_an_adverb_opens_a_part():
    _, second = parts("What average annual growth did the 12th Five-Year Plan (2011-2015) aim for, and how large was "
                      "GDP expected to be by 2015?")
    assert "GDP" in second and "growth" not in second
    _, share = parts("How big a budget deficit did the government plan for 2015, and what share of GDP was it?")
    assert "deficit" in share  # "it": the first part's subject
    first, second = parts("What was the average annual wage of workers and staff in 1956, and roughly what net income "
                          "did a farming household earn?")
    assert first.endswith("in 1956?") and second.startswith("roughly what net income") and "1956" in second


def test_two_parts_sharing_a_figure_each_with_one_of_its_own_are_both_kept():
    """增长7.8％，略低于8％的预定目标 (the result) and 经济增长速度8％，涨幅3％ (the target): each passage states a figure the
    other lacks, so the shared 8% is no sign that one part was answered with the other's figure."""
    from rag.answer.multipart import _same_figure

    result = _answer("", ["国内生产总值比上年增长7.8％，虽然略低于8％的预定目标"])
    target = _answer("", ["主要目标是：经济增长速度8％，商品零售价格涨幅控制在3％以内"])
    assert not _same_figure([result, target])
    assert _same_figure([_answer("", ["涨幅控制在百分之十以内"]), _answer("", ["全年上涨百分之十以内，低于预期"])])


def test_a_part_whose_one_figure_another_passage_states_with_more_adds_nothing():
    """Asked whether education spending reached 4% of GDP in 2012 and how much it was over five years: the 2012
    plan's 4% and the 2013 review's 五年累计7.79万亿元…达到4% share 4%; the fuller passage answers (the other part
    says not found), rather than the whole question being refused. Equal figures still mean one part is wrong."""
    plan = _answer("中央财政按4%编制预算[1]。", ["中央财政已按全国财政性教育经费支出占国内生产总值的4%编制预算"])
    review = _answer("五年累计7.79万亿元[1]。", ["国家财政性教育经费支出五年累计7.79万亿元，2012年占国内生产总值比例达到4%"])
    joined = join_answers("问", "问", ["是否达到4%", "五年共支出多少"], [plan, review], "zh")
    assert joined is not None and "7.79万亿元" in joined.answer and "未找到" in joined.answer
    assert [c.quote for c in joined.citations] == [review.citations[0].quote]


def test_a_later_part_renaming_its_year_still_takes_the_first_parts_words():
    _, second = parts("According to the 1959 report, how much steel did China produce in 1957, and how much in 1958, "
                      "the first year of the Great Leap Forward?")
    assert "steel" in second and "1958" in second and "Leap" not in second


def test_a_rank_asked_after_a_figure_is_a_part_of_its_own():
    """2003年进出口总额是多少？在世界上排第几位？ asks a figure and a rank (第几): two parts, the second with the year."""
    assert parts("2003年我国进出口总额是多少？在世界上排第几位？") == ["2003年我国进出口总额是多少", "2003年在世界上排第几位"]

