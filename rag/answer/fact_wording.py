"""English wording of report facts: a speaker's role and name, a meeting date, an NPC session.

Chinese names and meeting names are transliterated or translated only where a rule derives it (pinyin for
names, the numbered 第十四届…第二次会议 pattern for sessions); the Chinese original is always kept in brackets
by the caller, so nothing is invented that a reader cannot check.
"""

from __future__ import annotations

import re
from datetime import date

from rag.core.textnorm import to_simplified

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
ROLE_EN = {"总理": "Premier", "省长": "Governor", "市长": "Mayor", "区长": "District Mayor", "县长": "County Mayor",
           "州长": "Prefecture Governor", "旗长": "Banner Head", "盟长": "League Head", "主席": "Chairman"}
# Surnames whose reading differs from the character's common one (曾 is Zeng, not ceng), and two-character ones.
SURNAME_READING = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou",
                   "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "尉": "yu", "种": "chong",
                   "秘": "bi"}
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "公孙", "长孙",
                     "宇文", "尉迟", "端木", "独孤", "南宫", "西门", "万俟", "闻人")
ORDINAL_WORDS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")
CN_NUMBER = r"[一二三四五六七八九十百零〇\d]{1,4}"
SESSION_RE = re.compile(rf"^(?P<place>.*?)第?(?P<term>{CN_NUMBER})[届屆](?P<body>[^第]*?)"
                        rf"(?:第?(?P<session>{CN_NUMBER})次(?:全体)?会议)?$")


def pinyin_name(name: str) -> str | None:
    """李克强 → Li Keqiang, 欧阳修 → Ouyang Xiu (surname first, given name as one word); None for non-Chinese."""
    from pypinyin import lazy_pinyin

    simp = to_simplified(name)
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", simp):
        return None
    cut = 2 if simp[:2] in COMPOUND_SURNAMES and len(simp) > 2 else 1
    surname = [SURNAME_READING[simp[0]]] if cut == 1 and simp[0] in SURNAME_READING else lazy_pinyin(simp[:cut])
    given = lazy_pinyin(simp[cut:])
    if not all(s.isalpha() for s in surname + given):
        return None
    return f"{''.join(surname).capitalize()} {''.join(given).capitalize()}"


def role_in_english(role: str | None) -> str:
    """总理 → Premier, 代区长 → Acting District Mayor; '' for a role no rule covers."""
    if not role:
        return ""
    simp = to_simplified(role)
    zh, base = next(((zh, en) for zh, en in ROLE_EN.items() if simp.endswith(zh)), ("", ""))
    acting = simp[: len(simp) - len(zh)].endswith("代")  # 代区长, 解放区人民政府代区长
    return f"Acting {base}" if acting and base else base


def date_in_english(iso: str | None) -> str | None:
    """2024-03-05 → 5 March 2024."""
    try:
        day = date.fromisoformat(iso or "")
    except ValueError:
        return None
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _number(text: str) -> int | None:
    import cn2an

    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _ordinal(n: int, words: bool) -> str:
    if words and 1 <= n <= len(ORDINAL_WORDS):
        return ORDINAL_WORDS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def meeting_in_english(name: str) -> str | None:
    """第十四届全国人民代表大会第二次会议 → the Second Session of the 14th National People's Congress;
    区十五届人大一次会议 → the First Session of the 15th People's Congress; None when the name has another form."""
    match = SESSION_RE.match(to_simplified(name).strip())
    if not match:
        return None
    term = _number(match.group("term"))
    body = match.group("body")
    if term is None or not re.fullmatch(r"(?:全国)?(?:人民代表大会|人大)", body):
        return None
    congress = f"the {_ordinal(term, False)} {'National ' if '全国' in body else ''}People's Congress"
    if not match.group("session"):
        return congress
    session = _number(match.group("session"))
    return None if session is None else f"the {_ordinal(session, True)} Session of {congress}"
