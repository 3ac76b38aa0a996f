"""Hybrid retrieval: BM25 over Chinese terms + dense vectors, fused into one ranking.

Lexical search carries exact figures, names and script variants that a small embedding model blurs; the
dense ranking carries paraphrase and English. Fusion is a weighted sum of min-max normalized scores
(alpha = BM25's share). Measured on ncp_policy_qa and the dev set (README, "Retrieval quality"), it beat
reciprocal-rank fusion, which treats the weaker dense ranking as an equal vote and so fell below BM25 alone;
RRF stays available as ``REPORTQA_FUSION=rrf``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from rag.core.config import Settings
from rag.core.models import Chunk, Report
from rag.core.textnorm import normalize_for_search, to_simplified
from rag.core.timeframe import FIVE_YEARS, ChunkTime, late_time
from rag.core.years import names_horizon
from rag.index.search_index import LocalIndex, SearchIndex
from rag.index.store import ReportStore
from rag.retrieve.coordination import coordinate
from rag.retrieve.corpus import corpus_weigher, library_counts
from rag.retrieve.facts import asked_facts, fact_chunk_ids
from rag.retrieve.places import short_place_name
from rag.retrieve.plan import QueryPlan, analyze
from rag.retrieve.when import QuestionTime, reports_for_time, speaks_for

MODES = ("bm25", "dense", "hybrid")
PLACE_BONUS = 0.1  # hybrid score added to chunks of the reports of a place the question names
YEAR_BONUS = 0.15  # … and to chunks of the reports that speak about the year it asks (rag/retrieve/when.py)
TIME_BONUS = 0.5  # … and to chunks whose own time (rag/core/timeframe.py) is that year, in the asked kind (dev sweep 0.2–0.8)
# The chunk kinds that can answer each intent: a result is reviewed, a target is planned.
INTENT_KINDS = {"result": ("review",), "target": ("plan",), "multi-year": ("multi-year",),
                "unknown": ("review", "plan")}


class Searcher(Protocol):
    """What answering needs from the application: the library (store, settings, the retriever) and a search
    that can reuse a question's plan. ``rag.service.Services`` is one."""

    settings: Settings
    store: ReportStore
    retriever: Retriever

    def search(self, question: str, k: int = 5, mode: str | None = None, filters: SearchFilters | None = None,
               plan: QueryPlan | None = None) -> SearchResult: ...

    def plan(self, question: str, answer_engine: str | None = None) -> QueryPlan: ...


@dataclass
class SearchFilters:
    """Restrict a search to some reports (by id, report year, or a place name in any script)."""

    report_ids: list[str] | None = None
    year: int | None = None
    region: str | None = None

    def active(self) -> bool:
        return bool(self.report_ids or self.year or self.region)

    def allowed_reports(self, reports: list[Report]) -> list[str] | None:
        if not self.active():
            return None
        region = to_simplified(self.region).strip() if self.region else None
        allowed = []
        for report in reports:
            if self.report_ids and report.report_id not in self.report_ids:
                continue
            if self.year and report.year != self.year:
                continue
            if region:
                names = [report.province, report.city, report.district, report.region, to_simplified(report.title)]
                if not any(n and region in n for n in names):
                    continue
            allowed.append(report.report_id)
        return allowed


@dataclass
class SearchHit:
    """One ranked chunk with the report it cites."""

    chunk: Chunk
    report: Report
    score: float
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk.chunk_id,
            "report_id": self.chunk.report_id,
            "title": self.report.title,
            "report_year": self.report.year,
            "speaks_about": self.chunk.time.to_dict(),
            "section_path": self.chunk.section_path,
            "paragraph": self.chunk.paragraph,
            "score": round(self.score, 6),
            "text": self.chunk.text,
        }


@dataclass
class SearchResult:
    plan: QueryPlan
    hits: list[SearchHit]
    timings_ms: dict[str, float]


