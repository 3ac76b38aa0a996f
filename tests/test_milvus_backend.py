"""The Milvus search backend (Milvus Lite, real embedding model): same rankings as the local backend, filters
inside the engine, and the SQLite store of record healing the collection after crashes and failed writes.
(Every retrieval test taking ``backend_services`` also runs on it: tests/test_retrieval.py, test_year_prior.py.)"""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.core.config import get_settings
from rag.core.textnorm import normalize_for_search
from rag.index.milvus import MilvusIndex, MilvusIndexError, quote, report_filter
from rag.retrieve.hybrid import SearchFilters
from rag.service.resources import Services
from tests.conftest import SEEDS, indexed_ids

XISHI_FILE = "004_47fca0f5403c067d.txt"
JINZHOU_FILE = "003_a4fd2a1ae2d076c2.txt"


def found(services, item: dict) -> tuple[list[str], bool]:
    hits = services.search(item["question"], k=5).hits
    golds = [normalize_for_search(g) for g in item["gold_contains"]]
    return [h.chunk.chunk_id for h in hits], any(any(g in h.chunk.search_text for g in golds) for h in hits)


def test_both_backends_rank_the_dev_questions_alike(seed_services, milvus_seed_services, dev_qa):
    local = [found(seed_services, item) for item in dev_qa]
    milvus = [found(milvus_seed_services, item) for item in dev_qa]
    assert sum(hit for _, hit in milvus) == sum(hit for _, hit in local)  # Recall@5 equal
    same_top = sum(a[:1] == b[:1] for (a, _), (b, _) in zip(local, milvus, strict=True))
    assert same_top >= 0.95 * len(dev_qa)


def test_report_ids_are_quoted_into_the_filter_expression():
    assert report_filter(None) == ""
    assert report_filter(["b", "a"]) == 'report_id in ["a", "b"]'
    assert quote('x" or report_id != "') == '"x\\" or report_id != \\""'
    assert quote("a\\b\nc") == '"a\\\\b\\nc"'


def test_filters_are_milvus_expressions_not_python(milvus_seed_services, monkeypatch):
    index = milvus_seed_services.milvus
    seen: list[str] = []
    search = index.client.search

    def spy(*args, **kwargs):
        seen.append(kwargs.get("filter", ""))
        return search(*args, **kwargs)

    monkeypatch.setattr(index.client, "search", spy)
    hits = milvus_seed_services.search("地区生产总值", k=5, filters=SearchFilters(region="營口")).hits
    assert hits and {h.chunk.report_id for h in hits} == {"004_47fca0f5403c067d"}
    assert seen and all(f == 'report_id in ["004_47fca0f5403c067d"]' for f in seen)
    # A hostile report id stays a string literal: no error, no other report's rows.
    assert index.lexical("地区 生产", 5, ['x" or report_id != "']) == []


@pytest.fixture
def milvus_settings(test_settings, tmp_path):
    return test_settings.model_copy(update={"index_dir": tmp_path / "idx", "search_backend": "milvus"})


def test_a_crash_after_the_store_commit_is_found_by_check_and_healed_by_reindex(milvus_settings, tmp_path):
    shutil.copy(SEEDS / XISHI_FILE, tmp_path / "xishi.txt")
    shutil.copy(SEEDS / JINZHOU_FILE, tmp_path / "jinzhou.txt")
    with Services(milvus_settings) as services:
        services.ingest([tmp_path / "xishi.txt"])
        # The process dies after the store committed jinzhou and before Milvus got its rows:
        services.ingest([tmp_path / "jinzhou.txt"], index=False)
        report = services.check()
        assert not report.ok and report.missing and not report.orphans
        assert all(cid.startswith("jinzhou:") for cid in report.missing)
        runner = CliRunner()
        args = ["--index-dir", str(milvus_settings.index_dir), "reindex", "--check", "--json"]
        with pytest.MonkeyPatch.context() as env:
            env.setenv("REPORTQA_SEARCH_BACKEND", "milvus")
            get_settings.cache_clear()
            result = runner.invoke(app, args)
            assert result.exit_code == 1, result.output
            assert json.loads(result.stdout)["missing"] == len(report.missing)
            assert services.reindex().added == report.store_chunks
            result = runner.invoke(app, args)
            assert result.exit_code == 0 and json.loads(result.stdout)["ok"] is True
        get_settings.cache_clear()
        assert services.search("锦州市完成造林多少万亩？", k=1).hits[0].chunk.report_id == "jinzhou"


