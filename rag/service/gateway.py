"""What the long-running front ends (Gradio UI and REST API) share on top of ``Services``.

Request checks (question, history, k, report ids) with one-line errors, a readers-writer lock so uploads and
deletions never run while a search reads the indexes, a process-wide lock that lets the local LLM generate
one answer at a time (a second request is told the model is busy instead of waiting into a timeout), and
the payloads both front ends show: the same JSON as the CLI's ``--json`` and a report viewer layout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rag.answer.engines import EngineError, available_engines, prepare_local_model, resolve_engine
from rag.answer.pipeline import Answer
from rag.answer.pipeline import ask as answer_question
from rag.core.models import Chunk, Report, unknown_report
from rag.ingest.pipeline import IngestOutcome
from rag.retrieve.hybrid import SearchFilters, SearchHit
from rag.service.locking import ReadWriteLock
from rag.service.payloads import report_payload, search_payload
from rag.service.requests import (
    BUSY_MESSAGE,
    LOCAL_LLM_LOCK,
    Busy,
    RequestError,
    check_history,
    check_k,
    check_mode,
    check_question,
    read_uploaded_file,
)
from rag.service.resources import Services
from rag.service.viewer import ReportView, report_view

__all__ = ["BUSY_MESSAGE", "Busy", "Gateway", "RequestError"]


# -- the gateway ------------------------------------------------------------------------------------------
class Gateway:
    """``Services`` as the UI and the REST API use it: checked requests, locking, CLI-shaped payloads."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.lock = ReadWriteLock()
        self._writes = 0  # uploads/deletions under way (preparing or committing): health reports "updating"
        self._writes_lock = threading.Lock()

    @property
    def updating(self) -> bool:
        """True while an upload or deletion is being prepared or committed."""
        return self._writes > 0

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._writes_lock:
            self._writes += 1
        try:
            yield
        finally:
            with self._writes_lock:
                self._writes -= 1

    @property
    def settings(self) -> Any:
        return self.services.settings

    def warm_up(self) -> None:
        """Load the embedding model and the vector index now rather than on the first question, then prepare the
        local model's file (outside the lock: its assembly is atomic and readers need not wait for it)."""
        with self.lock.write():
            self.services.warm_up()
        prepare_local_model(self.settings)

    # -- reading ----------------------------------------------------------------------------------------
    def engines(self) -> list[str]:
        return available_engines(self.settings)

    def default_engine(self) -> str:
        try:
            engine = resolve_engine(self.settings.llm, self.settings)
        except EngineError:
            return "extractive"
        return engine if engine in self.engines() else "extractive"

    def reports(self) -> list[Report]:
        return self.services.store.reports()  # one SQLite read: consistent without the index lock

    def report(self, report_id: str) -> Report:
        with self.lock.read():
            report = self.services.store.report(report_id)
        if report is None:
            raise RequestError(unknown_report(report_id, "GET /api/reports"), 404)
        return report

    def report_payload(self, report_id: str) -> dict[str, Any]:
        """Same as ``reportqa show ID --json``."""
        report = self.report(report_id)
        with self.lock.read():
            sections = self.services.store.sections(report_id)
        return report_payload(report, sections)

    def view(self, report_id: str) -> ReportView:
        report = self.report(report_id)
        with self.lock.read():
            store = self.services.store
            return report_view(report, store.cleaned_text(report_id) or "", store.sections(report_id),
                               store.chunks(report_id))

    def chunk(self, chunk_id: str) -> Chunk:
        with self.lock.read():
            found = self.services.store.chunks_by_id([chunk_id])
        if chunk_id not in found:
            raise RequestError(f"no chunk with id {chunk_id!r}", 404)
        return found[chunk_id]

    def scope(self, report_ids: list[str] | None = None, year: int | None = None,
              region: str | None = None) -> list[str] | None:
        """Report ids allowed by the filters (None = all); unknown ids and empty selections are errors."""
        reports = self.reports()
        known = {r.report_id for r in reports}
        unknown = [rid for rid in report_ids or [] if rid not in known]
        if unknown:
            raise RequestError(f"unknown report id(s): {', '.join(unknown)} (see GET /api/reports)")
        filters = SearchFilters(report_ids=list(report_ids) if report_ids else None, year=year,
                                region=region.strip() if region and region.strip() else None)
        allowed = filters.allowed_reports(reports)
        if allowed is not None and not allowed:
            raise RequestError("no report matches these filters (report / year / region)")
        return allowed

    def search(self, question: object, k: object = 5, mode: str | None = None,
               report_ids: list[str] | None = None, year: int | None = None,
               region: str | None = None) -> dict[str, Any]:
        """Same JSON as ``reportqa search --json``."""
        text = check_question(question)
        k = check_k(k)
        mode = check_mode(mode)
        allowed = self.scope(report_ids, year, region)
        filters = SearchFilters(report_ids=allowed) if allowed is not None else None
        with self.lock.read():
            result = self.services.search(text, k=k, mode=mode, filters=filters)
        return search_payload(text, mode or self.settings.search_mode, result)

    def ask(self, question: object, history: object = None, engine: str | None = None,
            report_ids: list[str] | None = None, year: int | None = None, region: str | None = None,
            on_token: Callable[[str], None] | None = None,
            on_sources: Callable[[list[SearchHit]], None] | None = None) -> Answer:
        """``rag.answer.pipeline.ask`` with checked input; raises ``Busy`` when the local model is generating."""
        text = check_question(question)
        turns = check_history(history)
        try:
            name = resolve_engine(engine or self.settings.llm, self.settings)
        except EngineError as exc:
            raise RequestError(str(exc)) from exc
        allowed = self.scope(report_ids, year, region)
        gate = LOCAL_LLM_LOCK if name == "local" else None
        if gate is not None and not gate.acquire(blocking=False):
            raise Busy(BUSY_MESSAGE)
        try:
            with self.lock.read():
                return answer_question(self.services, text, turns, name, allowed, on_token=on_token,
                                       on_sources=on_sources)
        finally:
            if gate is not None:
                gate.release()

    # -- summaries, indicators, comparison (issue #5) ---------------------------------------------------
    def summarize(self, report_id: str, lang: str = "zh") -> Any:
        self.report(report_id)
        with self.lock.read():
            return self.services.summarize(report_id, engine="extractive", lang=lang)

    def indicators(self, report_id: str | None = None, indicator: str | None = None, kind: str | None = None,
                   year: int | None = None) -> list[Any]:
        with self.lock.read():
            return self.services.indicators(report_id=report_id, indicator=indicator, kind=kind, year=year)

    def compare(self, indicator: str, kind: str | None = None, year: int | None = None) -> Any:
        with self.lock.read():
            return self.services.compare(indicator, kind=kind, year=year)

    # -- writing ----------------------------------------------------------------------------------------
    def ingest_upload(self, name: str, data: bytes, replace: bool = False) -> list[IngestOutcome]:
        """Parse and embed outside the index lock (seconds to minutes for a large file), then store and add
        the vectors under a short write lock: searches and answers are never held up by the slow part."""
        with self._writing():
            items = self.services.prepare_upload(name, data)
            with self.lock.write():
                return self.services.commit_upload(items, replace=replace)

    def ingest_uploaded_file(self, path: str | Path, upload_root: str | Path,
                             replace: bool = False) -> list[IngestOutcome]:
        """``ingest_upload`` of a file the web framework received (see ``read_uploaded_file``)."""
        data = read_uploaded_file(path, upload_root, int(self.settings.max_file_bytes))
        return self.ingest_upload(Path(path).name, data, replace)

    def delete_report(self, report_id: str) -> bool:
        self.report(report_id)
        with self._writing(), self.lock.write():
            return self.services.delete_report(report_id)
