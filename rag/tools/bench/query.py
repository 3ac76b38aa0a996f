"""Warm query latency over the seeds: search per mode, ``ask`` per local engine (with time to first token)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rag.core.config import Settings
from rag.tools.bench.common import BenchOptions, dev_questions, percentiles, seed_services

# The local engine as it answered before extract-then-phrase (top chunks, no prompt cache): the baseline that
# the ratios of the other local rows are taken against, in the same run on the same questions.
BASELINE = "local, top chunks (before)"


def ask_variants(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    """(row name, engine, settings changes) for each answer engine installed here; openai is left out (a remote
    endpoint measures the network, not this machine)."""
    from rag.answer.engines import local_installed

    variants: list[tuple[str, str, dict[str, Any]]] = [("extractive", "extractive", {})]
    for model in ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"):
        changed = settings.model_copy(update={"local_model": model})
        if not local_installed(changed):
            continue
        suffix = "" if model == settings.local_model else f" ({model})"
        if model == "qwen2.5-coder-1.5b":
            variants.append((BASELINE, "local", {"local_model": model, "llm_sentences": 0, "llm_cache_prompt": False}))
        variants.append((f"local{suffix}", "local", {"local_model": model}))
    return variants


def _with_settings(services: Any, updates: dict[str, Any]) -> Any:
    from rag.service.resources import Services

    return Services(services.settings.model_copy(update=updates), index_dir=services.index_dir)


def _time_asks(services: Any, questions: list[str], engine: str) -> dict[str, Any]:
    """Total time per question and, for answers an LLM wrote, time to its first token."""
    from rag.answer.pipeline import ask

    totals, firsts = [], []
    for q in questions:
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
    return row


def bench_query(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
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
    for name, engine, updates in ask_variants(settings):
        variant = services if not updates else _with_settings(services, updates)
        n = len(questions) if engine == "extractive" else (4 if opts.quick else 12)
        opts.log(f"bench query: ask with {name} ({n} questions)")
        if engine != "extractive":
            ask(variant, questions[1], None, engine)  # model load and the prompt's fixed part outside the timings
        out["ask"][name] = _time_asks(variant, questions[:n], engine)
        if variant is not services:
            variant.close()
    baseline = out["ask"].get(BASELINE)
    for name, row in out["ask"].items():
        if baseline and name != BASELINE and "first_token" in row and "first_token" in baseline:
            row["vs_before"] = {
                "first_token_p50": round(row["first_token"]["p50_ms"] / baseline["first_token"]["p50_ms"], 3),
                "total_p50": round(row["total"]["p50_ms"] / baseline["total"]["p50_ms"], 3)}
    services.close()
    return out
