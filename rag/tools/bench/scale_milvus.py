"""Milvus Lite beside FAISS and FTS5 in ``bench --only scale``, on the same synthetic data, so the README can say
at what corpus size the Milvus backend (rag/index/milvus.py) starts to pay off.

- **Same data**: the vectors of ``bench_vectors`` (same n, same held-out queries; recall against exact FAISS
  flat) and the chunks of ``bench_lexical`` (``synthetic_chunks``; top 10 compared with FTS5's on the same
  chunks). Queries are built as ``MilvusIndex.lexical`` builds them.
- **Same fields** as ``MilvusIndex._create``, but one collection per row (FLAT, HNSW, BM25) so that each cost
  is attributable and each row can be skipped alone; the product's collection costs about BM25 + one dense row.
- **One spawned process per row**: Milvus Lite 3.x is pure Python and runs in-process; a fresh process measures
  its memory cleanly (peak RSS, not what an earlier row left in the allocator), frees it for sure afterwards,
  and an out-of-memory kill costs one row, not the whole run.
- **Guard**: each row's memory and time are projected linearly from the previous size (priors measured on a
  2-core machine for the first size); a row that would pass ~12 GB or ~25 minutes is skipped with the figures.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from rag.tools.bench.common import DIM, BenchOptions, percentiles

KINDS = ("flat", "hnsw", "bm25")
LABELS = {"flat": "milvus-lite FLAT", "hnsw": "milvus-lite HNSW", "bm25": "milvus-lite BM25"}
BATCH = 5_000
HNSW_BUILD = {"M": 32, "efConstruction": 40}  # the FAISS hnsw row's parameters
HNSW_EF = 64
MEMORY_LIMIT_GB = 12.0
TIME_LIMIT_MIN = 25.0
QUERY_BUDGET_S = 120.0  # dense queries stop after this (at least MIN_QUERIES): FLAT at 1M takes ~2 s each
MIN_QUERIES = 20
# First-size priors per row: (transient MB, resident MB per 1k rows, seconds per 1k rows incl. queries); later
# sizes scale the previous size's measurement instead. Measured at 100k–200k rows on 2 shared cores (Milvus Lite
# 3.2.2) and rounded up: dense rows peak ~1.5 GB above their resident size while inserting, at 100k and 200k.
PRIORS = {"flat": (1600.0, 6.0, 0.8), "hnsw": (1600.0, 6.0, 1.5), "bm25": (400.0, 45.0, 1.2)}
COLLECTION = "bench"


def _proc_status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> bool:
    """Reset VmHWM (Linux ≥ 4.0) so the peak is the build's, not the data generation's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def _collection(client: Any, kind: str) -> None:
    """The product's fields for this row (``rag.index.milvus``'s own builders): chunk_id/report_id, then
    terms→BM25→sparse or the dense vector. ``_applied`` reads back the build parameters the engine got."""
    from pymilvus import DataType, MilvusClient

    from rag.index.milvus import add_lexical_field, add_vector_field

    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
    schema.add_field("report_id", DataType.VARCHAR, max_length=256)
    index = client.prepare_index_params()
    if kind == "bm25":
        add_lexical_field(schema, index, {"tokenizer": "standard"})
    else:
        add_vector_field(schema, index, DIM, kind.upper(), HNSW_BUILD if kind == "hnsw" else {})
    index.add_index(field_name="report_id", index_type="INVERTED")
    client.create_collection(COLLECTION, schema=schema, index_params=index)


def _engine_collection(path: Path) -> Any:
    """The in-process engine's collection (private Milvus Lite API; None when it is not reachable)."""
    try:
        from milvus_lite.server_manager import server_manager_instance

        return server_manager_instance._servers[os.path.abspath(path)][1].get_collection(COLLECTION)
    except Exception:  # another Milvus Lite version
        return None


def _applied(path: Path, field: str) -> dict[str, Any] | None:
    """The build parameters the engine stored for ``field`` (None when unknown)."""
    spec = getattr(_engine_collection(path), "_index_specs", {}).get(field)
    return dict(spec.build_params) if spec is not None else None


def _drain_background(path: Path) -> bool:
    """Wait for Milvus Lite's post-flush compaction and index build: ``flush`` returns once the data is on disk
    and builds HNSW in a background thread, so without this the build time is short and the first searches
    run brute force. Private API (in-process server only); False when it is not reachable."""
    collection = _engine_collection(path)
    if collection is None or not hasattr(collection, "_wait_for_bg"):
        return False
    collection._wait_for_bg()
    return True


