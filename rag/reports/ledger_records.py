"""Ledger rows: one reported figure of one standard indicator, with the exact span of the chunk that states it.

See :mod:`rag.reports.ledger` for how rows are extracted and stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class LedgerRow:
    """One reported figure of one indicator, with the exact span of the chunk that states it."""

    report_id: str
    region: str
    report_year: int | None
    indicator: str  # canonical Chinese name (rag/data/indicators.tsv)
    indicator_en: str
    value: float | None
    unit: str  # 亿元 万元 元 万美元 万人 % … ('' for a growth-only figure)
    growth: float | None  # percent; negative for 下降
    kind: str  # actual | target | multi-year
    ref_year: int | None  # the year (or last year of the period) the figure refers to
    qualifier: str  # 左右 | 以上 | 以内 | ''
    rank: str  # e.g. 增速全市第一, as written
    chunk_id: str
    quote: str  # exact span of the chunk text
    quote_start: int  # offset of the quote inside the chunk text
    paragraph: int | None = None
    qualifier_of: str = ""  # value | growth: which figure the qualifier belongs to

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def figure_text(self) -> str:
        """The figures in words, e.g. ``129亿元，增长3.1%`` or ``增长8%左右``."""
        parts = []
        if self.value is not None:
            parts.append(fmt_number(self.value) + self.unit + (self.qualifier if self.qualifier_of == "value" else ""))
        if self.growth is not None:
            word = "增长" if self.growth >= 0 else "下降"
            parts.append(f"{word}{fmt_number(abs(self.growth))}%"
                         + (self.qualifier if self.qualifier_of == "growth" else ""))
        if self.rank:
            parts.append(self.rank)
        return "，".join(parts)

    def describe(self) -> str:
        return f"{self.indicator}：{self.figure_text()}"


def fmt_number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"
