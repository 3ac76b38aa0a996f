"""Retrieval with real components: the real embedding model on both search backends (SQLite FTS5 + FAISS, and
Milvus Lite): tests taking ``backend_services`` or ``backend`` run on each."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from embeddings.vector_store import FaissVectorStore, VectorIndexError
from rag.index.vectors import vector_path
from rag.retrieve.hybrid import SearchFilters
from rag.service.resources import Services
from tests.conftest import BACKENDS, SEEDS, indexed_ids

LINGHE = "000_748cc8dca99de2ec"
QILIN = "001_377fd206c21df32a"
XISHI = "004_47fca0f5403c067d"


def top_ids(services, question, mode="hybrid", k=5, filters=None):
    return [h.chunk.chunk_id for h in services.search(question, k=k, mode=mode, filters=filters).hits]


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_faiss_round_trip_add_remove(tmp_path, kind):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"r:p{i:04d}" for i in range(300)]
    store = FaissVectorStore(tmp_path / "v.npz", "m", 16, kind, ivf_lists=8)
    store.add(ids, vectors, [str(i) for i in range(300)])
    assert store.search(vectors[7], 1)[0][0] == ids[7]
    store.save()
    loaded = FaissVectorStore.load(tmp_path / "v.npz", "m", ivf_lists=8)
    assert len(loaded) == 300 and loaded.key_of[ids[3]] == "3"
    assert loaded.search(vectors[42], 3)[0][0] == ids[42]
    assert loaded.remove(ids[:100]) == 100
    assert len(loaded) == 200 and ids[7] not in loaded.ids()
    assert loaded.search(vectors[150], 1)[0][0] == ids[150]
    allowed = {ids[200], ids[201]}
    assert {cid for cid, _ in loaded.search(vectors[150], 5, allowed)} <= allowed


def test_atomic_save_survives_a_crash(tmp_path, monkeypatch):
    store = FaissVectorStore(tmp_path / "v.npz", "m", 4)
    store.add(["a"], np.eye(4, dtype=np.float32)[:1])
    store.save()
    store.add(["b"], np.eye(4, dtype=np.float32)[1:2])

    def crash(*_args):
        raise KeyboardInterrupt  # Ctrl-C between writing the temp file and renaming it

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save()
    monkeypatch.undo()
    survivor = FaissVectorStore.load(tmp_path / "v.npz", "m")
    assert survivor.ids() == {"a"}
    assert [p.name for p in tmp_path.iterdir()] == ["v.npz"]  # no temp file left behind


def test_corrupt_or_mismatched_index_gives_clear_error(tmp_path):
    store = FaissVectorStore(tmp_path / "v.npz", "m", 4)
    store.add(["a", "b"], np.eye(4, dtype=np.float32)[:2])
    store.save()
    with pytest.raises(VectorIndexError, match=r"built with model 'm'.*reindex"):
        FaissVectorStore.load(tmp_path / "v.npz", "other-model")
    data = (tmp_path / "v.npz").read_bytes()
    (tmp_path / "v.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(VectorIndexError, match=r"corrupt or truncated.*reindex"):
        FaissVectorStore.load(tmp_path / "v.npz", "m")


def test_dev_questions_are_found(backend_services, dev_qa):
    from rag.core.textnorm import normalize_for_search

    found = 0
    for item in dev_qa:
        hits = backend_services.search(item["question"], k=5).hits
        golds = [normalize_for_search(g) for g in item["gold_contains"]]
        found += any(any(g in h.chunk.search_text for g in golds) for h in hits)
    assert found >= 0.95 * len(dev_qa)


def test_traditional_and_simplified_find_each_other(backend_services):
    # Traditional question, Simplified report (凌河区) and Simplified question, Traditional report (麒麟區).
    assert top_ids(backend_services, "凌河區新註冊科技型中小企業多少家？", mode="bm25")[0].startswith(LINGHE)
    hits = backend_services.search("麒麟区增绿补绿多少平方米？", k=3, mode="bm25").hits
    assert hits[0].chunk.report_id == QILIN and "增綠補綠20.94萬平方米" in hits[0].chunk.text


def test_english_question_is_expanded_with_place_and_terms(backend_services):
    result = backend_services.search("How many job fairs did Jinzhou hold?", k=5)
    assert "锦州市" in result.plan.expansions and "招聘会" in result.plan.expansions
    assert any("举办招聘会350场" in h.chunk.text for h in result.hits)


def test_filters(backend_services):
    question = "地区生产总值"
    only = top_ids(backend_services, question, filters=SearchFilters(report_ids=[XISHI]))
    assert only and all(cid.startswith(XISHI) for cid in only)
    by_year = top_ids(backend_services, question, filters=SearchFilters(year=2022))
    assert by_year and all(cid.startswith("002_") for cid in by_year)
    by_region = top_ids(backend_services, question, mode="dense", filters=SearchFilters(region="營口"))
    assert by_region and all(cid.startswith(XISHI) for cid in by_region)
    assert top_ids(backend_services, question, filters=SearchFilters(region="北京")) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_incremental_add_replace_remove_and_reindex(test_settings, tmp_path, backend):
    settings = test_settings.model_copy(update={"index_dir": tmp_path / "idx", "search_backend": backend})
    src = tmp_path / "xishi.txt"
    shutil.copy(SEEDS / "004_47fca0f5403c067d.txt", src)
    with Services(settings) as services:
        services.ingest([src])
        ids_before = indexed_ids(services)
        assert ids_before == set(services.store.chunk_ids())
        text = src.read_text(encoding="utf-8").replace("實名制就業3800人", "實名制就業3900人")
        src.write_text(text, encoding="utf-8")
        assert services.ingest([src])[0].status == "replaced"
        hit = services.search("西市區實名制就業多少人", k=1).hits[0]
        assert "3900人" in hit.chunk.text
        stats = services.sync()
        assert stats.added == stats.removed == 0
        shutil.copy(SEEDS / "003_a4fd2a1ae2d076c2.txt", tmp_path / "jinzhou.txt")
        services.ingest([tmp_path / "jinzhou.txt"])
        assert any(cid.startswith("jinzhou:") for cid in indexed_ids(services))
        assert services.delete_report("jinzhou")
        assert not any(cid.startswith("jinzhou:") for cid in indexed_ids(services))
        assert indexed_ids(services) == set(services.store.chunk_ids())
        assert services.check().ok
    if backend == "milvus":
        with Services(settings) as services:
            stats = services.reindex()
            assert stats.embedded == 0 and stats.from_cache == stats.added > 0
            assert services.check().ok
            assert services.search("西市區實名制就業多少人", k=1).hits[0].chunk.report_id == "xishi"
        return

    # A truncated index file is detected; reindex rebuilds it from the store (vectors from the cache).
    path = vector_path(settings.index_dir)
    path.write_bytes(path.read_bytes()[:1000])
    with Services(settings) as services, pytest.raises(VectorIndexError):
        services.search("就业", mode="dense")
    with Services(settings) as services:
        stats = services.reindex()
        assert stats.embedded == 0 and stats.from_cache == stats.added > 0
        assert services.search("西市區實名制就業多少人", k=1).hits[0].chunk.report_id == "xishi"


def test_search_batch_cli_one_line_per_query(seed_services, tmp_path):
    import json

    from typer.testing import CliRunner

    from rag.cli import app

    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "q1", "question": "凌河区新注册科技型中小企业多少家？"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--index-dir", str(seed_services.index_dir), "search", "--batch", str(batch),
                                      "--k", "3", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["id"] == "q1" and len(lines[0]["results"]) == 3
    assert set(lines[0]["results"][0]) == {"chunk_id", "report_id", "title", "report_year", "speaks_about",
                                           "section_path", "paragraph", "score", "text"}
    assert lines[1]["id"] == 2 and "error" in lines[1]


def test_a_lone_translated_character_is_a_query_term():
    from rag.core.tokens import query_terms

    terms = query_terms("how much steel 全国 钢 钢铁")
    assert "钢" in terms and "钢铁" in terms  # steel → 钢: the reports write 钢：从一百三十五万吨…
    assert "钢" not in query_terms("钢铁产量")  # inside a run, its character pairs stand for it
