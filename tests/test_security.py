"""Security regressions (issue #11): file reads through the upload handler, forged citations, readers blocked
by an upload, invisible questions, replacing a report without being asked."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import httpx
import pytest

from rag.service import Gateway, RequestError, check_question, read_uploaded_file
from tests.conftest import REPO, SEEDS
from tests.test_reliability import clone_index
from tests.webapp import running

SEED = SEEDS / "003_a4fd2a1ae2d076c2.txt"


@pytest.fixture
def private_services(seed_services, tmp_path):
    """A writable copy of the seed index with its own Services (the shared one stays untouched)."""
    from rag.service.resources import Services

    services = Services(seed_services.settings, index_dir=clone_index(seed_services, tmp_path / "index"))
    yield services
    services.close()


# -- 1. the upload handler reads only files Gradio received ------------------------------------------------
def gradio_call(http: httpx.Client, api_name: str, data: list) -> tuple[int, object]:
    """Call a Gradio event the way any HTTP client can (POST …/call/NAME, then read its event stream);
    returns (HTTP status of the call, the event's output or the error body)."""
    started = http.post(f"/gradio_api/call/{api_name}", json={"data": data})
    if started.status_code != 200:
        return started.status_code, started.json()
    event_id = started.json()["event_id"]
    stream = http.get(f"/gradio_api/call/{api_name}/{event_id}")
    event, payload = "", None
    for line in stream.text.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            raw = line.split(":", 1)[1].strip()
            payload = json.loads(raw) if raw and raw != "null" else None
    return 200, payload


def file_data(path: str | Path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}, "orig_name": Path(path).name}


def test_import_refuses_server_files_named_by_the_client(private_services, tmp_path):
    from ui.app import build_app

    before = {r.report_id for r in private_services.store.reports()}
    secret = REPO / "README.md"
    with running(build_app(private_services, warm=False)) as url, httpx.Client(base_url=url, timeout=120) as http:
        named = [secret, REPO / "no-such-file.txt", SEED, Path("/etc/hostname"), "http://127.0.0.1:9/x.txt"]
        for path in named:
            for route in ("do_import", "do_import"):
                status, payload = gradio_call(http, route, [[file_data(path)], False])
                shown = json.dumps(payload, ensure_ascii=False)
                assert status == 403 and "uploaded through the app" in shown, shown
        join = http.post("/gradio_api/queue/join", json={"data": [[file_data(secret)], False], "fn_index": 0,
                                                         "session_hash": "x1", "event_data": None})
        assert join.status_code == 403
        assert {r.report_id for r in private_services.store.reports()} == before
        found = http.get("/api/search", params={"q": "Two commands make run make test", "k": 10}).json()
        assert all(hit["report_id"] in before for hit in found["results"])
        assert http.get("/api/reports/README").status_code == 404
        for path in (secret, Path("/etc/passwd"), SEED):  # Gradio's file route serves no server file either
            assert http.get(f"/gradio_api/file={path}").status_code == 403
        # what the upload widget sends still works: upload first, then import the path Gradio returned
        report = tmp_path / "yunxi_upload.txt"
        report.write_text(SEED.read_text(encoding="utf-8").replace("。", "。（上传）", 1), encoding="utf-8")
        with report.open("rb") as handle:
            uploaded = http.post("/gradio_api/upload", files=[("files", (report.name, handle, "text/plain"))])
        assert uploaded.status_code == 200, uploaded.text
        status, payload = gradio_call(http, "do_import", [[file_data(uploaded.json()[0])], False])
        assert status == 200 and "新增 added" in json.dumps(payload, ensure_ascii=False), payload
    assert {r.report_id for r in private_services.store.reports()} == before | {"yunxi_upload"}


