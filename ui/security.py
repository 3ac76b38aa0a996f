"""HTTP hardening of the web app: one login in front of every route, login throttling, request body caps.

Both guards are pure ASGI middleware (not ``BaseHTTPMiddleware``) so Gradio's SSE streams (queue/data,
heartbeat) pass through untouched. ``ui.app.build_app`` installs them:

* ``AccessGuard`` (only with ``REPORTQA_AUTH``): Gradio guards only some of its routes and FastAPI guards
  none of its own (docs, openapi.json), so the login is checked once, here, for every path except
  ``/api/health`` and what Gradio's login page needs to render and submit. A request is logged in with valid
  HTTP Basic credentials or a valid Gradio session cookie. Failed logins (Basic or Gradio's ``POST /login``)
  are counted per client address by ``LoginThrottle``.
* ``BodyLimit``: caps request bodies (Content-Length up front, streamed/chunked bytes as they arrive) so a
  client cannot make the server read and parse a body of any size.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import cookie_parser

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# -- login throttling ---------------------------------------------------------------------------------------
MAX_FAILURES = 5  # failed logins from one client within FAILURE_WINDOW_S before it is locked out
FAILURE_WINDOW_S = 300.0
BASE_LOCKOUT_S = 1.0  # the first lockout; each further failure while at the threshold doubles it…
MAX_LOCKOUT_S = 300.0  # …up to this
MAX_TRACKED_CLIENTS = 10_000  # bounded memory: the stalest entries are dropped beyond this

# -- what needs no login ------------------------------------------------------------------------------------
ALWAYS_PUBLIC = frozenset({"/api/health"})  # monitoring, even for a locked-out client
# Gradio's login page: the page itself (Gradio renders its login form there for a visitor without a session),
# the form's POST, and the built frontend (JS/CSS, theme) it loads. None of these carries report data.
LOGIN_PAGE_PATHS = frozenset({"/", "/login", "/login/", "/theme.css", "/favicon.ico", "/manifest.json"})
LOGIN_PAGE_PREFIXES = ("/assets/", "/static/")
LOGIN_ROUTES = frozenset({"/login", "/login/"})

# -- body caps ----------------------------------------------------------------------------------------------
UPLOAD_PATHS = frozenset({"/gradio_api/upload"})
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
DRAIN_MAX_BYTES = 64 * 1024 * 1024  # a refused body up to this size is read (and dropped) before the 413


@dataclass
class _Client:
    failures: list[float] = field(default_factory=list)  # times of the failures within the window
    strikes: int = 0  # lockouts so far (reset by a success or when the entry expires)
    locked_until: float = 0.0
    seen: float = 0.0


class LoginThrottle:
    """Failed logins per client address: after ``max_failures`` within ``window_s`` the client is locked out for
    ``base_lockout_s``, doubling with each further failure up to ``max_lockout_s``; a success resets it.

    Runs on the event loop only (no awaits inside), so needs no lock. At most ``max_clients`` entries are kept.
    """

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S,
                 base_lockout_s: float = BASE_LOCKOUT_S, max_lockout_s: float = MAX_LOCKOUT_S,
                 max_clients: int = MAX_TRACKED_CLIENTS, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures, self.window_s = max_failures, window_s
        self.base_lockout_s, self.max_lockout_s = base_lockout_s, max_lockout_s
        self.max_clients, self.clock = max_clients, clock
        self._clients: dict[str, _Client] = {}

    def __len__(self) -> int:
        return len(self._clients)

    def retry_after(self, client: str) -> float:
        """Seconds left of the client's lockout (0 when it may try to log in)."""
        entry = self._clients.get(client)
        return max(0.0, entry.locked_until - self.clock()) if entry else 0.0

    def failure(self, client: str) -> None:
        now = self.clock()
        entry = self._clients.pop(client, None) or _Client()
        entry.failures = [t for t in entry.failures if now - t < self.window_s][-self.max_failures:]
        if not entry.failures and entry.locked_until <= now:
            entry.strikes = 0  # quiet for a whole window: start over
        entry.failures.append(now)
        entry.seen = now
        if len(entry.failures) >= self.max_failures:
            lockout = min(self.base_lockout_s * 2 ** min(entry.strikes, 32), self.max_lockout_s)
            entry.strikes += 1
            entry.locked_until = now + lockout
        self._clients[client] = entry  # re-inserted: dict order is least recently failed first
        self._prune(now)

    def success(self, client: str) -> None:
        self._clients.pop(client, None)

    def _prune(self, now: float) -> None:
        if len(self._clients) <= self.max_clients:
            return
        for key in [k for k, e in self._clients.items()
                    if e.locked_until <= now and now - e.seen >= self.window_s]:
            del self._clients[key]
        while len(self._clients) > self.max_clients:
            del self._clients[next(iter(self._clients))]


# -- helpers ------------------------------------------------------------------------------------------------
def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def client_address(scope: Scope) -> str:
    """The peer address (uvicorn rewrites it from X-Forwarded-For only for its trusted proxies)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def basic_credentials(header: str) -> tuple[str, str] | None:
    """``Basic base64(user:password)`` → (user, password); ("", "") for a malformed Basic header."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    return user, password


def credentials_match(given: tuple[str, str], auth: tuple[str, str]) -> bool:
    """Constant-time comparison of both parts (no early exit that would time which part was wrong)."""
    user_ok = secrets.compare_digest(given[0].encode(), auth[0].encode())
    password_ok = secrets.compare_digest(given[1].encode(), auth[1].encode())
    return user_ok & password_ok


