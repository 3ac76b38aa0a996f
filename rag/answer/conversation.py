"""Follow-up questions: rewrite 那2023年的目标呢？ into a question that stands on its own.

With an LLM the rewrite is delegated to it (and checked); without one, the place names and topic words of
the previous question carry over to a follow-up that lacks them.
"""

from __future__ import annotations

import re
from typing import Any

from rag.core.models import Report
from rag.core.years import YEAR_RE
from rag.retrieve.places import place_pinyin, short_place_name
from rag.retrieve.plan import QueryPlan, analyze
from rag.retrieve.when import missing_year, question_time

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
    from rag.answer.topics import topic_terms

    last = previous[-1]
    plan, last_plan = analyze(question, reports), analyze(last, reports)
    names = {m.name for m in last_plan.places} | {m.name for m in plan.places}
    swapped = _place_swapped(question, last, plan, last_plan, names, reports)
    if swapped is not None:
        return swapped
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


def _place_swapped(question: str, last: str, plan: QueryPlan, last_plan: QueryPlan, names: set[str],
                   reports: list[Report]) -> str | None:
    """那解放区呢？ after 凌河区2023年地区生产总值增长目标是多少？ asks the same of another place: the previous question
    with the place replaced (解放区2023年地区生产总值增长目标是多少？), so its indicator *and* its intent (目标, 增长)
    carry over. Its years stay when the new place has a report for them, else they go: the follow-up did not
    ask for a year, and the answer states which year its figure is."""
    from rag.answer.topics import topic_terms

    if not plan.places or not last_plan.places or topic_terms(plan, names) or plan.time.years:
        return None
    old_names = sorted({m.name for m in last_plan.places}, key=len, reverse=True)
    if last_plan.lang == "en":  # "And Jiefang District?": the place as the follow-up writes it
        new = re.sub(r"^(?:and|what about|how about)\b|[?？.!]+$|^\W+", "", question.strip(), flags=re.I).strip()
        forms = [rf"\b{re.escape(place_pinyin(old))}(?:\s+(?:district|city|county|province))?\b" for old in old_names]
        if not new or len(new.split()) > 4:
            return None
    else:
        new = "、".join(m.name for m in plan.places)
        forms = [re.escape(form) for old in old_names for form in dict.fromkeys([old, short_place_name(old)])
                 if len(form) >= 2]
    text = last
    for form in forms:
        replaced = re.sub(form, lambda _m: new, text, count=1, flags=re.I)
        if replaced != text:
            text = replaced
            break
    else:
        return None
    scope = [r for r in reports if r.report_id in {rid for m in plan.places for rid in m.report_ids}]
    if missing_year(question_time(text), scope) is not None:
        years = r"\s*\b(?:in |for )?(?:19|20)\d{2}\b" if last_plan.lang == "en" else r"\s*" + YEAR_RE.pattern + "(?:的)?"
        text = re.sub(years, "", text).strip()
    return text
