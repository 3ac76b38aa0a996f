"""The indicator synonym table behind the ledger: which names reports use for the standard indicators.

The table lives in ``rag/data/indicators.tsv`` (documented there) so it can be extended without code
changes; its checksum is part of the ledger version, so stored ledgers are re-extracted when it changes.
``LedgerRow`` and ``extract_ledger`` live in :mod:`rag.reports.ledger`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rag.core.textnorm import normalize_for_search

TABLE_FILE = "indicators.tsv"
KINDS = ("actual", "target", "multi-year")


class IndicatorError(ValueError):
    """An indicator name or filter that the table does not know; the message lists what is accepted."""


@dataclass(frozen=True)
class Indicator:
    """One row of the synonym table."""

    name: str  # canonical, Simplified
    english: str
    aliases_en: tuple[str, ...]
    synonyms: tuple[str, ...]
    measure: str  # level | rate
    units: tuple[str, ...]  # unit families
    better: str  # higher | lower
    parts: tuple[str, ...] = ()  # a combined name stands for these indicators, in order

    @property
    def combined(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class IndicatorTable:
    indicators: tuple[Indicator, ...]
    checksum: str

    def get(self, name: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.name == name:
                return indicator
        raise KeyError(name)

    def synonym_map(self) -> dict[str, Indicator]:
        """Every synonym (normalized search form) → its indicator."""
        found: dict[str, Indicator] = {}
        for indicator in self.indicators:
            for synonym in (indicator.name, *indicator.synonyms):
                found.setdefault(normalize_for_search(synonym), indicator)
        return found

    def resolve(self, name: str) -> list[str]:
        """Canonical names for a user-given name: Chinese (any script), a synonym or an English alias.

        A combined name (城乡居民人均可支配收入) gives its parts. Unknown names raise IndicatorError.
        """
        key = normalize_for_search(name).replace("_", " ")
        key_spaced = re.sub(r"\s+", " ", name.strip().lower().replace("_", " ").replace("-", " "))
        for indicator in self.indicators:
            aliases = {a.lower().replace("-", " ") for a in (*indicator.aliases_en, indicator.english)}
            if key_spaced in aliases:
                return list(indicator.parts) or [indicator.name]
        indicator = self.synonym_map().get(key)
        if indicator is not None:
            return list(indicator.parts) or [indicator.name]
        raise IndicatorError(
            f"unknown indicator {name!r}; use a Chinese name, a synonym or an English alias, e.g. "
            + ", ".join(f"{i.name} ({i.aliases_en[0] if i.aliases_en else i.english})"
                        for i in self.indicators if not i.combined)
        )


def _split(field: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(p.strip() for p in field.split(sep) if p.strip())


def parse_table(text: str) -> IndicatorTable:
    """Parse the TSV (comments start with #); a malformed line raises ValueError naming the line."""
    indicators = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 7:
            raise ValueError(f"{TABLE_FILE} line {lineno}: expected at least 7 tab-separated columns")
        name, english, aliases, synonyms, measure, units, better = (c.strip() for c in cols[:7])
        parts = _split(cols[7], ",") if len(cols) > 7 else ()
        if measure not in ("level", "rate") or better not in ("higher", "lower"):
            raise ValueError(f"{TABLE_FILE} line {lineno}: measure must be level|rate, better higher|lower")
        indicators.append(Indicator(name, english, _split(aliases), _split(synonyms), measure,
                                    _split(units, ","), better, parts))
    return IndicatorTable(tuple(indicators), hashlib.sha256(text.encode()).hexdigest()[:16])


@lru_cache(maxsize=1)
def load_table() -> IndicatorTable:
    text = resources.files("rag").joinpath("data", TABLE_FILE).read_text(encoding="utf-8")
    return parse_table(text)


def resolve_indicator(name: str) -> list[str]:
    return load_table().resolve(name)


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KINDS:
        raise IndicatorError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    return kind
