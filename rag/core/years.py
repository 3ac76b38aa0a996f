"""Years, periods and dates as reports write them: the one year parser of ingestion and the ledger.

* a year: ``2022年``, ``二〇二二年`` / ``一九八五年`` (Chinese digits), ``1 9 9 7 年`` (digits spaced by a scraper);
  :data:`YEAR_RE` finds all of these (not ``90年代``), :data:`ARABIC_YEAR_RE` only ``2023年`` (report titles);
* a range: ``2017年到2021年``, ``2021年同2012年相比``, ``从2013年……到2017年`` (:data:`RANGE_RE`);
* a five-year plan period: ``"十四五"规划`` → 2025, the last year of the period 2021–2025 (:func:`plan_periods`);
* a date: ``2023年1月13日`` / ``二〇二三年一月十三日`` → ``2023-01-13`` (:func:`parse_date`).

:func:`year_value` turns any year these patterns capture into an int.
"""

from __future__ import annotations

import re

# -- pattern pieces -----------------------------------------------------------------------------------
ARABIC_YEAR = r"(?:19|20)\d{2}"
SPACED_YEAR = r"(?:1 ?9|2 ?0) ?\d ?\d"  # 1 9 9 7: a scraper put spaces between the digits
CN_YEAR = r"[一二三四五六七八九〇零○]{4}"  # 二〇二二; 一九八○ (a circle for zero: 67 years in nine older reports)
NUMERIC_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
# A year word that may stand between an indicator and its figure (2022年, 二〇二二年度).
YEAR_TOKEN = rf"(?:{SPACED_YEAR}|{CN_YEAR})\s*年度?"
# 一五 … 九五, 十五 … 十五五 (a digit before 五 that is not part of a larger number: 三十五万 is no plan).
PLAN_PERIOD_NAME = r"(?:十[一二三四五]?五|(?<![十〇零一二三四五六七八九])[一二三四五六七八九]五)"

# -- patterns -----------------------------------------------------------------------------------------
YEAR_RE = re.compile(rf"(?<![\d.])({SPACED_YEAR}|{CN_YEAR})\s*年(?!代)")
ARABIC_YEAR_RE = re.compile(rf"({ARABIC_YEAR})\s*年")
_RANGE_YEAR = rf"({ARABIC_YEAR}|{CN_YEAR})"
RANGE_RE = re.compile(rf"{_RANGE_YEAR}\s*年?\s*(?:到|至|—|–|-|－|~|～)\s*"
                      rf"{_RANGE_YEAR}\s*年"
                      rf"|{_RANGE_YEAR}\s*年\s*(?:同|与|和|比)\s*"
                      rf"{_RANGE_YEAR}\s*年相?比"
                      rf"|(?:从|由)\s*{_RANGE_YEAR}\s*年[^。；;]{{0,30}}?(?:到|至)\s*"
                      rf"{_RANGE_YEAR}\s*年")
# Years listed one by one before one 年: 2019、2020、2021和2022年 (each year is asked, not a span).
_LISTED_YEAR = rf"(?:{ARABIC_YEAR}|{CN_YEAR})"
YEAR_LIST_RE = re.compile(rf"(?<![\d.]){_LISTED_YEAR}\s*年?(?:\s*(?:、|，|,|和|及|与|以及)\s*{_LISTED_YEAR}\s*年?)*"
                          rf"\s*(?:、|，|,|和|及|与|以及)\s*{_LISTED_YEAR}\s*年")
_LISTED_YEAR_RE = re.compile(rf"(?<!\d){_LISTED_YEAR}(?!\d)")
# A horizon: 到一九八五年, 到2035年 (what a plan is to reach by then).
HORIZON_RE = re.compile(rf"(?:到|至)\s*({SPACED_YEAR}|{CN_YEAR})\s*年")
# Five-year plans by the last year of their period ("十四五" is 2021–2025; the first ran 1953–1957, the third
# began in 1966 after three years of readjustment).
PLAN_PERIOD_ENDS = (1957, 1962, 1970, 1975, 1980, 1985, 1990, 1995, 2000, 2005, 2010, 2015, 2020, 2025, 2030)
_PLAN_NAMES = ("一五", "二五", "三五", "四五", "五五", "六五", "七五", "八五", "九五", "十五",
               "十一五", "十二五", "十三五", "十四五", "十五五")
