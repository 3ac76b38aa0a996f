"""``reportqa search | ask | eval``: questions against the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from rag.cli.common import (
    JsonOpt,
    QuestionArg,
    ReportOpt,
    app,
    checked_question,
    console,
    err,
    fail,
    iter_batch,
    open_services,
    print_json,
    settings,
)

if TYPE_CHECKING:
    from rag.retrieve.hybrid import SearchFilters
    from rag.service.resources import Services


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
        from rag.service.payloads import search_payload

        print_json(search_payload(question, mode or settings().search_mode, result))
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


def _search_batch(services: Services, batch: Path, k: int, mode: str | None, filters: SearchFilters) -> None:
    for qid, text, _ in iter_batch(batch):
        result = services.search(text, k=k, mode=mode, filters=filters)
        print_json({"id": qid, "results": [h.to_dict() for h in result.hits]})


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
    cfg = settings()
    if qa:
        for path in qa:
            if not path.exists():
                raise fail(f"{path}: no such file")
        with open_services(show_progress=not as_json) as services:
            if not services.store.reports():
                raise fail("no reports ingested; run `reportqa ingest seeds` first")
            queries = [q for path in qa for q in ev.qa_queries(path)][:limit]
            per_query: list[dict[str, Any]] = []
            results = ev.run_eval(services, queries, mode_list, per_query)
        dataset = "+".join(path.stem for path in qa)
        by_lang = ev.by_language(per_query)
    else:
        assert beir is not None
        if not (beir / "corpus.jsonl").exists():
            raise fail(f"{beir}: not a BEIR folder (corpus.jsonl missing)")
        corpus, query_texts, qrels = ev.load_beir(beir)
        by_lang = {}
        beir_dir = Path(cfg.index_dir) / "beir" / beir.name
        with Services(cfg, index_dir=beir_dir, show_progress=not as_json) as services:
            with err.status(f"indexing {len(corpus)} documents of {beir.name}…"):
                mapping = ev.index_beir(services, corpus, cfg)
            queries = ev.beir_queries(query_texts, qrels, mapping)[:limit]
            results = ev.run_eval(services, queries, mode_list)
        dataset = beir.name
    report_data: dict[str, Any] = {"dataset": dataset, "n": len(queries), "modes": results}
    if by_lang:
        report_data["by_lang"] = by_lang  # lang → mode → n, R@1, R@5
    if as_json:
        print_json(report_data)
        return
    table = Table("mode", "R@1", "R@5", "R@10", "MRR@10", "p50 ms", "p95 ms", title=f"{dataset} (n={len(queries)})")
    for mode_name, m in results.items():
        table.add_row(mode_name, *(f"{m[key]:.3f}" for key in ("R@1", "R@5", "R@10", "MRR@10")),
                      f"{m['p50_ms']:.1f}", f"{m['p95_ms']:.1f}")
    console.print(table)
    for lang, per_mode in by_lang.items():
        console.print(f"  {lang}: " + ", ".join(f"{mode} R@1 {m['R@1']:.3f} R@5 {m['R@5']:.3f} (n={m['n']})"
                                                for mode, m in per_mode.items()), highlight=False)


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
        resolve_engine(llm or settings().llm, settings())
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
    from rag.service.payloads import grounding_status

    badge = {"not grounded": "NOT grounded"}.get(grounding_status(result), grounding_status(result))
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
        engine = resolve_engine(llm or settings().llm, settings())
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
        services.warm_up()  # load the model and index outside the timings
        result = ev.answer_eval(services, items[:limit], engine)
    result["dataset"] = "+".join(path.stem for path in files)
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{result['dataset']}[/bold] n={result['n']} engine={engine}: "
                  f"answer accuracy {result['answer_accuracy']:.3f}, citation accuracy "
                  f"{result['citation_accuracy']:.3f}, refusal accuracy {result['refusal_accuracy']:.3f}, "
                  f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms; wrong-year answers "
                  f"{result['wrong_year']}" + "".join(f" {qid}" for qid in result["wrong_year_ids"]))
    for lang, x in result["by_lang"].items():
        console.print(f"  {lang} (n={x['n']}): answer accuracy {x['answer_accuracy']:.3f}, refusal accuracy "
                      f"{x['refusal_accuracy']:.3f}, wrong-year {x['wrong_year']}", highlight=False)
    for failure in result["failures"]:
        console.print(f"  ✗ {failure['id']}: {failure['answer']}", highlight=False)
