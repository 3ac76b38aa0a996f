"""State Council reports named by the congress session they were delivered to (四届人大, 十三届全国人大四次会议,
"the Fourth National People's Congress", "the first session of the 14th NPC").

Why: readers name a report by its session as often as by its year, and most scraped reports lack the title block
that would say it. The National People's Congress elects a term about every five years and meets once a year, so a
term and a session give the year, and a term alone the years it sat: where the library holds one national report
in them, that is the report named.
"""

from __future__ import annotations

import re

import cn2an

from rag.core.textnorm import to_simplified

# The first year of each term of the National People's Congress (the calendar of its terms, a public record).
NPC_TERM_STARTS = (1954, 1959, 1964, 1975, 1978, 1983, 1988, 1993, 1998, 2003, 2008, 2013, 2018, 2023)
_CN = "一二三四五六七八九十"
_ZH = re.compile(rf"第?([{_CN}]{{1,3}})\s*届\s*(?:全国)?\s*人(?:民代表)?大(?:会)?(?!常委)"
                 rf"(?:\s*第?([{_CN}]{{1,2}})\s*次)?")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth", "thirteenth", "fourteenth")
_ORDINAL = rf"(?:{'|'.join(_ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))"
_EN = re.compile(rf"\b(?:({_ORDINAL})\s+(?:plenary\s+)?session\s+of\s+(?:the\s+)?)?({_ORDINAL})\s+"
                 r"(?:national\s+people's\s+congress|npc)\b", re.I)


def _ordinal(word: str) -> int:
    word = word.lower()
    return _ORDINALS.index(word) + 1 if word in _ORDINALS else int(re.sub(r"\D", "", word))


def session_years(text: str) -> tuple[int, ...]:
    """The years a question's congress session names: one for a term and session, the term's years for a term."""
    if (zh := _ZH.search(to_simplified(text))) is not None:
        term, session = int(cn2an.cn2an(zh.group(1), "smart")), zh.group(2)
        number = int(cn2an.cn2an(session, "smart")) if session else None
    elif (en := _EN.search(text)) is not None:
        term, number = _ordinal(en.group(2)), _ordinal(en.group(1)) if en.group(1) else None
    else:
        return ()
    if not 1 <= term <= len(NPC_TERM_STARTS):
        return ()
    start = NPC_TERM_STARTS[term - 1]
    end = NPC_TERM_STARTS[term] - 1 if term < len(NPC_TERM_STARTS) else start + 4
    if number is not None:
        return (start + number - 1,) if start + number - 1 <= end else ()
    return tuple(range(start, end + 1))


def session_report(text: str, national_years: list[int]) -> int | None:
    """The year of the one national report in the library that the question's session names, else None."""
    years = set(session_years(text)) & set(national_years)
    return years.pop() if len(years) == 1 else None


_SESSION_REPORT = re.compile(rf"(?:{_ZH.pattern})\s*(?:会议)?\s*(?:上的|上|的)?\s*(?:政府工作)?报告")


def without_session_report(text: str) -> str:
    """The question without the report it names by session (四届人大上的政府工作报告说…): which report, not what."""
    return _SESSION_REPORT.sub(" ", text)


# The congress as the audience of a report or plan ("the plan presented to the NPC in 1955", "as reported to the
# National People's Congress"): every State Council report is delivered to it, so it says which report, not what
# to look for. Not when the session or the speaker is asked ("at which session …", "who delivered … to the NPC").
_AUDIENCE_EN = re.compile(r"\b((?:present|deliver|submit|report|laid|lay|put|tabl)\w*)\s+(?:before|to)\s+(?:the\s+)?"
                          rf"(?:(?:{_ORDINAL})\s+(?:plenary\s+)?session\s+of\s+(?:the\s+)?)?(?:{_ORDINAL}\s+)?"
                          r"(?:national\s+people['’]s\s+congress|npc)\b(?!\s+standing)", re.I)
_FACT_ASKED = re.compile(r"\bwho\b|\bwhich\b|\bwhen\b|\bwhat\s+(?:date|day|session|congress)\b|\bon\s+what\b", re.I)


def without_report_audience(text: str) -> str:
    """An English question without the congress its report was delivered to (the verb stays)."""
    return text if _FACT_ASKED.search(text) else _AUDIENCE_EN.sub(r"\1", text)
