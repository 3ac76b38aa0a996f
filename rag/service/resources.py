"""The application's service layer: one object that CLI, UI and REST API all call.

Holds the open store, the (lazily loaded) embedding model and vector index, and the retriever, so the
front ends contain no retrieval or ingestion logic of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from embeddings.cache import EmbeddingCache
from embeddings.model import Embedder
from embeddings.vector_store import FaissVectorStore
from rag.core.config import Settings, get_settings
from rag.index.search_index import Consistency, LocalIndex, local_consistency
from rag.index.store import ReportStore
from rag.index.vectors import (
    SyncStats,
    embed_with_cache,
    open_vector_store,
    passage_text,
    sync_vectors,
    vector_path,
)
from rag.ingest.pipeline import IngestOutcome, PreparedDocument, commit_upload, ingest_paths, prepare_upload
from rag.retrieve.hybrid import Retriever, SearchFilters, SearchResult
from rag.retrieve.plan import QueryPlan

if TYPE_CHECKING:
    from rag.index.milvus import MilvusIndex
    from rag.reports.compare import Comparison
    from rag.reports.ledger import LedgerRow, TargetCheck
    from rag.reports.summary import ReportSummary

log = logging.getLogger(__name__)
WARM_UP_QUERY = "政府工作报告"
WARM_UP_QUESTIONS = ("去年地区生产总值增长多少？", "How much did GDP grow last year?")


class Services:
    """Everything a front end needs, bound to one index directory."""

    def __init__(self, settings: Settings | None = None, index_dir: Path | None = None,
                 show_progress: bool = False) -> None:
        self.settings = settings or get_settings()
        self.index_dir = Path(index_dir or self.settings.index_dir)
        self.show_progress = show_progress
        self.store = ReportStore(self.index_dir)

    def close(self) -> None:
        self.store.close()
        if "milvus" in self.__dict__:
            self.milvus.close()
        if "cache" in self.__dict__:
            self.cache.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- models and indexes (loaded on first use) ------------------------------------------------
    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(self.settings.embedding_model, self.settings.cache_dir,
                        batch_size=self.settings.embedding_batch_size,
                        threads=self.settings.embedding_threads or None,
                        backend=self.settings.embedding_backend)

    @cached_property
    def cache(self) -> EmbeddingCache:
        return EmbeddingCache(Path(self.settings.cache_dir).expanduser() / "embeddings.db")

    @cached_property
    def vectors(self) -> FaissVectorStore:
        """The vector index, brought in step with the store (embedding anything missing)."""
        vectors = open_vector_store(self.settings, self.embedder, self.index_dir)
        sync_vectors(self.store, vectors, self.embedder, self.cache, self.show_progress)
        return vectors

    @property
    def uses_milvus(self) -> bool:
        return self.settings.search_backend == "milvus"

    def _open_milvus(self) -> MilvusIndex:
        from rag.index.milvus import MilvusIndex

        return MilvusIndex(self.settings, self.index_dir, self.embedder.model_id, self.embedder.dim)

    @contextmanager
    def _milvus_as_is(self) -> Iterator[MilvusIndex]:
        """The Milvus index without syncing it: the loaded one, or a connection closed afterwards (a check or a
        removal must not embed a library ingested with --no-index)."""
        if "milvus" in self.__dict__:
            yield self.milvus
            return
        index = self._open_milvus()
        try:
            yield index
        finally:
            index.close()

    @cached_property
    def milvus(self) -> MilvusIndex:
        """The Milvus collection (REPORTQA_SEARCH_BACKEND=milvus), brought in step with the store."""
        index = self._open_milvus()
        index.sync(self.store, self.embedder, self.cache, self.show_progress)
        return index

    @cached_property
    def retriever(self) -> Retriever:
        s = self.settings
        return Retriever(self.store, None, self.embedder, s.search_candidates, s.rrf_k, s.fusion, s.hybrid_alpha,
                         s.year_prior, s.coordination)

    def _ready(self, mode: str) -> Retriever:
        """The retriever with the backend ``mode`` needs loaded: Milvus answers both searches; locally, FTS5
        needs nothing loaded and the FAISS index is loaded on the first dense search."""
        retriever = self.retriever
        if self.uses_milvus:
            if retriever.index is not self.__dict__.get("milvus"):
                retriever.index = self.milvus
        elif mode != "bm25" and not retriever.index.has_dense:
            retriever.index = LocalIndex(self.store, self.vectors)
        return retriever

    def warm_up(self) -> None:
        """Load now what the first question would otherwise wait for — the embedding model and the vector index,
        the English dictionary and the library's term counts, the answer side's weigher and place tagger — by
        answering one Chinese and one English question, so timings and first answers do not pay for it."""
        if self.store.chunk_ids():
            from rag.answer.pipeline import ask

            self.search(WARM_UP_QUERY, k=1)
            for question in WARM_UP_QUESTIONS:
                ask(self, question, engine="extractive")

    # -- operations -----------------------------------------------------------------------------
    def ingest(self, paths: list[Path], index: bool = True,
               on_file: Callable[[Path], None] | None = None) -> list[IngestOutcome]:
        outcomes = ingest_paths(self.store, paths, self.settings, on_file=on_file)
        if index and any(o.status in ("added", "replaced") for o in outcomes):
            self.sync()
        return outcomes

    def ingest_upload(self, name: str, data: bytes, index: bool = True, replace: bool = False) -> list[IngestOutcome]:
        """Ingest an uploaded file; a report of the same name is replaced only when ``replace`` is set."""
        return self.commit_upload(self.prepare_upload(name, data, index), index, replace)

    def prepare_upload(self, name: str, data: bytes, index: bool = True) -> list[PreparedDocument | IngestOutcome]:
        """The slow, write-free half of an upload: decode, parse, tokenize, extract the ledger and (when the
        vector index is in use) embed the new passages into the embedding cache. Readers keep going meanwhile."""
        items = prepare_upload(self.store, name, data, self.settings)
        chunks = [c for item in items if isinstance(item, PreparedDocument) and item.staged is not None
                  for c in item.staged.parsed.chunks]
        if index and chunks and (self.uses_milvus or "vectors" in self.__dict__ or vector_path(self.index_dir).exists()):
            embed_with_cache(self.embedder, self.cache, [passage_text(c) for c in chunks])
        return items

    def commit_upload(self, items: list[PreparedDocument | IngestOutcome], index: bool = True,
                      replace: bool = False) -> list[IngestOutcome]:
        """The short half: store the prepared reports and add their (cached) vectors to the index."""
        outcomes = commit_upload(self.store, items, self.settings, replace)
        if index and any(o.status in ("added", "replaced") for o in outcomes):
            self.sync()
        return outcomes

    def delete_report(self, report_id: str) -> bool:
        removed = self.store.delete(report_id)
        if self.uses_milvus:
            with self._milvus_as_is() as milvus:
                indexed = milvus.exists()
        else:
            indexed = vector_path(self.index_dir).exists()
        if removed and indexed:
            self.sync()
        return removed

    def sync(self) -> SyncStats:
        """Update the search backend's index after the store changed (after its commit: the store leads)."""
        if self.uses_milvus:
            if "milvus" not in self.__dict__:
                self.__dict__["milvus"] = self._open_milvus()
            return self.milvus.sync(self.store, self.embedder, self.cache, self.show_progress)
        if "vectors" not in self.__dict__:
            self.__dict__["vectors"] = open_vector_store(self.settings, self.embedder, self.index_dir)
        return sync_vectors(self.store, self.vectors, self.embedder, self.cache, self.show_progress)

    def reindex(self) -> SyncStats:
        """Rebuild lexical and vector indexes from the stored chunks (vectors come from the cache)."""
        self.store.rebuild_lexical()
        self.retriever.index = LocalIndex(self.store)
        if self.uses_milvus:
            milvus = self.__dict__.pop("milvus", None) or self._open_milvus()
            milvus.drop()
            stats = milvus.sync(self.store, self.embedder, self.cache, self.show_progress)
            self.__dict__["milvus"] = milvus
            return stats
        vector_path(self.index_dir).unlink(missing_ok=True)
        self.__dict__.pop("vectors", None)
        vectors = open_vector_store(self.settings, self.embedder, self.index_dir)
        stats = sync_vectors(self.store, vectors, self.embedder, self.cache, self.show_progress)
        self.__dict__["vectors"] = vectors
        return stats

    def check(self) -> Consistency:
        """The store of record against the search backend's index, changing nothing (``reindex --check``)."""
        if self.uses_milvus:
            with self._milvus_as_is() as milvus:
                return milvus.check(self.store)
        vectors = self.__dict__.get("vectors")
        if vectors is None and vector_path(self.index_dir).exists():
            vectors = open_vector_store(self.settings, self.embedder, self.index_dir)
        return local_consistency(self.store, vectors)

    def search(self, question: str, k: int = 5, mode: str | None = None,
               filters: SearchFilters | None = None, plan: QueryPlan | None = None) -> SearchResult:
        """Rank chunks for ``question``; ``plan`` is its analysis when the caller already has it."""
        mode = mode or self.settings.search_mode
        retriever = self._ready(mode)
        if plan is None and self.translation_engine() is not None:
            plan = self.plan(question)
        return retriever.search(question, k=k, mode=mode, filters=filters, plan=plan)

    def translation_engine(self, answer_engine: str | None = None) -> str | None:
        """The LLM engine that translates English questions for search (``query_translation``), or None."""
        from rag.answer.query_translation import translation_engine

        return translation_engine(self.settings, answer_engine)

    def plan(self, question: str, answer_engine: str | None = None) -> QueryPlan:
        """The analysis of ``question`` against the library, with an LLM's Chinese wording of an English
        question when ``query_translation`` asks for one."""
        from rag.answer.query_translation import translate_question
        from rag.retrieve.corpus import library_counts
        from rag.retrieve.plan import analyze, detect_language

        engine = self.translation_engine(answer_engine)
        translation = None
        if engine is not None and detect_language(question) == "en":
            translation = translate_question(question, engine, self.settings)
        reports = list(self.retriever.reports().values())
        return analyze(question, reports, library_counts(self.store.conn), translation)

    # -- indicator ledger, summaries, comparison (rag/reports; no model) ------------------------------------
    def indicators(self, report_id: str | None = None, indicator: str | None = None, kind: str | None = None,
                   year: int | None = None) -> list[LedgerRow]:
        """Ledger rows; ``indicator`` takes a Chinese name, synonym or English alias (IndicatorError if unknown)."""
        from rag.reports.ledger import indicators

        return indicators(self.store.conn, report_id, indicator, kind, year)

    def target_vs_actual(self, indicator: str | None = None, region: str | None = None) -> list[TargetCheck]:
        """Year N's targets paired with year N's results from a later report of the same place: met / missed."""
        from rag.reports.ledger import target_checks

        rows = self.indicators(indicator=indicator)
        return [c for c in target_checks(rows) if region is None or region in c.region]

    def summarize(self, report_id: str, engine: str = "extractive", lang: str = "zh",
                  refresh: bool = False) -> ReportSummary:
        """Structured, cited summary of one report (cached per report checksum, engine and language)."""
        from rag.reports.summary import summarize

        return summarize(self, report_id, engine, lang, refresh)

    def compare(self, indicator: str, kind: str | None = None, year: int | None = None) -> Comparison:
        """One indicator across all reports: table, CSV and chart (rag/reports/compare.py)."""
        from rag.reports.compare import compare

        return compare(self, indicator, kind, year)
