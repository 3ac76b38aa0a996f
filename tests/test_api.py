"""REST API (served by uvicorn on a free 127.0.0.1 port, called with httpx): CLI-shaped JSON, JSON errors."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from rag.core.textnorm import normalize_for_search
from rag.service import LOCAL_LLM_LOCK, MAX_QUESTION_CHARS, report_view
from tests.webapp import running

ASK_KEYS = {"question", "standalone_question", "answer", "engine", "grounded", "refused", "grounding_note",
            "citations", "timings"}


@pytest.fixture(scope="module")
def app(seed_services):
    from ui.app import build_app

    return build_app(seed_services)


@pytest.fixture(scope="module")
def client(app):
    with running(app) as url, httpx.Client(base_url=url, timeout=120) as http:
        yield http


def norm(text: str) -> str:
    return normalize_for_search(text)


def assert_json_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"error"} and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body["error"]


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["reports"] == 5 and body["chunks"] > 100
    assert "extractive" in body["engines"]


def test_reports_is_the_cli_json(client, seed_services):
    from rag.cli import app as cli

    api = client.get("/api/reports")
    assert api.status_code == 200
    result = CliRunner().invoke(cli, ["--index-dir", str(seed_services.index_dir), "reports", "--json"])
    assert result.exit_code == 0, result.output
    assert api.json() == json.loads(result.stdout)
    assert len(api.json()) == 5


def test_report_detail_and_unknown_report(client):
    report_id = client.get("/api/reports").json()[0]["report_id"]
    detail = client.get(f"/api/reports/{report_id}").json()
    assert detail["report_id"] == report_id and detail["sections"]
    message = assert_json_error(client.get("/api/reports/no_such_report"), 404)
    assert "no_such_report" in message


def test_search_is_the_cli_json_and_finds_the_gold_paragraph(client, seed_services, dev_qa):
    item = dev_qa[0]
    response = client.get("/api/search", params={"q": item["question"], "k": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "mode", "results", "timings"} and body["mode"] == "hybrid"
    direct = seed_services.search(item["question"], k=5)
    assert body["results"] == [h.to_dict() for h in direct.hits]
    assert any(norm(g) in norm(body["results"][0]["text"]) for g in item["gold_contains"])
    filtered = client.get("/api/search", params={"q": item["question"], "k": 2, "mode": "bm25",
                                                 "report": body["results"][0]["report_id"]}).json()
    assert len(filtered["results"]) == 2
    assert {r["report_id"] for r in filtered["results"]} == {body["results"][0]["report_id"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ask_answers_with_citations_like_the_cli(client, seed_services, dev_qa, lang):
    from rag.answer.pipeline import ask

    item = next(q for q in dev_qa if q["lang"] == lang)
    response = client.post("/api/ask", json={"question": item["question"], "llm": "extractive"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == ASK_KEYS
    assert body["engine"] in ("extractive", "ledger") and body["grounded"] and not body["refused"]
    assert all(a in body["answer"] for a in item["answer_contains"])
    assert any(norm(g) in norm(c["text"]) for c in body["citations"] for g in item["gold_contains"])
    direct = ask(seed_services, item["question"], None, "extractive").to_dict()
    assert {k: v for k, v in body.items() if k != "timings"} == {k: v for k, v in direct.items() if k != "timings"}


def test_ask_follow_up_and_report_filter(client, dev_qa):
    item = dev_qa[0]
    first = client.post("/api/ask", json={"question": item["question"], "llm": "extractive"}).json()
    report_id = first["citations"][0]["report_id"]
    history = [{"role": "user", "content": item["question"]}, {"role": "assistant", "content": first["answer"]}]
    follow = client.post("/api/ask", json={"question": "那2023年的目标呢？", "history": history,
                                           "report_ids": [report_id], "llm": "extractive"})
    assert follow.status_code == 200, follow.text
    body = follow.json()
    assert body["standalone_question"] != "那2023年的目标呢？"
    assert {c["report_id"] for c in body["citations"]} <= {report_id}


@pytest.mark.parametrize(("request_kwargs", "status", "fragment"), [
    ({"json": {"question": ""}}, 400, "empty"),
    ({"json": {"question": "   "}}, 400, "empty"),
    ({"json": {}}, 400, "string"),
    ({"json": {"question": 42}}, 400, "string"),
    ({"json": {"question": "长" * (MAX_QUESTION_CHARS + 1)}}, 400, "too long"),
    ({"json": {"question": "凌河区\x00GDP"}}, 400, "control"),
    ({"json": {"question": "凌河区GDP", "report_ids": ["no_such_report"]}}, 400, "no_such_report"),
    ({"json": {"question": "凌河区GDP", "report_ids": "x y"}}, 400, "unknown report"),
    ({"json": {"question": "凌河区GDP", "report_ids": [1, 2]}}, 400, "report ids"),
    ({"json": {"question": "凌河区GDP", "llm": "gpt-99"}}, 400, "unknown engine"),
    ({"json": {"question": "凌河区GDP", "history": "hello"}}, 400, "history"),
    ({"json": {"question": "凌河区GDP", "history": [{"role": "x"}]}}, 400, "history"),
    ({"json": {"question": "凌河区GDP", "year": "next"}}, 400, "year"),
    ({"json": {"question": "凌河区GDP", "year": 2031, "llm": "extractive"}}, 400, "no report matches"),
    ({"json": ["凌河区GDP"]}, 400, "invalid request"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "invalid request"),
])
def test_ask_rejects_bad_requests_with_json_errors(client, request_kwargs, status, fragment):
    message = assert_json_error(client.post("/api/ask", **request_kwargs), status)
    assert fragment in message


@pytest.mark.parametrize(("params", "fragment"), [
    ({}, "missing"),
    ({"q": ""}, "empty"),
    ({"q": "凌河区GDP", "k": "0"}, "k must be"),
    ({"q": "凌河区GDP", "k": "101"}, "k must be"),
    ({"q": "凌河区GDP", "k": "five"}, "k must be"),
    ({"q": "凌河区GDP", "mode": "fuzzy"}, "mode must be"),
    ({"q": "凌河区GDP", "report": "no_such_report"}, "no_such_report"),
    ({"q": "凌河\x07区"}, "control"),
])
def test_search_rejects_bad_requests_with_json_errors(client, params, fragment):
    assert fragment in assert_json_error(client.get("/api/search", params=params), 400)


def test_busy_local_model_answers_503(client):
    """While the local model generates one answer, a second local request is told so at once."""
    assert LOCAL_LLM_LOCK.acquire(timeout=5)
    try:
        response = client.post("/api/ask", json={"question": "凌河区2022年GDP增速是多少？", "llm": "local"})
    finally:
        LOCAL_LLM_LOCK.release()
    message = assert_json_error(response, 503)
    assert "busy" in message and response.json()["busy"] is True
    assert response.headers["retry-after"] == "5"


def test_internal_errors_are_json_without_trace(client, app, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail /home/x")

    monkeypatch.setattr(app.state.gateway, "search", boom)
    message = assert_json_error(client.get("/api/search", params={"q": "凌河区GDP"}), 500)
    assert "RuntimeError" in message and "secret" not in message


def test_unknown_api_path_is_json_404(client):
    assert_json_error(client.get("/api/nothing-here"), 404)


def test_login_guards_the_ui_and_the_api(seed_services):
    from ui.app import build_app

    with running(build_app(seed_services, auth=("alice", "s3cret"), warm=False)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/api/health").status_code == 200
        assert_json_error(http.get("/api/reports"), 401)
        assert_json_error(http.get("/api/reports", auth=("alice", "wrong")), 401)
        assert http.get("/api/reports", auth=("alice", "s3cret")).status_code == 200
        assert http.get("/config").status_code == 401  # the UI's config needs the login form
        login = http.post("/login", data={"username": "alice", "password": "s3cret"})
        assert login.status_code == 200
        assert http.get("/config").status_code == 200


def test_report_view_numbers_paragraphs_like_the_chunks(seed_services):
    store = seed_services.store
    for report in store.reports():
        chunks = store.chunks(report.report_id)
        view = report_view(report, store.cleaned_text(report.report_id), store.sections(report.report_id), chunks)
        paragraphs = {b.paragraph: b for b in view.blocks if b.paragraph is not None}
        assert len(paragraphs) == max(c.paragraph_end for c in chunks)
        for chunk in chunks:
            if chunk.paragraph == 0:  # the title block: the view's header
                assert "\n".join(view.header) == chunk.text
                continue
            block = paragraphs[chunk.paragraph]
            assert block.start <= chunk.char_start <= block.start + len(block.text)
            assert chunk.chunk_id in block.chunk_ids


def test_only_answers_and_library_changes_use_the_event_queue(seed_services):
    """Gradio's queue streams events over one connection per page; an event queued while another was finishing
    could join a stream the server was closing and never get its answer. Quick reads (page load, viewer,
    clear, compare) go as plain requests; the queue keeps the streamed answer and the one-at-a-time writes."""
    from rag.service.gateway import Gateway
    from ui.app import build_blocks

    blocks = build_blocks(Gateway(seed_services))
    queued = sorted({fn.name for fn in blocks.fns.values() if fn.queue and fn.fn is not None})
    assert queued == ["do_delete", "do_import", "respond"], queued
    loads = [fn for fn in blocks.fns.values() if any(target[1] == "load" for target in fn.targets)]
    assert loads and not any(fn.queue for fn in loads)
