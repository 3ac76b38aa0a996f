"""Packaged formats cannot exhaust memory: DOCX zip bombs and oversized PDFs get one clear line, not gigabytes."""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from rag.core.config import Settings
from rag.index.store import ReportStore
from rag.ingest import packaged
from rag.ingest.loaders import IngestError, documents_from_bytes
from rag.ingest.pipeline import ingest_bytes

PARAGRAPHS = [
    "过去一年，全市上下坚持稳中求进工作总基调，经济运行总体回升向好，地区生产总值增长百分之五点二。",
    "今年政府工作的总体要求是：坚持以高质量发展为首要任务，扎实推进共同富裕，持续增进民生福祉。",
    "主要预期目标是：地区生产总值增长百分之五左右，城镇新增就业一万人以上，居民收入与经济增长同步。",
]
XML_ROW = b"<w:p><w:r><w:t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</w:t></w:r></w:p>" * 16384


def make_docx(paragraphs: list[str] = PARAGRAPHS) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None,
          big: dict[str, int] | None = None) -> bytes:
    """A copy of a zip with parts replaced or added; ``big`` parts are ``size`` bytes of XML, written streaming."""
    replace, extra, big = replace or {}, extra or {}, big or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                   compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename in big:
                with dst.open(info.filename, "w") as part:
                    written = 0
                    while written < big[info.filename]:
                        part.write(XML_ROW)
                        written += len(XML_ROW)
            else:
                dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def patch_declared(data: bytes, name: str, *, file_size: int, crc: int | None = None) -> bytes:
    """Rewrite the central-directory record of ``name`` to declare another uncompressed size (and CRC)."""
    patched = bytearray(data)
    pos = patched.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", patched, pos + 28)[0]
        if patched[pos + 46: pos + 46 + name_len] == name.encode():
            struct.pack_into("<L", patched, pos + 24, file_size)
            if crc is not None:
                struct.pack_into("<L", patched, pos + 16, crc)
            return bytes(patched)
        pos = patched.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{name} not in zip")


def reject_reason(name: str, data: bytes) -> str:
    with pytest.raises(IngestError) as info:
        documents_from_bytes(name, data)
    assert str(info.value).startswith(name + ":") and "\n" not in str(info.value)
    return info.value.reason


