"""The 对比 Compare tab: one indicator across places and years, as a table, a bar chart and a CSV file.

A click on a table row opens its paragraph in the 报告 tab; ui.app wires that.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from rag.service import Gateway
from ui import render
from ui.choices import ALL, indicator_choices, parse_year, year_choices
from ui.tables import chart_frame, compare_frame

KINDS = [("实际 Actual", "actual"), ("目标 Target", "target"), ("全部 All", "all")]
DEFAULT_INDICATOR = "地区生产总值"  # GDP: in every report, so the first comparison shows something


@dataclass(frozen=True)
class CompareTab:
    """The compare tab's components."""

    indicator: gr.Dropdown
    kind: gr.Radio
    year: gr.Dropdown
    run: gr.Button
    note: gr.Markdown
    table: gr.Dataframe
    plot: gr.BarPlot
    csv: gr.File


def build_compare_tab(gw: Gateway) -> CompareTab:
    """Lay out the 对比 tab. Its Compare button is wired by ``wire_compare`` (ui.app calls it last, so the
    events keep the order they always had)."""
    with gr.Tab("对比 Compare", id="compare", elem_id="rq-tab-compare"):
        with gr.Row(equal_height=True):
            choices = indicator_choices(gw)
            preferred = [v for _, v in choices if v == DEFAULT_INDICATOR] or [v for _, v in choices[:1]]
            indicator = gr.Dropdown(choices, value=preferred[0] if preferred else None, allow_custom_value=True,
                                    label="指标 Indicator", elem_id="rq-cmp-indicator", scale=3, min_width=260)
            kind = gr.Radio(KINDS, value="actual", label="类型 Kind", elem_id="rq-cmp-kind", scale=2,
                            min_width=260)
            year = gr.Dropdown(year_choices(gw), value=ALL, label="报告年份 Year", elem_id="rq-cmp-year",
                               scale=1, min_width=110)
            run = gr.Button("对比 Compare", variant="primary", elem_id="rq-cmp-run", scale=1)
        note = gr.Markdown("", elem_id="rq-cmp-note")
        table = gr.Dataframe(interactive=False, wrap=True, label="对比表 Table", elem_id="rq-cmp-table")
        plot = gr.BarPlot(x="label", y="value", label="图表 Chart", elem_id="rq-cmp-plot", height=360,
                          y_lim=[0, None], x_title=" ", y_title=" ", sort=None)
        csv = gr.File(label="CSV 下载 Download", elem_id="rq-cmp-csv", interactive=False)
    return CompareTab(indicator=indicator, kind=kind, year=year, run=run, note=note, table=table, plot=plot,
                      csv=csv)


def wire_compare(gw: Gateway, tab: CompareTab) -> None:
    """Compare fills note, table, chart and CSV."""
    tab.run.click(Comparer(gw).do_compare, [tab.indicator, tab.kind, tab.year],
                  [tab.note, tab.table, tab.plot, tab.csv], queue=False)  # a read: see ui.app._wire_library


class Comparer:
    """The Compare handler; a method so the event keeps its API name ``do_compare``."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def do_compare(self, indicator: str | None, kind: str, year: str) -> list[Any]:
        """[note, table, chart, CSV path]; a problem is told in the note with the rest left empty."""
        empty = [pd.DataFrame(), pd.DataFrame({"label": [], "value": []}), None]
        if not indicator:
            return ["请选择指标 Choose an indicator.", *empty]
        try:
            comparison = self.gw.compare(indicator, kind=None if kind == "all" else kind, year=parse_year(year))
        except Exception as exc:  # unknown indicator, bad kind: say so in one line
            return [f"⚠ {render.md_text(exc)}", *empty]
        data = comparison.to_dict()
        if not data["rows"]:
            return [f"没有找到“{render.md_text(indicator)}”的数据。No figures for this indicator.", *empty]
        path = Path(tempfile.mkdtemp(prefix="reportqa-")) / f"compare_{_safe(comparison.indicator)}.csv"
        path.write_text(comparison.to_csv(), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
        unit = f"（{comparison.unit}）" if comparison.unit else ""
        note = (f"**{render.md_text(comparison.indicator)}** {render.md_text(comparison.indicator_en)}{unit} · "
                f"{len(data['rows'])} 行 rows · 点击一行查看原文 click a row to open its paragraph")
        return [note, compare_frame(data["rows"]), chart_frame(data["rows"], kind == "all"), str(path)]


def _safe(name: str) -> str:
    """An indicator name as a file-name part."""
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40] or "indicator"
