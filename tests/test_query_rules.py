"""Question analysis rules (rag/retrieve/plan.py and its parts): no model, no index; reports are plain
metadata objects."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.answer.mentions import counts_beside
from rag.answer.topics import question_concepts, topic_concepts
from rag.retrieve.corpus import TermCounts, packaged_counts
from rag.retrieve.english import noun_phrase_end, stem
from rag.retrieve.figures import english_figures
from rag.retrieve.glossary import indicator_groups
from rag.retrieve.places import gazetteer_places
from rag.retrieve.plan import analyze, wording_changes
from rag.retrieve.translate import numbered_compounds, translate


def report(rid: str, province: str, city: str, district: str | None = None):  # the fields analyze reads
    return SimpleNamespace(report_id=rid, province=province, city=city, district=district, year=None,
                           level="district" if district else "city")


REPORTS = [report("a", "辽宁省", "锦州市", "凌河区"), report("b", "云南省", "曲靖市", "麒麟区"),
           report("c", "河南省", "焦作市", "解放区"), report("d", "辽宁省", "锦州市"),
           report("e", "辽宁省", "营口市", "西市区")]


def test_stems_match_inflections():
    assert stem("renovated") == stem("renovating") == stem("renovates") == stem("renovate")
    assert stem("companies") == stem("company") and stem("taxes") == stem("tax")
    assert stem("planned") == stem("plan") and stem("added") == stem("add") and stem("centres") == stem("center")
    assert stem("built") == stem("build") and stem("pm2.5") == "pm2.5"


def test_glossary_matches_longest_phrase_on_stems():
    translation = translate("How many old residential compounds were renovated?", packaged_counts())
    matches, words, used = translation.matches, list(translation.words), translation.used
    groups = [list(m.terms) for m in matches]
    assert ["老旧小区"] in groups and any("改造" in g for g in groups)
    assert all(used[words.index(w)] for w in ("old", "residential", "compounds", "renovated"))
    renovate = next(m for m in matches if "改造" in m.terms)
    assert renovate.soft  # a verb: helps choose sentences, never required


def test_indicator_table_feeds_the_glossary_and_chinese_questions():
    plan = analyze("What were Linghe's retail sales of consumer goods?", REPORTS)
    assert any("社零额" in group for group in plan.expansion_groups)  # a wording from indicators.tsv
    groups = indicator_groups("解放区2022年新增就业的目标是多少人?")
    assert groups and "新增就业" in groups[0] and "城镇新增就业" in groups[0]
    # the old reports' word for crude oil output (石油增长六点五倍, 石油产量10，600万吨)
    assert any("石油" in group and "原油产量" in group for group in indicator_groups("1980年石油产量是多少?"))
    # the statistical name of R&D spending, also with the acronym glossing it inside the name
    groups = indicator_groups("2002年全国研究与试验发展(r&d)经费支出达到多少?")
    assert groups and {"研发经费", "研究与实验发展经费", "研究与试验开发经费"} <= set(groups[0])


def test_english_figures_in_report_units():
    figures = english_figures("1.08 billion yuan, 4.4 million US dollars, 12 percent, 0.5 percentage points, "
                              "44,800 mu and 10 billion yuan")
    for expected in ("10.8亿元", "440万美元", "12%", "0.5个百分点", "4.48万亩", "100亿元", "百亿"):
        assert expected in figures
    assert english_figures("in 2022") == []  # a year is not an amount


def test_numbered_slogans_become_one_chinese_name():
    library = TermCounts(text="加快建设四区四中心，四区即中心城区引领区……\x00产业园区服务中心")
    names, consumed = numbered_compounds('What are the "four zones and four centers"?', library)
    assert names == ["四区四中心"] and len(consumed) == 5  # the spelling the library uses
    assert numbered_compounds("six brands", packaged_counts())[0] == []  # a lone number + noun is not a slogan


def test_places_by_pinyin_and_gazetteer():
    plan = analyze("How much did fixed-asset investment in Ling-he District grow?", REPORTS)
    assert [m.name for m in plan.places] == ["凌河区"] and plan.place_report_ids == {"a"}
    assert [m.name for m in analyze("What did Qílín District build?", REPORTS).places] == ["麒麟区"]
    assert gazetteer_places("Did Linghe send teams to Hangzhou and Shenzhen's fairs?", {"linghe"}) == ["杭州", "深圳"]
    shenzhen = analyze("How much did Shenzhen's GDP grow in 2022?", REPORTS)
    assert shenzhen.other_places == ["深圳"] and "shenzhen" not in shenzhen.untranslated
    assert question_concepts(shenzhen, set()).required  # no answer unless a passage names 深圳


def test_untranslated_and_generic_words():
    plan = analyze("How many Olympic gold medals did Qilin District athletes win?", REPORTS)
    assert {"olympic", "medals"} <= set(plan.untranslated)  # athletes: 运动员, a word reports use
    plan = analyze("Which projects does Linghe District want to help complete?", REPORTS)
    assert plan.untranslated == []  # want / help are not topics


def test_how_many_counts_the_head_noun():
    plan = analyze("How many students in Qilin scored above 600 points in the gaokao?", REPORTS)
    analysis = question_concepts(plan, {"麒麟区"})
    assert analysis.counted is not None and analysis.concepts[analysis.counted][0] == "学生"
    plan = analyze("How many flood rescue teams did Jiefang District dispatch?", REPORTS)
    analysis = question_concepts(plan, {"解放区"})
    assert analysis.counted is None  # counts teams (队/支): no concept of its own
    assert any("抢险" in c for c in analysis.concepts)
    plan = analyze("How many Chinese students went abroad to study in 2010?", REPORTS)
    analysis = question_concepts(plan, set())
    assert analysis.counted is not None and "学生" in analysis.concepts[analysis.counted]  # not "abroad"


def test_a_preposition_jieba_keeps_with_a_word_is_no_part_of_the_topic():
    plan = analyze("1981年在城镇安置多少人就业？", REPORTS)
    concepts = question_concepts(plan, set()).concepts
    assert not any(term.startswith("在") for concept in concepts for term in concept)  # jieba's 在城镇


def test_noun_phrase_ends_at_its_verb():
    words = ["how", "many", "households", "moved"]
    assert noun_phrase_end(words, 2) == 3
    words = ["how", "many", "newly", "built", "homes", "were", "handed", "over"]
    assert noun_phrase_end(words, 2) == 5  # "newly built" modifies homes
    words = ["how", "many", "registered", "companies", "did"]
    assert noun_phrase_end(words, 2) == 4


def test_a_count_counts_what_its_clause_names():
    concepts = [["机动车"], ["公路"]]
    assert not counts_beside(concepts, {1}, "新建和改造农村公路38万公里，又有80万户农村危房得到改造")  # households, no vehicles
    assert counts_beside([["学生"], ["高考"]], {1}, "全区高考600分以上416人，一本上线率提高")


def test_taiwan_wording_is_an_alternative_not_a_replacement():
    assert wording_changes("资讯科技与软体", "信息技术与软件") == [("资讯科技", "信息技术"), ("体", "件")]
    plan = analyze("麒麟區的數位經濟和人工智慧產業有哪些項目？", REPORTS)
    concepts = topic_concepts(plan, {"麒麟区"})
    for taiwan, mainland in (("人工智慧", "人工智能"), ("数位", "数字")):  # alone or in a compound (数位经济)
        assert any(c[0].startswith(taiwan) and c[1] == mainland + c[0][len(taiwan):] for c in concepts if len(c) == 2)
    plan = analyze("麒麟區全年新增城鎮就業多少人？", REPORTS)
    assert "新增" in plan.normalized  # tw2sp's 新增 → 添加 is only an extra wording


def test_chinese_names_inside_english_questions_are_topics():
    plan = analyze("What does the 添翼计划 aim to achieve?", REPORTS)
    assert ["添翼"] in topic_concepts(plan, set())  # 计划 says what kind of thing it is, 添翼 which one


def test_question_words_are_cut_from_topic_words():
    concepts = topic_concepts(analyze("凌河区的数字经济有哪些项目？", REPORTS), {"凌河区"})
    assert ["项目"] in concepts and not any("哪些" in t for c in concepts for t in c)


def test_question_framing_is_not_a_topic():
    """报告提到 (saying), 各是/哪项 (asking), 回顾过去五年/五年来 (which part of the report): none is what the
    question is about, so none can keep a sentence that states the answer from covering the question."""
    def topics(question: str) -> list[str]:
        return [c[0] for c in question_concepts(analyze(question, []), set()).concepts]

    assert topics("1983年政府工作报告提到，我国正规授予的博士学位有多少人？") == ["正规", "授予", "博士学位"]
    assert "各是" not in topics("2005年政府工作报告拟安排的中央财政赤字和长期建设国债各是多少？")
    assert "哪项" not in topics("2019年政府工作报告首次把哪项政策置于宏观政策层面？")
    framed = topics("2023年政府工作報告回顧過去五年，常住人口城鎮化率從多少提高到多少？")
    assert not any(word in ("回顾过去", "五年", "回顾") for word in framed) and any("城镇化率" in word for word in framed)


def test_word_classes_separate_topics_from_the_way_a_question_is_put():
    """Pronouns (为什么, 什么) are no topic; verbs and adjectives (换成, 授予, 具体) count only where a sentence
    has them; one-character nouns listed with 、 (钢、煤、粮、棉) are topics although a lone character is not."""
    analysis = question_concepts(analyze("1960年的报告为什么说不要再打麻雀了？除四害里的麻雀要换成什么？", []), set())
    words = {c[0]: i for i, c in enumerate(analysis.concepts)}
    assert "为什么" not in words and "什么" not in words and "麻雀" in words
    assert words["换成"] in analysis.soft and words["麻雀"] not in analysis.soft
    listed = question_concepts(analyze("1959年计划围绕的钢、煤、粮、棉四大指标具体是多少？", []), set())
    words = {c[0]: i for i, c in enumerate(listed.concepts)}
    assert {"钢", "煤", "粮", "棉"} <= set(words) and words["具体"] in listed.soft
    assert "年" not in words


def test_report_words_stay_topics_and_written_together_they_are_one():
    """预算 and 收入 are report topics though jieba may tag them verbs (the termbase and the indicator table say
    so); 国防预算 is one concept, so one sentence about 国防 and another about 预算 do not answer it together."""
    analysis = question_concepts(analyze("2018年政府工作报告中国防预算增长多少？", []), set())
    assert [c[0] for c in analysis.concepts] == ["国防预算"] and not analysis.soft
    income = question_concepts(analyze("财政预算收入是多少？", []), set())
    assert not income.soft


def test_a_compound_the_reports_write_is_matched_word_by_word():
    """铁路正线 is written in the reports: a sentence may say 铁路 and the one before it 正线 (rank_sentences splits
    it when the index knows the compound); 国防预算 is not, so it stays one concept."""
    analysis = question_concepts(analyze("据1954年的报告，当年铁路正线通车里程预计达到多少公里？", []), set())
    assert ["铁路正线"] in analysis.concepts
    split = analysis.split(set(analysis.joined))
    assert ["铁路"] in split.concepts and ["正线"] in split.concepts and not split.joined
    assert len(split.concepts) == len(analysis.concepts) + len(analysis.joined)


def test_a_dictionary_guess_weighs_half_when_missing():
    """countryside → 乡村 is the general dictionary's guess (the reports write 农村): a sentence without it still
    answers; a termbase wording (poverty → 贫困) is not a guess."""
    analysis = question_concepts(analyze("How many people in the countryside got out of poverty in 2016?", []), set())
    guessed = [analysis.concepts[i][0] for i in analysis.guessed]
    assert "乡村" in guessed and "贫困" not in guessed


def test_numerals_time_words_and_verbs_of_the_vocabulary_are_not_compounds():
    """十个月 (a numeral), 时期 after a plan's name and 时 after 回顾过去五年 say how much or when; two verbs the
    vocabulary knows (安排 + 发行) are not one compound noun, while 国防 + 预算 still are."""
    def analysis(question: str):
        return question_concepts(analyze(question, []), set())

    months = analysis("1981年政府工作报告说，当年头十个月城乡储蓄存款增加了多少？")
    words = {c[0]: i for i, c in enumerate(months.concepts)}
    assert "城乡储蓄存款" in words and ("十个月" not in words or words["十个月"] in months.soft)
    plan_period = [c[0] for c in analysis("“十四五”时期常住人口城镇化率的目标是多少？").concepts]
    assert not any("时期" in word for word in plan_period)
    review = [c[0] for c in analysis("2023年政府工作报告回顾过去五年时说，关税总水平从多少降到了多少？").concepts]
    assert "时说" not in review and "关税" in review
    issued = analysis("2003年至2006年的政府工作报告分别安排发行多少长期建设国债？")
    assert "安排发行" not in [c[0] for c in issued.concepts]
    assert not any("安排" in part for parts in issued.joined.values() for part in parts[0] + parts[1])


def test_a_distinguishing_word_frames_the_question():
    """额外 (a distinguishing word, like an adjective) says how the question is put: it counts where a sentence
    has it."""
    analysis = question_concepts(analyze("1998年为扩大基础设施投资，国务院额外增发了多少财政债券？", []), set())
    words = [c[0] for c in analysis.concepts]
    assert words.index("额外") in analysis.soft


def test_a_word_that_is_no_topic_takes_its_parts_along_and_yes_no_forms_frame():
    """国务院 is no topic, so neither is 国务 (a part jieba's search mode yields); 是不是 asks yes or no, and its
    part 不是 is no topic either; 头一回, no noun, is the question's phrasing (the reports write 首次)."""
    council = [c[0] for c in question_concepts(analyze("国务院增发了多少财政债券？", []), set()).concepts]
    assert "国务" not in council and "国务院" not in council
    analysis = question_concepts(analyze("1999年全国财政收入是多少？是不是头一回超过一万亿元？", []), set())
    words = [c[0] for c in analysis.concepts]
    assert not {"是不是", "不是"} & set(words)
    assert words.index("头一回") in analysis.phrasing
    # a day or a month says when (日起 of 1月1日起 is no topic); 全部 totals like 总计
    tariffs = [c[0] for c in question_concepts(analyze("从2002年1月1日起我国关税总水平降到了多少？", []), set()).concepts]
    assert "关税" in tariffs and not any("日" in w or "月" in w for w in tariffs)
    power = [c[0] for c in question_concepts(analyze("2013年非化石能源发的电占全部发电量的比重是多少？", []),
                                             set()).concepts]
    assert "发电量" in power and "全部发电量" not in power
    # the year's plan by its document name frames the question like 计划
    plan = [c[0] for c in question_concepts(analyze("1965年國民經濟計劃草案擬定工業總產值比1964年增長多少？", []),
                                            set()).concepts]
    assert "国民经济" not in plan and "草案" not in plan and any("工业总产值" in w for w in plan)


def test_a_place_whose_short_name_is_an_everyday_word_is_named_in_full():
    """解放区's short name 解放 is an everyday verb (解放以来: since 1949): only 解放区 names the place; a short name
    that is no common word (凌河 of 凌河区) still does."""
    from rag.core.models import Report
    from rag.retrieve.places import common_word, match_places

    reports = [Report(report_id="j", source_file="j.txt", title="解放区政府工作报告", province="河南省", city="焦作市",
                      district="解放区", level="district", year=2022, sha256="x"),
               Report(report_id="l", source_file="l.txt", title="凌河区政府工作报告", province="辽宁省", city="锦州市",
                      district="凌河区", level="district", year=2023, sha256="y")]
    assert common_word("解放") and not common_word("凌河") and not common_word("河南")
    assert [m.name for m in match_places("1975年的报告说，解放以来我国人口增加了多少？", "zh", reports)] == []
    assert [m.name for m in match_places("解放区2022年的目标", "zh", reports)] == ["解放区"]
    assert [m.name for m in match_places("凌河2022年的目标", "zh", reports)] == ["凌河区"]


def test_a_one_character_word_of_the_termbase_is_a_topic():
    """steel → 钢 (222 times in the national reports: 钢产量, 钢 X万吨): the termbase's one-character wording is
    kept as a topic word, so "How much steel …" is covered by 钢由三千七百万吨增加到…, not only by 钢铁."""
    concepts = topic_concepts(analyze("How much steel did China make in 1985?", []), set())
    assert any("钢" in concept for concept in concepts)


def test_a_variant_wording_keeps_its_first_character():
    """工业农业总产值 is a variant of 工农业总产值 (most character pairs, the same first character); 农业总产值 is
    another indicator than 工业总产值 although three of their four pairs agree."""
    from rag.answer.mentions import term_hits as _term_hits

    assert _term_hits(["工农业总产值"], "在工业农业总产值方面：一九五三年比一九五二年增长百分之十四点四")
    assert not _term_hits(["工业总产值"], "农业总产值比上年增长百分之三")
    assert _term_hits(["粮食产量"], "粮食总产量达到一万亿斤")
    # three characters: the first and both pairs (在校的小学学生 for 小学生), not one pair (中学生)
    assert _term_hits(["小学生"], "在校的小学学生已经从1949年的二千四百多万人增加到1956年的六千三百多万人")
    assert not _term_hits(["小学生"], "中学生和大学生") and not _term_hits(["钢产量"], "产量和钢材")
    # a short form written out: its first two characters, then the rest in order (one inner character of a
    # longer term may be another), never without its last character
    assert _term_hits(["在校生", "大专院校"], "1979年大专学校在校学生102万人") == {"在校生", "大专院校"}
    assert not _term_hits(["在校生"], "在校学习期间") and not _term_hits(["大专院校"], "大专毕业生")


def test_a_word_jieba_made_up_does_not_mark_the_topic_absent():
    """多少头猪 gives jieba's made-up word 头猪: the reports never write it, but that says nothing about pigs.
    A dictionary word the reports never write (房价) still marks the topic as absent."""
    from rag.answer.topics import question_concepts

    analysis = question_concepts(analyze("1959年全国一年里一共养了多少头猪？到年底还有多少头存栏？", []), set())
    made_up = [i for i, concept in enumerate(analysis.concepts) if concept[0] == "头猪"]
    assert made_up and set(made_up) <= analysis.unlisted
    analysis = question_concepts(analyze("2019年房价上涨了多少？", []), set())
    assert not {i for i, concept in enumerate(analysis.concepts) if concept[0] == "房价"} & analysis.unlisted


def test_framing_words_of_english_and_chinese_questions():
    """"make a table", "were supposed to" frame a question; 实际 (actual) says which kind of figure, like 目标."""
    plan = analyze("Make a table of China's grain output for 2021, 2022, 2023 and 2024.", REPORTS)
    assert "table" not in plan.untranslated
    plan = analyze("How many extra people were supposed to get jobs?", REPORTS)
    assert "supposed" not in plan.untranslated
    concepts = [c[0] for c in topic_concepts(analyze("1994年商品零售物价实际上涨了多少？", []), set())]
    assert not any("实际" in c for c in concepts)


def test_a_measure_word_is_no_topic_and_space_is_not_a_place():
    """人次 counts visits of anything (training, tourists): like 万人 it says what kind of figure, so "tourist
    visits" needs 旅游人数; space → 航天 (the dictionary's 地方 is "a place")."""
    tourists = [c for c in topic_concepts(analyze("How many tourist visits did Qilin District receive in 2022?", REPORTS),
                                          {"麒麟区"})]
    assert tourists and not any("人次" in c for c in tourists)
    space = topic_concepts(analyze("How much was spent on the space programme?", []), set())
    assert any("航天" in c for c in space) and not any("地方" in c for c in space)


def test_verbs_alone_do_not_answer_a_question_about_a_topic():
    """"spending on space exploration": a sentence with 支出 (spending) and 探索 (explore) but no 航天 covers only
    the question's verbs; with a topic word uncovered and none covered, the selector refuses."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    plan = analyze("What was the spending on space exploration?", [])
    chunk = SimpleNamespace(text="财政用于民生领域支出75354万元。探索“工业上楼”发展新模式。", paragraph=3,
                            time=ChunkTime(None, (), ()))
    hit = SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=2023))
    assert rank_sentences(plan, [hit], set()).coverage < MIN_COVERAGE


def test_older_per_head_wordings_match_per_capita():
    """农民按人口平均的纯收入 / 平均每人的纯收入 (older reports) match the indicator wording 农民人均纯收入, in the
    sentence and in the question alike; the quote keeps the report's own words."""
    from rag.core.textnorm import per_capita

    assert per_capita("农民按人口平均的纯收入达到３０９．８元") == "农民人均纯收入达到３０９．８元"
    assert per_capita("全国农民平均每人的纯收入达到二百七十元") == "全国农民人均纯收入达到二百七十元"
    assert per_capita("粮食每人平均一千斤") == "粮食人均一千斤"


def test_english_baselines_are_not_years_asked():
    """"exceed the 1964 level", "than in 1980", "compared with 1957": the year a change is measured against."""
    from rag.retrieve.when import question_time

    assert question_time("By how much was crude oil output in 1974 expected to exceed the 1964 level?").years == (1974,)
    assert question_time("How much higher was grain output in 1985 than in 1980?").years == (1985,)
    assert question_time("How much did irrigated farmland expand in 1958 compared with 1957?").years == (1958,)


def test_a_verb_that_qualifies_the_noun_after_it_is_part_of_the_topic():
    """出生人口 (births): 出生 qualifies 人口, so a sentence about 常住人口 does not answer it; a verb that only says how the
    question is put (说, 提到) stays soft. Elided list heads still count: 棉花达到… after 粮食产量…."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    chunk = SimpleNamespace(text="常住人口城镇化率提高到66.2%。粮食产量达到四亿零七百多万吨；棉花达到六百零八万吨。",
                            paragraph=3, time=ChunkTime(None, (), ()))
    hit = SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=2024))
    def idf(term: str) -> float:  # 出生 is rarer in the reports than 人口; a term they never write weighs most
        return {"人口": 1.0, "出生": 2.0}.get(term, 3.0)

    births = rank_sentences(analyze("全国出生人口有多少？", []), [hit], set(), weight_of=idf)
    assert births.coverage < MIN_COVERAGE
    cotton = rank_sentences(analyze("棉花产量达到多少？", []), [hit], set(), weight_of=lambda term: 1.0)
    assert cotton.coverage >= MIN_COVERAGE and "六百零八万吨" in cotton.chosen[0].text


def test_growth_is_answered_with_a_percentage_also_in_chinese_numerals():
    """增长了多少 asks a growth rate: 增长百分之十四点二 (older reports' numerals) beats the amount sentence."""
    from types import SimpleNamespace

    from rag.answer.extractive import rank_sentences
    from rag.core.timeframe import ChunkTime

    chunk = SimpleNamespace(text="工业总产值达到七千六百亿元。工业总产值比上年增长百分之十四点二。", paragraph=3,
                            time=ChunkTime(None, (), ()))
    hit = SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=1985))
    ranking = rank_sentences(analyze("工业总产值增长了多少？", []), [hit], set())
    assert "百分之十四点二" in ranking.chosen[0].text


