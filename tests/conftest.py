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


BACKENDS = ("local", "milvus")


@pytest.fixture(scope="session")
def milvus_seed_services(test_settings, tmp_path_factory):
    """The five seeds indexed in Milvus Lite (REPORTQA_SEARCH_BACKEND=milvus); vectors come from the shared cache."""
    from rag.service.resources import Services

    settings = test_settings.model_copy(update={"index_dir": tmp_path_factory.mktemp("milvus_index"),
                                                "search_backend": "milvus"})
    services = Services(settings)
    outcomes = services.ingest([SEEDS])
    assert all(o.status == "added" for o in outcomes)
    yield services
    services.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend_services(request):
    """The indexed seeds on each search backend: tests taking it run on local (FTS5 + FAISS) and Milvus Lite."""
    return request.getfixturevalue("seed_services" if request.param == "local" else "milvus_seed_services")


def indexed_ids(services) -> set[str]:
    """Chunk ids the search backend of ``services`` holds (FAISS ids, or the Milvus collection's)."""
    if services.uses_milvus:
        return set(services.milvus.stored_keys())
    return services.vectors.ids()


class HashEmbedder:
    """Deterministic stand-in vectors for tests that search by BM25 only on Milvus (whose rows must carry a
    vector): a library of 57 reports indexes in seconds instead of minutes of real embedding."""

    model_id = "test-hash-8"
    dim = 8

    def encode_passages(self, texts: list[str], show_progress: bool = False):
        import hashlib

        import numpy as np

        rows = [np.frombuffer(hashlib.sha256(t.encode("utf-8")).digest()[:32], dtype=np.uint8)[: self.dim]
                for t in texts]
        matrix = np.array(rows, dtype=np.float32) + 1.0
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)

    encode_queries = encode_passages


def bm25_milvus(services, tmp_path):
    """Index the stored reports of ``services`` in Milvus Lite with :class:`HashEmbedder` vectors and make it
    the search backend (BM25-mode searches then run in Milvus)."""
    from embeddings.cache import EmbeddingCache
    from rag.index.milvus import MilvusIndex

    settings = services.settings.model_copy(update={"search_backend": "milvus"})
    services.settings = settings
    index = MilvusIndex(settings, services.index_dir, HashEmbedder.model_id, HashEmbedder.dim)
    index.sync(services.store, HashEmbedder(), EmbeddingCache(tmp_path / "hash_cache.db"))
    services.__dict__["milvus"] = index
    return index
