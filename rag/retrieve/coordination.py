"""Coordination: of the best candidates, prefer the chunks that name more of the question's concepts.

BM25 sums over every wording, so a chunk that repeats several wordings of one concept (国内生产总值, 生产总值,
经济增长 …) can outrank the chunk that names two different concepts of the question once each; a small
embedding model blurs both. Counting each concept once (its rarest wording's IDF, as the answer's sentence
selector does) and adding that share to the fused score of the top candidates reorders them by how much of the
question they speak about, without letting a chunk from far down the list jump ahead. A question that asks
for a figure counts, per chunk, the concepts of its best sentence that states one: the chunk that says
进出口总额…达到1656亿美元 outranks the one that only says 对外贸易要积极开拓国际市场 (dev, pooled: English R@1
0.792 → 0.809, national 0.865 → 0.873, against counting the whole chunk).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.core.numbers import extract_figures
from rag.core.textnorm import normalize_for_search
from rag.core.tokens import QUERY_STOPWORDS, words
from rag.core.years import YEAR_RE
from rag.retrieve.plan import NUMERIC_CUES, QueryPlan

DEPTH = 8  # candidates reordered: those an answer reads (rag/answer/pipeline.py TOP_K)
FUSED = "fused"  # the rank a candidate had before
CLAUSES = re.compile(r"[^。；;！？!?\n]+")  # the sentences and list items (；) whose figures are counted


def concept_groups(plan: QueryPlan) -> list[list[str]]:
    """The question's concepts as groups of alternative wordings: the translated phrases of an English
    question (verbs and other soft words left out), the content words of a Chinese one plus the indicator
    wordings and full forms its analysis added."""
    if plan.lang == "en":
        return [group for i, group in enumerate(plan.expansion_groups) if i not in plan.soft_groups and group]
    question = YEAR_RE.sub(" ", normalize_for_search(plan.normalized))
    groups = [[word] for word in dict.fromkeys(words(question))
              if len(word) >= 2 and word not in QUERY_STOPWORDS and not word.isdigit()]
    for short, forms in plan.abbreviations.items():
        groups = [[*group, *forms] if short in group else group for group in groups]
    return groups + [group for group in plan.expansion_groups if group]


def coverage(groups: Sequence[Sequence[str]], sizes: Sequence[float], text: str) -> float:
    """The IDF-weighted share of the concept groups that ``text`` names (any wording of a group counts)."""
    norm = normalize_for_search(text)
    total = sum(sizes)
    return sum(size for group, size in zip(groups, sizes, strict=True) if any(t in norm for t in group)) / total \
        if total else 0.0


def figure_coverage(groups: Sequence[Sequence[str]], sizes: Sequence[float], text: str) -> float:
    """The best :func:`coverage` of a sentence of ``text`` that states a figure (0 when none does)."""
    return max((coverage(groups, sizes, part) for part in CLAUSES.findall(text) if extract_figures(part)),
               default=0.0)


def coordinate(fused: list[tuple[str, float, dict[str, int]]], plan: QueryPlan, texts: Callable[[list[str]], dict[str, str]],
               weigh: Callable[[str], float], weight: float) -> list[tuple[str, float, dict[str, int]]]:
    """``fused`` with the top :data:`DEPTH` candidates rescored by ``weight`` × their concept coverage. Each
    candidate's ranks gain ``fused``, its place before: the answer's sentence selector weighs concepts itself,
    per sentence, and reads the candidates in that order (rag/answer/pipeline.py)."""
    groups = concept_groups(plan)
    if weight <= 0 or len(groups) < 2:
        return fused
    sizes = [max(weigh(t) for t in group) for group in groups]
    fused = [(cid, score, {**ranks, FUSED: place}) for place, (cid, score, ranks) in enumerate(fused, start=1)]
    head = fused[:DEPTH]
    by_id = texts([cid for cid, _, _ in head])
    covers = figure_coverage if NUMERIC_CUES.search(plan.text) else coverage
    rescored = [(cid, score + weight * covers(groups, sizes, by_id.get(cid, "")), ranks)
                for cid, score, ranks in head]
    return sorted(rescored, key=lambda item: -item[1]) + fused[DEPTH:]
