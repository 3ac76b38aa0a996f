"""Pure text helpers shared by ingestion and search: script conversion and the normalized search form.

The search form lets a Traditional question match Simplified text (and the reverse), full-width digits
match ASCII ones, and ignores whitespace that scrapers insert between characters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WHITESPACE_RE = re.compile(r"\s+")
# Sentence ends used for splitting long paragraphs; closing quotes stay with their sentence.
SENTENCE_END_RE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』)）]*|[^。！？；!?;]+$")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t.json")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC, phrase-aware)."""
    return _t2s().convert(text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional (OpenCC), used to answer Traditional questions in their own script."""
    return _s2t().convert(text)


def normalize_for_search(text: str) -> str:
    """The normalized search form: NFKC (full-width → half-width), Simplified, lower case, no whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return WHITESPACE_RE.sub("", text).lower()


def aligned_search_text(text: str) -> str:
    """Simplified, half-width, lower-case form of ``text`` with exactly one character per original character,
    so an offset found in it points into the original text (ledger quotes, time cues)."""
    chars = []
    for ch in text:
        norm = unicodedata.normalize("NFKC", ch)
        norm = norm if len(norm) == 1 else ch
        low = norm.lower()
        chars.append(low if len(low) == 1 else norm)
    folded = "".join(chars)
    simplified = to_simplified(folded)
    if len(simplified) == len(folded):
        return simplified
    out = []
    for ch in folded:  # phrase conversion changed the length somewhere: convert one character at a time
        conv = to_simplified(ch)
        out.append(conv if len(conv) == 1 else ch)
    return "".join(out)


def count_cjk(text: str) -> int:
    return len(CJK_RE.findall(text))


def detect_script(text: str, sample: int = 20000) -> str:
    """``traditional`` when converting to Simplified changes more characters than converting to Traditional."""
    chunk = "".join(CJK_RE.findall(text[:sample]))
    if not chunk:
        return "simplified"
    simp = to_simplified(chunk)
    trad = to_traditional(chunk)
    n_trad_chars = sum(a != b for a, b in zip(chunk, simp, strict=False))
    n_simp_chars = sum(a != b for a, b in zip(chunk, trad, strict=False))
    return "traditional" if n_trad_chars > n_simp_chars else "simplified"


def split_sentences(text: str) -> list[str]:
    """Split at Chinese/ASCII sentence ends, keeping the punctuation; concatenation gives back ``text``."""
    parts = [m.group(0) for m in SENTENCE_END_RE.finditer(text) if m.group(0)]
    joined = "".join(parts)
    if joined != text:  # defensive: never lose characters
        return [text]
    return parts


# One pinyin syllable (initial + final), toneless; ü may be written ü or v. Used to tell pinyin from other
# Latin text: page annotations to remove at ingest (rag/ingest/repair.py), place names in English questions
# (rag/retrieve/places.py).
PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|iao|ian|uai|uan|üan|ai|ei|ao|ou|an|en|er|ia|ie|iu|in"
    r"|ua|uo|ui|un|üe|ue|ün|ve|a|o|e|i|u|ü|v)"
)


# The older reports' wordings of "per head" (按人口平均的纯收入, 平均每人的纯收入, 每人平均; 21 times in the national
# reports, against 121 人均): matched as 人均, the wording of the indicator names and of today's reports.
PER_CAPITA = re.compile(r"按人口平均(?:计算)?的?|平均每人的?|每人平均")


def per_capita(text_norm: str) -> str:
    """``text_norm`` with the older per-head wordings written 人均 (for matching only, never quoted)."""
    return PER_CAPITA.sub("人均", text_norm)
