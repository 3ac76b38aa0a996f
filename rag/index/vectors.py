"""Keep the vector index in step with the report store: embed what is new, drop what is gone.

The store is the source of truth; the vector index is derived data that can always be rebuilt from it
(``reportqa reindex``), cheaply thanks to the embedding cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.cache import EmbeddingCache, text_key
from embeddings.model import Embedder
from embeddings.vector_store import FaissVectorStore, VectorModelMismatch
from rag.core.config import Settings
from rag.core.models import Chunk
from rag.index.store import ReportStore

VECTOR_FILE = "vectors.npz"
log = logging.getLogger(__name__)


@dataclass
class SyncStats:
    added: int = 0
    removed: int = 0
    embedded: int = 0
    from_cache: int = 0


def passage_text(chunk: Chunk) -> str:
    """What gets embedded: the context header (report title > section path) and the chunk text."""
    return f"{chunk.context}\n{chunk.text}"


def vector_key(chunk: Chunk) -> str:
    """The content key a chunk's vector is stored under: a changed passage is embedded again."""
    return text_key(passage_text(chunk))


def vector_path(index_dir: Path) -> Path:
    return Path(index_dir) / VECTOR_FILE


def open_vector_store(settings: Settings, embedder: Embedder, index_dir: Path | None = None) -> FaissVectorStore:
    """Load the saved index, or start an empty one when none exists yet."""
    path = vector_path(index_dir or settings.index_dir)
    options = dict(hnsw_m=settings.hnsw_m, ivf_lists=settings.ivf_lists, ef_search=settings.hnsw_ef_search,
                   nprobe=settings.ivf_nprobe)
    if path.exists():
        try:
            store = FaissVectorStore.load(path, embedder.model_id, **options)
        except VectorModelMismatch as exc:  # the model or backend setting changed: re-embed (cache permitting)
            log.warning("%s; rebuilding it with %s", exc, embedder.model_id)
            return FaissVectorStore(path, embedder.model_id, embedder.dim, settings.index_kind, **options)
        if store.kind == settings.index_kind:
            return store
        ids, vectors = store._all_vectors()
        fresh = FaissVectorStore(path, embedder.model_id, store.dim, settings.index_kind, **options)
        fresh.add(ids, vectors, [store.key_of.get(i, "") for i in ids])
        return fresh
    return FaissVectorStore(path, embedder.model_id, embedder.dim, settings.index_kind, **options)


def embed_with_cache(
    embedder: Embedder, cache: EmbeddingCache, texts: list[str], show_progress: bool = False
) -> tuple[np.ndarray, int]:
    """Vectors for ``texts``; returns (vectors, number actually embedded)."""
    keys = [text_key(t) for t in texts]
    found = cache.get_many(embedder.model_id, keys, embedder.dim)
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
    if missing:
        vectors = embedder.encode_passages([t for _, t in missing], show_progress=show_progress)
        fresh = {k: v for (k, _), v in zip(missing, vectors, strict=True)}
        cache.put_many(embedder.model_id, fresh)
        found.update(fresh)
    out = np.vstack([found[k] for k in keys]) if keys else np.zeros((0, embedder.dim), np.float32)
    return out.astype(np.float32), len(missing)


def sync_vectors(
    store: ReportStore,
    vectors: FaissVectorStore,
    embedder: Embedder,
    cache: EmbeddingCache,
    show_progress: bool = False,
) -> SyncStats:
    """Make ``vectors`` hold exactly the stored chunks (by id and content), then save atomically."""
    want = {c.chunk_id: c for c in store.chunks()}
    keys = {cid: vector_key(c) for cid, c in want.items()}
    stale = [cid for cid in vectors.ids() if cid not in want or vectors.key_of.get(cid) != keys[cid]]
    stats = SyncStats(removed=vectors.remove(stale))
    todo = [cid for cid in want if cid not in vectors.label_of]
    if todo:
        matrix, embedded = embed_with_cache(embedder, cache, [passage_text(want[c]) for c in todo], show_progress)
        vectors.add(todo, matrix, [keys[c] for c in todo])
        stats.added, stats.embedded, stats.from_cache = len(todo), embedded, len(todo) - embedded
    if stats.added or stats.removed or not vector_path(store.index_dir).exists():
        vectors.save()
    return stats
