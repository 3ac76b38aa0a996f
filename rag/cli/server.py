"""``reportqa serve | bench``: the web app and the benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rag.cli.common import (
    JsonOpt,
    app,
    console,
    err,
    fail,
    ingest_with_progress,
    open_services,
    print_json,
    settings,
)


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
        auth = parse_auth(settings().auth)
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
            outcomes = ingest_with_progress(services, files)
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
