"""The 报告 Reports tab: the library table, the upload form, and the viewer (full text, summary, indicators).

The viewer is opened from other tabs too (a cited source, an indicator or comparison row), so its handlers
live in ``ReportViewer`` and ui.app wires the events that cross tabs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from rag.service import Gateway, RequestError
from ui import render
from ui.assets import VIEWER_JS
from ui.choices import report_choices
from ui.tables import indicator_frame

log = logging.getLogger(__name__)

UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl"]


@dataclass(frozen=True)
class ReportsTab:
    """The reports tab's components: library and upload (left), viewer (right)."""

    table: gr.Dataframe
    files: gr.File
    replace: gr.Checkbox
    import_btn: gr.Button
    upload_result: gr.Dataframe
    pick: gr.Dropdown
    head: gr.HTML
    report_tabs: gr.Tabs
    viewer: gr.HTML
    summary: gr.HTML
    indicators: gr.Dataframe
    back_btn: gr.Button
    delete_btn: gr.Button


def build_reports_tab(gw: Gateway) -> ReportsTab:
    """Lay out the 报告 tab; every event of it reaches another tab, so ui.app wires them."""
    with gr.Tab("报告 Reports", id="reports", elem_id="rq-tab-reports"), gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            table = gr.Dataframe(
                value=render.report_rows(gw.reports()), headers=render.REPORT_COLUMNS, interactive=False,
                max_height=360, label="已导入的报告 Reports（点击一行查看）", elem_id="rq-reports-table",
            )
            with gr.Accordion("导入报告 Upload reports", open=True):
                files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, elem_id="rq-upload",
                                label="文件 Files (.txt .html .pdf .docx …)")
                replace = gr.Checkbox(False, label="替换同名报告 Replace a report with the same file name",
                                      elem_id="rq-replace")
                import_btn = gr.Button("导入 Import", variant="primary", elem_id="rq-import")
                upload_result = gr.Dataframe(headers=render.UPLOAD_COLUMNS, interactive=False, wrap=True,
                                             label="导入结果 Results", elem_id="rq-upload-result", visible=False)
        with gr.Column(scale=3, min_width=320):
            # custom values allowed: the list a page was built with goes stale when another session
            # uploads; the id is checked by the gateway instead
            pick = gr.Dropdown(report_choices(gw), value=None, label="报告 Report", elem_id="rq-report-pick",
                               allow_custom_value=True)
            head = gr.HTML("", elem_id="rq-report-head", js_on_load=None)
            report_tabs, viewer, summary, indicators = _viewer_tabs()
            with gr.Row():
                back_btn = gr.Button("← 返回对话 Back to chat", size="sm", elem_id="rq-back")
                delete_btn = gr.Button("删除此报告 Delete report", size="sm", variant="stop", elem_id="rq-delete")
    return ReportsTab(table=table, files=files, replace=replace, import_btn=import_btn,
                      upload_result=upload_result, pick=pick, head=head, report_tabs=report_tabs, viewer=viewer,
                      summary=summary, indicators=indicators, back_btn=back_btn, delete_btn=delete_btn)


def _viewer_tabs() -> tuple[gr.Tabs, gr.HTML, gr.HTML, gr.Dataframe]:
    """原文 / 摘要 / 指标 of the picked report."""
    with gr.Tabs(elem_id="rq-report-tabs", selected="text") as report_tabs:
        with gr.Tab("原文 Full text", id="text", elem_id="rq-rtab-text"):
            viewer = gr.HTML(render.viewer_html(None), js_on_load=VIEWER_JS, elem_id="rq-viewer")
        with gr.Tab("摘要 Summary", id="summary", elem_id="rq-rtab-summary"):
            summary = gr.HTML("", elem_id="rq-summary", max_height=640, js_on_load=None)
        with gr.Tab("指标 Indicators", id="indicators", elem_id="rq-rtab-indicators"):
            indicators = gr.Dataframe(interactive=False, wrap=True, elem_id="rq-indicators",
                                      label="指标（点击一行查看原文）Indicators")
    return report_tabs, viewer, summary, indicators


