"""HTTP hardening (ui.security): every path behind the login, failed logins throttled, request bodies capped,
no CDN-loaded docs page, and a warning when `reportqa serve` listens beyond this machine without a login.

Apps are served by uvicorn on 127.0.0.1 (tests.webapp). Each throttling test poses as its own client through
X-Forwarded-For, which uvicorn honours from 127.0.0.1 (its default trusted proxy), so tests do not share a lockout.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.webapp import running

USER, PASSWORD = "alice", "s3cret"
MB = 1024 * 1024

pytestmark = [  # Gradio 6.31 calls pandas options that pandas 3 deprecates (not our code)
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting.*"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module")
def guarded_url(seed_services):
    from ui.app import build_app
    from ui.security import LoginThrottle

    app = build_app(seed_services, auth=(USER, PASSWORD), warm=False,
                    throttle=LoginThrottle(base_lockout_s=0.5, max_lockout_s=1.0))
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def open_url(seed_services):
    from ui.app import build_app

    with running(build_app(seed_services, warm=False)) as url:
        yield url


def client(url: str, ip: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, headers={"X-Forwarded-For": ip} if ip else None)


def json_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["error"]


# -- A. login coverage ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/api/docs", "/api/openapi.json", "/openapi.json", "/docs", "/redoc", "/gradio_api/startup-events",
    "/gradio_api/heartbeat/abc123", "/gradio_api/info", "/gradio_api/openapi.json", "/config",
    "/api/reports", "/api/nothing-here",
])
def test_everything_but_health_and_the_login_page_needs_the_login(guarded_url, path):
    with client(guarded_url) as http, http.stream("GET", path) as response:  # the heartbeat is an endless SSE
        assert response.status_code == 401
        response.read()
        assert "login" in json_error(response, 401)


def test_health_and_the_login_page_are_public(guarded_url):
    with client(guarded_url, "10.0.0.1") as http:
        assert http.get("/api/health").json()["status"] == "ok"
        page = http.get("/")
        assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
        assert "rq-chat" not in page.text  # the login form only, not the app's layout
        assert http.get("/theme.css").status_code == 200
        assert http.get("/manifest.json").status_code == 200  # linked from the login page
        asset = next(part.split('"')[0] for part in page.text.split('src="./')[1:] if part.startswith("assets/"))
        assert http.get(f"/{asset}").status_code == 200


def test_basic_login_opens_the_api_and_the_docs_are_off(guarded_url, open_url):
    with client(guarded_url, "10.0.0.2") as http:
        assert http.get("/api/reports", auth=(USER, PASSWORD)).status_code == 200
        schema = http.get("/api/openapi.json", auth=(USER, PASSWORD))
        assert schema.status_code == 200 and "/api/ask" in schema.json()["paths"]
        for path in ("/api/docs", "/docs", "/redoc", "/openapi.json"):  # Swagger/ReDoc load from a CDN
            assert http.get(path, auth=(USER, PASSWORD)).status_code == 404, path
    with client(open_url) as http:
        for path in ("/api/docs", "/docs", "/redoc", "/openapi.json"):
            assert http.get(path).status_code == 404, path
        assert http.get("/api/openapi.json").status_code == 200


def test_a_logged_in_ui_session_can_use_the_app(guarded_url):
    """The Gradio login form's POST gives a session cookie; with it the page config, the API info, the SSE
    heartbeat and an event call all pass the guard (it must not lock out real users)."""
    with client(guarded_url, "10.0.0.3") as http:
        login = http.post("/login", data={"username": USER, "password": PASSWORD})
        assert login.status_code == 200 and login.json() == {"success": True}
        assert any(name.startswith("access-token-unsecure-") for name in http.cookies)
        config = http.get("/config")
        assert config.status_code == 200 and config.json()["components"]
        page = http.get("/")
        assert "rq-chat" in page.text  # the app itself now, not the login form
        info = http.get("/gradio_api/info")
        assert info.status_code == 200
        params = info.json()["named_endpoints"]["/respond"]["parameters"]
        with http.stream("GET", "/gradio_api/heartbeat/s3ss10n") as beat:
            assert beat.status_code == 200 and next(beat.iter_lines()).startswith("data:")
        call = http.post("/gradio_api/call/respond", json={"data": [""] + [None] * (len(params) - 1)})
        assert call.status_code == 200, call.text
        with http.stream("GET", f"/gradio_api/call/respond/{call.json()['event_id']}") as events:
            assert events.status_code == 200
            assert "event: complete" in "\n".join(events.iter_lines())
        http.cookies.clear()
        assert http.get("/config").status_code == 401


# -- A. throttling -------------------------------------------------------------------------------------------
def test_wrong_basic_logins_are_throttled_then_the_lockout_ends(guarded_url):
    with client(guarded_url, "10.0.1.1") as http:
        codes = [http.get("/api/reports", auth=(USER, f"guess{i}")).status_code for i in range(20)]
        assert codes[:5] == [401] * 5 and codes[5] == 429 and codes.count(429) >= 10, codes
        locked = http.get("/api/reports", auth=(USER, PASSWORD))  # the right password, during the lockout
        assert "too many" in json_error(locked, 429)
        assert locked.headers["retry-after"] == "1"
        assert http.get("/api/health").status_code == 200  # monitoring is never locked out
        with client(guarded_url, "10.0.1.2") as other:  # per client: another address is not affected
            assert other.get("/api/reports", auth=(USER, PASSWORD)).status_code == 200
        deadline = time.monotonic() + 3
        while (status := http.get("/api/reports", auth=(USER, PASSWORD)).status_code) == 429:
            assert time.monotonic() < deadline, "the lockout did not end"
            time.sleep(0.1)
        assert status == 200
        assert http.get("/api/reports", auth=(USER, "wrong")).status_code == 401  # the success reset the count


def test_wrong_ui_logins_count_too(guarded_url):
    with client(guarded_url, "10.0.2.1") as http:
        session = http.post("/login", data={"username": USER, "password": PASSWORD})  # logged in beforehand
        assert session.status_code == 200
        cookies = dict(http.cookies)
        http.cookies.clear()
        for i in range(5):
            assert http.post("/login", data={"username": USER, "password": f"guess{i}"}).status_code == 400
        locked = http.post("/login", data={"username": USER, "password": PASSWORD})
        assert "too many" in json_error(locked, 429) and int(locked.headers["retry-after"]) >= 1
        assert http.get("/api/reports", auth=(USER, PASSWORD)).status_code == 429
    # an existing session (an unguessable cookie) keeps working: the guesser cannot lock real users out
    with client(guarded_url, "10.0.2.1") as http:
        http.cookies.update(cookies)
        assert http.get("/config").status_code == 200


def test_throttle_grows_resets_and_stays_bounded():
    from ui.security import LoginThrottle

    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, window_s=60, base_lockout_s=1, max_lockout_s=5, max_clients=50,
                             clock=lambda: now[0])
    for _ in range(2):
        throttle.failure("a")
    assert throttle.retry_after("a") == 0
    lockouts = []
    for _ in range(5):
        throttle.failure("a")
        lockouts.append(throttle.retry_after("a"))
        now[0] += lockouts[-1]
    assert lockouts == [1, 2, 4, 5, 5]  # doubling, capped
    throttle.success("a")
    throttle.failure("a")
    assert throttle.retry_after("a") == 0
    for _ in range(2):
        throttle.failure("b")
    now[0] += 61  # a quiet window forgets old failures
    throttle.failure("b")
    assert throttle.retry_after("b") == 0
    for i in range(500):
        throttle.failure(f"10.1.{i // 250}.{i % 250}")
    assert len(throttle) <= 50


# -- B/C. request body caps ----------------------------------------------------------------------------------
def raw_post(url: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> tuple[int, dict, bytes]:
    """POST over a plain socket, sending ``chunks`` until the server answers (or stops reading); the response."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode())
        data, head_end, lines, found = b"", -1, [""], {}
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the answer is there: stop sending
            try:
                sock.sendall(chunk)
            except OSError:
                break
        while True:
            try:
                part = sock.recv(65536)
            except OSError:
                break
            if not part:
                break
            data += part
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                lines = data[:head_end].decode("latin-1").split("\r\n")
                found = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                if len(data) - head_end - 4 >= int(found.get("content-length", "0")):
                    break
    assert head_end >= 0, data[:200]
    return int(lines[0].split()[1]), found, data[head_end + 4:]


