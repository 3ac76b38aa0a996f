"""Ingest files into the report store: load → parse → store, one file at a time, never stopping on bad input."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rag.core.config import Settings, get_settings
from rag.core.models import Report
from rag.index.store import ReportStore, StagedReport, stage_report
from rag.ingest.loaders import (
    IngestError,
    RawDocument,
    documents_from_bytes,
    iter_source_files,
    load_documents,
)
from rag.ingest.parser import PARSER_VERSION, parse_document, report_id_for


@dataclass
class IngestOutcome:
    """What happened to one source document: added / replaced / unchanged / duplicate / rejected."""

    source: str
    status: str
    report: Report | None = None
    error: str | None = None
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"source": self.source, "status": self.status}
        if self.report is not None:
            data.update(self.report.to_dict())
        if self.error:
            data["error"] = self.error
        if self.duplicate_of:
            data["duplicate_of"] = self.duplicate_of
        return data


@dataclass
class PreparedDocument:
    """A decoded document parsed and staged for the store, before any lock is taken (``staged`` is None when
    its content was already stored: nothing was parsed)."""

    doc: RawDocument
    report_id: str
    sha: str
    staged: StagedReport | None


def prepare_document(store: ReportStore, doc: RawDocument, settings: Settings) -> PreparedDocument:
    """Parse, tokenize and extract one document: the slow part of an ingest, which writes nothing."""
    rid = report_id_for(doc.source_file)
    sha = hashlib.sha256(doc.data).hexdigest()
    if is_current(store, rid, sha) or store.find_by_sha(sha) not in (None, rid):
        return PreparedDocument(doc, rid, sha, None)  # unchanged or a duplicate: decided again at commit
    parsed = parse_document(doc, rid, max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars)
    return PreparedDocument(doc, rid, sha, stage_report(parsed))


def is_current(store: ReportStore, report_id: str, sha: str) -> bool:
    """The stored report has these bytes and was parsed by this version of the parser (else it is re-parsed)."""
    if store.sha_of(report_id) != sha:
        return False
    stored = store.report(report_id)
    return stored is not None and stored.parser_version == PARSER_VERSION


def commit_document(store: ReportStore, prepared: PreparedDocument, settings: Settings,
                    replace: bool = True) -> IngestOutcome:
    """Write a prepared document (one short transaction). A report of the same id but other content is
    replaced only when ``replace`` is set; otherwise the document is rejected with the reason."""
    doc, rid, sha = prepared.doc, prepared.report_id, prepared.sha
    stored_sha = store.sha_of(rid)
    if is_current(store, rid, sha):
        return IngestOutcome(doc.source_file, "unchanged", store.report(rid))
    other = store.find_by_sha(sha)
    if other is not None and other != rid:
        return IngestOutcome(doc.source_file, "duplicate", store.report(other), duplicate_of=other)
    if stored_sha is not None and not replace:
        return IngestOutcome(doc.source_file, "rejected", error=(
            f"{doc.source_file}: a different report with id {rid!r} is already in the library; tick Replace "
            "to replace it, or rename the file"))
    staged = prepared.staged
    if staged is None:  # its stored twin changed or vanished since it was prepared
        staged = prepare_document(store, doc, settings).staged
    if staged is None or not staged.parsed.chunks:
        return IngestOutcome(doc.source_file, "rejected", error=f"{doc.source_file}: no report text found "
                                                                "after removing page furniture")
    status = store.upsert(staged)
    return IngestOutcome(doc.source_file, status, staged.parsed.report)


def ingest_document(store: ReportStore, doc: RawDocument, settings: Settings, replace: bool = True) -> IngestOutcome:
    """Parse and store one decoded document; unchanged content is detected by checksum before parsing."""
    return commit_document(store, prepare_document(store, doc, settings), settings, replace)


def decode_upload(name: str, data: bytes, settings: Settings) -> list[RawDocument] | IngestOutcome:
    """The decoded documents of an uploaded file (under its checked name), or the outcome that rejects it."""
    safe_name = safe_upload_name(name)
    if safe_name is None:
        return IngestOutcome(name[:80] or "(no name)", "rejected",
                             error=f"{name[:80]!r}: an upload needs a file name such as report.txt")
    if len(data) > settings.max_file_bytes:
        return IngestOutcome(safe_name, "rejected", error=f"{safe_name}: file too large "
                             f"({len(data) / 1e6:.1f} MB > limit {settings.max_file_bytes / 1e6:.1f} MB)")
    try:
        return documents_from_bytes(safe_name, data)
    except IngestError as exc:
        return IngestOutcome(safe_name, "rejected", error=str(exc))


def prepare_upload(store: ReportStore, name: str, data: bytes,
                   settings: Settings | None = None) -> list[PreparedDocument | IngestOutcome]:
    """Decode and parse an uploaded file (UI/REST) without writing: rejected files become outcomes."""
    settings = settings or get_settings()
    decoded = decode_upload(name, data, settings)
    if isinstance(decoded, IngestOutcome):
        return [decoded]
    items: list[PreparedDocument | IngestOutcome] = []
    for doc in decoded:
        try:
            items.append(prepare_document(store, doc, settings))
        except IngestError as exc:
            items.append(IngestOutcome(doc.source_file, "rejected", error=str(exc)))
    return items


def commit_upload(store: ReportStore, items: list[PreparedDocument | IngestOutcome], settings: Settings | None = None,
                  replace: bool = False) -> list[IngestOutcome]:
    settings = settings or get_settings()
    return [item if isinstance(item, IngestOutcome) else commit_document(store, item, settings, replace)
            for item in items]


def ingest_bytes(store: ReportStore, name: str, data: bytes, settings: Settings | None = None,
                 replace: bool = False) -> list[IngestOutcome]:
    """Ingest an uploaded file (UI/REST): same checks as files on disk, the name decides the format; a report
    of the same name is replaced only when asked."""
    return commit_upload(store, prepare_upload(store, name, data, settings), settings, replace)


def safe_upload_name(name: str, max_chars: int = 160) -> str | None:
    """The last path component of a client-supplied name with control/format characters (NUL, bidi overrides)
    removed; ``None`` when nothing usable is left (``""``, ``..``). Never trust a client path (``../../x.txt``)."""
    cleaned = "".join(ch for ch in name.replace("\\", "/") if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = cleaned.rsplit("/", 1)[-1].strip()
    if base in ("", ".", ".."):
        return None
    if len(base) > max_chars:
        stem, dot, suffix = base.rpartition(".")
        base = stem[: max_chars - len(suffix) - 1] + dot + suffix if dot and len(suffix) <= 10 else base[:max_chars]
    return base


def ingest_paths(
    store: ReportStore,
    paths: Iterable[Path],
    settings: Settings | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> list[IngestOutcome]:
    """Ingest files and directories; a bad file yields a ``rejected`` outcome and the others go on."""
    settings = settings or get_settings()
    outcomes: list[IngestOutcome] = []
    for path in iter_source_files(list(paths)):
        if on_file is not None:
            on_file(path)
        if not path.exists():
            outcomes.append(IngestOutcome(path.name, "rejected", error=f"{path}: no such file or directory"))
            continue
        try:
            docs = load_documents(path, settings.max_file_bytes)
        except IngestError as exc:
            outcomes.append(IngestOutcome(path.name, "rejected", error=str(exc)))
            continue
        for doc in docs:
            try:
                outcomes.append(ingest_document(store, doc, settings))
            except IngestError as exc:
                outcomes.append(IngestOutcome(doc.source_file, "rejected", error=str(exc)))
    return outcomes
