"""Figures in answers, sources and reports: the one place that reads numbers, scale words and units.

Two readers share the primitives below (Chinese numerals via cn2an, 亿/万 scales, %, full-width digits):

* :func:`extract_figures` normalizes every number of a text so a figure can be checked against its citation:
  ``33.8亿元``, ``33.8 亿``, ``3.38 billion yuan``, ``３３．８亿`` and ``三十三点八亿`` all become the same
  value; a grounding check then asks whether every figure of an answer occurs in the cited passages.
* :data:`VALUE_UNIT_RE` with :func:`read_value` reads a figure with its report unit (``33.8亿元``, ``4761元``,
  ``百分之五``, ``三千多万人``) for the indicator ledger; :func:`convert` moves a value between units of a family.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from rag.core.years import DATE_RE, YEAR_RE

# -- scale words and units ----------------------------------------------------------------------------
THOUSAND = 1e3  # 千, thousand
WAN = 1e4  # 万
MILLION = 1e6  # 百万, million
YI = 1e8  # 亿
BILLION = 1e9  # billion
WAN_YI = 1e12  # 万亿
TRILLION = 1e12  # trillion
JIN_PER_KG = 2.0  # mass figures are compared in 斤: 1 公斤 = 2 斤
JIN_PER_TONNE = 2000.0  # 1 吨 = 2000 斤

SCALE = {"万亿": WAN_YI, "亿": YI, "万": WAN, "千": THOUSAND, "百万": MILLION, "trillion": TRILLION,
         "billion": BILLION, "bn": BILLION, "million": MILLION, "mn": MILLION, "thousand": THOUSAND}
# Units of a family convert into each other (UNIT_FACTORS: the value of one unit in the family's base unit).
UNIT_FAMILIES = {
    "money": ("万亿元", "亿元", "万元", "千元", "元"),
    "usd": ("亿美元", "万美元", "美元"),
    "people": ("万人", "人"),
    "mass": ("万亿斤", "亿斤", "万斤", "斤", "亿公斤", "万公斤", "公斤", "亿吨", "万吨", "吨"),
    "percent": ("%", "‰"),
}
UNIT_FACTORS = {"万亿元": WAN_YI, "亿元": YI, "万元": WAN, "千元": THOUSAND, "元": 1.0,
                "亿美元": YI, "万美元": WAN, "美元": 1.0,
                "万人": WAN, "人": 1.0,
                "万亿斤": WAN_YI, "亿斤": YI, "万斤": WAN, "斤": 1.0, "亿公斤": YI * JIN_PER_KG,
                "万公斤": WAN * JIN_PER_KG, "公斤": JIN_PER_KG, "亿吨": YI * JIN_PER_TONNE,
                "万吨": WAN * JIN_PER_TONNE, "吨": JIN_PER_TONNE}
OTHER_UNITS = ("万人次", "人次", "个百分点", "个点")  # read (so they end a figure) but never converted
ALL_UNITS = sorted({u for units in UNIT_FAMILIES.values() for u in units} | set(OTHER_UNITS),
                   key=lambda u: (-len(u), u))  # longest first: 万人次 before 万人

# -- numerals -----------------------------------------------------------------------------------------
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千点"  # a Chinese numeral, without the scale words 万/亿
CN_NUMERAL_RUN = re.compile(rf"[{CN_NUMERAL_CHARS}万亿]{{2,}}")
# A number inside a code of Latin letters (PM2.5, G20, COVID-19, 5G, 4A级) names a thing, it is no figure.
_NOT_IN_CODE_BEFORE = r"(?<![A-Za-z])(?<![A-Za-z]-)"
_NOT_IN_CODE_AFTER = r"(?![A-Z](?![a-z]))"
NUMBER_RE = re.compile(
    rf"(?<![\d.]){_NOT_IN_CODE_BEFORE}(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?{_NOT_IN_CODE_AFTER}\s*"
    r"(万亿|亿|万|千|百万|trillion|billion|million|thousand|bn|mn)?\s*(%|‰|个百分点|percent|per cent)?",
    re.IGNORECASE,
)
CITATION_MARK = re.compile(r"\[\d{1,2}\]")
_TRADITIONAL_NUMERALS = str.maketrans("億萬兩點", "亿万两点")  # 三千九百二十億斤 is 三千九百二十亿斤
# An Arabic number as reports write it: 3,966 / 33.8 / 1 2 9 (spaced by scrapers) / 33·8.
ARABIC_NUMBER = rf"(?<![\d.·]){_NOT_IN_CODE_BEFORE}\d(?:\d|,(?=\d{{3}})|\s(?=\d))*(?:[.·]\d+)?{_NOT_IN_CODE_AFTER}"
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in ALL_UNITS)
_GAP = r"[\s\u200b\u200c\u200d\ufeff]*"  # scraped text puts (zero-width) spaces between a number and its unit
# A Chinese numeral before a unit may hold 万/亿 inside (一万六千七百七十亿元, 四亿零七百多万吨) but never ends with
# them (the unit takes the last scale word).
_CN_RUN = rf"[{CN_NUMERAL_CHARS}](?:[{CN_NUMERAL_CHARS}万亿]*[{CN_NUMERAL_CHARS}])?"
VALUE_UNIT_RE = re.compile(
    rf"百分之(?P<pnum>[{CN_NUMERAL_CHARS}]+|\d+(?:\.\d+)?)"
    rf"|(?P<num>{ARABIC_NUMBER}){_GAP}(?P<approx>多|余)?{_GAP}(?P<unit>{_UNIT_ALTERNATION})?"
    rf"|(?<![{CN_NUMERAL_CHARS}万亿])(?P<cnum>{_CN_RUN})(?P<capprox>多|余)?(?P<cunit>{_UNIT_ALTERNATION})"
)
# The upper end of a range right after a figure: 6%－6.5%, 6.5-7%, 百分之八至九, 百分之七至百分之十, 十五亿元到二十亿元.
RANGE_NEXT_RE = re.compile(
    rf"{_GAP}(?:－|-|—|–|~|～|至|到){_GAP}(?:百分之(?P<pnum>[{CN_NUMERAL_CHARS}]+|\d+(?:\.\d+)?)"
    rf"|(?P<num>{ARABIC_NUMBER})|(?<![{CN_NUMERAL_CHARS}万亿])(?P<cnum>{_CN_RUN}))"
    rf"{_GAP}(?P<unit>{_UNIT_ALTERNATION})?(?!{_GAP}[\d.·年月日万亿{CN_NUMERAL_CHARS}])"
)


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

    def rate(sign: str) -> Callable[[re.Match[str]], str]:  # 百分之六, 千分之十: one character is a number here too
        def write(match: re.Match[str]) -> str:
            value = cn_number(match.group(1))
            return (f"{value:g}" if value is not None else match.group(1)) + sign
        return write

    def hundred_millions(match: re.Match[str]) -> str:  # 四亿零七百多万吨: 4.07亿 and more, not 400000700
        high, low = cn_number(match.group(1)), cn_number(match.group(2).lstrip("零〇"))
        if high is None or low is None or low >= WAN:
            return match.group(0)
        return f"{high + low / WAN:g}亿{match.group(3)}"

    text = re.sub(rf"([{CN_NUMERAL_CHARS}]+)亿([{CN_NUMERAL_CHARS}]+)(多|余)万", hundred_millions, text)
    text = re.sub(rf"百分之([{CN_NUMERAL_CHARS}]+)", rate("%"), text)
    text = re.sub(rf"千分之([{CN_NUMERAL_CHARS}]+)", rate("‰"), text)  # a rate per thousand (older population figures)
    return CN_NUMERAL_RUN.sub(convert, text)


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text`` (citation markers like [1] and ordinals like 第十三个 are not figures)."""
    text = unicodedata.normalize("NFKC", CITATION_MARK.sub(" ", text)).translate(_TRADITIONAL_NUMERALS)
    text = _cn_to_arabic(text)
    figures = []
    for match in NUMBER_RE.finditer(text):
        if text[match.start() - 1:match.start()] == "第":
            continue  # an ordinal (第十三个五年规划, 第1季度) counts nothing
        integer, fraction, scale, percent = match.groups()
        raw = float(integer.replace(",", "") + (fraction or ""))
        factor = SCALE.get((scale or "").lower(), 1.0)
        figures.append(Figure(match.group(0).strip(), raw, raw * factor, bool(percent)))
    return figures


