"""The indicator ledger: one row per reported figure of a standard indicator, extracted at ingest (no model).

For every mention of an indicator of the synonym table (:mod:`rag.reports.indicators`) the figures that follow it in
the same clause are read: the value with its unit (亿元, 万元, 万美元, 元, 万人, %, …), the growth rate after
增长/增/下降, a qualifier (左右/以上/以内) and a rank phrase (增速全市第一); a range (6%－6.5%) keeps its upper end
(``value_high`` / ``growth_high``). Each row keeps the exact quoted span of its chunk, so a figure is never shown
without its source.

Kinds: ``actual`` (the review of the past year), ``target`` (the year ahead's 预期目标), ``multi-year`` (五年,
年均, "十四五", 2017年到2021年). The kind and the year a figure refers to come from the sentence (explicit year,
target/period cues), the paragraph (这五年…) and the section headings (2022年工作回顾 / 2023年主要工作安排).

Matching runs on a character-aligned Simplified form of the chunk (NFKC + OpenCC per position), so
Traditional reports match the same synonyms and every offset points into the original text.

The module is split by concern; every name stays importable from here:
:mod:`~rag.reports.ledger_records` (``LedgerRow``), :mod:`~rag.reports.ledger_context` (report part, kind and
year of a figure), :mod:`~rag.reports.ledger_extract` (reading the figures), :mod:`~rag.reports.ledger_pairs`
(target against result); this module stores and queries rows. Numbers and units come from
:mod:`rag.core.numbers`, years and plan periods from :mod:`rag.core.years`.
"""

from __future__ import annotations

import logging
import sqlite3

from rag.core.models import Chunk, Report
from rag.core.numbers import UNIT_FAMILIES, convert
from rag.reports.indicators import IndicatorTable, check_kind, load_table, resolve_indicator
from rag.reports.ledger_context import aligned_search_text, heading_part, part_hints
from rag.reports.ledger_extract import extract_chunk, extract_ledger
from rag.reports.ledger_pairs import TargetCheck, target_checks
from rag.reports.ledger_records import LedgerRow, fmt_number

__all__ = [
    "LEDGER_SCHEMA", "LEDGER_VERSION", "UNIT_FAMILIES", "LedgerRow", "TargetCheck", "aligned_search_text", "convert",
    "extract_chunk", "extract_ledger", "fmt_number", "heading_part", "indicators", "ledger_version", "part_hints",
    "query_ledger", "safe_extract_ledger", "target_checks", "write_ledger",
]

log = logging.getLogger(__name__)

# Bump when extraction rules change: stored ledgers are re-extracted on the next store open.
LEDGER_VERSION = 9


def ledger_version(table: IndicatorTable | None = None) -> str:
    """Changes when the extraction rules or the synonym table change (the store re-extracts then)."""
    return f"{LEDGER_VERSION}:{(table or load_table()).checksum}"


# -- storage (table ``ledger`` of reports.db, written in the report's transaction) ---------------------
LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    region TEXT NOT NULL,
    report_year INTEGER,
    indicator TEXT NOT NULL,
    indicator_en TEXT NOT NULL,
    value REAL,
    unit TEXT NOT NULL,
    growth REAL,
    kind TEXT NOT NULL,
    ref_year INTEGER,
    qualifier TEXT NOT NULL,
    rank TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    quote TEXT NOT NULL,
    quote_start INTEGER NOT NULL,
    paragraph INTEGER,
    qualifier_of TEXT NOT NULL,
    value_high REAL,
    growth_high REAL,
    PRIMARY KEY (report_id, seq)
);
CREATE INDEX IF NOT EXISTS ledger_by_indicator ON ledger(indicator, kind, ref_year);
"""
_COLUMNS = ("report_id", "seq", "region", "report_year", "indicator", "indicator_en", "value", "unit", "growth",
            "kind", "ref_year", "qualifier", "rank", "chunk_id", "quote", "quote_start", "paragraph", "qualifier_of",
            "value_high", "growth_high")
# Columns added after the first ledger: stores written before them gain them on the next re-extraction.
_ADDED_COLUMNS = {"value_high": "REAL", "growth_high": "REAL"}


def _missing_columns(conn: sqlite3.Connection) -> list[str]:
    present = {row[1] for row in conn.execute("PRAGMA table_info(ledger)")}
    return [c for c in _ADDED_COLUMNS if c not in present]


def safe_extract_ledger(report: Report, chunks: list[Chunk]) -> list[LedgerRow]:
    """``extract_ledger`` that never raises on odd text: a failure is logged and yields no rows."""
    try:
        return extract_ledger(report, chunks)
    except Exception as exc:  # a bug in a rule must not block ingestion
        log.warning("ledger extraction failed for %s: %s: %s", report.report_id, exc.__class__.__name__, exc)
        return []


def write_ledger(conn: sqlite3.Connection, report: Report, chunks: list[Chunk],
                 rows: list[LedgerRow] | None = None) -> int:
    """Replace the ledger rows of one report (call inside the report's transaction). ``rows`` extracted
    beforehand (outside the writer's lock) are written as they are; otherwise they are extracted here."""
    for column in _missing_columns(conn):  # an older store (LEDGER_VERSION bumps re-extract it)
        conn.execute(f"ALTER TABLE ledger ADD COLUMN {column} {_ADDED_COLUMNS[column]}")
    conn.execute("DELETE FROM ledger WHERE report_id=?", (report.report_id,))
    if rows is None:
        rows = safe_extract_ledger(report, chunks)
    marks = ",".join("?" * len(_COLUMNS))
    conn.executemany(
        f"INSERT INTO ledger ({','.join(_COLUMNS)}) VALUES ({marks})",
        [(r.report_id, seq, r.region, r.report_year, r.indicator, r.indicator_en, r.value, r.unit, r.growth,
          r.kind, r.ref_year, r.qualifier, r.rank, r.chunk_id, r.quote, r.quote_start, r.paragraph, r.qualifier_of,
          r.value_high, r.growth_high)
         for seq, r in enumerate(rows)],
    )
    return len(rows)


def query_ledger(conn: sqlite3.Connection, report_id: str | None = None, indicators: list[str] | None = None,
                 kind: str | None = None, year: int | None = None) -> list[LedgerRow]:
    where, args = [], []
    if report_id is not None:
        where.append("report_id=?")
        args.append(report_id)
    if indicators:
        where.append(f"indicator IN ({','.join('?' * len(indicators))})")
        args.extend(indicators)
    if kind is not None:
        where.append("kind=?")
        args.append(kind)
    if year is not None:
        where.append("ref_year=?")
        args.append(year)
    missing = set(_missing_columns(conn))  # a read-only store that could not be re-extracted yet
    names = [c for c in _COLUMNS if c != "seq" and c not in missing]
    sql = f"SELECT {','.join(names)} FROM ledger"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY report_id, seq"
    return [LedgerRow(**dict(zip(names, row, strict=True))) for row in conn.execute(sql, args)]


def indicators(conn: sqlite3.Connection, report_id: str | None = None, indicator: str | None = None,
               kind: str | None = None, year: int | None = None) -> list[LedgerRow]:
    """Ledger rows filtered by report, indicator (any name the table accepts), kind and the year referred to."""
    check_kind(kind)
    names = resolve_indicator(indicator) if indicator else None
    return query_ledger(conn, report_id, names, kind, year)

