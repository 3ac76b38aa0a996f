"""Understand a question before searching: language, script, named places, English → Chinese terms.

A small multilingual embedding model does not tie "Linghe District" to 凌河区 or "job fairs" to 招聘会, so
:func:`analyze` expands English questions with Chinese terms, each kind from its own module:

* places (:mod:`rag.retrieve.places`): the place names of the loaded reports, matched by their pinyin
  ("Linghe District" → 凌河区), and any other Chinese place named in pinyin, looked up in the national
  gazetteer ("Hangzhou" → 杭州);
* vocabulary (:mod:`rag.retrieve.translate`): every phrase, longest first on word stems, from the domain
  termbase (:mod:`rag.retrieve.glossary`: report vocabulary and the indicator table's English aliases) or
  else from CC-CEDICT reversed (:mod:`rag.retrieve.dictionary`), keeping the Chinese candidates the library
  uses most (:mod:`rag.retrieve.corpus`; a candidate no report uses adds nothing), and numbered slogans
  ("four zones and four centers" → 四区四中心, the spelling the reports use);
* figures (:mod:`rag.retrieve.figures`): English amounts, spelled out or in digits, in the units reports
  use ("1.08 billion yuan" → 10.8亿元, "sixty percent" → 60%, "1.5 trillion yuan" → 1.5万亿元).

Chinese questions that name a standard indicator (新增就业, 社零额) get all its wordings; Traditional questions
also get the mainland wording of Taiwan phrases (數位經濟 → 数字经济) as an alternative.

English content words that nothing translates (or whose translations no report uses) are kept in
:attr:`QueryPlan.untranslated`: the answer engine treats them as topic words no Chinese passage can cover (an
unanswerable question is refused rather than answered loosely); generic words (help, want, refer …) are not
topic words. The dense side embeds the question as asked, with the expansions after it (e5 is multilingual).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import opencc

from rag.core.models import Report
from rag.core.textnorm import count_cjk, detect_script, normalize_for_search, to_simplified
from rag.core.tokens import words
from rag.core.years import year_wordings
from rag.reports.indicators import indicator_word, measured_against, narrowing_words, question_indicators
from rag.retrieve.abbreviations import other_forms
from rag.retrieve.corpus import TermCounts, packaged_counts
from rag.retrieve.english import english_words
from rag.retrieve.figures import english_figures
from rag.retrieve.glossary import indicator_groups
from rag.retrieve.places import (
    PlaceMatch,
    gazetteer_by_pinyin,
    gazetteer_places,
    match_places,
    names_bare_title,
    national_words,
    place_names,
    place_pinyin,
    squash,
)
from rag.retrieve.sessions import session_report, without_report_audience
from rag.retrieve.translate import counted_match, numbered_compounds, phrase_words, translate, untranslated
from rag.retrieve.when import (
    QuestionTime,
    names_aim,
    question_time,
    relative_to_latest,
    without_plan_names,
    without_time_phrases,
)
from rag.retrieve.year_names import without_year_appositive

# A question that asks for a figure (how many, what was the rate, the target …): retrieval prefers the passages
# whose figure-stating sentences name its concepts (rag/retrieve/coordination.py), answers look for figures.
NUMERIC_CUES = re.compile(r"多少|几|百分|比例|比重|占比|增速|增长|率|金额|规模|总量|数量|"
                          r"how (many|much|big|large|fast|high|low|far|long|quickly|rapidly)|what (is|was|were) the|"
                          r"percent|rate|amount|number|total|target|figure|growth|\bshare\b|proportion|\bratio\b|ceiling|\bcap(?:s|ped)?\b|上限|幅度", re.I)
MAX_EXPANSIONS = 5  # wordings per English phrase or indicator added to the lexical query
GDP = "地区生产总值"  # the indicator table's name for GDP (its wordings include 国内生产总值)


MAX_YEAR_TERMS = 3  # more years named (2016、2017、2018和2019年): the chunks' times find them, not their words


@dataclass
class QueryPlan:
    """A question as retrieval sees it."""

    text: str
    lang: str  # "zh" | "en"
    script: str  # "simplified" | "traditional"
    normalized: str
    expansions: list[str] = field(default_factory=list)
    expansion_groups: list[list[str]] = field(default_factory=list)  # Chinese alternatives per English phrase
    untranslated: list[str] = field(default_factory=list)  # English content words without a Chinese term
    places: list[PlaceMatch] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # English amounts in report units (10.8亿元, 12%)
    soft_groups: set[int] = field(default_factory=set)  # expansion groups of soft words (verbs): never required
    dictionary_groups: set[int] = field(default_factory=set)  # groups worded by the general dictionary (a guess)
    narrowing_groups: set[int] = field(default_factory=set)  # "youth" of "youth unemployment rate": a part asked
    denominator_groups: set[int] = field(default_factory=set)  # "share of GDP": searched for, no topic of its own
    counted: int | None = None  # index of the expansion group a "how many …" question counts
    other_places: list[str] = field(default_factory=list)  # places named in pinyin that no loaded report covers
    variants: list[tuple[str, str]] = field(default_factory=list)  # Taiwan → mainland wording (数位 → 数字)
    # a question word's full forms in the library: 高铁 → 高速铁路 (rag/retrieve/abbreviations.py)
    abbreviations: dict[str, list[str]] = field(default_factory=dict)
    time: QuestionTime = field(default_factory=QuestionTime)  # the years it asks about (rag/retrieve/when.py)
    bare_title: bool = False  # 政府工作报告 with no place named: the State Council's reports are preferred
    translation: str | None = None  # an LLM's Chinese wording of an English question (searched with the rest)

    def word_variants(self, word: str) -> list[str]:
        """``word`` and its mainland wording when the question used Taiwan words (数位经济 → 数字经济)."""
        forms = [word]
        for taiwan, mainland in self.variants:
            if taiwan and taiwan in word:
                forms.append(word.replace(taiwan, mainland))
        # 高铁 → 高速铁路, also inside a compound of the question (高铁运营 → 高速铁路运营)
        forms += [form.replace(short, other) for form in list(forms) for short, others in self.abbreviations.items()
                  if short in form for other in others]
        return list(dict.fromkeys(forms))

    @property
    def lexical_text(self) -> str:
        # not “大跃进”开始的 of “大跃进”开始的1958年: it says when, and its rare words would outweigh the topic's
        # a Chinese question's years as old and new reports write them (一九五七年 and 1957年); not an English one's,
        # whose few translated words a year would outweigh (measured: English R@1 −0.009, Chinese +0.008)
        years = self.time.years if len(self.time.years) <= MAX_YEAR_TERMS and self.lang == "zh" else ()
        return " ".join([without_year_appositive(self.normalized), *self.expansions,
                         *(form for year in years for form in year_wordings(year))])

    @property
    def dense_text(self) -> str:
        if not self.expansions:
            return self.text
        return f"{self.text} ({' '.join(self.expansions)})"

    @property
    def place_report_ids(self) -> set[str]:
        return {rid for match in self.places for rid in match.report_ids}


def detect_language(text: str) -> str:
    letters = len(re.findall(r"[A-Za-z]", text))
    return "en" if letters > 2 * count_cjk(text) and letters >= 3 else "zh"


def analyze(question: str, reports: list[Report], counts: TermCounts | None = None,
            chinese: str | None = None) -> QueryPlan:
    """Build the :class:`QueryPlan` for a question against the currently loaded reports.

    ``counts`` says how often Chinese terms occur in the library (:func:`rag.retrieve.corpus.library_counts`
    of its store); without it, the packaged counts over the State Council's reports stand in. ``chinese``:
    an LLM's Chinese wording of an English question (rag/answer/query_translation.py), searched beside the
    dictionary's terms, with the indicators it names."""
    counts = counts or packaged_counts()
    lang = detect_language(question)
    script = detect_script(question) if lang == "zh" else "simplified"
    plan = QueryPlan(question, lang, script, normalize_for_search(question), time=question_time(question))
    mainland = ""
    if script == "traditional":
        # Taiwan wording (軟體, 資訊科技, 數位經濟, 人工智慧) also as the mainland words reports use (软件,
        # 信息技术, 数字经济, 人工智能): an alternative, never a replacement (tw2sp also turns 新增 into 添加).
        mainland = normalize_for_search(_tw_to_mainland(question))
        if mainland != plan.normalized:
            plan.variants = wording_changes(plan.normalized, mainland)
    plan.places = match_places(question, lang, reports)
    if plan.time.named_report is None and all(m.name == "全国" for m in plan.places):  # 四届人大的政府工作报告
        named = session_report(question, [r.year for r in reports if r.year and r.level == "national"])
        if named is not None:
            plan.time = question_time(f"{named}年政府工作报告，{question}")
    plan.bare_title = not plan.places and names_bare_title(question)
    in_scope = [year for r in reports if (year := getattr(r, "year", None))
                and (not plan.places or r.report_id in plan.place_report_ids)]
    plan.time = relative_to_latest(plan.time, question, max(in_scope, default=None))  # 今年: the latest report's
    year = plan.time.single_year
    if plan.time.estimate and year is not None and ((year not in in_scope and year + 1 in in_scope)
                                                    or plan.time.named_report == year):
        # "expected in 1974" with no 1974 report: the 1975 report's estimate of the year it reviews (预计); "the
        # 1954 report … expected by the end of that year": that report's estimate of its own year
        plan.time = replace(plan.time, aim="unknown", intent="unknown" if plan.time.intent == "target" else
                            plan.time.intent)
    elif plan.time.aim == "result" and year is not None and year == max(in_scope, default=None) \
            and not names_aim(question):
        # 2025年合计新增政府债务总规模是多少 with 2025 the latest report: no report reviews it yet, its own states it
        plan.time = replace(plan.time, aim="unknown", intent="unknown")
    english = question if lang == "en" else " ".join(re.findall(r"[A-Za-z][A-Za-z0-9.&\-']*", question))
    ignore: set[str] = set()
    if lang == "en":
        pinyins = {place_pinyin(name) for r in reports for name in place_names(r)}
        plan.other_places = gazetteer_places(question, pinyins)
        capitalized = {squash(re.sub(r"['’]s$", "", p)) for p in re.findall(r"[A-Z][a-zA-Z'’\-]*", question)}
        ignore = pinyins | (capitalized & gazetteer_by_pinyin().keys())
        in_phrases = phrase_words(question)  # not the national of "national defence"
        ignore |= {squash(word) for phrase in national_words(question, lang) for word in phrase.split()
                   if word not in in_phrases}
        if names_bare_title(question):  # which report, not what to search for: every chunk is in one
            ignore |= {"government", "work", "report", "reports"}
    if lang == "en":
        english = without_plan_names(english)  # the Sixth Five-Year Plan: when (plan.time), not what
        english = without_report_audience(english)  # "presented to the NPC": which report, not what
    slogans, consumed = numbered_compounds(english, counts)
    if consumed:  # the words of a numbered slogan are translated as one name, not one by one
        english = " ".join(w for i, w in enumerate(english_words(english)) if i not in consumed)
    translation = translate(english, counts, frozenset(ignore))
    plan.expansion_groups = [[to_simplified(t) for t in m.terms] for m in translation.matches]
    plan.soft_groups = {i for i, m in enumerate(translation.matches) if m.soft}
    # "what share of GDP … on research": GDP is what the share is measured against, research the topic
    plan.denominator_groups = {i for i, m in enumerate(translation.matches) if measured_against(translation.words, m.start)}
    # a dictionary phrase of several words ("national defence" 国防) is no guess: only single words count as one
    plan.dictionary_groups = {i for i, m in enumerate(translation.matches) if m.dictionary and m.end - m.start == 1}
    plan.counted = counted_match(translation)
    if lang == "en":
        narrowing = narrowing_words(english)
        plan.narrowing_groups = {i for i, m in enumerate(translation.matches) if not m.soft
                                 and any(indicator_word(w) in narrowing for w in translation.words[m.start:m.end])}
    plan.expansion_groups.extend([name] for name in slogans)
    # an abbreviation's full forms, where the library writes them (高铁 → 高速铁路); not of a one-word dictionary
    # guess ("average" → 中中, which is no abbreviation of 中共中央 there)
    plan.expansion_groups = [list(dict.fromkeys(t for term in group for t in (
        term, *(() if i in plan.dictionary_groups else other_forms(term, counts))))) for i, group in
        enumerate(plan.expansion_groups)]
    if lang == "zh":
        plan.abbreviations = {word: forms for word in words(plan.normalized)
                              if (forms := other_forms(word, counts))}
        # 经济全年增长: 全年 says over what time (the year), and may stand inside an indicator's name
        plan.expansion_groups.extend(indicator_groups(plan.normalized.replace("全年", "")))
    extra: list[str] = []
    if lang == "en":
        plan.expansion_groups.extend([name] for name in plan.other_places)
        # "how fast did the economy grow": GDP, which the dictionary's 经济 + 增长 alone do not find
        gdp = next((i for i in question_indicators(question) if i.name == GDP), None)
        if gdp is not None and not any(GDP in group or "国内生产总值" in group for group in plan.expansion_groups):
            plan.expansion_groups.append([to_simplified(w) for w in gdp.synonyms])
        plan.untranslated = untranslated(translation, ignore)
        plan.figures = english_figures(question)
        extra = plan.figures
        if chinese:
            plan.translation = chinese
            wording = normalize_for_search(without_time_phrases(chinese))
            extra = [*extra, wording, *(t for group in indicator_groups(wording) for t in group[:MAX_EXPANSIONS])]
    places = [m.name for m in plan.places] if lang == "en" else []  # Latin abbreviations in Chinese: GDP, PM2.5
    # Lexical expansion: a few wordings per group (the first are the termbase's / the commonest).
    expansions = places + [t for group in plan.expansion_groups for t in group[:MAX_EXPANSIONS]] + extra
    if plan.variants:
        expansions.append(mainland)
    expansions += [form for forms in plan.abbreviations.values() for form in forms]
    plan.expansions = list(dict.fromkeys(expansions))
    return plan


def wording_changes(before: str, after: str) -> list[tuple[str, str]]:
    """The changed stretches between two wordings of a sentence (资讯科技 → 信息技术, 数位 → 数字); changes
    separated by a single unchanged character are one stretch."""
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    changes: list[tuple[str, str]] = []
    span: list[int] | None = None
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        bridge = (op == "equal" and i2 - i1 == 1 and span is not None and index + 1 < len(ops))
        if op != "equal" or bridge:
            span = [span[0], i2, span[2], j2] if span else [i1, i2, j1, j2]
            continue
        if span:
            changes.append((before[span[0]:span[1]], after[span[2]:span[3]]))
            span = None
    if span:
        changes.append((before[span[0]:span[1]], after[span[2]:span[3]]))
    return [(a, b) for a, b in changes if a]


@lru_cache(maxsize=1)
def _tw2sp() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp.json")


def _tw_to_mainland(text: str) -> str:
    """Traditional with Taiwan phrases → Simplified with mainland phrases (OpenCC tw2sp)."""
    return str(_tw2sp().convert(text))
