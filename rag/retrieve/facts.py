"""Which facts about a report itself a question asks: who delivered it, on what date, at which meeting.

Retrieval puts the asked report's title block (¶0) first for them and :mod:`rag.answer.report_facts` answers
them from it; both read the question here.
"""

from __future__ import annotations

import re
import unicodedata

from rag.core.models import Chunk, Report
from rag.core.textnorm import aligned_search_text, to_simplified

OPENING_PARAGRAPHS = 5  # body paragraphs searched for a fact the title block lacks

_STOP = r"[^，。？?！!；;]"
# Question cues, on the Simplified, NFKC, lower-cased question (Traditional questions match the same words). Not
# 谁关于…的报告 (whose speech on a draft: another report) nor the 作 of 工作 (在哪位总理主持下工作).
SPEAKER_CUES = re.compile(
    rf"(?:谁|哪位|何人|哪个人|什么人)(?!关于){_STOP}{{0,10}}?(?:(?<!工)作|做|宣读|发表|提交|讲|报告)|"
    r"(?:是|由)(?:谁|哪位|何人)|"
    r"报告人|作报告的(?:人|是)|"
    r"\bwho\b[^?.]{0,60}?\b(?:deliver|give|gave|given|present|read|made|make|wrote|write|author|spoke|speak)|"
    r"\bby whom\b|\b(?:speaker|presenter)\b|\bwhich (?:premier|leader|official|person|mayor|governor)\b")
DATE_CUES = re.compile(
    rf"(?:哪天|哪一天|哪日|哪一日|几月几[日号]|何日|什么日子|什么时候|什么时间|何时|哪个月|几号){_STOP}{{0,8}}?"
    r"(?:作|做|宣读|发表|提交|提出|召开|举行|报告|发布)|(?:报告|会议)的?(?:日期|时间)|"
    r"(?<!到)(?:哪天|哪一天|哪日|什么时候|何时|几月几[日号])\s*(?:[，,、？?]|$)|(?<!\bby )\bwhen\b\s*(?:,|\?|$|and\b|or\b)|"
    r"\b(?:and|or) when\b|"
    r"\b(?:when|what date|which date|what day|which day)\b[^?]{0,60}?"
    r"\b(?:deliver|give|gave|given|present|read|made|submit|held)|\bdate\b[^?]{0,40}?\b(?:report|deliver|session)")
MEETING_CUES = re.compile(
    rf"(?:哪|什么|何)一?(?:次|届|个|场)?{_STOP}{{0,8}}?(?:会议|大会|人大|会上)|第几[届次]|几届几次|"
    r"\b(?:which|what)\s+(?:session|meeting|congress|npc|plenary|sitting)\b|\bat which\b")
# A meeting question also says the report was delivered there (not 贯彻了什么会议精神).
MEETING_CONTEXT = re.compile(rf"在{_STOP}{{0,12}}上|向|作的|作了|提交|审议|听取|宣读|发表|"
                             r"\b(?:deliver|present|heard|given|gave|submit|at which)", re.I)


# Another report of the session (关于宪法草案的报告, "a report on the draft Constitution"): its speaker is in the text.
OTHER_REPORT = re.compile(r"关于(?!政府工作)[^，,。？?]{1,20}的报告|\breport on the (?!work of the government)\w+")


def asked_facts(text: str) -> tuple[str, ...]:
    """The report facts a question asks about (speaker, date, meeting), in that order; () for any other question
    (one about another report of the session, too)."""
    norm = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    if OTHER_REPORT.search(norm):
        return ()
    asked = []
    if SPEAKER_CUES.search(norm):
        asked.append("speaker")
    if DATE_CUES.search(norm):
        asked.append("date")
    if MEETING_CUES.search(norm) and MEETING_CONTEXT.search(norm):
        asked.append("meeting")
    return tuple(asked)


# Opening paragraphs: 我代表国务院，向第四届全国人民代表大会作…报告 / 周恩来总理在报告中首先指出 (aligned Simplified text,
# where NFKC made ，：； the ASCII ,:;).
CN_NUMBER = r"[一二三四五六七八九十\d]{1,3}"
_WORD = r"[^,，。;；:：、\s]"
BODY_MEETING = re.compile(rf"向(?P<fact>{_WORD}{{0,12}}?第{CN_NUMBER}届{_WORD}{{0,12}}?(?:人民代表大会|人大)"
                          rf"(?:第{CN_NUMBER}次(?:全体)?会议)?)[,，]?(?:作|提出|报告|提交|提请)")
# …or names it as its own: 我们第一届全国人民代表大会第一次会议，在听了…以后 (1954)
BODY_OWN_MEETING = re.compile(rf"我们(?:这次)?(?P<fact>第{CN_NUMBER}届{_WORD}{{0,12}}?(?:人民代表大会|人大)"
                              rf"第{CN_NUMBER}次(?:全体)?会议)")
BODY_SPEAKER = re.compile(r"(?:^|(?<=[\s,，。:：;；“]))(?P<name>[\u4e00-\u9fff]{2,3})(?<!副)"
                          r"(?P<role>总理|省长|市长|区长|县长|州长|主席)在(?:这次|本次|这个)?(?:报告|讲话)中")


def title_block_lacks(report: Report, asked: tuple[str, ...]) -> set[str]:
    """The asked facts the report's title block (its parsed metadata) does not state."""
    stated = {"speaker": report.speaker, "date": report.meeting_date, "meeting": report.meeting_name}
    return {fact for fact in asked if not stated.get(fact)}


def opening_matches(chunk: Chunk, wanted: set[str]) -> dict[str, re.Match[str]]:
    """The ``wanted`` facts an opening paragraph (¶1…¶5) states, each with its match in the paragraph's aligned
    text (same offsets as the chunk's): 向第四届全国人民代表大会作…报告 (the meeting), 周恩来总理在报告中指出 (the
    speaker)."""
    if not 1 <= chunk.paragraph <= OPENING_PARAGRAPHS:
        return {}
    norm = aligned_search_text(chunk.text)
    found: dict[str, re.Match[str]] = {}
    if "meeting" in wanted and (match := BODY_MEETING.search(norm) or BODY_OWN_MEETING.search(norm)):
        found["meeting"] = match
    if "speaker" in wanted and (match := BODY_SPEAKER.search(norm)):
        found["speaker"] = match
    return found


def fact_chunk_ids(report: Report, chunks: list[Chunk], asked: tuple[str, ...]) -> list[str]:
    """The chunks that answer a report-fact question, best first: the opening paragraph that states what the
    title block lacks, then the title block (¶0)."""
    lacking = title_block_lacks(report, asked)
    stating = [c.chunk_id for c in chunks if lacking and opening_matches(c, lacking)][:1]
    front = [c.chunk_id for c in chunks if c.paragraph == 0 and c.part == 0]
    return stating + front