def parse_number(text: str) -> float | None:
    """The value of one number as written (``3,966``, ``1 2 9``, ``33·8``, ``三千九百六十六``), else None."""
    text = text.replace(",", "").replace(" ", "").replace("·", ".")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    figures = extract_figures(text)  # Chinese numerals (cn2an)
    return figures[0].raw if len(figures) == 1 else None


def read_value(match: re.Match[str]) -> tuple[float | None, str, str]:
    """(value, unit, 多/余 or '') of a :data:`VALUE_UNIT_RE` match; 百分之五 reads as 5 with unit ``%``.

    A Chinese numeral whose 亿 lies inside and whose unit starts with 万 counts the part after 亿 in 万:
    四亿零七百多万吨 is 4.07亿吨 and 一千三百八十七亿四千万元 is 1387.4亿元."""
    if match.group("pnum") is not None:
        return _any_number(match.group("pnum")), "%", ""
    if match.group("num") is not None:
        return parse_number(match.group("num")), match.group("unit") or "", match.group("approx") or ""
    run, unit = match.group("cnum"), match.group("cunit")
    head, sep, tail = run.rpartition("亿")
    if sep and unit.startswith("万") and not unit.startswith("万亿") and "亿" + unit[1:] in UNIT_FACTORS:
        high, low = cn_number(head), cn_number(tail.lstrip("零〇"))
        if high is not None and low is not None and low < WAN:
            return high + low / WAN, "亿" + unit[1:], match.group("capprox") or ""
        return None, unit, ""
    return cn_number(run), unit, match.group("capprox") or ""


