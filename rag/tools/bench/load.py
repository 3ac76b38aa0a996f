"""Concurrent clients against the REST API on 127.0.0.1; readers while an upload/delete loop runs."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from rag.core.config import Settings
from rag.tools.bench.common import SEEDS, BenchOptions, dev_questions, percentiles, seed_services


def load_test(base_url: str, clients: int = 20, seconds: float = 60.0, questions: list[str] | None = None,
              path: str = "/api/ask", extra: dict[str, Any] | None = None,
              timeout: float = 120.0) -> dict[str, Any]:
    """``clients`` threads each POST questions in a loop for ``seconds`` (bounded: no request starts after the
    deadline). Reports requests, errors by status, busy (503) answers and latency percentiles of successes."""
    import httpx

    questions = questions or dev_questions()
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []

    def client(index: int) -> None:
        with httpx.Client(base_url=base_url, timeout=timeout) as http:
            i = index
            while time.perf_counter() < deadline:
                question = questions[i % len(questions)]
                i += clients
                t = time.perf_counter()
                try:
                    if path.startswith("/api/search"):
                        response = http.get(path, params={"q": question, **(extra or {})})
                    else:
                        response = http.post(path, json={"question": question, **(extra or {})})
                    code = str(response.status_code)
                    if response.status_code == 200:
                        response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    code = exc.__class__.__name__
                    response = None
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1
                    if code == "200":
                        latencies.append(elapsed)
                    elif code != "503" and len(errors) < 5:
                        errors.append(code)
                if code == "503" and response is not None:  # busy: come back when the server says so
                    try:
                        wait = float(response.headers.get("retry-after", "1"))
                    except ValueError:
                        wait = 1.0
                    time.sleep(max(0.0, min(wait, deadline - time.perf_counter())))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 5)
    wall = time.perf_counter() - t0
    total = sum(statuses.values())
    ok = statuses.get("200", 0)
    return {"clients": clients, "seconds": round(wall, 1), "requests": total, "ok": ok,
            "busy_503": statuses.get("503", 0), "errors": total - ok - statuses.get("503", 0),
            "statuses": statuses, "throughput_rps": round(ok / wall, 2) if wall else 0.0,
            "hung_clients": sum(t.is_alive() for t in threads), **percentiles(latencies)}


def upload_churn(base_url: str, seconds: float, texts: list[str] | None = None,
                 timeout: float = 300.0) -> dict[str, Any]:
    """Upload a new report through the web app (Gradio's upload route + the Import event), then delete it
    (the Delete event), in a loop for ``seconds``: what a librarian does while others search. Each upload is
    new content (a numbered variant of a seed), so it is parsed and embedded every time."""
    import httpx

    texts = texts or [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    deadline = time.perf_counter() + seconds
    counts = {"uploaded": 0, "deleted": 0, "errors": 0}
    errors: list[str] = []
    upload_ms: list[float] = []

    def call(http: httpx.Client, name: str, data: list[Any]) -> Any:
        started = http.post(f"/gradio_api/call/{name}", json={"data": data})
        started.raise_for_status()
        stream = http.get(f"/gradio_api/call/{name}/{started.json()['event_id']}")
        event = ""
        for line in stream.text.splitlines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "complete":
                return json.loads(line.split(":", 1)[1])
            elif line.startswith("data:") and event == "error":
                raise RuntimeError(f"{name}: {line[:200]}")
        raise RuntimeError(f"{name}: no result")

    with httpx.Client(base_url=base_url, timeout=timeout) as http:
        i = 0
        while time.perf_counter() < deadline:
            name = f"churn_{i:04d}.txt"
            text = texts[i % len(texts)].replace("。", f"。（第{i}稿）", 1)
            i += 1
            t = time.perf_counter()
            try:
                stored = http.post("/gradio_api/upload", files=[("files", (name, text.encode("utf-8"), "text/plain"))])
                stored.raise_for_status()
                file = {"path": stored.json()[0], "meta": {"_type": "gradio.FileData"}, "orig_name": name}
                result = call(http, "do_import", [[file], False])
                if "added" not in json.dumps(result, ensure_ascii=False):
                    raise RuntimeError(f"upload not added: {json.dumps(result, ensure_ascii=False)[:200]}")
                counts["uploaded"] += 1
                upload_ms.append((time.perf_counter() - t) * 1000)
                call(http, "do_delete", [Path(name).stem])
                counts["deleted"] += 1
            except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as exc:
                counts["errors"] += 1
                if len(errors) < 5:
                    errors.append(f"{exc.__class__.__name__}: {exc}"[:200])
    return {**counts, "error_samples": errors, "upload": percentiles(upload_ms)}


def mixed_load(base_url: str, clients: int, seconds: float, churn: bool = False) -> dict[str, Any]:
    """Half the clients search, half ask (extractive), for ``seconds``; with ``churn``, an upload/delete loop
    runs beside them for the same time."""
    out: dict[str, Any] = {}
    searchers = max(1, clients // 2)
    jobs = {"search": lambda: load_test(base_url, searchers, seconds, path="/api/search"),
            "ask_extractive": lambda: load_test(base_url, max(1, clients - searchers), seconds,
                                                extra={"llm": "extractive"})}
    if churn:
        jobs["uploads"] = lambda: upload_churn(base_url, seconds)
    threads = [threading.Thread(target=lambda k=k, job=job: out.__setitem__(k, job()), daemon=True)
               for k, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 400)
    out["errors"] = sum(int(v.get("errors", 0)) for v in out.values() if isinstance(v, dict))
    return out


def readers_under_uploads(base_url: str, clients: int, seconds: float) -> dict[str, Any]:
    """The same mixed load without and then with an upload/delete loop; p95 ratios (with / without)."""
    quiet = mixed_load(base_url, clients, seconds)
    busy = mixed_load(base_url, clients, seconds, churn=True)
    ratios = {kind: round(busy[kind]["p95_ms"] / quiet[kind]["p95_ms"], 2)
              for kind in ("search", "ask_extractive") if quiet.get(kind, {}).get("p95_ms")}
    return {"without_uploads": quiet, "with_uploads": busy, "p95_ratio": ratios,
            "errors": quiet["errors"] + busy["errors"]}


def bench_load(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    """Start the REST API on 127.0.0.1 over the seeds, then run :func:`load_test` for search and ask."""
    from rag.service.frontends import FrontEndMissing, front_end

    try:
        build_app = front_end("web").build_app
    except (ImportError, FrontEndMissing) as exc:
        return {"skipped": f"REST API not available ({exc})"}
    import socket

    import uvicorn

    services = seed_services(settings, work / f"seeds-{settings.embedding_backend}")
    app = build_app(services)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    seconds = 10.0 if opts.quick else opts.load_seconds
    out: dict[str, Any] = {}
    try:
        opts.log(f"bench load: {opts.load_clients} clients x {seconds:.0f}s on /api/search")
        out["search"] = load_test(base, opts.load_clients, seconds, path="/api/search")
        opts.log(f"bench load: {opts.load_clients} clients x {seconds:.0f}s on /api/ask (extractive)")
        out["ask_extractive"] = load_test(base, opts.load_clients, seconds, extra={"llm": "extractive"})
        mixed_seconds = 10.0 if opts.quick else min(30.0, opts.load_seconds)
        opts.log(f"bench load: {opts.load_clients} clients x {mixed_seconds:.0f}s search+ask, then again with "
                 "an upload/delete loop")
        out["readers_under_uploads"] = readers_under_uploads(base, opts.load_clients, mixed_seconds)
        from rag.answer.llm_local import local_model_available

        if local_model_available() and not opts.quick:
            opts.log(f"bench load: {opts.load_clients} clients x {seconds:.0f}s on /api/ask (local)")
            out["ask_local"] = load_test(base, opts.load_clients, seconds, extra={"llm": "local"})
    finally:
        server.should_exit = True
        thread.join(10)
        services.close()
    return out
