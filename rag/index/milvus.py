"""Milvus as the search engine: one collection per index, BM25 full-text search and dense vectors side by side.

Why Milvus: a library of every county's reports over decades (millions of chunks) outgrows one machine's FTS5
and flat FAISS; Milvus shards both searches across nodes behind the same ``MilvusClient`` API that Milvus Lite
serves from a local directory (tests, laptops). The application above is unchanged: retrieval asks this class
for lexical and dense candidates within some reports and fuses them itself, as it does for the local backend.

- **Lexical**: a BM25 function on the ``terms`` field. It is fed the local index's own terms (jieba words +
  character bigrams of the normalized text, space-joined), and queries send the local query terms, so both
  backends weigh the same terms; the analyzer only splits them again (``whitespace`` on a server; Milvus Lite
  has no whitespace tokenizer, and its ``standard`` one — ``\\w+``, lower-cased — splits our terms exactly as
  FTS5's unicode61 does). ``REPORTQA_MILVUS_ANALYZER=jieba`` lets the engine cut the raw text instead.
- **Filters** are scalar expressions evaluated inside Milvus (``report_id in [...]``), never Python
  post-filtering: retrieval resolves years, places and report ids against the store of record first.
- **Writes** happen after the SQLite commit; a write that fails deletes what it wrote, and any row whose chunk
  the store lacks is an orphan that ``reportqa reindex --check`` reports and ``reportqa reindex`` removes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embeddings.cache import EmbeddingCache, text_key
from embeddings.model import Embedder
from embeddings.vector_store import VectorIndexError
from rag.core.config import Settings
from rag.core.models import Chunk, Report
from rag.core.textnorm import normalize_for_search
from rag.core.tokens import query_terms
from rag.index.lexical import MAX_QUERY_TERMS
from rag.index.search_index import Consistency, Ranking, compare_ids
from rag.index.store import ReportStore, chunk_terms_text
from rag.index.vectors import SyncStats, embed_with_cache, passage_text

log = logging.getLogger(__name__)
# Milvus Lite keeps no MVCC timestamps; pymilvus warns so at every query iterator, harmlessly.
logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(lambda record: "mvccTs" not in record.getMessage())

FORMAT = 2  # bump when the collection's fields or what they hold change: the collection is then rebuilt
LITE_FILE = "milvus.db"
WRITE_BATCH = 500
MAX_TERMS_BYTES = 65_535  # Milvus VARCHAR limit
BM25_PARAMS = {"bm25_k1": 1.2, "bm25_b": 0.75}  # FTS5's constants, so both backends weigh a term alike
HNSW_EF_CONSTRUCTION = 200
META_PROPERTY = "reportqa.meta"  # collection property: what the collection was built with


class MilvusIndexError(VectorIndexError):
    """Milvus cannot be reached or used; the message says what to check (``reportqa reindex`` rebuilds)."""


def milvus_uri(settings: Settings, index_dir: Path) -> str:
    """``REPORTQA_MILVUS_URI``, or a Milvus Lite directory inside the index directory."""
    return settings.milvus_uri or str(Path(index_dir) / LITE_FILE)


def is_lite(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "grpc://", "unix:"))


def analyzer_params(choice: str, uri: str) -> dict[str, Any]:
    """The analyzer of the ``terms`` field; ``auto`` = whitespace on a server, standard on Milvus Lite."""
    if choice == "auto":
        choice = "standard" if is_lite(uri) else "whitespace"
    return {"tokenizer": choice}


def quote(value: str) -> str:
    """A Milvus expression string literal (report ids come from file names: untrusted)."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def report_filter(report_ids: list[str] | None) -> str:
    """The scalar filter of a search within some reports ('' = all)."""
    if report_ids is None:
        return ""
    return f"report_id in [{', '.join(quote(r) for r in sorted(report_ids))}]"


def bounded_terms(text: str) -> str:
    """Cut a space-joined term list at a term boundary to fit a VARCHAR field."""
    data = text.encode("utf-8")
    if len(data) <= MAX_TERMS_BYTES:
        return text
    return data[:MAX_TERMS_BYTES].decode("utf-8", errors="ignore").rsplit(" ", 1)[0]


def lexical_query(normalized_query: str) -> str:
    """The BM25 query text: the local index's query terms, space-joined."""
    return " ".join(query_terms(normalized_query)[:MAX_QUERY_TERMS])


