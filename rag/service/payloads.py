"""The JSON every front end prints: built here once, so ``reportqa … --json`` and the REST API are the same
bytes for the same request."""

from __future__ import annotations

from typing import Any, Literal

from rag.core.models import Report, Section
from rag.retrieve.hybrid import SearchResult
from rag.service.viewer import section_tree

GroundingStatus = Literal["refused", "grounded", "not grounded"]


def search_payload(question: str, mode: str, result: SearchResult) -> dict[str, Any]:
    """``reportqa search --json`` / ``GET /api/search``."""
    return {"question": question, "mode": mode, "results": [h.to_dict() for h in result.hits],
            "timings": {k: round(v, 1) for k, v in result.timings_ms.items()}}


def report_payload(report: Report, sections: list[Section]) -> dict[str, Any]:
    """``reportqa show ID --json`` / ``GET /api/reports/{id}``."""
    return {**report.to_dict(), "sections": section_tree(sections)}


def grounding_status(answer: Any) -> GroundingStatus:
    """What the badge under an answer says (CLI and UI word it in their own way)."""
    if answer.refused:
        return "refused"
    return "grounded" if answer.grounded else "not grounded"