class Retriever:
    """Searches one report store through a search backend (``rag/index/search_index.py``: FTS5 + FAISS by
    default, or Milvus); the dense side is optional (BM25-only installs and tests)."""

    def __init__(self, store: ReportStore, index: SearchIndex | None = None, embedder: Any = None, candidates: int = 50,
                 rrf_k: int = 60, fusion: str = "weighted", alpha: float = 0.7, year_prior: str = "hard",
                 coordination: float = 0.0) -> None:
        if fusion not in ("weighted", "rrf"):
            raise ValueError(f"fusion must be 'weighted' or 'rrf', not {fusion!r}")
        self.fusion = fusion
        self.alpha = alpha
        self.year_prior = year_prior  # soft: a bonus; hard: only those reports; off
        self.coordination = coordination  # weight of the concept coverage of the top candidates (coordination.py)
        self.store = store
        self.index: SearchIndex = index or LocalIndex(store)
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._reports: dict[str, Report] | None = None
        self._times: dict[str, ChunkTime] = {}
        self._late: frozenset[str] = frozenset()  # reports delivered late in their year (store.late_reports)
        self._fingerprint: str | None = None

    def _texts(self, chunk_ids: list[str]) -> dict[str, str]:
        return {cid: chunk.text for cid, chunk in self.store.chunks_by_id(chunk_ids).items()}

    def reports(self) -> dict[str, Report]:
        """Report metadata, cached until the store changes."""
        fingerprint = self.store.fingerprint()
        if self._reports is None or fingerprint != self._fingerprint:
            self._reports = {r.report_id: r for r in self.store.reports()}
            self._times = self.store.chunk_times()
            self._late = self.store.late_reports()
            self._fingerprint = fingerprint
        return self._reports

    def search(self, question: str, k: int = 5, mode: str = "hybrid", filters: SearchFilters | None = None,
               plan: QueryPlan | None = None) -> SearchResult:
        """The top ``k`` chunks for ``question``. ``plan`` is its analysis when the caller already made one
        (the answer pipeline does): :func:`analyze` of the very same text against the same reports."""
        if plan is not None and plan.text != question:
            raise ValueError("the plan was made for another question")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if mode != "bm25" and (not self.index.has_dense or self.embedder is None):
            raise ValueError(f"mode {mode!r} needs the vector index; use mode 'bm25' or run `reportqa reindex`")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        reports = self.reports()
        if plan is None:
            plan = analyze(question, list(reports.values()), library_counts(self.store.conn))
        allowed = (filters or SearchFilters()).allowed_reports(list(reports.values()))
        preferred = self._year_reports(plan, reports, allowed)
        restrict = bool(preferred) and (self.year_prior == "hard" or plan.time.named_report is not None)
        scope = preferred if restrict else set()
        if not scope and plan.place_report_ids and self.year_prior == "hard":  # a named place: its reports only
            scope = plan.place_report_ids if allowed is None else plan.place_report_ids & set(allowed)
        timings["analyze_ms"] = (time.perf_counter() - t0) * 1000
        n = max(self.candidates, k)
        vector = None
        if mode != "bm25":
            t = time.perf_counter()
            vector = self.embedder.encode_queries([plan.dense_text])[0]
            timings["embed_ms"] = (time.perf_counter() - t) * 1000
        rankings = self._rankings(plan, mode, n, allowed, vector, timings)
        if scope:
            # Only the reports of the asked year (or the named report, or the named place): their own candidates
            # join the wider ones (measured better than either alone) and the other reports' chunks are dropped
            # after fusion.
            own = self._rankings(plan, mode, n, sorted(scope), vector, timings)
            rankings = {name: _merged(ranking, own.get(name, [])) for name, ranking in rankings.items()}
        t = time.perf_counter()
        fused = self._fuse(rankings, plan, mode, preferred if self.year_prior != "off" else set())
        if scope:
            named = self._naming_place(fused, plan, scope) if not restrict else set()
            fused = [item for item in fused if item[0].split(":", 1)[0] in scope or item[0] in named]
        if mode == "hybrid" and self.coordination > 0:
            fused = coordinate(fused, plan, self._texts, corpus_weigher(self.store.conn), self.coordination)
        asked = asked_facts(question) if preferred else ()
        if asked:  # who delivered it, when, where: the title block says, or the opening paragraph it lacks
            fronts = [cid for rid in sorted(preferred)
                      for cid in fact_chunk_ids(reports[rid], self.store.chunks(rid), asked)]
            best = fused[0][1] if fused else 0.0
            fused = [(cid, best + TIME_BONUS, {}) for cid in fronts] + [item for item in fused if item[0] not in fronts]
        top = fused[:k]
        chunks = self.store.chunks_by_id([cid for cid, _, _ in top])
        for chunk in chunks.values():  # a late report's plan speaks about the next year too (see late_time)
            if chunk.report_id in self._late:
                chunk.time = late_time(chunk.time, reports[chunk.report_id].year)
        hits = [SearchHit(chunks[cid], reports[chunks[cid].report_id], score, ranks)
                for cid, score, ranks in top if cid in chunks]
        timings["fuse_ms"] = (time.perf_counter() - t) * 1000
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return SearchResult(plan, hits, timings)

    def _rankings(self, plan: QueryPlan, mode: str, n: int, allowed: list[str] | None, vector: Any,
                  timings: dict[str, float]) -> dict[str, list[tuple[str, float]]]:
        """BM25 and/or dense candidates within ``allowed`` reports (None = all)."""
        rankings: dict[str, list[tuple[str, float]]] = {}
        if mode in ("bm25", "hybrid"):
            t = time.perf_counter()
            rankings["bm25"] = self.index.lexical(plan.lexical_text, n, allowed)
            timings["bm25_ms"] = timings.get("bm25_ms", 0.0) + (time.perf_counter() - t) * 1000
        if mode in ("dense", "hybrid"):
            t = time.perf_counter()
            rankings["dense"] = self.index.dense(vector, n, allowed)
            timings["dense_ms"] = timings.get("dense_ms", 0.0) + (time.perf_counter() - t) * 1000
        return rankings

    def _naming_place(self, fused: list[tuple[str, float, dict[str, int]]], plan: QueryPlan,
                      scope: set[str]) -> set[str]:
        """Candidates outside the named place's reports that name the place themselves: a library's metadata
        places each work report, but a notice or news item about 上海 may be filed under no place or another
        one, and a question naming 上海 is about it (ncp_policy_qa: R@1 0.72 with the place's reports only)."""
        others = [cid for cid, _, _ in fused if cid.split(":", 1)[0] not in scope]
        names = {normalize_for_search(form) for match in plan.places
                 for form in (match.name, short_place_name(match.name))}
        if not others or not names:
            return set()
        return {cid for cid, chunk in self.store.chunks_by_id(others).items()
                if any(name in chunk.search_text or name in normalize_for_search(chunk.context) for name in names)}

    def _year_reports(self, plan: QueryPlan, reports: dict[str, Report], allowed: list[str] | None) -> set[str]:
        """Reports whose year can answer the question's year (its own for targets, the next for results)."""
        needed = reports_for_time(plan.time)
        if not needed:
            return set()
        scope = set(allowed) if allowed is not None else set(reports)
        if plan.place_report_ids:  # a place named: its reports of that year, or none (the prior stays off)
            scope &= set(plan.place_report_ids)
        late = self._late if plan.time.single_year is not None else frozenset()
        found = {rid for rid in scope if speaks_for(reports[rid], plan.time, late) & needed}
        national = {rid for rid in found if reports[rid].level == "national"}
        return national if plan.bare_title and national else found  # "2023年政府工作报告": the State Council's

    def _speaks_about(self, chunk_id: str, plan: QueryPlan) -> bool:
        """The chunk's own time is the asked year, in a kind that answers the question's intent, or one of its
        sentences states the asked year's figures (2012年，…国内生产总值增长7.8% inside the 2013 five-year review)."""
        time = plan.time
        when = self._times.get(chunk_id)
        if when is None:
            return False
        if time.per_year:  # a table: each year's own paragraph, in the kind asked
            return bool(set(when.years) & time.asked_years) and when.kind in INTENT_KINDS[time.aim]
        span = asked_span(time)
        if span is not None:
            return self._speaks_about_span(chunk_id, when, span, time.aim)
        year = time.single_year
        if year is None:
            return False
        if when.covers(year) and when.kind in INTENT_KINDS[time.intent]:
            return True
        if year not in when.named:
            return False
        report = (self._reports or {}).get(chunk_id.split(":", 1)[0])  # loaded by the search that asks
        return report is not None and report.year is not None and _named_kind(year, report.year) in INTENT_KINDS[time.intent]

    def _speaks_about_span(self, chunk_id: str, when: ChunkTime, span: tuple[int, int], aim: str) -> bool:
        """A span of years (七五, "the Seventh Five-Year Plan", 2013年到2017年这五年): a multi-year paragraph about
        the whole span, its plan when a target is asked (the 1986 report's 七五 part, not the 1988 report's 今后五年
        that only overlaps it), its review when a result is (过去五年 in the 2018 report). A target is also stated
        by a plan paragraph of a report of the period that names its last year (到一九八五年，全国粮食产量计划达到…
        in the 1982 report's plan for 1982–1983), not by one from before it (the 1978 ten-year plan's 1985) nor
        one that names the year for something else (１９９０年将在我国举行的…亚洲运动会)."""
        first, last = span
        report = (self._reports or {}).get(chunk_id.split(":", 1)[0])
        if when.kind != "multi-year" or not {first, last} <= set(when.years):
            return (aim == "target" and when.kind in ("plan", "multi-year") and last in when.named
                    and report is not None and report.year is not None and first - 1 <= report.year < last
                    and names_horizon(normalize_for_search(self._texts([chunk_id]).get(chunk_id, "")), last))
        if report is None or report.year is None or aim not in ("target", "result"):
            return True
        return when.looks_back(report.year) == (aim == "result")

    def _fuse(self, rankings: dict[str, list[tuple[str, float]]], plan: QueryPlan, mode: str,
              preferred: set[str] | None = None) -> list[tuple[str, float, dict[str, int]]]:
        """Combine the rankings; a single ranking keeps its own scores (the baselines of the evaluation)."""
        ranks: dict[str, dict[str, int]] = {}
        for name, ranking in rankings.items():
            for rank, (cid, _) in enumerate(ranking, start=1):
                ranks.setdefault(cid, {})[name] = rank
        if mode != "hybrid":
            return [(cid, score, ranks[cid]) for cid, score in rankings[mode]]
        if self.fusion == "rrf":
            scores = {cid: sum(1.0 / (self.rrf_k + r) for r in by_name.values()) for cid, by_name in ranks.items()}
            bonus = PLACE_BONUS / (self.rrf_k + 1)
        else:
            scores = weighted_fusion(rankings.get("bm25", []), rankings.get("dense", []), self.alpha)
            bonus = PLACE_BONUS
        named = plan.place_report_ids  # a question naming a place prefers that place's reports
        if plan.bare_title:  # … and "the government work report" the State Council's
            named = {rid for rid, report in (self._reports or {}).items() if report.level == "national"}
        if named:
            scores = {cid: s + bonus * (cid.split(":", 1)[0] in named) for cid, s in scores.items()}
        if preferred:  # … and a question about a year the reports that speak about it
            year_bonus = bonus * YEAR_BONUS / PLACE_BONUS
            scores = {cid: s + year_bonus * (cid.split(":", 1)[0] in preferred) for cid, s in scores.items()}
        if self.year_prior != "off" and (plan.time.single_year or plan.time.per_year or asked_span(plan.time)):
            time_bonus = bonus * TIME_BONUS / PLACE_BONUS  # … and the chunks that speak about that year
            scores = {cid: s + time_bonus * self._speaks_about(cid, plan) for cid, s in scores.items()}
        return sorted(((cid, scores[cid], ranks[cid]) for cid in scores), key=lambda item: -item[1])


