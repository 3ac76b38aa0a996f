"""What a question is about: its topic concepts, as the extractive selector and the prompts use them.

A question mixes its topic (国防预算, 博士学位) with how it is put (为什么, 具体, 报告提到, 多少) and when (2019年, 当年,
七五计划). Only the topic must be found in a sentence that answers. jieba's word classes tell the two apart
(pronouns are never topics; verbs, adjectives and adverbs count only where a sentence has them, unless the report
vocabulary names them), two nouns written together are one concept, and English questions contribute the
Chinese wordings their translation found (:mod:`rag.retrieve.translate`) and the words nothing translated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.core.age_groups import age_groups
from rag.core.numbers import CN_NUMERAL_CHARS
from rag.core.textnorm import per_capita
from rag.core.tokens import QUERY_STOPWORDS, dictionary_entry, tagged_words, words
from rag.core.years import PLAN_PERIOD_NAME
from rag.reports.indicators import load_table
from rag.retrieve.abbreviations import full_forms
from rag.retrieve.glossary import termbase_terms
from rag.retrieve.places import NATIONAL_ZH, tagged_place
from rag.retrieve.plan import QueryPlan
from rag.retrieve.sessions import without_session_report
from rag.retrieve.when import without_time_phrases

# A day or a month a question names (1月1日起, 5月份以来): when, like a year.
DAY_OR_MONTH = re.compile(r"(?<![\d零〇一二三四五六七八九十])(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?"
                          r"(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})日)?(?:起|以来|前|后|止|底|初|末)?")
# The name of a year's economic plan (国民经济计划草案, 国民经济和社会发展计划): a plan, as 计划 alone says.
ANNUAL_PLAN = re.compile(r"国民经济(?:和社会发展)?计划(?:草案)?|计划草案")
# A yes/no question written A-not-A (是不是, 有没有, 能不能): how it is asked, never what about.
A_NOT_A = re.compile(r"^(.)[不没]\1")
QUESTION_AFFIX = re.compile(r"^(?:哪些|哪个|哪家|哪里|哪儿|哪项|哪一项|哪位|哪次|什么|多少|怎样|怎么|如何|是否|各是|各为)|"
                            r"(?:了吗|吗|呢)$")
# Verbs of saying frame a question about a report (报告提到/指出…), they are not its topic.
SAYING_WORDS = {"提到", "提及", "指出", "写道", "说到", "谈到", "讲到"}

# Words that say what kind of answer is wanted, not what it is about (not counted for coverage).
INTENT_WORDS = {"目标", "预期", "完成", "实现", "达到", "增长", "增速", "多少", "分别", "累计", "共", "全年",
                "亿元", "万元", "万人", "新增", "主要", "预期目标", "主要预期目标", "指标", "预期指标", "计划", "规划",
                "要求",
                # comparisons and directions of change (以上, 下降 …) qualify the figure asked for
                "以上", "以下", "以内", "超过", "左右", "不低于", "不少于", "低于", "增加", "提高", "上升", "下降",
                "减少", "降低", "同比", "年均", "平均每年", "预计", "实际", "规模", "人次",
                # totals (总计多少, 一共): how the figure is summed, as 累计 and 共 above
                "总计", "共计", "合计", "总共", "一共", "全部"}


# jieba tags (ICTCLAS): pronouns (为什么, 什么, 这些) are dropped from a question's topic; verbs, adjectives
# and adverbs (授予, 换成, 具体, 再) count only where a sentence has them; nouns and named things stay required.
PRONOUN_TAG = "r"
FRAMING_TAGS = {"v", "vd", "a", "ad", "b", "d", "df", "c", "p", "u", "y", "e", "o",
                "m", "mq", "q", "t", "tg"}  # numerals and time words (十个月, 头, 当月): how much, when
ENUMERATION_MARK = "、"
LEADING_PREPOSITIONS = "在于从对向把被给"
AVERAGE_WORDS = {"平均", "年均", "年平均", "平均每年"}
PLAN_NAME = re.compile(rf"(?:{PLAN_PERIOD_NAME}|五年)(?:规划|计划)?|规划|计划|第[一二三四五六七八九十]+个五年(?:规划|计划)")


@lru_cache(maxsize=1)
def _report_vocabulary() -> str:
    """Every Chinese wording of the termbase and the indicator table, one per line."""
    terms = set(termbase_terms())
    for indicator in load_table().indicators:
        terms.update((indicator.name, *indicator.synonyms))
    return "\n".join(sorted(terms))


@lru_cache(maxsize=1)
def intent_words() -> frozenset[str]:
    """:data:`INTENT_WORDS` and their full forms (增速 → 增长速度): a question's wording of its figure's kind
    in the form a report writes it is still no topic."""
    return frozenset(INTENT_WORDS | {form for word in INTENT_WORDS for form in full_forms(word)})


def names_a_topic(word: str) -> bool:
    """A word of the report vocabulary (预算 of 预算内投资, 收入 of 财政收入) names a topic even where jieba tags it
    a verb."""
    return word in _report_vocabulary()


def compounds(topic_words: list[str], question: str, nouns: set[str],
              vocabulary: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """Two nouns written next to each other in the question (国防预算: 国防 + 预算) as one concept: one sentence
    must speak of both, not one sentence of 国防 and another of 预算. A sentence covers it with most of its
    character pairs (:func:`_term_hits`), so 粮食总产量 still covers 粮食产量. A word of the report ``vocabulary``
    that jieba tags a verb (预算) joins a noun, never another such word. Returns the words and, for each
    joined one, its two parts (:meth:`Concepts.split` undoes a join the reports do write)."""
    merged: list[str] = []
    joined: dict[str, tuple[str, str]] = {}
    for word in topic_words:
        last = merged[-1] if merged else ""
        topical = nouns | vocabulary  # one of the two must be a noun: 国防 + 预算, not 安排 + 发行
        if (last and last not in joined and last in topical and word in topical and (last in nouns or word in nouns)
                and last + word in question):
            merged[-1] = last + word
            joined[last + word] = (last, word)
        else:
            merged.append(word)
    return merged, joined


def topic_wordings(group: Sequence[str], from_termbase: bool) -> list[str]:
    """The wordings of a translated or indicator group that name its topic: not intent words (目标, 增长), not a
    lone character (率, 队) unless the termbase gives it as the short form of the group's other wordings (steel →
    钢|钢铁|钢材: the reports write 钢产量, 钢 X万吨)."""
    def short_form(term: str) -> bool:
        return from_termbase and bool(re.fullmatch(r"[\u4e00-\u9fff]", term)) and any(
            len(other) > 1 and other.startswith(term) for other in group)

    return [t for t in group if t not in intent_words() and (not re.fullmatch(r"[%\w]{0,1}", t) or short_form(t))]


def enumerated_characters(tagged: Sequence[tuple[str, str]]) -> list[str]:
    """One-character nouns listed with 、 (钢、煤、粮、棉): each is a topic, though a lone character is not."""
    found = []
    for i, (word, tag) in enumerate(tagged):
        listed = (i > 0 and tagged[i - 1][0] == ENUMERATION_MARK) or (
            i + 1 < len(tagged) and tagged[i + 1][0] == ENUMERATION_MARK)
        if len(word) == 1 and tag.startswith("n") and listed and re.fullmatch(r"[\u4e00-\u9fff]", word):
            found.append(word)
    return found


def _no_topic(word: str, plan: QueryPlan, place_names: set[str]) -> bool:
    """Whether a question's word only frames it: a stopword, an intent word (目标, 多少), a verb of saying, a lone
    character, a number, a place, or part of an indicator the question names."""
    if word in QUERY_STOPWORDS or word in intent_words() or word in SAYING_WORDS or len(word) < 2:
        return True
    if re.fullmatch(r"\d{4}年?|[\d.]+%?", word) or not re.search(r"[\u4e00-\u9fff]", word):
        return True
    if re.fullmatch(f"[{CN_NUMERAL_CHARS}万亿]+", word):
        return True  # 十三 of “十三五”, 一百: a number, like 13, says how much, not what
    if any(word in name for name in place_names) or NATIONAL_ZH.fullmatch(word):
        return True  # a place (我国, 全国: the country) says where, not what
    return any(word in term for group in plan.expansion_groups for term in group)  # that indicator is the concept


def topic_concepts(plan: QueryPlan, place_names: set[str]) -> list[list[str]]:
    """What the question is about, as alternatives per concept (Chinese words; glossary groups for English).

    Stopwords, places, years and intent words (目标, 多少 …) are not topics: they say what kind of answer is
    wanted, and they occur everywhere in a report.
    """
    return question_concepts(plan, place_names).concepts


@dataclass
class Concepts:
    """A question's topic concepts and how each one counts."""

    concepts: list[list[str]]
    counted: int | None = None  # what a "how many …" question counts: a figure with a measure word covers it
    soft: set[int] = field(default_factory=set)  # verbs and the like: count only where a sentence has them
    required: set[int] = field(default_factory=set)  # a place no loaded report covers: no answer without it
    guessed: set[int] = field(default_factory=set)  # worded by the general dictionary: missing it counts half
    joined: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)  # 国防预算: its two words
    # words jieba made up rather than found in its dictionary (头猪 of 多少头猪): their absence from the reports
    # says nothing about the topic
    unlisted: set[int] = field(default_factory=set)
    # words the question uses as no noun (头一回, 额外): a report may say it otherwise, so where the reports never
    # write one it is the question's phrasing, not a topic they lack
    phrasing: set[int] = field(default_factory=set)
    # named only in a clause that sets the scene (改革开放初期高校数量增加很快，到1982年…有多少所): missing it counts
    # like a guess; the clause that asks (多少, 哪, 什么 …) names the topic
    context: set[int] = field(default_factory=set)

    def split(self, indexes: set[int]) -> Concepts:
        """These joined concepts back as their two words (a compound the reports do write, 铁路正线: a
        sentence may name it in part, the one before it the rest)."""
        concepts: list[list[str]] = []
        where: dict[int, int] = {}
        for i, concept in enumerate(self.concepts):
            where[i] = len(concepts)
            concepts.extend(self.joined[i] if i in indexes else [concept])
        def moved(old: set[int]) -> set[int]:
            return {where[i] for i in old}

        return Concepts(concepts, None if self.counted is None else where[self.counted], moved(self.soft),
                        moved(self.required), moved(self.guessed),
                        {where[i]: parts for i, parts in self.joined.items() if i not in indexes},
                        moved(self.unlisted), moved(self.phrasing), moved(self.context))


