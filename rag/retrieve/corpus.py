"""How often Chinese terms occur in report text: the corpus side of dictionary-based translation.

A dictionary offers many Chinese words for an English one (deficit → 赤字, 亏损, 奇缺 …); the ones the
reports actually use are the ones worth searching for, and a candidate that never occurs adds nothing.
Counts come from the ingested library (:func:`library_counts`: the chunks' search text, counted on first
use and kept per library version) or, where a caller has no library at hand, from the packaged reference
corpus ``rag/data/report_corpus.txt.xz`` (the State Council's work reports 1954–2025 and the five seed
reports, normalized; public documents; rebuilt with ``python -m rag.retrieve.corpus``).
"""

from __future__ import annotations

import lzma
import math
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rag.core.textnorm import normalize_for_search
from rag.core.tokens import segment
from rag.index.lexical import idf_weigher

PHRASE_BREAKS = "\x00，。；、：,;!?！？可要将能应会在是为对把被让使和与及或并而且也都又还就才"
CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "report_corpus.txt.xz"
WORD_SAMPLE = 200  # occurrences read to tell whether a term is written as a word
WORD_WINDOW = 8  # characters read on each side of an occurrence


@dataclass(eq=False)  # compared and hashed by identity: one object per library version
class TermCounts:
    """Occurrences of Chinese terms: counted in ``text`` on demand, or looked up in ``table``."""

    text: str = ""  # normalized report text, chunks joined by NUL
    table: dict[str, int] = field(default_factory=dict)
    _seen: dict[str, int] = field(default_factory=dict, repr=False)
    _chunks: list[str] | None = field(default=None, repr=False)  # ``text`` split into its chunks, when needed

    def count(self, term: str) -> int:
        """How often ``term`` (Simplified, normalized) occurs (0: never, so it finds nothing)."""
        if term in self.table or not self.text:
            return self.table.get(term, 0)
        if term not in self._seen:
            self._seen[term] = self.text.count(term) if term else 0
        return self._seen[term]

    def word_count(self, term: str) -> int:
        """Occurrences where jieba reads ``term`` as a word of its own: 中中 of 其中中央 is none, so a dictionary
        sense written only across two words (average → 中中) is not taken for the reports' wording. Estimated
        from the first ``WORD_SAMPLE`` occurrences, each read in a window around it."""
        key = f"\x03{term}"
        if key not in self._seen:
            found = sampled = 0
            for match in re.finditer(re.escape(term), self.text):
                if sampled >= WORD_SAMPLE:
                    break
                sampled += 1
                start = max(0, match.start() - WORD_WINDOW)
                position = 0
                for word in segment(self.text[start:match.end() + WORD_WINDOW]):
                    if position >= match.start() - start:
                        found += position == match.start() - start and word == term
                        break
                    position += len(word)
            self._seen[key] = round(found * self.count(term) / sampled) if sampled else 0
        return self._seen[key]

    def near(self, first: str, second: str, gap: int = 1) -> bool:
        """Whether ``first`` is followed by ``second`` as one phrase somewhere in the text: at most ``gap``
        characters between them (旅游总收入, 空间的探索), none of them punctuation or a function word that
        would join two phrases instead (有条件的地方可探索 is not 地方探索)."""
        key = f"{first}\x01{second}\x01{gap}"
        if key not in self._seen:
            pattern = f"{re.escape(first)}[^{PHRASE_BREAKS}]{{0,{gap}}}{re.escape(second)}"
            self._seen[key] = int(re.search(pattern, self.text) is not None)
        return bool(self._seen[key])

    def documents(self, term: str) -> tuple[int, int]:
        """(chunks containing ``term``, all chunks) of a library's counts: the document frequency an IDF needs."""
        if self._chunks is None:
            self._chunks = self.text.split("\x00")
        chunks = self._chunks
        key = f"\x02{term}"
        if key not in self._seen:
            self._seen[key] = sum(1 for chunk in chunks if term in chunk)
        return self._seen[key], len(chunks)

    def weight(self, term: str) -> float:
        """log(1 + count): how established a wording is, with diminishing returns for the commonest words."""
        return math.log1p(self.count(term))


_LIBRARY: dict[tuple[int, str], TermCounts] = {}


def library_counts(conn: sqlite3.Connection) -> TermCounts:
    """Counts over the library's chunks (search text), one object per library version: an ingest or a
    removal makes a new one, and terms are counted the first time a question needs them (~1 ms each)."""
    row = conn.execute("SELECT count(*), group_concat(sha256) FROM reports").fetchone()
    key = (id(conn), f"{row[0]}:{row[1]}")
    if key not in _LIBRARY:
        _LIBRARY.clear()
        texts = [r[0] for r in conn.execute("SELECT search_text FROM chunks")]
        _LIBRARY[key] = TermCounts(text="\x00".join(texts))
    return _LIBRARY[key]


def corpus_weigher(conn: sqlite3.Connection) -> Callable[[str], float]:
    """IDF of a topic term over the chunks. A phrase that is not one index token (a glossary term such as
    事业单位改革) is counted by substring over the chunks' search text — the library's term counts, loaded once
    per library version (:func:`rag.retrieve.corpus.library_counts`) — so it is not mistaken for a word that
    occurs nowhere in the reports. One weigher per library version is kept."""
    counts = library_counts(conn)
    if counts not in _WEIGHERS:
        _WEIGHERS.clear()  # one library version at a time: an ingest makes the old one stale
        _WEIGHERS[counts] = _make_weigher(conn, counts)
    return _WEIGHERS[counts]


_WEIGHERS: dict[TermCounts, Callable[[str], float]] = {}


def _make_weigher(conn: sqlite3.Connection, counts: TermCounts) -> Callable[[str], float]:
    base = idf_weigher(conn)
    unseen = base("\x00")
    cache: dict[str, float] = {}

    def weight(term: str) -> float:
        value = base(term)
        if value < unseen - 1e-9 or term.startswith("\x00") or len(term) < 3:
            return value
        if term not in cache:
            df, total = counts.documents(normalize_for_search(term))
            cache[term] = math.log((total + 1) / (df + 1)) + 1.0
        return cache[term]

    return weight


@lru_cache(maxsize=1)
def packaged_counts() -> TermCounts:
    """Counts over the packaged reference corpus, for callers without a library (none if it is missing)."""
    try:
        text = lzma.decompress(CORPUS_PATH.read_bytes()).decode("utf-8")
    except (OSError, lzma.LZMAError):
        text = ""
    return TermCounts(text=text)


def _main(argv: list[str]) -> None:
    """python -m rag.retrieve.corpus NATIONAL.jsonl SEEDS_DIR: writes the reference corpus."""
    import json

    national, seeds = Path(argv[0]), Path(argv[1])
    texts = [json.loads(line)["content"] for line in national.read_text(encoding="utf-8").splitlines() if line]
    texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    joined = "\x00".join(normalize_for_search(t) for t in texts)
    CORPUS_PATH.write_bytes(lzma.compress(joined.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))


if __name__ == "__main__":
    _main(sys.argv[1:])
