"""What every ``reportqa`` command shares: the Typer app, options, settings, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from rag.core.config import Settings, get_settings
from rag.index.store import ReportStore, StoreError

if TYPE_CHECKING:
    from rag.ingest.pipeline import IngestOutcome
    from rag.service.resources import Services

app = typer.Typer(
    help="ReportQA: ask questions about Chinese government work reports and get cited answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
QuestionArg = Annotated[str | None, typer.Argument(help="The question (Chinese or English).")]
ReportOpt = Annotated[list[str] | None, typer.Option("--report", help="Only these report ids.")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="actual | target | multi-year.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


class _Run:
    """This invocation's settings: the environment's, with the command line's --index-dir on top (a copy:
    the process-wide cached settings are never changed)."""

    settings: Settings | None = None


def settings() -> Settings:
    if _Run.settings is None:
        try:
            _Run.settings = get_settings()
        except ValueError as exc:  # pydantic's ValidationError: a REPORTQA_ variable with a bad value
            first = str(exc).strip().splitlines()
            raise fail(f"invalid setting: {' '.join(first[1:3]) if len(first) > 2 else first[0]}") from exc
    return _Run.settings


@app.callback()
def main(
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="Index directory (default: REPORTQA_INDEX_DIR or ./data/index).")
    ] = None,
) -> None:
    """Global options."""
    # Before torch or llama.cpp load OpenMP (they are imported by the commands, never at import time): idle
    # worker threads sleep instead of spinning, so the embedding model and the local LLM stay fast when other
    # work shares the CPU.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    _Run.settings = None
    if index_dir is not None:
        _Run.settings = settings().model_copy(update={"index_dir": index_dir})


def open_store() -> ReportStore:
    try:
        return ReportStore(settings().index_dir)
    except StoreError as exc:
        raise fail(str(exc)) from exc


def open_services(show_progress: bool = False) -> Services:
    from rag.service.resources import Services

    try:
        return Services(settings(), show_progress=show_progress)
    except StoreError as exc:
        raise fail(str(exc)) from exc


def ingest_with_progress(services: Services, files: list[Path], show: bool = True) -> list[IngestOutcome]:
    """Store ``files`` (no embedding yet) with a progress bar on stderr; one line per rejected file there."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=not show, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def on_file(path: Path) -> None:
            progress.update(task, advance=1, description=f"ingesting {path.name[:40]}")

        try:
            outcomes = services.ingest(files, index=False, on_file=on_file)
        except StoreError as exc:  # disk full / read-only mid-ingest: the reports stored so far are kept
            raise fail(str(exc)) from exc
    for outcome in outcomes:
        if outcome.status == "rejected":
            err.print(f"[red]rejected[/red] {outcome.error}", highlight=False, soft_wrap=True)
    return outcomes


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")


def checked_question(question: str | None) -> str | None:
    """The question as the web app would accept it (rag.service.check_question), or a one-line error."""
    from rag.service import RequestError, check_question

    if question is None:
        return None
    try:
        return check_question(question)
    except RequestError as exc:
        raise fail(str(exc)) from exc


def iter_batch(batch: Path) -> Any:
    """Yield (id, question, item) per JSONL line; a bad line is reported as one JSON error line and skipped."""
    from rag.service import RequestError, check_question

    if not batch.exists():
        raise fail(f"{batch}: no such file")
    for lineno, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, text = item.get("id", lineno), str(item["question"])
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            print_json({"id": lineno, "error": "line is not a JSON object with a 'question' field"})
            continue
        try:
            yield qid, check_question(text), item
        except RequestError as exc:
            print_json({"id": qid, "error": str(exc)})
