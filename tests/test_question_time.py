"""The time a question asks about (rag/retrieve/when.py) and the refusal when the library lacks that year."""

from __future__ import annotations

import pytest

from rag.core.models import Report
from rag.retrieve.when import missing_year, question_time, reports_for_time, reports_needed


@pytest.mark.parametrize(("question", "years", "named", "intent"), [
    ("2022年国内生产总值增长了多少？", (2022,), None, "result"),
    ("二〇二二年的经济增长目标是多少？", (2022,), None, "target"),
    ("一九八五年粮食产量计划达到多少？", (1985,), None, "target"),
    ("2024年政府工作报告提出的GDP增长目标是多少？", (2024,), 2024, "target"),
    ("2024年報告說的赤字率是多少？", (2024,), 2024, "result"),
    ("2025年赤字率定为多少？", (2025,), None, "target"),
    ("What GDP growth target did the government set for 2023?", (2023,), None, "target"),
    ("How fast did the economy grow in 2021?", (2021,), None, "result"),
    ("What did the 2019 government work report say about special bonds?", (2019,), 2019, "unknown"),
    ("How many new jobs will be created in 2025?", (2025,), None, "target"),
    # English aim words are whole words ("claim" holds "aim", "power plants" holds "plan"); 安排了 is done
    ("What grain output did the government claim for 1959?", (1959,), None, "unknown"),
    ("How many power plants were built in 1985?", (1985,), None, "result"),
    ("1979年城镇一共安排了多少人就业？", (1979,), None, "result"),
    # a ceiling or cap set is a target; a rate held under one is what happened
    ("What ceiling on retail-price inflation had the government set for 1994?", (1994,), None, "target"),
    ("What ceiling was the registered urban jobless rate held under in 2018?", (2018,), None, "result"),
    ("What growth rate did the government pencil in for 2003?", (2003,), None, "target"),
])
def test_years_named_reports_and_intent(question, years, named, intent):
    time = question_time(question)
    assert time.years == years and time.named_report == named and time.intent == intent
    assert time.single_year == years[0]


@pytest.mark.parametrize("question", [
    "2019–2024年GDP增长目标分别是多少？", "十四五期间年均增长多少？", "到2035年要实现什么目标？",
    "What were the growth targets from 2019 to 2024?", "2017年到2021年累计减税多少？",
])
def test_spans_of_years_are_not_one_year(question):
    time = question_time(question)
    assert (time.single_year is None and reports_needed(time) is None) or time.named_report is not None


def report(year: int | None, rid: str = "r") -> Report:
    return Report(report_id=f"{rid}{year}", source_file=f"{rid}{year}.txt", title=f"{year}年政府工作报告",
                  year=year, sha256="x")


LIBRARY = [report(y) for y in (2018, 2019, 2021, 2022)]


@pytest.mark.parametrize(("question", "missing"), [
    ("2020年政府工作报告提出的赤字率是多少？", 2020),  # the named report is not in the library
    ("2020年的经济增长目标是多少？", 2020),  # a target is in that year's own report
    ("2022年国内生产总值增长了多少？", 2022),  # a result is reviewed in the next year's report (2023: missing)
    ("What was the growth target for 2017?", 2017),
])
def test_missing_years_are_named_with_what_the_library_has(question, missing):
    gap = missing_year(question_time(question), LIBRARY)
    assert gap is not None and gap.asked == missing
    zh, en = gap.message("zh"), gap.message("en")
    assert str(missing) in zh and "2019" in zh and "无法回答" in zh
    assert str(missing) in en and "2019" in en


@pytest.mark.parametrize("question", [
    "2020年国内生产总值增长了多少？",  # reviewed in the 2021 report
    "2021年的经济增长目标是多少？",
    "2021年新增就业多少？",  # intent unknown: the 2021 or 2022 report
    "2019–2024年GDP增长目标分别是多少？",  # not one year: no early refusal
    "国内生产总值增长目标是多少？",  # no year
])
def test_covered_or_open_questions_are_not_refused_early(question):
    assert missing_year(question_time(question), LIBRARY) is None


def test_reports_without_a_year_never_cause_a_refusal():
    assert missing_year(question_time("2030年的目标是多少？"), [report(None)]) is None


