"""``reportqa`` command line. Every command takes ``--json`` for machine-readable output (a stable contract)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.core.config import get_settings
from rag.index.store import ReportStore, StoreError

# Before torch or llama.cpp load OpenMP: idle worker threads sleep instead of spinning, so the embedding model
# and the local LLM (which share one OpenMP runtime) stay fast when other work shares the CPU.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
        raise fail(str(exc)) from exc


def open_services(show_progress: bool = False):  # type: ignore[no-untyped-def]
    from rag.service.resources import Services

    try:
        return Services(get_settings(), show_progress=show_progress)
    except StoreError as exc:
        raise fail(str(exc)) from exc


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")


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
        show_progress = not as_json and len(files) > 1
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("ingesting", total=len(files))

            def on_file(path: Path) -> None:
                progress.update(task, advance=1, description=f"ingesting {path.name[:40]}")

            try:
                outcomes = services.ingest(files, index=False, on_file=on_file)
            except StoreError as exc:  # disk full / read-only mid-ingest: the reports stored so far are kept
                raise fail(str(exc)) from exc
        if not no_index and any(o.status in ("added", "replaced") for o in outcomes):
            from embeddings.model import EmbeddingModelError
            from embeddings.vector_store import VectorIndexError

            try:
                with err.status("updating the vector index…"):
                    services.sync()
            except (VectorIndexError, EmbeddingModelError, StoreError) as exc:
                raise fail(f"reports stored, but the vector index was not updated: {exc}") from exc
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
        from rag.service import section_tree

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


@app.command()
def search(
    question: QuestionArg = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Number of results.")] = 5,
    mode: Annotated[str | None, typer.Option("--mode", help="bm25 | dense | hybrid (default hybrid).")] = None,
    report: ReportOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="Only reports of this year.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only reports of this place (any script).")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help='JSONL of {"id","question"}; one line out each.')] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find the paragraphs that answer a question."""
    from embeddings.model import EmbeddingModelError
    from embeddings.vector_store import VectorIndexError
    from rag.retrieve.hybrid import SearchFilters

    if question is None and batch is None:
        raise fail("give a question or --batch FILE")
    question = checked_question(question)
    filters = SearchFilters(report_ids=report or None, year=year, region=region)
    with open_services(show_progress=not as_json) as services:
        try:
            if batch is not None:
                _search_batch(services, batch, k, mode, filters)
                return
            assert question is not None
            result = services.search(question, k=k, mode=mode, filters=filters)
        except (VectorIndexError, EmbeddingModelError, ValueError) as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"question": question, "mode": mode or get_settings().search_mode,
                    "results": [h.to_dict() for h in result.hits],
                    "timings": {k_: round(v, 1) for k_, v in result.timings_ms.items()}})
        return
    if result.plan.expansions:
        console.print(f"[dim]expanded with: {' '.join(result.plan.expansions)}[/dim]", highlight=False)
    for n, hit in enumerate(result.hits, start=1):
        path = " > ".join(hit.chunk.section_path)
        console.print(f"[bold]{n}. {hit.report.title}[/bold] {path} ¶{hit.chunk.paragraph} "
                      f"[dim]{hit.chunk.chunk_id} score={hit.score:.4f}[/dim]", highlight=False)
        console.print(hit.chunk.text, highlight=False)
        console.print()
    if not result.hits:
        console.print("no results")


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


def _search_batch(services: Any, batch: Path, k: int, mode: str | None, filters: Any) -> None:
    for qid, text, _ in iter_batch(batch):
        result = services.search(text, k=k, mode=mode, filters=filters)
        print_json({"id": qid, "results": [h.to_dict() for h in result.hits]})


@app.command()
def reindex(as_json: JsonOpt = False) -> None:
    """Rebuild the lexical and vector indexes from the stored chunks (fixes a corrupt or outdated index)."""
    from embeddings.model import EmbeddingModelError
    from embeddings.vector_store import VectorIndexError

    with open_services(show_progress=not as_json) as services:
        try:
            stats = services.reindex()
        except (VectorIndexError, EmbeddingModelError, StoreError) as exc:
            raise fail(str(exc)) from exc
        n_reports = len(services.store.reports())
    data = {"reports": n_reports, "chunks": stats.added, "embedded": stats.embedded,
            "from_cache": stats.from_cache}
    if as_json:
        print_json(data)
    else:
        console.print(f"reindexed {data['chunks']} chunks of {n_reports} reports "
                      f"({data['embedded']} embedded, {data['from_cache']} from cache)")


