"""Recognise the heading hierarchy of a work report and turn body lines into headings and paragraphs.

Reports number their sections 一、 (level 1), （一） (level 2), 1. / （1） (level 3); some use unnumbered
heading lines instead (a short line with no sentence-ending punctuation followed by a paragraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十"
LEVEL_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^[{CN_NUM}]{{1,3}}、")),
    (2, re.compile(rf"^[（(][{CN_NUM}]{{1,3}}[）)]")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (3, re.compile(r"^[（(]\d{1,2}[）)]")),
]
TERMINAL_PUNCT = "。！？；：!?;:…"
CLOSING = "”’」』"
HEADING_MAX_CHARS = 40
RUN_ON_MIN_REST = 10


@dataclass
class Block:
    """A body line after structure parsing: a heading (with level) or a paragraph (level 0)."""

    kind: str  # "heading" | "para"
    text: str
    level: int = 0


def numbered_level(line: str) -> int | None:
    """Heading level implied by a leading section number, if any."""
    for level, pattern in LEVEL_PATTERNS:
        if pattern.match(line):
            return level
    return None


def ends_sentence(line: str) -> bool:
    """True when the line ends like a sentence (so it is text, not a heading)."""
    stripped = line.rstrip().rstrip(CLOSING)
    return bool(stripped) and stripped[-1] in TERMINAL_PUNCT


def _split_run_on(line: str) -> tuple[str, str] | None:
    """Split ``（一）短标题。正文……`` into heading and paragraph when the first sentence is heading-sized."""
    cut = re.search(r"[。！？!?]", line)
    if not cut:
        return None
    head, rest = line[: cut.start()], line[cut.end():].strip()
    if len(head) <= HEADING_MAX_CHARS and len(rest) >= RUN_ON_MIN_REST:
        return head, rest
    return None


def is_heading_like(line: str) -> bool:
    """An unnumbered heading: short, no sentence-ending punctuation, mostly Chinese text."""
    if ends_sentence(line) or line.endswith(("，", ",", "、")):
        return False
    if not 4 <= len(line) <= HEADING_MAX_CHARS:
        return False
    cjk = sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 0.6 * len(line)


def parse_blocks(lines: list[str]) -> list[Block]:
    """Classify body lines (already one paragraph per line) into headings and paragraphs."""
    blocks: list[Block] = []
    numbered_depth = 0
    for i, line in enumerate(lines):
        level = numbered_level(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if level is not None:
            if not ends_sentence(line) and len(line) <= HEADING_MAX_CHARS + 8:
                blocks.append(Block("heading", line, level))
                numbered_depth = level
                continue
            split = _split_run_on(line)
            if split is not None:
                blocks.append(Block("heading", split[0], level))
                blocks.append(Block("para", split[1]))
                numbered_depth = level
                continue
            blocks.append(Block("para", line))
            continue
        followed_by_text = nxt is not None and not is_heading_like(nxt) and not (
            numbered_level(nxt) is not None and not ends_sentence(nxt)
        )
        if is_heading_like(line) and followed_by_text:
            blocks.append(Block("heading", line, min(numbered_depth + 1, 3) if numbered_depth else 1))
            continue
        blocks.append(Block("para", line))
    return blocks