def test_the_answer_pipeline_refuses_a_missing_year_specifically(seed_services):
    from rag.answer.pipeline import ask

    answer = ask(seed_services, "凌河区2025年的GDP增长目标是多少？", None, "extractive")
    assert answer.refused and "2025" in answer.answer and "2023" in answer.answer and "凌河区" in answer.answer
    english = ask(seed_services, "What was Linghe District's GDP growth target for 2025?", None, "extractive")
    assert english.refused and english.answer.startswith("The library has no 2025 report")
    covered = ask(seed_services, "凌河区2022年固定资产投资完成多少？", None, "extractive")
    assert not covered.refused and "33.8" in covered.answer


@pytest.mark.parametrize(("question", "years", "named", "intent"), [
    ("2023年政府工作报告里说去年城镇调查失业率是多少？", (2022,), 2023, "result"),  # 去年 of the named report
    ("2004年城镇新增就业多少人？有没有完成预期目标？", (2004,), None, "result"),  # was the target met: a result
    ("The 1998 growth target was 8%. What growth was actually achieved?", (1998,), None, "result"),
    ("2014年居民消费价格涨幅要控制在多少以内？", (2014,), None, "target"),
    ("2021年国内生产总值规模和增速分别是多少？", (2021,), None, "result"),  # 分别 of one year: not a span
])
def test_relative_years_and_strong_cues(question, years, named, intent):
    from rag.retrieve.when import question_time

    time = question_time(question)
    assert (time.years, time.named_report, time.intent) == (years, named, intent)


def test_spans_and_plan_periods_give_the_asked_years():
    from rag.retrieve.when import question_time

    table = question_time("2016—2019年政府工作报告提出的GDP增长目标分别是多少？")
    assert table.named_report is None and table.asked_years == frozenset(range(2016, 2020))
    plan = question_time("六五计划要求到1985年全国粮食产量达到多少？")
    assert plan.intent == "multi-year" and plan.horizon == 1985 and 1981 in plan.asked_years
    assert question_time("GDP growth during the 13th Five-Year Plan").periods == (2020,)


def test_the_end_of_a_plan_period_asks_its_last_year():
    """"by the end of the 12th Five-Year Plan in 2015", “十二五”末: the level 2015 reached, not any year of
    2011–2015 (the 2014 report's 高速铁路…1.1万公里 is 2013's); a total over the period still asks all five."""
    end = question_time("How long was China's high-speed rail network by the end of the 12th Five-Year Plan in 2015?")
    assert end.period_end and end.asked_years == frozenset({2015})
    assert question_time("到“十二五”末，全国高速铁路营业里程达到多少？").asked_years == frozenset({2015})
    assert question_time("“十二五”期间累计新增城镇就业多少？").asked_years == frozenset(range(2011, 2016))
    assert question_time("六五计划要求到1985年全国粮食产量达到多少？").asked_years == frozenset(range(1981, 1986))
    # the last year set against a baseline year is that year's level: the plan's 1957 figure, its rise on 1952
    compared = question_time("Under the first five-year plan, what grain harvest was China aiming for in 1957, and "
                             "how big an increase over 1952 would that be?")
    assert compared.period_end and compared.asked_years == frozenset({1957})
    assert question_time("第一个五年计划规定1957年粮食产量比1952年增长多少？").asked_years == frozenset({1957})


def test_what_was_originally_set_is_a_target():
    """原定, 给…定的: what a plan set; 实际涨了 beside it still asks what happened."""
    assert question_time("第一个五年计划当初给工业总产值定的年均增长速度是多少？").aim == "target"
    assert question_time("第一个五年计划原定五年基本建设投资是多少？").aim == "target"
    assert question_time("1994年原定把零售物价涨幅控制在10%以内，最后实际涨了多少？").aim == "result"


def test_a_result_compared_with_its_target_asks_both():
    """"how did that compare with the target", 与目标相比: what happened and what was planned."""
    assert question_time("How much did GDP grow in 1998, and how did that compare with the target?").aim == "unknown"
    assert question_time("1998年GDP增长了多少？与目标相比如何？").aim != "target"


def test_a_past_change_asked_beside_a_target_asks_both():
    """"how fast did the economy grow …, and what had the target been", "did it hit the goal": the year's result
    (the next report) and its target (its own); a target that "did the plan expect … to grow" stays a target."""
    assert question_time("How fast did China's economy grow in 1998, and what had the growth target been?").aim == "unknown"
    assert question_time("How much did the economy grow in 1998 and did it hit the official goal?").aim == "unknown"
    assert question_time("How fast did the 1998 plan expect output to grow?").aim == "target"


def test_life_expectancy_is_no_expectation():
    """预期寿命 and "life expectancy" name an indicator: no target is asked (预期 and "expect" are target cues)."""
    assert question_time("2017年人均预期寿命是多少？").aim != "target"
    assert question_time("What average life expectancy did the 2018 report cite?").aim != "target"
    assert question_time("What growth was expected for 2018?").aim == "target"


def test_a_named_report_and_a_span_ask_about_the_span():
    """"the 2018 report … the 2013-2017 term": the five years it reviews, not its own year's plan."""
    span = question_time("What average life expectancy did the 2018 report cite at the end of the 2013-2017 term?")
    assert span.named_report == 2018 and 2018 not in span.years and span.asked_years == frozenset(range(2013, 2018))
    assert question_time("2018年政府工作报告中，2013年到2017年累计减贫多少？").years == (2013, 2017)


def test_a_change_early_in_a_year_may_be_stated_by_that_years_report():
    """从2002年1月1日起 (in force when the 2002 report was delivered in March): not only the next report's review."""
    assert question_time("從2002年1月1日起，中國的關稅總水平降到了多少？").aim == "unknown"
    assert question_time("2002年关税总水平降到了多少？").aim == "result"


def test_how_high_something_ran_asks_what_happened():
    """"How high did retail price inflation run in 1994": the outcome (涨幅仍然高达百分之二十一点七), not the
    target the next report restates (要把…控制在百分之十以内)."""
    from rag.answer.cues import OUTCOME_CUES

    question = "How high did retail price inflation run in 1994?"
    assert question_time(question).aim == "result" and OUTCOME_CUES.search(question)


def test_a_plan_period_renaming_the_year_leaves_the_year_asked():
    """"in 1957, the last year of the first five-year plan", "in 1954, early in its first five-year plan": the
    period says which year 1957 is; the question is about that one year. "an increase on 1952" is a baseline."""
    last = question_time("How fast did China's industrial output grow in 1957, the last year of the first five-year plan?")
    assert last.single_year == 1957 and not last.periods
    early = question_time("How much steel was China expected to turn out in 1954, early in its first five-year plan?")
    assert early.single_year == 1954
    on = question_time("How much grain was China supposed to harvest by 1957, and what percentage increase on 1952 "
                       "did that represent?")
    assert on.years == (1957,)


def test_time_phrases_are_not_topic_words():
    """"2019年政府工作报告", 当年 say when: a sentence need not repeat them to answer."""
    from rag.answer.topics import question_concepts
    from rag.retrieve.plan import analyze
    from rag.retrieve.when import without_time_phrases

    assert "报告" not in without_time_phrases("2019年政府工作报告给当年经济增长定的预期目标是多少？")
    concepts = question_concepts(analyze("2019年政府工作报告给当年经济增长定的预期目标是多少？", []), set())
    words = {w for concept in concepts.concepts for w in concept}
    assert not words & {"政府", "工作", "报告", "当年"} and "国内生产总值" in words


@pytest.mark.parametrize(("question", "places"), [
    ("How much did China's economy grow in 2023?", ["全国"]),
    ("我国2022年粮食产量是多少？", ["全国"]),
    ("What was national grain output in 2021?", ["全国"]),
    ("凌河区地区生产总值增速全国第几？", ["凌河区"]),  # a local question that compares with the country
    ("2022年经济增长预期目标定的是多少？", []),
])
def test_the_country_is_a_place(question, places):
    """全国/我国/China name the State Council's reports, so a district's figure never answers for the country."""
    from rag.core.models import Report
    from rag.retrieve.plan import analyze

    reports = [Report("n", "2023年政府工作报告", year=2023, level="national"),
               Report("d", "凌河区政府工作报告", year=2023, level="district", city="锦州市", district="凌河区")]
    plan = analyze(question, reports)
    assert [m.name for m in plan.places] == places
    assert not {"china", "national"} & set(plan.untranslated)


