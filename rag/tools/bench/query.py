"""Warm query latency over the seeds: search per mode, ``ask`` per local engine (with time to first token)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rag.core.config import Settings
from rag.tools.bench.common import BenchOptions, dev_questions, percentiles, seed_services


def bench_query(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    from rag.answer.engines import available_engines
    from rag.answer.pipeline import ask

    services = seed_services(settings, work / f"seeds-{settings.embedding_backend}")
    questions = dev_questions()
    repeats = 2 if opts.quick else 5
    out: dict[str, Any] = {"corpus": "seeds", "chunks": len(services.store.chunk_ids()), "search": {}, "ask": {}}
    for mode in ("bm25", "dense", "hybrid"):
        services.search("预热", k=1, mode=mode)
        times = []
        for _ in range(repeats):
            for q in questions:
                t = time.perf_counter()
                services.search(q, k=5, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        out["search"][mode] = percentiles(times)
    for engine in available_engines(settings):
        if engine == "openai":
            continue  # a remote endpoint measures the network, not this machine
        n = len(questions) if engine == "extractive" else (2 if opts.quick else 5)
        opts.log(f"bench query: ask with {engine} ({n} questions)")
        totals, firsts = [], []
        if engine != "extractive":
            ask(services, questions[0], None, engine)  # model load outside the timings
        for q in questions[:n]:
            first: list[float] = []
            t = time.perf_counter()

            def on_token(_token: str, first: list[float] = first, t: float = t) -> None:
                if not first:
                    first.append((time.perf_counter() - t) * 1000)

            result = ask(services, q, None, engine, on_token=on_token)
            totals.append((time.perf_counter() - t) * 1000)
            if first and not result.engine.startswith("extractive"):
                firsts.append(first[0])
        row: dict[str, Any] = {"total": percentiles(totals)}
        if firsts:
            row["first_token"] = percentiles(firsts)
        out["ask"][engine] = row
    services.close()
    return out