def test_how_many_yuan_is_not_answered_by_a_growth_rate():
    """居民人均可支配收入是多少元？: a sentence that gives only its growth (实际增长8.1%) does not answer; the level does."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    plan = analyze("2021年全国居民人均可支配收入是多少元？", [])
    growth = SimpleNamespace(text="居民人均可支配收入实际增长8.1%。", paragraph=3, time=ChunkTime(None, (), ()))
    level = SimpleNamespace(text="居民人均可支配收入35128元。", paragraph=4, time=ChunkTime(None, (), ()))
    report = SimpleNamespace(year=2022)
    assert rank_sentences(plan, [SimpleNamespace(chunk=growth, report=report)], set()).coverage < MIN_COVERAGE
    assert rank_sentences(plan, [SimpleNamespace(chunk=level, report=report)], set()).coverage >= MIN_COVERAGE


def test_asked_how_much_was_spent_the_amount_beats_the_share():
    """"how much did China spend on defence" asks an amount of money (so do 多少钱 and "how much … earmarked"):
    the sentence with 国防费支出…元 ranks above the one with the share of spending, even when retrieved first."""
    from types import SimpleNamespace

    from rag.answer.cues import MONEY_ASK
    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    assert MONEY_ASK.search("1956年国家预算给国防费安排了多少钱？")
    assert MONEY_ASK.search("How much was earmarked in total for capital construction?")
    assert not MONEY_ASK.search("How much did grain output grow?")
    plan = analyze("How much did China spend on national defence in 1955?", [])
    share = SimpleNamespace(text="1955年国家决算用于国防的支出占本年支出的22.15%。", paragraph=3, time=ChunkTime(None, (), ()))
    amount = SimpleNamespace(text="国防费支出6,499,862,000元，占预算数的90.36%。", paragraph=4,
                             time=ChunkTime(None, (), ()))
    report = SimpleNamespace(year=1956)
    ranking = rank_sentences(plan, [SimpleNamespace(chunk=c, report=report) for c in (share, amount)], set())
    assert ranking.coverage >= MIN_COVERAGE and "6,499,862,000元" in ranking.chosen[0].text


def test_a_total_is_not_answered_by_a_figure_per_mu_or_per_head():
    """"How big was the 1957 grain harvest": 粮食…达到三千七百亿斤, not 粮食的每亩平均产量…一千斤 (retrieved first);
    asked the yield per mu, the per-mu sentence answers."""
    from types import SimpleNamespace

    from rag.answer.extractive import rank_sentences
    from rag.core.timeframe import ChunkTime

    per_mu = SimpleNamespace(text="十一个县，粮食的每亩平均产量已经达到或者超过了一千斤。", paragraph=3,
                             time=ChunkTime(None, (), ()))
    total = SimpleNamespace(text="一九五七年比一九五六年，粮食增加了五十亿斤，达到三千七百亿斤。", paragraph=4,
                            time=ChunkTime(None, (), ()))
    hits = [SimpleNamespace(chunk=c, report=SimpleNamespace(year=1958)) for c in (per_mu, total)]
    harvest = rank_sentences(analyze("How big was China's grain harvest?", []), hits, set())
    assert "三千七百亿斤" in harvest.chosen[0].text
    yield_ = rank_sentences(analyze("粮食每亩平均产量达到多少？", []), hits, set())
    assert "一千斤" in yield_.chosen[0].text


def test_a_level_is_not_answered_by_a_sentence_that_only_states_changes():
    """"What was the value of industrial output in 1956": not 1956年这一年就增加了一百三十九亿元 (retrieved first, every
    figure after 增加); a sentence that states the level and a change (赤字7500亿元，比上年增加5700亿元) is a level."""
    from types import SimpleNamespace

    from rag.answer.cues import only_changes
    from rag.answer.extractive import rank_sentences
    from rag.core.timeframe import ChunkTime

    assert only_changes("工业总产值在五年计划的前三年共增加了一百七十七亿元，而1956年这一年就增加了一百三十九亿元。")
    assert not only_changes("拟安排中央财政赤字7500亿元，比上年增加5700亿元")
    change = SimpleNamespace(text="工业总产值在前三年共增加了一百七十七亿元，而1956年这一年就增加了一百三十九亿元。",
                             paragraph=3, time=ChunkTime(None, (), ()))
    level = SimpleNamespace(text="1956年工业总产值达到五百八十六亿元。", paragraph=4, time=ChunkTime(None, (), ()))
    hits = [SimpleNamespace(chunk=c, report=SimpleNamespace(year=1957)) for c in (change, level)]
    value = rank_sentences(analyze("What was the value of China's industrial output in 1956?", []), hits, set())
    assert "五百八十六亿元" in value.chosen[0].text


def test_a_figure_answers_only_what_its_own_sentence_is_about():
    """水利建设投资3562亿元 beside 长江三峡工程正式开工 is not the Three Gorges' investment: asked for an amount, the
    topic must be covered by the sentences that state the figure (or lead into one in the same chunk), not by a
    sentence without a figure found elsewhere."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    def hit(text: str) -> SimpleNamespace:
        return SimpleNamespace(chunk=SimpleNamespace(text=text, paragraph=3, time=ChunkTime(None, (), ())),
                               report=SimpleNamespace(year=1998, report_id="r"))

    plan = analyze("长江三峡工程的总投资是多少亿元？", [])
    apart = hit("五年全国水利建设投资3562亿元。举世瞩目的长江三峡工程正式开工。")
    assert rank_sentences(plan, [apart], set(), weight_of=lambda term: 1.0).coverage < MIN_COVERAGE
    stated = hit("长江三峡工程总投资900亿元。")
    ranking = rank_sentences(plan, [apart, stated], set(), weight_of=lambda term: 1.0)
    assert ranking.coverage >= MIN_COVERAGE and any("900亿元" in s.text for s in ranking.chosen)


