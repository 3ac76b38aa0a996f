"""REST API beside the UI: the CLI's ``--json`` payloads over HTTP, errors as JSON with a 4xx/5xx status."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.service import MAX_K, Busy, Gateway, RequestError
from ui.security import basic_credentials, credentials_match

log = logging.getLogger(__name__)


class AskBody(BaseModel):
    """``POST /api/ask``; types are checked by rag.service so every error reads the same as in the UI."""

    question: Any = None
    history: Any = None
    report_ids: Any = None
    llm: Any = None
    year: Any = None
    region: Any = None


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"Retry-After": "5"} if status == 503 else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Basic realm="ReportQA"'}
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _int_param(value: str | None, name: str, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise RequestError(f"{name} must be an integer from {low} to {high}") from None
    if not low <= number <= high:
        raise RequestError(f"{name} must be an integer from {low} to {high}")
    return number


def _str_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError(f"{name} must be a list of report ids")
    return value or None


def _optional_str(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RequestError(f"{name} must be a string")
    return value


def make_auth_check(auth: tuple[str, str] | None) -> Any:
    """HTTP Basic auth with the UI's login, when one is configured."""

    def check(request: Request) -> None:
        if auth is None:
            return
        given = basic_credentials(request.headers.get("authorization", ""))
        if given is None or not credentials_match(given, auth):
            raise StarletteHTTPException(401, "authentication required (HTTP Basic, the same login as the UI)")

    return check


def api_router(gateway: Gateway, auth: tuple[str, str] | None = None) -> APIRouter:
    public = APIRouter(prefix="/api")
    router = APIRouter(prefix="/api", dependencies=[Depends(make_auth_check(auth))])

    @public.get("/health")
    def health() -> dict[str, Any]:
        reports = gateway.reports()
        return {"status": "ok", "reports": len(reports), "chunks": sum(r.n_chunks for r in reports),
                "engines": gateway.engines(), "default_engine": gateway.default_engine(),
                "index": "updating" if gateway.updating else "ready"}

    @router.get("/reports")
    def reports() -> list[dict[str, Any]]:
        """Same as ``reportqa reports --json``."""
        return [r.to_dict() for r in gateway.reports()]

    @router.get("/reports/{report_id}")
    def report(report_id: str) -> dict[str, Any]:
        """Same as ``reportqa show ID --json``."""
        return gateway.report_payload(report_id)

    @router.get("/search")
    def search(
        q: Annotated[str | None, Query(description="The question.")] = None,
        k: Annotated[str | None, Query(description=f"Number of results (1-{MAX_K}).")] = "5",
        mode: Annotated[str | None, Query(description="bm25 | dense | hybrid.")] = None,
        report: Annotated[list[str] | None, Query(description="Only these report ids (repeatable).")] = None,
        year: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Same as ``reportqa search --json``."""
        if q is None:
            raise RequestError("missing query parameter q (the question)")
        n = _int_param(k, "k", 1, MAX_K) or 5
        return gateway.search(q, n, mode or None, report or None, _int_param(year, "year", 1949, 2100),
                              region or None)

    @router.post("/ask")
    def ask(body: AskBody) -> dict[str, Any]:
        """Same as ``reportqa ask --json``; 503 while the local model is busy with another answer."""
        year = body.year
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            year = _int_param(str(year), "year", 1949, 2100)
        answer = gateway.ask(body.question, body.history, _optional_str(body.llm, "llm"),
                             _str_list(body.report_ids, "report_ids"), year, _optional_str(body.region, "region"))
        return answer.to_dict()

    fallback = APIRouter(prefix="/api")

    @fallback.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def not_found(rest: str) -> None:
        raise RequestError(f"no API endpoint /api/{rest} (see /api/openapi.json)", 404)

    combined = APIRouter()
    for part in (public, router, fallback):
        combined.include_router(part)
    return combined


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as ``{"error": "…"}`` with a fitting status; never a stack trace."""

    @app.exception_handler(RequestError)
    async def request_error(_: Request, exc: RequestError) -> JSONResponse:
        return error(exc.status, str(exc))

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> JSONResponse:
        return error(503, str(exc), busy=True)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                             for e in exc.errors()[:3])
        return error(400, f"invalid request: {problems or 'the body must be a JSON object'}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("error serving %s", request.url.path)
        return error(500, f"internal error ({exc.__class__.__name__}); see the server log")
