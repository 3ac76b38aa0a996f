"""The faster embedding backends: ONNX Runtime export (fp32) and int8, checked against the fp32 torch model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embeddings.cache import EmbeddingCache
from embeddings.e5_build import DEFAULT_MODEL_ID
from embeddings.model import Embedder, EmbeddingModelError
from embeddings.onnx_backend import STAMP_NAME, check_backend, is_current, onnx_dir

PASSAGES = [
    "凌河区政府工作报告 > 一、2022年工作回顾\n全年实现地区生产总值129亿元，同比增长5.2%；固定资产投资完成48.6亿元。",
    "锦州市政府工作报告 > 二、2023年工作安排\n坚持就业优先，城镇新增就业2.1万人，城镇登记失业率控制在4.5%以内。",
    "解放區政府工作報告 > 三、民生\n新建改造老舊小區12個，惠及居民8600戶，城鄉居民醫保參保率穩定在95%以上。",
    "Government work report > Economy\nThe district's GDP grew 5.2 percent and retail sales reached 3.4 billion yuan.",
    "乡村振兴 > 农业\n新建高标准农田5万亩，粮食产量稳定在30万吨以上，农村居民人均可支配收入增长7.5%。",
    "营商环境 > 改革\n“一网通办”事项占比达到98%，企业开办时间压缩至1个工作日以内，新增市场主体1.2万户。",
]
QUERIES = ["凌河区地区生产总值增长多少？", "How many new urban jobs?", "城鄉居民醫保參保率是多少"]


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return Embedder(DEFAULT_MODEL_ID)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_int8_vectors_match_fp32(fp32: Embedder) -> None:
    int8 = Embedder(DEFAULT_MODEL_ID, backend="onnx-int8")
    passages = _cosines(int8.encode_passages(PASSAGES), fp32.encode_passages(PASSAGES))
    queries = _cosines(int8.encode_queries(QUERIES), fp32.encode_queries(QUERIES))
    assert passages.min() >= 0.98 and passages.mean() >= 0.99, passages
    assert queries.min() >= 0.98, queries
    # query-passage scores (what retrieval ranks by) move little, and every clear winner stays the winner
    s_int8 = int8.encode_queries(QUERIES) @ int8.encode_passages(PASSAGES).T
    s_fp32 = fp32.encode_queries(QUERIES) @ fp32.encode_passages(PASSAGES).T
    assert np.abs(s_int8 - s_fp32).max() < 0.03
    for row_int8, row_fp32 in zip(s_int8, s_fp32, strict=True):
        top2 = np.sort(row_fp32)[-2:]
        if top2[1] - top2[0] > 0.03:
            assert np.argmax(row_int8) == np.argmax(row_fp32)
    # the export was verified and stamped; the folder is reused, not rebuilt
    folder = onnx_dir(int8.cache_dir, DEFAULT_MODEL_ID, "onnx-int8")
    stamp = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    assert stamp["min_cosine"] >= 0.98 and stamp["variant"] == "onnx-int8"
    assert (folder / "model.onnx").stat().st_size < 200e6  # int8 weights and embedding table


def test_order_and_empty_input_are_kept(fp32: Embedder) -> None:
    int8 = Embedder(DEFAULT_MODEL_ID, backend="onnx-int8")
    shuffled = PASSAGES[::-1]
    forward, backward = int8.encode_passages(PASSAGES), int8.encode_passages(shuffled)
    assert np.allclose(forward, backward[::-1], atol=1e-5)  # length-sorted batching restores input order
    assert int8.encode_passages([]).shape == (0, 384)
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)


def test_backend_is_part_of_the_vector_space_id(tmp_path: Path) -> None:
    torch_id = Embedder(DEFAULT_MODEL_ID).model_id
    int8_id = Embedder(DEFAULT_MODEL_ID, backend="onnx-int8").model_id
    assert torch_id == DEFAULT_MODEL_ID  # fp32 caches and indexes built before backends existed stay valid
    assert int8_id != torch_id and "onnx-int8" in int8_id
    cache = EmbeddingCache(tmp_path / "emb.db")
    cache.put_many(torch_id, {"k": np.ones(384, np.float32)})
    assert cache.get_many(int8_id, ["k"], 384) == {}  # never served to another backend
    assert "k" in cache.get_many(torch_id, ["k"], 384)
    cache.close()


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="embedding backend must be one of torch, onnx, onnx-int8"):
        Embedder(DEFAULT_MODEL_ID, backend="tensorrt")
    assert check_backend("onnx") == "onnx"


def test_index_of_another_backend_is_rebuilt_not_mixed(seed_services, tmp_path: Path) -> None:
    """An index built by another backend is detected when opened: a fresh index of the configured backend
    replaces it (filled from the store on sync), so fp32 and int8 vectors never share an index."""
    import shutil

    from embeddings.vector_store import FaissVectorStore, VectorModelMismatch
    from rag.index.vectors import open_vector_store, vector_path

    src = vector_path(seed_services.index_dir)
    other = "torch" if seed_services.settings.embedding_backend != "torch" else "onnx-int8"
    copy = tmp_path / "idx"
    copy.mkdir()
    shutil.copy(src, vector_path(copy))
    built_with = FaissVectorStore.load(src, seed_services.embedder.model_id).model_id
    embedder = Embedder(DEFAULT_MODEL_ID, backend=other)
    with pytest.raises(VectorModelMismatch, match=r"built with model .*reindex"):
        FaissVectorStore.load(vector_path(copy), embedder.model_id)
    settings = seed_services.settings.model_copy(update={"embedding_backend": other})
    fresh = open_vector_store(settings, embedder, copy)
    assert len(fresh) == 0 and fresh.model_id == embedder.model_id != built_with


def test_stale_or_damaged_export_is_detected(tmp_path: Path) -> None:
    folder = onnx_dir(Path("~/.cache/reportqa").expanduser(), DEFAULT_MODEL_ID, "onnx-int8")
    if not (folder / STAMP_NAME).exists():
        pytest.skip("int8 export not built yet")
    source = Path(json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))["source"])
    assert is_current(folder, source, "onnx-int8")
    assert not is_current(folder, source, "onnx")  # another variant
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / STAMP_NAME).write_text("{not json", encoding="utf-8")
    assert not is_current(copy, source, "onnx-int8")


def test_damaged_onnx_file_gives_one_clear_error(tmp_path: Path) -> None:
    """A model.onnx truncated after a verified build: a clear error saying which folder to delete."""
    src = onnx_dir(Path("~/.cache/reportqa").expanduser(), DEFAULT_MODEL_ID, "onnx-int8")
    if not (src / STAMP_NAME).exists():
        pytest.skip("int8 export not built yet")
    cache = tmp_path / "cache"
    dst = onnx_dir(cache, DEFAULT_MODEL_ID, "onnx-int8")
    dst.mkdir(parents=True)
    for item in src.iterdir():
        if item.name == "model.onnx":
            (dst / item.name).write_bytes(item.read_bytes()[:100_000])
        else:
            (dst / item.name).write_bytes(item.read_bytes())
    (cache / "models").symlink_to(Path("~/.cache/reportqa/models").expanduser())
    embedder = Embedder(DEFAULT_MODEL_ID, cache_dir=cache, backend="onnx-int8")
    with pytest.raises(EmbeddingModelError, match=r"delete .* to rebuild it"):
        embedder.encode_queries(["问题"])


@pytest.mark.slow
def test_onnx_fp32_matches_torch(fp32: Embedder) -> None:
    onnx = Embedder(DEFAULT_MODEL_ID, backend="onnx")
    cos = _cosines(onnx.encode_passages(PASSAGES), fp32.encode_passages(PASSAGES))
    assert cos.min() >= 0.999