def test_an_age_group_is_a_part_of_the_population_the_sentence_must_name():
    """"aged 16 to 24", "16- to 24-year-olds", 16-24岁, 60岁以上: the youth jobless rate is not the whole one."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.age_groups import age_groups
    from rag.core.timeframe import ChunkTime

    assert age_groups("What was the jobless rate among 16- to 24-year-olds in 2023?")[0][0] == "16-24岁"
    assert age_groups("the urban jobless rate for young people aged 16–24")[0][0] == "16-24岁"
    assert age_groups("What was the urban youth (16-24) unemployment rate in 2023?")[0][0] == "16-24岁"
    assert age_groups("Under the sixth five-year plan (1981-85), how much?") == []  # a span of years, no ages
    assert "六十岁以上" in age_groups("How many people aged 60 and over?")[0]
    assert "60岁以上" in age_groups("全国60周岁以上老年人有多少？")[0]
    assert "60岁以上" in age_groups("How many people in China were 60 or older?")[0]
    assert "65岁以上" in age_groups("How many people over 65 live in cities?")[0]
    for question in ("How many cities over 30 were there?", "between 2010 and 2015", "a rise between 16 and 24 percent"):
        assert age_groups(question) == []
    chunk = SimpleNamespace(text="城镇新增就业1244万人，城镇调查失业率平均为5.2%。", paragraph=3, time=ChunkTime(None, (), ()))
    hit = SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=2024, report_id="r", title="2024年政府工作报告"))
    youth = analyze("2023年16-24岁城镇调查失业率是多少？", [])
    assert rank_sentences(youth, [hit], set(), weight_of=lambda term: 1.0).coverage < MIN_COVERAGE
    whole = analyze("2023年城镇调查失业率是多少？", [])
    assert rank_sentences(whole, [hit], set(), weight_of=lambda term: 1.0).coverage >= MIN_COVERAGE


def test_a_sentence_that_goes_on_from_the_one_before_shares_its_subject():
    """虽然在这方面做了很大努力，涨幅仍然高达百分之二十一点七: the price rise of the sentence before, so it answers
    what retail prices actually rose by."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.answer.mentions import continues_previous
    from rag.core.timeframe import ChunkTime

    assert continues_previous("但由于多种原因,涨幅仍然高达百分之二十一点七")
    assert continues_previous("虽然在这方面做了很大努力,涨幅仍然高达百分之二十一点七")
    assert not continues_previous("国内生产总值增长百分之五")
    chunk = SimpleNamespace(text="突出的问题是商品零售物价上涨幅度过高。虽然在这方面做了很大努力，涨幅仍然高达百分之二十一点七。",
                            paragraph=3, time=ChunkTime(None, (), ()))
    hit = SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=1995, report_id="r", title="1995年政府工作报告"))
    ranking = rank_sentences(analyze("1994年商品零售物价实际涨了多少？", []), [hit], set(), weight_of=lambda term: 1.0)
    assert ranking.coverage >= MIN_COVERAGE and any("二十一点七" in s.text for s in ranking.chosen)