def asked_span(time: QuestionTime) -> tuple[int, int] | None:
    """The first and last year of a span asked about as a whole: a plan period (六五 → 1981–1985) or an explicit
    span (2013年到2017年这五年年均…); None for one year or a table of years."""
    if time.single_year is not None or time.per_year:
        return None
    if time.horizon is not None:
        return time.horizon - FIVE_YEARS + 1, time.horizon
    years = time.asked_years
    return (min(years), max(years)) if time.spans and len(years) >= 2 else None


def _named_kind(year: int, report_year: int) -> str | None:
    """The kind of a figure a report states for a year it names: earlier years are reviewed, its own is planned."""
    return "review" if year < report_year else "plan" if year == report_year else None


def _merged(wide: list[tuple[str, float]], own: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Two candidate lists of the same ranking as one, best score first (a chunk keeps its one score)."""
    scores = dict(wide)
    scores.update(own)
    return sorted(scores.items(), key=lambda item: -item[1])


def min_max(ranking: list[tuple[str, float]]) -> dict[str, float]:
    """Scores scaled to [0, 1] within one result list (the top hit gets 1)."""
    if not ranking:
        return {}
    values = [score for _, score in ranking]
    low, high = min(values), max(values)
    span = high - low or 1.0
    return {cid: (score - low) / span for cid, score in ranking}


def weighted_fusion(bm25: list[tuple[str, float]], dense: list[tuple[str, float]],
                    alpha: float) -> dict[str, float]:
    """``alpha`` × normalized BM25 + (1 − alpha) × normalized cosine; a chunk missing from a list scores 0 there."""
    lexical, semantic = min_max(bm25), min_max(dense)
    return {cid: alpha * lexical.get(cid, 0.0) + (1 - alpha) * semantic.get(cid, 0.0)
            for cid in lexical.keys() | semantic.keys()}
