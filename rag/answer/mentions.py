"""Whether a sentence mentions a question's concept: exact wordings, variant wordings, and heads a list leaves out.

Reports vary their wording (粮食总产量 for 粮食产量, 小学学生 for 小学生) and state a head noun once for a whole list
(粮食产量达到四亿零七百多万吨；棉花达到六百零八万吨: 棉花 is 棉花产量). A sentence selector that needs the exact
words misses both.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.answer.cues import CLAUSE_BREAK, COUNT_RE, PER_UNIT  # 每人占有粮食近八百斤 is no output
from rag.core.tokens import words


def term_hits(terms: list[str], text_norm: str) -> set[str]:
    hits = set()
    for term in terms:
        if term in text_norm:
            hits.add(term)
        elif (len(term) >= 3 and term[0] in text_norm
              and sum(term[i:i + 2] in text_norm for i in range(len(term) - 1)) >= max(len(term) - 2, 2)):
            # its first character and most bigrams: a variant wording (粮食总产量, 工业农业总产值, 小学学生 for
            # 小学生), not another indicator that differs in the first (农业总产值 for 工业总产值)
            hits.add(term)
        elif len(term) >= 3 and _spelled_out(term, text_norm):
            hits.add(term)
        elif term.endswith(("收入", "支出")) and term[:-2] + "收支" in text_norm:
            hits.add(term)  # 国家预算收支都比上年增长百分之十以上: 收支 is 收入 and 支出 together
        elif "人均" in term and "人均" in text_norm and len(whole := term.replace("人均", "")) >= 4 and (
                whole in text_norm or _spelled_out(whole, text_norm)):
            hits.add(term)  # 农民的纯收入，全国平均每人达到三百五十五元: the per-head part apart from the rest
    return hits


def _spelled_out(term: str, text_norm: str) -> bool:
    """The term's first two characters, then its other characters in order within a word or two (在校学生 for
    在校生; 大专学校 for 大专院校: one inner character of a longer term replaced, never the last, so 财政收支 is not
    财政收入): a short form written out."""
    rest = term[2:]
    start = text_norm.find(term[:2])
    while start >= 0:
        window = text_norm[start + 2:start + 2 + len(rest) + 2]
        position, found, last = 0, 0, False
        for char in rest:
            at = window.find(char, position)
            if at >= 0:
                position, found, last = at + 1, found + 1, True
            else:
                last = False
        if last and found >= len(rest) - (len(term) >= 4):  # the last character (the head's) is never left out
            return True
        start = text_norm.find(term[:2], start + 1)
    return False


def covered_concepts(concepts: list[list[str]], text_norm: str) -> set[int]:
    """Indexes of the concepts that ``text_norm`` mentions (any alternative counts)."""
    return {i for i, alternatives in enumerate(concepts) if term_hits(alternatives, text_norm)}


def counts_beside(concepts: list[list[str]], named: set[int], text_norm: str) -> bool:
    """Whether a clause that names one of the ``named`` concepts states a count (高考600分以上416人 counts students):
    a count elsewhere in the sentence counts something else (…农村公路38万公里…又有80万户农村危房 counts no vehicles)."""
    return any(COUNT_RE.search(clause) and any(term_hits(concepts[i], clause) for i in named)
               for clause in CLAUSE_BREAK.split(text_norm))


def elided_heads(concepts: list[list[str]], text_norm: str, previous_norm: str) -> set[int]:
    """Concepts a sentence names by their modifier alone, the head stated before it in the list it continues:
    棉花产量 in 粮食产量达到四亿零七百多万吨，比上年增长５．１％；棉花达到六百零八万吨 (the head before the modifier, in
    this sentence or the one before). Not where the whole term was written before: that one names it."""
    found = set()
    for i, alternatives in enumerate(concepts):
        for term in alternatives:
            split = _modifier_and_head(term)
            if split is None or term in previous_norm:
                continue
            modifier, head = split
            at = text_norm.find(modifier)
            opens = at == 0 or (at > 0 and text_norm[at - 1] in "，,；;：:、")  # an item of the list: 棉花达到…
            if opens and head in previous_norm + text_norm[:at] and term not in text_norm[:at]:
                found.add(i)
                break
    return found


_WEIGHT_FIGURE = re.compile(r"[\d零〇一二三四五六七八九十百千两点.]+(?:多|余)?[万亿]*(?:吨|斤|担)")


def output_named(concepts: list[list[str]], text_norm: str) -> set[int]:
    """Outputs (粮食产量) a clause names by the product and a weight (粮食增加了五十亿斤，达到三千七百亿斤; 钢二百十七万吨):
    a report lists products with their tonnage and leaves 产量 unsaid."""
    found = set()
    for i, alternatives in enumerate(concepts):
        for term in alternatives:
            product = term[:-2].removesuffix("总") if term.endswith("产量") else ""
            if len(product) >= 1 and any((at := clause.find(product)) >= 0 and not PER_UNIT.search(clause)
                                         and _WEIGHT_FIGURE.search(clause, at + len(product))
                                         for clause in CLAUSE_BREAK.split(text_norm)):
                found.add(i)
                break
    return found


# A sentence that goes on from the one before (但由于多种原因，涨幅仍然高达百分之二十一点七): its subject is that one's.
_CONTINUES = re.compile(r"^(?:但是?|然而|可是|不过|结果|实际上?|虽然|尽管|其中)|^[^，,]*(?:这方面|这一|此项)")


def continues_previous(text_norm: str) -> bool:
    """Whether a sentence opens by going on from the sentence before (但, 然而, 虽然, 其中 …; 在这方面 in its first
    clause) rather than with a subject of its own: what that sentence is about, this one is too."""
    return bool(_CONTINUES.match(text_norm))


@lru_cache(maxsize=4096)
def _modifier_and_head(term: str) -> tuple[str, str] | None:
    """棉花产量 → (棉花, 产量): a two-character-or-longer modifier and the last word, or None for one word."""
    parts = [w for w in words(term) if w != term]  # jieba's search mode gives a known compound and its parts
    if len(parts) < 2 or len("".join(parts[:-1])) < 2 or len(parts[-1]) < 2 or "".join(parts) != term:
        return None
    return "".join(parts[:-1]), parts[-1]
