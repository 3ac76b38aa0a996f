"""English question words: accents, word splitting, a light stemmer, number words.

The base of English question handling: :mod:`rag.retrieve.glossary` matches phrases on these stems,
:mod:`rag.retrieve.figures` reads amounts written with these number words, and :mod:`rag.retrieve.places`
reads pinyin place names through :func:`strip_accents`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000}
CN_NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
               11: "十一", 12: "十二", 15: "十五", 20: "二十", 30: "三十", 40: "四十", 50: "五十", 100: "百",
               1000: "千"}
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
DOUBLED = re.compile(r"([bdgmnprt])\1$")


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


def stems(words: list[str]) -> tuple[str, ...]:
    return tuple(stem(w) for w in words)
