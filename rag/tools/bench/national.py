"""National rows of the quality tables: the national question sets (dev and blind) on one library of the seeds
plus the 52 national reports, the library every headline number is measured on — retrieval per mode, answers
(accuracy, refusals, wrong-year answers) and a per-language breakdown (English R@5 is a target of its own)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rag.core.config import Settings
from rag.tools.bench.common import REPO, SEEDS, shared_dir

MODES = ("bm25", "dense", "hybrid")
STAMP = "bench-library.txt"  # the parsing-code fingerprint the kept library was built with


def parsing_fingerprint() -> str:
    """A hash of the code that turns a report into chunks. Re-ingesting skips unchanged files by checksum, so a
    kept library would keep an old parse after that code changed; rebuilding it then is cheap (vectors of
    unchanged passages come back from the embedding cache)."""
    rag = REPO / "rag"
    digest = hashlib.sha256()
    for path in sorted([*rag.glob("core/*.py"), *rag.glob("ingest/*.py"), *rag.glob("reports/*.py"),
                        rag / "index" / "store.py"]):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _keep_or_clear(index_dir: Path, log: Callable[[str], None]) -> str:
    """Clear a kept library built by other parsing code (or of unknown origin); returns the current stamp."""
    current = parsing_fingerprint()
    stamp = index_dir / STAMP
    built_with = stamp.read_text(encoding="utf-8").strip() if stamp.exists() else None
    if index_dir.exists() and built_with != current:
        log(f"bench quality: the parsing code changed since {index_dir} was built; rebuilding it")
        shutil.rmtree(index_dir)
    return current


def national_corpus() -> Path:
    return shared_dir() / "bench" / "reports_national"


def national_quality(settings: Settings, index_dir: Path, sets: Iterable[Path], modes: Iterable[str] = MODES,
                     engine: str = "extractive", log: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """One entry per question set (``national_qa``, …) like the other quality rows, with ``by_lang`` and
    ``answers`` added; ``{"national": {"skipped": …}}`` when the national reports are not there."""
    from rag.service.resources import Services
    from rag.tools import evaluation as ev

    corpus = national_corpus()
    if not corpus.exists():
        note = f"national rows skipped: {corpus} not found"
        log(note)
        return {"national": {"skipped": note}}
    modes = list(modes)
    needs_vectors = settings.search_mode != "bm25" or any(m != "bm25" for m in modes)
    out: dict[str, Any] = {}
    fingerprint = _keep_or_clear(index_dir, log)
    with Services(settings, index_dir=index_dir) as services:
        # A kept index: unchanged reports are skipped by checksum and vectors persist, so only the first run
        # pays for ingesting and embedding the national reports (minutes on 2 cores).
        log(f"bench quality: national library in {index_dir} (the first run ingests and embeds it)")
        services.ingest([SEEDS, corpus], index=needs_vectors)
        (index_dir / STAMP).write_text(fingerprint + "\n", encoding="utf-8")
        library = f"seeds + national reports ({len(services.store.reports())} reports)"
        services.warm_up()
        for path in sets:
            if not path.exists():
                continue
            log(f"bench quality: {path.stem}")
            queries = ev.qa_queries(path)
            per_query: list[dict[str, Any]] = []
            results = ev.run_eval(services, queries, modes, per_query)
            answers = ev.answer_eval(services, ev.load_qa_items(path), engine)
            out[path.stem] = {"n": len(queries), "library": library, "modes": results,
                              "by_lang": ev.by_language(per_query), "answers": answers}
    return out