def _run_row(kind: str, n: int, work: str, queries: int, pool: list[list[str]],
             questions: list[str]) -> dict[str, Any]:
    """One row, in a fresh process: build the collection, search it, measure, remove everything."""
    os.dup2(2, 1)  # Milvus Lite and pymilvus must not write into the parent's --json stdout
    from milvus_lite.server_manager import server_manager_instance
    from pymilvus import MilvusClient

    from rag.index.milvus import BM25_PARAMS, lexical_query
    from rag.tools.bench.synthetic import clustered_unit_vectors, synthetic_chunks

    data = q = truth = None
    if kind != "bm25":
        import faiss

        both = clustered_unit_vectors(n + queries)  # as bench_vectors: same data, same held-out queries
        data, q = both[:n], both[n:]
        exact = faiss.IndexFlatIP(DIM)
        exact.add(data)
        truth = exact.search(q, 10)[1]
        del exact, both
    gc.collect()
    path = Path(work) / f"milvus-{n}-{kind}.db"
    shutil.rmtree(path, ignore_errors=True)
    client = MilvusClient(uri=str(path))  # starts the in-process server: a fixed cost, not counted
    try:
        _collection(client, kind)
        gc.collect()
        base_mb = _proc_status_mb("VmRSS")
        peak_ok = _reset_peak()
        t0 = time.perf_counter()
        if kind == "bm25":
            batch: list[dict[str, Any]] = []
            for chunk_id, report_id, terms in synthetic_chunks(n, pool):  # generated inside the timing, as FTS5
                batch.append({"chunk_id": chunk_id, "report_id": report_id, "terms": terms})
                if len(batch) == BATCH:
                    client.insert(COLLECTION, batch)
                    batch = []
            if batch:
                client.insert(COLLECTION, batch)
        else:
            assert data is not None
            for start in range(0, n, BATCH):
                client.insert(COLLECTION, [{"chunk_id": f"r{i // 100}:{i}", "report_id": f"r{i // 100}",
                                            "vector": data[i]} for i in range(start, min(n, start + BATCH))])
        insert_s = time.perf_counter() - t0
        client.flush(COLLECTION)  # without it searches scan the unindexed memtable
        drained = _drain_background(path)
        client.load_collection(COLLECTION)
        ready_s = time.perf_counter() - t0

        if kind == "bm25":
            texts = [lexical_query(x) for x in questions]
            field, limit, params = "sparse", 50, {"metric_type": "BM25", "params": {}}
            asked: list[Any] = [t for t in texts if t.strip()] * 2  # as bench_lexical: every question twice
        else:
            assert q is not None
            texts = []
            field, limit = "vector", 10
            params = {"metric_type": "IP", "params": {"ef": HNSW_EF} if kind == "hnsw" else {}}
            asked = [q[i] for i in range(queries)]

        def search(x: Any) -> list[str]:
            hits = client.search(COLLECTION, data=[x], anns_field=field, limit=limit, search_params=params,
                                 output_fields=["chunk_id"])
            return [str(h["chunk_id"]) for h in hits[0]]

        t = time.perf_counter()
        search(asked[0])  # Milvus Lite builds each segment's BM25 posting lists at the first search
        first_query_s = time.perf_counter() - t
        latencies, found = [], []
        started = time.perf_counter()
        for x in asked:
            if kind != "bm25" and len(found) >= MIN_QUERIES and time.perf_counter() - started > QUERY_BUDGET_S:
                break
            t = time.perf_counter()
            found.append(search(x))
            latencies.append((time.perf_counter() - t) * 1000)
        total_s = time.perf_counter() - t0
        rss_mb = _proc_status_mb("VmRSS") - base_mb
        peak_mb = _proc_status_mb("VmHWM") - base_mb if peak_ok else rss_mb
        disk_mb = _dir_mb(path)
        row: dict[str, Any] = {
            **percentiles(latencies), "n": n, "queries": len(latencies), "index": LABELS[kind],
            "params": ({**HNSW_BUILD, "ef": HNSW_EF} if kind == "hnsw" else BM25_PARAMS if kind == "bm25" else {}),
            "build_s": round(ready_s + first_query_s, 2), "insert_s": round(insert_s, 2),
            "first_query_s": round(first_query_s, 2), "total_s": round(total_s, 1),
            "memory_mb": round(rss_mb, 1), "peak_mb": round(peak_mb, 1), "disk_mb": round(disk_mb, 1),
            "memory": "process RSS growth after build + queries; peak: VmHWM growth during them",
            "index_build_awaited": drained,
            "params_applied": _applied(path, "sparse" if kind == "bm25" else "vector")}
        if kind == "bm25":
            by_text = {x: hits[:10] for x, hits in zip(asked, found, strict=True)}
            row["top10"] = [by_text.get(x, []) for x in texts]
        else:
            assert truth is not None
            ids = [[int(c.split(":")[1]) for c in hits] for hits in found]
            row["recall@10_vs_flat"] = round(float(np.mean(
                [len(set(a) & set(b.tolist())) / 10 for a, b in zip(ids, truth[:len(ids)], strict=True)])), 4)
        return row
    finally:
        client.close()
        server_manager_instance.release_server(str(path))
        shutil.rmtree(path, ignore_errors=True)


