"""SQLite home of reports, their cleaned text, sections and chunks: the source of truth for every index.

Each report is written in one transaction, so a crash mid-ingest leaves either the old or the new version,
never a mix; SQLite's journal makes that hold across kill -9.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rag.core.config import Settings
from rag.core.models import Chunk, ParsedReport, Report, Section
from rag.core.textnorm import normalize_for_search
from rag.core.timeframe import ChunkTime, plans_next_year, report_times
from rag.core.tokens import index_terms
from rag.reports.ledger import LEDGER_SCHEMA, LedgerRow, ledger_version, safe_extract_ledger, write_ledger

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
TIME_VERSION = "12"  # bump when rag/core/timeframe.py's rules change: stored chunk times are recomputed on open
DB_NAME = "reports.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY,
    source_file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    meta TEXT NOT NULL,
    sections TEXT NOT NULL,
    cleaned_text TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    paragraph_end INTEGER NOT NULL,
    part INTEGER NOT NULL,
    section_path TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    search_text TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_report ON chunks(report_id, ordinal);
CREATE INDEX IF NOT EXISTS reports_by_sha ON reports(sha256);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
    chunk_id UNINDEXED, report_id UNINDEXED, terms, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS summaries (
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    lang TEXT NOT NULL,
    version TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (report_id, engine, lang)
);
CREATE TABLE IF NOT EXISTS chunk_time (
    chunk_id TEXT PRIMARY KEY REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    report_id TEXT NOT NULL,
    kind TEXT,
    years TEXT NOT NULL,
    named TEXT NOT NULL DEFAULT ''
);
""" + LEDGER_SCHEMA


@dataclass
class StagedReport:
    """A parsed report with everything its store write derives (lexical terms, ledger rows) computed
    beforehand, so the write transaction itself, and the writer's lock around it, stays short."""

    parsed: ParsedReport
    terms: list[str]
    ledger: list[LedgerRow]


def stage_report(parsed: ParsedReport) -> StagedReport:
    """Tokenize, time and extract a report's ledger without touching the store (safe outside any lock)."""
    set_chunk_times(parsed.report.year, parsed.chunks)
    return StagedReport(parsed, [chunk_terms_text(c) for c in parsed.chunks],
                        safe_extract_ledger(parsed.report, parsed.chunks))


def set_chunk_times(report_year: int | None, chunks: list[Chunk]) -> None:
    """Give each chunk of one report the year(s) and kind it speaks about (the report's time model)."""
    for chunk, when in zip(chunks, report_times(report_year, [(c.section_path, c.text) for c in chunks]),
                           strict=True):
        chunk.time = when if chunk.paragraph > 0 else ChunkTime()  # ¶0, the title block, speaks about no year


class Library(Protocol):
    """What reads the library needs: the store and the settings (``rag.service.Services`` has both)."""

    settings: Settings
    store: ReportStore


class StoreError(Exception):
    """The store cannot be opened or used; the message says why and what to do."""


