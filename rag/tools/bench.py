"""``reportqa bench``: speed, scale and quality of this install, measured in one run on one machine.

Sections (each can be skipped):

* **ingest** — reports/s, chunks/s and embedded passages/s for the seeds and the national reports, cold (empty
  embedding cache) and warm (every vector from the cache), each in a child process so its peak RSS is its own;
* **embedding** — passages/s of every embedding backend on the same passages, rounds interleaved so CPU
  contention hits all alike (the ratio to fp32 torch is taken per round), cosine to fp32, and retrieval quality
  (Recall@5 on the dev set and, unless ``--quick``, ncp_policy_qa) per backend;
* **query** — warm latency p50/p95/p99 of bm25/dense/hybrid search and of ``ask`` per engine (extractive;
  local with time to first token when the llm extra is installed);
* **scale** — synthetic corpora (10k/100k/1M chunks): FAISS flat vs HNSW vs IVF (build time, memory, query
  p95, recall@10 against flat) over clustered random unit vectors, and the FTS5 BM25 index over realistic text
  (sentences of the real reports recombined);
* **quality** — the ``reportqa eval`` tables (dev set, ncp_policy_qa, drcd_dev, cmrc2018_dev) per mode, BM25
  as the baseline;
* **load** — concurrent clients against the REST API on 127.0.0.1 (see :func:`load_test`).

Writes ``bench/results/<date>.json``, ``<date>.md`` (Markdown tables) and ``<date>.png`` (latency vs corpus
size). Timings on a shared CPU are noisy: compare the ratios inside one run, not absolute numbers across runs.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.core.config import Settings, get_settings

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
SCALE_SIZES = (10_000, 100_000, 1_000_000)
DIM = 384


def shared_dir() -> Path:
    return Path(os.environ.get("REPORTQA_SHARED", REPO.parent / "shared"))


@dataclass
class BenchOptions:
    """What to run; ``quick`` shrinks every section to a smoke run of a few minutes."""

    quick: bool = False
    sections: tuple[str, ...] = ("ingest", "embedding", "query", "scale", "quality", "load")
    scale_sizes: tuple[int, ...] = SCALE_SIZES
    hnsw_max: int = 1_000_000
    backends: tuple[str, ...] = ("torch", "onnx-int8")
    datasets: tuple[str, ...] = ("ncp_policy_qa", "drcd_dev", "cmrc2018_dev")
    load_clients: int = 20
    load_seconds: float = 60.0
    out_dir: Path = REPO / "bench" / "results"
    work_dir: Path | None = None
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


# -- helpers ---------------------------------------------------------------------------------------
def percentiles(values_ms: Iterable[float]) -> dict[str, float]:
    values = np.array(list(values_ms) or [0.0])
    return {"n": int(values.size), **{f"p{p}_ms": round(float(np.percentile(values, p)), 2) for p in (50, 95, 99)}}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def machine_info() -> dict[str, Any]:
    from importlib import metadata

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
            "load_avg_start": [round(x, 2) for x in os.getloadavg()],
            **{name: version(name) for name in ("torch", "faiss-cpu", "onnxruntime", "sentence-transformers")}}


def passage_sample(n: int) -> list[str]:
    """Passages exactly as indexing embeds them (context header + chunk text), from the seeds."""
    from rag.index.vectors import passage_text
    from rag.ingest.loaders import load_documents
    from rag.ingest.parser import parse_document

    texts: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for doc in load_documents(path, 50_000_000):
            texts.extend(passage_text(c) for c in parse_document(doc).chunks)
    return texts[:n]


def dev_questions() -> list[str]:
    path = shared_dir() / "eval" / "dev_qa.jsonl"
    if not path.exists():
        return ["凌河区2022年固定资产投资完成多少？", "How fast did GDP grow?", "就业目标是什么？"]
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- ingest (child processes) -------------------------------------------------------------------------
def _ingest_phase(args: dict[str, Any]) -> dict[str, Any]:
    """Runs in a child: ingest ``paths`` into ``index_dir`` with the embedding cache at ``cache_db``."""
    from embeddings.cache import EmbeddingCache
    from rag.service.resources import Services

    settings = get_settings().model_copy(update={"embedding_backend": args["backend"]})
    services = Services(settings, index_dir=Path(args["index_dir"]))
    services.__dict__["cache"] = EmbeddingCache(Path(args["cache_db"]))
    t = time.perf_counter()
    _ = services.embedder.model  # model load, reported apart from throughput
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    outcomes = services.ingest([Path(p) for p in args["paths"]], index=False)
    parse_s = time.perf_counter() - t
    from rag.index.vectors import open_vector_store, sync_vectors

    t = time.perf_counter()
    vectors = open_vector_store(settings, services.embedder, services.index_dir)
    stats = sync_vectors(services.store, vectors, services.embedder, services.cache)
    index_s = time.perf_counter() - t
    services.close()
    reports = sum(o.status in ("added", "replaced") for o in outcomes)
    chunks = sum(o.report.n_chunks for o in outcomes if o.report is not None and o.status in ("added", "replaced"))
    total = parse_s + index_s
    return {
        "reports": reports, "chunks": chunks, "embedded": stats.embedded, "from_cache": stats.from_cache,
        "model_load_s": round(load_s, 2), "parse_store_s": round(parse_s, 2), "index_s": round(index_s, 2),
        "total_s": round(total, 2), "reports_per_s": round(reports / total, 3) if total else None,
        "chunks_per_s": round(chunks / total, 1) if total else None,
        "embedded_per_s": round(stats.embedded / index_s, 2) if stats.embedded and index_s else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(phase: str, args: dict[str, Any], timeout: float = 3600) -> dict[str, Any]:
    """Run one phase in a fresh interpreter (clean peak RSS, cold process) and return its JSON result."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run([sys.executable, "-m", "rag.tools.bench", phase, json.dumps(args)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=REPO)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"{phase} failed (exit {proc.returncode}): {tail[0]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_ingest(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    corpora = {"seeds": [str(SEEDS)]}
    national = shared_dir() / "bench" / "reports_national"
    if national.exists() and not opts.quick:
        corpora["national (52)"] = [str(national)]
    out: dict[str, Any] = {"backend": settings.embedding_backend}
    for name, paths in corpora.items():
        cache_db = work / f"ingest-cache-{name.split()[0]}.db"
        cache_db.unlink(missing_ok=True)
        rows = {}
        for phase in ("cold", "warm"):
            index_dir = Path(tempfile.mkdtemp(prefix=f"ingest-{phase}-", dir=work))
            opts.log(f"bench ingest: {name} {phase}")
            rows[phase] = run_child("ingest", {"paths": paths, "index_dir": str(index_dir),
                                               "cache_db": str(cache_db), "backend": settings.embedding_backend})
        out[name] = rows
    return out


# -- embedding backends -------------------------------------------------------------------------------
def bench_embedding(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    from embeddings.model import Embedder

    n = 48 if opts.quick else 128
    rounds = 3 if opts.quick else 5
    texts = passage_sample(n)
    embedders = {}
    load_s = {}
    for backend in opts.backends:
        t = time.perf_counter()
        embedder = Embedder(settings.embedding_model, settings.cache_dir, batch_size=settings.embedding_batch_size,
                            threads=settings.embedding_threads or None, backend=backend)
        embedder.encode_passages(texts[:4])
        load_s[backend] = round(time.perf_counter() - t, 2)
        embedders[backend] = embedder
    base = opts.backends[0]
    seconds: dict[str, list[float]] = {b: [] for b in embedders}
    vectors: dict[str, np.ndarray] = {}
    for r in range(rounds):
        opts.log(f"bench embedding: round {r + 1}/{rounds}")
        for backend, embedder in embedders.items():
            t = time.perf_counter()
            vectors[backend] = embedder.encode_passages(texts)
            seconds[backend].append(time.perf_counter() - t)
    questions = dev_questions()[:20]
    out: dict[str, Any] = {"passages": len(texts), "rounds": rounds,
                           "mean_chars": round(float(np.mean([len(t) for t in texts])), 1), "backends": {}}
    for backend, embedder in embedders.items():
        per_round = [len(texts) / s for s in seconds[backend]]
        ratios = [b / s for b, s in zip(seconds[base], seconds[backend], strict=True)]
        cos = np.sum(vectors[backend] * vectors[base], axis=1)
        query_ms = []
        for q in questions:
            t = time.perf_counter()
            embedder.encode_queries([q])
            query_ms.append((time.perf_counter() - t) * 1000)
        out["backends"][backend] = {
            "model_id": embedder.model_id, "load_s": load_s[backend],
            "passages_per_s_best": round(max(per_round), 2),
            "passages_per_s_median": round(float(np.median(per_round)), 2),
            "speedup_vs_fp32_median": round(float(np.median(ratios)), 2),
            "cosine_vs_fp32_min": round(float(cos.min()), 4), "cosine_vs_fp32_mean": round(float(cos.mean()), 4),
            "query_p50_ms": round(float(np.median(query_ms)), 1),
        }
    embedders.clear()
    gc.collect()
    # retrieval quality per backend, each in its own index (vectors of different backends never mix)
    for backend in opts.backends:
        opts.log(f"bench embedding: quality with {backend}")
        quality = _quality_for(settings.model_copy(update={"embedding_backend": backend}),
                               work / f"backend-{backend}", include_beir=() if opts.quick else ("ncp_policy_qa",),
                               modes=["dense", "hybrid"])
        out["backends"][backend]["quality"] = quality
    return out


# -- query latency ------------------------------------------------------------------------------------
def _seed_services(settings: Settings, index_dir: Path) -> Any:
    from rag.service.resources import Services

    services = Services(settings, index_dir=index_dir)
    services.ingest([SEEDS])
    return services


def bench_query(settings: Settings, opts: BenchOptions, work: Path) -> dict[str, Any]:
    from rag.answer.engines import available_engines
    from rag.answer.pipeline import ask

    services = _seed_services(settings, work / f"seeds-{settings.embedding_backend}")
    questions = dev_questions()
    repeats = 2 if opts.quick else 5
    out: dict[str, Any] = {"corpus": "seeds", "chunks": len(services.store.chunk_ids()), "search": {}, "ask": {}}
    for mode in ("bm25", "dense", "hybrid"):
        services.search("预热", k=1, mode=mode)
        times = []
        for _ in range(repeats):
            for q in questions:
                t = time.perf_counter()
                services.search(q, k=5, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        out["search"][mode] = percentiles(times)
    for engine in available_engines(settings):
        if engine == "openai":
            continue  # a remote endpoint measures the network, not this machine
        n = len(questions) if engine == "extractive" else (2 if opts.quick else 5)
        opts.log(f"bench query: ask with {engine} ({n} questions)")
        totals, firsts = [], []
        if engine != "extractive":
            ask(services, questions[0], None, engine)  # model load outside the timings
        for q in questions[:n]:
            first: list[float] = []
            t = time.perf_counter()

            def on_token(_token: str, first: list[float] = first, t: float = t) -> None:
                if not first:
                    first.append((time.perf_counter() - t) * 1000)

            result = ask(services, q, None, engine, on_token=on_token)
            totals.append((time.perf_counter() - t) * 1000)
            if first and not result.engine.startswith("extractive"):
                firsts.append(first[0])
        row: dict[str, Any] = {"total": percentiles(totals)}
        if firsts:
            row["first_token"] = percentiles(firsts)
        out["ask"][engine] = row
    services.close()
    return out


# -- scale ------------------------------------------------------------------------------------------
def clustered_unit_vectors(n: int, dim: int = DIM, per_centre: int = 100, seed: int = 0) -> np.ndarray:
    """Random unit vectors around random centres, one centre per ``per_centre`` vectors (cosine to the centre
    about 0.7): real embeddings cluster by topic and a larger corpus has more topics; uniform noise has no
    structure at all and would understate what HNSW/IVF achieve on real data."""
    rng = np.random.default_rng((seed, n))
    centres = max(1, n // per_centre)
    centre = rng.standard_normal((centres, dim), dtype=np.float32)
    centre /= np.linalg.norm(centre, axis=1, keepdims=True)
    out = np.empty((n, dim), np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        block = centre[rng.integers(0, centres, m)]
        block += rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start:start + m] = block
    return out


def _index_bytes(index: Any) -> int:
    """Size of the index as FAISS stores it (vectors, graph links, lists): what it needs in memory."""
    import faiss

    return int(faiss.serialize_index(index).size)


def _faiss_index(kind: str, n: int) -> Any:
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(DIM), {}
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 40
        index.hnsw.efSearch = 64
        return index, {"M": 32, "efConstruction": 40, "efSearch": 64}
    lists = int(min(1024, max(16, 4 * np.sqrt(n))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, lists, faiss.METRIC_INNER_PRODUCT)
    index.nprobe = 16
    return index, {"lists": lists, "nprobe": 16}


def bench_vectors(sizes: Iterable[int], opts: BenchOptions, queries: int = 200) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        both = clustered_unit_vectors(n + queries)  # queries: held-out points of the same clusters
        data, q = both[:n], both[n:]
        del both
        rng = np.random.default_rng(1)
        truth = None
        for kind in ("flat", "hnsw", "ivf"):
            if kind == "hnsw" and n > opts.hnsw_max:
                rows.append({"n": n, "index": kind, "skipped": f"n > --hnsw-max {opts.hnsw_max}"})
                continue
            opts.log(f"bench scale: {kind} at {n:,} vectors")
            gc.collect()
            index, params = _faiss_index(kind, n)
            t = time.perf_counter()
            if kind == "ivf":
                index.train(data[rng.integers(0, n, min(n, 64 * index.nlist))])
            index.add(data)
            build_s = time.perf_counter() - t
            memory = _index_bytes(index)
            # HNSW: also a wider search (same graph); IVF: more lists probed
            settings = {"hnsw": [64, 256], "ivf": [16, 64]}.get(kind, [None])
            for setting in settings:
                label = kind
                if kind == "hnsw" and setting:
                    index.hnsw.efSearch = setting
                    label = f"hnsw ef{setting}"
                elif kind == "ivf" and setting:
                    index.nprobe = setting
                    label = f"ivf nprobe{setting}"
                latencies, found = [], []
                for i in range(queries):
                    t = time.perf_counter()
                    _, labels = index.search(q[i:i + 1], 10)
                    latencies.append((time.perf_counter() - t) * 1000)
                    found.append(labels[0])
                found_arr = np.array(found)
                if kind == "flat":
                    truth = found_arr
                recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found_arr, truth, strict=True)]))
                rows.append({**percentiles(latencies), "n": n, "queries": queries, "index": label,
                             "params": {**params, **({"search": setting} if setting else {})},
                             "build_s": round(build_s, 2), "memory_mb": round(memory / 2**20, 1),
                             "bytes_per_vector": round(memory / n), "recall@10_vs_flat": round(recall, 4)})
            del index
        del data
        gc.collect()
    return rows


def _sentence_pool(size: int = 30_000) -> list[list[str]]:
    """Lexical terms of real report sentences (seeds + national reports), tokenized once."""
    import re

    from rag.core.textnorm import normalize_for_search
    from rag.core.tokens import index_terms
    from rag.ingest.loaders import load_documents

    paths = sorted(SEEDS.glob("*.txt"))
    national = shared_dir() / "bench" / "reports_national"
    paths += sorted(national.glob("*.jsonl")) if national.exists() else []
    sentences: list[str] = []
    for path in paths:
        for doc in load_documents(path, 100_000_000):
            sentences.extend(s for s in re.split(r"(?<=[。！？；])", doc.text) if len(s.strip()) >= 8)
    random.Random(0).shuffle(sentences)
    return [index_terms(normalize_for_search(s)) for s in sentences[:size]]


def bench_lexical(sizes: Iterable[int], opts: BenchOptions, work: Path) -> list[dict[str, Any]]:
    """FTS5 BM25 over synthetic chunks made of 3–8 real sentences each (same terms as the real index)."""
    from rag.core.textnorm import normalize_for_search
    from rag.index.lexical import bm25_search

    pool = _sentence_pool(2_000 if opts.quick else 30_000)
    questions = [normalize_for_search(q) for q in dev_questions()]
    rows = []
    for n in sizes:
        opts.log(f"bench scale: FTS5 BM25 at {n:,} chunks")
        path = work / f"fts-{n}.db"
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("CREATE VIRTUAL TABLE chunk_terms USING fts5(chunk_id UNINDEXED, report_id UNINDEXED, terms, "
                     "tokenize = 'unicode61 remove_diacritics 0')")
        rng = random.Random(n)
        t = time.perf_counter()
        batch = []
        for i in range(n):
            terms = [term for _ in range(rng.randint(3, 8)) for term in pool[rng.randrange(len(pool))]]
            batch.append((f"r{i // 100}:{i}", f"r{i // 100}", " ".join(terms)))
            if len(batch) == 5000:
                conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", batch)
                batch.clear()
        if batch:
            conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", batch)
        conn.commit()
        build_s = time.perf_counter() - t
        latencies = []
        for _ in range(2):
            for question in questions:
                t = time.perf_counter()
                bm25_search(conn, question, 50)
                latencies.append((time.perf_counter() - t) * 1000)
        conn.close()
        size_mb = path.stat().st_size / 2**20
        path.unlink(missing_ok=True)
        rows.append({**percentiles(latencies), "n": n, "queries": len(latencies), "index": "fts5-bm25",
                     "build_s": round(build_s, 2), "disk_mb": round(size_mb, 1)})
    return rows


def bench_scale(opts: BenchOptions, work: Path) -> dict[str, Any]:
    sizes = [s for s in opts.scale_sizes if not opts.quick or s <= 10_000] or [10_000]
    return {"sizes": sizes, "vectors": bench_vectors(sizes, opts), "lexical": bench_lexical(sizes, opts, work)}


# -- quality -----------------------------------------------------------------------------------------
def _quality_for(settings: Settings, index_root: Path, include_beir: Iterable[str],
                 modes: list[str] | None = None) -> dict[str, Any]:
    from rag.service.resources import Services
    from rag.tools import evaluation as ev

    modes = modes or ["bm25", "dense", "hybrid"]
    out: dict[str, Any] = {}
    dev = shared_dir() / "eval" / "dev_qa.jsonl"
    if dev.exists():
        services = _seed_services(settings, index_root / "seeds")
        out["dev_qa"] = {"n": 0, "modes": ev.run_eval(services, ev.qa_queries(dev), modes)}
        out["dev_qa"]["n"] = len(ev.qa_queries(dev))
        services.close()
    for name in include_beir:
        folder = shared_dir() / "bench" / "beir" / name
        if not (folder / "corpus.jsonl").exists():
            continue
        corpus, query_texts, qrels = ev.load_beir(folder)
        with Services(settings, index_dir=index_root / "beir" / name) as services:
            mapping = ev.index_beir(services, corpus, settings)
            queries = ev.beir_queries(query_texts, qrels, mapping)
            out[name] = {"n": len(queries), "modes": ev.run_eval(services, queries, modes)}
    return out


def bench_quality(settings: Settings, opts: BenchOptions) -> dict[str, Any]:
    beir = () if opts.quick else opts.datasets
    # the same index directories as `reportqa eval --beir`, so a run after an eval reuses its vectors
    root = Path(settings.index_dir)
    return _quality_for(settings, root / "bench-quality", beir)


# -- REST load ---------------------------------------------------------------------------------------
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

    services = _seed_services(settings, work / f"seeds-{settings.embedding_backend}")
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


# -- run, report ---------------------------------------------------------------------------------------
def run_bench(opts: BenchOptions, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    work = Path(opts.work_dir or Path(settings.index_dir) / "bench")
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.now()
    results: dict[str, Any] = {"date": started.isoformat(timespec="seconds"), "quick": opts.quick,
                               "machine": machine_info(),
                               "settings": {"embedding_model": settings.embedding_model,
                                            "embedding_backend": settings.embedding_backend,
                                            "index_kind": settings.index_kind, "search_mode": settings.search_mode}}
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "ingest": lambda: bench_ingest(settings, opts, work),
        "embedding": lambda: bench_embedding(settings, opts, work),
        "query": lambda: bench_query(settings, opts, work),
        "scale": lambda: bench_scale(opts, work),
        "quality": lambda: bench_quality(settings, opts),
        "load": lambda: bench_load(settings, opts, work),
    }
    for name, step in steps.items():
        if name not in opts.sections:
            continue
        t = time.perf_counter()
        try:
            results[name] = step()
        except Exception as exc:  # one failed section must not lose the others' numbers
            results[name] = {"error": f"{exc.__class__.__name__}: {exc}"}
        results.setdefault("section_seconds", {})[name] = round(time.perf_counter() - t, 1)
    results["peak_rss_mb"] = peak_rss_mb()
    results["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def write_results(results: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = results["date"].replace(":", "").replace("T", "-")[:15]
    paths = {"json": out_dir / f"{stem}.json", "md": out_dir / f"{stem}.md", "png": out_dir / f"{stem}.png"}
    paths["json"].write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown(results), encoding="utf-8")
    if not plot(results, paths["png"]):
        paths.pop("png")
    (out_dir / "latest.md").write_text(markdown(results), encoding="utf-8")
    return paths


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    parts = [f"# Benchmark {r['date']}{' (quick)' if r.get('quick') else ''}\n",
             f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; load average {m['load_avg_start']} → "
             f"{m.get('load_avg_end')} (shared CPU: compare ratios within this run). Embedding backend "
             f"`{r['settings']['embedding_backend']}`, index `{r['settings']['index_kind']}`; peak RSS "
             f"{r.get('peak_rss_mb')} MB.\n"]
    if isinstance(ing := r.get("ingest"), dict) and "error" not in ing:
        rows = []
        for corpus, phases in ing.items():
            if not isinstance(phases, dict):
                continue
            for phase, x in phases.items():
                if "error" in x:
                    rows.append([corpus, phase, x["error"]] + [""] * 7)
                    continue
                rows.append([corpus, phase, x["reports"], x["chunks"], x["reports_per_s"], x["chunks_per_s"],
                             x["embedded"], x["embedded_per_s"], x["model_load_s"], x["peak_rss_mb"]])
        parts.append("## Ingest and index\n\n" + _table(
            ["corpus", "run", "reports", "chunks", "reports/s", "chunks/s", "embedded", "embedded/s",
             "model load s", "peak RSS MB"], rows))
    if isinstance(emb := r.get("embedding"), dict) and "backends" in emb:
        rows = []
        for b, x in emb["backends"].items():
            q = x.get("quality", {})
            rows.append([b, x["passages_per_s_median"], x["passages_per_s_best"], f"{x['speedup_vs_fp32_median']}×",
                         x["cosine_vs_fp32_min"], x["query_p50_ms"],
                         *(q.get(ds, {}).get("modes", {}).get(mode, {}).get("R@5", "")
                           for ds in ("dev_qa", "ncp_policy_qa") for mode in ("dense", "hybrid"))])
        parts.append(f"## Embedding backends ({emb['passages']} seed passages, {emb['rounds']} interleaved rounds)\n\n"
                     + _table(["backend", "passages/s (median)", "best", "speed-up (per-round median)",
                               "min cosine to fp32", "query ms p50", "dev R@5 dense", "dev R@5 hybrid",
                               "ncp R@5 dense", "ncp R@5 hybrid"], rows))
    if isinstance(qry := r.get("query"), dict) and "search" in qry:
        rows = [[f"search {mode}", x["n"], x["p50_ms"], x["p95_ms"], x["p99_ms"], ""]
                for mode, x in qry["search"].items()]
        for engine, x in qry.get("ask", {}).items():
            ft = x.get("first_token")
            rows.append([f"ask {engine}", x["total"]["n"], x["total"]["p50_ms"], x["total"]["p95_ms"],
                         x["total"]["p99_ms"], f"{ft['p50_ms']} / {ft['p95_ms']}" if ft else ""])
        parts.append(f"## Query latency (warm, {qry['corpus']}: {qry['chunks']} chunks)\n\n" + _table(
            ["operation", "n", "p50 ms", "p95 ms", "p99 ms", "first token p50 / p95 ms"], rows))
    if isinstance(sc := r.get("scale"), dict) and "vectors" in sc:
        rows = []
        for x in sc["vectors"] + sc["lexical"]:
            if "skipped" in x:
                rows.append([f"{x['n']:,}", x["index"], x["skipped"], "", "", "", ""])
                continue
            memory = x.get("memory_mb", "")
            rows.append([f"{x['n']:,}", x["index"], x["build_s"], memory if memory != "" else f"{x['disk_mb']} (disk)",
                         x["p50_ms"], x["p95_ms"], x.get("recall@10_vs_flat", "")])
        parts.append("## Scale (synthetic corpora)\n\n" + _table(
            ["chunks", "index", "build s", "memory MB", "query p50 ms", "query p95 ms", "recall@10 vs flat"], rows))
    if isinstance(ql := r.get("quality"), dict) and "error" not in ql:
        rows = []
        for ds, x in ql.items():
            for mode, v in x["modes"].items():
                rows.append([f"{ds} ({x['n']})", mode, v["R@1"], v["R@5"], v["R@10"], v["MRR@10"],
                             f"{v['p50_ms']} / {v['p95_ms']}"])
        parts.append("## Retrieval quality (BM25 = baseline)\n\n" + _table(
            ["dataset", "mode", "R@1", "R@5", "R@10", "MRR@10", "p50 / p95 ms"], rows))
    if isinstance(ld := r.get("load"), dict) and "skipped" not in ld and "error" not in ld:
        rows = [[name, x["clients"], x["seconds"], x["requests"], x["ok"], x["busy_503"], x["errors"],
                 x["throughput_rps"], x["p50_ms"], x["p95_ms"]] for name, x in ld.items()]
        parts.append("## REST load (127.0.0.1)\n\n" + _table(
            ["endpoint", "clients", "s", "requests", "ok", "busy 503", "errors", "ok/s", "p50 ms", "p95 ms"], rows))
    for name in ("ingest", "embedding", "query", "scale", "quality", "load"):
        x = r.get(name)
        if isinstance(x, dict) and ("error" in x or "skipped" in x):
            parts.append(f"**{name}**: {x.get('error') or x.get('skipped')}\n")
    return "\n".join(parts)


def plot(r: dict[str, Any], path: Path) -> bool:
    scale = r.get("scale")
    if not isinstance(scale, dict) or "vectors" not in scale:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series: dict[str, list[tuple[int, float, float]]] = {}
    for x in scale["vectors"] + scale["lexical"]:
        if "p95_ms" in x:
            series.setdefault(x["index"], []).append((x["n"], x["p95_ms"], x["build_s"]))
    for name, points in series.items():
        points.sort()
        ns = [p[0] for p in points]
        left.plot(ns, [p[1] for p in points], marker="o", label=name)
        right.plot(ns, [p[2] for p in points], marker="o", label=name)
    for ax, title in ((left, "query latency p95 (ms)"), (right, "index build time (s)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("corpus size (chunks)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(f"ReportQA scale benchmark {r['date']} ({r['machine']['cores']} cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _main(argv: list[str]) -> int:
    """Child-process entry: ``python -m rag.tools.bench PHASE JSON_ARGS`` prints the phase's JSON result."""
    phases = {"ingest": _ingest_phase}
    if len(argv) != 2 or argv[0] not in phases:
        print("usage: python -m rag.tools.bench ingest JSON_ARGS (internal; use `reportqa bench`)", file=sys.stderr)
        return 2
    print(json.dumps(phases[argv[0]](json.loads(argv[1]))))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(_main(sys.argv[1:]))

