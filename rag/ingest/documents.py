"""What a loader produces: a decoded source document, or an error that names the file and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field


class IngestError(Exception):
    """A file that cannot be ingested; ``str()`` is a one-line message naming the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass
class RawDocument:
    """Decoded text of one source document plus hints the format itself provides."""

    source_file: str
    text: str
    data: bytes  # the exact source bytes (checksum = identity of this version)
    fmt: str
    encoding: str | None = None
    title_hint: str | None = None
    year_hint: int | None = None
    hard_wrapped: bool = False  # PDF text layers wrap lines inside paragraphs
    warnings: list[str] = field(default_factory=list)