@pytest.fixture
def bytes_inflated(monkeypatch):
    """Counts the bytes any zip member read returns (python-docx and the loader both read through ZipExtFile)."""
    counter = {"bytes": 0}
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original(self, n)
        counter["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counter


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """A valid DOCX whose word/document.xml inflates to 120 MB (the zip is ~1 MB)."""
    data = rezip(make_docx(), big={"word/document.xml": 120_000_000})
    assert len(data) < 2_000_000
    return data


def test_docx_zip_bomb_is_rejected_without_inflating(docx_bomb, bytes_inflated):
    tracemalloc.start()
    try:
        reason = reject_reason("bomb.docx", docx_bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.fullmatch(r"DOCX unpacks to 12\d MB \(limit 100 MB\): refusing a possible zip bomb", reason)
    assert bytes_inflated["bytes"] == 0  # refused from the central directory alone
    assert peak < 5_000_000


def test_docx_part_over_limit_or_too_compressed():
    data = make_docx()
    reason = reject_reason("big.docx", patch_declared(data, "word/document.xml", file_size=60_000_000))
    assert reason.startswith("DOCX part 'word/document.xml' unpacks to 60 MB (limit 50 MB)")
    bomb = rezip(data, big={"word/document.xml": 2_000_000})  # 2 MB of XML in ~15 KB
    reason = reject_reason("dense.docx", bomb)
    assert "is compressed" in reason and "(limit 100:1): refusing a possible zip bomb" in reason


def test_docx_with_understated_sizes_is_read_in_bounded_memory(bytes_inflated):
    """A part that declares 1 KB but inflates to 30 MB: python-docx's ``ZipFile.read`` would inflate all of it."""
    data = rezip(make_docx(), big={"word/document.xml": 30_000_000})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        head = archive.open("word/document.xml").read(1000)
    for crc in (None, zlib.crc32(head)):  # a wrong CRC, and one that matches the declared 1 KB
        lying = patch_declared(data, "word/document.xml", file_size=1000, crc=crc)
        bytes_inflated["bytes"] = 0
        tracemalloc.start()
        try:
            reason = reject_reason("lying.docx", lying)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert reason.startswith("unreadable DOCX")
        assert bytes_inflated["bytes"] < 2_000_000
        assert peak < 10_000_000


def test_docx_with_too_many_parts():
    extra = {f"customXml/junk{i}.bin": b"" for i in range(packaged.DOCX_MAX_ENTRIES)}
    reason = reject_reason("many.docx", rezip(make_docx(), extra=extra))
    assert reason.startswith(f"DOCX has {packaged.DOCX_MAX_ENTRIES + 17:,} parts (limit 2,000)")


def test_docx_with_huge_zip_directory_is_refused_before_listing(monkeypatch):
    extra = {f"x/{i:04d}" + "n" * 8000: b"" for i in range(300)}  # 2.4 MB of central directory
    data = rezip(make_docx(), extra=extra)
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: pytest.fail("zip directory was listed"))
    assert reject_reason("dir.docx", data).startswith("DOCX zip directory is 2.4 MB (limit 2.0 MB)")


LAUGHS = ('<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')


@pytest.mark.parametrize(("prefix", "encoding"), [
    ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + LAUGHS, "utf-8"),
    ('<?xml version="1.0" standalone="yes"?><!-- <w:a> -->\n' + LAUGHS, "utf-8"),
    ('\ufeff<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS, "utf-16-le"),
    ('<?xml version="1.0"?><!ENTITY a "x">', "utf-8"),
])
def test_docx_with_dtd_is_rejected(prefix, encoding):
    data = make_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    body = xml[xml.index("<w:document"):].replace("</w:t>", "&c;</w:t>", 1)
    bad = rezip(data, replace={"word/document.xml": (prefix + body).encode(encoding)})
    assert reject_reason("dtd.docx", bad) == ("DOCX part 'word/document.xml' declares a DTD (<!DOCTYPE>/<!ENTITY>), "
                                              "which Word documents never contain")


def test_docx_with_endless_prolog_is_rejected():
    data = make_docx()
    padded = b'<?xml version="1.0"?><!--' + b" " * 5000 + b"-->" + LAUGHS.encode() + b"<w:document/>"
    reason = reject_reason("prolog.docx", rezip(data, replace={"word/document.xml": padded}))
    assert reason == "DOCX part 'word/document.xml' has no XML root element in its first 4,096 bytes"


def test_normal_chinese_docx_still_loads():
    data = rezip(make_docx(), extra={"word/media/logo.svg": b'<?xml version="1.0"?><!DOCTYPE svg><svg/>'})
    doc = documents_from_bytes("report.docx", data)[0]
    assert doc.fmt == "docx" and doc.data == data
    assert doc.text.splitlines() == PARAGRAPHS
    assert sum(map(len, PARAGRAPHS)) >= 50


def blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_over_page_cap_is_rejected_before_extraction(monkeypatch):
    from pypdf import PageObject

    monkeypatch.setattr(PageObject, "extract_text", lambda *a, **k: pytest.fail("text extracted"))
    data = blank_pdf(packaged.PDF_MAX_PAGES + 1)
    assert reject_reason("pages.pdf", data) == "PDF has 3,001 pages (limit 3,000)"


def test_pdf_object_and_text_caps(monkeypatch):
    from pypdf import PageObject

    data = blank_pdf(3)
    monkeypatch.setattr(packaged, "PDF_MAX_OBJECTS", 4)
    assert reject_reason("objects.pdf", data).startswith("PDF has 6 objects (limit 4)")
    monkeypatch.undo()
    calls = []

    def huge_text(*args, **kwargs):
        calls.append(1)
        return "中" * 2_000_000

    monkeypatch.setattr(PageObject, "extract_text", huge_text)
    monkeypatch.setattr(packaged, "PDF_MAX_TEXT_CHARS", 3_000_000)
    assert reject_reason("text.pdf", data) == "PDF text exceeds 3,000,000 characters"
    assert len(calls) == 2  # stopped as soon as the cap was passed


def test_pdf_stream_inflating_past_the_limit_is_rejected(monkeypatch):
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf (x) Tj ET\n" * 100_000)  # 2.3 MB, deflates to a few KB
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    monkeypatch.setattr(packaged, "PDF_MAX_STREAM_BYTES", 1_000_000)
    reason = reject_reason("stream.pdf", buffer.getvalue())
    assert reason.startswith("PDF exceeds a resource limit (") and "decompress" in reason.lower()


def test_uploaded_zip_bomb_is_rejected_and_nothing_stored(docx_bomb, index_dir):
    with ReportStore(index_dir) as store:
        outcomes = ingest_bytes(store, "bomb.docx", docx_bomb, Settings(index_dir=index_dir))
        assert [(o.source, o.status) for o in outcomes] == [("bomb.docx", "rejected")]
        assert outcomes[0].error.startswith("bomb.docx: DOCX unpacks to 12")
        assert outcomes[0].error.endswith(" MB (limit 100 MB): refusing a possible zip bomb")
        assert store.reports() == []
