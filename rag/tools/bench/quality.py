"""Retrieval quality tables (the ``reportqa eval`` runs) per search mode, BM25 as the baseline; the national
rows (retrieval and answers on the seeds + national library) unless ``--quick``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rag.core.config import Settings
from rag.tools.bench.common import BenchOptions, seed_services, shared_dir
from rag.tools.bench.national import national_quality


def quality_for(settings: Settings, index_root: Path, include_beir: Iterable[str],
                 modes: list[str] | None = None) -> dict[str, Any]:
    from rag.service.resources import Services
    from rag.tools import evaluation as ev

    modes = modes or ["bm25", "dense", "hybrid"]
    out: dict[str, Any] = {}
    dev = shared_dir() / "eval" / "dev_qa.jsonl"
    if dev.exists():
        services = seed_services(settings, index_root / "seeds")
        out["dev_qa"] = {"n": 0, "modes": ev.run_eval(services, ev.qa_queries(dev), modes)}
        out["dev_qa"]["n"] = len(ev.qa_queries(dev))
        services.close()
    for name in include_beir:
        folder = shared_dir() / "bench" / "beir" / name
        if not (folder / "corpus.jsonl").exists():
            continue
        corpus, query_texts, qrels = ev.load_beir(folder)
        with Services(settings, index_dir=index_root / "beir" / name) as services:
            mapping = ev.index_beir(services, corpus, settings)
            queries = ev.beir_queries(query_texts, qrels, mapping)
            out[name] = {"n": len(queries), "modes": ev.run_eval(services, queries, modes)}
    return out


def bench_quality(settings: Settings, opts: BenchOptions) -> dict[str, Any]:
    beir = () if opts.quick else opts.datasets
    # the same index directories as `reportqa eval --beir`, so a run after an eval reuses its vectors
    root = Path(settings.index_dir)
    out = quality_for(settings, root / "bench-quality", beir)
    if opts.quick:
        out["national"] = {"skipped": "national rows are not part of --quick (their library takes minutes to build)"}
    else:
        out.update(national_quality(settings, root / "bench-quality" / "national", opts.national_sets, log=opts.log))
    return out
