"""The year whose level a sentence states, where a span or a comparison names several years.

由一九七八年的三百五十五亿元增加到一九八二年的七百七十二亿元 states 1982's level; 1992年同1987年相比…达到1826元
states 1992's; 从一九八○年至一九八五年，…钢由三千七百万吨增加到四千六百六十六万吨 states 1985's. Chunk times at ingest
(rag/core/timeframe.py) and the answers' sentence check (rag/answer/sentence_time.py) read them the same way.
"""

from __future__ import annotations

import re

from rag.core.textnorm import aligned_search_text
from rag.core.years import CN_YEAR, HORIZON_RE, SPACED_YEAR, year_value

# 由一九七八年的三百五十五亿元增加到一九八二年的七百七十二亿元: the figure after 到…年的 is that year's level.
END_VALUE_RE = re.compile(rf"{HORIZON_RE.pattern}(?:底|末)?的?\s*(?=[\d〇零一二三四五六七八九十两])")  # a horizon, then its figure


# 从１９７９年的一百七十亿元、１９８０年的一百二十七亿元降低到…: a year followed by 的 and a figure states that year's level,
# even after 从/由/比 (which otherwise mark a baseline).
LEVEL_OF_YEAR_RE = re.compile(rf"({SPACED_YEAR}|{CN_YEAR})\s*年(?:底|末)?的\s*(?=[\d〇零一二三四五六七八九十两][\d.,，〇零一二三四五六七八九十百千万亿两点]*\s*(?:亿|万|元|吨|斤|担|人|个|%|％|百分))")


def level_years(sentence: str) -> tuple[int, ...]:
    """Years whose level a sentence states right after naming them (１９７９年的一百七十亿元)."""
    return tuple(sorted({year_value(m.group(1)) for m in LEVEL_OF_YEAR_RE.finditer(aligned_search_text(sentence))}))


# 1992年同1987年相比，…增加910元，达到1826元: the level reached (达到/为) is the first year's, 1987 the baseline
COMPARED_LEVEL_RE = re.compile(rf"({SPACED_YEAR}|{CN_YEAR})\s*年\s*(?:同|与|和|比)\s*(?:{SPACED_YEAR}|{CN_YEAR})\s*年"
                               rf"相?比[^。；;]*?(?:达到|增加到|提高到|上升到|为)\s*(?=[\d〇零一二三四五六七八九十两])")


def end_values(sentence: str) -> tuple[int, ...]:
    """Years whose level a span sentence states (…增加到一九八二年的七百七十二亿元 → 1982; 1992年同1987年相比…达到
    1826元 → 1992)."""
    norm = aligned_search_text(sentence)
    return tuple(sorted({year_value(m.group(1)) for m in END_VALUE_RE.finditer(norm)}
                        | {year_value(m.group(1)) for m in COMPARED_LEVEL_RE.finditer(norm)}))


# 从一九七八年到一九八二年，普通高等学校已由五百九十八所增加到七百一十五所: a span that opens the sentence, then a
# change from one level to another: the level reached is the span's last year's.
SPAN_THEN_LEVEL = re.compile(rf"^[^，,。；;]{{0,6}}?(?:{SPACED_YEAR}|{CN_YEAR})\s*年?\s*(?:到|至|—|–|-|－|~|～)\s*"
                             rf"({SPACED_YEAR}|{CN_YEAR})\s*年[^。；;]*?(?:由|从)[^。；;]*?(?:到|至|为)\s*"
                             r"(?=[\d〇零一二三四五六七八九十两])")


def span_levels(sentence: str) -> set[int]:
    """The years whose level a span sentence states: :func:`end_values`, and the last year of a span that opens
    the sentence before a from-to change (see ``SPAN_THEN_LEVEL``) in its last clause (a clause read with the
    sentence it continues, …从129.6亿元增加到181.8亿元；社会消费品零售总额年均增长3亿元, states no level)."""
    norm = aligned_search_text(sentence)
    return {*end_values(sentence), *(year_value(m.group(1)) for m in SPAN_THEN_LEVEL.finditer(norm)
                                     if not re.search("[；;]", norm[m.end():].rstrip("；;。 ")))}
