"""Changes to the report library from the page (import, delete) and the lists they refresh on every tab.

``Library.refreshed`` returns the new value of every list that names reports, years, places or indicators,
in the order ui.app gives as the events' outputs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder

from rag.service import Gateway, RequestError
from ui import render
from ui.choices import indicator_choices, region_choices, report_choices, year_choices

log = logging.getLogger(__name__)


class Library:
    """Import / delete handlers. Methods rather than closures: the events keep their API names
    (``do_import``, ``do_delete``, ``refreshed``), which the security tests call."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def refreshed(self) -> list[Any]:
        """Reports table, report pick, chat filters (reports, year, place), compare indicator and year."""
        gw = self.gw
        choices = report_choices(gw)
        return [render.report_rows(gw.reports()), gr.update(choices=choices), gr.update(choices=choices),
                gr.update(choices=year_choices(gw)), gr.update(choices=region_choices(gw)),
                gr.update(choices=indicator_choices(gw)), gr.update(choices=year_choices(gw))]

    def do_import(self, paths: list[str] | None, replace: bool = False,
                  progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
        """Import the uploaded files (at most REPORTQA_MAX_UPLOAD_FILES); one result row per report."""
        rows: list[list[str]] = []
        paths = [p if isinstance(p, str) else getattr(p, "name", str(p)) for p in paths or []]
        if not paths:
            gr.Warning("请先选择文件 Choose files first")
        limit = int(self.gw.settings.max_upload_files)
        for i, path in enumerate(paths[:limit]):
            progress((i, len(paths)), desc=f"导入 importing {Path(path).name}")
            rows.extend(self._import_one(path, bool(replace)))
        if len(paths) > limit:
            rows.append([f"+{len(paths) - limit}", render.OUTCOME_LABELS["rejected"],
                         f"at most {limit} files per import (REPORTQA_MAX_UPLOAD_FILES)"])
        progress((len(paths), len(paths)), desc="完成 done")
        result = pd.DataFrame(rows, columns=render.UPLOAD_COLUMNS)
        return [gr.update(value=result, visible=True), None, *self.refreshed()]

    def _import_one(self, path: str, replace: bool) -> list[list[str]]:
        """Result rows of one file; a failure is a row, never an exception (the other files still import)."""
        name = Path(path).name
        try:  # only files Gradio received from this upload widget: never a path the client names
            outcomes = self.gw.ingest_uploaded_file(path, get_upload_folder(), replace=replace)
        except RequestError as exc:
            return [[name, render.OUTCOME_LABELS["rejected"], str(exc)]]
        except Exception as exc:
            log.exception("upload failed")
            return [[name, render.OUTCOME_LABELS["rejected"], f"internal error: {exc.__class__.__name__}"]]
        return [render.outcome_row(o) for o in outcomes]

    def do_delete(self, report_id: str | None) -> list[Any]:
        """Delete the picked report (the page asked for confirmation) and clear the viewer."""
        if not report_id:
            gr.Warning("请先选择报告 Choose a report first")
            return [gr.update(), gr.update(), *self.refreshed()]
        try:
            self.gw.delete_report(report_id)
            gr.Info(f"已删除 Deleted {render.esc(report_id)}")
        except RequestError as exc:
            gr.Warning(render.esc(exc))
        return ["", render.viewer_html(None), *self.refreshed()]
