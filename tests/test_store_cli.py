"""The CLI contract: ingest / reports / show / chunks with --json, idempotent re-ingest, replacement."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from rag.cli import app
from tests.conftest import SEEDS

runner = CliRunner()


def run_json(index_dir, *args: str):
    result = runner.invoke(app, ["--index-dir", str(index_dir), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_seeds_then_query(index_dir):
    items = run_json(index_dir, "ingest", str(SEEDS))
    assert [i["status"] for i in items] == ["added"] * 5
    first = items[0]
    for key in ("report_id", "title", "year", "province", "city", "district", "level", "meeting_date",
                "meeting_name", "speaker", "speaker_role", "script", "source_file", "sha256", "char_count",
                "n_sections", "n_chunks", "warnings", "partial", "region"):
        assert key in first
    assert first["region"] == "锦州市凌河区"

    again = run_json(index_dir, "ingest", str(SEEDS))
    assert [i["status"] for i in again] == ["unchanged"] * 5

    reports = run_json(index_dir, "reports")
    assert [r["report_id"] for r in reports] == [p.stem for p in sorted(SEEDS.glob("*.txt"))]

    shown = run_json(index_dir, "show", "002_bddc84386e9e697e")
    assert shown["speaker"] == "千怀贵"
    top = [node["heading"] for node in shown["sections"]]
    assert top[:2] == ["一、2021年和过去五年的工作回顾", "二、今后五年指导思想和奋斗目标"]
    assert len(shown["sections"][0]["children"]) == 7

    chunks = run_json(index_dir, "chunks", "002_bddc84386e9e697e")
    assert len(chunks) == shown["n_chunks"]
    assert {"chunk_id", "report_id", "section_path", "paragraph", "char_start", "char_end", "text",
            "search_text", "context"} <= set(chunks[0])


def test_changed_file_replaces_old_version(index_dir, tmp_path):
    src = tmp_path / "linghe.txt"
    shutil.copy(SEEDS / "000_748cc8dca99de2ec.txt", src)
    assert run_json(index_dir, "ingest", str(src))[0]["status"] == "added"
    src.write_text(src.read_text(encoding="utf-8").replace("3966家", "3967家"), encoding="utf-8")
    assert run_json(index_dir, "ingest", str(src))[0]["status"] == "replaced"
    chunks = run_json(index_dir, "chunks", "linghe")
    assert any("3967家" in c["text"] for c in chunks)
    assert not any("3966家" in c["text"] for c in chunks)
    assert len(run_json(index_dir, "reports")) == 1


def test_duplicate_content_under_another_name(index_dir, tmp_path):
    shutil.copy(SEEDS / "000_748cc8dca99de2ec.txt", tmp_path / "a.txt")
    shutil.copy(SEEDS / "000_748cc8dca99de2ec.txt", tmp_path / "b.txt")
    items = run_json(index_dir, "ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert [i["status"] for i in items] == ["added", "duplicate"]
    assert items[1]["duplicate_of"] == "a"


def test_rejections_are_one_line_and_exit_1(index_dir, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["--index-dir", str(index_dir), "ingest", str(tmp_path / "empty.txt")])
    assert result.exit_code == 1
    assert "empty.txt: empty file" in result.output


def test_unknown_report_is_a_clear_error(index_dir):
    result = runner.invoke(app, ["--index-dir", str(index_dir), "show", "nope"])
    assert result.exit_code == 2
    assert "no report with id 'nope'" in result.output


def test_human_readable_tables(index_dir):
    result = runner.invoke(app, ["--index-dir", str(index_dir), "ingest", str(SEEDS)])
    assert result.exit_code == 0 and "5 added" in result.output
    result = runner.invoke(app, ["--index-dir", str(index_dir), "show", "000_748cc8dca99de2ec"])
    assert "一、2022年工作回顾" in result.output and "¶" in result.output


def test_national_reports_jsonl_ingest(index_dir):
    from tests.conftest import NATIONAL, need_shared

    path = need_shared(NATIONAL)
    result = runner.invoke(app, ["--index-dir", str(index_dir), "ingest", str(path), "--no-index", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 52 and all(i["status"] == "added" for i in items)
    assert all(i["level"] == "national" and i["year"] and i["n_chunks"] > 10 for i in items)
    latest = next(i for i in items if i["year"] == 2024)
    assert latest["speaker"] == "李强" and latest["meeting_date"] == "2024-03-05"


def test_a_report_parsed_by_an_older_parser_is_replaced_on_re_ingest(index_dir):
    """The store keeps no source bytes: re-ingesting the same file re-parses a report an older parser stored
    (so a library gains, e.g., the ¶0 title block without deleting anything)."""
    from rag.index.store import ReportStore
    from rag.ingest.parser import PARSER_VERSION

    source = SEEDS / "000_748cc8dca99de2ec.txt"
    assert run_json(index_dir, "ingest", str(source))[0]["status"] == "added"
    with ReportStore(index_dir) as store, store.transaction() as conn:  # as an older version stored it
        meta = json.loads(conn.execute("SELECT meta FROM reports").fetchone()[0])
        meta["parser_version"] = PARSER_VERSION - 1
        conn.execute("UPDATE reports SET meta=?", (json.dumps(meta, ensure_ascii=False),))
    assert run_json(index_dir, "ingest", str(source))[0]["status"] == "replaced"
    assert run_json(index_dir, "ingest", str(source))[0]["status"] == "unchanged"
    assert run_json(index_dir, "show", "000_748cc8dca99de2ec")["parser_version"] == PARSER_VERSION
