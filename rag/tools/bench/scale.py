"""Synthetic corpora: FAISS flat vs HNSW vs IVF over clustered unit vectors, FTS5 BM25 over real sentences
(Milvus Lite over the same data: scale_milvus)."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from rag.tools.bench.common import DIM, BenchOptions, percentiles
from rag.tools.bench.synthetic import build_fts5, clustered_unit_vectors, lexical_pool, lexical_questions


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


def bench_lexical(sizes: Iterable[int], opts: BenchOptions, work: Path) -> list[dict[str, Any]]:
    """FTS5 BM25 over synthetic chunks made of 3–8 real sentences each (same terms as the real index)."""
    from rag.index.lexical import bm25_search

    pool = lexical_pool(opts)
    questions = lexical_questions()
    rows = []
    for n in sizes:
        opts.log(f"bench scale: FTS5 BM25 at {n:,} chunks")
        path = work / f"fts-{n}.db"
        conn, build_s = build_fts5(path, n, pool)
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


def milvus_rows(sizes: list[int], opts: BenchOptions, work: Path) -> list[dict[str, Any]]:
    """Milvus Lite rows at the same sizes, or one ``skipped`` row when pymilvus / Milvus Lite is missing.

    ``REPORTQA_BENCH_MILVUS`` picks the rows: a comma list of flat, hnsw, bm25, or ``none``."""
    try:
        import milvus_lite  # noqa: F401
        import pymilvus  # noqa: F401
    except ImportError as exc:
        return [{"skipped": f"{exc.name or 'pymilvus'} not installed"}]
    from rag.tools.bench.scale_milvus import KINDS, bench_milvus

    wanted = os.environ.get("REPORTQA_BENCH_MILVUS", ",".join(KINDS)).lower()
    kinds = tuple(k for k in KINDS if k in {w.strip() for w in wanted.split(",")})
    if not kinds:
        return [{"skipped": f"REPORTQA_BENCH_MILVUS={wanted}"}]
    return bench_milvus(sizes, opts, work, kinds=kinds)


def bench_scale(opts: BenchOptions, work: Path) -> dict[str, Any]:
    sizes = [s for s in opts.scale_sizes if not opts.quick or s <= 10_000] or [10_000]
    return {"sizes": sizes, "vectors": bench_vectors(sizes, opts), "lexical": bench_lexical(sizes, opts, work),
            "milvus": milvus_rows(sizes, opts, work)}
