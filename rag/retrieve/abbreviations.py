"""Chinese abbreviations and their full forms as the library writes them (高铁 → 高速铁路, 技改 → 技术改造).

A Chinese abbreviation keeps the first character of each word of its full form: 高速|铁路 → 高铁, 环境|保护 →
环保. A question may use one form where a report uses the other (the 2023 report writes 高速铁路运营里程, readers
say 高铁). jieba's dictionary lists the two-word full forms; a pair counts only where the library writes both
forms, so 国防 gets no full form (no dictionary word 国X防X occurs in the reports). A full form that begins
with the abbreviation is a compound of it, not its expansion (财政政策 is no full form of 财政).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.core.tokens import dictionary_counts
from rag.retrieve.corpus import TermCounts

NUMERAL = re.compile(r"[\d〇零一二三四五六七八九十百千万亿两几]")  # 五年 is no abbreviation of 五十年代
MIN_OCCURRENCES = 3  # a full form the library writes once or twice (人民大众 for 人大) is chance, not usage
# A two-character word the library writes over ten times as often as its would-be full form is a word in its
# own right there, not that form's short form: 生活 (925 in the national reports) is no 生动活泼 (10), 职工 (443)
# no 职务工资 (3), 工业 no 工商业者; 科技 (773) does stand for 科学技术 (183), 监管 (305) for 监督管理 (20) is lost.
MIN_FULL_SHARE = 0.1


@lru_cache(maxsize=1)
def _dictionary_pairs() -> dict[str, tuple[str, ...]]:
    """Two-character abbreviation → the four-character dictionary words of two dictionary words that it
    abbreviates (高铁 → 高速铁路 …), from jieba's dictionary."""
    freq = dictionary_counts()
    pairs: dict[str, list[str]] = {}
    for word, count in freq.items():
        if count and len(word) == 4 and freq.get(word[:2]) and freq.get(word[2:]):
            short = word[0] + word[2]
            if not word.startswith(short) and not NUMERAL.search(short):
                pairs.setdefault(short, []).append(word)
    return {short: tuple(words) for short, words in pairs.items()}


def full_forms(term: str) -> tuple[str, ...]:
    """Every dictionary full form of a two-character ``term`` (增速 → 增长速度), whether a library writes it or not."""
    return _dictionary_pairs().get(term, ()) if len(term) == 2 else ()


def other_forms(term: str, counts: TermCounts) -> list[str]:
    """The full forms of an abbreviation that the library writes (高铁 → 高速铁路), commonest first. Not the other
    way: a two-character string's count includes chance neighbours (国改 in 全国改革), a word's cannot tell."""
    if len(term) != 2:
        return []
    floor = max(MIN_OCCURRENCES, MIN_FULL_SHARE * counts.count(term))
    found = [w for w in _dictionary_pairs().get(term, ()) if counts.count(w) >= floor]
    return sorted(found, key=lambda w: -counts.count(w))