def test_by_when_asks_a_deadline_and_proposed_asks_the_reports_own_plan():
    """"…and by when?" (到什么时候) asks when a plan's step is due, not the date a report was delivered; what a
    report proposed (提出) is read in that year's report, not the next one's review."""
    from rag.retrieve.facts import asked_facts
    from rag.retrieve.when import question_time

    assert asked_facts("What was the first step supposed to achieve, and by when?") == ()
    assert asked_facts("第一步要到什么时候完成？") == ()
    assert asked_facts("When was the 1996 report delivered?") == ("date",)
    assert question_time("In 1988 the State Council proposed a new province. Which one?").aim == "target"


def test_a_word_the_question_repeats_is_one_concept():
    """"turning an island into a province … which island": island counts once, not twice its weight."""
    from rag.answer.topics import question_concepts

    concepts = question_concepts(analyze("Which island did the State Council propose turning an island into?", []),
                                 set()).concepts
    assert len(concepts) == len({tuple(c) for c in concepts})


def test_a_short_lead_in_clause_does_not_end_a_quote():
    """第一步，用十五年时间，即在一九八○年以前，建成…体系: the quote goes on past 以前， to what the step is."""
    from rag.answer.quotes import trim_to_clauses

    text = ("我国国民经济的发展，可以按两步来设想：第一步，用十五年时间，即在一九八○年以前，建成一个独立的比较完整的工业体系和"
            "国民经济体系；")
    start, end = trim_to_clauses(text + "第二步，在本世纪内，全面实现农业、工业、国防和科学技术的现代化。", 0, len(text) + 40,
                                 ["两步", "第一步"], False)
    assert "工业体系" in text[start:end]


