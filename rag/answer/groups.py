"""How the retrieved chunks are split before sentences are chosen: a comparison answers each place on its own,
a table question each asked year from its own report."""

from __future__ import annotations

from dataclasses import replace

from rag.answer.cues import CHANGE_CUES, EACH_YEAR, FROM_TO_ASK
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.plan import QueryPlan
from rag.retrieve.when import reports_for_time


def year_groups(plan: QueryPlan, hits: list[SearchHit]) -> list[list[SearchHit]] | None:
    """A table question (2003年至2006年…分别: each year's own figure) is answered report by report: the best
    sentence of each asked year's report, not the best sentences overall (which may all come from one)."""
    wanted = reports_for_time(plan.time) if plan.time.per_year else None
    if not wanted or len(wanted) < 2 or (from_to(plan) and not EACH_YEAR.search(plan.text)):
        return None
    groups = [[h for h in hits if h.report.year == year] for year in sorted(wanted)]
    groups = [g for g in groups if g]
    return groups if len(groups) >= 2 else None


def from_to(plan: QueryPlan) -> bool:
    """A change between two years ("how much did it rise between 2007 and 2012", 从多少…到多少): one sentence that
    states both ends answers it, not a row per year (unless each year is asked: 分别, "for each year")."""
    two = len(set(plan.time.years)) == 2 and plan.time.spans and not plan.time.periods
    return bool(FROM_TO_ASK.search(plan.text)) or (two and bool(CHANGE_CUES.search(plan.text)))


def year_plan(plan: QueryPlan, group: list[SearchHit]) -> QueryPlan:
    """The plan one report of a table question answers: the one asked year that report speaks for (the 2014
    report reviews 2013 and plans 2014; asked results for 2013–2015, its row is 2013's, so its 今年再减少农村贫困人口
    1000万人以上 — 2014's target — is no answer for it)."""
    if not group or group[0].report.year is None:
        return plan
    report_year = group[0].report.year
    order = (report_year, report_year - 1) if plan.time.aim == "target" else (report_year - 1, report_year)
    year = next((y for y in order if y in plan.time.asked_years), None)
    if year is None:
        return plan
    return replace(plan, time=replace(plan.time, years=(year,), spans=False, periods=(), averaged=False))


def place_groups(plan: QueryPlan, hits: list[SearchHit]) -> list[list[SearchHit]]:
    """Hits split by named place: for comparison questions each place is answered on its own; a question
    naming one place keeps the hits of that place's reports."""
    distinct = []
    for match in plan.places:
        ids = set(match.report_ids)
        if ids not in distinct:
            distinct.append(ids)
    if len(distinct) < 2:
        # A question about one place is answered from that place's reports when any were retrieved.
        if not distinct:
            return [hits]
        # Never another place's figure for the named place: no hit of its reports, no answer.
        return [[h for h in hits if h.chunk.report_id in distinct[0]]]
    groups = [[h for h in hits if h.chunk.report_id in ids] for ids in distinct]
    return [g for g in groups if g] or [hits]
