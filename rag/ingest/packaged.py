"""PDF and DOCX → text, within resource limits: a small upload must never unpack into gigabytes."""

from __future__ import annotations

import io
import re

from rag.ingest.documents import IngestError

# --- Resource limits of packaged formats: a small upload must not unpack into gigabytes -------------------
# PDF: pages; work reports have 10–200, and every page costs a text extraction.
PDF_MAX_PAGES = 3_000
# PDF: indirect objects (xref table + xref streams); real reports have a few thousand, a 20 MB file ~1M at most.
PDF_MAX_OBJECTS = 250_000
# PDF: bytes one stream may decode to (pypdf's per-filter output limits, its own default 75 MB); content
# streams are kilobytes, embedded CJK fonts at most a few tens of MB.
PDF_MAX_STREAM_BYTES = 50_000_000
# PDF: characters of extracted text (a work report has 10–50 thousand); extraction stops once over it.
PDF_MAX_TEXT_CHARS = 5_000_000
# The pypdf.Configuration fields that bound what one stream decodes to.
_PYPDF_STREAM_LIMITS = ("zlib_maximum_output_length", "lzw_maximum_output_length",
                        "run_length_maximum_output_length", "jbig2_maximum_output_length",
                        "brotli_maximum_output_length", "array_based_stream_maximum_output_length")

# DOCX: parts (zip entries); Word writes 10–50, image-heavy reports a few hundred.
DOCX_MAX_ENTRIES = 2_000
# DOCX: bytes of the zip central directory, checked before zipfile lists it (listing 200k empty entries of a
# 17 MB zip took 1.4 s and 120 MB); a real entry takes ~100 bytes.
DOCX_MAX_DIRECTORY_BYTES = 1_000 * DOCX_MAX_ENTRIES
# DOCX: uncompressed bytes of all parts together (python-docx holds every part in memory).
DOCX_MAX_TOTAL_BYTES = 100_000_000
# DOCX: uncompressed bytes of one part; word/document.xml of a long report is a few MB.
DOCX_MAX_PART_BYTES = 50_000_000
# DOCX: compression ratio of parts over DOCX_RATIO_MIN_BYTES; Word XML deflates 5–20:1, a zip bomb ~1000:1.
DOCX_MAX_RATIO = 100
DOCX_RATIO_MIN_BYTES = 1_000_000
# DOCX: an XML part's root element must start within its first bytes (only the XML declaration, comments and
# processing instructions may precede it: OPC forbids DTDs, so no <!DOCTYPE>/<!ENTITY> entity expansion).
DOCX_XML_HEAD_BYTES = 4_096
_ZIP_BOMB = "refusing a possible zip bomb"
_XML_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_XML_START_TAG = re.compile(rb"<[A-Za-z_:\x80-\xff]")


def _one_line(exc: BaseException, limit: int = 160) -> str:
    return " ".join(str(exc).split())[:limit] or exc.__class__.__name__