def test_read_uploaded_file_only_inside_the_upload_folder(tmp_path):
    root = tmp_path / "uploads"
    (root / "abc").mkdir(parents=True)
    inside = root / "abc" / "report.txt"
    inside.write_bytes(b"ok")
    assert read_uploaded_file(inside, root, 10) == b"ok"
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    link = root / "abc" / "link.txt"
    link.symlink_to(outside)
    for path in (outside, link, root / "abc" / ".." / ".." / "secret.txt", root / "abc" / "missing.txt", root):
        with pytest.raises(RequestError) as info:
            read_uploaded_file(path, root, 10)
        assert info.value.status == 403 and "not uploaded" in str(info.value)
    big = root / "abc" / "big.txt"
    big.write_bytes(b"x" * 11)
    with pytest.raises(RequestError, match="too large"):
        read_uploaded_file(big, root, 10)


# -- 3. report text cannot forge citations ---------------------------------------------------------------
FORGED = """云溪县2023年政府工作报告
各位代表：
一、2022年工作回顾
全县城镇新增就业[1]达到5200人详见[就业报告](#cite-{target}@0:20)。农村劳动力转移就业1.3万人。
全县新建茶园1.2万亩，茶叶产值突破9亿元，带动茶农户均增收3800元。
"""


def test_report_text_cannot_forge_citation_links(private_services, tmp_path):
    from rag.answer.pipeline import ask
    from ui import render

    target = private_services.store.chunk_ids()[0]
    report = tmp_path / "yunxi.txt"
    report.write_text(FORGED.format(target=target), encoding="utf-8")
    assert private_services.ingest([report])[0].status == "added"
    answer = ask(private_services, "云溪县2022年城镇新增就业多少人？", None, "extractive")
    assert "5200人" in answer.answer and not answer.refused
    html = render.answer_message(answer)
    # the only links are the engine's own markers (in the text and in the reference list), one per citation
    links = html.count('<a class="rq-cite"')
    assert links == 2 * len(answer.citations), html
    assert "](#cite" not in html.replace("\\](\\#cite", "")  # the report's Markdown link shows as text
    assert "［1］" in html  # the report's own "[1]" is shown, but not as a marker


def test_markdown_and_html_in_untrusted_text_are_inert():
    from ui import render

    shown = render.md_text('<img src="http://x/b.png"> [a](http://x) ![i](http://x/i.png) $x$ `c` **b**')
    assert "<img" not in shown and "](" not in shown.replace("\\](", "")
    assert render.MARKER_RE.findall(render.md_text("[1]")) == ["1"]  # escaped brackets: matched only as ours


def test_summary_html_escapes_report_text():
    from rag.reports.summary import ReportSummary, SummaryItem
    from ui import render

    evil = '<form action="http://x" method=post><input type=password placeholder=请重新登录></form><img src=http://x/b>'
    summary = ReportSummary("r", f"标题{evil}", "extractive", "zh", {"region": evil, "year": 2023},
                            achievements=[SummaryItem(f"成绩{evil}[1]", [1], section=evil)],
                            citations=[{"n": 1, "chunk_id": "r-1", "section_path": [evil], "paragraph": 3,
                                        "quote": evil, "quote_start": 0}])
    html = render.summary_html(summary)
    assert "<form" not in html and "<img" not in html and "<input" not in html
    assert html.count('<a class="rq-cite"') == 2  # the bullet's [1] and the source list entry; not the text's


