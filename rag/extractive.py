"""The extractive answer engine: no model, deterministic, always available.

It picks the sentences of the retrieved chunks that answer the question (shared terms, figures when the
question asks for an amount, the retrieval rank) and quotes them with citations. When no sentence covers
the question's own topic words, it refuses instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.citations import sentence_units
from rag.numbers import extract_figures
from rag.query import QueryPlan
from rag.retrieval import SearchHit
from rag.textnorm import normalize_for_search
from rag.tokens import QUERY_STOPWORDS, words

NUMERIC_CUES = re.compile(r"多少|几|百分|比例|增速|增长|率|金额|规模|总量|数量|how (many|much)|what (is|was|were) the|"
                          r"percent|rate|amount|number|total|target|figure|growth", re.I)
CLAUSE_SPLIT = re.compile(r"(?<=[，,、：:])")
MIN_COVERAGE = 0.5
MAX_SENTENCES = 3
# Words that say what kind of answer is wanted, not what it is about (not counted for coverage).
INTENT_WORDS = {"目标", "预期", "完成", "实现", "达到", "增长", "增速", "多少", "分别", "累计", "共", "全年",
                "亿元", "万元", "万人", "新增", "主要", "预期目标", "主要预期目标", "指标", "预期指标", "计划"}


@dataclass
class Selected:
    hit_index: int
    start: int
    end: int
    text: str
    score: float


def topic_concepts(plan: QueryPlan, place_names: set[str]) -> list[list[str]]:
    """What the question is about, as alternatives per concept (Chinese words; glossary groups for English).

    Stopwords, places, years and intent words (目标, 多少 …) are not topics: they say what kind of answer is
    wanted, and they occur everywhere in a report.
    """
    concepts: list[list[str]] = []
    if plan.lang != "en":
        kept: dict[str, None] = {}
        for word in words(plan.normalized):
            if word in QUERY_STOPWORDS or word in INTENT_WORDS or len(word) < 2:
                continue
            if re.fullmatch(r"\d{4}年?|[\d.]+%?", word) or not re.search(r"[\u4e00-\u9fff]", word):
                continue
            if any(word in name for name in place_names):
                continue
            kept.setdefault(word, None)
        # jieba's search mode yields a word and its parts: keep the longest.
        concepts = [[w] for w in kept if not any(w != o and w in o for o in kept)]
    for group in plan.expansion_groups:
        terms = [t for t in group if t not in INTENT_WORDS and not re.fullmatch(r"[%\w]{0,1}", t)]
        if terms and not any(any(t in name for name in place_names) for t in terms):
            concepts.append(terms)
    # English words without a Chinese equivalent stay in the question's topic: no passage can cover them,
    # so a question mostly made of them (Olympic gold medals …) is refused rather than answered loosely.
    concepts.extend([f"\x00{word}"] for word in plan.untranslated)
    return concepts


def topic_terms(plan: QueryPlan, place_names: set[str]) -> list[str]:
    """All topic words, flattened (for highlighting and prompt trimming)."""
    return [t for concept in topic_concepts(plan, place_names) for t in concept]


def _term_hits(terms: list[str], text_norm: str) -> set[str]:
    hits = set()
    for term in terms:
        if term in text_norm:
            hits.add(term)
        elif len(term) >= 4 and sum(term[i:i + 2] in text_norm for i in range(len(term) - 1)) >= len(term) - 2:
            hits.add(term)  # most bigrams present: a variant wording of a long term
    return hits


def _covered(concepts: list[list[str]], text_norm: str) -> set[int]:
    """Indexes of the concepts that ``text_norm`` mentions (any alternative counts)."""
    return {i for i, alternatives in enumerate(concepts) if _term_hits(alternatives, text_norm)}


def trim_to_clauses(text: str, start: int, end: int, terms: list[str], numeric: bool) -> tuple[int, int]:
    """Shorten a long sentence to the clauses around the matched terms (still an exact substring)."""
    unit = text[start:end]
    if len(unit) <= 80:
        return start, end
    clauses = [c for c in CLAUSE_SPLIT.split(unit) if c]
    offsets, pos = [], start
    for clause in clauses:
        offsets.append((pos, pos + len(clause)))
        pos += len(clause)
    matched = [i for i, clause in enumerate(clauses) if _term_hits(terms, normalize_for_search(clause))]
    if not matched:
        return start, end
    first, last = matched[0], matched[-1]
    while numeric and last + 1 < len(clauses) and not extract_figures(text[offsets[first][0]:offsets[last][1]]):
        last += 1
    if numeric and last + 1 < len(clauses) and not extract_figures(clauses[last]):
        last += 1
    if last + 1 == len(clauses) - 1 and len(clauses[-1]) < 12:
        last += 1  # keep a short sentence end rather than cutting just before it
    s, e = offsets[first][0], offsets[last][1]
    return s, e


def select_sentences(
    plan: QueryPlan, hits: list[SearchHit], place_names: set[str],
    weight_of: Callable[[str], float] | None = None,
) -> tuple[list[Selected], float]:
    """Greedy: the best-scoring sentence, then more only while they cover topic concepts not yet covered.

    Returns the sentences and the share of the question's concepts they cover (the refusal signal).
    """
    concepts = topic_concepts(plan, place_names)
    terms = [t for concept in concepts for t in concept]
    numeric = bool(NUMERIC_CUES.search(plan.text))
    # A concept's weight: how telling its rarest wording is (IDF in the index when known, else its length).
    weigh = weight_of or (lambda term: float(len(term)))
    sizes = [max(weigh(t) for t in concept) for concept in concepts]
    years = set(re.findall(r"((?:19|20)\d{2})\s*年", plan.text))
    candidates: list[tuple[float, Selected, set[int]]] = []
    for rank, hit in enumerate(hits):
        text = hit.chunk.text
        for start, end in sentence_units(text):
            sentence_norm = normalize_for_search(text[start:end])
            covered = _covered(concepts, sentence_norm)
            if not covered and concepts:
                continue
            weight = sum(sizes[i] for i in covered) / max(1, sum(sizes)) if concepts else 0.1
            has_figure = bool(extract_figures(text[start:end]))
            score = weight + (0.3 if numeric and has_figure else 0.0) + 0.15 / (rank + 1)
            if numeric and not has_figure:
                score -= 0.3
            score += 0.2 * year_match(years, " ".join(hit.chunk.section_path) + text[start:end],
                                      hit.report.year)
            candidates.append((score, Selected(rank, start, end, text[start:end], score), covered))
    candidates.sort(key=lambda c: -c[0])
    chosen: list[Selected] = []
    covered_all: set[int] = set()
    for score, selected, covered in candidates:
        if len(chosen) >= MAX_SENTENCES:
            break
        new = covered - covered_all
        if chosen and (not new or score < 0.5 * chosen[0].score):
            continue
        s, e = trim_to_clauses(hits[selected.hit_index].chunk.text, selected.start, selected.end, terms, numeric)
        selected.start, selected.end = s, e
        selected.text = hits[selected.hit_index].chunk.text[s:e]
        chosen.append(selected)
        covered_all |= covered
    total = sum(sizes)
    coverage = sum(sizes[i] for i in covered_all) / total if total else (1.0 if chosen else 0.0)
    if numeric and chosen and not any(extract_figures(s.text) for s in chosen):
        coverage = 0.0  # asked for an amount, found only words
    if weight_of is not None:
        # A Chinese topic word that occurs nowhere in the reports (房价 in a report without it) is what the
        # question is really about: not finding it means the answer is not there.
        unseen = weigh("\x00")
        absent = [i for i, concept in enumerate(concepts) if i not in covered_all
                  and not concept[0].startswith("\x00") and sizes[i] >= unseen - 1e-9]
        if absent:
            coverage = min(coverage, MIN_COVERAGE - 0.01)
    return chosen, coverage


def year_match(years: set[str], context: str, report_year: int | None) -> int:
    """+1 when the passage is about a year the question names, −1 when it is about another year.

    A report's review part describes the year before the report's own year (2023年报告 → 2022年工作回顾).
    """
    if not years:
        return 0
    mentioned = set(re.findall(r"((?:19|20)\d{2})\s*年", context))
    if mentioned & years:
        return 1
    if mentioned:
        return -1
    return 0
