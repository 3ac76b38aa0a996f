"""Retrieval evaluation: Recall@1/5/10, MRR@10 and latency per mode, on QA files or BEIR datasets; answer
evaluation: accuracy, citations, refusals and wrong-year answers, overall and per question language."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.core.config import Settings
from rag.core.numbers import stated_figures
from rag.core.textnorm import normalize_for_search
from rag.ingest.loaders import RawDocument
from rag.ingest.parser import parse_document, report_id_for
from rag.ingest.repair import repair_text
from rag.retrieve.hybrid import MODES
from rag.service.resources import Services

K = 10


@dataclass
class EvalQuery:
    qid: str
    question: str
    is_hit: Callable[[str, str], bool]  # (chunk_id/report_id, chunk text) → relevant?
    lang: str = ""  # the question's language (QA files): per-language recall, e.g. English R@5


def metrics(first_hit_ranks: list[int | None], latencies_ms: list[float]) -> dict[str, float]:
    """Recall@k counts a query once its first relevant chunk is within k; MRR@10 uses that rank."""
    n = max(len(first_hit_ranks), 1)

    def recall(k: int) -> float:
        return round(sum(1 for r in first_hit_ranks if r is not None and r <= k) / n, 4)

    mrr = sum(1.0 / r for r in first_hit_ranks if r is not None and r <= K) / n
    lat = np.array(latencies_ms or [0.0])
    return {"R@1": recall(1), "R@5": recall(5), "R@10": recall(10), "MRR@10": round(mrr, 4),
            "p50_ms": round(float(np.percentile(lat, 50)), 1), "p95_ms": round(float(np.percentile(lat, 95)), 1)}


def run_eval(services: Services, queries: list[EvalQuery], modes: list[str],
             per_query: list[dict[str, Any]] | None = None) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for mode in modes:
        if mode != "bm25":
            services.search("预热", k=1, mode=mode)  # load model + index outside the timings
        ranks: list[int | None] = []
        latencies: list[float] = []
        for query in queries:
            t = time.perf_counter()
            hits = services.search(query.question, k=K, mode=mode).hits
            latencies.append((time.perf_counter() - t) * 1000)
            rank = next((i for i, h in enumerate(hits, start=1) if query.is_hit(h.chunk.chunk_id, h.chunk.text)),
                        None)
            ranks.append(rank)
            if per_query is not None:
                per_query.append({"mode": mode, "id": query.qid, "lang": query.lang, "rank": rank,
                                  "top": [h.chunk.chunk_id for h in hits[:3]]})
        results[mode] = metrics(ranks, latencies)
    return results


def load_qa_items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_form(gold: str) -> str:
    """A gold string as the stored chunk has it: repaired like the report text at ingest (a string copied from the
    raw scrape keeps its pinyin annotations, 達(dá), which ingestion drops), then normalized for search."""
    return normalize_for_search(repair_text(gold).text)


def qa_queries(path: Path) -> list[EvalQuery]:
    """Queries of a dev_qa-style file: a hit contains a normalized ``gold_contains`` string."""
    queries = []
    for item in load_qa_items(path):
        if item.get("refuse") or not item.get("gold_contains"):
            continue  # nothing to find: unanswerable questions count in the answer evaluation only
        golds = [gold_form(g) for g in item["gold_contains"]]

        def is_hit(_cid: str, text: str, golds: list[str] = golds) -> bool:
            normalized = normalize_for_search(text)
            return any(g in normalized for g in golds)

        queries.append(EvalQuery(item["id"], item["question"], is_hit, lang_of(item)))
    return queries


def lang_of(item: dict[str, Any]) -> str:
    """The item's ``lang`` in one spelling (the files write both ``zh-hant`` and ``zh-Hant``)."""
    return str(item.get("lang") or "unknown").lower()


