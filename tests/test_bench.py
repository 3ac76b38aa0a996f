"""`reportqa bench` plumbing on tiny inputs: result files, Markdown tables, scale section, flag errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from typer.testing import CliRunner

from rag.cli import app
from rag.tools.bench import (
    BenchOptions,
    bench_vectors,
    clustered_unit_vectors,
    load_test,
    markdown,
    write_results,
)

runner = CliRunner()


def test_clustered_vectors_are_unit_and_deterministic() -> None:
    import numpy as np

    a, b = clustered_unit_vectors(500, per_centre=50), clustered_unit_vectors(500, per_centre=50)
    assert a.shape == (500, 384) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert np.array_equal(a, b)


def test_vector_scale_rows_compare_against_flat() -> None:
    rows = bench_vectors([3000], BenchOptions(log=lambda _m: None), queries=50)
    by_kind = {r["index"]: r for r in rows}
    assert set(by_kind) == {"flat", "hnsw ef64", "hnsw ef256", "ivf nprobe16", "ivf nprobe64"}
    assert by_kind["flat"]["recall@10_vs_flat"] == 1.0
    assert by_kind["hnsw ef256"]["recall@10_vs_flat"] >= by_kind["hnsw ef64"]["recall@10_vs_flat"] >= 0.8
    assert by_kind["flat"]["memory_mb"] >= 3000 * 384 * 4 / 2**20
    assert all(r["n"] == 3000 and r["queries"] == 50 and r["p95_ms"] >= 0 for r in rows)
    skipped = bench_vectors([3000], BenchOptions(hnsw_max=1000, log=lambda _m: None), queries=10)
    assert any("skipped" in r for r in skipped)


def test_cli_scale_subset_writes_json_markdown_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = runner.invoke(app, ["--index-dir", str(tmp_path / "idx"), "bench", "--quick", "--only", "scale",
                                 "--scale-sizes", "1000", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["index"].split()[0] for r in data["scale"]["vectors"]} == {"flat", "hnsw", "ivf"}
    assert data["scale"]["lexical"][0]["index"] == "fts5-bm25" and data["scale"]["lexical"][0]["n"] == 1000
    files = {k: Path(v) for k, v in data["files"].items()}
    assert files["json"].exists() and files["png"].exists()
    table = files["md"].read_text(encoding="utf-8")
    assert "## Scale" in table and "| 1,000 | hnsw ef64 |" in table
    assert (out / "latest.md").read_text(encoding="utf-8") == table
    if not (importlib.util.find_spec("pymilvus") and importlib.util.find_spec("milvus_lite")):
        assert "skipped" in data["scale"]["milvus"][0] and "**Milvus Lite**" in table
        return
    milvus = {r["index"]: r for r in data["scale"]["milvus"]}
    assert set(milvus) == {"milvus-lite FLAT", "milvus-lite HNSW", "milvus-lite BM25"}, milvus
    assert all(r["n"] == 1000 and r["p95_ms"] > 0 and r["build_s"] > 0 for r in milvus.values()), milvus
    assert milvus["milvus-lite FLAT"]["recall@10_vs_flat"] >= 0.99
    assert milvus["milvus-lite HNSW"]["recall@10_vs_flat"] >= 0.9
    assert milvus["milvus-lite HNSW"]["params_applied"] == {"M": 32, "efConstruction": 40}
    assert milvus["milvus-lite BM25"]["params_applied"] == {"bm25_k1": 1.2, "bm25_b": 0.75}
    assert milvus["milvus-lite BM25"]["queries"] > 0 and milvus["milvus-lite BM25"]["overlap@10_vs_fts5"] >= 0.5
    assert "### Milvus Lite" in table and "| 1,000 | milvus-lite BM25 |" in table


def test_milvus_guard_projects_from_the_previous_size() -> None:
    """Projected from the previous size or the priors, against the memory a process can take: the page cache
    counts as available (CI had just read the 1 GB local model: 0.4 GB free pages, 20 GB available)."""
    import os

    from rag.tools.bench.scale_milvus import _guard, available_memory_gb

    free_pages = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / 2**30
    assert available_memory_gb() >= 0.9 * free_pages

    assert _guard("bm25", 1000, {}) is None
    reason = _guard("bm25", 1_000_000, {"bm25": (100_000, 3800.0, 3900.0, 80.0)})
    assert reason is not None and "projected 37.2 GB" in reason
    assert _guard("flat", 1_000_000, {"flat": (100_000, 48.0, 200.0, 60.0)}) is None  # 0.6 GB, 10 min


def test_scale_markdown_with_and_without_milvus_rows() -> None:
    base = {"date": "2026-01-01T00:00:00", "settings": {"embedding_backend": "onnx-int8", "index_kind": "flat"},
            "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1, "load_avg_start": [0, 0, 0]}}
    scale = {"sizes": [10], "vectors": [{"n": 10, "index": "flat", "build_s": 0.0, "memory_mb": 0.1, "p50_ms": 1.0,
                                         "p95_ms": 1.0, "recall@10_vs_flat": 1.0}], "lexical": []}
    old = markdown({**base, "scale": scale})  # a result file from before the Milvus rows
    assert "| 10 | flat |" in old and "Milvus" not in old
    skipped = markdown({**base, "scale": {**scale, "milvus": [{"skipped": "pymilvus not installed"}]}})
    assert "**Milvus Lite**: pymilvus not installed" in skipped
    rows = [{"n": 10, "index": "milvus-lite BM25", "skipped": "projected 40 GB"},
            {"n": 10, "index": "milvus-lite FLAT", "build_s": 1.0, "first_query_s": 0.1, "memory_mb": 5.0,
             "peak_mb": 9.0, "disk_mb": 2.0, "p50_ms": 3.0, "p95_ms": 4.0, "recall@10_vs_flat": 1.0}]
    text = markdown({**base, "scale": {**scale, "milvus": rows}})
    assert "| 10 | milvus-lite BM25 | projected 40 GB |" in text
    assert "| 10 | milvus-lite FLAT | 1.0 | 0.1 | 5.0 | 9.0 | 2.0 | 3.0 | 4.0 | 1.0 |  |" in text


def test_bad_bench_flags_are_one_line_errors(tmp_path: Path) -> None:
    for args in (["--only", "everything"], ["--scale-sizes", "ten"], ["--scale-sizes", "5"],
                 ["--backends", "tensorrt"]):
        result = runner.invoke(app, ["--index-dir", str(tmp_path), "bench", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output and "Traceback" not in result.output


def test_markdown_of_a_recorded_run(tmp_path: Path) -> None:
    results = {
        "date": "2026-01-01T00:00:00", "quick": True, "peak_rss_mb": 1.0,
        "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1, "load_avg_start": [0, 0, 0], "load_avg_end": [0, 0, 0]},
        "settings": {"embedding_backend": "onnx-int8", "index_kind": "flat"},
        "embedding": {"passages": 4, "rounds": 1, "backends": {"torch": {
            "passages_per_s_median": 1.0, "passages_per_s_best": 1.0, "speedup_vs_fp32_median": 1.0,
            "cosine_vs_fp32_min": 1.0, "query_p50_ms": 1.0,
            "quality": {"dev_qa": {"n": 1, "modes": {"dense": {"R@5": 0.95}, "hybrid": {"R@5": 1.0}}}}}}},
        "load": {"skipped": "REST API not available"},
    }
    text = markdown(results)
    assert "| torch | 1.0 | 1.0 | 1.0× | 1.0 | 1.0 | 0.95 | 1.0 |" in text and "REST API not available" in text
    paths = write_results(results, tmp_path)
    assert "png" not in paths and paths["md"].read_text(encoding="utf-8") == text


def test_load_test_counts_refused_connections_as_errors() -> None:
    result = load_test("http://127.0.0.1:9", clients=2, seconds=0.5, questions=["x"], timeout=2)
    assert result["ok"] == 0 and result["errors"] == result["requests"] > 0 and result["hung_clients"] == 0