def gradio_session_user(gradio_app: Any) -> Callable[[Mapping[str, str]], str | None]:
    """Cookies → the logged-in Gradio user, read the way ``gradio.routes`` does (``get_current_user``): the
    token in ``access-token-<cookie_id>`` (HTTPS) or ``access-token-unsecure-<cookie_id>`` must be in
    ``app.tokens``, which ``POST /login`` fills."""

    def user(cookies: Mapping[str, str]) -> str | None:
        cookie_id = gradio_app.cookie_id
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            token = cookies.get(name)
            if token and (found := gradio_app.tokens.get(token)) is not None:
                return str(found)
        return None

    return user


async def send_json(send: Send, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


# -- the login guard ----------------------------------------------------------------------------------------
class AccessGuard:
    """Every path behind the login except ``/api/health`` and Gradio's login page (see LOGIN_PAGE_PATHS).

    Logged in = valid HTTP Basic credentials or a valid Gradio session cookie; otherwise 401 JSON. Wrong Basic
    credentials and failed ``POST /login`` (seen by its response status) count as failures in ``throttle``; a
    locked-out client gets 429 with Retry-After for any login attempt, even with the right password. A
    session cookie still works during a lockout (it cannot be guessed, and it spares real users behind the same
    address as the guesser).
    """

    def __init__(self, app: ASGIApp, auth: tuple[str, str], session_user: Callable[[Mapping[str, str]], str | None],
                 throttle: LoginThrottle | None = None) -> None:
        self.app, self.auth, self.session_user = app, auth, session_user
        self.throttle = throttle if throttle is not None else LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in ALWAYS_PUBLIC:
            await self.app(scope, receive, send)
            return
        path, client = scope["path"], client_address(scope)
        authorization = _header(scope, b"authorization")
        given = basic_credentials(authorization) if authorization else None
        if given is not None:
            if await self._locked(scope, send, client):
                return
            if credentials_match(given, self.auth):
                self.throttle.success(client)
                await self.app(scope, receive, send)
            else:
                self.throttle.failure(client)
                await self._deny(scope, send, "wrong user name or password")
            return
        if scope["type"] == "http" and path in LOGIN_ROUTES and scope.get("method") == "POST":
            if not await self._locked(scope, send, client):
                await self._observe_login(scope, receive, send, client)
            return
        if self.session_user(cookie_parser(_header(scope, b"cookie") or "")) is not None:
            await self.app(scope, receive, send)
            return
        if path in LOGIN_PAGE_PATHS or path.startswith(LOGIN_PAGE_PREFIXES):
            await self.app(scope, receive, send)
            return
        await self._deny(scope, send, "login required (HTTP Basic, or log in to the web UI first)")

    async def _observe_login(self, scope: Scope, receive: Receive, send: Send, client: str) -> None:
        """Gradio's login route answers 200 for the right password and 400 for a wrong one."""

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if 200 <= status < 300:
                    self.throttle.success(client)
                elif status in (400, 401, 403):
                    self.throttle.failure(client)
            await send(message)

        await self.app(scope, receive, watch)

    async def _locked(self, scope: Scope, send: Send, client: str) -> bool:
        wait = self.throttle.retry_after(client)
        if wait <= 0:
            return False
        seconds = max(1, math.ceil(wait))
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await send_json(send, 429, {"error": f"too many failed logins; try again in {seconds} s"},
                            {"Retry-After": str(seconds)})
        return True

    async def _deny(self, scope: Scope, send: Send, message: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        # Only the REST API offers Basic to browsers: elsewhere the header would pop a browser login dialog
        # over Gradio's own login form (e.g. when the heartbeat finds the session gone after a restart).
        headers = {"WWW-Authenticate": 'Basic realm="ReportQA"'} if scope["path"].startswith("/api/") else None
        await send_json(send, 401, {"error": message}, headers)


# -- body caps ----------------------------------------------------------------------------------------------
class BodyLimit:
    """413 JSON for request bodies over ``max_bytes`` (``upload_max_bytes`` on Gradio's upload route).

    A declared Content-Length over the limit is refused before a byte is read; a chunked body is counted as it
    arrives and refused as soon as it passes the limit (the app then sees the client as gone and its own answer
    is dropped).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int,
                 upload_paths: frozenset[str] = UPLOAD_PATHS) -> None:
        self.app, self.max_bytes, self.upload_max_bytes, self.upload_paths = app, max_bytes, upload_max_bytes, upload_paths

    def limit_for(self, path: str) -> int:
        return self.upload_max_bytes if path.rstrip("/") in self.upload_paths else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            if int(declared) <= DRAIN_MAX_BYTES:  # read and drop it, so the client is there to read the 413
                await _drain(receive)
            await self._reject(send, limit)
            return
        received, started, refused = 0, False, False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        if message.get("more_body", False) and received <= DRAIN_MAX_BYTES:
                            await _drain(receive, DRAIN_MAX_BYTES - received)
                        await self._reject(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 already went out (or the answer was cut short); drop the app's own reply
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise  # a real error: let the app's error handling report it

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        await send_json(send, 413, {"error": f"request body too large (limit {_size(limit)})"},
                        {"Connection": "close"})


async def _drain(receive: Receive, budget: int = DRAIN_MAX_BYTES) -> None:
    """Read and discard the rest of a body (at most ``budget`` bytes). A server that answers and closes while
    the client is still sending makes the client's TCP stack drop the answer (a reset), so an HTTP client
    that sends the whole body before reading (most do) would see a broken connection, not the 413."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 10 * 1024 * 1024 else f"{math.ceil(n / 1024)} KB"


def upload_limit(max_file_bytes: int, max_files: int) -> int:
    """Gradio's upload route: every file at its largest plus multipart headers and boundaries."""
    return max_file_bytes * max_files + MULTIPART_OVERHEAD_BYTES
