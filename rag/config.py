"""Settings read from the environment / ``.env`` so deployments change behaviour without code edits.

Every field is documented in ``.env.example``; the env var is ``REPORTQA_`` + the upper-cased name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached: the environment is read once)."""
    return Settings()