def _fts5_top10(n: int, pool: list[list[str]], questions: list[str], work: Path) -> list[list[str]]:
    """FTS5's top 10 per question on the same chunks (built as bench_lexical builds it), for the overlap."""
    from rag.index.lexical import bm25_search
    from rag.tools.bench.synthetic import build_fts5

    path = work / f"fts-vs-milvus-{n}.db"
    conn, _ = build_fts5(path, n, pool)
    try:
        return [[cid for cid, _ in bm25_search(conn, x, 10)] for x in questions]
    finally:
        conn.close()
        path.unlink(missing_ok=True)


def available_memory_gb() -> float:
    """Memory a new process can take: the kernel's MemAvailable (free pages plus the page cache it can drop),
    not the free pages alone, which a machine that has just read a 1 GB model file has few of."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20  # kB
    except (OSError, ValueError, IndexError):
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / 2**30


def _guard(kind: str, n: int, last: dict[str, tuple[int, float, float, float]]) -> str | None:
    """Why this row is skipped (projected GB / minutes over the limits), or None to run it. The resident memory
    and the time scale linearly with n; the transient part of the peak (insert buffers) is taken as fixed."""
    if kind in last:
        prev_n, resident_mb, peak_mb, total_s = last[kind]
        ratio, source = n / prev_n, f"{prev_n:,} rows"
        gb, minutes = (peak_mb - resident_mb + resident_mb * ratio) / 1024, total_s * ratio / 60
    else:
        fixed_mb, mb_k, s_k = PRIORS[kind]
        gb, minutes, source = (fixed_mb + mb_k * n / 1000) / 1024, s_k * n / 1000 / 60, "priors"
    available = available_memory_gb()
    limit_gb = min(MEMORY_LIMIT_GB, 0.8 * available)
    if gb > limit_gb or minutes > TIME_LIMIT_MIN:
        return (f"projected {gb:.1f} GB peak, {minutes:.0f} min (from {source}); limits {limit_gb:.1f} GB "
                f"(12 GB or 80% of {available:.1f} GB available), {TIME_LIMIT_MIN:.0f} min")
    return None


def bench_milvus(sizes: list[int], opts: BenchOptions, work: Path, kinds: tuple[str, ...] = KINDS,
                 queries: int = 200) -> list[dict[str, Any]]:
    """Rows ``milvus-lite FLAT/HNSW`` (top 10, recall vs exact) and ``milvus-lite BM25`` (top 50, top-10 overlap
    with FTS5) at each size; skipped rows say why."""
    from rag.tools.bench.synthetic import lexical_pool, lexical_questions

    pool = lexical_pool(opts) if "bm25" in kinds else []
    questions = lexical_questions() if "bm25" in kinds else []
    work.mkdir(parents=True, exist_ok=True)
    last: dict[str, tuple[int, float, float, float]] = {}
    rows: list[dict[str, Any]] = []
    for n in sorted(sizes):
        for kind in kinds:
            if reason := _guard(kind, n, last):
                opts.log(f"bench scale: {LABELS[kind]} at {n:,} skipped: {reason}")
                rows.append({"n": n, "index": LABELS[kind], "skipped": reason})
                continue
            fts_top = _fts5_top10(n, pool, questions, work) if kind == "bm25" else []
            opts.log(f"bench scale: {LABELS[kind]} at {n:,} rows")
            try:
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as child:
                    row = child.submit(_run_row, kind, n, str(work), queries, pool, questions).result()
            except BrokenProcessPool:
                rows.append({"n": n, "index": LABELS[kind], "error": "the benchmark process died (out of memory?)"})
                continue
            except Exception as exc:  # one failed row must not lose the others
                rows.append({"n": n, "index": LABELS[kind], "error": f"{type(exc).__name__}: {exc}"[:300]})
                continue
            if kind == "bm25":
                pairs = [(set(f), m) for f, m in zip(fts_top, row.pop("top10"), strict=False) if f]
                row["overlap@10_vs_fts5"] = round(float(np.mean([len(f & set(m)) / len(f) for f, m in pairs])),
                                                  4) if pairs else None
            last[kind] = (n, max(row["memory_mb"], 1.0), max(row["peak_mb"], row["memory_mb"], 1.0), row["total_s"])
            rows.append(row)
    return rows