PLAN_PERIOD = dict(zip(_PLAN_NAMES, PLAN_PERIOD_ENDS, strict=True))
PERIOD_RE = re.compile(rf"({PLAN_PERIOD_NAME})(?:”|\")?\s*(?:规划|计划|时期|期间|末|收官)"
                       r"|第([一二三四五六七八九十]{1,3})个五年(?:计划|规划)")
DATE_RE = re.compile(r"([0-9〇○零一二三四五六七八九]{4})\s*年\s*([0-9一二三四五六七八九十]{1,3})\s*月"
                     r"\s*([0-9一二三四五六七八九十]{1,3})\s*日")

CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
             "六": "6", "七": "7", "八": "8", "九": "9"}
_TO_ARABIC = str.maketrans(CN_DIGITS)


def year_value(text: str) -> int:
    """The year a pattern of this module captured: ``2022``, ``二〇二二``, ``1 9 9 7`` → int."""
    return int(text.translate(_TO_ARABIC).replace(" ", ""))


def year_wordings(year: int) -> list[str]:
    """How the reports write a year: 1957年 and 一九五七年 (older reports write years in Chinese numerals)."""
    digits = "〇一二三四五六七八九"
    return [f"{year}年", "".join(digits[int(d)] for d in str(year)) + "年"]


def listed_years(text: str) -> list[int]:
    """Every year of a list written with one 年 at its end (2019、2020、2021和2022年 → the four years), in order."""
    return [year_value(y) for m in YEAR_LIST_RE.finditer(text) for y in _LISTED_YEAR_RE.findall(m.group(0))]


def names_horizon(text: str, year: int) -> bool:
    """Whether ``text`` (normalized for search) sets something to be reached by ``year`` (到一九八五年…)."""
    return any(year_value(m.group(1)) == year for m in HORIZON_RE.finditer(text))


def plan_periods(text: str) -> list[int]:
    """The last years of the five-year plan periods named in ``text`` ("十四五"规划 → 2025, 第六个五年计划 → 1985),
    in order."""
    ends = []
    for name, ordinal in PERIOD_RE.findall(text):
        if name in PLAN_PERIOD:
            ends.append(PLAN_PERIOD[name])
        elif ordinal:
            number = _small_number(ordinal) if len(ordinal) < 3 else 0
            if 1 <= number <= len(PLAN_PERIOD_ENDS):
                ends.append(PLAN_PERIOD_ENDS[number - 1])
    return ends


def _small_number(text: str) -> int:
    """Chinese or Arabic numerals up to 99 (months, days): 十二 → 12, 二十一 → 21, 〇四 → 4."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return int(CN_DIGITS.get(tens, "1") if tens else 1) * 10 + (int(CN_DIGITS[ones]) if ones else 0)
    return int("".join(CN_DIGITS.get(ch, ch) for ch in text))


def parse_date(text: str) -> str | None:
    """The first date of ``text`` as ISO ``YYYY-MM-DD`` (2023年1月13日, 二〇二三年一月十三日), else None."""
    match = DATE_RE.search(text)
    if not match:
        return None
    try:
        year = year_value(match.group(1))
        month, day = _small_number(match.group(2)), _small_number(match.group(3))
    except (KeyError, ValueError):
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_SHORT_RANGE = re.compile(rf"\b({ARABIC_YEAR})\s*([-–—~])\s*(\d\d)\b(?![\d%.])")


def expand_short_ranges(text: str) -> str:
    """1953–57 → 1953–1957, 1981-85 → 1981-1985 (English writes a span's end year with two digits); a pair that
    cannot be a span (2015-12, 1990-85) is left alone."""
    def expand(match: re.Match[str]) -> str:
        first, end = match.group(1), int(match.group(3))
        last = int(first[:2]) * 100 + end
        return f"{first}{match.group(2)}{last}" if int(first) < last <= int(first) + 20 else match.group(0)

    return _SHORT_RANGE.sub(expand, text)
