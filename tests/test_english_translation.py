"""English questions → Chinese search terms: CC-CEDICT reversed, disambiguated by corpus counts; English
numbers in report units (rag/retrieve/dictionary.py, corpus.py, translate.py, figures.py, english.py)."""

from __future__ import annotations

import sqlite3

from rag.retrieve.corpus import TermCounts, library_counts, packaged_counts
from rag.retrieve.dictionary import Sense, gloss_keys, lexicon, reverse_index
from rag.retrieve.english import comparative_bases, derivation, stem
from rag.retrieve.figures import english_figures, spelled_numbers_as_digits
from rag.retrieve.plan import analyze
from rag.retrieve.translate import PhraseMatch, choose, translate, unattested_compounds, untranslated

CEDICT_LINES = [
    "# a comment line",
    "就業 就业 [jiu4 ye4] /to get a job/employment/",
    "雇用 雇用 [gu4 yong4] /to employ/to hire/",
    "改造 改造 [gai3 zao4] /to transform/to reform/to remodel/",
    "喬布斯 乔布斯 [Qiao2 bu4 si1] /Jobs (name)/Steven Paul Jobs/",
    "美國 美国 [Mei3 guo2] /United States/USA/",
    "個 个 [ge4] /individual/CL:個|个[ge4]/see also 箇|个[ge4]/",
]


def test_gloss_keys_clean_cedict_glosses():
    assert gloss_keys("to renovate; to refurbish") == [((stem("renovate"),), True, ""),
                                                       ((stem("refurbish"),), True, "")]
    assert gloss_keys("CL:個|个[ge4]") == [] and gloss_keys("see also 箇|个[ge4]") == []
    assert gloss_keys("(financial) deficit") == [((stem("deficit"),), False, "")]
    assert gloss_keys("Jobs", proper=True) == []  # a one-word name is no translation of "jobs"
    assert gloss_keys("a description of something far too long to be a translation") == []
    # a comma lists equivalent wordings: each is a key, and so is the whole
    assert ((stem("soviet"), stem("union")), False, " ") in gloss_keys("Soviet Union, USSR (1922-1991)", proper=True)


def test_reverse_index_maps_glosses_to_headwords():
    index = reverse_index(CEDICT_LINES)
    employ = {s.headword: s for s in index[(stem("employment"),)]}
    assert {"就业", "雇用"} <= set(employ)  # employment and employ share the stem …
    assert {s.form for s in index[(stem("employment"),)] if s.headword == "就业"} == {"ment"}
    assert employ["雇用"].verb and employ["雇用"].rank == 0
    assert (stem("job"),) not in index  # Jobs 乔布斯 is a name, not a translation of "jobs"
    assert [s.headword for s in index[(stem("united"), stem("states"))]] == ["美国"]  # names of 2+ words stay


def test_a_sense_met_only_across_two_words_is_not_the_reports_wording():
    """average → 中中 (CC-CEDICT's "average; mediocre"): the reports write it only inside 其中中央, never as a word,
    so it is no wording of "average" (as a search term it matched every 其中中央 and outranked the topic)."""
    library = TermCounts(text="其中中央财政支出增长\x00其中中央投资\x00平均工资增长\x00降费减负")
    assert library.count("中中") == 2 and library.word_count("中中") == 0
    assert library.word_count("降费") == 1  # not in jieba's dictionary, but written as a word
    average = (Sense("中中", 1, False, ""), Sense("平均", 0, False, ""))
    assert choose(average, "", library)[0] == ("平均",)


def test_a_ceiling_is_a_limit_on_a_figure():
    """"what ceiling did the government set for price rises": the reports' 控制在…以内 / 上限 (CC-CEDICT knows
    only 天花板), and the question asks for a figure (力争控制在百分之十五左右, not 实现控制物价上涨幅度的目标)."""
    from rag.retrieve.glossary import termbase
    from rag.retrieve.plan import NUMERIC_CUES

    question = "What ceiling did the government set for price rises in 1995?"
    assert "控制在" in termbase()[(stem("ceiling"),)]["ing"].terms and NUMERIC_CUES.search(question)


def test_the_corpus_picks_the_reports_wording():
    index = reverse_index(CEDICT_LINES)
    senses = index[(stem("employment"),)]
    # … but the gloss with the question word's own ending (employment, not employ) wins
    assert choose(senses, "ment", TermCounts(table={"就业": 3, "雇用": 50}))[0] == ("就业",)
    # a candidate no report uses adds nothing; none used: no translation at all
    assert choose(senses, "", TermCounts(table={"雇用": 2}))[0] == ("雇用",)
    assert choose(senses, "ment", TermCounts(table={})) == ((), False)


