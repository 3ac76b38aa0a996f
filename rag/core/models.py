"""Plain records passed between ingestion, storage and retrieval."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag.core.timeframe import ChunkTime


@dataclass
class Report:
    """One ingested work report and what we know about it."""

    report_id: str
    title: str
    year: int | None = None
    level: str | None = None  # national | province | city | district
    province: str | None = None
    city: str | None = None
    district: str | None = None
    meeting_date: str | None = None  # ISO date, e.g. 2022-12-19
    meeting_name: str | None = None
    speaker: str | None = None
    speaker_role: str | None = None
    script: str = "simplified"  # simplified | traditional
    source_file: str = ""
    sha256: str = ""
    char_count: int = 0
    n_sections: int = 0
    n_chunks: int = 0
    partial: bool = False
    warnings: list[str] = field(default_factory=list)
    parser_version: int = 0  # rag/ingest/parser.PARSER_VERSION that parsed it (0: before versions were kept)

    @property
    def region(self) -> str:
        """Most specific place name, e.g. 锦州市凌河区, for tables and citations."""
        parts = [p for p in (self.city, self.district) if p]
        if not parts and self.province:
            parts = [self.province]
        if not parts and self.level == "national":
            parts = ["全国"]
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["region"] = self.region
        return data


@dataclass
class Section:
    """A heading and the body paragraphs it covers (¶ numbers are 1-based, inclusive)."""

    level: int
    heading: str
    path: list[str]
    first_paragraph: int | None = None
    last_paragraph: int | None = None
    char_start: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Chunk:
    """A citable unit of text: one paragraph, or one part of a long paragraph.

    ``text == cleaned_text[char_start:char_end]`` of its report, so a citation can always be located.
    """

    chunk_id: str
    report_id: str
    ordinal: int
    paragraph: int
    paragraph_end: int
    part: int
    section_path: list[str]
    char_start: int
    char_end: int
    text: str
    search_text: str
    context: str
    time: ChunkTime = field(default_factory=ChunkTime)  # the year(s) it speaks about (rag/core/timeframe.py)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ParsedReport:
    """Everything ingestion produces for one source document."""

    report: Report
    cleaned_text: str
    sections: list[Section]
    chunks: list[Chunk]


def unknown_report(report_id: str, where: str = "`reportqa reports`") -> str:
    """The one wording of "no such report" (``where`` tells how to list the ids)."""
    return f"no report with id {report_id!r} (see {where})"
