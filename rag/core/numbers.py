"""Numbers in answers and sources, normalized so that a figure can be checked against its citation.

``33.8亿元``, ``33.8 亿``, ``3.38 billion yuan``, ``３３．８亿`` and ``三十三点八亿`` all become the same
value; a grounding check then asks whether every figure of an answer occurs in the cited passages.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass

CN_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]{2,}")
NUMBER_RE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*"
    r"(万亿|亿|万|千|百万|trillion|billion|million|thousand|bn|mn)?\s*(%|‰|个百分点|percent|per cent)?",
    re.IGNORECASE,
)
SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百万": 1e6, "trillion": 1e12, "billion": 1e9, "bn": 1e9,
         "million": 1e6, "mn": 1e6, "thousand": 1e3}
CITATION_MARK = re.compile(r"\[\d{1,2}\]")


@dataclass(frozen=True)
class Figure:
    """One number as written (``text``), its plain value and its value with the scale word applied."""

    text: str
    raw: float
    scaled: float
    percent: bool


def _cn_to_arabic(text: str) -> str:
    """Chinese numeral runs (三千九百六十六, 二〇二三, 三十三点八) → Arabic digits; others left alone."""
    import cn2an

    def number(run: str) -> str | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                value = cn2an.cn2an(run, "smart")
            except (ValueError, KeyError, IndexError):
                return None
        return f"{value:g}" if isinstance(value, float) else str(value)

    def convert(match: re.Match[str]) -> str:
        run = match.group(0)
        if set(run) <= set("万亿点"):
            return run
        whole = number(run)
        if whole is not None:
            return whole
        unit = re.search(r"(万亿|亿|万)$", run)  # 三十三点八亿: the decimal part stops cn2an
        if unit and (head := number(run[: unit.start()])) is not None:
            return head + unit.group(0)
        return run

    text = re.sub(r"百分之([零〇一二两三四五六七八九十百千点]+)", lambda m: m.group(1) + "%", text)
    return CN_NUMERAL_RUN.sub(convert, text)


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text`` (citation markers like [1] are not figures)."""
    text = unicodedata.normalize("NFKC", CITATION_MARK.sub(" ", text))
    text = _cn_to_arabic(text)
    figures = []
    for match in NUMBER_RE.finditer(text):
        integer, fraction, scale, percent = match.groups()
        raw = float(integer.replace(",", "") + (fraction or ""))
        factor = SCALE.get((scale or "").lower(), 1.0)
        figures.append(Figure(match.group(0).strip(), raw, raw * factor, bool(percent)))
    return figures


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def is_supported(figure: Figure, evidence: list[Figure]) -> bool:
    """A figure is supported when the evidence has the same scaled value, or the same number as written."""
    return any(_same(figure.scaled, e.scaled) or _same(figure.raw, e.raw) for e in evidence)


def unsupported_figures(answer: str, sources: list[str], question: str = "") -> list[str]:
    """Figures of ``answer`` found neither in ``sources`` nor in the question itself (e.g. its year)."""
    evidence = [f for s in [*sources, question] for f in extract_figures(s)]
    return [f.text for f in extract_figures(answer) if not is_supported(f, evidence)]
