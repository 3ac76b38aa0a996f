"""Indicator questions answered from the ledger (rag/answer/indicator_answers.py) in a many-year library: the
seeds and a dozen national reports, ingested through the pipeline without embeddings. The figure given is the
row of the asked indicator, kind, year and place, quoted and cited; anything else is left to text retrieval."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import NATIONAL, SEEDS, need_shared

YEARS = {1958, 1978, 1980, 1982, 1992, 1993, 2001, 2006, 2007, 2016, 2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025}  # 2020 is not in the corpus


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from rag.core.config import Settings
    from rag.service.resources import Services

    folder = tmp_path_factory.mktemp("reports")
    lines = need_shared(NATIONAL).read_text(encoding="utf-8").splitlines()
    subset = folder / "national_reports.jsonl"
    subset.write_text("\n".join(line for line in lines if line.strip() and int(json.loads(line)["year"]) in YEARS),
                      encoding="utf-8")
    services = Services(Settings(index_dir=tmp_path_factory.mktemp("index")))
    outcomes = services.ingest([SEEDS, subset], index=False)
    assert sum(o.status == "added" for o in outcomes) == 5 + len(YEARS)
    yield services
    services.close()


def ask(library, question: str):
    from rag.answer.indicator_answers import indicator_answer
    from rag.retrieve.plan import analyze

    reports = library.store.reports()
    plan = analyze(question, reports)
    return indicator_answer(plan, question, question, library.store, reports)


def cited_years(answer) -> list[int]:
    return [c.hit.report.year for c in answer.citations]


def test_a_target_is_the_row_of_that_years_report(library):
    answer = ask(library, "2019年全国国内生产总值增长的预期目标是多少？")
    assert answer.engine == "ledger" and not answer.refused and answer.grounded
    assert "国内生产总值增长6%－6.5%" in answer.answer and "[1]" in answer.answer
    assert cited_years(answer) == [2019] and answer.citations[0].quote.startswith("国内生产总值增长6%")


def test_a_result_is_the_row_of_the_next_years_report(library):
    answer = ask(library, "2018年我国国内生产总值实际增长了多少？")
    assert "6.6%" in answer.answer and "6%－6.5%" not in answer.answer
    assert cited_years(answer) == [2019]


def test_english_and_traditional_questions(library):
    answer = ask(library, "What deficit-to-GDP ratio did the government plan for 2024?")
    assert answer.answer.startswith("2024 deficit-to-GDP ratio target (2024 report): 3% — “赤字率拟按3%安排")
    answer = ask(library, "2022年全國城鎮新增就業目標是多少？")
    assert "城鎮新增就業1100萬人以上" in answer.answer and "目標" in answer.answer
    assert cited_years(answer) == [2022]


def test_several_years_give_one_cited_line_per_year(library):
    answer = ask(library, "2016—2019年全国国内生产总值增长目标分别是多少？")
    lines = answer.answer.split("\n")
    assert [line[:5] for line in lines] == ["2016年", "2017年", "2018年", "2019年"]
    assert "6.5%－7%" in lines[0] and "6%－6.5%" in lines[3]
    assert cited_years(answer) == [2016, 2017, 2018, 2019]  # each year from its own report
    for n, line in enumerate(lines, start=1):
        assert f"[{n}]" in line


def test_a_year_without_a_report_is_said_so_never_filled(library):
    answer = ask(library, "2019年到2021年赤字率目标分别是多少？")
    lines = answer.answer.split("\n")
    assert "2.8%" in lines[0] and "库中没有2020年的报告" in lines[1] and "3.2%" in lines[2]
    assert "[" not in lines[1] and cited_years(answer) == [2019, 2021]
    assert ask(library, "2020年政府工作报告提出的赤字率是多少？") is None  # text retrieval says what is missing
    # a table of one year, the other years' reports missing, is no table: the text may state the change
    assert ask(library, "How did Jiefang District's GDP change between 2017 and 2021?") is None
    # "the economy" is GDP
    economy = ask(library, "How big was Linghe District's economy in 2022?")
    assert economy is not None and "129亿元" in economy.answer


def test_was_the_target_met(library):
    answer = ask(library, "2023年全国国内生产总值增长目标完成了吗？")
    assert "5%左右[1]" in answer.answer and "5.2%" in answer.answer and answer.answer.endswith("目标已完成。")
    assert cited_years(answer) == [2023, 2024]
    answer = ask(library, "Was China's 2022 GDP growth target met?")
    assert "5.5%" in answer.answer and "3%" in answer.answer and "the target was missed" in answer.answer


def test_places(library):
    answer = ask(library, "凌河区2022年固定资产投资完成多少？")
    assert "33.8亿元" in answer.answer and answer.citations[0].hit.report.district == "凌河区"
    answer = ask(library, "2022年地区生产总值增长目标是多少？")  # no place: every place, labelled, national first
    assert answer.answer.startswith("全国，2022年目标") and "焦作市解放区，2022年目标" in answer.answer
    assert "解放区" not in ask(library, "2022年全国经济增长目标是多少？").answer
    assert ask(library, "北京市2022年地区生产总值增长目标是多少？") is None  # no report of that place


def test_economic_growth_before_gdp_was_reported_as_gnp(library):
    answer = ask(library, "1992年经济增长目标是多少？")
    assert "国民生产总值增长百分之六" in answer.answer and cited_years(answer) == [1992]


def test_a_plans_far_year_comes_from_the_plan_the_question_names(library):
    answer = ask(library, "六五计划要求到1985年全国粮食产量达到多少？")
    assert "三亿六千万吨" in answer.answer and "八千亿斤" not in answer.answer  # 1978's ten-year plan: another plan
    assert cited_years(answer) == [1982] and answer.answer.startswith("1985年规划目标（1982年报告）")
    answer = ask(library, "到1985年全国粮食产量计划达到多少？")  # no plan named: each report's plan, labelled
    assert cited_years(answer) == [1978, 1982]


def test_questions_the_ledger_cannot_answer(library):
    for question in ["2024年政府工作报告是谁作的？", "2023年关于财政收入有哪些措施？", "十三五期间国内生产总值年均增长多少？",
                     "2019年的赤字率比2018年高出多少？", "2023年教育支出占国内生产总值的比重是多少？",
                     "国内生产总值增长目标是多少？", "What does the 2024 report say about investment in education?",
                     "2003年我国进出口总额在世界上排第几位？",  # a rank is the text's (居世界第四位), not a row's figure
                     # a named report's five years: the span's figure (从54万亿元增加到82.7万亿元，年均增长7.1%)
                     "According to the 2018 report, how much did China's GDP grow over the previous five years?"]:
        assert ask(library, question) is None, question


@pytest.mark.parametrize("question", [
    "2025年赤字率定为多少？比上年提高了多少？", "2018年地方专项债券安排了多少？",
    "How did the local government special bond quota change from 2023 to 2025?", "2022年粮食产量是多少？",
    "1993年政府工作报告计划国民生产总值增长多少？", "2024年全年国内生产总值实际增长了多少？",
])
def test_every_cited_statement_is_an_exact_span_holding_the_figures(library, question):
    from rag.core.numbers import unsupported_figures

    answer = ask(library, question)
    assert answer is not None and answer.citations
    for citation in answer.citations:
        chunk = citation.hit.chunk
        assert chunk.text[citation.quote_start:citation.quote_start + len(citation.quote)] == citation.quote
        assert citation.quote in answer.answer
    for line in answer.answer.split("\n"):
        quoted = [c.quote for c in answer.citations if f"[{c.n}]" in line]
        labels_aside = re.sub(r"(?:19|20)\d\d(?:年|(?= [a-zA-Z(]))", "", line)  # 2019年目标, 2023 GDP target
        assert not unsupported_figures(labels_aside, quoted), line


def test_a_level_of_government_the_question_names_must_be_in_the_quote():
    from rag.answer.indicator_answers import _same_level

    assert not _same_level("how large a central government deficit did the 2009 report plan?", "全国财政赤字合计9500亿元")
    assert _same_level("how large a central government deficit did the 2009 report plan?", "中央财政赤字7500亿元")
    assert _same_level("2009年财政赤字是多少？", "全国财政赤字合计9500亿元")


def test_of_equally_full_rows_the_whole_wins_over_a_part():
    """公私合营企业的工业总产值 (a part) and 工业总产值 (the whole) of one year: the whole is the answer."""
    from rag.answer.indicator_answers import _best
    from rag.reports.indicators import load_table
    from rag.reports.ledger import LedgerRow

    def row(value: float, quote: str) -> LedgerRow:
        return LedgerRow("r", "全国", 1957, "工业总产值", "gross industrial output value", value, "亿元", None,
                         "actual", 1956, "", "", "r:1", quote, 0, 1, "")

    part, whole = row(100.0, "工业总产值达到了一百亿元"), row(586.0, "工业总产值达到了五百八十六亿元")
    assert _best([part, whole], load_table().get("工业总产值"), None) is whole


def test_a_statement_goes_on_with_the_growth_of_the_same_figure(library):
    """钢产量拟定为六百二十四万八千吨，将比一九五七年增长百分之十九点二: both figures are one statement."""
    answer = ask(library, "一九五八年的国民经济计划把钢产量定为多少？比上年增长多少？")
    assert answer is not None and "六百二十四万八千吨" in answer.answer and "百分之十九点二" in answer.answer


def test_an_indicators_older_name_is_read(library):
    """社会商品零售总额 (20 times in the national reports, the name before 社会消费品零售总额's 10)."""
    answer = ask(library, "How much did retail sales of consumer goods add up to in 1979?")
    assert answer is not None and "1，753亿元" in answer.answer and cited_years(answer) == [1980]


def test_a_table_without_a_word_of_a_plan_gives_what_each_year_reached(library):
    """"Make a table of China's grain output for 2021–2024": no target word, so each year's result (reviewed in
    the next report), and a year the next report states in other words is said to be missing, never filled."""
    answer = ask(library, "Make a table of China's grain output for 2021, 2022, 2023 and 2024.")
    assert answer is not None and "1.37万亿斤" in answer.answer and "1.39万亿斤" in answer.answer
    assert "2022 report" in answer.answer and "target" not in answer.answer


def test_a_plan_periods_years_ask_its_own_figure_not_a_table(library):
    """"the 13th Five-Year Plan (2016-2020)": the years say which plan, so its five-year figure (the text's) is
    asked, not a table of each year's row; asked for each year, the table stays."""
    assert ask(library, "How many new urban jobs did the 13th Five-Year Plan (2016-2020) aim to create?") is None
    table = ask(library, "What were the new urban jobs targets for each year of 2016-2019?")
    assert table is not None and table.engine == "ledger" and len(set(cited_years(table))) >= 3


def test_an_alias_two_indicators_share_names_both():
    """"unemployment rate" is the registered and the surveyed rate (the reports give the second since 2018): the
    question names both and the ledger answers with whichever the report states."""
    from rag.reports.indicators import question_indicators

    names = [i.name for i in question_indicators("What was the unemployment rate at the end of 2020?")]
    assert names == ["城镇登记失业率", "城镇调查失业率"]
    assert [i.name for i in question_indicators("What was the surveyed unemployment rate in 2020?")] == ["城镇调查失业率"]


def test_indicators_named_with_a_shared_head_are_each_named():
    """粮食和钢产量 names 粮食产量 and 钢产量."""
    from rag.reports.indicators import question_indicators

    assert [i.name for i in question_indicators("到1985年粮食和钢产量要达到多少？")] == ["粮食产量", "钢产量"]


def test_a_readers_words_for_the_deficit_ratio_and_harvests():
    """"budget deficit relative to GDP" is the deficit ratio, a "budget shortfall" the deficit, a "cotton harvest"
    cotton output: the words a reader uses for the indicators the reports name."""
    from rag.reports.indicators import question_indicators

    def names(question: str) -> list[str]:
        return [i.name for i in question_indicators(question)]

    assert names("How big a budget deficit relative to GDP did the 2025 report plan?") == ["赤字率"]
    assert names("How large a budget shortfall was planned for 2009?") == ["财政赤字"]
    assert names("What cotton harvest target did the plan for 1958 set?") == ["棉花产量"]


def test_was_it_met_without_a_result_row_is_left_to_the_next_reports_text(library):
    """The 2006 energy-intensity target is a row, the 2007 report's review of it (转为下降1.2%) is not: the ledger
    does not answer "was it met" with the target alone while that report is in the library."""
    question = "Did China meet its 2006 goal for cutting energy consumption per unit of GDP?"
    assert ask(library, question) is None
    target = ask(library, "What cut in energy use per unit of GDP did China target for 2006?")
    assert target is not None and "4%左右" in target.answer and cited_years(target) == [2006]


def test_two_indicators_one_without_a_row_are_left_to_the_reports_text(library):
    """Foreign trade in 2000 is a row of the 2001 report, its exports (其中出口2492亿美元) are not: answering the
    first alone would leave half the question out, so the text (one sentence states both) answers it."""
    assert ask(library, "What were China's total imports and exports, and its exports, in 2000?") is None
    trade = ask(library, "What were China's total imports and exports in 2000?")
    assert trade is not None and "4743亿美元" in trade.answer


def test_verbs_of_a_target_and_latin_letters_beside_english_do_not_narrow_an_indicator():
    """"cutting energy consumption per unit of GDP" names energy intensity (cutting is no modifier); GDP in English
    text that also holds a Chinese word (a place carried into a later part) is read with its English words."""
    from rag.reports.indicators import question_indicators

    for question in ("Did China meet its goal for cutting energy consumption per unit of GDP?",
                     "what was achieved (全国 China cutting energy consumption per unit of GDP) in 2006?"):
        assert [i.name for i in question_indicators(question)] == ["单位地区生产总值能耗"]
    assert [i.name for i in question_indicators("人均GDP是多少？")] == ["人均地区生产总值"]


def test_english_indicators_named_with_a_shared_head_are_each_named():
    """"steel and grain output" is steel output and grain output, as 粮食和钢产量 is in Chinese."""
    from rag.reports.indicators import question_indicators

    assert [i.name for i in question_indicators("What steel and grain output targets were set for 1959?")] == [
        "钢产量", "粮食产量"]
    assert [i.name for i in question_indicators("How much grain output was there in 1959?")] == ["粮食产量"]


def test_a_narrower_indicator_or_another_place_is_not_the_ledgers():
    """"youth unemployment rate" is a part the reports do not give; 广东省 is a place no loaded report covers:
    neither is answered with the country's figure."""
    from rag.answer.topics import question_concepts
    from rag.reports.indicators import question_indicators
    from rag.retrieve.plan import analyze

    assert question_indicators("What was China's youth unemployment rate in 2023?") == []
    assert [i.name for i in question_indicators("What was China's actual unemployment rate in 2023?")]
    analysis = question_concepts(analyze("2023年广东省的地区生产总值是多少？", []), set())
    assert [analysis.concepts[i][0] for i in analysis.required] == ["广东省"]


def test_a_question_with_a_word_nothing_translates_is_not_the_ledgers(library):
    """"Gini coefficient of income" names income, but gini is a topic nothing translates: the disposable-income
    row would answer another question, so the text (which refuses it) decides, not the ledger."""
    from rag.answer.pipeline import ask as answer_question

    plan_words = library.plan("What was China's Gini coefficient for income in 2023?").untranslated
    assert "gini" in plan_words
    answer = answer_question(library, "What was China's Gini coefficient for income in 2023?", [], "extractive", None)
    assert answer.engine != "ledger"


def test_a_statement_goes_on_with_a_multiple_of_an_earlier_years_figure():
    """鋼二百十七萬噸，等於一九四九年的十三點七倍: the multiple is the same figure's; the next item is not."""
    from rag.answer.ledger_statements import statement_end

    text = "鋼二百十七萬噸，等於一九四九年的十三點七倍；金屬切削機床一萬三千五百十三台"
    assert text[:statement_end(text, 0, 7)] == "鋼二百十七萬噸，等於一九四九年的十三點七倍"


def test_a_five_year_plans_name_is_no_target_word_and_steel_is_its_output():
    """"How much steel did China make in 1985, the last year of the Sixth Five-Year Plan" asks the result: the plan's
    name does not make it a target; "steel" alone names steel output."""
    from rag.answer.indicator_answers import TARGET_RE
    from rag.reports.indicators import question_indicators

    assert not TARGET_RE.search("how much steel did china make in 1985, the last year of the sixth five-year plan?")
    assert TARGET_RE.search("how much steel was the country supposed to be turning out by 1957?")
    assert [i.name for i in question_indicators("How much steel and coal did China produce in 1985?")] == [
        "钢产量", "原煤产量"]


def test_an_english_phrase_names_the_indicator_of_its_last_word():
    """"budget deficit ratio" is the deficit ratio (赤字率), not the deficit (财政赤字) its first two words name."""
    from rag.reports.indicators import question_indicators

    names = [i.name for i in question_indicators("What budget deficit ratio did the government set for 2025?")]
    assert names == ["赤字率"]
    assert [i.name for i in question_indicators("What was the budget deficit in 2020?")] == ["财政赤字"]
    # "energy consumption … per unit of GDP": the words of a longer name, not consumption (retail sales)
    assert question_indicators("How much did the plan aim to cut energy consumption and carbon dioxide emissions "
                               "per unit of GDP?") == []


def test_a_group_written_after_the_indicator_asks_for_its_part():
    """"per capita disposable income of rural residents" is rural income (农村居民人均可支配收入), as "rural per capita
    disposable income" is; a group the table has no figure for ("of migrant workers") narrows it, so the whole's
    figure (or the urban one) does not answer."""
    from rag.reports.indicators import narrowing_words, question_indicators

    rural = "What was the per capita disposable income of rural residents in 2021?"
    assert [i.name for i in question_indicators(rural)] == ["农村居民人均可支配收入"]
    assert "rural" in narrowing_words(rural)
    assert question_indicators("What was the disposable income of migrant workers?") == []
    assert [i.name for i in question_indicators("What was per capita disposable income in 2021?")] == ["居民人均可支配收入"]


def test_a_citys_figure_is_not_a_districts_and_an_unknown_district_is_no_known_one(library):
    """"the total GDP of Jinzhou city": 凌河区 (a district of Jinzhou) has a GDP row, the city's excerpt has none —
    the district's figure is not the city's; "Shanyang District in Jiaozuo" is no report of the library, so
    Jiefang District's (also in Jiaozuo) growth target does not answer it. The district itself still answers."""
    assert ask(library, "What was the total GDP of Jinzhou city in Liaoning in 2022?") is None
    assert ask(library, "What economic growth target did Shanyang District in Jiaozuo, Henan, set for 2022?") is None
    linghe = ask(library, "How big was the economy of Linghe District in Jinzhou in 2022?")
    assert linghe is not None and "129亿元" in linghe.answer


def test_how_much_of_a_quantity_asks_its_level_not_its_growth():
    """"how much grain was China supposed to be harvesting by 1957" asks the amount: a row that states only the
    growth (粮食产量要增长百分之十三点七) does not answer it; a change named in the question still asks the change."""
    from rag.answer.indicator_answers import _measure

    assert _measure("how much grain was china supposed to be harvesting by 1957?") == "value"
    assert _measure("1957年粮食计划收多少？") == "value"
    assert _measure("1957年粮食增长多少？") == "growth"
    assert _measure("how much did gdp grow in 2019?") == "growth"
    assert _measure("how much did grain harvests decline in 1960?") is None
