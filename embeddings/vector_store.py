"""Vector store behind dense retrieval: FAISS today, any engine tomorrow.

The :class:`VectorStore` protocol is all retrieval depends on, so a distributed engine (Milvus, Qdrant)
can replace FAISS for corpora beyond one machine. :class:`FaissVectorStore` keeps inner-product search
over normalized vectors (flat for small corpora, HNSW or IVF for large ones) and persists everything in one
file written atomically (temp file + rename): a crash mid-write leaves the previous index usable.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np
from numpy.typing import NDArray

FORMAT_VERSION = 1
INDEX_KINDS = ("flat", "hnsw", "ivf")


class VectorIndexError(Exception):
    """The vector index is missing, corrupt or from another version/model; ``reportqa reindex`` fixes it."""


class VectorModelMismatch(VectorIndexError):
    """The index holds vectors of another embedding model/backend: rebuild it, never mix the two spaces."""


class VectorStore(Protocol):
    model_id: str
    dim: int

    def ids(self) -> set[str]: ...
    def add(self, ids: list[str], vectors: NDArray[np.float32]) -> None: ...
    def remove(self, ids: Iterable[str]) -> int: ...
    def search(self, query: NDArray[np.float32], k: int,
               allowed: set[str] | None = None) -> list[tuple[str, float]]: ...
    def save(self) -> None: ...


class FaissVectorStore:
    """FAISS index with string ids (chunk ids) mapped to int64 labels."""

    def __init__(self, path: Path, model_id: str, dim: int, kind: str = "flat", hnsw_m: int = 32,
                 ivf_lists: int = 1024, ef_search: int = 64, nprobe: int = 16) -> None:
        if kind not in INDEX_KINDS:
            raise ValueError(f"index kind must be one of {INDEX_KINDS}, not {kind!r}")
        self.path = Path(path)
        self.model_id = model_id
        self.dim = dim
        self.kind = kind
        self.hnsw_m = hnsw_m
        self.ivf_lists = ivf_lists
        self.ef_search = ef_search
        self.nprobe = nprobe
        self.label_of: dict[str, int] = {}
        self.id_of: dict[int, str] = {}
        self.key_of: dict[str, str] = {}  # content hash per id: a changed text under the same id is re-embedded
        self.next_label = 0
        self.index = self._new_index()

    # -- construction ---------------------------------------------------------------------------
    def _new_index(self, train: NDArray[np.float32] | None = None) -> faiss.Index:
        if self.kind == "hnsw":
            base = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efSearch = self.ef_search
        elif self.kind == "ivf" and train is not None and len(train) >= 2 * self.ivf_lists:
            quantizer = faiss.IndexFlatIP(self.dim)
            base = faiss.IndexIVFFlat(quantizer, self.dim, self.ivf_lists, faiss.METRIC_INNER_PRODUCT)
            base.train(train)
            base.nprobe = self.nprobe
            base.make_direct_map()  # lets vectors be read back when the index is rebuilt
        else:  # flat; also IVF until there is enough data to train it
            base = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIDMap2(base)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> set[str]:
        return set(self.label_of)

    def add(self, ids: list[str], vectors: NDArray[np.float32], keys: list[str] | None = None) -> None:
        """Add (or overwrite) vectors for ``ids``; ``keys`` are content hashes remembered per id."""
        if not ids:
            return
        if keys is not None:
            self.key_of.update(zip(ids, keys, strict=True))
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {vectors.shape}")
        self.remove([i for i in ids if i in self.label_of])
        if self.kind == "ivf" and not isinstance(faiss.downcast_index(self.index.index), faiss.IndexIVFFlat):
            existing = self._all_vectors()
            if len(existing[0]) + len(ids) >= 2 * self.ivf_lists:
                return self._rebuild([*existing[0], *ids], np.vstack([existing[1], vectors]))
        labels = np.arange(self.next_label, self.next_label + len(ids), dtype=np.int64)
        self.next_label += len(ids)
        self.index.add_with_ids(vectors, labels)
        for cid, label in zip(ids, labels.tolist(), strict=True):
            self.label_of[cid] = label
            self.id_of[label] = cid
        return None

    def _all_vectors(self) -> tuple[list[str], NDArray[np.float32]]:
        labels = sorted(self.id_of)
        if not labels:
            return [], np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.vstack([self.index.reconstruct(int(label)) for label in labels]).astype(np.float32)
        return [self.id_of[label] for label in labels], vectors

    def _rebuild(self, ids: list[str], vectors: NDArray[np.float32]) -> None:
        self.index = self._new_index(train=vectors)
        self.label_of, self.id_of, self.next_label = {}, {}, 0
        if ids:
            self.add(ids, vectors)

    def remove(self, ids: Iterable[str]) -> int:
        """Remove vectors. HNSW cannot delete in place and IVF ids behind an id map would be renumbered,
        so both are rebuilt from the remaining vectors (removals are rare: a report replaced or deleted)."""
        labels = [self.label_of[i] for i in ids if i in self.label_of]
        if not labels:
            return 0
        if self.kind in ("hnsw", "ivf"):
            gone = {self.id_of[label] for label in labels}
            keep_ids, vectors = self._all_vectors()
            mask = [cid not in gone for cid in keep_ids]
            for cid in gone:
                self.key_of.pop(cid, None)
            self._rebuild([c for c, m in zip(keep_ids, mask, strict=True) if m], vectors[np.array(mask, bool)])
            return len(labels)
        self.index.remove_ids(np.array(labels, dtype=np.int64))
        for label in labels:
            cid = self.id_of.pop(label)
            self.label_of.pop(cid)
            self.key_of.pop(cid, None)
        return len(labels)

    def search(self, query: NDArray[np.float32], k: int,
               allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top ``k`` (chunk_id, cosine) for one normalized query vector, optionally within ``allowed`` ids."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            labels = np.array([self.label_of[c] for c in allowed if c in self.label_of], dtype=np.int64)
            if len(labels) == 0:
                return []
            selector = faiss.IDSelectorBatch(labels)
            base = faiss.downcast_index(self.index.index)
            if isinstance(base, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
            elif isinstance(base, faiss.IndexIVF):
                params = faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
            else:
                params = faiss.SearchParameters(sel=selector)
        scores, labels_out = self.index.search(query, min(k, len(self)), params=params)
        return [(self.id_of[int(label)], float(score))
                for score, label in zip(scores[0], labels_out[0], strict=True) if label >= 0]

    # -- persistence ----------------------------------------------------------------------------
    def save(self) -> None:
        """Write index + id map + manifest as one file, atomically."""
        blob = faiss.serialize_index(self.index)
        labels = np.array(sorted(self.id_of), dtype=np.int64)
        manifest = {
            "format": FORMAT_VERSION, "model_id": self.model_id, "dim": self.dim, "kind": self.kind,
            "count": len(self), "next_label": self.next_label,
            "ids": [self.id_of[int(label)] for label in labels],
            "keys": [self.key_of.get(self.id_of[int(label)], "") for label in labels],
            "sha256": hashlib.sha256(blob.tobytes()).hexdigest(),
        }
        buffer = io.BytesIO()
        np.savez(buffer, index=blob, labels=labels,
                 manifest=np.frombuffer(json.dumps(manifest).encode("utf-8"), dtype=np.uint8))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        except OSError as exc:
            raise VectorIndexError(f"cannot write vector index {self.path}: {exc.strerror or exc} (disk full, or "
                                   "the index directory is not writable); the previous index is kept") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise VectorIndexError(f"cannot write vector index {self.path}: {exc.strerror or exc} (disk full, or "
                                   "the index directory is not writable); the previous index is kept") from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, model_id: str, **options: int) -> FaissVectorStore:
        """Open a saved index; any damage or mismatch raises :class:`VectorIndexError` with the fix."""
        fix = "run `reportqa reindex` to rebuild it from the stored chunks"
        try:
            with np.load(path, allow_pickle=False) as data:
                manifest = json.loads(bytes(data["manifest"]).decode("utf-8"))
                blob = data["index"]
                labels = data["labels"]
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise VectorIndexError(f"vector index {path} is corrupt or truncated ({exc.__class__.__name__}); "
                                   f"{fix}") from exc
        if manifest.get("format") != FORMAT_VERSION:
            raise VectorIndexError(f"vector index {path} has format {manifest.get('format')}, this version "
                                   f"reads {FORMAT_VERSION}; {fix}")
        if manifest.get("model_id") != model_id:
            raise VectorModelMismatch(f"vector index {path} was built with model {manifest.get('model_id')!r}, "
                                   f"the configured model is {model_id!r}; {fix}")
        if hashlib.sha256(blob.tobytes()).hexdigest() != manifest.get("sha256"):
            raise VectorIndexError(f"vector index {path} failed its checksum; {fix}")
        store = cls(path, model_id, int(manifest["dim"]), manifest["kind"], **options)
        try:
            store.index = faiss.deserialize_index(blob)
        except RuntimeError as exc:
            raise VectorIndexError(f"vector index {path} cannot be read by FAISS ({exc}); {fix}") from exc
        ids = manifest["ids"]
        if len(ids) != len(labels) or store.index.ntotal != len(ids):
            raise VectorIndexError(f"vector index {path} is inconsistent (ids vs vectors); {fix}")
        store.id_of = {int(label): cid for label, cid in zip(labels.tolist(), ids, strict=True)}
        store.label_of = {cid: label for label, cid in store.id_of.items()}
        store.key_of = dict(zip(ids, manifest.get("keys") or [""] * len(ids), strict=True))
        store.next_label = int(manifest["next_label"])
        base = faiss.downcast_index(store.index.index)
        if isinstance(base, faiss.IndexHNSW):
            base.hnsw.efSearch = store.ef_search
        elif isinstance(base, faiss.IndexIVF):
            base.nprobe = store.nprobe
            base.make_direct_map()
        return store