class ReportStore:
    """Reports and chunks in ``<index_dir>/reports.db``."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._late: dict[str, bool] = {}  # stored text hash → plans the next year
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.index_dir / DB_NAME, timeout=30, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(SCHEMA)
            self._check_version()
            self._refresh_ledger()
            self._refresh_times()
        except PermissionError as exc:
            raise StoreError(f"index directory {self.index_dir} is not writable: {exc.strerror}") from exc
        except sqlite3.OperationalError as exc:  # cannot open/lock/write: permissions, read-only, disk full
            raise StoreError(
                f"cannot open report store {self.index_dir / DB_NAME} ({exc}); check that the index directory "
                "is writable and the disk is not full"
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"report store {self.index_dir / DB_NAME} is unreadable ({exc}); "
                "move it away and re-ingest the reports"
            ) from exc
        except OSError as exc:
            raise StoreError(f"cannot open index directory {self.index_dir}: {exc.strerror or exc}") from exc

    def _check_version(self) -> None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            with self.conn:
                self.conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                f"report store {self.index_dir / DB_NAME} has schema v{row[0]}, this version needs "
                f"v{SCHEMA_VERSION}; move it away and re-ingest the reports"
            )

    def _refresh_ledger(self) -> None:
        """Fill the indicator ledger of stores written before it existed, and re-extract it when the rules or
        the synonym table (rag/data/indicators.tsv) changed; one transaction, like an ingest."""
        version = ledger_version()
        row = self.conn.execute("SELECT value FROM meta WHERE key='ledger_version'").fetchone()
        if row is not None and row[0] == version:
            return
        try:
            with self.transaction() as conn:
                for report in self.reports():
                    write_ledger(conn, report, self.chunks(report.report_id))
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('ledger_version', ?)", (version,))
        except sqlite3.OperationalError as exc:  # read-only copy of an index: answer from the old ledger
            log.warning("indicator ledger of %s not refreshed: %s", self.index_dir, exc)

    def _refresh_times(self) -> None:
        """Compute the chunk times of stores written before they existed, or under older rules."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='time_version'").fetchone()
        if row is not None and row[0] == TIME_VERSION:
            return
        try:
            with self.transaction() as conn:
                columns = {r[1] for r in conn.execute("PRAGMA table_info(chunk_time)")}
                if "named" not in columns:  # stores written before sentences' own years were kept
                    conn.execute("ALTER TABLE chunk_time ADD COLUMN named TEXT NOT NULL DEFAULT ''")
                conn.execute("DELETE FROM chunk_time")
                for report in self.reports():
                    chunks = self.chunks(report.report_id)
                    set_chunk_times(report.year, chunks)
                    _write_times(conn, chunks)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('time_version', ?)", (TIME_VERSION,))
        except sqlite3.OperationalError as exc:  # read-only copy of an index: retrieval goes without them
            log.warning("chunk times of %s not refreshed: %s", self.index_dir, exc)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; a failed write (disk full, directory made read-only) becomes a clear StoreError
        and is rolled back, so what was stored before stays intact."""
        try:
            with self.conn:
                yield self.conn
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write to {self.index_dir / DB_NAME}: {exc} (disk full, or the index "
                             "directory is not writable); the reports stored before are kept") from exc

    # -- writes -------------------------------------------------------------------------------------
    def sha_of(self, report_id: str) -> str | None:
        row = self.conn.execute("SELECT sha256 FROM reports WHERE report_id=?", (report_id,)).fetchone()
        return row[0] if row else None

    def find_by_sha(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT report_id FROM reports WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def upsert(self, parsed: ParsedReport | StagedReport) -> str:
        """Store a parsed report; returns ``added``, ``replaced`` or ``unchanged``."""
        staged = parsed if isinstance(parsed, StagedReport) else None
        parsed = staged.parsed if staged is not None else parsed
        report = parsed.report
        old_sha = self.sha_of(report.report_id)
        stored = self.report(report.report_id) if old_sha == report.sha256 else None
        if stored is not None and stored.parser_version == report.parser_version:
            return "unchanged"  # same bytes, same parser (an older parser's version is replaced)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE report_id=?", (report.report_id,))
            conn.execute("DELETE FROM reports WHERE report_id=?", (report.report_id,))
            conn.execute(
                "INSERT INTO reports VALUES (?,?,?,?,?,?,?)",
                (report.report_id, report.source_file, report.sha256,
                 json.dumps(report.to_dict(), ensure_ascii=False),
                 json.dumps([s.to_dict() for s in parsed.sections], ensure_ascii=False),
                 parsed.cleaned_text, now),
            )
            conn.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(c.chunk_id, c.report_id, c.ordinal, c.paragraph, c.paragraph_end, c.part,
                  json.dumps(c.section_path, ensure_ascii=False), c.char_start, c.char_end, c.text,
                  c.search_text, c.context) for c in parsed.chunks],
            )
            if staged is None:
                set_chunk_times(report.year, parsed.chunks)
            conn.execute("DELETE FROM chunk_time WHERE report_id=?", (report.report_id,))
            _write_times(conn, parsed.chunks)
            conn.execute("DELETE FROM chunk_terms WHERE report_id=?", (report.report_id,))
            terms = staged.terms if staged is not None else [chunk_terms_text(c) for c in parsed.chunks]
            conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)",
                             [(c.chunk_id, c.report_id, t) for c, t in zip(parsed.chunks, terms, strict=True)])
            conn.execute("DELETE FROM summaries WHERE report_id=?", (report.report_id,))
            write_ledger(conn, report, parsed.chunks, staged.ledger if staged is not None else None)
        return "added" if old_sha is None else "replaced"

    def rebuild_lexical(self) -> int:
        """Re-derive the lexical index from stored chunks (after a tokenizer change or corruption)."""
        chunks = self.chunks()
        with self.transaction() as conn:
            conn.execute("DELETE FROM chunk_terms")
            conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)",
                             [(c.chunk_id, c.report_id, chunk_terms_text(c)) for c in chunks])
        return len(chunks)

    def delete(self, report_id: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM reports WHERE report_id=?", (report_id,))
            conn.execute("DELETE FROM chunks WHERE report_id=?", (report_id,))
            conn.execute("DELETE FROM chunk_terms WHERE report_id=?", (report_id,))
            conn.execute("DELETE FROM chunk_time WHERE report_id=?", (report_id,))
            conn.execute("DELETE FROM ledger WHERE report_id=?", (report_id,))
            conn.execute("DELETE FROM summaries WHERE report_id=?", (report_id,))
        return cur.rowcount > 0

    # -- reads --------------------------------------------------------------------------------------
    def reports(self) -> list[Report]:
        rows = self.conn.execute("SELECT meta FROM reports ORDER BY report_id").fetchall()
        return [_report_from_json(r[0]) for r in rows]

    def late_reports(self) -> frozenset[str]:
        """The reports delivered late in their year, which plan the next year (:func:`plans_next_year`);
        computed once per stored text (keyed by its hash, so a replaced report is looked at again)."""
        rows = self.conn.execute("SELECT report_id, sha256, meta FROM reports").fetchall()
        late = set()
        for report_id, sha, meta in rows:
            if sha not in self._late:
                text = self.cleaned_text(report_id) or ""
                self._late[sha] = plans_next_year(_report_from_json(meta).year, text)
            if self._late[sha]:
                late.add(report_id)
        return frozenset(late)

    def report(self, report_id: str) -> Report | None:
        row = self.conn.execute("SELECT meta FROM reports WHERE report_id=?", (report_id,)).fetchone()
        return _report_from_json(row[0]) if row else None

    def sections(self, report_id: str) -> list[Section]:
        row = self.conn.execute("SELECT sections FROM reports WHERE report_id=?", (report_id,)).fetchone()
        return [Section(**s) for s in json.loads(row[0])] if row else []

    def cleaned_text(self, report_id: str) -> str | None:
        row = self.conn.execute("SELECT cleaned_text FROM reports WHERE report_id=?", (report_id,)).fetchone()
        return row[0] if row else None

    def chunks(self, report_id: str | None = None) -> list[Chunk]:
        if report_id is None:
            rows = self.conn.execute(f"{_CHUNK_SELECT} ORDER BY c.report_id, c.ordinal").fetchall()
        else:
            rows = self.conn.execute(
                f"{_CHUNK_SELECT} WHERE c.report_id=? ORDER BY c.ordinal", (report_id,)
            ).fetchall()
        return [_chunk_from_row(r) for r in rows]

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        found: dict[str, Chunk] = {}
        for start in range(0, len(chunk_ids), 500):
            batch = chunk_ids[start:start + 500]
            marks = ",".join("?" * len(batch))
            for row in self.conn.execute(f"{_CHUNK_SELECT} WHERE c.chunk_id IN ({marks})", batch):
                chunk = _chunk_from_row(row)
                found[chunk.chunk_id] = chunk
        return found

    def chunk_times(self) -> dict[str, ChunkTime]:
        """Kind and years of every chunk (retrieval's year prior reads them for its candidates)."""
        return {cid: ChunkTime.decode(kind, years, named)
                for cid, kind, years, named in self.conn.execute("SELECT chunk_id, kind, years, named FROM chunk_time")}

    def chunk_terms(self) -> dict[str, str]:
        """chunk_id → its lexical terms as the FTS5 table holds them (``chunk_terms_text`` when written)."""
        return dict(self.conn.execute("SELECT chunk_id, terms FROM chunk_terms").fetchall())

    def chunk_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks ORDER BY report_id, ordinal")]

    def fingerprint(self) -> str:
        """Changes whenever any report is added, replaced or removed (indexes compare it to stay in sync)."""
        rows = self.conn.execute("SELECT report_id, sha256 FROM reports ORDER BY report_id").fetchall()
        return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def chunk_terms_text(chunk: Chunk) -> str:
    """Space-joined lexical terms of a chunk: its text plus its report title and section path."""
    return " ".join(index_terms(normalize_for_search(chunk.context) + " " + chunk.search_text))


_CHUNK_SELECT = "SELECT c.*, t.kind, t.years, t.named FROM chunks c LEFT JOIN chunk_time t ON t.chunk_id = c.chunk_id"


def _write_times(conn: sqlite3.Connection, chunks: list[Chunk]) -> None:
    conn.executemany("INSERT OR REPLACE INTO chunk_time VALUES (?,?,?,?,?)",
                     [(c.chunk_id, c.report_id, c.time.kind, c.time.encode(), c.time.encode_named()) for c in chunks])


def _report_from_json(data: str) -> Report:
    fields: dict[str, Any] = json.loads(data)
    fields.pop("region", None)
    return Report(**fields)


def _chunk_from_row(row: tuple[Any, ...]) -> Chunk:
    return Chunk(
        chunk_id=row[0], report_id=row[1], ordinal=row[2], paragraph=row[3], paragraph_end=row[4],
        part=row[5], section_path=json.loads(row[6]), char_start=row[7], char_end=row[8], text=row[9],
        search_text=row[10], context=row[11], time=ChunkTime.decode(row[12], row[13], row[14]),
    )
