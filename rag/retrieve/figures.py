"""English amounts in a question, rewritten in the units reports use (1.08 billion yuan → 10.8亿元).

This is not a second figure parser: :mod:`rag.core.numbers` reads the value of figures (for grounding
checks), while this module writes an English amount the way a Chinese report spells it, so BM25 finds the
passage that holds it. Spelled-out numbers are read by ``text2num`` ("sixty percent" → 60%, "one hundred
and twenty" → 120); every amount is then scaled to the report's units — 万 (1e4), 亿 (1e8), 万亿 (1e12):
1.5 trillion yuan → 1.5万亿元 and 15000亿元, 12 million people → 1200万人, 0.5 percentage points →
0.5个百分点 — and a percentage also as older reports write it (百分之十三点四).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an
from text_to_num import alpha2digit, text2num

from rag.core.years import ARABIC_YEAR
from rag.retrieve.english import strip_accents

NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
               r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
               r"ninety|hundred|thousand)")
NUMBER_RUN = re.compile(rf"\b{NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+){NUMBER_WORD})*\b", re.I)
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
    r"(?<![\w.])(?<![A-Za-z]-)(\d+(?:,\d{3})*(?:\.\d+)?)"  # not the 19 of COVID-19, a name
    r"(?:\s*(trillion|billion|million|thousand|hundred|bn|mn|k)\b)?"
    r"(?:\s*(?:of\s+)?(" + "|".join(u for u, _ in UNITS) + r")(?![a-z]))?", re.I)
WAN, YI, WANYI = Decimal(10) ** 4, Decimal(10) ** 8, Decimal(10) ** 12
ROUND = {10: "十", 100: "百", 1000: "千"}


@lru_cache(maxsize=4096)
def number_value(word: str) -> int | None:
    """The value of a number written as one word (four → 4, sixty → 60, 12 → 12), else None."""
    if word.isdigit():
        return int(word)
    if not re.fullmatch(NUMBER_WORD, word, re.I):
        return None
    try:
        return int(text2num(word.lower(), "en"))
    except ValueError:
        return None


def is_number_word(word: str) -> bool:
    return number_value(word) is not None or ordinal_value(word) is not None


ORDINAL_RE = re.compile(r"(\d{1,3})(?:st|nd|rd|th)")
SMALL_ORDINALS = {"first": 1, "second": 2, "third": 3}  # text2num leaves these as words (first of all)


@lru_cache(maxsize=4096)
def ordinal_value(word: str) -> int | None:
    """The value of an ordinal written as one word (sixth → 6, thirteenth → 13, 14th → 14), else None."""
    word = word.lower()
    if word in SMALL_ORDINALS:
        return SMALL_ORDINALS[word]
    if not re.fullmatch(r"[a-z0-9]+", word):
        return None
    match = ORDINAL_RE.fullmatch(word) or ORDINAL_RE.fullmatch(alpha2digit(word, "en"))  # sixth → 6th
    return int(match.group(1)) if match else None


def spelled_numbers_as_digits(text: str) -> str:
    """Spelled-out numbers as digits ("sixty percent" → "60 percent", "one hundred and twenty" → "120");
    magnitude words stay words (thirteen million → 13 million), so amounts keep their scale."""

    def digits(match: re.Match[str]) -> str:
        words = re.sub(r"[\s-]+", " ", match.group(0).lower()).replace(" and ", " ")
        try:
            return str(text2num(words, "en"))
        except ValueError:
            return match.group(0)  # "one two": not one number

    return NUMBER_RUN.sub(digits, text)


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def report_forms(value: Decimal, unit: str, scaled: bool) -> list[str]:
    """An amount as reports write it: in 万亿 / 亿 / 万 (each scale the amount reaches, with a round power
    of ten also in characters: 百亿, 千万), or as it is when small or given without a magnitude word."""
    forms: list[str] = []
    for scale, name in ((WANYI, "万亿"), (YI, "亿"), (WAN, "万")):
        amount = value / scale
        if amount < 1 or (scale == WAN and value >= YI and amount != amount.to_integral_value()):
            continue  # 12,345,600亿 is no report's way, nor 1.08万万
        if scale == WAN and amount >= 10 ** 6:
            continue
        forms.append(f"{_fmt(amount)}{name}{unit}")
        if amount in ROUND:
            forms.append(f"{ROUND[int(amount)]}{name}")  # 百亿级, 千万元
    if value < YI and (not scaled or value < WAN):
        forms.append(f"{_fmt(value)}{unit}")
    return forms


def english_figures(text: str) -> list[str]:
    """English amounts rewritten the way reports write them: 1.08 billion yuan → 10.8亿元, 4.4 million US
    dollars → 440万美元, sixty percent → 60% and 百分之六十, 44,800 mu → 4.48万亩, 10 billion → 100亿 / 百亿."""
    out: list[str] = []
    original = strip_accents(text).lower()
    lowered = spelled_numbers_as_digits(original)
    for match in FIGURE_RE.finditer(lowered):
        number, magnitude, unit_text = match.group(1), match.group(2), match.group(3)
        if not magnitude and not unit_text and re.match(r"[a-z]", lowered[match.end(1):match.end(1) + 1]):
            continue  # 5g, 3d: part of a name
        written = re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d,]|\.\d)", original)
        if not magnitude and not unit_text and (re.fullmatch(ARABIC_YEAR, number) or not written):
            continue  # a year, or a spelled-out count ("four zones": a numbered slogan, not an amount)
        try:
            value = Decimal(number.replace(",", ""))
        except InvalidOperation:
            continue
        scale = {"bn": "billion", "mn": "million", "k": "thousand"}.get(magnitude or "", magnitude or "")
        value *= MAGNITUDES.get(scale, Decimal(1))
        unit = next((zh for pattern, zh in UNITS if unit_text and re.fullmatch(pattern, unit_text)), "")
        if unit in ("%", "个百分点"):
            forms = [f"{_fmt(value)}{unit}"]
            if unit == "%" and value < 1000:
                forms.append(f"百分之{cn2an.an2cn(_fmt(value))}")  # older reports: 百分之十三点四
        else:
            forms = report_forms(value, unit, bool(magnitude))
        out.extend(f for f in forms if f not in out)
    return out


COUNTED = {"户", "人", "分", "天", "张", "件", "家", "个"}  # units that are things too (households, companies)


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern[str]:
    units = "|".join(u for u, zh in UNITS if zh not in COUNTED)
    return re.compile(rf"(?:{units}|trillion|billion|million|thousand|hundred|bn|mn|yuan|rmb)", re.I)


def unit_word(word: str) -> bool:
    """A unit or magnitude word of an English amount (yuan, percent, billion, mu); not the things an amount
    may count (households, companies, projects), which are topics too."""
    return bool(_unit_pattern().fullmatch(word))
