"""Targets against results: year N's target (report N) paired with year N's result from a later report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rag.core.numbers import convert
from rag.reports.indicators import IndicatorTable, load_table
from rag.reports.ledger_records import LedgerRow


@dataclass
class TargetCheck:
    """Year N's target (report N) against year N's result (a later report) of one place and indicator."""

    region: str
    indicator: str
    indicator_en: str
    year: int
    measure: str  # growth | value
    target: float
    actual: float
    unit: str  # % for growth rates
    qualifier: str  # of the target: 左右 / 以上 / 以内
    status: str  # met | missed
    margin: float  # actual - target
    target_row: LedgerRow
    actual_row: LedgerRow

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target_row"], data["actual_row"] = self.target_row.to_dict(), self.actual_row.to_dict()
        return data


ABOUT_TOLERANCE = (0.2, 0.02)  # 左右: percentage points for rates, share of the target for amounts


def target_checks(rows: list[LedgerRow], table: IndicatorTable | None = None) -> list[TargetCheck]:
    """Pair each target (kind ``target``, year N) with the same place's result for year N from a later report,
    comparing growth rates when both state one, else values (converted to the target's unit).

    ``met`` means at least the target (at most, for 以内 targets and indicators where lower is better:
    unemployment, CPI, energy use per unit of GDP). A 左右 ("about") target allows ABOUT_TOLERANCE: 0.2
    percentage points for rates (7.4% meets "7.5%左右", 3.3% misses "3%左右"), 2% of the target for amounts.
    The margin (actual - target) is always reported.
    """
    table = table or load_table()
    checks: list[TargetCheck] = []
    actuals: dict[tuple[str, str, int], list[LedgerRow]] = {}
    for row in rows:
        if row.kind == "actual" and row.ref_year is not None:
            actuals.setdefault((row.region, row.indicator, row.ref_year), []).append(row)
    seen: set[tuple[str, str, int]] = set()
    for target in rows:
        if target.kind != "target" or target.ref_year is None:
            continue
        key = (target.region, target.indicator, target.ref_year)
        later = [a for a in actuals.get(key, []) if a.report_id != target.report_id
                 and (a.report_year or 0) > (target.report_year or 0)]
        if key in seen or not later:
            continue
        later.sort(key=lambda a: a.report_year or 0)
        pair = _compare_pair(target, later, table)
        if pair is not None:
            seen.add(key)
            checks.append(pair)
    return sorted(checks, key=lambda c: (c.region, c.indicator, c.year))


def _compare_pair(target: LedgerRow, actuals: list[LedgerRow], table: IndicatorTable) -> TargetCheck | None:
    try:
        indicator = table.get(target.indicator)
    except KeyError:
        return None
    for actual in actuals:
        if target.growth is not None and actual.growth is not None:
            measure, goal, result, unit = "growth", target.growth, actual.growth, "%"
        elif target.value is not None and actual.value is not None:
            converted = convert(actual.value, actual.unit, target.unit)
            if converted is None:
                continue
            measure, goal, result, unit = "value", target.value, converted, target.unit
        else:
            continue
        lower = indicator.better == "lower" or target.qualifier == "以内"
        slack = 1e-9
        if target.qualifier == "左右":
            slack += ABOUT_TOLERANCE[0] if unit == "%" else ABOUT_TOLERANCE[1] * abs(goal)
        met = result <= goal + slack if lower else result >= goal - slack
        return TargetCheck(target.region, target.indicator, target.indicator_en, target.ref_year or 0, measure,
                           goal, result, unit, target.qualifier, "met" if met else "missed",
                           round(result - goal, 6), target, actual)
    return None
