"""The indicator synonym table behind the ledger: which names reports use for the standard indicators.

The table lives in ``rag/data/indicators.tsv`` (documented there) so it can be extended without code
changes; its checksum is part of the ledger version, so stored ledgers are re-extracted when it changes.
``LedgerRow`` and ``extract_ledger`` live in :mod:`rag.reports.ledger`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rag.core.textnorm import aligned_search_text, normalize_for_search
from rag.core.tokens import QUERY_STOPWORDS

TABLE_FILE = "indicators.tsv"
KINDS = ("actual", "target", "multi-year")


class IndicatorError(ValueError):
    """An indicator name or filter that the table does not know; the message lists what is accepted."""


@dataclass(frozen=True)
class Indicator:
    """One row of the synonym table."""

    name: str  # canonical, Simplified
    english: str
    aliases_en: tuple[str, ...]
    synonyms: tuple[str, ...]
    measure: str  # level | rate
    units: tuple[str, ...]  # unit families
    better: str  # higher | lower
    parts: tuple[str, ...] = ()  # a combined name stands for these indicators, in order

    @property
    def combined(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class IndicatorTable:
    indicators: tuple[Indicator, ...]
    checksum: str

    def get(self, name: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.name == name:
                return indicator
        raise KeyError(name)

    def synonym_map(self) -> dict[str, Indicator]:
        """Every synonym (normalized search form) → its indicator."""
        found: dict[str, Indicator] = {}
        for indicator in self.indicators:
            for synonym in (indicator.name, *indicator.synonyms):
                found.setdefault(normalize_for_search(synonym), indicator)
        return found

    def resolve(self, name: str) -> list[str]:
        """Canonical names for a user-given name: Chinese (any script), a synonym or an English alias.

        A combined name (城乡居民人均可支配收入) gives its parts. Unknown names raise IndicatorError.
        """
        key = normalize_for_search(name).replace("_", " ")
        key_spaced = re.sub(r"\s+", " ", name.strip().lower().replace("_", " ").replace("-", " "))
        for indicator in self.indicators:
            aliases = {a.lower().replace("-", " ") for a in (*indicator.aliases_en, indicator.english)}
            if key_spaced in aliases:
                return list(indicator.parts) or [indicator.name]
        indicator = self.synonym_map().get(key)
        if indicator is not None:
            return list(indicator.parts) or [indicator.name]
        raise IndicatorError(
            f"unknown indicator {name!r}; use a Chinese name, a synonym or an English alias, e.g. "
            + ", ".join(f"{i.name} ({i.aliases_en[0] if i.aliases_en else i.english})"
                        for i in self.indicators if not i.combined)
        )


def _split(field: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(p.strip() for p in field.split(sep) if p.strip())


def parse_table(text: str) -> IndicatorTable:
    """Parse the TSV (comments start with #); a malformed line raises ValueError naming the line."""
    indicators = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 7:
            raise ValueError(f"{TABLE_FILE} line {lineno}: expected at least 7 tab-separated columns")
        name, english, aliases, synonyms, measure, units, better = (c.strip() for c in cols[:7])
        parts = _split(cols[7], ",") if len(cols) > 7 else ()
        if measure not in ("level", "rate") or better not in ("higher", "lower"):
            raise ValueError(f"{TABLE_FILE} line {lineno}: measure must be level|rate, better higher|lower")
        indicators.append(Indicator(name, english, _split(aliases), _split(synonyms), measure,
                                    _split(units, ","), better, parts))
    return IndicatorTable(tuple(indicators), hashlib.sha256(text.encode()).hexdigest()[:16])


@lru_cache(maxsize=1)
def load_table() -> IndicatorTable:
    text = resources.files("rag").joinpath("data", TABLE_FILE).read_text(encoding="utf-8")
    return parse_table(text)


def resolve_indicator(name: str) -> list[str]:
    return load_table().resolve(name)


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KINDS:
        raise IndicatorError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    return kind


@lru_cache(maxsize=4)
def mention_pattern(table: IndicatorTable) -> tuple[re.Pattern[str], dict[str, Indicator]]:
    """One pattern for every wording of the table (longest first, so 人均国内生产总值 is never read as
    国内生产总值), matched on :func:`aligned_search_text`; and wording → indicator."""
    synonyms: dict[str, Indicator] = {}
    for indicator in table.indicators:
        for synonym in (indicator.name, *indicator.synonyms):
            synonyms.setdefault(aligned_search_text(synonym), indicator)
    pattern = "|".join(re.escape(s) for s in sorted(synonyms, key=len, reverse=True))
    return re.compile(pattern), synonyms


# -- indicators a question names -------------------------------------------------------------------------
_SHARE_AFTER = re.compile(r"的?(?:比重|比例|占比|之比)")  # 赤字占国内生产总值的比重 asks a share, not GDP
_PART_BEFORE = re.compile(r"(?:人均|单位|占)$")
# "the economy of Linghe District in Jinzhou grew": a place's name may stand between the economy and its growth
_EN_GROWTH = re.compile(r"\beconom(?:y|ies|ic)\b(?:\W+\w+){0,6}?\W+(?:grow|grew|grown|growth|expand)", re.I)
# A place (of Xishi District, in Jinzhou City) does not narrow an indicator
_EN_PLACE = r"(?:[a-z]+\s+){1,3}(?:district|city|county|province|region|prefecture|municipality|town|village)\b"
_EN_NARROWED = re.compile(r"(?:in|for|of|on|into|to)\s+(?!(?:19|20)\d\d\b|china\b|the\s+(?:country|economy|nation)\b"
                          rf"|{_EN_PLACE})[a-z]")  # "investment in education" is not fixed-asset investment


_CJK = re.compile(r".*[\u4e00-\u9fff]")
_COORDINATED = re.compile(r"([\u4e00-\u9fff]{1,4})(?:和|与|及|、)$")


def _coordinated(norm: str, match: re.Match[str], synonyms: dict[str, Indicator]) -> list[Indicator]:
    """Indicators named with a shared head: 粮食和钢产量 is 粮食产量 and 钢产量 (the first word takes the head of the
    wording matched after it, when that makes a wording of the table)."""
    before = _COORDINATED.search(norm, 0, match.start())
    if before is None:
        return []
    word, first = match.group(0), before.group(1)
    found = []
    for cut in range(1, len(word) - 1):
        for start in range(len(first)):
            candidate = synonyms.get(first[start:] + word[cut:])
            if candidate is not None and candidate not in found:
                found.append(candidate)
    return found


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# Words that may stand before an indicator's English name without narrowing it (China's, the actual …), and the
# verbs of a target that take it as their object ("cutting energy consumption per unit of GDP").
_FRAMING_BEFORE = {"china", "chinese", "national", "nationwide", "country", "nation", "actual", "official", "overall",
                   "annual", "yearly", "expected", "planned", "targeted", "projected", "estimated", "reported",
                   "cut", "cutting", "reduce", "reducing", "lower", "lowering", "raise", "raising", "increase",
                   "increasing", "boost", "boosting", "curb", "curbing", "control", "controlling", "limit", "limiting",
                   "keep", "keeping", "hold", "holding", "expand", "expanding", "stabilize", "stabilizing"}


def _narrowing(word: str, vocabulary: frozenset[str]) -> bool:
    """A content word right before an indicator's English name that no name of the table uses ("youth" of "youth
    unemployment rate"): it asks for a part of the indicator, which the ledger does not hold."""
    return (word.isalpha() and len(word) > 2 and word not in vocabulary and word not in _FRAMING_BEFORE
            and word not in QUERY_STOPWORDS and word + "s" not in QUERY_STOPWORDS)


@lru_cache(maxsize=4)
def english_aliases(table: IndicatorTable) -> tuple[tuple[tuple[tuple[str, ...], tuple[Indicator, ...]], ...],
                                                     frozenset[str]]:
    """The table's English names as word tuples, longest first, each with every indicator it names (an alias
    several share — "unemployment rate": registered and surveyed — names each of them); and all their words."""
    by_alias: dict[tuple[str, ...], list[Indicator]] = {}
    for ind in table.indicators:
        for a in {*ind.aliases_en, ind.english.lower()}:
            words = _words(a)
            for form in (words, commuted(words)):
                if form and ind not in by_alias.setdefault(tuple(form), []):
                    by_alias[tuple(form)].append(ind)
    ordered = tuple((alias, tuple(inds)) for alias, inds in sorted(by_alias.items(), key=lambda p: -len(p[0])))
    return ordered, frozenset(word for alias in by_alias for word in alias)


def commuted(words: list[str]) -> list[str]:
    """An English name that coordinates two words, the other way round ("industrial and farm output" → "farm and
    industrial output": the same thing); [] for any other name."""
    return [words[2], "and", words[0], *words[3:]] if len(words) > 3 and words[1] == "and" else []


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


_SUBJECT_PRONOUNS = {"it", "they", "we"}  # inside a name's words they point back to its subject, never narrow it


def _contains(pair: tuple[str, str], alias: tuple[str, ...]) -> bool:
    """Whether ``alias`` (two words or more) has the two words next to each other."""
    return len(alias) > 2 and any(alias[k:k + 2] == pair for k in range(len(alias) - 1))


_GROUP_NOUNS = {"resident", "household", "people", "dweller", "population", "worker", "employee", "familie", "family"}


def _group_after(words: list[str], end: int) -> str | None:
    """The group an indicator's name is asked of, written after it: "disposable income of rural residents" asks
    the rural (农村居民) figure as "rural disposable income" does (None: no such phrase)."""
    rest = [w for w in words[end:end + 4] if w != "the"]
    if len(rest) >= 3 and rest[0] in ("of", "for", "among") and rest[1].isalpha() and rest[2] in _GROUP_NOUNS:
        return rest[1]
    return None


def _shared_head(words: list[str], i: int, alias: tuple[str, ...],
                 aliases: tuple[tuple[tuple[str, ...], tuple[Indicator, ...]], ...]) -> list[Indicator]:
    """Indicators named with the head of the alias matched at ``i``: "steel and grain output" is steel output and
    grain output (the word or two before "and" take the alias's last word, when that makes an alias)."""
    if len(alias) < 2 or i < 2 or words[i - 1] != "and":
        return []
    named = dict(aliases)
    for size in (1, 2):
        found = named.get((*words[i - 1 - size:i - 1], alias[-1])) if i - 1 - size >= 0 else None
        if found:
            return list(found)
    return []


def narrowing_words(text: str, table: IndicatorTable | None = None) -> frozenset[str]:
    """The English words of a question that ask for a part of a standard indicator ("youth" of "youth
    unemployment rate"), as :func:`_words` writes them: a figure for the whole does not answer it."""
    aliases, vocabulary = english_aliases(table or load_table())
    tokens = list(re.finditer(r"[a-z0-9]+", text.lower()))
    words = [_stem(t.group(0)) for t in tokens]
    found = set()
    for alias, _indicators in aliases:
        for i in range(1, len(words) - len(alias) + 1):
            if tuple(words[i:i + len(alias)]) != alias or words[i - 1] in _NOT_NARROWING:
                continue
            # right before the name, in the same phrase ("climb (retail price inflation)" is no modifier)
            adjacent = not text[tokens[i - 1].end():tokens[i].start()].strip(" -")
            verb = re.search(r"(?:ed|ing|ly)$", words[i - 1])  # "admitted inflation", "badly": a verb or an adverb
            if adjacent and not verb and _narrowing(words[i - 1], vocabulary):
                found.add(words[i - 1])
        for i in range(len(words) - len(alias) + 1):  # "… income of rural residents": the rural part
            group = _group_after(words, i + len(alias)) if tuple(words[i:i + len(alias)]) == alias else None
            if group is not None and group not in _NOT_NARROWING and group not in _FRAMING_BEFORE:
                found.add(group)
    return frozenset(found)


# Words before an indicator's name ("per unit of GDP", "what share of GDP"): another figure measured against it
_DENOMINATOR = re.compile(r"(?:per unit|share|percent|percentage|proportion|ratio|fraction) (?:of|to)$")


def measured_against(words: Sequence[str], start: int) -> bool:
    """Whether the English words before ``words[start]`` make what starts there the measure of another figure
    ("what share of GDP", "per unit of GDP"), not the figure asked."""
    return bool(_DENOMINATOR.search(" ".join(words[max(0, start - 3):start])))

# Words before an indicator's name that say how it is counted or join two names (plus, minus: as _stem writes
# them), not which part of it is asked
_NOT_NARROWING = {"average", "total", "combined", "overall", "gross", "plu", "minu", "per", "capita", "mean"}


def indicator_word(word: str) -> str:
    """A word as :func:`narrowing_words` writes it (lower case, plural s dropped)."""
    return _stem(word.lower())


def _head_later(words: list[str], start: int, size: int,
                aliases: tuple[tuple[tuple[str, ...], tuple[Indicator, ...]], ...]) -> bool:
    """Another alias starts inside this one and ends after it ("budget deficit" + "deficit ratio"): an English
    noun phrase's head is its last word, so the phrase names that other indicator."""
    end = start + size
    return any(start < j < end < j + len(other) and tuple(words[j:j + len(other)]) == other
               for other, _ in aliases for j in range(start + 1, end))


def question_indicators(text: str, table: IndicatorTable | None = None) -> list[Indicator]:
    """The standard indicators a question names, in order of mention (a combined name gives its parts).

    Chinese (either script): the table's wordings, longest first, never a share (占GDP比重) or a per-unit
    figure; one-character wordings (钢) are left to reports. English: the aliases, longest first, on words
    with plural s dropped ("special bonds" = "special bond"); a one-word alias narrowed by a phrase after it
    ("investment in education") does not count; "the economy grew" names GDP growth."""
    table = table or load_table()
    norm = aligned_search_text(text)
    found: list[tuple[int, Indicator]] = []
    pattern, synonyms = mention_pattern(table)
    rest = norm  # what the English aliases may still match: not the Latin letters of a Chinese wording (人均GDP)
    for m in pattern.finditer(norm) if re.search(r"[\u4e00-\u9fff]", norm) else ():  # GDP in English: an alias
        if m.group(0).isascii() and not _CJK.match(norm[m.start() - 1:m.start()] + norm[m.end():m.end() + 1]):
            continue  # "energy consumption per unit of GDP (全国)": a word of the English, not of a Chinese wording
        rest = rest[:m.start()] + " " * (m.end() - m.start()) + rest[m.end():]
        if m.end() - m.start() >= 2 and not _SHARE_AFTER.match(norm, m.end()) \
                and not _PART_BEFORE.search(norm, 0, m.start()):
            found.append((m.start(), synonyms[m.group(0)]))
            found.extend((m.start() - 1, other) for other in _coordinated(norm, m, synonyms))
    words = [w for w in _words(rest) if w not in _SUBJECT_PRONOUNS]  # "the energy it uses per unit of GDP"
    taken = [False] * len(words)
    aliases, vocabulary = english_aliases(table)
    by_words = dict(aliases)
    spaced = " ".join(words)
    for alias, indicators in aliases:
        for i in range(len(words) - len(alias) + 1):
            if tuple(words[i:i + len(alias)]) != alias or any(taken[i:i + len(alias)]):
                continue
            after = " ".join(words[i + len(alias):i + len(alias) + 3])
            if len(alias) == 1 and alias[0] not in ("gdp", "gnp", "cpi", "fdi") and _EN_NARROWED.match(after):
                continue
            if i and _narrowing(words[i - 1], vocabulary):
                continue  # "youth unemployment rate": a part of the indicator the reports do not give
            if len(alias) == 1 and i and words[i - 1] not in QUERY_STOPWORDS and any(
                    _contains((words[i - 1], alias[0]), other) for other, _ in aliases):
                continue  # "energy consumption … per unit of GDP": a longer name's words, not consumer spending
            if measured_against(words, i):
                continue  # "per unit of GDP", "what share of GDP": another indicator measured against it
            if _head_later(words, i, len(alias), aliases):
                continue  # "budget deficit ratio": a ratio (赤字率), its head is the last word, not the deficit
            group = _group_after(words, i + len(alias))
            if group is not None and (group, *alias) in by_words:
                indicators = by_words[(group, *alias)]  # "… income of rural residents": rural income
            elif group is not None and _narrowing(group, vocabulary):
                continue  # "… of migrant workers": a part of the indicator the reports do not give
            taken[i:i + len(alias)] = [True] * len(alias)
            found.extend((len(norm) + i, indicator) for indicator in indicators)  # after the Chinese, in word order
            found.extend((len(norm) + i - 2, other) for other in _shared_head(words, i, alias, aliases))
    if _EN_GROWTH.search(spaced):
        found.append((len(norm) + len(words), table.get("地区生产总值")))
    out: list[Indicator] = []
    for _, indicator in sorted(found, key=lambda f: f[0]):
        for member in ([table.get(p) for p in indicator.parts] if indicator.combined else [indicator]):
            if member not in out:
                out.append(member)
    return out