def test_relative_years_speak_from_the_latest_report_in_scope():
    from rag.core.models import Report
    from rag.retrieve.plan import analyze

    reports = [Report(f"n{y}", f"{y}年政府工作报告", year=y, level="national") for y in (2023, 2024, 2025)]
    reports.append(Report("d", "凌河区政府工作报告", year=2019, level="district", city="锦州市", district="凌河区"))
    assert analyze("今年国内生产总值增长目标是多少？", reports).time.years == (2025,)
    last = analyze("去年国内生产总值增长了多少？", reports).time
    assert last.years == (2024,) and last.intent == "result"
    assert analyze("凌河区今年的目标是什么？", reports).time.years == (2019,)  # the place's latest report
    assert analyze("比去年增长多少？", reports).time.years == ()  # a baseline


def test_a_named_report_and_another_year_ask_about_that_year():
    from rag.retrieve.when import question_time

    time = question_time("1958年政府工作报告预计1957年粮食产量是多少？")
    assert time.named_report == 1958 and time.years == (1957,) and time.single_year == 1957


def test_a_table_of_years_asks_each_years_own_report():
    from rag.retrieve.when import question_time, reports_for_time

    table = question_time("2016—2019年政府工作报告提出的GDP增长目标分别是多少？")
    assert table.per_year and table.aim == "target" and reports_for_time(table) == {2016, 2017, 2018, 2019}
    jobs = question_time("2021年到2023年每年实际城镇新增就业分别是多少？")
    assert jobs.aim == "result" and reports_for_time(jobs) == {2022, 2023, 2024}
    listed = question_time("What economic growth rates did the 1992, 1993 and 1994 reports plan for their years?")
    assert reports_for_time(listed) == {1992, 1993, 1994}
    average = question_time("2013年到2017年这五年国内生产总值年均增长多少？")
    assert not average.per_year and reports_for_time(average) is None  # one figure for the span


@pytest.mark.parametrize("question", [
    "How much was energy use per unit of GDP supposed to fall in 2024?",
    "How much foreign investment did the district hope to bring in during 2019?",
    "How much money was set aside in 2025 for trade-in subsidies?",
    "How much new railway track was to be laid in 1983?",
])
def test_english_plan_wording_is_a_target(question):
    from rag.retrieve.when import question_time

    assert question_time(question).intent == "target"


@pytest.mark.parametrize("question", ["2016年要完成多少农村贫困人口脱贫任务？", "2006年单位国内生产总值能耗要降低多少？"])
def test_what_must_be_done_is_a_target(question):
    from rag.retrieve.when import question_time

    assert question_time(question).intent == "target"


def test_a_named_reports_five_year_review_asks_its_five_years():
    """2023年政府工作报告回顾过去五年…: 2023 names the report; the figures asked are its review's (2018–2022)."""
    from rag.retrieve.when import question_time

    review = question_time("2023年政府工作报告回顾过去五年，常住人口城镇化率从多少提高到多少？")
    assert review.asked_years == frozenset(range(2018, 2023))
    plan = question_time("According to the 2011 report, what urbanization rate was aimed for by the end of the "
                         "12th Five-Year Plan?")
    assert 2015 in plan.asked_years  # a plan period keeps its own years


def test_a_named_report_alone_does_not_fix_the_year_of_its_figures():
    """"1983年政府工作报告提到…博士学位": the report may state figures for its review, a span or 本世纪末, so the
    year ranks sentences instead of ruling them out; 当年/今年 of the report does fix it, and the one other
    year of such a question is a baseline (相当于1949年的几倍)."""
    from rag.retrieve.when import question_time

    assert question_time("1983年政府工作报告提到，我国正规授予的博士学位有多少人？").only_the_report
    same = question_time("1954年政府工作報告預計當年鋼產量是多少？相當於1949年的幾倍？")
    assert same.years == (1954,) and same.said_year and not same.only_the_report
    assert not question_time("据2023年的报告，去年GDP增长多少？").only_the_report  # 去年: 2022
    review = question_time("According to the 2018 report, how far did the poverty rate fall over the previous five years?")
    assert review.asked_years == frozenset(range(2013, 2018)) and not review.only_the_report
    several = question_time("1981年政府工作报告中，财政赤字从1979年、1980年的水平预计压缩到当年的多少？")
    assert set(several.years) == {1979, 1980, 1981}


