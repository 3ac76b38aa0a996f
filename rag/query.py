"""Understand a question before searching: language, script, named places, English → Chinese terms.

A small multilingual embedding model does not tie "Linghe District" to 凌河区 or "job fairs" to 招聘会, so
English questions are expanded with Chinese terms from (a) the place names of the loaded reports, matched
by their pinyin, and (b) a glossary of report vocabulary (``rag/data/glossary_en_zh.tsv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rag.models import Report
from rag.textnorm import count_cjk, detect_script, normalize_for_search, to_simplified

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary_en_zh.tsv"
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "省", "市", "区", "县", "州", "盟", "旗")
QUESTION_WORDS = {"who", "when", "where", "why", "whose", "whom", "much", "many", "has", "have", "had", "be",
                  "been", "according", "say", "said", "tell", "show", "give", "report", "reports", "there",
                  "their", "about", "into", "than", "more", "over", "under", "up", "out", "all", "any", "each"}
ENGLISH_LEVEL_WORDS = {"province", "city", "district", "county", "prefecture", "municipality", "region"}


@dataclass
class PlaceMatch:
    name: str
    report_ids: list[str]


@dataclass
class QueryPlan:
    """A question as retrieval sees it."""

    text: str
    lang: str  # "zh" | "en"
    script: str  # "simplified" | "traditional"
    normalized: str
    expansions: list[str] = field(default_factory=list)
    expansion_groups: list[list[str]] = field(default_factory=list)  # Chinese alternatives per English phrase
    untranslated: list[str] = field(default_factory=list)  # English content words without a Chinese term
    places: list[PlaceMatch] = field(default_factory=list)

    @property
    def lexical_text(self) -> str:
        return " ".join([self.normalized, *self.expansions])

    @property
    def dense_text(self) -> str:
        if not self.expansions:
            return self.text
        return f"{self.text} ({' '.join(self.expansions)})"

    @property
    def place_report_ids(self) -> set[str]:
        return {rid for match in self.places for rid in match.report_ids}


def detect_language(text: str) -> str:
    letters = len(re.findall(r"[A-Za-z]", text))
    return "en" if letters > 2 * count_cjk(text) and letters >= 3 else "zh"


@lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    """English phrase → Chinese terms, from the packaged TSV (comment lines start with #)."""
    table: dict[str, list[str]] = {}
    text = GLOSSARY_PATH.read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, chinese = line.split("\t", 1)
        table[english.strip().lower()] = [t.strip() for t in chinese.split("|") if t.strip()]
    return table


def english_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9.&+\-']*", text.lower().replace("’", "'"))


def _singular(word: str) -> str:
    word = re.sub(r"'s$", "", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def glossary_terms(text: str) -> list[str]:
    """Chinese terms for English phrases in ``text`` (flattened :func:`glossary_groups`)."""
    return list(dict.fromkeys(term for group in glossary_groups(text) for term in group))


def glossary_groups(text: str) -> list[list[str]]:
    """Per English phrase in ``text`` (longest match first, each word used once), its Chinese terms."""
    return _glossary_match(text)[0]


def _variants(words: list[str]) -> list[str]:
    """The phrase as written, with its last word singular, and with simple verb endings (close → closed)."""
    head, last = words[:-1], words[-1]
    forms = [last, _singular(last), last + "ed", last + "d", re.sub(r"(ed|ing)$", "", last)]
    return list(dict.fromkeys(" ".join([*head, form]) for form in forms if form))


def unmatched_english_words(text: str, ignore: set[str]) -> list[str]:
    """Content words of an English question that the glossary could not translate (and not in ``ignore``)."""
    words, used = _glossary_match(text)[1:]
    from rag.tokens import QUERY_STOPWORDS

    return [w for w, u in zip(words, used, strict=True)
            if not u and w not in QUERY_STOPWORDS and w not in ignore and w not in ENGLISH_LEVEL_WORDS
            and not re.fullmatch(r"[\d.,%]+|\w", w) and w not in QUESTION_WORDS]


def _glossary_match(text: str) -> tuple[list[list[str]], list[str], list[bool]]:
    table = glossary()
    words = [re.sub(r"'s$", "", w) for w in english_words(text)]
    used = [False] * len(words)
    groups: list[list[str]] = []
    max_len = max((len(k.split()) for k in table), default=1)
    for size in range(max_len, 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start:start + size]):
                continue
            window = words[start:start + size]
            for candidate in _variants(window):
                if candidate in table:
                    groups.append(list(table[candidate]))
                    used[start:start + size] = [True] * size
                    break
    return groups, words, used


def short_place_name(name: str) -> str:
    """凌河区 → 凌河, 锦州市 → 锦州 (keeps two-character names whole: 西市区 → 西市)."""
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=4096)
def place_pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(short_place_name(name))).lower()


