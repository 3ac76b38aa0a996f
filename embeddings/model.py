"""The sentence-embedding model behind dense retrieval, loaded offline through sentence-transformers.

The model is a setting: the default is multilingual-e5-small rebuilt from PyPI packages (no hub needed);
any sentence-transformers model name or local path works for users who have one (e.g. BAAI/bge-m3).
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from embeddings.e5_build import DEFAULT_MODEL_ID, build_e5_small
from embeddings.onnx_backend import ONNX_VARIANTS, OnnxBuildError, check_backend

log = logging.getLogger(__name__)
_THREAD_LOCK = threading.Lock()


class EmbeddingModelError(Exception):
    """The embedding model could not be built or loaded; the message says what to do."""


def default_model_dir(cache_dir: Path) -> Path:
    """Where the bundled default model is built (once) inside the cache directory."""
    return Path(cache_dir).expanduser() / "models" / "multilingual-e5-small"


def resolve_model_path(model_name: str, cache_dir: Path) -> str:
    """Local folder for the bundled default (built once into the cache), else the name/path as given."""
    if model_name == DEFAULT_MODEL_ID:
        try:
            return str(build_e5_small(default_model_dir(cache_dir)))
        except (OSError, ValueError) as exc:
            raise EmbeddingModelError(f"cannot build the bundled embedding model: {exc}") from exc
    return model_name


class Embedder:
    """Encodes questions and passages into L2-normalized float32 vectors.

    Uses the model's own ``query``/``passage`` prompts when it defines them (E5, BGE-M3 style models);
    otherwise the configured prefixes.
    """

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL_ID,
        cache_dir: Path = Path("~/.cache/reportqa"),
        batch_size: int = 32,
        threads: int | None = None,
        query_prefix: str = "query: ",
        query_threads: int = 1,
        passage_prefix: str = "passage: ",
        backend: str = "torch",
    ) -> None:
        self.model_name = model_name
        self.cache_dir = Path(cache_dir).expanduser()
        self.batch_size = batch_size
        self.threads = threads
        self.query_prefix = query_prefix
        self.query_threads = query_threads
        self.passage_prefix = passage_prefix
        self.backend = check_backend(backend)

    @cached_property
    def model(self):  # type: ignore[no-untyped-def]
        """Loaded on first use so commands that never embed stay fast."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if self.backend in ONNX_VARIANTS:
            return self._onnx_model()
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()

        if self.threads:
            torch.set_num_threads(self.threads)
        path = resolve_model_path(self.model_name, self.cache_dir)
        try:
            return SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as exc:  # any loader failure becomes one clear message
            raise EmbeddingModelError(
                f"cannot load embedding model {self.model_name!r} ({exc.__class__.__name__}: {exc}). "
                "Offline, the model must be a local folder or the bundled default "
                f"{DEFAULT_MODEL_ID!r}."
            ) from exc

    def _onnx_model(self):  # type: ignore[no-untyped-def]
        """The ONNX Runtime variant, exported (and quantized) from the torch model once into the cache."""
        from embeddings.onnx_backend import OnnxEncoder, build_onnx, onnx_dir

        path = resolve_model_path(self.model_name, self.cache_dir)
        source = Path(path)
        if not source.is_dir():  # a hub name: its local snapshot (offline)
            try:
                from huggingface_hub import snapshot_download

                source = Path(snapshot_download(path, local_files_only=True))
            except Exception as exc:
                raise EmbeddingModelError(f"cannot find embedding model {self.model_name!r} locally for the "
                                          f"{self.backend} backend ({exc.__class__.__name__})") from exc
        try:
            folder = build_onnx(source, onnx_dir(self.cache_dir, self.model_name, self.backend), self.backend)
            return OnnxEncoder(folder, threads=self.threads)
        except OnnxBuildError as exc:
            raise EmbeddingModelError(f"{exc}; set REPORTQA_EMBEDDING_BACKEND=torch to use the plain model") from exc
        except Exception as exc:  # a damaged export: one clear message
            raise EmbeddingModelError(
                f"cannot load the {self.backend} embedding model ({exc.__class__.__name__}: {exc}); delete "
                f"{onnx_dir(self.cache_dir, self.model_name, self.backend)} to rebuild it"
            ) from exc

    @property
    def model_id(self) -> str:
        """Identifies the vectors' space: indexes built with another model are rebuilt, never mixed.

        Other backends produce slightly different vectors (int8 rounding), so they are a space of their own:
        their cache entries and indexes never mix with the fp32 ones."""
        return self.model_name if self.backend == "torch" else f"{self.model_name}#{self.backend}"

    @cached_property
    def dim(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        return int(get_dim())

    def _encode(self, texts: list[str], kind: str, show_progress: bool) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompts = getattr(self.model, "prompts", {}) or {}
        if kind in prompts:
            vectors = self.model.encode(texts, prompt_name=kind, batch_size=self.batch_size,
                                        normalize_embeddings=True, convert_to_numpy=True,
                                        show_progress_bar=show_progress)
        else:
            prefix = self.query_prefix if kind == "query" else self.passage_prefix
            vectors = self.model.encode([prefix + t for t in texts], batch_size=self.batch_size,
                                        normalize_embeddings=True, convert_to_numpy=True,
                                        show_progress_bar=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> NDArray[np.float32]:
        """Questions are short: one thread is faster than two (no barrier waits) and stays fast when other
        work shares the CPU (measured: 35 ms vs 70–950 ms per question on a busy 2-core machine)."""
        if self.backend != "torch":  # ONNX Runtime: thread count is fixed per session
            return self._encode(texts, "query", show_progress=False)
        import torch

        with _THREAD_LOCK:
            previous = torch.get_num_threads()
            torch.set_num_threads(self.query_threads)
            try:
                return self._encode(texts, "query", show_progress=False)
            finally:
                torch.set_num_threads(previous)

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> NDArray[np.float32]:
        return self._encode(texts, "passage", show_progress=show_progress)