@pytest.mark.parametrize(("question", "aim", "periods"), [
    ("到本世纪末我国粮食生产要争取达到多少？", "target", ()),  # 争取: strive for (188 times in the reports)
    ("1957年政府工作报告提出，当年工业总产值增长多少、达到多少？", "target", ()),  # 提出: what the report proposed
    ("According to the 2018 report, how far did the poverty rate fall over the previous five years?", "result", ()),
    ("How many rural poor people were lifted out of poverty during the 13th Five-Year Plan?", "result", (2020,)),
    ("On average, how fast did GNP grow during the Sixth Five-Year Plan period?", "result", (1985,)),
    ("What did the First Five-Year Plan set for steel output?", "target", (1957,)),
])
def test_a_plans_name_is_no_target_cue_and_ordinals_name_plans(question, aim, periods):
    time = question_time(question)
    assert time.aim == aim and time.periods == periods


def test_a_span_asked_as_a_whole():
    """A plan period or an explicit span asked as one figure gets the paragraphs about that whole span; one year
    or a table of years does not."""
    from rag.retrieve.hybrid import asked_span

    assert asked_span(question_time("2013年到2017年这五年国内生产总值年均增长多少？")) == (2013, 2017)
    assert asked_span(question_time("七五计划的国民生产总值年均增长目标是多少？")) == (1986, 1990)
    assert asked_span(question_time("2019年国内生产总值增长多少？")) is None
    previous = "How big was GDP in 2000, and how fast had it grown on average over the previous five years?"
    assert asked_span(question_time(previous)) == (1996, 2000)
    assert asked_span(question_time("从2021年起今后五年年均增长多少？")) == (2021, 2025)
    assert asked_span(question_time("2016—2019年GDP增长目标分别是多少？")) is None


def test_completion_baselines_and_spans_between_two_years():
    """完成…计划的情况 asks for a result though it names the plan; "compared with 1957" is a baseline; 1978到1985年间
    …每年 asks for the span's yearly figure, not a table of eight years."""
    assert question_time("1957年工业总产值完成年度计划的情况如何？").aim == "result"
    assert question_time("How much did irrigated farmland expand in 1958 compared with 1957?").years == (1958,)
    span = question_time("1978年提出的十年规划要求1978到1985年间农业和工业总产值每年各增长多少？")
    assert span.averaged and not span.per_year
    assert question_time("2016—2019年GDP增长目标分别是多少？").per_year


def test_last_and_this_year_of_a_named_report_ask_for_both_and_a_baseline_is_not_asked():
    """从去年的…提高到今年的… reads one sentence of the named report that states both years; 比上年 / "compared
    with last year" is the baseline of a change, not the year asked."""
    both = question_time("1979年政府工作报告提到，国家对农业的投资比重从去年的多少提高到了今年的多少？")
    assert both.years == (1979,) and not both.said_year and both.only_the_report
    assert question_time("1979年政府工作报告说今年粮食比上年增长多少？").years == (1979,)
    assert question_time("The 2023 report: how did grain output compare with last year?").years == (2023,)
    assert question_time("What did the 2023 report say about last year's grain output?").years == (2022,)


def test_a_report_delivered_late_in_its_year_stands_in_for_the_next():
    """The 1964 report (December) plans 1965 and reviews 1964; the library without a 1965 report can still
    answer 1965's target and 1964's result from it, and says so only for years nothing covers."""
    from rag.core.timeframe import plans_next_year

    late = report(1964)
    library = [report(y) for y in (1960, 1964, 1975)]
    assert plans_next_year(1964, "一九六五年计划草案拟定……一九六五年国家预算……一九六五年的主要任务……")
    assert plans_next_year(1981, "明年要……明年的计划……明年继续")
    assert not plans_next_year(2016, "到2017年……今年……明年")
    assert missing_year(question_time("1965年的国家预算收支计划增长多少？"), library, late=[late.report_id]) is None
    assert missing_year(question_time("1964年工业总产值增长了多少？"), library, late=[late.report_id]) is None
    assert missing_year(question_time("1965年的国家预算收支计划增长多少？"), library) is not None
    assert missing_year(question_time("1966年的国家预算收支计划增长多少？"), library, late=[late.report_id]) is not None
    named = question_time("1965年政府工作报告提出的国家预算收支增长多少？")  # that report is asked for: it is missing
    assert missing_year(named, library, late=[late.report_id]) is not None


def test_years_listed_one_by_one_ask_for_each_years_figure():
    """"average net income … in 2004, 2005 and 2006": the average is per person; three years listed one by one ask
    for three figures, a range with "average" for one figure of the span."""
    listed = question_time("What was average net income per rural resident in 2004, 2005 and 2006?")
    assert listed.per_year and not listed.averaged
    assert question_time("What was the average growth from 2001 to 2005?").averaged


