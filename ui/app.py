"""The ReportQA web app: Gradio UI (问答 chat, 报告 reports, 对比 compare) plus the REST API under /api.

``build_app(services)`` returns the FastAPI application (UI mounted at /, API at /api) so tests and
``reportqa serve`` start the same thing. Everything shown comes from ``rag.service.Gateway`` (the same
service functions as the CLI); this package only lays it out. Each tab is built by its own module
(ui.chat_tab, ui.reports_tab, ui.compare_tab); this one assembles them and wires the events between tabs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import gradio as gr
from fastapi import FastAPI
from gradio.utils import get_upload_folder

from rag.core.config import parse_auth
from rag.service import Gateway, Services
from ui.api import api_router, install_error_handlers
from ui.assets import CSS
from ui.chat_tab import EXAMPLES, ChatTab, build_chat_tab
from ui.compare_tab import CompareTab, build_compare_tab, wire_compare
from ui.library import Library
from ui.reports_tab import ReportsTab, ReportViewer, build_reports_tab
from ui.tables import COMPARE_COLUMNS, INDICATOR_COLUMNS, chart_frame, compare_frame, indicator_frame
from ui.upload_guard import UploadGuard

__all__ = ["COMPARE_COLUMNS", "EXAMPLES", "INDICATOR_COLUMNS", "build_app", "build_blocks", "chart_frame",
           "compare_frame", "indicator_frame", "parse_auth", "serve"]  # what callers import from ui.app


# -- the UI ------------------------------------------------------------------------------------------------
def build_blocks(gw: Gateway) -> gr.Blocks:
    """The Gradio Blocks of the app (without the REST API): the three tabs and the events between them.

    Events are registered in a fixed order (chat, viewer, library, compare): Gradio numbers and names the
    endpoints in that order.
    """
    with gr.Blocks(title="ReportQA 政府工作报告问答", analytics_enabled=False) as demo:
        turns = gr.State([])
        gr.HTML('<div id="rq-title"><h1>ReportQA · 政府工作报告问答</h1>'
                "<p>问答并引用原文段落 · Answers cite the exact paragraph of the report</p></div>",
                js_on_load=None)
        with gr.Tabs(elem_id="rq-tabs") as tabs:
            chat = build_chat_tab(gw, turns)
            reports = build_reports_tab(gw)
            compare = build_compare_tab(gw)
        _wire_viewer(ReportViewer(gw), tabs, chat, reports, compare)
        _wire_library(demo, Library(gw), chat, reports, compare)
        wire_compare(gw, compare)
    return demo


def _wire_viewer(viewer: ReportViewer, tabs: gr.Tabs, chat: ChatTab, reports: ReportsTab,
                 compare: CompareTab) -> None:
    """Whatever names a paragraph (a cited source, an indicator or comparison row) opens it in the reports
    tab; picking a report (dropdown or library row) shows it; summary and indicators load after the text."""
    opened = [reports.pick, reports.head, reports.viewer, tabs, reports.report_tabs]
    extras = [reports.summary, reports.indicators]
    direct = {"queue": False}  # reads: see _wire_library on why quick events stay off the queue
    chat.sources.click(viewer.open_chunk, None, opened, **direct).then(viewer.load_extras, reports.pick, extras,
                                                                        **direct)
    reports.pick.input(viewer.pick_report, reports.pick, [reports.head, reports.viewer, reports.report_tabs],
                       **direct).then(viewer.load_extras, reports.pick, extras, **direct)
    reports.table.select(viewer.select_row, None, [reports.pick, reports.head, reports.viewer, reports.report_tabs],
                         **direct).then(viewer.load_extras, reports.pick, extras, **direct)
    reports.back_btn.click(lambda: gr.Tabs(selected="chat"), None, tabs, **direct)
    reports.indicators.select(viewer.open_row_chunk, reports.indicators, opened, **direct)
    compare.table.select(viewer.open_row_chunk, compare.table, opened, **direct)


def _wire_library(demo: gr.Blocks, library: Library, chat: ChatTab, reports: ReportsTab,
                  compare: CompareTab) -> None:
    """Import and delete change the library: every list naming reports, years, places or indicators is
    refreshed then, and on each page load (a page sees the library as it is now, not as at start-up).

    The page-load refresh, like every quick read, runs off Gradio's queue (a plain request): a queued event
    shares the page's one event stream, and a question sent while an earlier queued event was finishing could
    join a stream the server was just closing (no new one is opened), so its answer never arrived."""
    lists = [reports.table, reports.pick, chat.f_reports, chat.f_year, chat.f_region, compare.indicator,
             compare.year]  # the order of Library.refreshed
    reports.import_btn.click(library.do_import, [reports.files, reports.replace],
                             [reports.upload_result, reports.files, *lists], concurrency_limit=1)
    demo.load(library.refreshed, None, lists, queue=False)
    reports.delete_btn.click(library.do_delete, reports.pick, [reports.head, reports.viewer, *lists],
                             concurrency_limit=1,
                             js="(rid) => (rid && confirm('删除这份报告？Delete this report? ' + rid)) ? rid : null")


# -- the server --------------------------------------------------------------------------------------------
def build_app(services: Services, auth: tuple[str, str] | None = None, warm: bool = True,
              throttle: Any = None) -> FastAPI:
    """FastAPI app: REST API under /api, the Gradio UI at /. ``auth`` guards both (UI login, API Basic).

    ``warm`` loads the embedding model and vector index now rather than on the first question
    (``app.state.gateway.warm_up()`` does it later). With ``auth``, ui.security.AccessGuard puts every path
    but /api/health and Gradio's login page behind the login and throttles failed logins (``throttle``: a
    ``LoginThrottle``, default thresholds when None); request bodies are capped either way (ui.security.BodyLimit).
    No interactive API docs: Swagger UI loads from a CDN and the app must work offline (/api/openapi.json stays).
    """
    from starlette.routing import Mount

    from ui.security import AccessGuard, BodyLimit, LoginThrottle, gradio_session_user, upload_limit

    gateway = Gateway(services)
    if warm:
        gateway.warm_up()
    app = FastAPI(title="ReportQA API", docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    app.state.gateway = gateway
    install_error_handlers(app)
    app.include_router(api_router(gateway, auth))
    blocks = build_blocks(gateway)
    blocks.queue(default_concurrency_limit=2)
    theme = gr.themes.Soft(font=["system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
                                 "WenQuanYi Micro Hei", "sans-serif"],
                           font_mono=["ui-monospace", "Consolas", "monospace"])
    settings = services.settings
    gr.mount_gradio_app(
        app, blocks, path="/", auth=auth, auth_message="ReportQA 登录 Login", footer_links=[], run_history=False,
        show_error=True, max_file_size=int(settings.max_file_bytes), theme=theme, css=CSS,
        ssr_mode=False, mcp_server=False,
        app_kwargs={"docs_url": None, "redoc_url": None, "openapi_url": None},  # Gradio's sub-app: no /docs
    )
    app.add_middleware(UploadGuard, upload_root=get_upload_folder)  # file inputs: uploaded files only
    # add_middleware puts the last added outermost: the login is checked before any body is read.
    app.add_middleware(BodyLimit, max_bytes=int(settings.max_request_kb) * 1024,
                       upload_max_bytes=upload_limit(int(settings.max_file_bytes), int(settings.max_upload_files)))
    if auth is not None:
        gradio_app = next(r.app for r in app.routes if isinstance(r, Mount) and isinstance(r.app, gr.routes.App))
        app.state.login_throttle = throttle if throttle is not None else LoginThrottle()
        app.add_middleware(AccessGuard, auth=auth, session_user=gradio_session_user(gradio_app),
                           throttle=app.state.login_throttle)
    return app


def serve(services: Services, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
          on_ready: Any = None) -> None:
    """Run the app with uvicorn until interrupted. The page is served at once; the embedding model loads right
    after (a question asked meanwhile waits for it)."""
    import uvicorn

    app = build_app(services, auth, warm=False)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)

    def after_start() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            if on_ready is not None:
                on_ready()
            app.state.gateway.warm_up()

    threading.Thread(target=after_start, name="reportqa-warm-up", daemon=True).start()
    server.run()
