"""Quotes: how much of a sentence an extractive answer quotes (still an exact substring of the report).

A report sentence may run on for a hundred characters and several figures; the answer quotes the clauses that
name the question's terms and the figures that go with them, and for definitions the whole numbered item.
"""

from __future__ import annotations

from rag.answer.cues import CLAUSE_SPLIT, FIGURE_FOLLOW_UP
from rag.answer.mentions import term_hits
from rag.core.numbers import extract_figures
from rag.core.textnorm import normalize_for_search


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
    matched = [i for i, clause in enumerate(clauses) if term_hits(terms, normalize_for_search(clause))]
    if not matched:
        return start, end
    first, last = matched[0], matched[-1]
    while numeric and last + 1 < len(clauses) and not extract_figures(text[offsets[first][0]:offsets[last][1]]):
        last += 1
    if numeric and last + 1 < len(clauses) and not extract_figures(clauses[last]):
        last += 1
    for _ in range(2):  # 增加了九十五亿元，达到四百九十四亿元: the level or the change that goes with the figure
        if not (numeric and last + 1 < len(clauses) and FIGURE_FOLLOW_UP.match(clauses[last + 1])
                and extract_figures(clauses[last + 1])):
            break
        last += 1
    while last + 1 < len(clauses) and (clauses[last].rstrip().endswith(("：", ":")) or (
            last > first and len(clauses[last]) < 12 and clauses[last].rstrip().endswith(("，", ",")))):
        last += 1  # a colon, or a short lead-in (即在一九八○年以前，), introduces what follows: quote that too
    if last + 1 == len(clauses) - 1 and len(clauses[-1]) < 12:
        last += 1  # keep a short sentence end rather than cutting just before it
    s, e = offsets[first][0], offsets[last][1]
    return s, e


def whole_item(text: str, end: int) -> int:
    """For definitions: a sentence that stops at ；inside a numbered item (四区四中心:“四区”即…；“四中心”即…)
    runs on to the end of that item (the line or the full stop)."""
    if text[end - 1:end] not in ("；", ";"):
        return end
    stops = [p for p in (text.find("\n", end), text.find("。", end)) if p != -1]
    stop = min(stops) if stops else len(text)
    return stop + 1 if text[stop:stop + 1] == "。" else stop