def add_lexical_field(schema: Any, index: Any, analyzer: dict[str, Any]) -> None:
    """The ``terms`` field, its BM25 function into ``sparse`` and that field's index (this module's collection
    and the bench's use the same). Build parameters go nested under "params": pymilvus 3 sends flat ones as
    top-level keys, which Milvus Lite drops silently (BM25 would get k1 1.5); a Milvus server reads either."""
    from pymilvus import DataType, Function, FunctionType

    schema.add_field("terms", DataType.VARCHAR, max_length=MAX_TERMS_BYTES, enable_analyzer=True,
                     analyzer_params=analyzer)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                 output_field_names=["sparse"]))
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                    params={"params": BM25_PARAMS})


def add_vector_field(schema: Any, index: Any, dim: int, kind: str, params: dict[str, Any]) -> None:
    """The ``vector`` field and its inner-product index (build parameters nested, as for BM25)."""
    from pymilvus import DataType

    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    index.add_index(field_name="vector", index_type=kind, metric_type="IP", params={"params": params})


@dataclass
class WantedRow:
    """A stored chunk as the collection should hold it."""

    chunk: Chunk
    report: Report | None
    lexical: str  # the ``terms`` field
    key: str  # content hash of everything the row holds


class MilvusIndex:
    """The chunks of one report store in one Milvus collection (see the module docstring)."""

    backend = "milvus"

    def __init__(self, settings: Settings, index_dir: Path, model_id: str, dim: int) -> None:
        self.settings = settings
        self.uri = milvus_uri(settings, index_dir)
        self.collection = settings.milvus_collection
        self.model_id = model_id
        self.dim = dim
        self.analyzer = analyzer_params(settings.milvus_analyzer, self.uri)
        self.raw_text = settings.milvus_analyzer == "jieba"  # the engine cuts the text itself
        self.client = self._connect()

    # -- connection and collection ----------------------------------------------------------------
    def _connect(self) -> Any:
        from pymilvus import MilvusClient

        try:
            if is_lite(self.uri):
                Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
            return MilvusClient(uri=self.uri, token=self.settings.milvus_token or "")
        except Exception as exc:
            raise MilvusIndexError(f"cannot connect to Milvus at {self.uri}: {exc} (Milvus Lite serves one process "
                                   "per directory: run `milvus-lite server` and set REPORTQA_MILVUS_URI to share it)"
                                   ) from exc

    def close(self) -> None:
        self.client.close()

    @property
    def has_dense(self) -> bool:
        return True

    def _describe(self) -> dict[str, Any]:
        """What the collection was built with (model, dimension, analyzer, format), kept in its properties."""
        try:
            info = self.client.describe_collection(self.collection)
            return json.loads((info.get("properties") or {}).get(META_PROPERTY) or "{}")
        except (json.JSONDecodeError, TypeError, AttributeError):
            return {}

    def _wanted(self) -> dict[str, Any]:
        return {"format": FORMAT, "model_id": self.model_id, "dim": self.dim, "analyzer": self.analyzer,
                "raw_text": self.raw_text}

    def exists(self) -> bool:
        return bool(self.client.has_collection(self.collection))

    def ensure_collection(self) -> None:
        """Create the collection, or rebuild it when it holds another model's vectors or another format."""
        if self.exists():
            found = self._describe()
            if found == self._wanted():
                self.client.load_collection(self.collection)
                return
            log.warning("Milvus collection %s was built with %s, not %s: rebuilding it", self.collection, found,
                        self._wanted())
            self.drop()
        self._create()

    def _create(self) -> None:
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False)
        schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("report_id", DataType.VARCHAR, max_length=256)
        schema.add_field("report_year", DataType.INT64)  # 0 = unknown
        schema.add_field("level", DataType.VARCHAR, max_length=16)
        schema.add_field("region", DataType.VARCHAR, max_length=256)  # province|city|district names
        schema.add_field("kind", DataType.VARCHAR, max_length=16)  # what the chunk speaks about: review, plan, …
        schema.add_field("years", DataType.VARCHAR, max_length=512)  # … and which years (comma-separated)
        schema.add_field("key", DataType.VARCHAR, max_length=64)  # content hash: a changed chunk is rewritten
        index = self.client.prepare_index_params()
        add_lexical_field(schema, index, self.analyzer)
        add_vector_field(schema, index, self.dim, *self._vector_index())
        index.add_index(field_name="report_id", index_type="INVERTED")
        self.client.create_collection(self.collection, schema=schema, index_params=index,
                                      properties={META_PROPERTY: json.dumps(self._wanted())})
        self.client.load_collection(self.collection)

    def _vector_index(self) -> tuple[str, dict[str, Any]]:
        """REPORTQA_INDEX_KIND as a Milvus index: flat → FLAT, hnsw → HNSW (M), ivf → IVF_FLAT (nlist)."""
        s = self.settings
        if s.index_kind == "hnsw":
            return "HNSW", {"M": s.hnsw_m, "efConstruction": HNSW_EF_CONSTRUCTION}
        if s.index_kind == "ivf":
            return "IVF_FLAT", {"nlist": s.ivf_lists}
        return "FLAT", {}

    def _search_params(self, k: int) -> dict[str, Any]:
        s = self.settings
        if s.index_kind == "hnsw":
            return {"metric_type": "IP", "params": {"ef": max(s.hnsw_ef_search, k)}}
        if s.index_kind == "ivf":
            return {"metric_type": "IP", "params": {"nprobe": s.ivf_nprobe}}
        return {"metric_type": "IP", "params": {}}

    def drop(self) -> None:
        if self.exists():
            self.client.drop_collection(self.collection)

    # -- search -----------------------------------------------------------------------------------
    def lexical(self, normalized_query: str, k: int, report_ids: list[str] | None = None) -> Ranking:
        """Top ``k`` (chunk_id, BM25 score) for the query's terms, within ``report_ids`` (None = all)."""
        text = normalized_query if self.raw_text else lexical_query(normalized_query)
        if not text.strip() or k <= 0 or report_ids == []:
            return []
        return self._search(text, "sparse", k, report_ids, {"metric_type": "BM25", "params": {}})

    def dense(self, vector: NDArray[np.float32], k: int, report_ids: list[str] | None = None) -> Ranking:
        """Top ``k`` (chunk_id, inner product) for one normalized query vector."""
        if k <= 0 or report_ids == []:
            return []
        data = np.asarray(vector, dtype=np.float32).reshape(-1).tolist()
        return self._search(data, "vector", k, report_ids, self._search_params(k))

    def _search(self, data: Any, field: str, k: int, report_ids: list[str] | None,
                params: dict[str, Any]) -> Ranking:
        try:
            found = self.client.search(self.collection, data=[data], anns_field=field, limit=k,
                                       filter=report_filter(report_ids), search_params=params,
                                       output_fields=["chunk_id"])
        except Exception as exc:
            raise MilvusIndexError(f"Milvus search failed at {self.uri} ({exc}); `reportqa reindex --check` "
                                   "tells whether the collection is intact") from exc
        # BM25 "distance" is the score (Milvus) or its negation (Milvus Lite): higher is better either way.
        sign = abs if field == "sparse" else float
        return [(str(hit["chunk_id"]), float(sign(hit["distance"]))) for hit in found[0]]

    # -- writes -----------------------------------------------------------------------------------
    def wanted_rows(self, store: ReportStore) -> dict[str, WantedRow]:
        """chunk_id → the row the collection should hold. Its terms are the store's own (the FTS5 table holds
        ``chunk_terms_text`` of every chunk): no chunk is tokenized again to sync or check."""
        reports = {r.report_id: r for r in store.reports()}
        terms = {} if self.raw_text else store.chunk_terms()
        rows: dict[str, WantedRow] = {}
        for chunk in store.chunks():
            report = reports.get(chunk.report_id)
            if self.raw_text:  # the engine cuts the text itself
                lexical = bounded_terms(normalize_for_search(chunk.context) + " " + chunk.search_text)
            else:
                lexical = bounded_terms(terms.get(chunk.chunk_id) or chunk_terms_text(chunk))
            # everything the row holds, so a changed text, tokenizer, time or report year is rewritten
            key = text_key("\x1f".join([passage_text(chunk), lexical, str(report.year if report else None),
                                        chunk.time.kind or "", chunk.time.encode()]))
            rows[chunk.chunk_id] = WantedRow(chunk, report, lexical, key)
        return rows

    def stored_keys(self) -> dict[str, str]:
        """chunk_id → content key of every row in the collection."""
        if not self.exists():
            return {}
        self.client.load_collection(self.collection)  # a new process finds it released
        keys: dict[str, str] = {}
        iterator = self.client.query_iterator(self.collection, batch_size=2000, filter="",
                                              output_fields=["chunk_id", "key"])
        try:
            while batch := iterator.next():
                keys.update((row["chunk_id"], row["key"]) for row in batch)
        finally:
            iterator.close()
        return keys

    def remove(self, chunk_ids: Iterable[str]) -> int:
        ids = list(chunk_ids)
        for start in range(0, len(ids), WRITE_BATCH):
            self.client.delete(self.collection, ids=ids[start:start + WRITE_BATCH])
        return len(ids)

    def sync(self, store: ReportStore, embedder: Embedder, cache: EmbeddingCache,
             show_progress: bool = False) -> SyncStats:
        """Make the collection hold exactly the stored chunks. Rows are written after the store committed; a
        write that fails part-way deletes the new rows it wrote, so no half-written report is searchable.

        Milvus Lite keeps BM25 statistics per segment (its README: "IDF statistics are segment-local"), so a
        report written alone into a fresh segment would be weighed against itself only: on Milvus Lite a
        change rewrites every row into one segment (seconds for thousands of chunks). A server keeps global
        statistics and gets only the changed rows."""
        self.ensure_collection()
        want = self.wanted_rows(store)
        have = self.stored_keys()
        unwanted = [cid for cid in have if cid not in want]
        todo = [cid for cid, row in want.items() if have.get(cid) != row.key]
        if todo and is_lite(self.uri):
            todo = list(want)
        stats = SyncStats()
        try:
            written: list[str] = []
            try:
                for start in range(0, len(todo), WRITE_BATCH):
                    batch = [want[cid] for cid in todo[start:start + WRITE_BATCH]]
                    vectors, embedded = embed_with_cache(embedder, cache, [passage_text(r.chunk) for r in batch],
                                                         show_progress)
                    rows = [self._row(r, v) for r, v in zip(batch, vectors, strict=True)]
                    written.extend(r.chunk.chunk_id for r in batch if r.chunk.chunk_id not in have)
                    self.client.upsert(self.collection, rows)
                    stats.embedded += embedded
            except BaseException:
                self._undo(written)
                raise
            stats.removed = self.remove(unwanted)
            if unwanted or todo:
                self.client.flush(self.collection)
        except MilvusIndexError:
            raise
        except Exception as exc:
            raise MilvusIndexError(f"cannot write to Milvus at {self.uri}: {exc}; the reports stay stored, and "
                                   "`reportqa reindex` writes them once Milvus is back") from exc
        stats.added = len(todo)
        stats.from_cache = stats.added - stats.embedded
        return stats

    def _undo(self, written: list[str]) -> None:
        try:
            self.remove(written)
        except Exception as exc:  # Milvus is gone: the rows stay as orphans for reindex --check to find
            log.warning("could not delete %d rows written before a failed Milvus write: %s", len(written), exc)

    @staticmethod
    def _row(row: WantedRow, vector: NDArray[np.float32]) -> dict[str, Any]:
        chunk, report = row.chunk, row.report
        places = [p for p in (report.province, report.city, report.district) if p] if report else []
        return {
            "chunk_id": chunk.chunk_id, "report_id": chunk.report_id,
            "report_year": (report.year or 0) if report else 0, "level": (report.level or "") if report else "",
            "region": "|".join(places)[:256], "kind": chunk.time.kind or "", "years": chunk.time.encode()[:512],
            "key": row.key, "terms": row.lexical, "vector": vector.astype(np.float32).tolist(),
        }

    def check(self, store: ReportStore) -> Consistency:
        """The store of record against the collection (``reportqa reindex --check``)."""
        want = {cid: row.key for cid, row in self.wanted_rows(store).items()}
        try:
            found = self._describe() if self.exists() else {}
            have = self.stored_keys()
        except Exception as exc:
            raise MilvusIndexError(f"cannot read the Milvus collection {self.collection} at {self.uri}: {exc}") from exc
        result = compare_ids(self.backend, want, have)
        if found and found != self._wanted():  # another model or format: every row is stale
            result.stale = sorted(have)
        return result
