"""Choices of the report, year, place and indicator lists, read from the library as it is now.

Several tabs offer the same lists and all of them are refreshed together after an upload or a delete, so
they are computed in one place.
"""

from __future__ import annotations

import logging

from rag.service import Gateway
from ui import render

log = logging.getLogger(__name__)

ALL = "全部 All"  # the "no filter" entry of the year and place lists


def report_choices(gw: Gateway) -> list[tuple[str, str]]:
    """(label, report id) for every stored report."""
    return [(render.report_label(r), r.report_id) for r in gw.reports()]


def year_choices(gw: Gateway) -> list[str]:
    """ALL, then the report years, newest first."""
    return [ALL] + [str(y) for y in sorted({r.year for r in gw.reports() if r.year}, reverse=True)]


def region_choices(gw: Gateway) -> list[str]:
    """ALL, then every province, city and district a report names."""
    names: set[str] = set()
    for r in gw.reports():
        names.update(n for n in (r.province, r.city, r.district) if n)
    return [ALL, *sorted(names)]


def indicator_choices(gw: Gateway) -> list[tuple[str, str]]:
    """(bilingual label, indicator) for every indicator in the ledger; none while it cannot be read."""
    try:
        rows = [row.to_dict() for row in gw.indicators()]
    except Exception:  # a half-built ledger must not keep the app from starting
        log.exception("indicators unavailable")
        return []
    seen: dict[str, str] = {}
    for row in rows:
        name = row.get("indicator")
        if name and name not in seen:
            seen[name] = f"{name} {row.get('indicator_en') or ''}".strip()
    return [(label, name) for name, label in sorted(seen.items())]


def parse_year(value: str | None) -> int | None:
    """A year dropdown's value as a filter: None for ALL or anything that is not a year."""
    return int(value) if value and value != ALL and str(value).isdigit() else None


def parse_region(value: str | None) -> str | None:
    """A place dropdown's value as a filter: None for ALL or empty."""
    return value if value and value != ALL else None
