"""English → Chinese report vocabulary: the packaged glossary, indicator aliases and wordings.

* a glossary of report vocabulary (``rag/data/glossary_en_zh.tsv``), matched on word stems so inflections
  need no entries of their own ("renovated", "renovating" → renovate → 改造), plus the English aliases of
  the ledger's indicator table (``rag/data/indicators.tsv``);
* numbered slogans ("four zones and four centers" → 四区四中心);
* Chinese questions that name a standard indicator (新增就业, 社零额) get all its wordings.

English content words that nothing translates are listed by :func:`unmatched_english_words`: the answer
engine treats them as topic words no Chinese passage can cover (an unanswerable question is refused rather
than answered loosely); generic words (help, want, refer …) are not topic words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rag.core.textnorm import normalize_for_search, to_simplified
from rag.core.years import ARABIC_YEAR
from rag.retrieve.english import CN_NUMERALS, NUMBER_WORDS, english_words, stem, stems
from rag.retrieve.figures import unit_word

if TYPE_CHECKING:
    from rag.reports.indicators import Indicator

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary_en_zh.tsv"
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
def _glossary_table() -> dict[tuple[str, ...], GlossaryEntry]:
    """Stemmed English phrase → entry (phrases that share their stems are merged: renovate, renovated)."""
    table: dict[tuple[str, ...], GlossaryEntry] = {}
    for english, entry in _glossary_entries().items():
        key = stems(english_words(english))
        if not key:
            continue
        if key in table:
            old = table[key]
            entry = GlossaryEntry(tuple(dict.fromkeys([*old.terms, *entry.terms])), old.soft and entry.soft)
        table[key] = entry
    return table


@lru_cache(maxsize=512)
def glossary_matches(text: str) -> tuple[tuple[PhraseMatch, ...], tuple[str, ...], tuple[bool, ...]]:
    """The glossary phrases of ``text`` (longest first, each word used once, in the order found), the words
    of ``text`` and which of them a phrase used."""
    table = _glossary_table()
    words = english_words(text)
    word_stems = stems(words)
    used = [False] * len(words)
    found: list[PhraseMatch] = []
    max_len = max((len(k) for k in table), default=1)
    for size in range(min(max_len, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start:start + size]):
                continue
            entry = table.get(word_stems[start:start + size])
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
        if re.fullmatch(rf"[\d.,%$]+|\w|\d+(st|nd|rd|th|s)?|{ARABIC_YEAR}s?", word) or unit_word(word):
            continue
        out.append(word)
    return out


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in GENERIC_WORDS)


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