def test_dictionary_translates_general_words_and_phrases():
    counts = TermCounts(table={"赤字": 40, "亏损": 5, "金融危机": 9, "金融": 80, "危机": 30})
    found = translate("What deficit did the global financial crisis cause?", counts)
    groups = [m.terms for m in found.matches]
    assert ("金融危机",) in groups  # the longest phrase first, not 金融 + 危机
    assert groups[0] == ("金融危机",) and ("赤字", "亏损") in groups
    assert "global" in untranslated(found, set())  # 全球 is not in this library's counts
    assert "赤字" in {s.headword for s in lexicon().senses((stem("deficit"),))}  # the real CC-CEDICT


def test_a_verb_and_its_particle_are_one_phrase():
    """"handed over" is 交付 (交付使用), not "handed" alone (一小撮, a handful): the particle alone frames, the
    phrase is looked up in the dictionary."""
    counts = TermCounts(table={"交付": 30, "一小撮": 20, "住房": 50})
    groups = [m.terms for m in translate("How much housing was handed over in 1978?", counts).matches]
    assert ("交付",) in groups and ("一小撮",) not in groups
    assert ("加上",) not in [m.terms for m in translate("How many jobs were added on average?", TermCounts(
        table={"加上": 20, "就业": 50})).matches]  # "on average" is no particle of "added"


def test_analyze_uses_the_library_counts():
    plan = analyze("How large was the budget deficit?", [], TermCounts(table={}))
    assert any("赤字" in t for g in plan.expansion_groups for t in g)  # the termbase's wording stands
    assert analyze("What was the deficit?", [], TermCounts(table={})).untranslated == ["deficit"]
    library = TermCounts(text="今年赤字率拟按3%安排，财政赤字3.4万亿元")
    plan = analyze("What deficit was planned?", [], library)
    assert any("赤字" in group for group in plan.expansion_groups) and "deficit" not in plan.untranslated
    assert "fast" not in analyze("How fast did it grow?", [], library).untranslated  # how fast: framing


def test_library_counts_follow_the_library_version():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE reports (sha256 TEXT)")
    conn.execute("CREATE TABLE chunks (search_text TEXT)")
    conn.execute("INSERT INTO reports VALUES ('a')")
    conn.execute("INSERT INTO chunks VALUES ('稳就业、稳企业'), ('城镇新增就业1200万人')")
    counts = library_counts(conn)
    assert counts.count("就业") == 2 and counts.count("赤字") == 0 and library_counts(conn) is counts
    conn.execute("INSERT INTO reports VALUES ('b')")
    conn.execute("INSERT INTO chunks VALUES ('赤字率3%')")
    assert library_counts(conn) is not counts and library_counts(conn).count("赤字") == 1


def test_packaged_reference_corpus():
    assert packaged_counts().count("赤字率") > 0 and packaged_counts().count("乔布斯") == 0
    assert packaged_counts().near("旅游", "收入") and not packaged_counts().near("地方", "探索")


def test_compounds_the_library_never_writes_stay_untranslated():
    library = TermCounts(text="旅游总收入12亿元\x00开拓发展海洋经济，探索新路")
    assert untranslated(translate("tourism revenue", library), set()) == []  # 旅游总收入
    # Of a pair the reports never write together, the more ambiguous word loses its wording (ocean: 海, 洋, 海洋
    # in this library; exploration: 探索, 探), the other keeps it: the pair says nothing against it.
    ocean = translate("spending on ocean exploration", library)
    assert untranslated(ocean, set()) == ["ocean"] and len(ocean.matches) == 2  # 支出, 探索
    railway = translate("railway track", TermCounts(text="新建铁路铺轨１，２２２公里\x00线路\x00足迹\x00轨道"))
    assert untranslated(railway, set()) == ["track"] and railway.matches[0].terms == ("铁路",)
    # a chain of such pairs is a compound nothing knows: none of its words keeps a wording
    housing = translate("average housing price", TermCounts(text="平均\x00住房\x00付出代价\x00价格"))
    assert untranslated(housing, set()) == ["average", "housing", "price"]
    # Words a comma separates are a list, not a compound: "agriculture, farmers and rural areas".
    listed = translate("spending on agriculture, farmers and rural areas", TermCounts(text="农业\x00农民\x00农村"))
    assert "agriculture" not in untranslated(listed, set()) and "farmers" not in untranslated(listed, set())
    # A two-word modifier the reports write by its content word alone: 中央[财政]赤字, not 中央政府赤字.
    found = [PhraseMatch(0, 2, ("中央政府",), False, True), PhraseMatch(2, 3, ("赤字",), False, True)]
    library = TermCounts(text="拟安排中央财政赤字2950亿元")
    assert unattested_compounds(found, ["central", "government", "deficit"], library) == set()
    assert found[0].terms == ("中央",)
    assert unattested_compounds([*found[:1], PhraseMatch(2, 3, ("探索",), False, True)],
                                ["central", "government", "exploration"], library) == {0, 1, 2}
    # A word the reports write with one neighbour (数字技术) stays, though its other pairing fails (tie 数字).
    found = [PhraseMatch(0, 1, ("纽带",), False, True), PhraseMatch(1, 2, ("数字",), False, True),
             PhraseMatch(2, 3, ("技术",), False, False)]
    library = TermCounts(text="将数字技术与制造优势结合起来\x00发挥纽带作用")
    assert unattested_compounds(found, ["tie", "digital", "technology"], library) == {0}
    embassies = translate("foreign embassies", TermCounts(text="对外开放"))  # a modifier of an unknown word
    assert embassies.matches == () and untranslated(embassies, set()) == ["foreign", "embassies"]