class ReportViewer:
    """Event handlers that show a report, or one paragraph of it with the quote highlighted.

    Methods rather than closures: each event keeps its API name (``open_chunk``, ``load_extras`` …).
    """

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def report_pick_update(self, report_id: str | None) -> Any:
        """Select a report with the current list as choices: another session may have just added it."""
        return gr.update(choices=report_choices(self.gw), value=report_id)

    def show_report(self, report_id: str | None, chunk_id: str | None = None,
                    quote_text: str | None = None) -> tuple[str, str]:
        """(header, viewer) HTML of a report, scrolled to ``chunk_id`` when given."""
        if not report_id:
            return "", render.viewer_html(None)
        try:
            view = self.gw.view(report_id)
        except RequestError as exc:
            return render.badge_html(None, str(exc)), render.viewer_html(None)
        return render.report_header_html(view.report), render.viewer_html(view, chunk_id, quote_text)

    def load_extras(self, report_id: str | None) -> tuple:
        """(summary, indicators) of a report, loaded after the text so the page shows the text first."""
        summary_md, rows = "", pd.DataFrame()
        if not report_id:
            return summary_md, rows
        try:
            summary_md = render.summary_html(self.gw.summarize(report_id))
        except Exception as exc:
            log.exception("summary failed")
            summary_md = f"⚠ 摘要失败 summary failed: {render.esc(exc.__class__.__name__)}"
        try:
            rows = indicator_frame([r.to_dict() for r in self.gw.indicators(report_id=report_id)])
        except Exception:
            log.exception("indicators failed")
        return summary_md, rows

    def pick_report(self, report_id: str | None) -> tuple:
        """The report picked in the dropdown, opened on its summary."""
        head, html = self.show_report(report_id)
        return head, html, gr.Tabs(selected="summary" if report_id else "text")

    def select_row(self, evt: gr.SelectData) -> tuple:
        """A click on a library row opens that report on its summary."""
        row = evt.row_value or []
        report_id = str(row[-1]) if row else None  # the ID column is the last
        head, html = self.show_report(report_id)
        return (self.report_pick_update(report_id), head, html,
                gr.Tabs(selected="summary" if report_id else "text"))

    def open_chunk(self, evt: gr.EventData) -> tuple:
        """A click on a cited source (chunk id and quote from the client) opens its paragraph."""
        data = evt._data if isinstance(evt._data, dict) else {}
        chunk_id, start, end = render.parse_cite(str(data.get("chunk_id") or ""))
        try:
            chunk = self.gw.chunk(chunk_id)
        except RequestError as exc:
            gr.Warning(render.esc(exc))  # the id comes from the client: a toast renders HTML
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        quote_text = chunk.text[start:end] if start is not None else data.get("quote")
        return self._open_paragraph(chunk.report_id, chunk.chunk_id, quote_text)

    def open_row_chunk(self, frame: pd.DataFrame, evt: gr.SelectData) -> tuple:
        """A click on an indicator or comparison row opens its paragraph, quote highlighted."""
        row = evt.row_value or []
        columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else []
        record = dict(zip(columns, row, strict=False))
        try:
            chunk = self.gw.chunk(str(record.get("chunk_id") or ""))
        except RequestError:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        quote_text = record.get("原文 quote") or None
        return self._open_paragraph(chunk.report_id, chunk.chunk_id, str(quote_text) if quote_text else None)

    def _open_paragraph(self, report_id: str, chunk_id: str, quote_text: str | None) -> tuple:
        """(pick, head, viewer, page tabs, report tabs): the reports tab on the full text at ``chunk_id``."""
        head, html = self.show_report(report_id, chunk_id, quote_text)
        return (self.report_pick_update(report_id), head, html, gr.Tabs(selected="reports"),
                gr.Tabs(selected="text"))
