"""The extractive answer engine: no model, deterministic, always available.

It picks the sentences of the retrieved chunks that answer the question (shared terms, figures when the question
asks for an amount, the retrieval rank) and quotes them with citations. When no sentence covers the question's own
topic words, it refuses instead of guessing. Instructions found in a report (rag.answer.injection) are never quoted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.answer import mentions
from rag.answer.citations import sentence_units
from rag.answer.cues import (
    ASK_RE,
    CHANGE_CUES,
    COUNT_RE,
    COUNTING_CUES,
    DECREASE_CUES,
    DEFINITION_CUES,
    FROM_TO_STATED,
    MONEY_RE,
    NOT_A_COUNT,
    OUTCOME_CUES,
    PER_UNIT,
    PER_UNIT_CUES,
    PER_YEAR_CUES,
    PER_YEAR_RATE,
    PERCENT_CUES,
    RANK_ASK,
    RANK_STATED,
    RISE_CUES,
    SHARE_CUES,
    TARGET_WORDS,
    TIME_STATED,
    TOTAL_ASK,
    TOTAL_STATED,
    UNIT_ASKS,
    WHEN_ASK,
    only_changes,
    only_rises,
    share_first,
)
from rag.answer.groups import from_to as asks_from_to
from rag.answer.injection import instruction_free, looks_like_instruction
from rag.answer.mentions import continues_previous, covered_concepts, elided_heads, output_named
from rag.answer.quotes import trim_to_clauses, whole_item
from rag.answer.sentence_time import before_period, names_both_ends, with_time_context, year_match
from rag.answer.topics import question_concepts
from rag.core.numbers import Figure, extract_figures
from rag.core.textnorm import normalize_for_search, per_capita
from rag.core.tokens import tagged_words
from rag.reports.indicators import question_indicators
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.plan import NUMERIC_CUES, QueryPlan

MIN_COVERAGE = 0.5
GUESS_WEIGHT = 0.25  # an uncovered concept worded by the general dictionary, not the termbase, weighs this much
# An English word nothing translated (intake, currency) weighs this much: no passage can cover it, so alone it
# would sink a sentence that answers; a question mostly made of such words is still refused.
UNTRANSLATED_WEIGHT = 0.5
MAX_SENTENCES = 3
# How far below an unseen term's weight (IDF units) a one-character wording must be to count as a word of the
# reports: about a dozen chunks have it as a word of its own (钢: 36; 船: 1, otherwise inside 渔船, 船舶).
RARE_WORD = 1.5


@dataclass(frozen=True)
class SentenceWeights:
    """How the extractive selector scores a candidate sentence (all in units of "share of the question's
    concepts covered", which runs from 0 to 1). Tuned on the seed dev questions; changing one changes
    answers, so each says what it rewards."""

    no_concepts: float = 0.1  # base score of any sentence when the question has no topic words at all
    loose_match_penalty: float = 0.4  # × the share covered only by variant wordings (bigrams), not the exact words
    figure_bonus: float = 0.3  # a 多少/how-many question and the sentence states a figure
    missing_figure_penalty: float = 0.3  # a 多少/how-many question and the sentence has no figure
    rank_bonus: float = 0.15  # ÷ (retrieval rank + 1): ties go to the better-retrieved chunk
    percent_bonus: float = 0.15  # a percent/growth question and the sentence has % or 百分点
    year_weight: float = 0.2  # × year_match: +1 the year asked, 0 unknown (−1, another year, is never quoted)
    per_year_bonus: float = 0.15  # a span's yearly rate asked (七五 yearly growth) and the sentence states one
    share_penalty: float = 0.15  # the sentence states a share (所占的比重) the question does not ask for
    restated_target_penalty: float = 0.15  # asked what actually happened, the sentence restates the target (or
    # asked the target, the sentence states what actually happened)
    follow_up_ratio: float = 0.5  # a further sentence must score at least this share of the best one


WEIGHTS = SentenceWeights()
@dataclass
class Selected:
    hit_index: int
    start: int
    end: int
    text: str
    score: float


def _verb_then_noun(verb: str, noun: str) -> bool:
    """出生 + 人口: a verb that qualifies the noun after it (出生人口), as jieba tags the two words."""
    first, second = tagged_words(verb), tagged_words(noun)
    return len(first) == 1 and first[0][1] == "v" and len(second) == 1 and second[0][1].startswith("n")


@dataclass
class Ranking:
    """The sentences that answer a question, how much of it they cover, and the next-best sentences (an LLM
    that phrases the answer may read a few more than the extractive engine quotes)."""

    chosen: list[Selected]
    coverage: float
    runners_up: list[Selected] = field(default_factory=list)


def select_sentences(
    plan: QueryPlan, hits: list[SearchHit], place_names: set[str],
    weight_of: Callable[[str], float] | None = None, w: SentenceWeights = WEIGHTS,
) -> tuple[list[Selected], float]:
    """Greedy: the best-scoring sentence, then more only while they cover topic concepts not yet covered.

    Returns the sentences and the share of the question's concepts they cover (the refusal signal).
    """
    ranking = rank_sentences(plan, hits, place_names, weight_of, w)
    return ranking.chosen, ranking.coverage


def rank_sentences(
    plan: QueryPlan, hits: list[SearchHit], place_names: set[str],
    weight_of: Callable[[str], float] | None = None, w: SentenceWeights = WEIGHTS, runners_up: int = 0,
) -> Ranking:
    """:func:`select_sentences` plus up to ``runners_up`` further candidates, best first (trimmed alike)."""
    analysis = question_concepts(plan, place_names)
    weigh = weight_of or (lambda term: float(len(term)))
    unseen = weigh("\x00")  # the weight of a term the index has never seen
    if weight_of is not None and analysis.joined:  # a compound the reports write is matched word by word
        analysis = analysis.split({i for i in analysis.joined
                                   if any(weigh(t) < unseen - 1e-9 for t in analysis.concepts[i])})
    concepts, counted, soft = analysis.concepts, analysis.counted, set(analysis.soft)
    if weight_of is not None:  # 头一回 (the reports write 首次): the question's phrasing counts only where met
        soft |= {i for i in analysis.phrasing if all(weigh(t) >= unseen - 1e-9 for t in concepts[i])}
        # 出生人口: 出生 is the topic too, not a way of asking
        question = normalize_for_search(plan.normalized)
        soft -= {i for i in soft for j in range(len(concepts)) if j not in soft and i != j
                 and concepts[i][0] + concepts[j][0] in question and _verb_then_noun(concepts[i][0], concepts[j][0])}
    if weight_of is not None:  # a lone character counts only where the reports use it as a word (钢, not 船)
        concepts = [[t for t in concept if len(t) > 1 or len(concept) == 1 or weigh(t) < unseen - RARE_WORD]
                    for concept in concepts]
    terms = [t for concept in concepts for t in concept]
    # a figure is asked for: a how-much cue, or a standard indicator's target or result ("what ceiling on retail
    # price inflation did the report set": 零售物价上涨幅度控制在百分之六以内, not the sentence without the figure)
    numeric = bool(NUMERIC_CUES.search(plan.text)) or (
        (plan.time.aim in ("target", "result") or bool(plan.time.years)) and not DEFINITION_CUES.search(plan.text)
        and bool(question_indicators(plan.text)))
    definition = bool(DEFINITION_CUES.search(plan.text))
    percent = bool(PERCENT_CUES.search(plan.text))
    share_asked = bool(SHARE_CUES.search(plan.text))
    per_unit_asked = bool(PER_UNIT_CUES.search(plan.text))
    level_asked = not CHANGE_CUES.search(plan.text)
    fall_asked = bool(DECREASE_CUES.search(plan.text)) and not RISE_CUES.search(plan.text)  # not 增长目标和能耗下降目标
    counting = bool(COUNTING_CUES.search(plan.text))
    rank_asked = bool(RANK_ASK.search(plan.text))  # 排第几位: an ordinal (居世界第四位) is the figure asked
    per_year = plan.time.spans and bool(PER_YEAR_CUES.search(plan.text))
    total_asked = numeric and not per_year and bool(TOTAL_ASK.search(plan.text))
    from_to = asks_from_to(plan)  # … or a change between two years ("from 2017 to 2021")
    outcome = plan.time.aim == "result" and bool(OUTCOME_CUES.search(plan.text))
    # A concept's weight: how telling its rarest wording is (IDF in the index when known, else its length); a soft
    # concept's (spend → 支出|度过|花掉) its commonest wording's: the rare guesses of a word that only says how the
    # question is put would outweigh its topic wherever a sentence happens to have one
    sizes = [(min if i in soft else max)(weigh(t) for t in concept) for i, concept in enumerate(concepts)]

    def share(covered: set[int]) -> float:
        """Weight of the covered concepts over all concepts; soft ones count only where covered, and a concept
        the general dictionary worded (countryside → 乡村 where reports write 农村) half where it is not."""
        total = sum(size * (1.0 if i in covered else GUESS_WEIGHT if i in analysis.guessed | analysis.context else
                            UNTRANSLATED_WEIGHT if concepts[i][0].startswith("\x00") else 1.0)
                    for i, size in enumerate(sizes) if i not in soft or i in covered)
        return sum(sizes[i] for i in covered) / total if total else 0.0

    # Only soft concepts ("average annual" 年均|平均: a sentence with one is preferred): the question names no topic
    topics = set(range(len(concepts))) - soft
    asked = plan.time.asked_years
    units_asked = [written for asked_unit, written in UNIT_ASKS if asked_unit.search(plan.text)]
    candidates: list[tuple[float, Selected, set[int]]] = []
    for rank, hit in enumerate(hits):
        if hit.chunk.paragraph == 0:
            continue  # the title block (¶0) answers who/when questions only (rag/answer/report_facts.py)
        text = hit.chunk.text
        previous = ""  # the sentence before, in the same chunk: where a list states the head it then leaves out
        previous_covered: set[int] = set()
        for start, end in sentence_units(text):
            # An instruction to the assistant (prompt injection) is never an answer: drop it from the sentence.
            usable = instruction_free(text, start, end)
            if usable is None:
                continue
            start, end = usable
            # Brackets around optional characters (开(复)工) do not split a word for matching.
            sentence_norm = per_capita(re.sub(r"[()（）]", "", normalize_for_search(text[start:end])))
            elided = elided_heads(concepts, sentence_norm, previous)  # 粮食：达到…亿斤 after 主要农业产品…的计划产量
            covered = covered_concepts(concepts, sentence_norm) | elided | output_named(concepts, sentence_norm)
            own = set(covered)
            if continues_previous(sentence_norm):
                covered |= previous_covered  # 但…涨幅仍然高达百分之二十一点七: the previous sentence's 零售物价
            previous, previous_covered = sentence_norm, covered
            if counted is not None and mentions.counts_beside(concepts, covered - soft, sentence_norm):
                covered.add(counted)  # "how many students … in the gaokao" is answered by 高考…416人
            if not covered and topics:
                continue
            weight = share(covered) if topics else w.no_concepts + share(covered)
            # A concept met only by a variant wording (most of its bigrams) counts less than its exact words.
            listed = elided if re.match(r"[^，,：:]{1,8}[：:]", sentence_norm) else set()  # 粮食：达到…: a list's item
            loose = [i for i in own - listed if i != counted and not any(t in sentence_norm for t in concepts[i])]
            weight -= w.loose_match_penalty * share(set(loose)) if loose else 0.0
            has_figure = bool(extract_figures(text[start:end]) or (rank_asked and RANK_STATED.search(text[start:end])))
            match = year_match(asked, with_time_context(text, start, end, hit.report.year), hit.chunk.time,
                               hit.report.year)
            if match < 0 and has_figure and not plan.time.only_the_report:
                continue  # a figure about another year (or a span of years) never answers for the asked year
            if has_figure and before_period(plan.time.periods, hit.report.year):
                continue  # the 1978 report's plan to 1985 is not the Sixth Five-Year Plan's (1981–1985)
            if (has_figure and plan.time.aim == "target" and hit.chunk.time.looks_back(hit.report.year)
                    and not TARGET_WORDS.search(text[start:end])):
                continue  # a target is not answered with the result the next report reviews
            if has_figure and plan.time.aim == "result" and asked and hit.report.year is not None \
                    and (min(asked) > hit.report.year or (len(asked) > 1 and min(asked) == hit.report.year)):
                continue  # nor a year's result with a plan made before it (the 1986 report's 七五 for 1990), nor a
                # span's with the plan of its first year (the 2006 report's 十一五 target for 2006–2010's growth)
            # "how many" is not answered by an amount of money (减税降费9658万元 for "how many market entities")
            counts = has_figure and not (counting and MONEY_RE.search(sentence_norm) and not COUNT_RE.search(sentence_norm))
            score = weight + (w.figure_bonus if numeric and counts else 0.0) + w.rank_bonus / (rank + 1)
            if percent and ("%" in sentence_norm or "百分" in sentence_norm):  # 百分之五点七 too
                score += w.percent_bonus
            if numeric and not has_figure:
                score -= w.missing_figure_penalty
            elif has_figure and any(not written.search(sentence_norm) for written in units_asked):
                score -= w.missing_figure_penalty  # asked how much was spent: not the share 占本年支出的22.15%
            if per_year and has_figure and PER_YEAR_RATE.search(sentence_norm):
                score += w.per_year_bonus
            if total_asked and has_figure and TOTAL_STATED.search(sentence_norm):
                score += w.per_year_bonus  # asked a period's total: 五年…基本建设投资的是四百二十七亿四千万元
            if from_to and FROM_TO_STATED.search(sentence_norm):
                score += w.per_year_bonus * (1 + names_both_ends(asked, sentence_norm))  # 从129.6亿元增加到181.8亿元
            if numeric and level_asked and only_changes(sentence_norm):
                score -= w.share_penalty  # the value of industrial output: not 1956年这一年就增加了一百三十九亿元
            if numeric and not per_unit_asked and PER_UNIT.search(sentence_norm):
                score -= w.share_penalty  # how big the grain harvest was: not 粮食的每亩平均产量…一千斤
            if numeric and fall_asked and only_rises(sentence_norm):
                score -= w.missing_figure_penalty  # how far rural poverty fell: not 学生人数比上年增长8.5%
            if numeric and not share_asked and share_first(sentence_norm):
                score -= w.share_penalty  # 国营工业所占的比重由59%上升到63% is no growth of industrial output
            if outcome and TARGET_WORDS.search(sentence_norm):
                score -= w.restated_target_penalty  # asked how high prices actually rose: not 要把涨幅控制在10%以内
            elif plan.time.aim == "target" and "实际" in sentence_norm and not TARGET_WORDS.search(sentence_norm):
                score -= w.restated_target_penalty  # asked the plan's figure: not 1952年到1956年…的实际产量
            score += w.year_weight * match
            candidates.append((score, Selected(rank, start, end, text[start:end], score), covered))
    candidates.sort(key=lambda c: -c[0])
    chosen: list[Selected] = []
    chosen_covered: list[set[int]] = []
    others: list[Selected] = []
    covered_all: set[int] = set()

    asks = len(ASK_RE.findall(plan.text))  # 多少…？…多少…？ asks two figures: a second sentence may give the other

    def trimmed(selected: Selected) -> Selected:
        if definition:  # what a term means: quote the whole item, not the clause that names it
            s, e = selected.start, whole_item(hits[selected.hit_index].chunk.text, selected.end)
            if looks_like_instruction(hits[selected.hit_index].chunk.text[s:e]):
                e = selected.end
        else:
            s, e = trim_to_clauses(hits[selected.hit_index].chunk.text, selected.start, selected.end, terms,
                                   numeric)
        selected.start, selected.end = s, e
        selected.text = hits[selected.hit_index].chunk.text[s:e]
        return selected

    for score, selected, covered in candidates:
        if len(chosen) >= MAX_SENTENCES:
            break
        new = covered - covered_all
        if chosen and not new and asks > len(chosen) and _another_figure(selected, chosen, hits) \
                and score >= w.follow_up_ratio * chosen[0].score:
            new = covered  # the same topic, another figure of the same report (目标 then 实际)
        if chosen and (not new or score < w.follow_up_ratio * chosen[0].score):
            if len(others) < runners_up:
                others.append(selected)
            continue
        chosen.append(trimmed(selected))
        chosen_covered.append(covered)
        covered_all |= covered
    for _score, selected, _cov in candidates:
        if len(others) >= runners_up:
            break
        if all(selected is not c for c in [*chosen, *others]):
            others.append(selected)
    others = [trimmed(s) for s in others[:runners_up]]
    coverage = share(covered_all) if sum(sizes) and topics else (1.0 if chosen else 0.0)
    if numeric and chosen and not any(_states_amount(s.text) or (rank_asked and RANK_STATED.search(s.text)) for s in chosen):
        coverage = 0.0  # asked for an amount, found only words, years or dates (１９７９、１９８０两年…很大的赤字)
    elif numeric and chosen and topics:  # and the topic is what the figures' own sentences cover
        coverage = min(coverage, share(_figure_covered(chosen, chosen_covered, rank_asked)))
    if counting and not percent and chosen and not any(f.scaled and not f.percent for s in chosen for f in _amount_figures(s.text)):
        coverage = 0.0  # asked how many, found only rates (出口增长近30% for how many cars were exported)
    if WHEN_ASK.search(plan.text) and chosen and not any(TIME_STATED.search(s.text) for s in chosen):
        coverage = min(coverage, MIN_COVERAGE - 0.01)  # asked which year, found no year or date
    for written in units_asked:  # asked how many yuan, found only 居民人均可支配收入实际增长8.1%
        if chosen and not any(written.search(normalize_for_search(s.text)) for s in chosen):
            coverage = 0.0
    if weight_of is not None:
        # A Chinese topic word that occurs nowhere in the reports (房价 in a report without it) is what the question
        # is really about (unless it only sets the scene): not finding it means the answer is not there.
        absent = [i for i, concept in enumerate(concepts) if i not in covered_all and i not in soft
                  and i not in analysis.unlisted | analysis.phrasing | analysis.context
                  and not concept[0].startswith("\x00") and sizes[i] >= unseen - 1e-9]
        if absent:
            coverage = min(coverage, MIN_COVERAGE - 0.01)
    if topics and not topics & covered_all and topics - analysis.guessed:
        # only verbs and framing words found, not the topic whose wording is known (a dictionary guess, farmland
        # → 农田 where the report writes 灌溉面积, may be worded otherwise)
        coverage = min(coverage, MIN_COVERAGE - 0.01)
    # a place the passages do not mention, nor the titles of their reports (云溪县 of a report filed without places)
    titled = {i for i in analysis.required if any(t in normalize_for_search(hits[s.hit_index].report.title)
                                                  for s in chosen for t in concepts[i])}
    if analysis.required - covered_all - titled:
        coverage = min(coverage, MIN_COVERAGE - 0.01)
    return Ranking(chosen, coverage, others)


# A small count written with one numeral (普及八年教育, 三项任务): extract_figures reads numerals of two characters
# or more (一些, 一定 are no counts), so these are found here; 一 is left out (一个国家 is "a country"), and so is
# a time (近两年, 前三年).
SMALL_COUNT = re.compile(r"(?<![第\d一二三四五六七八九十百千万近这前后])[二三四五六七八九十两](?:个|项|年|次|所|座|家|条|件|种|批|名|倍)")


def _amount_figures(text: str) -> list[Figure]:
    """A sentence's figures that are no year, date or ordinal (full-width digits too: １９５６年)."""
    return extract_figures(NOT_A_COUNT.sub(" ", unicodedata.normalize("NFKC", text)))


def _states_amount(text: str) -> bool:
    """Whether a sentence states an amount: a figure that is no year, date or ordinal, or a small count."""
    return bool(_amount_figures(text) or SMALL_COUNT.search(text))


def _figure_covered(chosen: list[Selected], covered: list[set[int]], rank: bool = False) -> set[int]:
    """The concepts covered by the chosen sentences that state a figure and by those that lead into one in the
    same chunk (三峡工程…开工。完成投资…亿元). A sentence without a figure elsewhere does not make a figure about
    something else answer (水利建设投资3562亿元 beside 三峡工程正式开工 is not the Three Gorges' investment)."""
    stating = [i for i, s in enumerate(chosen) if extract_figures(s.text) or (rank and RANK_STATED.search(s.text))]
    leading = [i for i, s in enumerate(chosen) if i not in stating and any(
        s.hit_index == chosen[j].hit_index and s.start < chosen[j].start for j in stating)]
    return set().union(*(covered[i] for i in [*stating, *leading]))


def _another_figure(candidate: Selected, chosen: list[Selected], hits: list[SearchHit]) -> bool:
    """Whether ``candidate`` is from the report of the first chosen sentence and states a figure none of the
    chosen sentences states."""
    if hits[candidate.hit_index].report.report_id != hits[chosen[0].hit_index].report.report_id:
        return False
    stated = {f.text for s in chosen for f in extract_figures(s.text)}
    return any(f.text not in stated for f in extract_figures(candidate.text))
