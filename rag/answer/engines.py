"""Answer engines: which one ``auto`` means, and the LangChain chat model behind each LLM engine."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.core.config import Settings

ENGINES = ("auto", "extractive", "local", "openai")


class EngineError(Exception):
    """An engine was asked for that is not installed or not configured."""


def openai_configured(settings: Settings) -> bool:
    return bool(settings.openai_base_url and settings.llm_model)


# ``auto`` picks the local model only where it was measured to answer better than the extractive engine on every
# question set. Measured 2026-11-29 (README "Answer quality"): phrasing with the 1.5B model is better on the seed
# sets (0.948 vs 0.938) but not on the national ones (0.946 vs 0.955 on national_qa, 0.771 vs 0.792 on
# national_blind3): it sometimes drops one of two figures or picks a neighbouring one. So auto is extractive, and
# the local model is a choice (`--llm local`, the web app's engine switch) for answers written as sentences.
AUTO_PREFERS_LOCAL = False


def resolve_engine(name: str, settings: Settings | None = None) -> str:
    """``auto`` → extractive (see AUTO_PREFERS_LOCAL); others must be known."""
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    if name != "auto":
        return name
    return "local" if AUTO_PREFERS_LOCAL and local_installed(settings) else "extractive"


def local_installed(settings: Settings | None) -> bool:
    """The local engine's runtime and the configured model's wheels are installed."""
    from rag.answer.llm_local import local_model_available, model_spec

    return local_model_available(model_spec(settings.local_model if settings else None))


def prepare_local_model(settings: Settings) -> None:
    """Assemble the local model's file from its wheels now (about 1 GB copied and hashed, once per cache), so the
    first question asked of the local engine does not wait for it. Nothing happens when the engine is not installed;
    a failure (a full disk, a damaged wheel) is logged here and reported by the engine when it is asked."""
    if local_installed(settings):
        from rag.answer.model_files import assemble_gguf, model_spec

        try:
            assemble_gguf(Path(settings.cache_dir).expanduser(), model_spec(settings.local_model))
        except (OSError, RuntimeError, ValueError) as exc:
            logging.getLogger(__name__).warning("local model not prepared: %s", exc)


def available_engines(settings: Settings) -> list[str]:
    engines = ["extractive"]
    if local_installed(settings):
        engines.append("local")
    if openai_configured(settings):
        engines.append("openai")
    return engines


def get_chat_model(name: str, settings: Settings) -> Any:
    """A LangChain ``BaseChatModel`` for an LLM engine (one per process and configuration)."""
    if name == "local":
        return _local_model(str(settings.cache_dir), settings.local_model, settings.llm_threads,
                            settings.llm_max_tokens, settings.llm_cache_prompt)
    if name == "openai":
        if not openai_configured(settings):
            raise EngineError("the openai engine needs OPENAI_BASE_URL and REPORTQA_LLM_MODEL (see .env.example)")
        return _openai_model(settings.openai_base_url or "", settings.openai_api_key or "not-needed",
                             settings.llm_model or "", settings.llm_timeout, settings.llm_retries,
                             settings.llm_max_tokens)
    raise EngineError(f"{name!r} is not an LLM engine")


@lru_cache(maxsize=4)
def _local_model(cache_dir: str, model: str, threads: int, max_tokens: int, cache_prompt: bool) -> Any:
    from rag.answer.llm_local import get_local_chat_model, local_model_available, model_spec

    if not local_model_available(model_spec(model)):
        extra = "llm-small" if model.endswith("0.5b") else "llm"
        raise EngineError(f"the local engine with {model} is not installed: pip install '.[{extra}]'")
    return get_local_chat_model(Path(cache_dir).expanduser(), model, n_threads=threads, max_tokens=max_tokens,
                                cache_prompt=cache_prompt)


@lru_cache(maxsize=4)
def _openai_model(base_url: str, api_key: str, model: str, timeout: float, retries: int, max_tokens: int) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, api_key=api_key, model=model, timeout=timeout, max_retries=retries,
                      temperature=0, max_tokens=max_tokens, streaming=True)
