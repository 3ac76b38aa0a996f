"""The synthetic corpora of ``reportqa bench --only scale``, shared by the FAISS/FTS5 rows (scale.py) and the
Milvus Lite rows (scale_milvus.py), so every engine is measured on the very same vectors, chunks and queries."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rag.tools.bench.common import DIM, SEEDS, BenchOptions, dev_questions, shared_dir


def clustered_unit_vectors(n: int, dim: int = DIM, per_centre: int = 100, seed: int = 0) -> np.ndarray:
    """Random unit vectors around random centres, one centre per ``per_centre`` vectors (cosine to the centre
    about 0.7): real embeddings cluster by topic and a larger corpus has more topics; uniform noise has no
    structure at all and would understate what HNSW/IVF achieve on real data."""
    rng = np.random.default_rng((seed, n))
    centres = max(1, n // per_centre)
    centre = rng.standard_normal((centres, dim), dtype=np.float32)
    centre /= np.linalg.norm(centre, axis=1, keepdims=True)
    out = np.empty((n, dim), np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        block = centre[rng.integers(0, centres, m)]
        block += rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start:start + m] = block
    return out


def _sentence_pool(size: int = 30_000) -> list[list[str]]:
    """Lexical terms of real report sentences (seeds + national reports), tokenized once."""
    import re

    from rag.core.textnorm import normalize_for_search
    from rag.core.tokens import index_terms
    from rag.ingest.loaders import load_documents

    paths = sorted(SEEDS.glob("*.txt"))
    national = shared_dir() / "bench" / "reports_national"
    paths += sorted(national.glob("*.jsonl")) if national.exists() else []
    sentences: list[str] = []
    for path in paths:
        for doc in load_documents(path, 100_000_000):
            sentences.extend(s for s in re.split(r"(?<=[。！？；])", doc.text) if len(s.strip()) >= 8)
    random.Random(0).shuffle(sentences)
    return [index_terms(normalize_for_search(s)) for s in sentences[:size]]


def lexical_questions() -> list[str]:
    """The dev questions, normalized as the index normalizes them (FTS5 and Milvus rows ask the same)."""
    from rag.core.textnorm import normalize_for_search

    return [normalize_for_search(q) for q in dev_questions()]


def synthetic_chunks(n: int, pool: list[list[str]]) -> Iterator[tuple[str, str, str]]:
    """(chunk_id, report_id, space-joined terms) of ``n`` chunks of 3–8 pool sentences, seeded by ``n``: the
    FTS5 and Milvus rows index the very same chunks, so their top hits can be compared."""
    rng = random.Random(n)
    for i in range(n):
        terms = [term for _ in range(rng.randint(3, 8)) for term in pool[rng.randrange(len(pool))]]
        yield f"r{i // 100}:{i}", f"r{i // 100}", " ".join(terms)


def build_fts5(path: Path, n: int, pool: list[list[str]]) -> tuple[sqlite3.Connection, float]:
    """An FTS5 ``chunk_terms`` table (the real index's) over ``synthetic_chunks``; returns it and its build time."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE VIRTUAL TABLE chunk_terms USING fts5(chunk_id UNINDEXED, report_id UNINDEXED, terms, "
                 "tokenize = 'unicode61 remove_diacritics 0')")
    t = time.perf_counter()
    batch = []
    for row in synthetic_chunks(n, pool):
        batch.append(row)
        if len(batch) == 5000:
            conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", batch)
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", batch)
    conn.commit()
    return conn, time.perf_counter() - t


def lexical_pool(opts: BenchOptions) -> list[list[str]]:
    return _sentence_pool(2_000 if opts.quick else 30_000)