def place_names(report: Report) -> list[str]:
    names = [n for n in (report.district, report.city, report.province) if n]
    if report.level == "national":
        names.append("全国")
    return names


def match_places(plan_text: str, lang: str, reports: list[Report]) -> list[PlaceMatch]:
    """Places named in the question (汉字 or pinyin), each with the reports it points to.

    The most specific naming wins: a district name selects that district's reports; a city name selects the
    city's own reports, or, when there are none, the reports of districts in that city.
    """
    normalized = normalize_for_search(plan_text)
    squashed = re.sub(r"[^a-z]", "", plan_text.lower()) if lang == "en" else ""
    tokens = set(english_words(plan_text)) if lang == "en" else set()
    matches: dict[str, PlaceMatch] = {}
    for report in reports:
        for name in place_names(report):
            short = short_place_name(name)
            hit = name in normalized or (len(short) >= 2 and short in normalized)
            if not hit and lang == "en":
                pinyin = place_pinyin(name)
                hit = len(pinyin) >= 4 and (pinyin in tokens or (pinyin in squashed and _pinyin_bounded(
                    plan_text.lower(), pinyin)))
            if hit:
                matches.setdefault(name, PlaceMatch(name, [])).report_ids.append(report.report_id)
    # Keep the most specific names: drop a city when one of its districts is named.
    by_id = {r.report_id: r for r in reports}
    named = set(matches)
    result: list[PlaceMatch] = []
    for name, match in matches.items():
        own_level = [rid for rid in match.report_ids
                     if (by_id[rid].district or by_id[rid].city or by_id[rid].province) == name]
        children_named = any(by_id[rid].district in named for rid in match.report_ids if by_id[rid].district
                             and by_id[rid].district != name)
        if children_named and name not in {by_id[rid].district for rid in match.report_ids}:
            continue
        result.append(PlaceMatch(name, own_level or match.report_ids))
    return result


def _pinyin_bounded(text: str, pinyin: str) -> bool:
    """Pinyin may be written with spaces or hyphens between syllables (Ling He, Ling-he)."""
    letters = re.sub(r"[^a-z ]", " ", text)
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


def analyze(question: str, reports: list[Report]) -> QueryPlan:
    """Build the :class:`QueryPlan` for a question against the currently loaded reports."""
    lang = detect_language(question)
    script = detect_script(question) if lang == "zh" else "simplified"
    plan = QueryPlan(question, lang, script, normalize_for_search(question))
    plan.places = match_places(question, lang, reports)
    english = question if lang == "en" else " ".join(re.findall(r"[A-Za-z][A-Za-z0-9.&\-]*", question))
    plan.expansion_groups = [[to_simplified(t) for t in group] for group in glossary_groups(english)]
    if lang == "en":
        pinyins = {place_pinyin(name) for r in reports for name in place_names(r)}
        plan.untranslated = unmatched_english_words(question, pinyins)
    places = [m.name for m in plan.places] if lang == "en" else []  # Latin abbreviations in Chinese: GDP, PM2.5
    expansions = places + [t for group in plan.expansion_groups for t in group]
    plan.expansions = list(dict.fromkeys(expansions))
    return plan
