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
    value_high: float | None = None  # upper end of a range (6%－6.5%): ``value`` is then the lower end
    growth_high: float | None = None  # upper end of a growth range (增长6.5%－7%)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def figure_text(self) -> str:
        """The figures in words, e.g. ``129亿元，增长3.1%`` or ``增长8%左右``."""
        parts = []
        if self.value is not None:
            parts.append(fmt_range(self.value, self.value_high, self.unit)
                         + (self.qualifier if self.qualifier_of == "value" else ""))
        if self.growth is not None:
            word = "增长" if self.growth >= 0 else "下降"
            high = abs(self.growth_high) if self.growth_high is not None else None
            parts.append(word + fmt_range(abs(self.growth), high, "%")
                         + (self.qualifier if self.qualifier_of == "growth" else ""))
        if self.rank:
            parts.append(self.rank)
        return "，".join(parts)

    def figure_text_en(self) -> str:
        """The figures in English, e.g. ``12.9 billion yuan, growth of 3.1%`` or ``growth of about 8%``."""
        parts = []
        if self.value is not None:
            amount = _amount_en(self.value, self.unit)
            if self.value_high is not None:
                amount += "–" + _amount_en(self.value_high, self.unit)
            parts.append(_QUALIFIERS_EN.get(self.qualifier, "") * (self.qualifier_of == "value") + amount)
        if self.growth is not None:
            rate = fmt_number(abs(self.growth)) + "%"
            if self.growth_high is not None:
                rate += f"–{fmt_number(abs(self.growth_high))}%"
            word = "growth of " if self.growth >= 0 else "a fall of "
            parts.append(word + _QUALIFIERS_EN.get(self.qualifier, "") * (self.qualifier_of == "growth") + rate)
        return ", ".join(parts)

    def describe(self) -> str:
        return f"{self.indicator}：{self.figure_text()}"


def fmt_number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def fmt_range(low: float, high: float | None, unit: str) -> str:
    """``6%－6.5%`` for a range, ``6%`` for a single figure (the dash the national reports use)."""
    if high is None:
        return fmt_number(low) + unit
    return f"{fmt_number(low)}{unit}－{fmt_number(high)}{unit}"


_SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "": 1.0}
_BASES = (("美元", "US dollars"), ("元", "yuan"), ("人", "people"), ("公斤", "kg"), ("吨", "tonnes"), ("斤", "jin"))
_QUALIFIERS_EN = {"左右": "about ", "以上": "over ", "以内": "at most "}


def _amount_en(value: float, unit: str) -> str:
    """``1.62万亿元`` → ``1.62 trillion yuan``, ``1269万人`` → ``12.69 million people``; other units as written."""
    for suffix, word in _BASES:
        factor = _SCALES.get(unit[: -len(suffix)]) if unit.endswith(suffix) else None
        if factor is not None:
            amount = value * factor
            for name, size in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
                if amount >= size:
                    return f"{fmt_number(round(amount / size, 6))} {name} {word}"
            return f"{fmt_number(round(amount, 6))} {word}"
    return fmt_number(value) + unit


def figures_in_english(text: str, limit: int = 4) -> list[str]:
    """The amounts of a Chinese sentence restated in English units (``85亿元`` → ``8.5 billion yuan (85亿元)``),
    so an English reader gets the numbers without reading the quote; plain percentages need no restating."""
    from rag.core.numbers import VALUE_UNIT_RE, read_value

    out: list[str] = []
    for match in VALUE_UNIT_RE.finditer(text):
        value, unit, _ = read_value(match)
        if value is None or not any(unit.endswith(suffix) for suffix, _ in _BASES) or unit in ("元", "人"):
            continue
        english = _amount_en(value, unit)
        if english != fmt_number(value) + unit:
            out.append(f"{english} ({match.group(0).strip()})")
        if len(out) >= limit:
            break
    return out
