"""Embedding cache keyed by (model, text hash): an unchanged chunk is never embedded twice.

Reindexing, re-ingesting a changed report (most paragraphs unchanged) and rebuilding a corrupt index all
become cheap because vectors come back from here.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """SQLite table of float32 vectors; safe to delete at any time (it only costs re-embedding)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vec BLOB, PRIMARY KEY (model, key))"
        )

    def get_many(self, model: str, keys: list[str], dim: int) -> dict[str, NDArray[np.float32]]:
        found: dict[str, NDArray[np.float32]] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.conn.execute(
                f"SELECT key, vec FROM vectors WHERE model=? AND key IN ({marks})", [model, *batch]
            )
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (dim,):
                    found[key] = vec
        return found

    def put_many(self, model: str, items: dict[str, NDArray[np.float32]]) -> None:
        """Remember vectors; a failed write (disk full, read-only cache) only costs re-embedding later."""
        try:
            with self.conn:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                    [(model, key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items.items()],
                )
        except sqlite3.OperationalError as exc:
            log.warning("embedding cache not updated (%s); vectors will be re-embedded next time", exc)

    def close(self) -> None:
        self.conn.close()