# -- 4. readers are not blocked by an upload ---------------------------------------------------------------
def test_search_runs_while_an_upload_is_parsed_and_embedded(private_services, monkeypatch):
    """The upload is held inside its embedding step; a search must complete meanwhile (on the old code the
    write lock was held for the whole upload, so the search waited for it)."""
    import rag.service.resources

    gateway = Gateway(private_services)
    gateway.search("凌河区固定资产投资", k=3)  # model and index loaded
    entered, release = threading.Event(), threading.Event()
    original = rag.service.resources.embed_with_cache

    def slow_embed(*args, **kwargs):  # runs whether or not the passages are in the embedding cache
        entered.set()
        assert release.wait(120)
        return original(*args, **kwargs)

    monkeypatch.setattr(rag.service.resources, "embed_with_cache", slow_embed)
    data = seed_text().replace("。", "。（新版本）", 1).encode("utf-8")
    result: dict[str, object] = {}
    upload = threading.Thread(target=lambda: result.update(out=gateway.ingest_upload("new_report.txt", data)))
    try:
        upload.start()
        assert entered.wait(120), "the upload never reached its embedding step"
        assert gateway.updating
        searched = threading.Thread(target=lambda: result.update(hits=gateway.search("凌河区固定资产投资", k=3)))
        searched.start()
        searched.join(60)
        assert not searched.is_alive(), "a search waited for the upload"
        assert result["hits"]["results"]
        assert upload.is_alive()  # the upload was still in progress while the search ran
    finally:
        release.set()
        upload.join(120)
    assert [o.status for o in result["out"]] == ["added"]
    assert not gateway.updating
    hits = gateway.search("新版本", k=5, report_ids=["new_report"])
    assert hits["results"] and all(h["report_id"] == "new_report" for h in hits["results"])


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def test_health_says_when_the_index_is_updating(private_services):
    from ui.app import build_app

    app = build_app(private_services, warm=False)
    gateway = app.state.gateway
    with running(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/api/health").json()["index"] == "ready"
        with gateway._writing():
            assert http.get("/api/health").json()["index"] == "updating"


# -- 8. questions without visible characters ----------------------------------------------------------------
INVISIBLE = ["\u202e\u200b\u200f", "\ufffd\ufffd\ufffd", "？？？", "\u3000\u200d", "…"]


@pytest.mark.parametrize("question", INVISIBLE)
def test_invisible_questions_are_rejected(question):
    with pytest.raises(RequestError, match="no visible letters or digits"):
        check_question(question)


def test_invisible_questions_rejected_by_rest_and_cli(seed_services):
    from typer.testing import CliRunner

    from rag.cli import app as cli_app
    from ui.app import build_app

    with running(build_app(seed_services, warm=False)) as url, httpx.Client(base_url=url, timeout=60) as http:
        response = http.get(f"{url}/api/search?q=%ff%fe%fa")
        assert response.status_code == 400 and "visible" in response.json()["error"]
        response = http.post("/api/ask", json={"question": "\u202e\u200b\u200f", "llm": "extractive"})
        assert response.status_code == 400 and "visible" in response.json()["error"]
    env = {"REPORTQA_INDEX_DIR": str(seed_services.index_dir), "REPORTQA_LLM": "extractive"}
    for command in ("search", "ask"):
        result = CliRunner().invoke(cli_app, [command, "\u202e\u200b\u200f"], env=env)
        assert result.exit_code == 2 and "visible" in result.output


# -- 9. replacing a report only when asked -------------------------------------------------------------------
def test_upload_with_an_existing_name_replaces_only_when_asked(private_services):
    gateway = Gateway(private_services)
    name = SEED.name
    rid = SEED.stem
    old = private_services.store.sha_of(rid)
    changed = seed_text().replace("。", "。（修订）", 1).encode("utf-8")
    outcome = gateway.ingest_upload(name, changed)[0]
    assert outcome.status == "rejected" and "already in the library" in (outcome.error or "")
    assert "\n" not in (outcome.error or "")
    assert private_services.store.sha_of(rid) == old
    assert gateway.ingest_upload(name, SEED.read_bytes())[0].status == "unchanged"
    outcome = gateway.ingest_upload(name, changed, replace=True)[0]
    assert outcome.status == "replaced"
    assert private_services.store.sha_of(rid) != old


def test_upload_of_nothing_new_never_loses_indexed_reports(private_services):
    gateway = Gateway(private_services)
    before = {r.report_id for r in private_services.store.reports()}
    for name, data in (("bad.docx", b"PK\x03\x04 not a zip"), ("x.txt", os.urandom(64)), (SEED.name, b"")):
        assert gateway.ingest_upload(name, data)[0].status == "rejected"
    assert {r.report_id for r in private_services.store.reports()} == before
