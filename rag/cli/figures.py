"""``reportqa indicators | summarize | compare``: the indicator ledger, summaries, comparisons."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from rag.cli.common import (
    CsvOpt,
    JsonOpt,
    KindOpt,
    app,
    console,
    err,
    fail,
    open_services,
    print_json,
)
from rag.core.models import unknown_report


@app.command()
def indicators(
    report: Annotated[str | None, typer.Option("--report", help="Only this report id.")] = None,
    indicator: Annotated[str | None, typer.Option("--indicator", help="Chinese name, synonym or English alias.")] = None,
    kind: KindOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="Only figures referring to this year.")] = None,
    targets: Annotated[bool, typer.Option("--targets", help="Pair year-N targets with year-N results.")] = False,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The indicator ledger: every reported figure of the standard indicators, with its quoted source."""
    import csv
    import io

    from rag.reports.indicators import IndicatorError

    with open_services() as services:
        if report is not None and services.store.report(report) is None:
            raise fail(unknown_report(report))
        try:
            if targets:
                checks = services.target_vs_actual(indicator=indicator)
            else:
                rows = services.indicators(report_id=report, indicator=indicator, kind=kind, year=year)
        except IndicatorError as exc:
            raise fail(str(exc)) from exc
    if targets:
        if as_json:
            print_json([c.to_dict() for c in checks])
            return
        table = Table("region", "year", "indicator", "target", "actual", "status", "margin")
        for c in checks:
            unit = "%" if c.measure == "growth" else c.unit
            table.add_row(escape(c.region), str(c.year), c.indicator, f"{c.target:g}{unit}{c.qualifier}",
                          f"{c.actual:g}{unit}", c.status, f"{c.margin:+g}")
        console.print(table)
        console.print(f"{len(checks)} target(s) paired with a later result")
        return
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if as_csv:
        out = io.StringIO()
        columns = list(rows[0].to_dict()) if rows else ["report_id", "indicator", "value", "unit", "growth"]
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r.to_dict() for r in rows)
        sys.stdout.write(out.getvalue())
        return
    table = Table("region", "year", "kind", "indicator", "figure", "¶", "quote")
    for r in rows:
        table.add_row(escape(r.region), str(r.ref_year or ""), r.kind, r.indicator, escape(r.figure_text()),
                      str(r.paragraph or ""), escape(r.quote))
    console.print(table)
    console.print(f"{len(rows)} row(s)")


@app.command()
def summarize(
    report_id: str,
    llm: Annotated[str, typer.Option("--llm", help="extractive (default, no model) | auto | local | openai.")] = (
        "extractive"),
    lang: Annotated[str, typer.Option("--lang", help="zh | en (en needs an LLM engine).")] = "zh",
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore the cached summary.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """A structured summary of one report: facts, headline figures, achievements, targets, tasks, problems."""
    from rag.reports.summary import SummaryError

    with open_services() as services:
        try:
            summary = services.summarize(report_id, engine=llm, lang=lang, refresh=refresh)
        except SummaryError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(summary.to_dict())
        return
    console.print(summary.to_markdown(), highlight=False, markup=False)
    notes = "" if not summary.notes else f" · {len(summary.notes)} bullet(s) kept extractive"
    console.print(f"[dim]engine: {summary.engine}{' · cached' if summary.cached else ''}{notes}[/dim]")


@app.command()
def compare(
    indicator: Annotated[str, typer.Option("--indicator", help="Chinese name, synonym or English alias (GDP…).")],
    kind: KindOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="Only figures referring to this year.")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a bar chart (PNG) to this file.")] = None,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """One indicator across all reports: region, year, value, growth, kind and the cited paragraph."""
    from rag.reports.compare import CompareError
    from rag.reports.indicators import IndicatorError

    with open_services() as services:
        try:
            comparison = services.compare(indicator, kind=kind, year=year)
            if plot is not None and comparison.rows:
                comparison.plot(plot)
        except (IndicatorError, CompareError) as exc:
            raise fail(str(exc)) from exc
    if plot is not None and not comparison.rows:
        err.print("no figures found; no chart written")
    if as_json:
        print_json({**comparison.to_dict(), "plot": str(plot) if plot and comparison.rows else None})
        return
    if as_csv:
        sys.stdout.write(comparison.to_csv())
        return
    table = Table("region", "year", "kind", f"value ({comparison.unit or '-'})", "growth %", "as written", "source",
                  title=f"{comparison.indicator} {comparison.indicator_en}")
    for r in comparison.rows:
        table.add_row(escape(r.region), str(r.ref_year or ""), r.kind, "" if r.value is None else f"{r.value:g}",
                      "" if r.growth is None else f"{r.growth:g}{r.qualifier}", escape(r.written),
                      f"{r.report_id} ¶{r.paragraph}")
    console.print(table)
    if plot is not None and comparison.rows:
        console.print(f"chart written to {plot}")
