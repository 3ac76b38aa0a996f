"""``reportqa`` command line. Every command takes ``--json`` for machine-readable output (a stable contract)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.config import get_settings
from rag.models import Section
from rag.store import ReportStore, StoreError

app = typer.Typer(
    help="ReportQA: ask questions about Chinese government work reports and get cited answers.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.callback()
def main(
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="Index directory (default: REPORTQA_INDEX_DIR or ./data/index).")
    ] = None,
) -> None:
    """Global options."""
    if index_dir is not None:
        get_settings().index_dir = index_dir


def open_store() -> ReportStore:
    try:
        return ReportStore(get_settings().index_dir)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")


def section_tree(sections: list[Section]) -> list[dict[str, Any]]:
    """Nest flat sections by level for display and JSON."""
    roots: list[dict[str, Any]] = []
    stack: list[tuple[int, dict[str, Any]]] = []
    for section in sections:
        node = {"level": section.level, "heading": section.heading, "first_paragraph": section.first_paragraph,
                "last_paragraph": section.last_paragraph, "children": []}
        while stack and stack[-1][0] >= section.level:
            stack.pop()
        (stack[-1][1]["children"] if stack else roots).append(node)
        stack.append((section.level, node))
    return roots


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (.txt .md .html .pdf .docx .jsonl).")],
    as_json: JsonOpt = False,
) -> None:
    """Parse and store reports. Unchanged files are skipped; changed files replace their old version.

    Exit status 1 when any file was rejected (each rejection is printed as one line on stderr).
    """
    from rag.ingest import ingest_paths
    from rag.loaders import iter_source_files

    with open_store() as store:
        files = list(iter_source_files(paths))
        show_progress = not as_json and len(files) > 1
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("ingesting", total=len(files))

            def on_file(path: Path) -> None:
                progress.update(task, advance=1, description=f"ingesting {path.name[:40]}")

            outcomes = ingest_paths(store, files, on_file=on_file)
    rejected = [o for o in outcomes if o.status == "rejected"]
    for outcome in rejected:
        err.print(f"[red]rejected[/red] {outcome.error}", highlight=False, soft_wrap=True)
    if as_json:
        print_json([o.to_dict() for o in outcomes])
    else:
        table = Table("status", "id", "title", "region", "year", "speaker", "sections", "chunks", "warnings")
        for o in outcomes:
            r = o.report
            if r is None:
                continue
            table.add_row(o.status, r.report_id, r.title, r.region, str(r.year or ""),
                          f"{r.speaker_role or ''} {r.speaker or ''}".strip(), str(r.n_sections), str(r.n_chunks),
                          str(len(r.warnings)))
        console.print(table)
        counts = {s: sum(o.status == s for o in outcomes) for s in
                  ("added", "replaced", "unchanged", "duplicate", "rejected")}
        console.print(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "nothing to ingest")
    if rejected:
        raise typer.Exit(1)


@app.command()
def reports(as_json: JsonOpt = False) -> None:
    """List ingested reports."""
    with open_store() as store:
        items = store.reports()
    if as_json:
        print_json([r.to_dict() for r in items])
        return
    table = Table("id", "title", "region", "level", "year", "speaker", "chunks", "warnings")
    for r in items:
        table.add_row(r.report_id, r.title, r.region, r.level or "", str(r.year or ""),
                      f"{r.speaker_role or ''} {r.speaker or ''}".strip(), str(r.n_chunks), str(len(r.warnings)))
    console.print(table)


@app.command()
def show(report_id: str, as_json: JsonOpt = False) -> None:
    """Metadata and section tree of one report."""
    with open_store() as store:
        report = store.report(report_id)
        if report is None:
            err.print(f"[red]error:[/red] no report with id {report_id!r} (see `reportqa reports`)")
            raise typer.Exit(2)
        tree = section_tree(store.sections(report_id))
    if as_json:
        print_json({**report.to_dict(), "sections": tree})
        return
    for key, value in report.to_dict().items():
        if value not in (None, [], ""):
            console.print(f"[bold]{key}[/bold]: {value}", highlight=False)

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for node in nodes:
            span = f"¶{node['first_paragraph']}–{node['last_paragraph']}" if node["first_paragraph"] else ""
            console.print("  " * depth + f"{node['heading']}  [dim]{span}[/dim]", highlight=False)
            walk(node["children"], depth + 1)

    console.print("[bold]sections[/bold]:")
    walk(tree, 1)


@app.command()
def chunks(report_id: str, as_json: JsonOpt = False) -> None:
    """All chunks of one report with their citation fields."""
    with open_store() as store:
        if store.report(report_id) is None:
            err.print(f"[red]error:[/red] no report with id {report_id!r} (see `reportqa reports`)")
            raise typer.Exit(2)
        items = store.chunks(report_id)
    if as_json:
        print_json([c.to_dict() for c in items])
        return
    for c in items:
        path = " > ".join(c.section_path)
        console.print(f"[bold]{c.chunk_id}[/bold] ¶{c.paragraph} [dim]{path}[/dim]", highlight=False)
        console.print(c.text, highlight=False)
        console.print()