def test_how_a_plan_was_presented_and_early_in_a_year_are_not_topics():
    """"the plan presented to the NPC in early 1958": presented (在座 in the dictionary) and early frame the
    question; grain output is its topic."""
    from rag.answer.topics import question_concepts

    plan = analyze("What grain output target did the plan presented to the NPC in early 1958 set for that year?", [])
    assert "early" not in plan.untranslated
    assert "unveiled" not in analyze("What grain target did the plan unveiled in 1978 set?", []).untranslated
    terms = {t for concept in question_concepts(plan, set()).concepts for t in concept}
    assert "粮食产量" in terms and "在座" not in terms


def test_a_unit_the_question_asks_in_must_be_the_figures():
    """"How many tonnes of steel": 钢增长一点二倍 (a growth multiple) is no tonnage; 三千七百多万平方米 answers 多少平方米."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    def hit(text: str) -> SimpleNamespace:
        return SimpleNamespace(chunk=SimpleNamespace(text=text, paragraph=3, time=ChunkTime(None, (), ())),
                               report=SimpleNamespace(year=1975, report_id="r", title="1975年政府工作报告"))

    tonnes = analyze("How many tonnes of steel did China produce?", [])
    assert rank_sentences(tonnes, [hit("钢增长一点二倍，原油增长六点六倍。")], set()).coverage < MIN_COVERAGE
    assert rank_sentences(tonnes, [hit("钢产量达到二千一百万吨。")], set()).coverage >= MIN_COVERAGE
    housing = analyze("全国建成交付使用的职工住宅有多少平方米？", [])
    assert rank_sentences(housing, [hit("全国建成交付使用的职工住宅面积共达三千七百多万平方米。")], set()).coverage >= MIN_COVERAGE
    green = analyze("麒麟區增綠補綠多少平方米？", [])
    assert rank_sentences(green, [hit("麒麟區增綠補綠20.94萬平方米。")], set()).coverage >= MIN_COVERAGE


def test_beijing_as_the_actor_is_the_central_government_and_as_a_place_the_city():
    """"did Beijing plan to issue" (news English for the central government) asks the national reports;
    "Beijing's GDP" and "in Beijing" ask about the city, which no loaded report covers."""
    from rag.retrieve.places import gazetteer_places

    assert gazetteer_places("How many special treasury bonds did Beijing plan to issue in 2025?", set()) == []
    assert gazetteer_places("What was Beijing's GDP in 2022?", set()) == ["北京"]
    assert gazetteer_places("How many people live in Beijing?", set()) == ["北京"]


def test_a_share_the_question_does_not_ask_for_ranks_below_the_figure_it_asks():
    """"How much did gross industrial output grow in 1955": 比１９５４年增长８％, not 国营工业所占的比重由５９％上升到６３％
    (a share of it); a share asked for ("what share") is not held back."""
    from types import SimpleNamespace

    from rag.answer.extractive import rank_sentences
    from rag.core.timeframe import ChunkTime

    def hit(text: str) -> SimpleNamespace:
        return SimpleNamespace(chunk=SimpleNamespace(text=text, paragraph=3, time=ChunkTime("review", (1955,), ())),
                               report=SimpleNamespace(year=1956, report_id="r", title="1956年政府工作报告"))

    share = hit("在工业总产值中，国营工业所占的比重由１９５４年的５９％上升到６３％。")
    growth = hit("１９５５年全国工业总产值完成了原定计划的１０１％，比１９５４年增长８％。")
    grew = rank_sentences(analyze("1955年工业总产值增长了多少？", []), [share, growth], set())
    assert "增长８％" in grew.chosen[0].text
    asked = rank_sentences(analyze("1955年国营工业在工业总产值中所占的比重是多少？", []), [share, growth], set())
    assert "比重" in asked.chosen[0].text


def test_in_yuan_asks_an_amount_of_money():
    """"What was the total GDP …, in yuan?": a growth rate (同比增5%左右) is no amount in yuan."""
    from rag.answer.cues import MONEY_ASK

    assert MONEY_ASK.search("What was the total GDP of Qilin District in 2022, in yuan?")
    assert MONEY_ASK.search("How much was it in US dollars?")
    assert not MONEY_ASK.search("How fast did GDP grow in 2022?")


def test_a_lists_item_names_the_head_stated_before_it():
    """主要农业产品一九五七年的计划产量…如下列：粮食：达到三千八百五十六亿斤 — the item is 粮食产量 (jieba's whole word
    too); 占有粮食近八百斤 inside a clause is no item of a list."""
    from rag.answer.mentions import elided_heads

    concepts = [["粮食产量", "粮食总产量"]]
    lead = "按照计划，主要农业产品一九五七年的计划产量及其比一九五二年增长的情况如下列："
    assert elided_heads(concepts, "粮食：达到三千八百五十六亿斤，增长百分之十七点六。", lead) == {0}
    assert elided_heads(concepts, "棉花达到六百零八万吨；粮食达到四亿零七百多万吨", "农业产量") == {0}
    assert elided_heads(concepts, "去年全国平均每人占有粮食近八百斤", "粮食产量创新高后的产量") == set()


def test_an_output_is_named_by_its_product_and_a_weight():
    """粮食增加了五十亿斤，达到三千七百亿斤 states grain output without writing 产量; grain per head is no output."""
    from rag.answer.mentions import output_named

    concepts = [["粮食产量", "粮食总产量"]]
    assert output_named(concepts, "根据预计,一九五七年比一九五六年,粮食增加了五十亿斤,达到三千七百亿斤;") == {0}
    assert output_named(concepts, "去年全国平均每人占有粮食近八百斤") == set()
    assert output_named(concepts, "粮食生产稳定发展") == set()


def test_originally_and_in_the_end_are_no_topic():
    """原本 (jieba: a noun, "original text") in 零售物价涨幅原本打算控制在多少 says when, like 最终: no concept, so
    no 涨幅原本 compound a sentence would have to contain."""
    from rag.answer.topics import question_concepts

    plan = analyze("1994年零售物价涨幅原本打算控制在多少？", [])
    concepts = question_concepts(plan, set()).concepts
    assert not any("原本" in term for concept in concepts for term in concept), concepts


def test_a_death_toll_is_answered_by_a_count_of_people():
    """多少人死亡 / "how many people died": 死亡69227人 answers, 直接经济损失2000多亿元 does not."""
    from rag.answer.cues import UNIT_ASKS

    for question in ("1998年长江等流域的特大洪水造成了多少人死亡？", "How many people died in the 1998 floods?"):
        written = [w for ask, w in UNIT_ASKS if ask.search(question)]
        assert written and all(w.search("遇难69227人") for w in written)
        assert not any(w.search("直接经济损失2000多亿元") for w in written)


def test_plan_and_requirement_words_frame_a_question():
    """「十一五」規劃要求單位GDP能耗下降多少: 规划 and 要求 say a target is asked (like 计划, 目标), not what about."""
    from rag.answer.topics import question_concepts
    from rag.retrieve.plan import analyze

    concepts = question_concepts(analyze("「十一五」規劃要求單位GDP能耗下降多少？", []), set()).concepts
    assert not any(term in ("规划", "要求", "规划要求") for concept in concepts for term in concept)


def test_shou_zhi_names_both_income_and_spending():
    """一九六五年国家预算收支都比上年增长百分之十以上: 收支 is 收入 and 支出 together."""
    from rag.answer.mentions import term_hits

    text = "一九六五年国家预算收支都比上年增长百分之十以上"
    assert term_hits(["收入", "支出", "国家预算收入"], text) == {"收入", "支出", "国家预算收入"}
    assert term_hits(["财政收入"], "国家预算收支") == set()


def test_a_per_head_indicator_is_named_with_its_per_head_part_apart():
    """农民的纯收入，全国平均每人达到三百五十五元 (1985) names 农民人均纯收入; a sentence without a per-head word
    does not (农民纯收入总额 is no per-head figure)."""
    from rag.answer.mentions import term_hits
    from rag.core.textnorm import per_capita

    assert term_hits(["农民人均纯收入"], per_capita("农民的纯收入，全国平均每人达到三百五十五元")) == {"农民人均纯收入"}
    assert term_hits(["农民人均纯收入"], per_capita("农民的纯收入总额增加一百亿元")) == set()


def test_an_indicator_is_named_across_a_word_of_time():
    """中国经济全年增长了多少: 全年 stands inside 经济增长, which names GDP growth (累计 is kept: five years' total)."""
    plan = analyze("疫情暴发的2020年，中国经济全年增长了多少？", [])
    assert any("国内生产总值" in group for group in plan.expansion_groups)


def test_a_question_asking_which_year_needs_a_year_or_a_date():
    """房地产税将从哪一年开始征收: 稳妥推进房地产税立法 names no year, so it is no answer; a sentence with one is. A
    "when" that opens a clause ("When China scrapped the agricultural tax, …") asks nothing about time."""
    from types import SimpleNamespace

    from rag.answer.cues import WHEN_ASK
    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    def ranked(text: str):
        chunk = SimpleNamespace(text=text, paragraph=3, time=ChunkTime(None, (), ()))
        hit = SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=2018))
        return rank_sentences(analyze("房地产税将从哪一年开始征收？", []), [hit], set())

    assert ranked("健全地方税体系，稳妥推进房地产税立法。").coverage < MIN_COVERAGE
    assert ranked("房地产税将从2020年开始征收。").coverage >= MIN_COVERAGE
    assert WHEN_ASK.search("In which year did the tax end?") and WHEN_ASK.search("When did the tax end?")
    assert not WHEN_ASK.search("When China scrapped the agricultural tax, how long had it lasted?")



