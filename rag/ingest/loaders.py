"""Read source files of any supported format into plain text, or fail with one clear reason.

Side effects (file reads) live here so that cleaning and parsing stay pure functions of text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from rag.core.textnorm import count_cjk
from rag.ingest.documents import IngestError, RawDocument
from rag.ingest.html import html_to_text
from rag.ingest.packaged import docx_to_text, pdf_to_text

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx", ".jsonl"}
MIN_CJK_CHARS = 20
# Encodings Chinese reports come in; charset-normalizer decides among them when UTF-8 fails.
CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16"]


__all__ = ["IngestError", "RawDocument", "documents_from_bytes", "html_to_text", "load_documents"]


def iter_source_files(paths: list[Path]) -> Iterator[Path]:
    """Files named directly, and every file under named directories (recursively, sorted, no dot-files)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not a text file (UTF-16 aside)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 100)


def decode_bytes(data: bytes, source: str) -> tuple[str, str, list[str]]:
    """Decode UTF-8 / GB18030 / Big5 text; never raises on mis-encoded bytes (bad bytes become U+FFFD)."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is not None and count_cjk(str(best)) > 0:
        return str(best), best.encoding, warnings
    # Strict decoding failed everywhere: keep what we can and say so.
    for enc in ("gb18030", "big5", "utf-8"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if bad < max(10, len(text) // 50):
            warnings.append(f"encoding: {bad} undecodable bytes replaced (decoded as {enc})")
            return text, enc, warnings
    raise IngestError(source, "text encoding could not be determined (not UTF-8, GB18030 or Big5)")


def load_documents(path: Path, max_bytes: int) -> list[RawDocument]:
    """Load one file (a JSONL file may hold many reports). Raises :class:`IngestError` with the reason."""
    source = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(source, f"unsupported file type '{suffix or '(none)'}' "
                                  f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(source, f"cannot read file ({exc.strerror})") from exc
    if size == 0:
        raise IngestError(source, "empty file")
    if size > max_bytes:
        raise IngestError(source, f"file too large ({size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(source, f"cannot read file ({exc.strerror})") from exc
    return documents_from_bytes(source, data)


def documents_from_bytes(source: str, data: bytes) -> list[RawDocument]:
    """Decode bytes of a named file; the suffix of ``source`` selects the format."""
    suffix = Path(source).suffix.lower()
    if not data.strip():
        raise IngestError(source, "empty file")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError(source, "not a PDF file (missing %PDF header)")
        docs = [RawDocument(source, pdf_to_text(data, source), data, "pdf", hard_wrapped=True)]
    elif suffix == ".docx":
        docs = [RawDocument(source, docx_to_text(data, source), data, "docx")]
    else:
        if looks_binary(data):
            raise IngestError(source, "binary file, not text")
        text, encoding, warnings = decode_bytes(data, source)
        if suffix in HTML_SUFFIXES:
            docs = [RawDocument(source, html_to_text(text), data, "html", encoding, warnings=warnings)]
        elif suffix == ".jsonl":
            docs = _jsonl_documents(source, text, data)
        else:
            docs = [RawDocument(source, text, data, "text", encoding, warnings=warnings)]
    for doc in docs:
        if not doc.text.strip():
            raise IngestError(doc.source_file, "no text content")
        if count_cjk(doc.text) < MIN_CJK_CHARS:
            raise IngestError(doc.source_file, "no Chinese text found (is this a work report?)")
    return docs


def _jsonl_documents(source: str, text: str, data: bytes) -> list[RawDocument]:
    """One report per line: ``{"title", "content", "year"?, "url"?}`` (the national reports' layout)."""
    docs: list[RawDocument] = []
    stem = Path(source).stem
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            content = row["content"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise IngestError(source, f"line {lineno}: not a JSON object with a 'content' field") from exc
        year = row.get("year")
        docs.append(RawDocument(
            source_file=f"{stem}#{lineno}",
            text=str(content),
            data=line.encode("utf-8"),
            fmt="jsonl",
            title_hint=str(row.get("title") or "") or None,
            year_hint=int(year) if str(year or "").isdigit() else None,
        ))
    if not docs:
        raise IngestError(source, "empty file")
    return docs
