"""English amounts in a question, rewritten in the units reports use (1.08 billion yuan → 10.8亿元).

This is not a second figure parser: :mod:`rag.core.numbers` reads the value of figures (for grounding
checks), while this module writes an English amount the way a Chinese report spells it, so BM25 finds the
passage that holds it (exact decimal digits, 万 / 亿 scales, report units, numbered-slogan and year rules).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from rag.core.years import ARABIC_YEAR
from rag.retrieve.english import NUMBER_WORDS, strip_accents

# English magnitude words, in yuan-style units (亿 = 1e8, 万 = 1e4).
MAGNITUDES = {"trillion": Decimal(10) ** 12, "billion": Decimal(10) ** 9, "million": Decimal(10) ** 6,
              "thousand": Decimal(1000), "hundred": Decimal(100)}
# Units written after an English figure → the Chinese unit a report uses with it.
UNITS = [
    (r"(?:rmb|cny|yuan)", "元"), (r"(?:us\s*dollars?|usd|dollars?|\$)", "美元"), (r"(?:euros?)", "欧元"),
    (r"(?:percentage\s+points?)", "个百分点"), (r"(?:percent|per\s*cent|pct|%)", "%"), (r"(?:mu)", "亩"),
    (r"(?:hectares?)", "公顷"), (r"(?:square\s+met(?:er|re)s?|sq\.?\s*m|m2)", "平方米"),
    (r"(?:kilomet(?:er|re)s?|km)", "公里"), (r"(?:met(?:er|re)s?)", "米"), (r"(?:tons?|tonnes?)", "吨"),
    (r"(?:kilowatt[\s-]*hours?|kwh)", "千瓦时"), (r"(?:kilowatts?|kw)", "千瓦"), (r"(?:megawatts?|mw)", "兆瓦"),
    (r"(?:households?|families)", "户"), (r"(?:people|persons?|residents?|workers?|students?|jobs?)", "人"),
    (r"(?:points?)", "分"), (r"(?:days?)", "天"), (r"(?:beds?)", "张"), (r"(?:cases?)", "件"),
    (r"(?:enterprises?|companies|firms?|businesses?)", "家"), (r"(?:projects?)", "个"),
]
FIGURE_RE = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?|(?:" + "|".join(NUMBER_WORDS) + r"))"
    r"(?:\s*(trillion|billion|million|thousand|hundred|bn|mn|k)\b)?"
    r"(?:\s*(?:of\s+)?(" + "|".join(u for u, _ in UNITS) + r")(?![a-z]))?", re.I)


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def english_figures(text: str) -> list[str]:
    """English amounts rewritten the way reports write them: 1.08 billion yuan → 10.8亿元, 4.4 million US
    dollars → 440万美元, 12 percent → 12%, 44,800 mu → 4.48万亩, 10 billion → 100亿 / 百亿."""
    out: list[str] = []
    lowered = strip_accents(text).lower()
    for match in FIGURE_RE.finditer(lowered):
        number, magnitude, unit_text = match.group(1), match.group(2), match.group(3)
        if number in NUMBER_WORDS:
            if not magnitude and not unit_text:
                continue  # "four zones": a numbered slogan, not an amount (see glossary.numbered_compounds)
            value = Decimal(NUMBER_WORDS[number])
        else:
            try:
                value = Decimal(number.replace(",", ""))
            except InvalidOperation:
                continue
        if not magnitude and not unit_text and re.fullmatch(ARABIC_YEAR, number):
            continue  # a year
        scale = {"bn": "billion", "mn": "million", "k": "thousand"}.get(magnitude or "", magnitude or "")
        value *= MAGNITUDES.get(scale, Decimal(1))
        unit = next((zh for pattern, zh in UNITS if unit_text and re.fullmatch(pattern, unit_text)), "")
        forms: list[str] = []
        if unit in ("%", "个百分点"):
            forms.append(f"{_fmt(value)}{unit}")
        else:
            if value >= 10 ** 8:
                yi = value / Decimal(10) ** 8
                forms.append(f"{_fmt(yi)}亿{unit}")
                if yi in (100, 1000):
                    forms.append({100: "百亿", 1000: "千亿"}[int(yi)])
            wan = value / Decimal(10) ** 4
            if value >= 10 ** 4 and (value < 10 ** 8 or (wan == wan.to_integral_value() and wan < 10 ** 6)):
                forms.append(f"{_fmt(wan)}万{unit}")
            if value < 10 ** 8 and (magnitude is None or value < 10 ** 4):
                forms.append(f"{_fmt(value)}{unit}")
        out.extend(f for f in forms if f not in out)
    return out


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern[str]:
    units = "|".join(u for u, _ in UNITS)
    return re.compile(rf"(?:{units}|trillion|billion|million|thousand|hundred|bn|mn|yuan|rmb)", re.I)


def unit_word(word: str) -> bool:
    """A unit or magnitude word of an English amount (yuan, percent, billion, mu)."""
    return bool(_unit_pattern().fullmatch(word))
