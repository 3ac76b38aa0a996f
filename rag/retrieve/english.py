"""English question words: accents, word splitting, stems and derivational endings.

The base of English question handling: :mod:`rag.retrieve.translate` matches dictionary and termbase
phrases on these stems (Snowball, through PyStemmer), and :mod:`rag.retrieve.places` reads pinyin place
names through :func:`strip_accents`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer  # PyStemmer: the Snowball stemmers in C

# Irregular English forms → their base word (a stemmer only strips regular endings).
IRREGULAR = {"built": "build", "spent": "spend", "held": "hold", "won": "win", "grew": "grow", "grown": "grow",
             "made": "make", "paid": "pay", "sold": "sell", "brought": "bring", "bought": "buy", "led": "lead",
             "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "got": "get", "gave": "give",
             "given": "give", "took": "take", "taken": "take", "kept": "keep", "met": "meet", "lost": "lose",
             "children": "child", "women": "woman", "men": "man", "taught": "teach", "sought": "seek",
             "chose": "choose", "chosen": "choose", "began": "begin", "begun": "begin", "ran": "run",
             "became": "become", "drew": "draw", "drawn": "draw", "shown": "show", "seen": "see", "saw": "see",
             "went": "go", "gone": "go", "came": "come", "done": "do", "did": "do", "does": "do", "has": "have",
             "had": "have", "was": "be", "were": "be", "is": "be", "are": "be", "fought": "fight",
             "thought": "think", "caught": "catch", "sent": "send", "lent": "lend", "dealt": "deal",
             "felt": "feel", "meant": "mean", "struck": "strike", "undertook": "undertake",
             "undertaken": "undertake", "withdrew": "withdraw", "withdrawn": "withdraw", "wrote": "write",
             "written": "write", "rebuilt": "rebuild", "overcame": "overcome",
             "froze": "freeze", "frozen": "freeze", "hid": "hide", "hidden": "hide"}
PLURALS = {"children", "women", "men"}  # the irregular plural nouns above (not verb forms)


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
    """The Snowball (Porter 2) stem of an English word, for matching only: renovated / renovating /
    renovates → renov, companies → compani. Irregular forms go to their base word first (built → build)
    and British spellings to American ones (centre → center, labour → labor, organise → organize), the
    spelling of the dictionary. Dictionary keys and question words go through the same function."""
    word = IRREGULAR.get(word.lower(), word.lower())
    if not word.isalpha():
        return word  # pm2.5, 5g: kept as written
    for pattern, replacement in BRITISH:
        word = pattern.sub(replacement, word)
    return str(_stemmer().stemWord(word))


BRITISH = [(re.compile(r"(?<=\w\w[^aeiou])re(s|d)?$"), r"er\1"), (re.compile(r"(?<=\w\w\w)our(s|ed|ing)?$"), r"or\1"),
           (re.compile(r"(?<=\w\w\w)is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"), (re.compile(r"mme(s)?$"), r"m\1"),
           (re.compile(r"^(def|off|lic|pret)ence(s)?$"), r"\1ense\2")]  # defence, offence, licence, pretence


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


DERIVATIONS = ("ment", "tion", "sion", "ity", "ness", "ance", "ence", "ancy", "ency", "ant", "ent", "er", "or", "ist", "ism",
               "al", "ive", "ous", "ful", "less", "able", "ible", "ly", "ship", "hood", "ing", "ure", "th")


@lru_cache(maxsize=65536)
def derivation(word: str) -> str:
    """The derivational ending of a word (employment → ment, employer → er, employ → ""), which a stem
    drops: a gloss with the question word's own ending ("employment" 就业) translates it better than one
    that only shares its stem ("to employ" 雇用). Inflections (-s, -ed) do not count."""
    word = IRREGULAR.get(word.lower(), word.lower())
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    return next((e for e in DERIVATIONS if word.endswith(e) and len(word) > len(e) + 2), "")


def comparative_bases(word: str) -> list[str]:
    """The positive forms a comparative or superlative may come from (faster → fast, wider → wide, bigger →
    big, earlier → early), for a word the dictionary does not list itself."""
    word = word.lower()
    for ending in ("est", "er"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            base = word[:-len(ending)]
            options = [base, base + "e"]
            if base.endswith("i"):
                options.append(base[:-1] + "y")
            if len(base) > 2 and base[-1] == base[-2]:
                options.append(base[:-1])
            return options
    return []


def stems(words: list[str]) -> tuple[str, ...]:
    return tuple(stem(w) for w in words)


NOUN_PHRASE_END = {"did", "do", "does", "were", "was", "are", "is", "have", "has", "had", "will", "would",
                   "can", "could", "in", "of", "for", "to", "at", "on", "by", "with", "from", "during", "under",
                   "that", "which", "who", "and", "or", "per", "across", "within", "into", "over", "since"}


def noun_phrase_end(words: list[str], start: int) -> int:
    """Index just past the noun phrase that starts at ``start`` (lower-case words): it ends at an auxiliary or a
    preposition, or at the past-form verb after it ("how many students went abroad", "how many households
    moved"; not "newly built homes" nor "registered companies")."""
    end = start
    while end < len(words) and words[end] not in NOUN_PHRASE_END:
        end += 1
    for k in range(start + 1, end):
        word = words[k]
        past = (word in IRREGULAR and word not in PLURALS) or (word.endswith("ed") and k == end - 1)
        if past and not words[k - 1].endswith("ly"):
            return k
    return end