def pdf_to_text(data: bytes, source: str) -> str:
    """Text layer of a PDF within the PDF_MAX_* limits (pages and objects are counted before any extraction)."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    limits = dict.fromkeys(_PYPDF_STREAM_LIMITS, PDF_MAX_STREAM_BYTES)
    try:
        with apply_configuration(page_tree_maximum_entries=2 * PDF_MAX_PAGES, **limits):
            reader = PdfReader(io.BytesIO(data), xref_stream_maximum_entries=PDF_MAX_OBJECTS)
            objects = sum(len(entries) for entries in reader.xref.values()) + len(reader.xref_objStm)
            if objects > PDF_MAX_OBJECTS:
                raise IngestError(source, f"PDF has {objects:,} objects (limit {PDF_MAX_OBJECTS:,})")
            pages = len(reader.pages)
            if pages > PDF_MAX_PAGES:
                raise IngestError(source, f"PDF has {pages:,} pages (limit {PDF_MAX_PAGES:,})")
            texts: list[str] = []
            chars = 0
            for page in reader.pages:
                texts.append(page.extract_text() or "")
                chars += len(texts[-1])
                if chars > PDF_MAX_TEXT_CHARS:
                    raise IngestError(source, f"PDF text exceeds {PDF_MAX_TEXT_CHARS:,} characters")
            return "\n".join(texts)
    except LimitReachedError as exc:
        raise IngestError(source, f"PDF exceeds a resource limit ({_one_line(exc)})") from exc
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise IngestError(source, f"unreadable PDF ({exc.__class__.__name__})") from exc


def _xml_head_problem(head: bytes) -> str | None:
    """Why the first bytes of a package part are unacceptable XML; ``None`` when fine or not XML (images)."""
    text = head.replace(b"\x00", b"")  # UTF-16/32: keep the ASCII markup
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        text = text.removeprefix(bom)
    if text.startswith(b"\x4c\x6f\xa7\x94"):  # "<?xm" in EBCDIC
        return "is EBCDIC-encoded XML (OPC allows UTF-8 and UTF-16 only)"
    if not text.lstrip().startswith(b"<"):
        return None
    pos = 0
    while (item := _XML_PROLOG_ITEM.match(text, pos)) is not None:
        pos = item.end()
    if text.startswith(b"<!", pos) and not text.startswith(b"<!--", pos):  # an unclosed comment runs on
        return "declares a DTD (<!DOCTYPE>/<!ENTITY>), which Word documents never contain"
    if _XML_START_TAG.match(text, pos):
        return None
    return f"has no XML root element in its first {DOCX_XML_HEAD_BYTES:,} bytes"


def _zip_directory_bytes(data: bytes) -> int | None:
    """Size of the central directory that zipfile would list, from the end record; ``None`` if not found."""
    import zipfile

    find_end = getattr(zipfile, "_EndRecData", None)  # zipfile's own reader (handles ZIP64); private API
    if find_end is None:
        return None
    try:
        end = find_end(io.BytesIO(data))
    except (OSError, ValueError, IndexError):
        return None
    return int(end[5]) if end else None  # end[_ECD_SIZE]


def _checked_docx_package(data: bytes, source: str) -> bytes:
    """The DOCX re-packed (stored, uncompressed) from bounded reads, after checking the DOCX_* limits.

    Declared sizes in the central directory are checked first, so a zip bomb is refused without inflating
    anything. They alone are not enough: zipfile returns at most the declared size, but ``ZipFile.read``
    inflates a part's whole compressed stream in one call before cutting it to that size (a 97 KB zip that
    declares 1 KB made it allocate 200 MB). So python-docx only ever sees parts read here in 64 KB steps."""
    import zipfile
    import zlib

    directory = _zip_directory_bytes(data)
    if directory is not None and directory > DOCX_MAX_DIRECTORY_BYTES:
        raise IngestError(source, f"DOCX zip directory is {directory / 1e6:.1f} MB "
                                  f"(limit {DOCX_MAX_DIRECTORY_BYTES / 1e6:.1f} MB): {_ZIP_BOMB}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise IngestError(source, "unreadable DOCX (not a Word document)") from exc
    entries = archive.infolist()
    if len(entries) > DOCX_MAX_ENTRIES:
        raise IngestError(source, f"DOCX has {len(entries):,} parts (limit {DOCX_MAX_ENTRIES:,}): {_ZIP_BOMB}")
    if len({info.filename for info in entries}) < len(entries):
        raise IngestError(source, "unreadable DOCX (duplicate part names)")
    total = sum(info.file_size for info in entries)
    if total > DOCX_MAX_TOTAL_BYTES:
        raise IngestError(source, f"DOCX unpacks to {total / 1e6:.0f} MB "
                                  f"(limit {DOCX_MAX_TOTAL_BYTES / 1e6:.0f} MB): {_ZIP_BOMB}")
    for info in entries:
        name = repr(info.filename[:80])
        if info.file_size > DOCX_MAX_PART_BYTES:
            raise IngestError(source, f"DOCX part {name} unpacks to {info.file_size / 1e6:.0f} MB "
                                      f"(limit {DOCX_MAX_PART_BYTES / 1e6:.0f} MB): {_ZIP_BOMB}")
        if info.file_size > max(DOCX_RATIO_MIN_BYTES, DOCX_MAX_RATIO * info.compress_size):
            raise IngestError(source, f"DOCX part {name} is compressed "
                                      f"{info.file_size / max(info.compress_size, 1):,.0f}:1 "
                                      f"(limit {DOCX_MAX_RATIO}:1): {_ZIP_BOMB}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise IngestError(source, f"unreadable DOCX (part {name} is encrypted or not Deflate-compressed)")
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as repacked:
            for info in entries:
                if info.is_dir():
                    continue
                name = repr(info.filename[:80])
                with archive.open(info) as part, repacked.open(info.filename, "w") as copy:
                    chunk = part.read(64 * 1024)  # ZipExtFile never returns more than the declared size
                    # SVG images may carry a DOCTYPE; python-docx keeps images as bytes and never parses them.
                    svg = info.filename.lower().endswith(".svg")
                    problem = None if svg else _xml_head_problem(chunk[:DOCX_XML_HEAD_BYTES])
                    if problem is not None:
                        raise IngestError(source, f"DOCX part {name} {problem}")
                    while chunk:
                        copy.write(chunk)
                        chunk = part.read(64 * 1024)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise IngestError(source, "unreadable DOCX (damaged zip)") from exc
    return out.getvalue()


def docx_to_text(data: bytes, source: str) -> str:
    """Paragraph text of a Word document, read only after the DOCX_* zip-bomb checks passed."""
    import zipfile

    import docx
    from docx.opc.exceptions import OpcError
    from lxml.etree import XMLSyntaxError

    package = _checked_docx_package(data, source)
    try:
        document = docx.Document(io.BytesIO(package))
    except (zipfile.BadZipFile, KeyError, ValueError, OpcError, XMLSyntaxError) as exc:
        raise IngestError(source, "unreadable DOCX (not a Word document)") from exc
    return "\n".join(p.text for p in document.paragraphs)
