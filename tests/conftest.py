"""Shared fixtures: paths to the seeds and to ../shared, parsed seeds, a scratch index directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = Path(os.environ.get("REPORTQA_SHARED", REPO.parent / "shared"))
DEV_QA = SHARED / "eval" / "dev_qa.jsonl"
NATIONAL = SHARED / "bench" / "reports_national" / "national_reports_1954_2025_clean.jsonl"


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (set REPORTQA_SHARED)")
    return path


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def parsed_seeds(seed_files):
    from rag.ingest.loaders import load_documents
    from rag.ingest.parser import parse_document

    return {p.name: parse_document(load_documents(p, 20_000_000)[0]) for p in seed_files}


@pytest.fixture(scope="session")
def dev_qa() -> list[dict]:
    path = need_shared(DEV_QA)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory):
    """Settings for tests: real model cached across runs in the user cache; indexes in temp dirs."""
    from rag.core.config import Settings

    return Settings(index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def seed_services(test_settings):
    """The five seeds ingested and indexed with the real embedding model (shared, read-only)."""
    from rag.service.resources import Services

    services = Services(test_settings)
    outcomes = services.ingest([SEEDS])
    assert all(o.status in ("added", "unchanged") for o in outcomes)
    yield services
    services.close()


@pytest.fixture(scope="session")
def store_services(tmp_path_factory):
    """The five seeds stored without embeddings (ledger, summaries, comparison need no model)."""
    from rag.core.config import Settings
    from rag.service.resources import Services

    services = Services(Settings(index_dir=tmp_path_factory.mktemp("store_index")))
    outcomes = services.ingest([SEEDS], index=False)
    assert all(o.status == "added" for o in outcomes)
    yield services
    services.close()
