"""BM25 search over the SQLite FTS5 table of chunk terms (kept in the same transaction as the chunks)."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable

from rag.core.tokens import query_terms

MAX_QUERY_TERMS = 64


def fts_query(terms: list[str]) -> str:
    """An OR query of quoted terms (quoting makes any character safe for FTS5 syntax)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms[:MAX_QUERY_TERMS])


def bm25_search(
    conn: sqlite3.Connection, normalized_query: str, k: int, report_ids: list[str] | None = None
) -> list[tuple[str, float]]:
    """Top ``k`` (chunk_id, score) pairs, best first; score = -bm25 so higher is better."""
    terms = query_terms(normalized_query)
    if not terms:
        return []
    sql = "SELECT chunk_id, bm25(chunk_terms) AS s FROM chunk_terms WHERE chunk_terms MATCH ?"
    params: list[object] = [fts_query(terms)]
    if report_ids is not None:
        if not report_ids:
            return []
        sql += f" AND report_id IN ({','.join('?' * len(report_ids))})"
        params.extend(report_ids)
    sql += " ORDER BY s LIMIT ?"
    params.append(k)
    return [(cid, -score) for cid, score in conn.execute(sql, params)]


def idf_weigher(conn: sqlite3.Connection) -> Callable[[str], float]:
    """IDF of a term over the chunks (a term no chunk contains gets the highest weight), memoized per call."""
    total = conn.execute("SELECT count(*) FROM chunk_terms").fetchone()[0] or 1
    cache: dict[str, float] = {}

    def weight(term: str) -> float:
        if term not in cache:
            if term.startswith("\x00"):
                df = 0
            else:
                df = conn.execute("SELECT count(*) FROM chunk_terms WHERE chunk_terms MATCH ?",
                                  (fts_query([term]),)).fetchone()[0]
            cache[term] = math.log((total + 1) / (df + 1)) + 1.0
        return cache[term]

    return weight
