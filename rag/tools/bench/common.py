"""Shared pieces of ``reportqa bench``: options, paths, percentiles, memory, machine facts, sample inputs."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.core.config import Settings

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO / "seeds"
SCALE_SIZES = (10_000, 100_000, 1_000_000)
DIM = 384
# The national question sets (dev, blind): asked of one library of the seeds + the 52 national reports.
NATIONAL_SETS = (REPO / "tests" / "data" / "national_qa.jsonl", REPO / "tests" / "data" / "national_blind_qa.jsonl")


def shared_dir() -> Path:
    return Path(os.environ.get("REPORTQA_SHARED", REPO.parent / "shared"))


@dataclass
class BenchOptions:
    """What to run; ``quick`` shrinks every section to a smoke run of a few minutes."""

    quick: bool = False
    sections: tuple[str, ...] = ("ingest", "embedding", "query", "scale", "quality", "load")
    scale_sizes: tuple[int, ...] = SCALE_SIZES
    hnsw_max: int = 1_000_000
    backends: tuple[str, ...] = ("torch", "onnx-int8")
    datasets: tuple[str, ...] = ("ncp_policy_qa", "drcd_dev", "cmrc2018_dev")
    national_sets: tuple[Path, ...] = NATIONAL_SETS
    load_clients: int = 20
    load_seconds: float = 60.0
    out_dir: Path = REPO / "bench" / "results"
    work_dir: Path | None = None
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


def percentiles(values_ms: Iterable[float]) -> dict[str, float]:
    values = np.array(list(values_ms) or [0.0])
    return {"n": int(values.size), **{f"p{p}_ms": round(float(np.percentile(values, p)), 2) for p in (50, 95, 99)}}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine_info() -> dict[str, Any]:
    from importlib import metadata

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
            "load_avg_start": [round(x, 2) for x in os.getloadavg()],
            **{name: version(name) for name in ("torch", "faiss-cpu", "onnxruntime", "sentence-transformers")}}


def passage_sample(n: int) -> list[str]:
    """Passages exactly as indexing embeds them (context header + chunk text), from the seeds."""
    from rag.index.vectors import passage_text
    from rag.ingest.loaders import load_documents
    from rag.ingest.parser import parse_document

    texts: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for doc in load_documents(path, 50_000_000):
            texts.extend(passage_text(c) for c in parse_document(doc).chunks)
    return texts[:n]


def dev_questions() -> list[str]:
    path = shared_dir() / "eval" / "dev_qa.jsonl"
    if not path.exists():
        return ["凌河区2022年固定资产投资完成多少？", "How fast did GDP grow?", "就业目标是什么？"]
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_services(settings: Settings, index_dir: Path) -> Any:
    from rag.service.resources import Services

    services = Services(settings, index_dir=index_dir)
    services.ingest([SEEDS])
    return services