def test_a_write_failing_half_way_leaves_no_rows_of_the_new_report(milvus_settings, tmp_path, monkeypatch):
    shutil.copy(SEEDS / XISHI_FILE, tmp_path / "xishi.txt")
    shutil.copy(SEEDS / JINZHOU_FILE, tmp_path / "jinzhou.txt")
    with Services(milvus_settings) as services:
        services.ingest([tmp_path / "xishi.txt"])
        before = indexed_ids(services)
        monkeypatch.setattr("rag.index.milvus.WRITE_BATCH", 20)
        upsert, calls = services.milvus.client.upsert, []

        def failing(*args, **kwargs):
            calls.append(1)
            if len(calls) == 4:  # some batches of both reports written (Milvus Lite rewrites all), then it fails
                raise ConnectionError("Milvus went away")
            return upsert(*args, **kwargs)

        monkeypatch.setattr(services.milvus.client, "upsert", failing)
        with pytest.raises(MilvusIndexError, match="reindex"):
            services.ingest([tmp_path / "jinzhou.txt"])
        assert indexed_ids(services) == before  # jinzhou's first rows were deleted again
        assert services.store.report("jinzhou") is not None  # the store of record kept the report
        monkeypatch.setattr(services.milvus.client, "upsert", upsert)
        assert services.check().missing
        services.sync()
        assert services.check().ok


def test_orphan_rows_are_reported_and_removed(milvus_seed_services, tmp_path, milvus_settings):
    with Services(milvus_settings) as services:
        shutil.copy(SEEDS / XISHI_FILE, tmp_path / "xishi.txt")
        services.ingest([tmp_path / "xishi.txt"])
        index = services.milvus
        row = index.client.query(index.collection, filter='report_id == "xishi"', limit=1,
                                 output_fields=["chunk_id", "report_id", "report_year", "level", "region", "kind",
                                                "years", "key", "terms", "vector"])[0]
        index.client.insert(index.collection, [{**row, "chunk_id": "ghost:p0001", "report_id": "ghost"}])
        index.client.flush(index.collection)
        report = services.check()
        assert report.orphans == ["ghost:p0001"] and not report.ok
        assert services.search("西市區實名制就業多少人", k=3).hits  # an orphan never becomes a hit
        assert services.sync().removed == 1 and services.check().ok


def test_a_collection_of_another_model_is_rebuilt(milvus_settings, tmp_path):
    with Services(milvus_settings) as services:
        shutil.copy(SEEDS / XISHI_FILE, tmp_path / "xishi.txt")
        services.ingest([tmp_path / "xishi.txt"])
        other = MilvusIndex(milvus_settings, milvus_settings.index_dir, "another/model", services.embedder.dim)
        assert other.check(services.store).stale  # every row holds the other model's vectors
        other.ensure_collection()  # rebuilt, empty: sync re-embeds (from the cache)
        assert other.stored_keys() == {}


def test_index_parameters_reach_the_engine(test_settings, tmp_path):
    settings = test_settings.model_copy(update={"index_dir": tmp_path / "idx", "search_backend": "milvus",
                                                "index_kind": "hnsw", "hnsw_m": 24})
    index = MilvusIndex(settings, settings.index_dir, "test/model", 8)
    index.ensure_collection()
    vector = index.client.describe_index(index.collection, "vector")
    assert vector["index_type"] == "HNSW" and vector["params"]["M"] == 24
    assert index.client.describe_index(index.collection, "sparse")["params"] == {"bm25_k1": 1.2, "bm25_b": 0.75}
    index.close()