def test_asked_how_far_something_fell_a_sentence_of_rises_ranks_lower():
    """"By how many did the number of rural poor fall": 农村贫困人口减少1650万人, not 农村学生人数比上年增长8.5% (the
    same words, a rise); a question asking a rise and a fall (增长目标和能耗下降目标) penalises neither."""
    from types import SimpleNamespace

    from rag.answer.cues import only_rises
    from rag.answer.extractive import rank_sentences
    from rag.core.timeframe import ChunkTime

    assert only_rises("贫困地区农村学生上重点高校人数比上年增长8.5%。")
    assert not only_rises("农村贫困人口减少1650万人")
    rise = SimpleNamespace(text="贫困地区农村学生上重点高校人数比上年增长8.5%。", paragraph=3, time=ChunkTime(None, (), ()))
    fall = SimpleNamespace(text="农村居民人均纯收入实际增长9.3%，农村贫困人口减少1650万人。", paragraph=4,
                           time=ChunkTime(None, (), ()))
    hits = [SimpleNamespace(chunk=c, report=SimpleNamespace(year=2014)) for c in (rise, fall)]
    fell = rank_sentences(analyze("By how many people did the number of rural poor fall in 2013?", []), hits, set())
    assert "1650万人" in fell.chosen[0].text


def test_the_economy_of_a_named_place_growing_is_gdp_growth():
    """"How fast did the economy of Xishi District in Yingkou grow": a place between the economy and its growth, or
    after an indicator ("fiscal revenue of Jinzhou City"), narrows nothing; English GDP questions search its
    wordings (国内生产总值), which the dictionary's 经济 + 增长 alone miss."""
    from rag.reports.indicators import question_indicators

    assert [i.name for i in question_indicators("How fast did the economy of Xishi District in Yingkou grow in 2018?")] \
        == ["地区生产总值"]
    assert [i.name for i in question_indicators("What was the fiscal revenue of Jinzhou City in 2022?")] == ["一般公共预算收入"]
    assert question_indicators("How much investment in education was there?") == []
    plan = analyze("How fast did China's economy grow in 1998?", [])
    assert any("国内生产总值" in group for group in plan.expansion_groups)


