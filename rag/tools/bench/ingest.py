"""Ingest/index throughput, cold and warm embedding cache, each phase in a child process (its own peak RSS).

The child is ``python -m rag.tools.bench ingest JSON_ARGS`` (see ``__main__.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.core.config import Settings, get_settings
from rag.tools.bench.common import REPO, SEEDS, BenchOptions, peak_rss_mb, shared_dir


def _ingest_phase(args: dict[str, Any]) -> dict[str, Any]:
    """Runs in a child: ingest ``paths`` into ``index_dir`` with the embedding cache at ``cache_db``."""
    from embeddings.cache import EmbeddingCache
    from rag.service.resources import Services

    settings = get_settings().model_copy(update={"embedding_backend": args["backend"]})
    services = Services(settings, index_dir=Path(args["index_dir"]))
    services.__dict__["cache"] = EmbeddingCache(Path(args["cache_db"]))
    t = time.perf_counter()
    _ = services.embedder.model  # model load, reported apart from throughput
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    outcomes = services.ingest([Path(p) for p in args["paths"]], index=False)
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    stats = services.sync()  # the configured backend's index: FAISS, or the Milvus collection
    index_s = time.perf_counter() - t
    services.close()
    reports = sum(o.status in ("added", "replaced") for o in outcomes)
    chunks = sum(o.report.n_chunks for o in outcomes if o.report is not None and o.status in ("added", "replaced"))
    total = parse_s + index_s
    return {
        "search_backend": settings.search_backend, "reports": reports, "chunks": chunks, "embedded": stats.embedded,
        "from_cache": stats.from_cache,
        "model_load_s": round(load_s, 2), "parse_store_s": round(parse_s, 2), "index_s": round(index_s, 2),
        "total_s": round(total, 2), "reports_per_s": round(reports / total, 3) if total else None,
        "chunks_per_s": round(chunks / total, 1) if total else None,
        "embedded_per_s": round(stats.embedded / index_s, 2) if stats.embedded and index_s else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(phase: str, args: dict[str, Any], timeout: float = 3600) -> dict[str, Any]:
    """Run one phase in a fresh interpreter (clean peak RSS, cold process) and return its JSON result."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run([sys.executable, "-m", "rag.tools.bench", phase, json.dumps(args)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=REPO)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"{phase} failed (exit {proc.returncode}): {tail[0]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_ingest(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    corpora = {"seeds": [str(SEEDS)]}
    national = shared_dir() / "bench" / "reports_national"
    if national.exists() and not opts.quick:
        corpora["national (52)"] = [str(national)]
    out: dict[str, Any] = {"backend": settings.embedding_backend}
    for name, paths in corpora.items():
        cache_db = work / f"ingest-cache-{name.split()[0]}.db"
        cache_db.unlink(missing_ok=True)
        rows = {}
        for phase in ("cold", "warm"):
            index_dir = Path(tempfile.mkdtemp(prefix=f"ingest-{phase}-", dir=work))
            opts.log(f"bench ingest: {name} {phase}")
            rows[phase] = run_child("ingest", {"paths": paths, "index_dir": str(index_dir),
                                               "cache_db": str(cache_db), "backend": settings.embedding_backend})
        out[name] = rows
    return out