def test_stems_inflections_spellings_and_endings():
    assert stem("centres") == stem("center") and stem("labour") == stem("labor")
    assert stem("organisation") == stem("organization") and stem("programmes") == stem("program")
    assert stem("built") == stem("build") and stem("grew") == stem("grow")
    assert stem("defence") == stem("defense") and stem("licences") == stem("licenses") and stem("evidence") == "evid"
    assert derivation("employment") == "ment" and derivation("employed") == "" and derivation("facilities") == "ity"
    assert "fast" in comparative_bases("faster") and "wide" in comparative_bases("wider")
    assert "big" in comparative_bases("biggest") and "early" in comparative_bases("earlier")
    assert comparative_bases("tax") == []


def test_time_frames_and_plan_names_say_when_not_what():
    from rag.retrieve.when import without_plan_names

    counts = TermCounts(text="城乡储蓄余额达六百七十五亿元")
    savings = translate("How much did households have in savings at the end of 1982?", counts)
    assert "end" not in savings.words and any("储蓄" in m.terms for m in savings.matches)
    assert "five-year" not in without_plan_names("GNP growth in the Seventh Five-Year Plan (1986-1990)").lower()
    assert "five-year plan" in without_plan_names("What is a five-year plan?").lower()  # no period named


def test_english_numbers_in_report_units():
    assert spelled_numbers_as_digits("sixty percent and one hundred and twenty") == "60 percent and 120"
    assert spelled_numbers_as_digits("thirteen million jobs") == "13 million jobs"
    assert english_figures("sixty percent") == ["60%", "百分之六十"]
    assert english_figures("1.5 trillion yuan")[:2] == ["1.5万亿元", "15000亿元"]
    assert "1300万人" in english_figures("thirteen million jobs")
    for words, value in (("fourteen", 14), ("sixteen", 16), ("nineteen", 19), ("seventy", 70), ("ninety", 90)):
        assert f"{value}%" in english_figures(f"{words} percent")
    assert "千万" in english_figures("ten million yuan") and "百亿" in english_figures("10 billion yuan")
    assert english_figures("four zones and 5G base stations in 2016, 2017") == []  # no amounts there
    assert "百分之十三点四" in english_figures("grew 13.4 percent")  # older reports spell percentages out


def test_english_answers_restate_amounts_in_english_units():
    from rag.reports.ledger_records import figures_in_english

    assert figures_in_english("固定资产投资完成33.8亿元,增长27.5%，新增就业3900人，城镇新增就业1244万人") == [
        "3.38 billion yuan (33.8亿元)", "12.44 million people (1244万人)"]
    assert figures_in_english("粮食产量1.37万亿斤") == ["1.37 trillion jin (1.37万亿斤)"]


def test_a_models_translation_is_kept_only_when_it_is_one():
    from rag.answer.query_translation import clean_translation

    question = "How fast did the economy grow in 2022?"
    assert clean_translation("2022年经济增速是多少？\n(This asks about GDP.)", question) == "2022年经济增速是多少？"
    assert clean_translation("The economy grew at a rapid pace in 2022.", question) is None  # it answered
    assert clean_translation("", question) is None
    assert clean_translation("经济" * 40, question) is None  # rambling: longer than the question


def test_which_engine_translates_queries(tmp_path):
    from rag.answer.query_translation import translation_engine
    from rag.core.config import Settings

    assert translation_engine(Settings(index_dir=tmp_path, query_translation="off"), "openai") is None
    auto = Settings(index_dir=tmp_path, query_translation="auto")
    assert translation_engine(auto, "openai") == "openai"  # a served model: cheap next to its answer
    assert translation_engine(auto, "local") is None  # 2 cores: +2.6 s for +2.4 points of R@1, opt-in only
    assert translation_engine(auto, "extractive") is None and translation_engine(auto) is None
    assert translation_engine(Settings(index_dir=tmp_path, query_translation="local")) == "local"


