"""The search engine under retrieval: lexical (BM25) and dense candidates within some reports.

Retrieval (``rag/retrieve/hybrid.py``) asks two questions of a backend — the best chunks for a query's terms,
and for a query vector, optionally only within some reports — and does everything else (fusion, the place and
year priors, citations) itself. So every backend gives the same answers from the same candidates:

- ``local``: SQLite FTS5 (in the store's own transaction) + FAISS (``vectors.npz``), one machine;
- ``milvus``: one Milvus collection holding the BM25 field and the vector (``rag/index/milvus.py``), any
  deployment from Milvus Lite's local file to a cluster.

The SQLite store stays the store of record under both: a backend is an index that ``reportqa reindex`` can
rebuild from it, and :class:`Consistency` is what ``reportqa reindex --check`` compares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from embeddings.vector_store import FaissVectorStore
from rag.index.lexical import bm25_search
from rag.index.store import ReportStore
from rag.index.vectors import vector_key

Ranking = list[tuple[str, float]]
SAMPLE = 10  # ids shown per kind of difference in a consistency report


class SearchIndex(Protocol):
    backend: str

    @property
    def has_dense(self) -> bool: ...
    def lexical(self, normalized_query: str, k: int, report_ids: list[str] | None = None) -> Ranking: ...
    def dense(self, vector: NDArray[np.float32], k: int, report_ids: list[str] | None = None) -> Ranking: ...


@dataclass
class Consistency:
    """The store of record against one backend's index: rows missing from the index (a crash after the store
    commit), orphans (rows of chunks the store no longer has) and stale rows (another text or model)."""

    backend: str
    store_chunks: int
    index_rows: int
    missing: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    lexical_rows: int | None = None

    @property
    def ok(self) -> bool:
        lexical_ok = self.lexical_rows is None or self.lexical_rows == self.store_chunks
        return not (self.missing or self.orphans or self.stale) and lexical_ok

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        for name in ("missing", "orphans", "stale"):
            data[name] = len(getattr(self, name))
            data[f"{name}_sample"] = sorted(getattr(self, name))[:SAMPLE]
        return data


def compare_ids(backend: str, want: dict[str, str], have: dict[str, str]) -> Consistency:
    """Consistency of an index holding ``have`` (id → content key) against the store's ``want``."""
    return Consistency(
        backend=backend, store_chunks=len(want), index_rows=len(have),
        missing=[cid for cid in want if cid not in have],
        orphans=[cid for cid in have if cid not in want],
        stale=[cid for cid, key in have.items() if cid in want and key != want[cid]],
    )


def local_consistency(store: ReportStore, vectors: FaissVectorStore | None) -> Consistency:
    """The store against the FAISS index (None: none built yet) and the FTS5 term table."""
    want = {c.chunk_id: vector_key(c) for c in store.chunks()}
    result = compare_ids("local", want, dict(vectors.key_of) if vectors is not None else {})
    result.lexical_rows = store.conn.execute("SELECT count(*) FROM chunk_terms").fetchone()[0]
    return result


class LocalIndex:
    """FTS5 BM25 over the store's own term table, FAISS for vectors (None until the vector index is loaded)."""

    backend = "local"

    def __init__(self, store: ReportStore, vectors: FaissVectorStore | None = None) -> None:
        self.store = store
        self.vectors = vectors

    @property
    def has_dense(self) -> bool:
        return self.vectors is not None

    def lexical(self, normalized_query: str, k: int, report_ids: list[str] | None = None) -> Ranking:
        return bm25_search(self.store.conn, normalized_query, k, report_ids)

    def dense(self, vector: NDArray[np.float32], k: int, report_ids: list[str] | None = None) -> Ranking:
        if self.vectors is None:
            raise ValueError("the vector index is not loaded")
        allowed = None
        if report_ids is not None:
            wanted = set(report_ids)
            allowed = {cid for cid in self.vectors.ids() if cid.split(":", 1)[0] in wanted}
        return self.vectors.search(vector, k, allowed)
