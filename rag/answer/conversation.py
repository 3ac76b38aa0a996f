"""Follow-up questions: rewrite 那2023年的目标呢？ into a question that stands on its own.

With an LLM the rewrite is delegated to it (and checked); without one, the place names and topic words of
the previous question carry over to a follow-up that lacks them.
"""

from __future__ import annotations

import re
from typing import Any

from rag.core.models import Report
from rag.retrieve.plan import analyze

FOLLOW_UP_CUES = re.compile(r"^(那|那么|那么说|还有|另外|此外|同时|其中|它|其|这|该|and\b|what about|how about|and what)"
                            r"|[呢吗]？?$|\b(it|its|that|there|they|them)\b", re.I)


def previous_user_questions(history: list[dict[str, Any]] | None) -> list[str]:
    """User turns of a chat history given as [{"role", "content"}] or [[question, answer], …]."""
    questions: list[str] = []
    for turn in history or []:
        if isinstance(turn, dict):
            if turn.get("role") == "user" and isinstance(turn.get("content"), str):
                questions.append(turn["content"])
        elif isinstance(turn, list | tuple) and turn and isinstance(turn[0], str):
            questions.append(turn[0])
    return questions


def looks_like_follow_up(question: str) -> bool:
    return bool(FOLLOW_UP_CUES.search(question.strip())) or len(question.strip()) <= 12


def rewrite_follow_up(question: str, history: list[dict[str, Any]] | None, reports: list[Report]) -> str:
    """Standalone form of ``question`` by carrying over places and topic of the previous question."""
    previous = previous_user_questions(history)
    if not previous or not looks_like_follow_up(question):
        return question
    from rag.answer.extractive import topic_terms

    last = previous[-1]
    plan, last_plan = analyze(question, reports), analyze(last, reports)
    names = {m.name for m in last_plan.places} | {m.name for m in plan.places}
    additions: list[str] = []
    if not plan.places and last_plan.places:
        additions.extend(m.name for m in last_plan.places)
    current_topics = topic_terms(plan, names)
    if len(current_topics) <= 1:
        additions.extend(t for t in topic_terms(last_plan, names) if t not in current_topics)
    if not additions:
        return question
    core = re.sub(r"^(那么|那|还有|另外|and|what about|how about)\s*", "", question.strip(), flags=re.I)
    if plan.lang == "en":
        return f"{core} ({' '.join(additions)})"
    return "".join(additions[:1]) + core + ("（" + "、".join(additions[1:]) + "）" if additions[1:] else "")
