"""Request checks shared by every front end (CLI, REST API, Gradio UI): one-line errors with an HTTP status.

Questions, chat histories, result counts, search modes and uploaded files are untrusted; each is checked
here once, so a question the web app refuses is refused by the CLI with the same words.
"""

from __future__ import annotations

import stat
import threading
import unicodedata
from pathlib import Path
from typing import Any

from rag.retrieve.hybrid import MODES

MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 50
MAX_K = 100
LOCAL_LLM_LOCK = threading.Lock()  # one llama.cpp model per process: one generation at a time
BUSY_MESSAGE = ("本地模型正忙：另一个回答正在生成，请稍后再试。"
                "The local model is busy with another answer; try again in a few seconds.")


class RequestError(ValueError):
    """A request that cannot be served as given; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Busy(RuntimeError):
    """The local model is generating another answer."""


# -- request checks ---------------------------------------------------------------------------------------
def check_question(question: object) -> str:
    if not isinstance(question, str):
        raise RequestError("the question must be a string")
    text = question.strip()
    if not text:
        raise RequestError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise RequestError(f"the question is too long ({len(text)} characters, limit {MAX_QUESTION_CHARS})")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text):
        raise RequestError("the question contains control characters")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise RequestError("the question has no visible letters or digits")
    return text


def read_uploaded_file(path: str | Path, upload_root: str | Path, max_bytes: int) -> bytes:
    """The bytes of a file the user uploaded: only a regular file inside ``upload_root`` (the web framework's
    upload folder, symlinks resolved) and within the size limit. A client names the path of an upload, so
    without this any readable server file could be ingested and then read back through search."""
    root = Path(upload_root).resolve()
    try:
        real = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        real = None
    if real is None or not real.is_relative_to(root) or real == root:
        raise RequestError("this file was not uploaded through the app; choose it with the upload button", 403)
    try:
        info = real.stat()
        if not stat.S_ISREG(info.st_mode):
            raise RequestError("not a regular file", 400)
        if info.st_size > max_bytes:
            raise RequestError(f"file too large ({info.st_size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB)", 413)
        with real.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise RequestError(f"cannot read the uploaded file ({exc.strerror})", 400) from exc
    if len(data) > max_bytes:
        raise RequestError(f"file too large (> limit {max_bytes / 1e6:.1f} MB)", 413)
    return data


def check_history(history: object) -> list[Any] | None:
    """A chat history: a list of {"role","content"} turns or [question, answer] pairs."""
    if history is None:
        return None
    if not isinstance(history, list):
        raise RequestError('history must be a list of {"role", "content"} turns')
    if len(history) > MAX_HISTORY_TURNS:
        raise RequestError(f"history has {len(history)} turns, limit {MAX_HISTORY_TURNS}")
    for turn in history:
        ok = (isinstance(turn, dict) and turn.get("role") in ("user", "assistant", "system")
              and isinstance(turn.get("content"), str)) or \
             (isinstance(turn, list) and len(turn) == 2 and all(isinstance(t, str | None) for t in turn))
        if not ok:
            raise RequestError('each history turn must be {"role": "user"|"assistant", "content": "…"}')
    return history


def check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise RequestError(f"k must be an integer from 1 to {MAX_K}")
    return k


def check_mode(mode: str | None) -> str | None:
    if mode is not None and mode not in MODES:
        raise RequestError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode
