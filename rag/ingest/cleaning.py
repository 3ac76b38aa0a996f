"""Separate the author's text from page furniture and rebuild one paragraph per line.

Scraped reports arrive wrapped in forum/news-site furniture (login prompts, user profile blocks, view
counters, copyright footers). Rules here are general: the report body is located structurally (from the
title block / salutation to the last sentence), lines outside it are dropped, and inside it only lines
that look like site furniture (short, no sentence punctuation, typical vocabulary) are removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rag.core.textnorm import count_cjk, to_simplified
from rag.core.years import ISO_DATE
from rag.ingest.repair import repair_text
from rag.ingest.sections import ends_sentence, numbered_level

# Matched against the NFKC + Simplified form of a stripped line.
# Strong patterns mark furniture whatever the line length.
STRONG_FURNITURE = [
    r"设为首页|加入收藏|收藏本站",
    r"^查看\s*:\s*\d+\s*\|\s*回复\s*:\s*\d+",
    r"^\[?复制链接\]?$",
    r"ta的每日心情|签到天数|^\[lv\.\d+\]|^rank\s*:",
    rf"发表于\s*{ISO_DATE}.*(楼层|楼主|阅读模式|只看该作者)",
    r"显示全部楼层|阅读模式|只看该作者|倒序浏览|电梯直达",
    r"登录后才可以回帖|立即注册|本版积分规则|快速回复|返回顶部|返回列表",
    r"powered\s+by|licensed\s*©|版权所有|copyright\s*©|icp备|公网安备",
    r"本文仅代表作者观点|不代表本站立场|未经许可.*不得转载|转载请注明|本文地址\s*:|留言与评论|^验证码",
]
# Weak patterns mark furniture only on short lines without sentence punctuation.
WEAK_FURNITURE = [
    r"^(主题|帖子|积分|版主|超级版主|管理员|精华|金钱|威望|贡献|好友|听众|收听|用户组|新手上路|注册会员|中级会员|高级会员|论坛元老)$",
    r"^(在线时间|注册时间|最后登录|联系电话|客服电话|咨询电话|在线咨询|客服中心|网站地图|关闭|登录|注册|分享到|上一篇|下一篇|相关阅读|相关文章|热门推荐|责任编辑)\b",
    r"^周[一二三四五六日]\s*[~～至-]\s*周[一二三四五六日]$",
    r"^\d{1,2}:\d{2}\s*[-~～至]\s*\d{1,2}:\d{2}$",
    r"^\d{3,4}-\d{7,8}$",
    r"^(昨天|前天|今天)\s*\d{1,2}:\d{2}$",
    r"^(来源|作者|编辑|发布时间|浏览次数|点击数|字号)\s*:",
]
STRONG_RE = re.compile("|".join(f"(?:{p})" for p in STRONG_FURNITURE), re.I)
WEAK_RE = re.compile("|".join(f"(?:{p})" for p in WEAK_FURNITURE), re.I)
WEAK_MAX_CHARS = 40
# A licence notice after the body (Wikisource's "本作品是中华人民共和国的法律、法规…属于公有领域" and its
# "注：中文维基文库社群认为…", "This work is in the public domain", Creative Commons footers): it and all after it
# is furniture, however its lines are wrapped.
LICENCE_START_RE = re.compile(r"^(?:本作品|注\s*:\s*中文维基文库|this work\b|public domain\b)", re.I)
LICENCE_RE = re.compile(r"公有领域|维基文库|著作权法|知识共享|public domain|creative commons|wikisource", re.I)
LICENCE_WINDOW = 15  # lines a wrapped licence sentence may span
SALUTATION_RE = re.compile(r"^各位(人大)?代表")
INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u2060\ufeff\xad]")
FORUM_TAG_RE = re.compile(r"^\[[^\]]{1,12}\]\s*")
WHITESPACE_RUN_RE = re.compile(r"\s+")
MEETING_LINE_RE = re.compile(r"^[^，。；：]{0,20}在[^，。；：]{2,50}(?:会[议議]|大会)上$")
BODY_MIN_PARA_CHARS = 30
BLANK_MODE_RATIO = 0.3


@dataclass
class CleanedDocument:
    """Output of cleaning: header lines (title block), body paragraphs, and what was removed or repaired."""

    header: list[str]
    body: list[str]
    preamble: list[str]  # non-furniture lines before the body (may hold a forum-post title)
    dropped_lines: int = 0
    warnings: list[str] = field(default_factory=list)
    pinyin_removed: int = 0
    mojibake_repaired: int = 0


def search_key(line: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", line)).strip()


def is_furniture(line: str) -> bool:
    """Site furniture: typical vocabulary, or a line with no letters at all (stray ``|``, ``---|``)."""
    key = search_key(line)
    if not key:
        return True
    if not re.search(r"[\w\u4e00-\u9fff]", key):
        return True
    if STRONG_RE.search(key):
        return True
    return len(key) <= WEAK_MAX_CHARS and not re.search(r"[。！？!?]", key) and bool(WEAK_RE.search(key))


def is_paragraph_like(line: str) -> bool:
    return len(line) >= BODY_MIN_PARA_CHARS and count_cjk(line) >= 10 and bool(re.search(r"[。！？；，,]", line))


def is_header_line(line: str) -> bool:
    """Title block lines: the title, the ——date/meeting line, the speaker line."""
    key = search_key(line)
    if len(key) > 80:
        return False
    if "工作报告" in key.replace(" ", "") or re.match(r"^[—─\-]{1,3}", key):
        return True
    if MEETING_LINE_RE.search(key):  # 1957年6月26日在第一届全国人民代表大会第四次会議上 (no leading dash)
        return True
    if len(key) <= 40 and re.search(r"(长|总理|主席|书记)(\s*[\u4e00-\u9fff\s]{2,6})?$", key):
        return True
    return bool(re.fullmatch(r"[\u4e00-\u9fff](\s?[\u4e00-\u9fff]){1,3}", key))  # a name on its own line


# A figure cut from its unit by a line break (国内生产总值达到74.4 / ​ / 万亿元，增长6.7%): no paragraph ends on a
# bare number whose unit opens the next one.
SPLIT_FIGURE_RE = re.compile(r"(?<=[\d.０-９．])[ \t]*(?:\n[ \t]*)+(?=[万亿元%％吨斤])")


def _normalize_lines(text: str) -> list[str]:
    text = INVISIBLE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = SPLIT_FIGURE_RE.sub("", text)
    return [line.strip().strip("•·").strip() for line in text.split("\n")]


def _find_body(lines: list[str], furniture: list[bool]) -> tuple[int, int, int]:
    """Return (header_start, body_start, body_end_exclusive) line indexes."""
    n = len(lines)
    body_start = next((i for i, line in enumerate(lines) if SALUTATION_RE.match(line) and not furniture[i]), None)
    if body_start is None:
        body_start = next(
            (i for i, line in enumerate(lines)
             if not furniture[i] and line and (is_paragraph_like(line) or
                                               (numbered_level(line) and not is_header_line(line)))),
            n,
        )
    header_start = body_start
    i = body_start - 1
    while i >= 0 and (not lines[i] or (not furniture[i] and is_header_line(lines[i]))):
        if lines[i]:
            header_start = i
        i -= 1
    body_end = body_start
    for j in range(body_start, n):
        if lines[j] and not furniture[j] and (ends_sentence(lines[j]) or is_paragraph_like(lines[j])
                                              or numbered_level(lines[j])):
            body_end = j + 1
    return header_start, body_start, body_end


def _licence_start(lines: list[str], body_start: int) -> int:
    """The line where a licence notice after the body begins (len(lines) when there is none)."""
    for i in range(body_start + 1, len(lines)):
        if LICENCE_START_RE.match(search_key(lines[i])) and \
                LICENCE_RE.search(search_key(" ".join(lines[i:i + LICENCE_WINDOW]))):
            return i
    return len(lines)


def _reflow(lines: list[str], hard_wrapped: bool) -> list[str]:
    """Rebuild one paragraph per line.

    Three layouts occur: one paragraph per line (most scraped .txt), paragraphs separated by blank lines with
    soft line breaks inside (wiki exports), and hard-wrapped lines (PDF text layers). In the last two, a line
    that does not end a sentence continues on the next line unless the next line starts a numbered heading.
    """
    nonempty = [i for i, line in enumerate(lines) if line]
    if not nonempty:
        return []
    followed_by_blank = sum(1 for i in nonempty if i + 1 < len(lines) and not lines[i + 1])
    blank_mode = followed_by_blank >= BLANK_MODE_RATIO * len(nonempty)
    if not (blank_mode or hard_wrapped):
        return [line for line in lines if line]
    paragraphs: list[str] = []
    joinable = False
    for line in lines:
        if not line:
            joinable = hard_wrapped and joinable
            continue
        if joinable and paragraphs and numbered_level(line) is None:
            prev = paragraphs[-1]
            sep = " " if prev[-1:].isascii() and line[:1].isascii() and prev[-1:].isalnum() else ""
            paragraphs[-1] = prev + sep + line
        else:
            paragraphs.append(line)
        last = paragraphs[-1]
        heading_line = numbered_level(last) is not None and len(last) <= 48 and not ends_sentence(last)
        joinable = not ends_sentence(last) and not heading_line
    return paragraphs


def clean_document(text: str, hard_wrapped: bool = False) -> CleanedDocument:
    """Repair encoding damage, drop furniture, and return the title block and body paragraphs."""
    repaired = repair_text(text)
    lines = _normalize_lines(repaired.text)
    furniture = [bool(line) and is_furniture(line) for line in lines]
    header_start, body_start, body_end = _find_body(lines, furniture)
    body_end = min(body_end, _licence_start(lines, body_start))
    # Title-block spacing is layout (区长\u2003尹璐, 李\u3000强): one space, so every format gives the same ¶0.
    header = [WHITESPACE_RUN_RE.sub(" ", line) for line in lines[header_start:body_start] if line]
    preamble = [FORUM_TAG_RE.sub("", line) for i, line in enumerate(lines[:header_start])
                if line and not furniture[i]]
    kept: list[str] = []
    dropped = sum(1 for i in range(len(lines)) if lines[i] and not (header_start <= i < body_end))
    for i in range(body_start, body_end):
        if lines[i] and furniture[i]:
            dropped += 1
            kept.append("")
        else:
            kept.append(lines[i])
    body = _reflow(kept, hard_wrapped)
    warnings = []
    if repaired.mojibake_left:
        warnings.append(f"mojibake: {repaired.mojibake_left} damaged run(s) could not be repaired and were kept")
    return CleanedDocument(
        header=header,
        body=body,
        preamble=preamble,
        dropped_lines=dropped,
        warnings=warnings,
        pinyin_removed=repaired.pinyin_removed,
        mojibake_repaired=repaired.mojibake_repaired,
    )