def question_concepts(plan: QueryPlan, place_names: set[str]) -> Concepts:
    concepts: list[list[str]] = []
    result = Concepts(concepts)
    # Chinese words of the question (all of a Chinese question; the Chinese names in an English one).
    chinese = plan.normalized if plan.lang != "en" else " ".join(re.findall(r"[\u4e00-\u9fff]+", plan.normalized))
    chinese = per_capita(without_time_phrases(without_session_report(chinese)))  # 2019年政府工作报告, 当年: when
    chinese = DAY_OR_MONTH.sub(" ", chinese)  # 从2002年1月1日起: when, not what (日起 is no topic)
    chinese = ANNUAL_PLAN.sub("计划", chinese)  # 国民经济计划草案拟定…: the year's plan, which the question frames
    if chinese:
        kept: dict[str, None] = {}
        tagged = tagged_words(chinese)
        tags = dict(reversed(tagged))
        framing: set[str] = set()
        nouns: set[str] = set()
        named: set[str] = set()
        dropped: set[str] = set()  # whole words that are no topic: nor are their parts (国务 of 国务院, 不是 of 是不是)
        for word in words(chinese):
            tag = tags.get(word) or next((t for w, t in tagged if word in w), "")
            if tag.startswith(PRONOUN_TAG) or A_NOT_A.match(word):
                dropped.add(word)
                continue  # 为什么, 什么, 这些, 是不是: what kind of answer, never what it is about
            if tag in FRAMING_TAGS and not names_a_topic(word):
                framing.add(word)
            if tag.startswith("n"):
                nouns.add(word)
            elif names_a_topic(word):
                named.add(word)  # 预算 of 国防预算; but two such verbs (安排发行) are not one compound noun
            topic = QUESTION_AFFIX.sub("", word)  # jieba may keep 哪些项目 as one word: the topic is 项目
            if _no_topic(topic, plan, place_names):
                dropped.add(topic)
                continue
            kept.setdefault(topic, None)
        kept = {w: None for w in kept if w in tags or not any(len(d) > len(w) and w in d for d in dropped & set(tags))}
        # jieba's dictionary has a few preposition + word entries (在城镇): the word after it is the topic
        kept = {w: None for w in kept if not (w[0] in LEADING_PREPOSITIONS and len(w) >= 3 and w[1:] in kept)}
        for word in enumerated_characters(tagged):
            kept.setdefault(word, None)
        for name in re.findall(PLAN_PERIOD_NAME, chinese):  # jieba cuts 十三五 into 十三 + 五: the name is one word
            kept.setdefault(name, None)
        # jieba's search mode yields a word and its parts: keep the longest.
        longest, joined = compounds([w for w in kept if not any(w != o and w in o for o in kept)], chinese, nouns,
                                    named)
        for word in longest:
            if word in joined:
                result.joined[len(concepts)] = (plan.word_variants(joined[word][0]), plan.word_variants(joined[word][1]))
            if any(len(intent) >= 2 and intent in word and len(word) - len(intent) <= 2 for intent in INTENT_WORDS):
                result.soft.add(len(concepts))  # 控制目标, 目标值: an intent word with a qualifier
            elif word in framing:
                result.soft.add(len(concepts))  # 授予, 换成, 具体: how the question is put, not its topic
            if word not in joined and word not in nouns and not names_a_topic(word):
                result.phrasing.add(len(concepts))
            if word not in joined and not dictionary_entry(word)[0]:
                result.unlisted.add(len(concepts))
            if tagged_place(word, tags.get(word, "")):
                result.required.add(len(concepts))  # 广东省 of no loaded report: no answer without it
            concepts.append(plan.word_variants(word))
    result.context = scene_setting(concepts, chinese, result.soft)
    for index, group in enumerate(plan.expansion_groups):
        if index in plan.denominator_groups:
            continue  # "what share of GDP … on research": a sentence about GDP alone is no answer
        terms = topic_wordings(group, from_termbase=index not in plan.dictionary_groups)
        if terms and not any(any(t in name for name in place_names) for t in terms):
            at = concepts.index(terms) if terms in concepts else len(concepts)  # "an island … which island": once
            if index == plan.counted:
                result.counted = at
            if index in plan.soft_groups and at == len(concepts):
                result.soft.add(at)
            if index in plan.dictionary_groups and at == len(concepts):
                result.guessed.add(at)
            if group[0] in plan.other_places or index in plan.narrowing_groups:
                result.required.add(at)  # another place; "youth" of "youth unemployment rate": not the whole's figure
            if at == len(concepts):
                concepts.append(terms)
    # A five-year plan's name (七五, 十三五规划, "the Seventh Five-Year Plan") says when, like a year: the time
    # model places the question; a sentence that repeats the name is preferred, one that does not still answers.
    result.soft.update(i for i, concept in enumerate(concepts) if all(PLAN_NAME.fullmatch(t) for t in concept))
    if plan.time.averaged:  # "average growth": the time model reads the averaging (年均增长 and 平均每年 both say it)
        result.soft.update(i for i, concept in enumerate(concepts) if concept[0] in AVERAGE_WORDS)
    # English words without a Chinese equivalent stay in the question's topic: no passage can cover them,
    # so a question mostly made of them (Olympic gold medals …) is refused rather than answered loosely.
    concepts.extend([f"\x00{word}"] for word in plan.untranslated)
    for group in age_groups(plan.text):  # 16-24岁: a part of the population, not answered by the whole's figure
        result.required.add(len(concepts))
        concepts.append(group)
    return result


ASKING = re.compile(r"多少|几|什么|哪|谁|怎样|怎么|如何|是否|吗|多大|多高|多长|多快|何时")
CLAUSE_BREAKS = re.compile(r"[，,；;：:]")


def scene_setting(concepts: list[list[str]], question: str, soft: set[int]) -> set[int]:
    """Indexes of the concepts a Chinese question names only outside the clauses that ask (a clause before the
    comma that sets the scene: 按当时官方公布的口径，1959年…是多少斤). None when every clause asks or none does."""
    clauses = [c for c in CLAUSE_BREAKS.split(question) if c.strip()]
    asking = " ".join(c for c in clauses if ASKING.search(c))
    if len(clauses) < 2 or not asking or len(asking) >= len(" ".join(clauses)):
        return set()
    return {i for i, concept in enumerate(concepts) if i not in soft
            and not any(t in asking for t in concept) and any(t in question for t in concept)}


def topic_terms(plan: QueryPlan, place_names: set[str]) -> list[str]:
    """All topic words, flattened (for highlighting and prompt trimming)."""
    return [t for concept in topic_concepts(plan, place_names) for t in concept]