def by_language(per_query: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """lang → mode → n, R@1, R@5 from :func:`run_eval`'s per-query records: targets are set per language."""
    ranks: dict[str, dict[str, list[int | None]]] = {}
    for row in per_query:
        ranks.setdefault(row.get("lang") or "unknown", {}).setdefault(row["mode"], []).append(row["rank"])
    return {lang: {mode: {"n": len(r), **{key: value for key, value in metrics(r, []).items() if key in ("R@1", "R@5")}}
                   for mode, r in modes.items()}
            for lang, modes in sorted(ranks.items())}


def load_beir(directory: Path) -> tuple[list[dict[str, str]], dict[str, str], dict[str, set[str]]]:
    corpus = [json.loads(line) for line in (directory / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
              if line.strip()]
    queries = {}
    for line in (directory / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            queries[row["_id"]] = row["text"]
    qrels: dict[str, set[str]] = {}
    with (directory / "qrels.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if float(row.get("score", 1) or 0) > 0:
                qrels.setdefault(row["query-id"], set()).add(row["corpus-id"])
    return corpus, queries, qrels


def index_beir(services: Services, corpus: list[dict[str, str]], settings: Settings) -> dict[str, str]:
    """Ingest BEIR documents through the normal pipeline; returns report_id → corpus id."""
    mapping: dict[str, str] = {}
    known = {r.report_id: r.sha256 for r in services.store.reports()}
    for doc in corpus:
        source = f"{doc['_id']}.txt"
        rid = report_id_for(source)
        mapping[rid] = doc["_id"]
        data = doc["text"].encode("utf-8")
        if known.get(rid) == hashlib.sha256(data).hexdigest():
            continue
        # Untitled documents (ncp_policy_qa) open with a headline; use it rather than a made-up title.
        title = doc.get("title") or headline(doc["text"])
        raw = RawDocument(source, doc["text"], data, "beir", title_hint=title or None)
        parsed = parse_document(raw, rid, settings.chunk_max_chars, settings.chunk_min_chars)
        if parsed.chunks:
            services.store.upsert(parsed)
    services.sync()
    return mapping


def headline(text: str, max_chars: int = 40) -> str:
    """The opening phrase of a document, up to the first space or sentence end (at most ``max_chars``)."""
    match = re.match(rf"\s*([^\s。！？!?]{{4,{max_chars}}})", text)
    return match.group(1) if match else ""


def beir_queries(queries: dict[str, str], qrels: dict[str, set[str]],
                 mapping: dict[str, str]) -> list[EvalQuery]:
    out = []
    for qid, text in queries.items():
        gold = qrels.get(qid)
        if not gold:
            continue

        def is_hit(cid: str, _text: str, gold: set[str] = gold) -> bool:
            return mapping.get(cid.split(":", 1)[0]) in gold

        out.append(EvalQuery(qid, text, is_hit))
    return out


def check_modes(modes: list[str]) -> list[str]:
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ValueError(f"unknown mode(s) {bad}; choose from {MODES}")
    return modes


def _years(value: Any) -> set[int]:
    values = value if isinstance(value, list) else [value]
    return {int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)}


def is_wrong_year(item: dict[str, Any], answer: str, refused: bool, cited_years: list[int | None]) -> bool:
    """An answer that states a figure the asked year's report does not back: either the item expects a
    refusal yet names a year (the library has no such report or figure), or none of its citations comes
    from the item's ``report_year`` report(s). Only items tied to a year count."""
    if refused or not stated_figures(answer, item.get("question", "")):
        return False
    wanted = _years(item.get("report_year"))
    if item.get("refuse"):
        if wanted or _years(item.get("about_year")):
            return True
        from rag.retrieve.when import question_time

        return bool(question_time(item.get("question", "")).years)
    return bool(wanted) and not any(year in wanted for year in cited_years)


def _model_written(engines: dict[str, int], engine: str) -> float | None:
    if engine not in ("local", "openai"):
        return None
    written, fallback = engines.get(engine, 0), engines.get(f"extractive (fallback from {engine})", 0)
    return round(written / (written + fallback), 4) if written + fallback else None


def answer_eval(services: Services, items: list[dict[str, Any]], engine: str) -> dict[str, Any]:
    """Answer accuracy (all ``answer_contains`` present), citation accuracy (a citation holds a gold
    passage), refusal accuracy (refused exactly when no answer is expected) and wrong-year answers (see
    :func:`is_wrong_year`), overall and per question language, with per-answer latency; which engine wrote the
    answers, and the answers that do not name what their figure is (bare numbers)."""
    from rag.answer.grounding import names_subject
    from rag.answer.pipeline import ask
    from rag.retrieve.plan import analyze

    correct = cited = answerable = refusal_ok = 0
    engines: dict[str, int] = {}
    fallbacks: list[dict[str, Any]] = []
    bare: list[str] = []
    latencies: list[float] = []
    failures: list[dict[str, Any]] = []
    wrong_year: list[str] = []
    per_lang: dict[str, dict[str, int]] = {}
    for item in items:
        t = time.perf_counter()
        result = ask(services, item["question"], item.get("history"), engine)
        latencies.append((time.perf_counter() - t) * 1000)
        if not result.refused:
            engines[result.engine] = engines.get(result.engine, 0) + 1
        if result.engine.startswith("extractive (fallback"):
            fallbacks.append({"id": item.get("id"), "why": result.grounding_note})
        standalone = getattr(result, "standalone_question", None) or item["question"]
        plan = services.plan(standalone) if services is not None else analyze(standalone, [])
        if not result.refused and not names_subject(result.answer, plan, [getattr(c, "quote", "") for c in result.citations]):
            bare.append(str(item.get("id")))
        expect_refusal = bool(item.get("refuse")) or not item.get("answer_contains")
        answer_norm = normalize_for_search(result.answer)
        if expect_refusal:
            ok = result.refused
        else:
            answerable += 1
            ok = not result.refused and all(gold_form(k) in answer_norm for k in item["answer_contains"])
            golds = [gold_form(g) for g in item.get("gold_contains", [])]
            has_citation = any(g in c.hit.chunk.search_text for c in result.citations for g in golds)
            cited += has_citation and not result.refused
        correct += ok
        refusal_ok += result.refused == expect_refusal
        cited_years = [c.hit.report.year for c in result.citations]
        wrong = is_wrong_year(item, result.answer, result.refused, cited_years)
        if wrong:
            wrong_year.append(str(item.get("id")))
        lang = per_lang.setdefault(lang_of(item), {"n": 0, "correct": 0, "refusal_ok": 0, "wrong_year": 0})
        lang["n"] += 1
        lang["correct"] += ok
        lang["refusal_ok"] += result.refused == expect_refusal
        lang["wrong_year"] += wrong
        if not ok:
            failures.append({"id": item.get("id"), "answer": result.answer[:200], "engine": result.engine,
                             "cited_years": sorted({y for y in cited_years if y is not None})})
    n = max(len(items), 1)
    lat = np.array(latencies or [0.0])
    return {
        "n": len(items), "engine": engine,
        "answer_accuracy": round(correct / n, 4),
        "citation_accuracy": round(cited / max(answerable, 1), 4),
        "refusal_accuracy": round(refusal_ok / n, 4),
        "p50_ms": round(float(np.percentile(lat, 50)), 1), "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "failures": failures,
        # who wrote the answers: the LLM, the extractive engine (a fallback when an LLM was asked), the ledger …
        "engines": dict(sorted(engines.items())),
        # of the answers an LLM was asked to write (not refusals, not ledger or title-block answers): its own
        "model_written": _model_written(engines, engine), "fallbacks": fallbacks,
        "bare_answers": len(bare), "bare_ids": bare,
        "wrong_year": len(wrong_year), "wrong_year_ids": wrong_year,
        "by_lang": {code: {"n": x["n"], "answer_accuracy": round(x["correct"] / x["n"], 4),
                           "refusal_accuracy": round(x["refusal_ok"] / x["n"], 4), "wrong_year": x["wrong_year"]}
                    for code, x in sorted(per_lang.items())},
    }