def read_range_high(text: str, pos: int, unit: str) -> tuple[float, str, int] | None:
    """The upper end of a range starting at ``pos`` (right after a figure in ``unit``, '' when the unit is only
    written after the upper end: 6.5-7%): (value, unit, end), or None when no range follows. The upper end
    must have the same unit (or none) and not be a year (百分之三十九点七到一九五七年)."""
    match = RANGE_NEXT_RE.match(text, pos)
    if match is None:
        return None
    number = match.group("pnum") or match.group("num") or match.group("cnum")
    high = _any_number(number)
    high_unit = "%" if match.group("pnum") is not None else (match.group("unit") or "")
    if high is None or (match.group("cnum") is not None and not high_unit and not unit):
        return None
    if unit and high_unit and high_unit != unit:
        return None
    if not unit and not high_unit:
        return None
    return high, unit or high_unit, match.end()


def cn_number(text: str) -> float | None:
    """The value of a Chinese numeral (七, 十二点八, 二百十七, 一万六千七百七十), else None; unlike
    :func:`parse_number` a single character counts too (百分之七)."""
    import cn2an

    if not text or set(text) <= set("万亿点"):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = cn2an.cn2an(text, "smart")
        except (ValueError, KeyError, IndexError):
            return parse_number(text)
    return float(value)


def _any_number(text: str) -> float | None:
    return parse_number(text) if re.search(r"\d", text) else cn_number(text)


def unit_family(unit: str) -> str | None:
    for family, units in UNIT_FAMILIES.items():
        if unit in units:
            return family
    return None


def convert(value: float, unit: str, to_unit: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to_unit`` (万元 → 亿元, 万人 → 人, 亿公斤 → 万吨); None across families."""
    if unit == to_unit:
        return value
    family, target_family = unit_family(unit), unit_family(to_unit)
    if family is None or family != target_family or unit not in UNIT_FACTORS or to_unit not in UNIT_FACTORS:
        return None
    return value * UNIT_FACTORS[unit] / UNIT_FACTORS[to_unit]


# -- grounding ----------------------------------------------------------------------------------------
def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def is_supported(figure: Figure, evidence: list[Figure], strict_scale: bool = False) -> bool:
    """A figure is supported when the evidence has the same scaled value, or the same number as written.

    ``strict_scale``: a figure written with a scale word (12.93 billion, 33.8亿) must match in value; the same
    digits at another scale (12.93亿 is 1.293 billion) are a wrong figure, the typical slip of a translation."""
    if strict_scale and not _same(figure.scaled, figure.raw):
        return any(_same(figure.scaled, e.scaled) for e in evidence)
    return any(_same(figure.scaled, e.scaled) or _same(figure.raw, e.raw) for e in evidence)


def unsupported_figures(answer: str, sources: list[str], question: str = "", strict_scale: bool = False) -> list[str]:
    """Figures of ``answer`` found neither in ``sources`` nor in the question itself (e.g. its year)."""
    evidence = [f for s in [*sources, question] for f in extract_figures(s)]
    return [f.text for f in extract_figures(answer) if not is_supported(f, evidence, strict_scale)]


# Numbers that name a time or an order, not a quantity: 2004年, 二〇〇四年, "in 2004", 3月5日, 第十四届, “六五”时期.
NOT_FIGURES = re.compile(rf"{DATE_RE.pattern}|{YEAR_RE.pattern}|\b(?:19|20)\d{{2}}\b(?!\s*(?:%|percent|per cent))"
                         r"|\d{1,2}\s*月\s*\d{1,2}\s*日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
                         r"|第\s*[\d零〇一二两三四五六七八九十百千]+"
                         r"|[一二三四五六七八九十]{0,2}五[”\"]?\s*(?:计划|規劃|规划|時期|时期|期间|期間)")


def stated_figures(answer: str, question: str = "") -> list[str]:
    """Quantities an answer states (its years, dates and ordinals, and the question's own figures, are not)."""
    asked = extract_figures(question)
    return [f.text for f in extract_figures(NOT_FIGURES.sub(" ", answer)) if not is_supported(f, asked)]
