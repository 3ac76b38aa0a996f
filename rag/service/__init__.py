"""The application API: what the CLI, the REST API and the Gradio UI call (see ARCHITECTURE.md).

``Services`` holds the resources of one index directory (store, embedding model, vector index, retriever);
``Gateway`` is the application on top of them: checked requests, locking, and the JSON payloads every
front end shows.
"""

from rag.service.gateway import Gateway
from rag.service.locking import ReadWriteLock
from rag.service.requests import (
    BUSY_MESSAGE,
    LOCAL_LLM_LOCK,
    MAX_HISTORY_TURNS,
    MAX_K,
    MAX_QUESTION_CHARS,
    MODES,
    Busy,
    RequestError,
    check_history,
    check_k,
    check_mode,
    check_question,
    read_uploaded_file,
)
from rag.service.resources import Services
from rag.service.viewer import ReportView, ViewBlock, report_view, section_tree

__all__ = [
    "BUSY_MESSAGE", "LOCAL_LLM_LOCK", "MAX_HISTORY_TURNS", "MAX_K", "MAX_QUESTION_CHARS", "MODES", "Busy",
    "Gateway", "ReadWriteLock", "ReportView", "RequestError", "Services", "ViewBlock", "check_history",
    "check_k", "check_mode", "check_question", "read_uploaded_file", "report_view", "section_tree",
]