def test_a_baseline_year_is_not_asked_and_the_next_year_of_a_named_report_is():
    """1953年…比1952年: 1953 is asked (1952 is the baseline), though both stay named for the missing-year check;
    "1964年底的报告…第二年" asks the year after the report's own, and 定了 sets a target."""
    compared = question_time("1953年全国工业总产值比1952年增长了多少？")
    assert compared.asked_years == {1953} and not compared.per_year and compared.baselines == (1952,)
    assert reports_for_time(compared) == {1954}
    assert missing_year(question_time("2019年的赤字率比2018年预算高出多少？"), LIBRARY) is None
    following = question_time("1964年底的政府工作报告，给第二年的工业总产值定了多少增长？")
    assert following.named_report == 1964 and following.years == (1965,) and following.aim == "target"


def test_a_target_asked_beside_what_happened_asks_both_reports():
    """调控目标是多少？实际涨幅回落到多少？: the year's own report (the target) or the next (the outcome) answers, so a
    library without the year's report is not refused early; a target alone still needs that report."""
    both = question_time("1996年物价涨幅的调控目标是多少？实际涨幅回落到多少？")
    assert both.aim == "unknown" and reports_needed(both) == {1996, 1997}
    assert question_time("How big was the 1981 deficit planned, and how big did it turn out to be?").aim == "unknown"
    assert question_time("2019年的经济增长目标是多少？").aim == "target"


def test_expected_alone_is_an_estimate_where_the_years_own_report_is_missing():
    """"expected in 1974" with no 1974 report and a 1975 one: the 1975 report's estimate (预计) of the year it
    reviews answers; with a 2022 report in the library, "expected to spend in 2022" stays its target."""
    from rag.retrieve.plan import analyze

    assert question_time("By how much was farm output in 1974 expected to exceed the 1964 level?").estimate
    library = [report(1975), report(2022)]
    assert analyze("By how much was farm output in 1974 expected to exceed the 1964 level?", library).time.aim == "unknown"
    assert analyze("How much was the government expected to spend in 2022?", library).time.aim == "target"
    assert not question_time("What growth target was set for 2022?").estimate


def test_as_of_a_year_is_one_year_not_a_span():
    """截至2014年 (as of the end of 2014) asks one year's level; 到2020年 is a horizon."""
    assert question_time("截至2014年，全国高铁运营里程达到多少？").single_year == 2014
    assert question_time("到2020年要实现什么目标？").spans


def test_a_plan_laid_out_in_a_year_names_that_years_report():
    time = question_time("Under the ten-year plan laid out in 1978, how much grain was China to produce by 1985?")
    assert time.named_report == 1978 and time.years == (1985,) and time.aim == "target"


def test_the_latest_reports_own_year_is_read_from_it():
    """2025年合计新增政府债务总规模是多少 with 2025 the latest report: no report reviews 2025 yet; the 2025 report's own
    figures answer (a result asked outright, 实际/actually, still needs the next report)."""
    from rag.retrieve.plan import analyze

    library = [report(2024), report(2025)]
    assert analyze("2025年合计新增政府债务总规模是多少？", library).time.aim == "unknown"
    assert analyze("2024年合计新增政府债务总规模是多少？", library).time.aim == "result"
    assert analyze("2025年实际增长了多少？", library).time.aim == "result"


def test_a_ranges_first_year_may_be_written_without_its_year_character():
    """建国初期的经济恢复阶段（1949到1952年）asks about 1949–1952, not about 1952 alone (the 1954 report's
    一九四九年至一九五二年…平均每年递增 answers it)."""
    from rag.retrieve.when import question_time

    for question in ("经济恢复阶段（1949到1952年），工业总产值平均每年增长多少？", "1949至1952年工业总产值增长多少？"):
        time = question_time(question)
        assert set(time.years) == {1949, 1952} and time.spans and time.asked_years == {1949, 1950, 1951, 1952}


def test_a_named_reports_year_written_again_is_the_year_asked():
    """按1954年政府工作报告的说法，1954年预计…: the year written a second time is what the figure is about, so a
    sentence about 1949 in that report does not answer it."""
    again = question_time("按1954年政府工作报告的说法，1954年预计能达到多少？")
    assert again.said_year and not again.only_the_report
    assert question_time("1983年政府工作报告提到，博士学位有多少人？").only_the_report


def test_a_rise_over_a_year_measures_against_it_and_a_span_after_over_is_asked():
    over = question_time("According to the 1954 report, by how much did gross industrial output in 1953 rise over 1952?")
    assert over.years == (1953,)
    assert set(question_time("How much did output grow over 2013-2017?").years) == {2013, 2017}


def test_a_phrase_renaming_the_year_says_when_and_a_ten_year_plan_is_no_single_year():
    """", the first year of the Great Leap Forward" renames 1958: not a topic to search (大跃进 outweighed 钢);
    "the ten-year development plan set for 1985" was laid out years before 1985 (the 1978 report), so the
    question is not held to the 1985 report."""
    from rag.retrieve.when import without_plan_names

    assert "Leap" not in without_plan_names("How much steel did China turn out in 1958, the first year of the Great Leap Forward?")
    assert without_plan_names("What was GDP in 2020, the year the pandemic hit?").strip(" ?") == "What was GDP in 2020"
    assert "and what growth goal" in without_plan_names(
        "How fast did the economy grow in 1998, the year of the Asian financial crisis, and what growth goal was set?")
    ten = question_time("What grain and steel production goals did the ten-year development plan set for 1985?")
    assert ten.spans and ten.single_year is None and ten.aim == "target"


def test_a_chinese_clause_renaming_the_year_says_when_but_a_report_or_a_place_stays():
    """“大跃进”开始的1958年, 大躍進那一年（1958年）, 1956年遭遇大灾之年: an event naming the year, not a topic;
    报告中提到的1986年 (which report) and 全国的2019年 (which place) are kept."""
    from rag.retrieve.when import without_time_phrases
    from rag.retrieve.year_names import without_year_appositive

    assert "大跃进" not in without_year_appositive("“大跃进”开始的1958年，全国钢产量达到了多少？")
    assert "大躍進" not in without_year_appositive("大躍進那一年（1958年），全國高等學校的在校學生達到多少人？")
    assert "大灾" not in without_year_appositive("1956年遭遇大灾之年，全国粮食产量是多少？")
    assert "报告中提到的" in without_year_appositive("1987年政府工作报告中提到的1986年彩色电视机产量是多少？")
    assert "全国" in without_year_appositive("全国的2019年GDP是多少？")
    assert "疫情" not in without_time_phrases("受疫情冲击的2020年，中国国内生产总值全年增长了多少？")
    assert "reform" not in without_year_appositive(
        "What was China's grain output in 1979, the first full year after the reform and opening policy was launched?")


def test_a_budget_and_its_allocations_are_the_years_plan():
    """赤字规模安排了多少 and 按1954年国家预算 ask the year's plan (its own report); 安排了 alone is often a result
    (安排就业), and budget revenue (一般公共预算收入) or a budget's execution is what happened."""
    from rag.retrieve.when import question_time

    assert question_time("2024年财政赤字规模安排了多少？").aim == "target"
    assert question_time("1956年国家预算给国防费安排了多少钱？").aim == "target"
    assert question_time("2016年安排了多少地方专项债券？").aim == "target"  # bonds: 今年拟安排地方政府专项债券
    assert question_time("1985年安排了多少人就业？").aim == "result"
    assert question_time("2023年一般公共预算收入增长了多少？").aim == "result"
    assert question_time("1956年国家预算执行的结果，收入是多少？").aim == "result"


def test_a_horizon_beside_the_named_reports_own_year_is_asked_too():
    """当年…到1985年又要降到多少: the report's own year and the horizon are both asked; 当年…相当于1949年的几倍
    keeps 1949 a baseline."""
    assert question_time("1979年的政府工作报告要求当年全国人口增长率降到多少？到1985年又要降到多少？").years == (1979, 1985)
    assert question_time("按1954年报告的说法，1954年预计工业总产值相当于1949年的几倍？").years == (1954,)


def test_a_span_whose_end_year_has_two_digits():
    """"(1953–57)", "1981-85": English writes a span's last year short; a date (2015-12-01) is no span."""
    from rag.core.years import expand_short_ranges

    assert question_time("Under the First Five-Year Plan (1953–57), how much was invested?").years == (1953, 1957)
    assert question_time("the Sixth Five-Year Plan (1981-85)").spans
    assert expand_short_ranges("on 2015-12-01, 1990-85, 2019-20%") == "on 2015-12-01, 1990-85, 2019-20%"


