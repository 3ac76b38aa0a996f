"""``reportqa ingest | reports | show | chunks | reindex``: the library of reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from rag.cli.common import (
    JsonOpt,
    app,
    console,
    err,
    fail,
    ingest_with_progress,
    open_services,
    open_store,
    print_json,
)
from rag.core.models import unknown_report
from rag.index.store import StoreError


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (.txt .md .html .pdf .docx .jsonl).")],
    as_json: JsonOpt = False,
    no_index: Annotated[bool, typer.Option("--no-index", help="Store only; embed later (search/reindex).")] = False,
) -> None:
    """Parse and store reports, then update the search indexes.

    Unchanged files are skipped; changed files replace their old version. Exit status 1 when any file was
    rejected (each rejection is printed as one line on stderr).
    """
    from rag.ingest.loaders import iter_source_files

    with open_services(show_progress=not as_json) as services:
        files = list(iter_source_files(paths))
        outcomes = ingest_with_progress(services, files, show=not as_json and len(files) > 1)
        if not no_index and any(o.status in ("added", "replaced") for o in outcomes):
            from embeddings.model import EmbeddingModelError
            from embeddings.vector_store import VectorIndexError

            try:
                with err.status("updating the vector index…"):
                    services.sync()
            except (VectorIndexError, EmbeddingModelError, StoreError) as exc:
                raise fail(f"reports stored, but the vector index was not updated: {exc}") from exc
    rejected = [o for o in outcomes if o.status == "rejected"]
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
            err.print(f"[red]error:[/red] {escape(unknown_report(report_id))}")
            raise typer.Exit(2)
        from rag.service.payloads import report_payload

        payload = report_payload(report, store.sections(report_id))
    if as_json:
        print_json(payload)
        return
    tree = payload["sections"]
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
            err.print(f"[red]error:[/red] {escape(unknown_report(report_id))}")
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


@app.command()
def reindex(
    as_json: JsonOpt = False,
    check: Annotated[bool, typer.Option("--check", help="Compare the search index with the store; change nothing. "
                                                      "Exit status 1 when they differ.")] = False,
) -> None:
    """Rebuild the lexical and vector indexes from the stored chunks (fixes a corrupt or outdated index)."""
    from embeddings.model import EmbeddingModelError
    from embeddings.vector_store import VectorIndexError

    with open_services(show_progress=not as_json and not check) as services:
        try:
            if check:
                report = services.check()
            else:
                stats = services.reindex()
        except (VectorIndexError, EmbeddingModelError, StoreError) as exc:
            raise fail(str(exc)) from exc
        n_reports = len(services.store.reports())
    if check:
        data = report.to_dict()
        if as_json:
            print_json(data)
        else:
            state = "consistent" if report.ok else "INCONSISTENT (run `reportqa reindex`)"
            console.print(f"{report.backend} index {state}: {report.store_chunks} stored chunks, {report.index_rows} "
                          f"indexed; {data['missing']} missing, {data['orphans']} orphaned, {data['stale']} stale"
                          + (f"; lexical rows {report.lexical_rows}" if report.lexical_rows is not None else ""))
        if not report.ok:
            raise typer.Exit(1)
        return
    data = {"reports": n_reports, "chunks": stats.added, "embedded": stats.embedded,
            "from_cache": stats.from_cache, "backend": services.settings.search_backend}
    if as_json:
        print_json(data)
    else:
        console.print(f"reindexed {data['chunks']} chunks of {n_reports} reports "
                      f"({data['embedded']} embedded, {data['from_cache']} from cache)")
