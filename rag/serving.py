"""What the long-running front ends (Gradio UI and REST API) share on top of ``Services``.

Request checks (question, history, k, report ids) with one-line errors, a readers-writer lock so uploads and
deletions never run while a search reads the indexes, a process-wide lock that lets the local LLM generate
one answer at a time (a second request is told the model is busy instead of waiting into a timeout), and
the payloads both front ends show: the same JSON as the CLI's ``--json`` and a report viewer layout.
"""

from __future__ import annotations

import stat
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.answer import Answer
from rag.answer import ask as answer_question
from rag.engines import EngineError, available_engines, resolve_engine
from rag.ingest import IngestOutcome
from rag.models import Chunk, Report, Section
from rag.retrieval import SearchFilters, SearchHit

MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 50
MAX_K = 100
MODES = ("bm25", "dense", "hybrid")
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


# -- locking ----------------------------------------------------------------------------------------------
class ReadWriteLock:
    """Many readers (searches, answers) or one writer (upload, delete); waiting writers go first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


# -- report viewer ----------------------------------------------------------------------------------------
@dataclass
class ViewBlock:
    """A heading or a numbered body paragraph of a report, in reading order."""

    kind: str  # heading | paragraph
    text: str
    start: int
    level: int = 0
    paragraph: int | None = None
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class ReportView:
    report: Report
    header: list[str]
    blocks: list[ViewBlock]
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        from rag.cli import section_tree

        return {
            "report": self.report.to_dict(),
            "header": self.header,
            "sections": section_tree(self.sections),
            "blocks": [{"kind": b.kind, "text": b.text, "level": b.level, "paragraph": b.paragraph,
                        "chunk_ids": b.chunk_ids} for b in self.blocks],
        }


def report_view(report: Report, cleaned_text: str, sections: list[Section], chunks: list[Chunk]) -> ReportView:
    """Split the cleaned text back into header lines, headings and ¶-numbered paragraphs (as chunking numbered
    them: one line per block, headings known by their offsets)."""
    heading_at = {s.char_start: s for s in sections}
    starts = [s.char_start for s in sections] + [c.char_start for c in chunks]
    body_start = min(starts) if starts else 0
    header: list[str] = []
    blocks: list[ViewBlock] = []
    offset = 0
    number = 0
    for line in cleaned_text.split("\n"):
        start = offset
        offset += len(line) + 1
        if start < body_start:
            if line.strip():
                header.append(line)
            continue
        if start in heading_at:
            blocks.append(ViewBlock("heading", line, start, level=heading_at[start].level))
        else:
            number += 1
            blocks.append(ViewBlock("paragraph", line, start, paragraph=number))
    by_number = {b.paragraph: b for b in blocks if b.paragraph is not None}
    for chunk in chunks:
        for n in range(chunk.paragraph, chunk.paragraph_end + 1):
            block = by_number.get(n)
            if block is not None and chunk.chunk_id not in block.chunk_ids:
                block.chunk_ids.append(chunk.chunk_id)
    return ReportView(report, header, blocks, sections)


# -- the gateway ------------------------------------------------------------------------------------------
class Gateway:
    """``Services`` as the UI and the REST API use it: checked requests, locking, CLI-shaped payloads."""

    def __init__(self, services: Any) -> None:
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
        """Load the embedding model and the vector index now rather than on the first question."""
        with self.lock.write():
            if self.services.store.chunk_ids():
                self.services.search("政府工作报告", k=1)

    # -- reading ----------------------------------------------------------------------------------------
    def engines(self) -> list[str]:
        return available_engines(self.settings)

    def default_engine(self) -> str:
        try:
            engine = resolve_engine(self.settings.llm)
        except EngineError:
            return "extractive"
        return engine if engine in self.engines() else "extractive"

    def reports(self) -> list[Report]:
        return self.services.store.reports()  # one SQLite read: consistent without the index lock

    def report(self, report_id: str) -> Report:
        with self.lock.read():
            report = self.services.store.report(report_id)
        if report is None:
            raise RequestError(f"no report with id {report_id!r} (see GET /api/reports)", 404)
        return report

    def report_payload(self, report_id: str) -> dict[str, Any]:
        """Same as ``reportqa show ID --json``."""
        from rag.cli import section_tree

        report = self.report(report_id)
        with self.lock.read():
            sections = self.services.store.sections(report_id)
        return {**report.to_dict(), "sections": section_tree(sections)}

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
        return {"question": text, "mode": mode or self.settings.search_mode,
                "results": [h.to_dict() for h in result.hits],
                "timings": {k_: round(v, 1) for k_, v in result.timings_ms.items()}}

    def ask(self, question: object, history: object = None, engine: str | None = None,
            report_ids: list[str] | None = None, year: int | None = None, region: str | None = None,
            on_token: Callable[[str], None] | None = None,
            on_sources: Callable[[list[SearchHit]], None] | None = None) -> Answer:
        """``rag.answer.ask`` with checked input; raises ``Busy`` when the local model is generating."""
        text = check_question(question)
        turns = check_history(history)
        try:
            name = resolve_engine(engine or self.settings.llm)
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

    # -- summaries, indicators, comparison (issue #5; absent on older installs) --------------------------
    def has(self, feature: str) -> bool:
        return callable(getattr(self.services, feature, None))

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
