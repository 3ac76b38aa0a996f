"""The answer record and the reply language: shared by every answer path (text, ledger, report facts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.answer.citations import Citation
from rag.core.textnorm import to_traditional
from rag.retrieve.plan import QueryPlan

REFUSAL = {
    "zh": "报告中未找到相关信息。",
    "zh-hant": "報告中未找到相關資訊。",
    "en": "The reports do not contain this information.",
}


@dataclass
class Answer:
    """What ``ask`` returns (and what ``--json`` / the REST API print)."""

    question: str
    answer: str
    engine: str
    grounded: bool
    refused: bool
    citations: list[Citation]
    standalone_question: str
    grounding_note: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def fallen_back(self, engine: str, why: str, grounded: bool = False) -> Answer:
        """This extractive answer, shown instead of the ``engine``'s, with the reason."""
        self.engine, self.grounded, self.grounding_note = f"extractive (fallback from {engine})", grounded, why[:300]
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "engine": self.engine,
            "grounded": self.grounded,
            "refused": self.refused,
            "grounding_note": self.grounding_note,
            "citations": [c.to_dict() for c in self.citations],
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


def reply_language(plan: QueryPlan) -> str:
    """``en`` for English questions, ``zh-hant`` for Traditional ones, else ``zh``."""
    if plan.lang == "en":
        return "en"
    return "zh-hant" if plan.script == "traditional" else "zh"


def in_script(text: str, language: str) -> str:
    """Answers to Traditional questions are given in Traditional characters."""
    return to_traditional(text) if language == "zh-hant" else text
