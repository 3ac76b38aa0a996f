"""How far a ledger row's statement runs in its report: the quote the indicator answer cites.

A ledger row's quote is the indicator and its figure (粮食产量达到四亿零七百多万吨); a reader wants the rest of what
the report says about that same figure in the same clause (比上年增长５．１％, 等于一九四九年的十三点七倍), and nothing
about the next thing it lists."""

from __future__ import annotations

import re

from rag.core.numbers import VALUE_UNIT_RE
from rag.core.textnorm import aligned_search_text
from rag.reports.indicators import load_table, mention_pattern

MAX_STATEMENT_EXTRA = 48
STATEMENT_STOP = re.compile(r"[；;。！？!?\n]")
PIECE_SEP = re.compile(r"[，,、]")
# A following piece continues the statement only when it goes on about the same figure (比上年增加1000亿元,
# 总量突破90万亿元, 将比一九五七年增长…), not when it names something else (下岗失业人员再就业500万人, 居民收入增长7.3%).
CONTINUATION_RE = re.compile(r"\s*(?:将|将要|可|可以|预计|要|约)?(?:同比|(?:比|较)[^，,、；;。]{0,8}?)?(?:增长|增加|增产|减产|减少|下降|提高|降低|上升|回落|"
                             r"高|低|多|少|总量|增速|增幅|规模|达到|突破|超过|完成)+了?\s*(?:约|近)?\s*$")
REST_OF_PIECE_RE = re.compile(r"\s*(?:安排|左右|以上|以内|以下)?\s*$")
# A multiple of an earlier year's figure (等于一九四九年的十三点七倍): the same figure, measured against that year.
MULTIPLE_RE = re.compile(r"[\d.〇零一二三四五六七八九十百两点几]+倍")
MULTIPLE_LEAD_RE = re.compile(r"\s*(?:等于|相当于|是|为)[^，,、；;。]{0,12}?的\s*$")


def statement_end(text: str, start: int, end: int) -> int:
    """Where the statement of a ledger quote ``text[start:end]`` ends: the rest of its comma piece when short
    (…3%安排) and the following pieces that still state figures (比上年增加5500亿元), up to the clause end or
    the next indicator."""
    norm = aligned_search_text(text)
    stop = STATEMENT_STOP.search(norm, end)
    limit = min(stop.start() if stop else len(norm), end + MAX_STATEMENT_EXTRA)
    following = mention_pattern(load_table())[0].search(norm, end, limit)
    if following is not None:
        limit = following.start()
    separator = PIECE_SEP.search(norm, end, limit)
    if separator is None and following is None and REST_OF_PIECE_RE.fullmatch(norm, end, limit):
        return limit
    if separator is None or not REST_OF_PIECE_RE.fullmatch(norm, end, separator.start()):
        return end
    cursor = separator.start()
    while cursor < limit:
        after = PIECE_SEP.search(norm, cursor + 1, limit)
        piece_end = after.start() if after else limit
        figure = next((m for m in VALUE_UNIT_RE.finditer(norm, cursor + 1, piece_end)
                       if m.group("unit") or m.group("pnum") or m.group("cunit")), None)
        multiple = MULTIPLE_RE.search(norm, cursor + 1, piece_end)
        if multiple is not None and (figure is None or multiple.start() < figure.start()) and \
                MULTIPLE_LEAD_RE.fullmatch(norm, cursor + 1, multiple.start()):
            figure = multiple
        elif figure is None or not CONTINUATION_RE.fullmatch(norm, cursor + 1, figure.start()):
            break
        if after is None and following is not None:  # …增产74亿斤和棉花…: stop before the joiner
            return figure.end()
        cursor = piece_end
    return cursor

