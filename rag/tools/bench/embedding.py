"""Embedding backends compared on the same passages: speed (interleaved rounds), cosine to fp32, quality."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

import numpy as np

from rag.core.config import Settings
from rag.tools.bench.common import BenchOptions, dev_questions, passage_sample
from rag.tools.bench.quality import quality_for


def bench_embedding(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    from embeddings.model import Embedder

    n = 48 if opts.quick else 128
    rounds = 3 if opts.quick else 5
    texts = passage_sample(n)
    embedders = {}
    load_s = {}
    for backend in opts.backends:
        t = time.perf_counter()
        embedder = Embedder(settings.embedding_model, settings.cache_dir, batch_size=settings.embedding_batch_size,
                            threads=settings.embedding_threads or None, backend=backend)
        embedder.encode_passages(texts[:4])
        load_s[backend] = round(time.perf_counter() - t, 2)
        embedders[backend] = embedder
    base = opts.backends[0]
    seconds: dict[str, list[float]] = {b: [] for b in embedders}
    vectors: dict[str, np.ndarray] = {}
    for r in range(rounds):
        opts.log(f"bench embedding: round {r + 1}/{rounds}")
        for backend, embedder in embedders.items():
            t = time.perf_counter()
            vectors[backend] = embedder.encode_passages(texts)
            seconds[backend].append(time.perf_counter() - t)
    questions = dev_questions()[:20]
    out: dict[str, Any] = {"passages": len(texts), "rounds": rounds,
                           "mean_chars": round(float(np.mean([len(t) for t in texts])), 1), "backends": {}}
    for backend, embedder in embedders.items():
        per_round = [len(texts) / s for s in seconds[backend]]
        ratios = [b / s for b, s in zip(seconds[base], seconds[backend], strict=True)]
        cos = np.sum(vectors[backend] * vectors[base], axis=1)
        query_ms = []
        for q in questions:
            t = time.perf_counter()
            embedder.encode_queries([q])
            query_ms.append((time.perf_counter() - t) * 1000)
        out["backends"][backend] = {
            "model_id": embedder.model_id, "load_s": load_s[backend],
            "passages_per_s_best": round(max(per_round), 2),
            "passages_per_s_median": round(float(np.median(per_round)), 2),
            "speedup_vs_fp32_median": round(float(np.median(ratios)), 2),
            "cosine_vs_fp32_min": round(float(cos.min()), 4), "cosine_vs_fp32_mean": round(float(cos.mean()), 4),
            "query_p50_ms": round(float(np.median(query_ms)), 1),
        }
    embedders.clear()
    gc.collect()
    # retrieval quality per backend, each in its own index (vectors of different backends never mix)
    for backend in opts.backends:
        opts.log(f"bench embedding: quality with {backend}")
        quality = quality_for(settings.model_copy(update={"embedding_backend": backend}),
                               work / f"backend-{backend}", include_beir=() if opts.quick else ("ncp_policy_qa",),
                               modes=["dense", "hybrid"])
        out["backends"][backend]["quality"] = quality
    return out
