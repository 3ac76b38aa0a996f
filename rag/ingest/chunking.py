"""Lay out the cleaned text and cut it into citable chunks that keep their place in the report.

One chunk per paragraph; long paragraphs are split at sentence ends with a one-sentence overlap, tiny ones
join a neighbour of the same section. Every chunk is an exact slice of the cleaned text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.core.models import Chunk, Section
from rag.core.textnorm import normalize_for_search, split_sentences
from rag.ingest.sections import Block

OVERLAP_MAX_CHARS = 120


@dataclass
class Paragraph:
    number: int
    start: int
    end: int
    path: tuple[str, ...]


@dataclass
class Layout:
    cleaned_text: str
    paragraphs: list[Paragraph]
    sections: list[Section]


def layout_report(header: list[str], blocks: list[Block]) -> Layout:
    """Join header and body into the cleaned text, numbering body paragraphs (¶1…) and tracking sections."""
    pieces: list[str] = []
    offset = 0

    def emit(text: str) -> int:
        nonlocal offset
        start = offset
        pieces.append(text)
        offset += len(text) + 1  # newline separator
        return start

    for line in header:
        emit(line)
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    for block in blocks:
        start = emit(block.text)
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            sections.append(Section(block.level, block.text, [h for _, h in stack], char_start=start))
            continue
        number = len(paragraphs) + 1
        paragraphs.append(Paragraph(number, start, start + len(block.text), tuple(h for _, h in stack)))
        for section in sections:
            if tuple(section.path) == tuple(h for _, h in stack[: len(section.path)]):
                if section.first_paragraph is None:
                    section.first_paragraph = number
                section.last_paragraph = number
    return Layout("\n".join(pieces), paragraphs, sections)


def _sentence_spans(text: str, base: int, max_chars: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets); a sentence longer than ``max_chars`` is cut into pieces."""
    spans: list[tuple[int, int]] = []
    pos = base
    for sentence in split_sentences(text):
        while len(sentence) > max_chars:
            spans.append((pos, pos + max_chars))
            pos += max_chars
            sentence = sentence[max_chars:]
        if sentence:
            spans.append((pos, pos + len(sentence)))
            pos += len(sentence)
    return spans


def _split_long(start: int, end: int, text: str, max_chars: int) -> list[tuple[int, int]]:
    """Parts of a long paragraph: consecutive sentences up to ``max_chars``, repeating one short sentence."""
    spans = _sentence_spans(text[start:end], start, max_chars)
    parts: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= max_chars:
            j += 1
        parts.append((spans[i][0], spans[j][1]))
        if j + 1 >= len(spans):
            break
        last = spans[j]
        # Overlap: the next part starts with this part's last sentence when it is short, and only when the
        # sentence after it still fits (else the next part would be that sentence alone: a duplicate chunk).
        overlap = j > i and last[1] - last[0] <= OVERLAP_MAX_CHARS and spans[j + 1][1] - last[0] <= max_chars
        i = j if overlap else j + 1
    return parts


def make_chunks(
    report_id: str, title: str, layout: Layout, max_chars: int = 600, min_chars: int = 40
) -> list[Chunk]:
    """Chunks for one report; ``chunk_id`` = report id + paragraph number (+ part), stable across runs."""
    groups: list[list[Paragraph]] = []
    for para in layout.paragraphs:
        if groups:
            prev = groups[-1]
            same_section = prev[-1].path == para.path
            prev_len = prev[-1].end - prev[0].start
            para_len = para.end - para.start
            if same_section and (prev_len < min_chars or para_len < min_chars) and \
                    prev_len + para_len + 1 <= max_chars:
                prev.append(para)
                continue
        groups.append([para])

    text = layout.cleaned_text
    chunks: list[Chunk] = []
    for group in groups:
        first, last = group[0], group[-1]
        if last.end - first.start > max_chars and len(group) == 1:
            spans = _split_long(first.start, first.end, text, max_chars)
        else:
            spans = [(first.start, last.end)]
        for part, (start, end) in enumerate(spans, start=1 if len(spans) > 1 else 0):
            chunk_text = text[start:end]
            suffix = f"-{part}" if part else ""
            path = list(first.path)
            chunks.append(Chunk(
                chunk_id=f"{report_id}:p{first.number:04d}{suffix}",
                report_id=report_id,
                ordinal=len(chunks),
                paragraph=first.number,
                paragraph_end=last.number,
                part=part,
                section_path=path,
                char_start=start,
                char_end=end,
                text=chunk_text,
                search_text=normalize_for_search(chunk_text),
                context=" > ".join([title, *path]),
            ))
    return chunks
