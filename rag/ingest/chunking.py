"""Lay out the cleaned text and cut it into citable chunks that keep their place in the report.

One chunk per paragraph; long paragraphs are split at sentence ends with a one-sentence overlap, tiny ones
join a neighbour of the same section. The title block (title, ——date在…会议上, speaker) is the front-matter
chunk ¶0, so who delivered a report, when and where can be cited; body paragraphs are ¶1…. Every chunk is an
exact slice of the cleaned text.
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
    front: tuple[int, int] | None = None  # span of the title block (header lines), the ¶0 chunk


FRONT_PARAGRAPH = 0  # the ¶ number of the front-matter chunk (body paragraphs are numbered from 1)


def layout_report(header: list[str], blocks: list[Block]) -> Layout:
    """Join header and body into the cleaned text, numbering body paragraphs (¶1…) and tracking sections;
    the header lines are the front matter (¶0)."""
    pieces: list[str] = []
    offset = 0

    def emit(text: str) -> int:
        nonlocal offset
        start = offset
        pieces.append(text)
        offset += len(text) + 1  # newline separator
        return start

    lines = [line for line in header if line.strip()]
    for line in lines:
        emit(line)
    front = (0, offset - 1) if lines else None
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
    return Layout("\n".join(pieces), paragraphs, sections, front)


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
    front = front_span(text, layout.front, max_chars)
    if front is not None:
        chunks.append(_chunk(report_id, title, text, front, FRONT_PARAGRAPH, FRONT_PARAGRAPH, 0, [], 0))
    for group in groups:
        first, last = group[0], group[-1]
        if last.end - first.start > max_chars and len(group) == 1:
            spans = _split_long(first.start, first.end, text, max_chars)
        else:
            spans = [(first.start, last.end)]
        for part, span in enumerate(spans, start=1 if len(spans) > 1 else 0):
            chunks.append(_chunk(report_id, title, text, span, first.number, last.number, part, list(first.path),
                                 len(chunks)))
    return chunks


def front_span(text: str, front: tuple[int, int] | None, max_chars: int) -> tuple[int, int] | None:
    """The ¶0 span: the whole title block, or its first lines when an unusually long header exceeds
    ``max_chars`` (the title and the ——date line come first); None when there is no title block."""
    if front is None or front[1] <= front[0]:
        return None
    start, end = front
    while end - start > max_chars:
        cut = text.rfind("\n", start, end)
        if cut <= start:
            return (start, start + max_chars)
        end = cut
    return (start, end)


def _chunk(report_id: str, title: str, text: str, span: tuple[int, int], number: int, number_end: int, part: int,
           path: list[str], ordinal: int) -> Chunk:
    start, end = span
    chunk_text = text[start:end]
    suffix = f"-{part}" if part else ""
    return Chunk(
        chunk_id=f"{report_id}:p{number:04d}{suffix}",
        report_id=report_id,
        ordinal=ordinal,
        paragraph=number,
        paragraph_end=number_end,
        part=part,
        section_path=path,
        char_start=start,
        char_end=end,
        text=chunk_text,
        search_text=normalize_for_search(chunk_text),
        context=" > ".join([title, *path]),
    )