def zeros(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"0" * size


def chunked(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for piece in zeros(total, size):
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_huge_body_is_refused_fast_and_the_server_goes_on(open_url, framing):
    headers = {"Content-Type": "application/json"}
    if framing == "content-length":
        headers["Content-Length"] = str(100 * MB)
        body = zeros(100 * MB)
    else:
        headers["Transfer-Encoding"] = "chunked"
        body = chunked(100 * MB)
    start = time.monotonic()
    status, _, payload = raw_post(open_url, "/api/ask", headers, body)
    assert status == 413 and time.monotonic() - start < 10
    error = json.loads(payload)["error"]
    assert "too large" in error and "1024 KB" in error
    with client(open_url) as http:
        assert http.get("/api/health").status_code == 200


def test_a_body_just_over_the_cap_is_refused_on_gradio_routes_too(open_url):
    body = b"x" * (1024 * 1024 + 1)
    status, _, payload = raw_post(open_url, "/gradio_api/queue/join", {"Content-Type": "application/json",
                                                                      "Content-Length": str(len(body))}, iter([body]))
    assert status == 413 and "too large" in json.loads(payload)["error"]


def test_normal_requests_and_uploads_still_work(open_url, dev_qa):
    with client(open_url) as http:
        item = dev_qa[0]
        history = [{"role": "user", "content": "问" * 400}, {"role": "assistant", "content": "答" * 4000}] * 5
        answer = http.post("/api/ask", json={"question": item["question"], "llm": "extractive", "history": history})
        assert answer.status_code == 200, answer.text
        # Gradio's upload route has its own, larger cap (per-file limit x files): 2 MB passes there
        upload = http.post("/gradio_api/upload", files={"files": ("big.txt", b"a" * (2 * MB), "text/plain")})
        assert upload.status_code == 200, upload.text
        assert len(upload.json()) == 1


def test_the_upload_cap_follows_the_settings():
    from rag.core.config import Settings
    from ui.security import BodyLimit, upload_limit

    settings = Settings(max_file_mb=2, max_upload_files=3, max_request_kb=64)
    limit = BodyLimit(app=None, max_bytes=settings.max_request_kb * 1024,  # type: ignore[arg-type]
                      upload_max_bytes=upload_limit(settings.max_file_bytes, settings.max_upload_files))
    assert limit.limit_for("/gradio_api/upload") == 7 * MB
    assert limit.limit_for("/gradio_api/queue/join") == limit.limit_for("/api/ask") == 64 * 1024


# -- D. serving beyond this machine without a login ----------------------------------------------------------
@pytest.mark.parametrize(("host", "auth", "warns"), [
    ("0.0.0.0", None, True),
    ("::", None, True),
    ("192.168.1.20", None, True),
    ("reports.example.org", None, True),
    ("0.0.0.0", (USER, PASSWORD), False),
    ("127.0.0.1", None, False),
    ("127.0.0.2", None, False),
    ("::1", None, False),
    ("[::1]", None, False),
    ("localhost", None, False),
])
def test_exposure_warning(host, auth, warns):
    from rag.cli import exposure_warning

    warning = exposure_warning(host, auth)
    assert (warning is not None) == warns
    if warning:
        assert "\n" not in warning and host in warning and "REPORTQA_AUTH" in warning
