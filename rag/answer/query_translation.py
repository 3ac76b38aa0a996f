"""An English question as a Chinese search query, written by the LLM engine (dictionary expansion's partner).

The dictionary (rag/retrieve/translate.py) turns words into report words; a model turns a reader's phrasing
("How fast did the economy grow") into the report's (经济增速). Its wording is added to the question like the
dictionary's terms (the question as asked comes first), and a translation that fails or looks wrong (no
Chinese, longer than the question, an answer instead of a translation) is dropped, so retrieval never
depends on it.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from rag.answer.engines import EngineError, get_chat_model, resolve_engine
from rag.answer.prompts import translate_prompt
from rag.core.config import Settings
from rag.core.textnorm import count_cjk

log = logging.getLogger(__name__)

MAX_TOKENS = 48  # one short question
MAX_QUESTION_CHARS = 300  # longer questions are not sent (bounded prompt)


def translation_engine(settings: Settings, answer_engine: str | None = None) -> str | None:
    """The LLM engine that translates queries under ``settings.query_translation``, or None. ``auto`` uses the
    answer's engine when that is an OpenAI-compatible server (a served model translates in a fraction of its
    answer time); the local model only when asked (``local``): on 2 cores it adds 2.6 s (p50) before retrieval
    for +2.4 points of English R@1 (README, "Many years in one library")."""
    mode = settings.query_translation
    if mode == "off":
        return None
    if mode == "auto":
        try:
            engine = resolve_engine(answer_engine or "extractive", settings)
        except EngineError:
            return None
        return engine if engine == "openai" else None
    return mode


CACHE_SIZE = 512
_cache: OrderedDict[tuple[str, ...], str | None] = OrderedDict()
_lock = threading.Lock()


def translate_question(question: str, engine: str, settings: Settings) -> str | None:
    """A Chinese wording of an English ``question`` (None when the engine fails or the output is not one);
    remembered per question, so a search and the answer that follows it translate once."""
    if len(question) > MAX_QUESTION_CHARS:
        return None
    key = (question, engine, settings.llm_model or "", settings.openai_base_url or "")
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        model = get_chat_model(engine, settings)
        reply = model.invoke(translate_prompt.format_messages(question=question), max_tokens=MAX_TOKENS)
        result = clean_translation(str(reply.content), question)
    except Exception as exc:  # any engine failure (connection, model, parse): search without it
        log.warning("query translation by %s failed: %s", engine, exc)
        return None  # not remembered: the engine may be back for the next question
    with _lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def clean_translation(text: str, question: str) -> str | None:
    """The first line of a model's translation, when it is one: mostly Chinese and not much longer than the
    question (a model that answers or rambles is ignored)."""
    lines = text.strip().splitlines()
    line = lines[0].strip() if lines else ""
    if not line or count_cjk(line) < 2 or count_cjk(line) < len(line) // 3 or len(line) > len(question):
        return None
    return line