def test_a_word_narrowing_an_indicator_must_be_in_the_answer():
    """"youth unemployment rate": a part of the indicator the reports do not give, so its word is required —
    城镇调查失业率平均为5.2% (the whole's figure) does not answer it; "surveyed" and "China's" narrow nothing."""
    from rag.reports.indicators import narrowing_words

    assert narrowing_words("What was the youth unemployment rate in 2023?") == {"youth"}
    assert narrowing_words("What was China's surveyed urban unemployment rate in 2023?") == frozenset()
    plan = analyze("What was the youth unemployment rate in 2023?", [])
    concepts = question_concepts(plan, set())
    youth = next(i for i, c in enumerate(concepts.concepts) if "青年" in c)
    assert youth in concepts.required


def test_a_coordinated_indicator_name_is_read_either_way_round():
    """"farm and industrial output" is the table's "industrial and farm output" (工农业总产值), in questions and
    in the glossary that expands English searches."""
    from rag.reports.indicators import question_indicators

    assert [i.name for i in question_indicators("What combined farm and industrial output did the plan aim for?")] \
        == ["工农业总产值"]
    assert [i.name for i in question_indicators("agricultural and industrial output in 1985")] == ["工农业总产值"]
    plan = analyze("What growth rate did the plan set for farm and industrial output?", REPORTS)
    assert any("工农业总产值" in group for group in plan.expansion_groups)


def test_an_indicator_measured_against_gdp_does_not_name_gdp():
    """"cut energy use … per unit of GDP", "what share of GDP was R&D spending": GDP is the denominator, so the
    ledger's GDP rows do not answer; "GDP grow" still names GDP."""
    from rag.reports.indicators import question_indicators

    assert question_indicators("By how much did the plan aim to cut energy use and carbon emissions per unit of GDP?") == []
    assert "地区生产总值" not in {i.name for i in question_indicators("What share of GDP was R&D spending?")}
    assert [i.name for i in question_indicators("How much did GDP grow in 2019?")] == ["地区生产总值"]


def test_a_clause_that_sets_the_scene_names_no_required_topic():
    """改革开放初期高校数量增加很快，到1982年全国普通高等学校有多少所: the asking clause names the topic; the scene
    before the comma counts like a guess when no sentence has it. A question whose every clause asks has none."""
    from rag.answer.topics import scene_setting

    concepts = [["改革开放"], ["高校数量"], ["普通高等学校"]]
    question = "改革开放初期高校数量增加很快,到1982年全国普通高等学校有多少所?"
    assert scene_setting(concepts, question, set()) == {0, 1}
    assert scene_setting(concepts, question, {0}) == {1}  # soft already
    assert scene_setting([["扶贫标准"], ["扶贫对象"]], "新扶贫标准是人均多少元?覆盖多少扶贫对象?", set()) == set()
    assert scene_setting([["粮食"]], "全国粮食,棉花,钢", set()) == set()  # no clause asks


def test_a_plan_name_is_one_concept_and_its_numerals_no_topic():
    """jieba cuts “十三五” into 十三 + 五: the plan's name is one (soft) concept, and a bare numeral (十三, 一百) is
    no topic, as 13 is none."""
    analysis = question_concepts(analyze("“十三五”规划对五年经济年均增速提出的要求是多少？", []), set())
    words = [c[0] for c in analysis.concepts]
    assert "十三五" in words and "十三" not in words
    assert words.index("十三五") in analysis.soft


def test_an_averaging_word_is_read_by_the_time_model_not_required():
    """"average growth" (平均 from the dictionary) is answered by 年均增长 as by 平均每年增长: the question's time
    reads the averaging, so the word only counts where a sentence has it."""
    analysis = question_concepts(analyze("What average growth rate did the 13th Five-Year Plan aim for?", []), set())
    averaging = [i for i, c in enumerate(analysis.concepts) if "平均" in c]
    assert averaging and set(averaging) <= analysis.soft


