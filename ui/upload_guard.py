"""Refuse Gradio event payloads that name server files the client never uploaded.

A Gradio file input arrives as ``{"path": …, "meta": {"_type": "gradio.FileData"}}``. Gradio copies that path
into its cache before the event handler runs, and when the app is mounted on FastAPI (``mount_gradio_app``,
as here) its own "was not uploaded" check is skipped, so any readable server file (or, for an http URL, any
address the server can reach) could be pulled in and then read back through search. This ASGI middleware
checks every JSON body sent to Gradio's API before Gradio sees it: each file must be a local path inside the
upload folder, where Gradio's upload route stores what users send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ui.security import ASGIApp, Message, Receive, Scope, Send, send_json

GRADIO_API = "/gradio_api/"
UPLOAD_ROUTE = "/gradio_api/upload"
MAX_EVENT_BODY = 4 * 2**20  # event payloads are questions, choices and chat turns; never file contents


def foreign_files(payload: object, upload_root: Path, limit: int = 1000) -> list[str]:
    """Paths of file objects in ``payload`` that are not files inside ``upload_root`` (URLs included)."""
    found: list[str] = []
    stack: list[object] = [payload]
    seen = 0
    while stack and seen < 100_000:  # iterative: a deeply nested body cannot exhaust the stack
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            meta = node.get("meta")
            if isinstance(meta, dict) and meta.get("_type") == "gradio.FileData":
                path = node.get("path")
                if not isinstance(path, str) or not _inside(path, upload_root):
                    found.append(str(path)[:200])
                    if len(found) >= limit:
                        break
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _inside(path: str, root: Path) -> bool:
    if "://" in path or path.startswith("//"):
        return False
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return real != root and real.is_relative_to(root)


class UploadGuard:
    """ASGI middleware: a Gradio API request naming a file outside the upload folder gets a JSON 403."""

    def __init__(self, app: ASGIApp, upload_root: Callable[[], str | Path]) -> None:
        self.app = app
        self.upload_root = upload_root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope.get("method") != "POST" or not path.startswith(GRADIO_API)
                or path.startswith(UPLOAD_ROUTE)):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_EVENT_BODY:
                await send_json(send, 413, {"error": f"request body too large (limit {MAX_EVENT_BODY // 2**20} MB)"})
                return
        try:
            payload = json.loads(body) if body.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None  # not JSON: nothing Gradio would treat as a file; let it answer
        if payload is not None:
            bad = foreign_files(payload, Path(self.upload_root()).resolve())
            if bad:
                await send_json(send, 403, {"error": "file inputs must be uploaded through the app first "
                                                     f"({len(bad)} file(s) named by the client refused)"})
                return
        replay = iter([{"type": "http.request", "body": body, "more_body": False}])

        async def replayed() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replayed, send)