@app.command(name="eval")
def evaluate(
    qa: Annotated[list[Path] | None, typer.Option("--qa", help="QA file(s) (dev_qa.jsonl format).")] = None,
    beir: Annotated[Path | None, typer.Option("--beir", help="BEIR folder (corpus/queries/qrels).")] = None,
    modes: Annotated[str, typer.Option("--modes", help="Comma-separated modes.")] = "bm25,dense,hybrid",
    limit: Annotated[int | None, typer.Option("--limit", help="Evaluate only the first N queries.")] = None,
    answers: Annotated[bool, typer.Option("--answers", help="Evaluate answers instead of retrieval.")] = False,
    llm: Annotated[str | None, typer.Option("--llm", help="Engine for --answers.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Retrieval quality (Recall@1/5/10, MRR@10) and latency per mode; with --answers, answer quality."""
    from rag.service.resources import Services
    from rag.tools import evaluation as ev

    if (not qa) == (beir is None):
        raise fail("give exactly one of --qa FILE or --beir DIR")
    if answers:
        if not qa:
            raise fail("--answers needs --qa FILE")
        _eval_answers(qa, llm, limit, as_json)
        return
    try:
        mode_list = ev.check_modes([m.strip() for m in modes.split(",") if m.strip()])
    except ValueError as exc:
        raise fail(str(exc)) from exc
    settings = get_settings()
    if qa:
        for path in qa:
            if not path.exists():
                raise fail(f"{path}: no such file")
        with open_services(show_progress=not as_json) as services:
            if not services.store.reports():
                raise fail("no reports ingested; run `reportqa ingest seeds` first")
            queries = [q for path in qa for q in ev.qa_queries(path)][:limit]
            results = ev.run_eval(services, queries, mode_list)
        dataset = "+".join(path.stem for path in qa)
    else:
        assert beir is not None
        if not (beir / "corpus.jsonl").exists():
            raise fail(f"{beir}: not a BEIR folder (corpus.jsonl missing)")
        corpus, query_texts, qrels = ev.load_beir(beir)
        beir_dir = Path(settings.index_dir) / "beir" / beir.name
        with Services(settings, index_dir=beir_dir, show_progress=not as_json) as services:
            with err.status(f"indexing {len(corpus)} documents of {beir.name}…"):
                mapping = ev.index_beir(services, corpus, settings)
            queries = ev.beir_queries(query_texts, qrels, mapping)[:limit]
            results = ev.run_eval(services, queries, mode_list)
        dataset = beir.name
    report_data = {"dataset": dataset, "n": len(queries), "modes": results}
    if as_json:
        print_json(report_data)
        return
    table = Table("mode", "R@1", "R@5", "R@10", "MRR@10", "p50 ms", "p95 ms", title=f"{dataset} (n={len(queries)})")
    for mode_name, m in results.items():
        table.add_row(mode_name, *(f"{m[key]:.3f}" for key in ("R@1", "R@5", "R@10", "MRR@10")),
                      f"{m['p50_ms']:.1f}", f"{m['p95_ms']:.1f}")
    console.print(table)


def _load_history(path: Path | None) -> list[Any] | None:
    if path is None:
        return None
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise fail(f"{path}: not a JSON chat history ({exc})") from exc
    if not isinstance(history, list):
        raise fail(f"{path}: a chat history is a JSON list of turns")
    return history


@app.command()
def ask(
    question: QuestionArg = None,
    llm: Annotated[str | None, typer.Option("--llm", help="auto | extractive | local | openai.")] = None,
    report: ReportOpt = None,
    history: Annotated[Path | None, typer.Option("--history", help='JSON list of {"role","content"} turns.')] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help='JSONL of {"id","question","history"?}.')] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question with citations to the exact paragraphs."""
    from rag.answer.engines import EngineError, resolve_engine
    from rag.answer.pipeline import ask as answer_question

    if question is None and batch is None:
        raise fail("give a question or --batch FILE")
    question = checked_question(question)
    try:
        resolve_engine(llm or get_settings().llm)
    except EngineError as exc:
        raise fail(str(exc)) from exc
    turns = _load_history(history)
    with open_services(show_progress=not as_json) as services:
        if batch is not None:
            for qid, text, item in iter_batch(batch):
                result = answer_question(services, text, item.get("history"), llm, report or None)
                print_json({"id": qid, **result.to_dict()})
            return
        assert question is not None
        stream = None if as_json else (lambda token: console.print(token, end="", highlight=False))
        result = answer_question(services, question, turns, llm, report or None, on_token=stream)
    if as_json:
        print_json(result.to_dict())
        return
    if stream is not None and not result.engine.startswith("extractive"):
        console.print()
        console.rule(style="dim")
    console.print(result.answer, highlight=False)
    badge = "refused" if result.refused else ("grounded" if result.grounded else "NOT grounded")
    console.print(f"[dim]engine: {result.engine} · {badge} · {result.timings.get('total_ms', 0):.0f} ms[/dim]")
    if result.grounding_note:
        console.print(f"[yellow]{result.grounding_note}[/yellow]", highlight=False)
    for c in result.citations:
        path = " > ".join(c.hit.chunk.section_path)
        console.print(f"[bold][{c.n}][/bold] {c.hit.report.title} {path} ¶{c.hit.chunk.paragraph} "
                      f"[dim]{c.hit.chunk.chunk_id}[/dim]", highlight=False)
        console.print(f"    “{c.quote}”", highlight=False)


def _eval_answers(files: list[Path], llm: str | None, limit: int | None, as_json: bool) -> None:
    from rag.answer.engines import EngineError, resolve_engine
    from rag.tools import evaluation as ev

    try:
        engine = resolve_engine(llm or get_settings().llm)
    except EngineError as exc:
        raise fail(str(exc)) from exc
    items = []
    for path in files:
        if not path.exists():
            raise fail(f"{path}: no such file")
        items.extend(ev.load_qa_items(path))
    with open_services(show_progress=not as_json) as services:
        if not services.store.reports():
            raise fail("no reports ingested; run `reportqa ingest seeds` first")
        services.search("预热", k=1)  # load the model and index outside the timings
        result = ev.answer_eval(services, items[:limit], engine)
    result["dataset"] = "+".join(path.stem for path in files)
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{result['dataset']}[/bold] n={result['n']} engine={engine}: "
                  f"answer accuracy {result['answer_accuracy']:.3f}, citation accuracy "
                  f"{result['citation_accuracy']:.3f}, refusal accuracy {result['refusal_accuracy']:.3f}, "
                  f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms")
    for failure in result["failures"]:
        console.print(f"  ✗ {failure['id']}: {failure['answer']}", highlight=False)


def exposure_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    """A one-line warning when ``serve`` listens beyond this machine (not loopback) without a login, else None."""
    import ipaddress

    if auth is not None:
        return None
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(name).is_loopback:
            return None
    except ValueError:
        pass  # a host name: it may be reachable from other machines
    return (f"warning: serving on {host} without a login (set REPORTQA_AUTH=user:password): anyone who can reach "
            "this address can read, upload and delete reports")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind (0.0.0.0 for all interfaces).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 7860,
    ingest_paths: Annotated[list[Path] | None, typer.Option(
        "--ingest", help="Ingest these files/folders first (unchanged files are skipped).")] = None,
) -> None:
    """Start the web app (Gradio UI at /, REST API at /api) — login via REPORTQA_AUTH=user:password."""
    import socket

    from rag.core.config import parse_auth
    from rag.ingest.loaders import iter_source_files
    from rag.service.frontends import FrontEndMissing, front_end

    try:
        run_server = front_end("web").serve
    except (ImportError, FrontEndMissing) as exc:
        raise fail(f"the web app is not available ({exc}); run `make setup`") from exc
    try:
        auth = parse_auth(get_settings().auth)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if warning := exposure_warning(host, auth):
        typer.echo(warning, err=True)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port") from exc
    with open_services(show_progress=True) as services:
        if ingest_paths:
            files = list(iter_source_files(ingest_paths))
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=err, transient=True) as progress:
                task = progress.add_task("ingesting", total=len(files))

                def on_file(path: Path) -> None:
                    progress.update(task, advance=1, description=f"ingesting {path.name[:40]}")

                outcomes = services.ingest(files, index=False, on_file=on_file)
            for outcome in outcomes:
                if outcome.status == "rejected":
                    err.print(f"[red]rejected[/red] {outcome.error}", highlight=False, soft_wrap=True)
            counts = {s: sum(o.status == s for o in outcomes) for s in ("added", "replaced", "unchanged", "rejected")}
            err.print("reports: " + (", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none found"))
        n_reports = len(services.store.reports())
        with err.status("updating the search index…"):
            services.sync()
        url = f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}"

        def ready() -> None:
            err.print(f"[bold green]ReportQA is running:[/bold green] {url}  ({n_reports} reports; REST API at "
                      f"{url}/api/…, OpenAPI schema {url}/api/openapi.json; login {'on' if auth else 'off'}; Ctrl+C stops)",
                      highlight=False, soft_wrap=True)

        run_server(services, host=host, port=port, auth=auth, on_ready=ready)


# -- indicator ledger, summaries, comparison ------------------------------------------------------------------
KindOpt = Annotated[str | None, typer.Option("--kind", help="actual | target | multi-year.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


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
            raise fail(f"no report with id {report!r} (see `reportqa reports`)")
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


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Smoke run: seeds only, 10k scale, dev set only.")] = False,
    skip: Annotated[list[str] | None, typer.Option(
        "--skip", help="Skip a section: ingest, embedding, query, scale, quality, load (repeatable).")] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only these sections (repeatable).")] = None,
    skip_scale: Annotated[bool, typer.Option("--skip-scale", help="Same as --skip scale.")] = False,
    scale_sizes: Annotated[str, typer.Option(
        "--scale-sizes", help="Synthetic corpus sizes (comma-separated chunks).")] = "10000,100000,1000000",
    hnsw_max: Annotated[int, typer.Option(
        "--hnsw-max", help="Largest corpus to build HNSW for (its build is the slowest part).")] = 1_000_000,
    backends: Annotated[str, typer.Option(
        "--backends", help="Embedding backends to compare; the first is the baseline.")] = "torch,onnx-int8",
    datasets: Annotated[str, typer.Option(
        "--datasets", help="BEIR sets (in ../shared/bench/beir) for the quality tables.")] = "ncp_policy_qa,drcd_dev,cmrc2018_dev",
    clients: Annotated[int, typer.Option("--clients", min=1, max=200, help="Concurrent REST clients.")] = 20,
    seconds: Annotated[float, typer.Option("--seconds", min=1, max=3600, help="REST load duration.")] = 60.0,
    out: Annotated[Path, typer.Option("--out", help="Results folder.")] = Path("bench/results"),
    as_json: JsonOpt = False,
) -> None:
    """Measure ingest/index throughput, embedding speed per backend, query latency, scale and quality.

    Writes OUT/<date>.json, OUT/<date>.md (tables; also OUT/latest.md) and OUT/<date>.png (latency vs corpus
    size). The CPU may be shared: compare the ratios within one run.
    """
    from embeddings.onnx_backend import BACKENDS
    from rag.tools.bench import BenchOptions, run_bench, write_results

    sections = ("ingest", "embedding", "query", "scale", "quality", "load")
    chosen = [s for s in (only or sections)]
    dropped = [*(skip or []), *(["scale"] if skip_scale else [])]
    unknown = [s for s in [*chosen, *dropped] if s not in sections]
    if unknown:
        raise fail(f"unknown section(s) {unknown}; choose from {', '.join(sections)}")
    try:
        sizes = tuple(int(s) for s in scale_sizes.split(",") if s.strip())
    except ValueError as exc:
        raise fail(f"--scale-sizes must be comma-separated integers, not {scale_sizes!r}") from exc
    if not sizes or any(n < 100 or n > 10_000_000 for n in sizes):
        raise fail("--scale-sizes must be between 100 and 10,000,000 chunks")
    backend_list = tuple(b.strip() for b in backends.split(",") if b.strip())
    if not backend_list or any(b not in BACKENDS for b in backend_list):
        raise fail(f"--backends must be a comma-separated subset of {', '.join(BACKENDS)}")
    opts = BenchOptions(quick=quick, sections=tuple(s for s in chosen if s not in dropped), scale_sizes=sizes,
                        hnsw_max=hnsw_max, backends=backend_list, load_clients=clients, load_seconds=seconds,
                        datasets=tuple(d.strip() for d in datasets.split(",") if d.strip()),
                        out_dir=out, log=lambda message: err.print(f"[dim]{message}[/dim]", highlight=False))
    results = run_bench(opts)
    paths = write_results(results, out)
    if as_json:
        print_json({**results, "files": {k: str(v) for k, v in paths.items()}})
        return
    console.print(paths["md"].read_text(encoding="utf-8"), highlight=False)
    console.print(f"[dim]written: {', '.join(str(p) for p in paths.values())}[/dim]")
