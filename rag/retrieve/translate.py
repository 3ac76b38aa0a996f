"""English question → Chinese search terms: dictionary-based translation, disambiguated by the corpus.

Each stretch of an English question is looked up longest first (phrases before words, on word stems): the
termbase (:mod:`rag.retrieve.glossary`: report vocabulary and indicator wordings) gives the report's own
wording; otherwise CC-CEDICT reversed (:mod:`rag.retrieve.dictionary`) offers every Chinese headword the
phrase glosses, and the corpus (:mod:`rag.retrieve.corpus`) picks those the reports use — a gloss with
the question word's own ending first (employment → 就业 before employ → 雇用), then the commonest. A phrase
none of whose candidates occurs in the reports translates to nothing: its words stay
:func:`untranslated`, topic words no Chinese passage can cover. So do nouns translated word by word whose
Chinese the reports never write together (space exploration: 空间 + 探索) and the modifiers of a noun
nothing translates (foreign embassies). Framing words (help, want, refer …) are neither translated nor
topic words.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

import cn2an

from rag.core.tokens import QUERY_STOPWORDS, dictionary_entry
from rag.core.years import ARABIC_YEAR
from rag.retrieve.corpus import TermCounts
from rag.retrieve.dictionary import Sense, lexicon
from rag.retrieve.english import comparative_bases, derivation, english_words, noun_phrase_end, stem, stems
from rag.retrieve.figures import is_number_word, number_value, unit_word
from rag.retrieve.glossary import phrase_form, termbase

CANDIDATES = 3  # dictionary wordings kept per English phrase
POOL = 16  # dictionary senses weighed per phrase (its first glosses): rarer glosses are rarely meant
RANK_WEIGHT = 0.5  # a gloss further down a headword's list weighs less (log-count units per position)
QUESTION_WORDS = {"who", "when", "where", "why", "whose", "whom", "much", "many", "has", "have", "had", "be",
                  "been", "according", "say", "said", "tell", "show", "give", "report", "reports", "there",
                  "their", "about", "into", "than", "more", "over", "under", "up", "out", "all", "any", "each"}
ENGLISH_LEVEL_WORDS = {"province", "city", "district", "county", "prefecture", "municipality", "region",
                       "provincial", "municipal", "autonomous", "banner", "league"}
# Words that say nothing about a question's topic (framing, generic verbs, vague quantities); compared as
# stems. The dictionary does not translate them and they do not count as untranslated.
GENERIC_WORDS = {
    "help", "want", "wish", "hope", "try", "need", "give", "get", "make", "take", "put", "let", "keep", "go",
    "come", "become", "see", "look", "know", "think", "say", "tell", "ask", "call", "name", "list",
    "describe", "explain", "mention", "state", "note", "show", "refer", "mean", "include", "involve", "cite", "quote",
    "concern", "regard", "relate", "happen", "occur", "do", "doe", "use", "seem", "like", "also", "both",
    "either", "neither", "other", "another", "such", "some", "several", "various", "specific", "particular",
    "certain", "respective", "respectively", "overall", "exactly", "approximately", "roughly", "around",
    "nearly", "almost", "only", "just", "even", "still", "yet", "already", "so", "far", "then", "as", "well",
    "very", "much", "many", "more", "most", "less", "least", "few", "lot", "kind", "type", "sort", "way",
    "thing", "something", "anything", "detail", "information", "data", "figure", "amount", "number", "level",
    "size", "count", "value", "year", "month", "decade", "period", "time", "date", "during", "since", "until", "while",
    "after", "before", "between", "within", "across", "among", "through", "per", "via", "toward", "towards",
    "against", "government", "local", "authority", "official", "officials", "report", "according", "plan",
    "aim", "intend", "expect", "suppose", "propose", "set", "goal", "pencil", "older", "younger", "money",
    "minimum", "maximum", "currently", "current", "now", "recent", "recently",
    "latest", "previous", "following", "next", "last", "whole", "entire", "full", "able", "can", "could",
    "will", "would", "shall", "should", "may", "might", "must", "did", "does", "done", "been", "being", "be",
    "am", "we", "you", "they", "he", "she", "i", "me", "us", "our", "your", "his", "her", "them", "these",
    "those", "here", "than", "if", "whether", "not", "no", "yes", "please", "exist", "find", "found",
    "provide", "receive", "achieve", "reach", "attain", "hit", "record", "register", "manage", "succeed",
    "accomplish", "deliver", "carry", "conduct", "undertake", "perform", "work", "doing", "item", "part",
    "aspect", "area", "field", "term", "case", "example", "table", "chart", "breakdown", "e.g", "i.e", "etc", "approx", "what", "which",
    "how", "why", "where", "when", "who", "whom", "whose", "stand", "actually", "really", "new", "worth",
    "valued", "total", "annual", "specifically", "mainly", "chiefly", "primarily", "largely", "mostly",
    "main", "long", "newly", "status", "situation", "present", "submit", "turn", "early", "late", "mid",
    "unveil", "announce", "lay", "laid",
    "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december",
}


# "at the end of 1982", "by the middle of the year": when, not what (the year is read by rag/retrieve/when.py)
TIME_FRAME = re.compile(r"\b(?:at|by|until|till|before|after|towards?|from|since|in|during) the "
                        r"(?:end|beginning|start|middle|close|turn) of\b", re.I)


@dataclass(frozen=True)
class PhraseMatch:
    start: int  # index of the phrase's first word in english_words(text)
    end: int
    terms: tuple[str, ...]
    soft: bool  # a verb-like word whose Chinese wording varies: helps choose sentences, never required
    dictionary: bool = False  # translated by the general dictionary (not the termbase)


@dataclass(frozen=True)
class Translation:
    """The translated phrases of a question (longest first, in the order found), its words and which of
    them a phrase used."""

    matches: tuple[PhraseMatch, ...]
    words: tuple[str, ...]
    used: tuple[bool, ...]


def _framing(word: str) -> bool:
    """A word that frames the question rather than naming its topic."""
    return word in QUERY_STOPWORDS or word in QUESTION_WORDS or word in ENGLISH_LEVEL_WORDS


def topicless(word: str) -> bool:
    """A word that names no topic: framing, generic, a number, a year, a unit or a lone letter."""
    if _framing(word) or word in GENERIC_WORDS or stem(word) in _generic_stems() or is_number_word(word):
        return True
    return bool(re.fullmatch(rf"[\d.,%$]+|\w|\d+(st|nd|rd|th|s)?|{ARABIC_YEAR}s?", word)) or unit_word(word)


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in GENERIC_WORDS)


def choose(senses: tuple[Sense, ...], form: str, counts: TermCounts) -> tuple[tuple[str, ...], bool]:
    """The Chinese wordings of a dictionary phrase that the reports use, best first, and whether they are
    all verbs. Glosses with the question word's own ending come first; among them, the commonest in the
    corpus (a gloss further down a headword's list counts less). None occurs: no translation."""
    pool = sorted((s for s in senses if len(s.headword) >= 2), key=lambda s: s.rank)[:POOL]
    for tier in ([s for s in pool if s.form == form], pool):
        best: dict[str, tuple[float, Sense]] = {}
        for s in tier:
            if written := _written(s.headword, counts):
                score = math.log1p(written) - RANK_WEIGHT * s.rank
                if s.headword not in best or score > best[s.headword][0]:
                    best[s.headword] = (score, s)
        if best:
            chosen = [s for _, s in sorted(best.values(), key=lambda item: -item[0])[:CANDIDATES]]
            return tuple(s.headword for s in chosen), all(s.verb for s in chosen)
    return (), False


def _written(headword: str, counts: TermCounts) -> int:
    """How often the reports write a dictionary headword. Two characters jieba does not know as a word may
    only meet across two words (中中 of 其中中央): those count where they are read as a word of their own."""
    count = counts.count(headword)
    if count and len(headword) == 2 and not dictionary_entry(headword)[0]:
        return counts.word_count(headword)
    return count


@lru_cache(maxsize=2048)
def translate(text: str, counts: TermCounts, ignore: frozenset[str] = frozenset()) -> Translation:
    """The Chinese terms of the English ``text`` (words in ``ignore``, such as place names, are left alone)."""
    # "imports plus exports": plus joins two things like "and" (进出口 is "imports and exports"), it is no topic
    words = ["and" if w == "plus" else w for w in english_words(TIME_FRAME.sub(" ", text))]
    word_stems, forms = stems(words), [derivation(w) for w in words]
    table, lex = termbase(), lexicon()
    blocked = [w in ignore for w in words]
    # "how fast / big / large …" asks for a measure: the adjective frames the question, it is no topic
    framing = [i > 0 and words[i - 1] == "how" for i in range(len(words))]
    blocked = [b or f for b, f in zip(blocked, framing, strict=True)]
    plain = [topicless(w) or blocked[i] for i, w in enumerate(words)]
    used = [False] * len(words)
    found: list[PhraseMatch] = []
    longest = max(max((len(k) for k in table), default=1), lex.max_words)
    for size in range(min(longest, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            end = start + size
            if any(used[start:end]) or any(blocked[start:end]):
                continue
            key = word_stems[start:end]
            entry = table.get(key, {}).get(phrase_form(words[start:end]))
            if entry is not None:
                terms, soft = entry.terms, entry.soft
            elif (_framing(words[start]) and not _level_modifier(words, start, end)) or all(plain[start:end]) \
                    or (_framing(words[end - 1]) and not _phrasal_verb(words, start, end)):
                continue  # "how much", "as well as": no topic of their own
            else:
                senses = lex.senses(key)
                if not senses and size == 1:  # faster, wider: the dictionary lists fast, wide
                    senses = next((found_senses for base in comparative_bases(words[start])
                                   if (found_senses := lex.senses((stem(base),)))), ())
                terms, soft = choose(senses, " ".join(forms[start:end]), counts)
                if not terms and size == 1 and re.fullmatch(r"[a-z]+ists?", words[start]):
                    # socialist → socialism's 社会主义 (the dictionary's 社会主义者 is a person the reports rarely name)
                    base = re.sub(r"ists?$", "ism", words[start])
                    terms, soft = choose(lex.senses((stem(base),)), derivation(base), counts)
            if terms:
                found.append(PhraseMatch(start, end, terms, soft, entry is None))
                used[start:end] = [True] * size
    doubtful = unattested_compounds(found, words, counts, clause_starts(TIME_FRAME.sub(" ", text)))
    starts = {m.start for m in found}
    for i, word in enumerate(words):  # a modifier of a noun nothing translates (foreign embassies, gold medals)
        if i + 1 in starts:
            continue  # itself a modifier of a translated noun ("Sino-foreign equity joint ventures")
        if not used[i] and not plain[i] and (re.search(r"[^s]s$", word) or derivation(word) in NOUN_ENDINGS):
            doubtful |= {j for m in found if m.dictionary and not m.soft and m.end == i for j in range(m.start, i)}
    kept = tuple(m for m in found if not doubtful.intersection(range(m.start, m.end)))
    for index in doubtful:
        used[index] = False
    return Translation(kept, tuple(words), tuple(used))


# The adverb particles of phrasal verbs: "handed over" is 交付, "set up" 设立, "carried out" 开展; alone they frame
PARTICLES = frozenset({"over", "out", "up"})  # not on, in: "added on average", "set in 2020"


def _phrasal_verb(words: list[str], start: int, end: int) -> bool:
    """A verb and its particle ("handed over", "set up"): looked up as one dictionary phrase, though the
    particle alone is a framing word."""
    return end - start == 2 and words[end - 1] in PARTICLES and not topicless(words[start])


def _level_modifier(words: list[str], start: int, end: int) -> bool:
    """An administrative level word opening a phrase of two or more words whose head names a topic ("provincial
    capitals" 省会): the phrase is looked up; the level word alone only says where ("the city government")."""
    return words[start] in ENGLISH_LEVEL_WORDS and end - start >= 2 and not topicless(words[end - 1])


def phrase_words(text: str) -> frozenset[str]:
    """Words of ``text`` inside a two- or three-word phrase of the termbase or the dictionary ("national
    defence" 国防, "gross national product" 国民生产总值, "Chinese medicine" 中医): there they name a topic, not
    the country."""
    words = english_words(text)
    word_stems = stems(words)
    table, lex = termbase(), lexicon()
    return frozenset(word for i in range(len(words)) for size in (2, 3)
                     if i + size <= len(words) and (tuple(word_stems[i:i + size]) in table
                                                    or lex.senses(tuple(word_stems[i:i + size])))
                     for word in words[i:i + size])


ADJECTIVE_ENDINGS = {"al", "ive", "ous", "ful", "less", "able", "ible"}
# Characters a report may put between a multi-word modifier's content word and the head it modifies: the
# modifier's other word often becomes a two-character word there, 中央[财政]赤字 ("central government deficit").
COMPOUND_GAP = 2
NOUN_ENDINGS = {"ment", "tion", "sion", "ity", "ness", "ance", "ence", "ancy", "ency", "ism", "ship", "hood"}


def clause_starts(text: str) -> frozenset[int]:
    """Indexes (in :func:`english_words`) of the words that follow a comma, colon, semicolon, bracket or slash:
    "agriculture, farmers and rural areas" lists three things, it is no compound."""
    starts: set[int] = set()
    position = 0
    for part in re.split(r"[,;:()/]", text):
        position += len(english_words(part))
        starts.add(position)
    return frozenset(starts)


def unattested_compounds(found: list[PhraseMatch], english: list[str], counts: TermCounts,
                         breaks: frozenset[int] = frozenset()) -> set[int]:
    """Words of adjacent nouns translated word by word ("space exploration" → 空间 + 探索) whose Chinese
    the library never writes together (空间探索, 空间的探索; 旅游总收入 does for "tourism revenue"): a
    compound the dictionary does not know and the reports do not use, so the question asks about something
    they do not cover: its words stay untranslated. Only a text can tell, not a table of counts.

    A multi-word modifier is also tried by its content words alone ("central government deficit": the
    reports write 中央财政赤字, not 中央政府赤字): when only those are attested, the modifier takes their
    wording (``found`` is updated in place)."""
    if not counts.text:
        return set()
    # nouns: no verb senses, or a noun ending (exploration 探索 glosses "to explore")
    nouns = [m for m in found if m.dictionary and (not m.soft or derivation(english[m.end - 1]) in NOUN_ENDINGS)]
    by_start = {m.start: m for m in nouns}
    words: set[int] = set()
    # A word the reports do write together with one neighbour ("digital technology": 数字技术) is attested by
    # that compound; a failed pairing with its other neighbour ("tie digital": a verb read as a noun) says
    # nothing against it.
    attested: set[int] = set()
    following = {m.start: m for m in found}
    for first in found:
        second = following.get(first.end)
        if second is not None and any(counts.near(a, b) for a in first.terms for b in second.terms):
            attested.update(range(first.start, second.end))
    unattested: list[tuple[PhraseMatch, PhraseMatch]] = []
    for first in nouns:
        second = by_start.get(first.end)
        if second is None or first.end in breaks or _adjective(english[first.end - 1]):
            continue  # "global financial crisis": an adjective's wording varies more (全球 / 国际)
        if any(counts.near(a, b, COMPOUND_GAP) for a in first.terms for b in second.terms):
            continue
        shorter = tuple(t for t in _content_wordings(english[first.start:first.end], counts)
                        if any(counts.near(t, b, COMPOUND_GAP) for b in second.terms))
        if first.end - first.start > 1 and shorter:
            found[found.index(first)] = replace(first, terms=shorter)
            continue
        unattested.append((first, second))
    # Of a lone pair, the less ambiguous word keeps its wording ("railway track": 铁路 is railway's only wording
    # in the reports, track has six): the pair says nothing against it; equally ambiguous, neither is trusted.
    # A chain of such pairs ("average housing price") is a compound nothing knows: none of its words is.
    chained = [m.start for pair in unattested for m in pair]
    for first, second in unattested:
        senses = {m.start: _wordings_used(english[m.start:m.end], counts) for m in (first, second)}
        lone = chained.count(first.start) == 1 and chained.count(second.start) == 1
        doubted = [m for m in (first, second) if not lone or senses[m.start] >= max(senses.values())]
        words.update(i for m in doubted for i in range(m.start, m.end) if i not in attested)
    return words


def _wordings_used(words: list[str], counts: TermCounts) -> int:
    """How many of a phrase's dictionary headwords (one character or more) the library uses: how ambiguous
    its translation is."""
    return sum(1 for s in lexicon().senses(tuple(stems(words))) if counts.count(s.headword))


def _adjective(word: str) -> bool:
    """An adjective by its ending (financial, massive) or a comparative the dictionary lacks (larger)."""
    if derivation(word) in ADJECTIVE_ENDINGS:
        return True
    return bool(comparative_bases(word)) and not lexicon().senses((stem(word),))


def _content_wordings(words: list[str], counts: TermCounts) -> list[str]:
    """The dictionary wordings of each content word of a phrase, taken alone."""
    wordings: list[str] = []
    for word in words:
        if not topicless(word):
            wordings += choose(lexicon().senses(tuple(stems([word]))), derivation(word), counts)[0]
    return wordings


def untranslated(translation: Translation, ignore: set[str] | frozenset[str]) -> list[str]:
    """Content words of an English question that nothing translated (and not in ``ignore``)."""
    words = translation.words
    return [word for i, (word, was_used) in enumerate(zip(words, translation.used, strict=True))
            if not was_used and word not in ignore and not topicless(word) and not (i and words[i - 1] == "how")]


def counted_match(translation: Translation) -> int | None:
    """Index (in ``translation.matches``) of the thing a "how many …" / "number of …" question counts: the
    head noun, the last word of the noun phrase after it ("how many flood rescue teams did …" counts
    teams). A report writes a count with a measure word (416人, 530支) rather than repeating the noun."""
    words = translation.words
    for i in range(len(words) - 1):
        if (words[i], words[i + 1]) not in (("how", "many"), ("number", "of")):
            continue
        head = noun_phrase_end(words, i + 2) - 1
        if head >= i + 2:
            for index, match in enumerate(translation.matches):
                if match.start <= head < match.end:
                    return index
        return None
    return None


SLOGAN_PIECES = 4  # Chinese wordings tried per noun of a numbered slogan
SLOGAN_JOINS = {"and", "&", "plus"}


def numbered_compounds(text: str, counts: TermCounts) -> tuple[list[str], set[int]]:
    """Numbered slogans named in English, in their Chinese shape: "four zones and four centers" → 四区四中心.

    Each number + a short Chinese wording of the next word (区, 中心: the termbase's or the dictionary's);
    adjacent pairs (joined by "and") form one name, and of the names so spelled the longest one the reports
    use wins (四区四中心 over its part 四区四中; a library that cannot be searched takes the commonest pieces). Returns the names and the
    indexes (in :func:`english_words`) of the words they consumed; a lone "six brands" is no slogan."""
    words = english_words(text)
    pieces: list[tuple[int, list[str]]] = []
    for i, word in enumerate(words[:-1]):
        value = number_value(word)
        if value is None or not 1 <= value <= 99 or topicless(words[i + 1]):
            continue
        numerals = [cn2an.an2cn(str(value))] + (["两"] if value == 2 else [])
        nouns = _short_wordings(words[i + 1], counts)
        if nouns:
            pieces.append((i, [n + noun for noun in nouns for n in numerals]))
    groups: list[tuple[list[int], list[list[str]]]] = []
    for i, options in pieces:
        last = groups[-1][0][-1] if groups else -10
        if groups and (i - last == 2 or (i - last == 3 and words[i - 1] in SLOGAN_JOINS)):
            groups[-1][0].append(i)
            groups[-1][1].append(options)
        else:
            groups.append(([i], [options]))
    names: list[str] = []
    consumed: set[int] = set()
    for starts, options in groups:
        if len(starts) < 2:
            continue
        spelled = ["".join(parts) for parts in itertools.islice(itertools.product(*options), 256)]
        used = [name for name in spelled if counts.count(name)]
        if used or not counts.text:
            names.append(max(used, key=lambda name: (len(name), counts.count(name))) if used else spelled[0])
            consumed.update(range(starts[0], starts[-1] + 2))
    return names, consumed


def _short_wordings(word: str, counts: TermCounts) -> list[str]:
    """Short Chinese wordings (1–3 characters) of one English noun, the termbase's first, then the
    dictionary's commonest in the reports."""
    key = (stem(word),)
    entry = termbase().get(key, {}).get(phrase_form([word]))
    own = [t for t in entry.terms if len(t) <= 3] if entry else []
    senses = sorted((s for s in lexicon().senses(key) if len(s.headword) <= 2 and counts.count(s.headword)),
                    key=lambda s: -counts.weight(s.headword) + RANK_WEIGHT * s.rank)
    return list(dict.fromkeys([*own, *(s.headword for s in senses)]))[:SLOGAN_PIECES]
