"""Citations: the numbered sources behind an answer, each pointing at a paragraph and an exact quoted span."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rag.core.textnorm import normalize_for_search
from rag.core.tokens import bigrams
from rag.retrieve.hybrid import SearchHit

# Sentence-like units for quoting: Chinese reports chain clauses with ；, so split there too.
UNIT_RE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]+[”’」』)）]*|[^。！？；!?;\n]+")


# A bracketed number inside report text ("[1]" footnotes, forged "[2]" marks): in answers only the engine's own
# markers may read as citations, so quoted report text shows them with full-width brackets instead.
TEXT_MARKER_RE = re.compile(r"\[(\s*\d{1,3}\s*)\]")


def neutralize_markers(text: str) -> str:
    """Report text with ``[n]`` written as ``［n］``, so it never reads as (or renders as) a citation marker."""
    return TEXT_MARKER_RE.sub(r"［\1］", text)


@dataclass
class Citation:
    """Source ``n`` of an answer: where it is and the words that support the claim."""

    n: int
    hit: SearchHit
    quote: str
    quote_start: int  # offset of the quote inside the chunk text

    def to_dict(self) -> dict[str, Any]:
        chunk = self.hit.chunk
        return {
            "n": self.n,
            "chunk_id": chunk.chunk_id,
            "report_id": chunk.report_id,
            "title": self.hit.report.title,
            "report_year": self.hit.report.year,
            "speaks_about": chunk.time.to_dict(),
            "section_path": chunk.section_path,
            "paragraph": chunk.paragraph,
            "quote": self.quote,
            "quote_start": self.quote_start,
            "text": chunk.text,
        }


def sentence_units(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentence-like units of ``text``, stripped of surrounding whitespace."""
    spans = []
    for match in UNIT_RE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def locate_quote(chunk_text: str, claim: str) -> tuple[int, int]:
    """The unit of ``chunk_text`` that best supports ``claim`` (most shared bigrams and figures)."""
    claim_norm = normalize_for_search(claim)
    claim_grams = set(bigrams(claim_norm)) | set(re.findall(r"\d+(?:\.\d+)?", claim_norm))
    best, best_score = (0, len(chunk_text)), -1.0
    for start, end in sentence_units(chunk_text):
        unit = normalize_for_search(chunk_text[start:end])
        grams = set(bigrams(unit)) | set(re.findall(r"\d+(?:\.\d+)?", unit))
        score = len(claim_grams & grams)
        if score > best_score:
            best, best_score = (start, end), score
    return best
