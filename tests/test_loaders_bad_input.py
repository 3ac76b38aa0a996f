"""Every class of bad input gets one clear line naming the file and reason; other encodings and formats load."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from rag.core.config import Settings
from rag.index.store import ReportStore
from rag.ingest.loaders import IngestError, load_documents
from rag.ingest.parser import parse_document
from rag.ingest.pipeline import ingest_bytes, ingest_paths
from tests.conftest import SEEDS

SEED_000 = SEEDS / "000_748cc8dca99de2ec.txt"
SEED_004 = SEEDS / "004_47fca0f5403c067d.txt"
MB = 1024 * 1024


def seed_text(seed: Path) -> str:
    """Seed text with its em-space indents made plain spaces (GBK/Big5 cannot encode U+2003)."""
    return seed.read_text(encoding="utf-8").replace("\u2003", " ")


def reject_reason(path: Path, max_bytes: int = 20 * MB) -> str:
    with pytest.raises(IngestError) as info:
        load_documents(path, max_bytes)
    message = str(info.value)
    assert message.startswith(path.name + ":") and "\n" not in message
    return info.value.reason


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert reject_reason(tmp_path / "empty.txt") == "empty file"
    (tmp_path / "blank.txt").write_text("  \n\n ", encoding="utf-8")
    assert reject_reason(tmp_path / "blank.txt") == "empty file"


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    assert reject_reason(path) == "binary file, not text"


def test_unsupported_type(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04 whatever")
    assert "unsupported file type '.xlsx'" in reject_reason(path)


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(SEED_000.read_bytes() * 4)
    assert reject_reason(path, max_bytes=100_000).startswith("file too large")


def test_text_without_chinese(tmp_path):
    path = tmp_path / "english.txt"
    path.write_text("Annual report of the city council. " * 50, encoding="utf-8")
    assert "no Chinese text" in reject_reason(path)


def test_broken_pdf_and_docx(tmp_path):
    (tmp_path / "fake.pdf").write_bytes(b"this is not a pdf" * 10)
    assert "not a PDF" in reject_reason(tmp_path / "fake.pdf")
    (tmp_path / "fake.docx").write_bytes(b"not a zip" * 10)
    assert "unreadable DOCX" in reject_reason(tmp_path / "fake.docx")


def test_mis_encoded_bytes_do_not_crash(tmp_path):
    data = SEED_000.read_text(encoding="utf-8").encode("gb18030")
    damaged = bytearray(data)
    for pos in range(500, len(damaged), 997):  # sprinkle invalid bytes
        damaged[pos] = 0xFF
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(damaged))
    doc = load_documents(path, 20 * MB)[0]
    parsed = parse_document(doc)
    assert parsed.report.title == "2023年锦州市凌河区政府工作报告"
    assert parsed.chunks


@pytest.mark.parametrize(("encoding", "seed"), [("gbk", SEED_000), ("big5", SEED_004), ("gb18030", SEED_004)])
def test_legacy_encodings_give_the_same_report(tmp_path, encoding, seed):
    text = seed_text(seed)
    path = tmp_path / f"copy-{encoding}.txt"
    path.write_bytes(text.encode(encoding, errors="replace"))
    doc = load_documents(path, 20 * MB)[0]
    assert doc.encoding is not None and doc.encoding.replace("_", "").lower() != "utf8"
    original = parse_document(load_documents(seed, 20 * MB)[0])
    copy = parse_document(doc)
    assert copy.report.title == original.report.title
    assert copy.report.city == original.report.city
    assert len(copy.chunks) == len(original.chunks)
    same = sum(a.text == b.text for a, b in zip(copy.chunks, original.chunks, strict=True))
    assert same >= 0.9 * len(original.chunks)  # Big5 lacks a few simplified-only characters


def test_html_version_of_a_seed(tmp_path):
    text = seed_text(SEED_000)
    paragraphs = "\n".join(f"<p>{line.strip()}</p>" for line in text.splitlines() if line.strip())
    page = f"""<html><head><title>凌河区政府工作报告_论坛</title><style>p {{color: red}}</style>
    <script>var tracker = "设为首页";</script></head><body>
    <nav><a href="/">首页</a> | <a href="/bbs">论坛</a> | <a href="/login">登录</a></nav>
    <div class="sidebar"><ul><li>热门推荐</li><li>锦州新闻一则</li></ul></div>
    <div id="postmessage_1" class="t_f">{paragraphs}</div>
    <footer>Powered by Discuz! X3.4 © 2001-2023</footer></body></html>"""
    path = tmp_path / "linghe.html"
    path.write_bytes(page.encode("gbk", errors="replace"))
    parsed = parse_document(load_documents(path, 20 * MB)[0])
    original = parse_document(load_documents(SEED_000, 20 * MB)[0])
    assert parsed.report.title == original.report.title
    assert parsed.report.speaker == "尹璐"
    assert [c.text for c in parsed.chunks] == [c.text for c in original.chunks]
    assert "var tracker" not in parsed.cleaned_text and "Powered by" not in parsed.cleaned_text


def test_docx_and_pdf_text_layers(tmp_path):
    import docx

    text = SEED_000.read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    (tmp_path / "linghe.docx").write_bytes(buffer.getvalue())
    parsed = parse_document(load_documents(tmp_path / "linghe.docx", 20 * MB)[0])
    assert parsed.report.title == "2023年锦州市凌河区政府工作报告"
    assert any("固定资产投资完成33.8亿元" in c.text for c in parsed.chunks)


def test_pdf_hard_wrapped_lines_are_rejoined():
    from rag.ingest.cleaning import _reflow

    lines = ["一、2022年工作回顾", "2022年,是凌河发展进程中极不平凡的一", "年,面对错综复杂的形势。", "(一)高质量发展"]
    assert _reflow(lines, hard_wrapped=True) == [
        "一、2022年工作回顾", "2022年,是凌河发展进程中极不平凡的一年,面对错综复杂的形势。", "(一)高质量发展"]


def test_directory_ingest_goes_on_after_bad_files(tmp_path, index_dir):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "sub" / "binary.txt").write_bytes(os.urandom(3000).replace(b"\x00", b"\x01") + b"\x00")
    (folder / "notes.xlsx").write_bytes(b"x")
    (folder / "sub" / "linghe.txt").write_bytes(SEED_000.read_bytes())
    with ReportStore(index_dir) as store:
        outcomes = ingest_paths(store, [folder], Settings())
        statuses = sorted((o.source, o.status) for o in outcomes)
        assert statuses == [("binary.txt", "rejected"), ("empty.txt", "rejected"), ("linghe.txt", "added"),
                            ("notes.xlsx", "rejected")]
        assert [r.report_id for r in store.reports()] == ["linghe"]


def test_upload_names_cannot_escape(index_dir):
    with ReportStore(index_dir) as store:
        outcomes = ingest_bytes(store, "../../etc/x.txt", SEED_000.read_bytes(), Settings())
        assert outcomes[0].status == "added" and outcomes[0].source == "x.txt"
        assert store.reports()[0].report_id == "x"
