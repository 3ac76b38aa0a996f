"""Synthetic corpora: FAISS flat vs HNSW vs IVF over clustered unit vectors, FTS5 BM25 over real sentences."""

from __future__ import annotations

import gc
import random
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rag.tools.bench.common import DIM, SEEDS, BenchOptions, dev_questions, percentiles, shared_dir


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


def _index_bytes(index: Any) -> int:
    """Size of the index as FAISS stores it (vectors, graph links, lists): what it needs in memory."""
    import faiss

    return int(faiss.serialize_index(index).size)


def _faiss_index(kind: str, n: int) -> Any:
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(DIM), {}
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 40
        index.hnsw.efSearch = 64
        return index, {"M": 32, "efConstruction": 40, "efSearch": 64}
    lists = int(min(1024, max(16, 4 * np.sqrt(n))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, lists, faiss.METRIC_INNER_PRODUCT)
    index.nprobe = 16
    return index, {"lists": lists, "nprobe": 16}


def bench_vectors(sizes: Iterable[int], opts: BenchOptions, queries: int = 200) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        both = clustered_unit_vectors(n + queries)  # queries: held-out points of the same clusters
        data, q = both[:n], both[n:]
        del both
        rng = np.random.default_rng(1)
        truth = None
        for kind in ("flat", "hnsw", "ivf"):
            if kind == "hnsw" and n > opts.hnsw_max:
                rows.append({"n": n, "index": kind, "skipped": f"n > --hnsw-max {opts.hnsw_max}"})
                continue
            opts.log(f"bench scale: {kind} at {n:,} vectors")
            gc.collect()
            index, params = _faiss_index(kind, n)
            t = time.perf_counter()
            if kind == "ivf":
                index.train(data[rng.integers(0, n, min(n, 64 * index.nlist))])
            index.add(data)
            build_s = time.perf_counter() - t
            memory = _index_bytes(index)
            # HNSW: also a wider search (same graph); IVF: more lists probed
            settings = {"hnsw": [64, 256], "ivf": [16, 64]}.get(kind, [None])
            for setting in settings:
                label = kind
                if kind == "hnsw" and setting:
                    index.hnsw.efSearch = setting
                    label = f"hnsw ef{setting}"
                elif kind == "ivf" and setting:
                    index.nprobe = setting
                    label = f"ivf nprobe{setting}"
                latencies, found = [], []
                for i in range(queries):
                    t = time.perf_counter()
                    _, labels = index.search(q[i:i + 1], 10)
                    latencies.append((time.perf_counter() - t) * 1000)
                    found.append(labels[0])
                found_arr = np.array(found)
                if kind == "flat":
                    truth = found_arr
                recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found_arr, truth, strict=True)]))
                rows.append({**percentiles(latencies), "n": n, "queries": queries, "index": label,
                             "params": {**params, **({"search": setting} if setting else {})},
                             "build_s": round(build_s, 2), "memory_mb": round(memory / 2**20, 1),
                             "bytes_per_vector": round(memory / n), "recall@10_vs_flat": round(recall, 4)})
            del index
        del data
        gc.collect()
    return rows


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


def bench_lexical(sizes: Iterable[int], opts: BenchOptions, work: Path) -> list[dict[str, Any]]:
    """FTS5 BM25 over synthetic chunks made of 3–8 real sentences each (same terms as the real index)."""
    from rag.core.textnorm import normalize_for_search
    from rag.index.lexical import bm25_search

    pool = _sentence_pool(2_000 if opts.quick else 30_000)
    questions = [normalize_for_search(q) for q in dev_questions()]
    rows = []
    for n in sizes:
        opts.log(f"bench scale: FTS5 BM25 at {n:,} chunks")
        path = work / f"fts-{n}.db"
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("CREATE VIRTUAL TABLE chunk_terms USING fts5(chunk_id UNINDEXED, report_id UNINDEXED, terms, "
                     "tokenize = 'unicode61 remove_diacritics 0')")
        rng = random.Random(n)
        t = time.perf_counter()
        batch = []
        for i in range(n):
            terms = [term for _ in range(rng.randint(3, 8)) for term in pool[rng.randrange(len(pool))]]
            batch.append((f"r{i // 100}:{i}", f"r{i // 100}", " ".join(terms)))
            if len(batch) == 5000:
                conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", batch)
                batch.clear()
        if batch:
            conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", batch)
        conn.commit()
        build_s = time.perf_counter() - t
        latencies = []
        for _ in range(2):
            for question in questions:
                t = time.perf_counter()
                bm25_search(conn, question, 50)
                latencies.append((time.perf_counter() - t) * 1000)
        conn.close()
        size_mb = path.stat().st_size / 2**20
        path.unlink(missing_ok=True)
        rows.append({**percentiles(latencies), "n": n, "queries": len(latencies), "index": "fts5-bm25",
                     "build_s": round(build_s, 2), "disk_mb": round(size_mb, 1)})
    return rows


def bench_scale(opts: BenchOptions, work: Path) -> dict[str, Any]:
    sizes = [s for s in opts.scale_sizes if not opts.quick or s <= 10_000] or [10_000]
    return {"sizes": sizes, "vectors": bench_vectors(sizes, opts), "lexical": bench_lexical(sizes, opts, work)}
