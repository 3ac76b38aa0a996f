"""Indicator and comparison rows as tables and bar charts (bilingual headers, empty columns left out).

Kept apart from the tab builders: the frames are plain functions of dict rows, tested without a page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

INDICATOR_COLUMNS = [("indicator", "指标 indicator"), ("value", "数值 value"), ("unit", "单位 unit"),
                     ("growth", "增长 growth"), ("kind", "类型 kind"), ("ref_year", "年份 year"),
                     ("qualifier", "说明 qualifier"), ("quote", "原文 quote"), ("chunk_id", "chunk_id")]

COMPARE_COLUMNS = [("region", "地区 place"), ("ref_year", "年份 year"), ("kind", "类型 kind"),
                   ("value", "数值 value"), ("unit", "单位 unit"), ("written", "原文数字 as written"),
                   ("growth", "增长 growth"), ("rank", "排名 rank"), ("title", "报告 report"),
                   ("paragraph", "¶"), ("quote", "原文 quote"), ("chunk_id", "chunk_id")]


def indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The 指标 table of one report."""
    return _frame(rows, INDICATOR_COLUMNS)


def compare_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The 对比 table of one indicator across reports."""
    return _frame(rows, COMPARE_COLUMNS)


def _frame(rows: list[dict[str, Any]], spec: list[tuple[str, str]]) -> pd.DataFrame:
    """Rows as a table with bilingual headers; columns no row fills (often rank, qualifier) are left out."""
    columns = [(key, label) for key, label in spec
               if key == "chunk_id" or any(row.get(key) not in (None, "", []) for row in rows)]
    return pd.DataFrame([{label: row.get(key) for key, label in columns} for row in rows],
                        columns=[label for _, label in columns])


def chart_frame(rows: list[dict[str, Any]], with_kind: bool = False) -> pd.DataFrame:
    """Bars: one per row, labelled place + year (+ kind), the value in the common unit (else the growth %)."""
    field = "value" if any(r.get("value") is not None for r in rows) else "growth"
    labels, values = [], []
    for row in rows:
        number = row.get(field)
        if not isinstance(number, int | float):
            continue
        kind = f" {row.get('kind')}" if with_kind else ""
        label = f"{row.get('region') or ''} {row.get('ref_year') or ''}{kind}".strip()
        if label in labels:  # the same place and year stated in two reports: keep both bars apart
            label += f"（{row.get('report_year') or row.get('report_id')}报告）"
        labels.append(label)
        values.append(float(number))
    return pd.DataFrame({"label": labels, "value": values})