def test_an_llm_translation_adds_the_reports_wording_to_the_search(seed_services):
    """The model's Chinese joins the dictionary's terms (with the indicators it names) after the question as
    asked; a failing engine leaves the dictionary's terms alone."""
    from rag.service.resources import Services
    from tests.openai_stub import StubOpenAI

    question = "How much greenery did Linghe District add in the city?"
    with StubOpenAI("凌河区增加城区覆绿面积多少？") as stub:
        settings = seed_services.settings.model_copy(update={
            "openai_base_url": stub.base_url, "openai_api_key": "k", "llm_model": "m", "query_translation": "openai"})
        services = Services(settings, index_dir=seed_services.index_dir)
        plan = services.plan(question)
        hits = services.search(question, k=3, mode="bm25").hits
        services.close()
    assert plan.translation == "凌河区增加城区覆绿面积多少？" and "覆绿" in plan.lexical_text
    assert plan.dense_text.startswith(question) and "凌河区增加城区覆绿面积" in plan.dense_text
    assert "Translate into Chinese: " + question in stub.requests[0]["messages"][-1]["content"]
    assert "35.6万平方米" in hits[0].chunk.text
    offline = seed_services.settings.model_copy(update={
        "openai_base_url": "http://127.0.0.1:9/v1", "openai_api_key": "k", "llm_model": "m",
        "query_translation": "openai", "llm_timeout": 2.0, "llm_retries": 0})
    services = Services(offline, index_dir=seed_services.index_dir)
    assert services.plan(question).translation is None  # the engine is down: searched without it
    services.close()


def test_national_of_a_dictionary_phrase_names_a_topic():
    """"national defence" is 国防 (a dictionary phrase), not the country plus "defence"; "national grain output"
    still names the country. A phrase of several words is no dictionary guess."""
    from rag.retrieve.plan import analyze
    from rag.retrieve.translate import phrase_words

    assert "national" in phrase_words("How much did China budget for national defence in 2008?")
    assert "national" not in phrase_words("What was national grain output in 1990?")
    plan = analyze("How much did gross national product grow in 1991?", [])  # inside a three-word phrase
    assert ["国民生产总值"] in plan.expansion_groups and not plan.untranslated
    plan = analyze("How much did China budget for national defence in 2008?", [])
    defence = [i for i, group in enumerate(plan.expansion_groups) if "国防" in group]
    assert defence and not set(defence) & plan.dictionary_groups


def test_level_words_open_dictionary_phrases_and_modifiers_of_translated_nouns_stay():
    """"provincial capitals" is 省会 (a level word opening a dictionary phrase), not 资本; in "Sino-foreign equity
    joint ventures" the untranslated "equity" modifies the translated head, so 中外 is kept."""
    library = TermCounts(text="新开放了5个沿江城市、18个省会城市。全年共批准中外合资经营企业741个。资本市场")
    capitals = translate("How many provincial capitals were opened?", library)
    assert ("省会",) in [m.terms for m in capitals.matches]
    ventures = translate("How many Sino-foreign equity joint ventures were approved?", library)
    groups = [m.terms for m in ventures.matches]
    assert ("中外",) in groups and any("合资" in g for g in groups)
    assert untranslated(ventures, set()) == ["equity"]
    # the level word alone still only says where
    assert not any("市政府" in g for g in (m.terms for m in translate("What did the city government spend?",
                                                                     TermCounts(text="市政府")).matches))


def test_an_ist_word_the_reports_never_write_is_read_as_its_ism():
    """"socialist" glosses only 社会主义者 (a person); the reports' 社会主义 is socialism's wording."""
    library = TermCounts(text="建立社会主义市场经济体制。社会主义现代化建设。")
    found = translate("What is the socialist goal?", library)
    assert ("社会主义",) in [m.terms for m in found.matches] and untranslated(found, set()) == []


def test_how_much_money_names_no_topic_and_a_trade_in_subsidy_is_yijiuhuanxin():
    library = TermCounts(text="安排超长期特别国债3000亿元支持消费品以旧换新。货币供应量增长。")
    found = translate("How much money was set aside for trade-in subsidies on consumer goods?", library)
    groups = [m.terms for m in found.matches]
    assert ("以旧换新",) in groups and not any("货币" in g for g in groups)
    assert any("货币供应量" in g for g in (m.terms for m in translate("How did money supply grow?", library).matches))


def test_a_dictionary_guess_gets_no_abbreviation_expansion_and_minimum_frames():
    """A one-word dictionary guess ("average" → 中中) gets no abbreviation's full form (中共中央); "minimum" asks a
    qualifier (以上), no topic."""
    library = TermCounts(text="平均增长。中中。“十三五”时期经济年均增长保持在6.5%以上。中共中央关于制定规划的建议。" * 3)
    plan = analyze("What minimum average growth rate did the 13th Five-Year Plan aim for?", [], library)
    terms = {t for group in plan.expansion_groups for t in group}
    assert "中共中央" not in terms and "minimum" not in plan.untranslated