def test_a_report_named_by_its_congress_session():
    """四届人大 sat 1975–1977 (the library's one national report then is 1975's); 十三届全国人大四次会议 is 2021;
    a standing committee or a term beyond the calendar names no report; the session phrase is no topic."""
    from rag.answer.topics import question_concepts
    from rag.retrieve.plan import analyze
    from rag.retrieve.sessions import session_report, session_years

    assert session_years("十三届全国人大四次会议上的政府工作报告") == (2021,)
    assert session_years("at the first session of the 14th NPC") == (2023,)
    assert session_years("the Fourth National People's Congress") == (1975, 1976, 1977)
    assert session_years("十三届全国人大常委会") == () and session_years("第六屆人民代表大會第二次會議") == (1984,)
    assert session_report("四届人大上的政府工作报告说，当时跟我国建交的国家有多少个？", [1964, 1975, 1978]) == 1975
    assert session_report("五届人大提出的十年规划", [1978, 1979, 1980]) is None  # three reports: not one named
    concepts = question_concepts(analyze("四届人大上的政府工作报告说，当时跟我国建交的国家有多少个？", []), set())
    assert [c[0] for c in concepts.concepts] == ["建交", "国家"]


def test_a_report_named_by_what_it_is_about():
    """据1960年关于农业发展纲要的报告, 1960年国务院向人大作的那份报告: the 1960 report is named, as 1960年的报告 is; a
    question about a year's figure names no report."""
    assert question_time("据1960年关于农业发展纲要的报告，全国一共组成了多少个人民公社？").named_report == 1960
    assert question_time("1960年国务院向人大作的那份报告，主要汇报什么？").named_report == 1960
    assert question_time("2019年国内生产总值增长了多少？").named_report is None


def test_report_as_a_verb_names_no_report():
    """"What GDP did Jiefang District report for 2021?" asks 2021's figure (the 2022 report reviews it); "the report
    for 2021" names a report."""
    assert question_time("What GDP did Jiefang District in Jiaozuo, Henan, report for 2021?").named_report is None
    assert question_time("What did the report for 2021 say about jobs?").named_report == 2021


def test_foreign_capital_actually_used_is_an_indicator_not_a_result():
    """"What target for actually utilised foreign capital did Linghe District set for 2023?" asks a target: "actually
    utilised / used" names 实际利用外资; "how far did prices actually climb" asks a result."""
    assert question_time("What target for actually utilised foreign capital did Linghe set for 2023?").aim != "result"
    assert question_time("How far did retail prices actually climb in 1994?").aim == "result"
    assert question_time("How much foreign investment did Linghe aim to actually use in 2023?").aim == "target"


def test_compared_one_year_with_another():
    """"The 1975 report compared 1974 with 1964": 1964 is the baseline, 1974 the year asked (the report's estimate)."""
    time = question_time("The 1975 report compared 1974 with 1964. By how much was industrial output expected to grow?")
    assert time.years == (1974,) and time.named_report == 1975


def test_a_chinese_questions_years_are_searched_as_old_and_new_reports_write_them():
    from rag.retrieve.plan import analyze

    lexical = analyze("1957年钢产量计划达到多少？", []).lexical_text
    assert "一九五七年" in lexical and "1957年" in lexical
    assert "一九五七年" not in analyze("How much steel was planned for 1957?", []).lexical_text
    many = analyze("2016年、2017年、2018年和2019年的赤字率分别是多少？", []).lexical_text
    assert "二〇一九年" not in many  # four years and more: the chunks' times find them, their words would outweigh


@pytest.mark.parametrize("question", ["“十三五”时期经济年均增速要保持在多少？", "“十三五”规划要把劳动年龄人口平均受教育年限提高到多少年？"])
def test_what_a_plan_is_to_keep_or_raise_something_to_is_its_target(question):
    assert question_time(question).aim == "target"  # 要保持, 要把…提高到: the plan's wording, not its result


def test_years_listed_before_one_nian_are_each_asked() -> None:
    """2019、2020、2021和2022年: every year of the list, not the last one and whichever a boundary happens to show."""
    assert set(question_time("2019、2020、2021和2022年的GDP增长目标分别是多少？").years) == {2019, 2020, 2021, 2022}
    assert set(question_time("一九五八、一九五九年的钢产量各是多少？").years) == {1958, 1959}
    assert set(question_time("2016年和2017年城镇新增就业").years) == {2016, 2017}
