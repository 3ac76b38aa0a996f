"""``reportqa bench``: speed, scale and quality of this install, measured in one run on one machine.

Sections (each can be skipped):

* **ingest** — reports/s, chunks/s and embedded passages/s for the seeds and the national reports, cold (empty
  embedding cache) and warm (every vector from the cache), each in a child process so its peak RSS is its own;
* **embedding** — passages/s of every embedding backend on the same passages, rounds interleaved so CPU
  contention hits all alike (the ratio to fp32 torch is taken per round), cosine to fp32, and retrieval quality
  (Recall@5 on the dev set and, unless ``--quick``, ncp_policy_qa) per backend;
* **query** — warm latency p50/p95/p99 of bm25/dense/hybrid search and of ``ask`` per engine (extractive;
  local with time to first token when the llm extra is installed);
* **scale** — synthetic corpora (10k/100k/1M chunks): FAISS flat vs HNSW vs IVF (build time, memory, query
  p95, recall@10 against flat) over clustered random unit vectors, and the FTS5 BM25 index over realistic text
  (sentences of the real reports recombined);
* **quality** — the ``reportqa eval`` tables (dev set, ncp_policy_qa, drcd_dev, cmrc2018_dev) per mode, BM25
  as the baseline, and the national rows (``national.py``: the national dev and blind sets on the seeds + national
  reports library — R@1/R@5 per mode, answer and refusal accuracy, wrong-year answers, per language);
* **load** — concurrent clients against the REST API on 127.0.0.1 (see :func:`load_test`).

Writes ``bench/results/<date>.json``, ``<date>.md`` (Markdown tables) and ``<date>.png`` (latency vs corpus
size). Timings on a shared CPU are noisy: compare the ratios inside one run, not absolute numbers across runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rag.core.config import Settings, get_settings
from rag.tools.bench.common import BenchOptions, machine_info, peak_rss_mb
from rag.tools.bench.embedding import bench_embedding
from rag.tools.bench.ingest import bench_ingest
from rag.tools.bench.load import bench_load, load_test, readers_under_uploads
from rag.tools.bench.quality import bench_quality
from rag.tools.bench.query import bench_query
from rag.tools.bench.report import markdown, write_results
from rag.tools.bench.scale import bench_scale, bench_vectors
from rag.tools.bench.synthetic import clustered_unit_vectors

# Section modules: common (options, helpers), ingest (+ __main__, the child process), embedding, query, scale,
# quality (+ national), load (REST), report (JSON/Markdown/plot). Re-exported here: what the CLI and the tests use.
__all__ = ["BenchOptions", "bench_vectors", "clustered_unit_vectors", "load_test", "markdown", "readers_under_uploads",
           "run_bench", "write_results"]


def run_bench(opts: BenchOptions, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    work = Path(opts.work_dir or Path(settings.index_dir) / "bench")
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.now()
    results: dict[str, Any] = {"date": started.isoformat(timespec="seconds"), "quick": opts.quick,
                               "machine": machine_info(),
                               "settings": {"embedding_model": settings.embedding_model,
                                            "embedding_backend": settings.embedding_backend,
                                            "index_kind": settings.index_kind, "search_mode": settings.search_mode}}
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "ingest": lambda: bench_ingest(settings, opts, work),
        "embedding": lambda: bench_embedding(settings, opts, work),
        "query": lambda: bench_query(settings, opts, work),
        "scale": lambda: bench_scale(opts, work),
        "quality": lambda: bench_quality(settings, opts),
        "load": lambda: bench_load(settings, opts, work),
    }
    for name, step in steps.items():
        if name not in opts.sections:
            continue
        t = time.perf_counter()
        try:
            results[name] = step()
        except Exception as exc:  # one failed section must not lose the others' numbers
            results[name] = {"error": f"{exc.__class__.__name__}: {exc}"}
        results.setdefault("section_seconds", {})[name] = round(time.perf_counter() - t, 1)
    results["peak_rss_mb"] = peak_rss_mb()
    results["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    return results
