"""Read source files of any supported format into plain text, or fail with one clear reason.

Side effects (file reads) live here so that cleaning and parsing stay pure functions of text.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from rag.core.textnorm import count_cjk

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx", ".jsonl"}
MIN_CJK_CHARS = 20
# Encodings Chinese reports come in; charset-normalizer decides among them when UTF-8 fails.
CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16"]


class IngestError(Exception):
    """A file that cannot be ingested; ``str()`` is a one-line message naming the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass
class RawDocument:
    """Decoded text of one source document plus hints the format itself provides."""

    source_file: str
    text: str
    data: bytes  # the exact source bytes (checksum = identity of this version)
    fmt: str
    encoding: str | None = None
    title_hint: str | None = None
    year_hint: int | None = None
    hard_wrapped: bool = False  # PDF text layers wrap lines inside paragraphs
    warnings: list[str] = field(default_factory=list)


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


BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                        "article", "blockquote", "pre", "dd", "dt", "table", "ul", "ol"})
DROP_TAGS = ["script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "form", "button", "select",
             "svg", "template"]


def html_to_text(markup: str) -> str:
    """Keep the article/post body of a web page: drop scripts, styles, navigation and other page furniture.

    Text is collected in one iterative pass (a newline after each block element and for ``<br>``) without
    editing the tree: time stays linear in the page size even for pathologically nested markup (a bomb of
    100k nested ``<div>`` would take hours with per-element tree edits)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(DROP_TAGS):
        tag.decompose()
    root = soup.body or soup
    title = soup.title.get_text(strip=True) if soup.title else ""
    text = _block_text(_main_content(root))
    if title and count_cjk(title) and title not in text:
        text = title + "\n" + text
    return text


def _is_text(node: object) -> bool:
    """Text as ``get_text`` sees it: strings and CDATA, not comments, doctypes or processing instructions."""
    from bs4.element import CData, NavigableString, PreformattedString

    return isinstance(node, NavigableString) and (not isinstance(node, PreformattedString) or isinstance(node, CData))


_NEWLINE = object()


def _block_text(root) -> str:  # type: ignore[no-untyped-def]
    from bs4 import Tag

    out: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _NEWLINE:
            out.append("\n")
        elif isinstance(node, Tag):
            if node.name == "br":
                out.append("\n")
                continue
            if node.name in BLOCK_TAGS and node is not root:
                stack.append(_NEWLINE)
            stack.extend(reversed(node.contents))
        elif _is_text(node):
            out.append(str(node))
    return "".join(out)


def _cjk_counts(root) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Chinese characters under every element, in one iterative post-order pass (linear, no recursion)."""
    from bs4 import Tag

    counts: dict[int, int] = {}
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            counts[id(node)] = sum(counts.get(id(c), 0) if isinstance(c, Tag) else count_cjk(str(c)) if _is_text(c)
                                   else 0 for c in node.contents)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in node.contents if isinstance(c, Tag))
    return counts


_CONTENT_HINT = re.compile(r"article|content|post|message|t_f|main|text|body|detail|zoom|entry", re.I)


def _main_content(root):  # type: ignore[no-untyped-def]
    """The element that holds most of the page's Chinese text among likely content containers."""
    counts = _cjk_counts(root)
    total = counts.get(id(root), 0)
    candidates = list(root.find_all(["article", "main"]))
    for tag in root.find_all(["div", "td", "section"]):
        attrs = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if _CONTENT_HINT.search(attrs):
            candidates.append(tag)
    best, best_score = root, 0
    for tag in candidates:
        score = counts.get(id(tag), 0)
        if score > best_score:
            best, best_score = tag, score
    # A container holding too little of the page's text is a teaser box, not the article.
    return best if best_score >= 0.6 * total else root


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
