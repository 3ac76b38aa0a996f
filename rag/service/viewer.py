"""The report viewer's layout and the section tree: the payloads ``show`` and the UI's viewer share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.core.models import Chunk, Report, Section


def section_tree(sections: list[Section]) -> list[dict[str, Any]]:
    """Nest flat sections by level for display and JSON."""
    roots: list[dict[str, Any]] = []
    stack: list[tuple[int, dict[str, Any]]] = []
    for section in sections:
        node = {"level": section.level, "heading": section.heading, "first_paragraph": section.first_paragraph,
                "last_paragraph": section.last_paragraph, "children": []}
        while stack and stack[-1][0] >= section.level:
            stack.pop()
        (stack[-1][1]["children"] if stack else roots).append(node)
        stack.append((section.level, node))
    return roots


@dataclass
class ViewBlock:
    """A heading or a numbered body paragraph of a report, in reading order."""

    kind: str  # heading | paragraph
    text: str
    start: int
    level: int = 0
    paragraph: int | None = None
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class ReportView:
    report: Report
    header: list[str]
    blocks: list[ViewBlock]
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report.to_dict(),
            "header": self.header,
            "sections": section_tree(self.sections),
            "blocks": [{"kind": b.kind, "text": b.text, "level": b.level, "paragraph": b.paragraph,
                        "chunk_ids": b.chunk_ids} for b in self.blocks],
        }


def report_view(report: Report, cleaned_text: str, sections: list[Section], chunks: list[Chunk]) -> ReportView:
    """Split the cleaned text back into header lines, headings and ¶-numbered paragraphs (as chunking numbered
    them: one line per block, headings known by their offsets)."""
    heading_at = {s.char_start: s for s in sections}
    # the front-matter chunk (¶0, the title block) is the header, not a body paragraph
    starts = [s.char_start for s in sections] + [c.char_start for c in chunks if c.paragraph > 0]
    body_start = min(starts) if starts else 0
    header: list[str] = []
    blocks: list[ViewBlock] = []
    offset = 0
    number = 0
    for line in cleaned_text.split("\n"):
        start = offset
        offset += len(line) + 1
        if start < body_start:
            if line.strip():
                header.append(line)
            continue
        if start in heading_at:
            blocks.append(ViewBlock("heading", line, start, level=heading_at[start].level))
        else:
            number += 1
            blocks.append(ViewBlock("paragraph", line, start, paragraph=number))
    by_number = {b.paragraph: b for b in blocks if b.paragraph is not None}
    for chunk in chunks:
        for n in range(chunk.paragraph, chunk.paragraph_end + 1):
            block = by_number.get(n)
            if block is not None and chunk.chunk_id not in block.chunk_ids:
                block.chunk_ids.append(chunk.chunk_id)
    return ReportView(report, header, blocks, sections)