def test_a_pronoun_inside_an_indicator_name_still_names_it():
    """"the energy it uses per unit of GDP" is energy use per unit of GDP; "how fast did it grow" asks growth."""
    from rag.reports.indicators import question_indicators

    assert [i.name for i in question_indicators("How much did China cut the energy it uses per unit of GDP?")] == [
        "单位地区生产总值能耗"]
    assert [i.name for i in question_indicators("How big was the district economy, and how fast did it grow?")] == [
        "地区生产总值"]


def test_a_periods_total_prefers_the_sentence_that_states_a_total_over_the_span():
    """"为五年间的基本建设安排了多少投资": 五年…基本建设投资的是四百二十七亿四千万元, not a limit per project (retrieved first)."""
    from types import SimpleNamespace

    from rag.answer.extractive import rank_sentences
    from rag.core.timeframe import ChunkTime

    limit = SimpleNamespace(text="各类工业基本建设单位的投资限额为一千万元。", paragraph=3, time=ChunkTime(None, (), ()))
    total = SimpleNamespace(text="在五年经济建设的支出总数中，属于基本建设投资的是四百二十七亿四千万元。", paragraph=4,
                            time=ChunkTime(None, (), ()))
    hits = [SimpleNamespace(chunk=c, report=SimpleNamespace(year=1955, report_id="r")) for c in (limit, total)]
    ranking = rank_sentences(analyze("第一个五年计划为五年间的基本建设安排了多少投资？", []), hits, set())
    assert "四百二十七亿四千万元" in ranking.chosen[0].text


def test_years_and_dates_are_no_amount_but_a_small_count_is():
    """Asked how big the deficits were, １９７９、１９８０两年…出现很大的财政赤字 states no amount (its numbers are years);
    普及八年教育 does state one (a count of one numeral), 近两年 does not (a time)."""
    from rag.answer.extractive import _states_amount

    assert not _states_amount("１９７９年，连续出现很大的财政赤字，货币投放量过多。")
    assert not _states_amount("2022年3月5日在会上作报告，与近两年平均经济增速相衔接。")
    assert _states_amount("到一九八五年，在农村基本普及八年教育。")
    assert _states_amount("财政赤字从１９７９年的一百七十亿元降低到今年的二十七亿元。")


def test_how_many_is_not_answered_by_a_rate_alone():
    """"How many cars did China export in 2023?": 电动汽车…出口增长近30% states a rate, not a count, so nothing answers;
    a count in the sentence does."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    def hits(text: str) -> list:
        chunk = SimpleNamespace(text=text, paragraph=3, time=ChunkTime(None, (), ()))
        return [SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=2024, report_id="r"))]

    question = analyze("How many cars did China export in 2023?", [])
    assert rank_sentences(question, hits("汽车出口增长近30%。"), set()).coverage < MIN_COVERAGE
    assert rank_sentences(question, hits("汽车出口491万辆，增长近30%。"), set()).coverage >= MIN_COVERAGE


def test_a_price_per_square_metre_asks_money_not_area():
    """"the average selling price per square metre of commercial housing" asks yuan (a price), not square metres:
    商品房销售9.37亿平方米 does not answer it; 商品零售价格 is no 售价."""
    from rag.answer.cues import MONEY_ASK, UNIT_ASKS

    question = "What was the average selling price per square metre of commercial housing in China in 2009?"
    asked = [written.pattern for ask, written in UNIT_ASKS if ask.search(question)]
    assert asked == [UNIT_ASKS[0][1].pattern]  # money only
    assert not MONEY_ASK.search("1997年经济增长率和商品零售价格涨幅各是多少？")
    assert any(ask.search("How many square metres of housing were sold?") for ask, _ in UNIT_ASKS[1:])


def test_a_rank_asked_is_answered_by_an_ordinal():
    """"排第几位" asks an ordinal: 由上年居世界第五位上升到第四位 answers it, though an ordinal is no figure elsewhere."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    chunk = SimpleNamespace(text="进出口总额由上年居世界第五位上升到第四位。", paragraph=3, time=ChunkTime(None, (), ()))
    hits = [SimpleNamespace(chunk=chunk, report=SimpleNamespace(year=2004, report_id="r"))]
    ranking = rank_sentences(analyze("我国进出口总额在世界上排第几位？", []), hits, set())
    assert ranking.coverage >= MIN_COVERAGE and "第四位" in ranking.chosen[0].text


@pytest.mark.parametrize(("question", "yearly"), [
    ("What did the economy actually average over 2011-2015?", True),  # the review's 年均增长7.8%, not 2015's 6.9%
    ("2011年到2015年国内生产总值平均增长多少？", True),
    ("七五期间年均增长多少？", True),
    ("How much did the economy grow over 2011-2015 in total?", False),
])
def test_an_average_over_a_span_asks_a_yearly_rate(question, yearly):
    from rag.answer.cues import PER_YEAR_CUES

    assert bool(PER_YEAR_CUES.search(question)) is yearly


def test_a_soft_concepts_rare_guess_does_not_make_up_for_a_missing_topic():
    """"The average annual wage of urban employees in 2015": 城镇新增就业人数 and 平均每天新增1.2万户 (a soft word met by
    chance) are no wage. The soft concept weighs as its commonest wording (平均), not its rarest (年平均)."""
    from types import SimpleNamespace

    from rag.answer.extractive import MIN_COVERAGE, rank_sentences
    from rag.core.timeframe import ChunkTime

    def hit(text: str) -> SimpleNamespace:
        return SimpleNamespace(chunk=SimpleNamespace(text=text, paragraph=3, time=ChunkTime("review", (2015,), ())),
                               report=SimpleNamespace(year=2016, report_id="r", title="2016年政府工作报告"))

    idf = {"年平均": 6.2, "平均": 3.5, "工资": 7.0, "薪酬": 7.4, "城镇": 3.9, "城市": 3.5, "从业人员": 7.1, "员工": 7.1}
    hits = [hit("城镇新增就业人数超过6400万人。"), hit("全年新登记注册企业增长21.6%，平均每天新增1.2万户。")]
    ranking = rank_sentences(analyze("What was the average annual wage of urban employees in 2015?", []), hits, set(),
                             lambda term: idf.get(term, 10.0))
    assert ranking.coverage < MIN_COVERAGE


def test_the_number_of_a_name_is_no_amount():
    assert english_figures("How many confirmed COVID-19 cases were there?") == []
    assert english_figures("It built 19 hospitals and treated 20 cases.")  # a figure still


def test_what_a_share_is_measured_against_is_no_topic():
    """"What share of GDP did China spend on research": GDP is searched for, but a sentence about GDP alone
    (数字经济…占国内生产总值比重10%) does not answer; research (研发) is the topic."""
    plan = analyze("What share of GDP did China spend on research and development in 2024?", [])
    assert any("国内生产总值" in group for group in plan.expansion_groups) and "国内生产总值" in plan.lexical_text
    concepts = question_concepts(plan, set()).concepts
    assert any("研发" in concept for concept in concepts)
    assert not any("国内生产总值" in concept for concept in concepts)
    assert any("国内生产总值" in concept for concept in question_concepts(analyze("How much did GDP grow?", []),
                                                                       set()).concepts)
