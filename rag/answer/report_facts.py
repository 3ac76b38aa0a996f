"""Report facts — who delivered a report, on what date, at which meeting — answered from its title block.

The title block (¶0: title, ——2024年3月5日在第十四届全国人民代表大会第二次会议上, 国务院总理 李强) holds these
facts; ingestion reads them into :class:`Report` fields, and this path states them with ¶0 cited, instead of
hoping retrieval ranks a short header line. Many old reports have no title block but open with 我代表国务院，
向第四届全国人民代表大会作政府工作报告 (or, in a summary, 周恩来总理在报告中指出): an asked fact the title block
lacks is looked for in those opening paragraphs. A fact found nowhere is said to be missing, by name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rag.answer.citations import Citation
from rag.answer.fact_wording import date_in_english, meeting_in_english, pinyin_name, role_in_english
from rag.answer.injection import looks_like_instruction
from rag.answer.records import Answer, in_script, reply_language
from rag.core.models import Chunk, Report
from rag.core.textnorm import normalize_for_search, to_simplified
from rag.core.years import DATE_RE, parse_date
from rag.index.store import ReportStore
from rag.retrieve.facts import asked_facts, opening_matches
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.plan import QueryPlan

ENGINE = "report-facts"
FACTS = ("speaker", "date", "meeting")
MAX_REPORTS = 3  # a question naming no place gets one line per report of the year, at most this many

REPORT_WORDS = re.compile(r"报告|\breport\b")
NATIONAL_WORDS = re.compile(r"国务院|全国|中国|我国|中央|总理|state council|\bchina\b|\bnational\b|\bpremier\b|\bnpc\b")
@dataclass(frozen=True)
class Fact:
    """One stated fact: its wording in each language and the span of the chunk that says it."""

    kind: str  # speaker | date | meeting
    zh: str
    en: str
    chunk: Chunk
    start: int
    end: int


def fact_reports(plan: QueryPlan, text: str, reports: list[Report]) -> list[Report]:
    """The reports the question asks about: the named year's, within the named places; without a place, the
    State Council's when the question says so (国务院, 全国, China …), else each report of that year (≤ 3)."""
    norm = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    year = plan.time.named_report
    if year is None and plan.time.single_year is not None and REPORT_WORDS.search(norm):
        year = plan.time.single_year
    scope = reports
    if plan.places:
        scope = [r for r in reports if r.report_id in plan.place_report_ids]
    if year is not None:
        scope = [r for r in scope if r.year == year]
    elif len(scope) > MAX_REPORTS:
        return []  # no year, many reports: not one report's fact (the search path answers)
    national = [r for r in scope if r.level == "national"]
    if not plan.places and national and len(scope) > 1 and NATIONAL_WORDS.search(norm):
        scope = national
    return sorted(scope, key=lambda r: (r.level != "national", r.report_id))[:MAX_REPORTS]


def _name_span(text: str, name: str) -> tuple[int, int] | None:
    """The last occurrence of the name, spaces allowed between its characters (李 强): the speaker line ends
    the title block."""
    matches = list(re.finditer(r"\s*".join(map(re.escape, name)), text))
    return matches[-1].span() if matches else None


def _speaker_fact(report: Report, front: Chunk) -> Fact | None:
    """The speaker with the role as the title block writes it (国务院总理 / 曲靖市麒麟區人民政府區長)."""
    if not report.speaker:
        return None
    text = front.text
    span = _name_span(text, report.speaker)
    if span is None:
        return _speaker(report.speaker, report.speaker_role, front, 0, len(text))
    line_start = text.rfind("\n", 0, span[0]) + 1
    start = line_start
    if not text[line_start:span[0]].strip() and line_start > 0:  # the name alone on its line, the role above
        above = text.rfind("\n", 0, line_start - 1) + 1
        if report.speaker_role and to_simplified(text[above:line_start - 1].strip()).endswith(
                to_simplified(report.speaker_role)):
            start = above
    role_text = re.sub(r"\s+", " ", text[start:span[0]]).strip()
    return _speaker(report.speaker, role_text or report.speaker_role, front, start, span[1])


def _speaker(value: str, role: str | None, chunk: Chunk, start: int, end: int) -> Fact:
    """A speaker fact: 国务院总理李强 / Premier Li Qiang (国务院总理 李强)."""
    zh = f"{role or ''}{value}"
    english = " ".join(p for p in (role_in_english(role), pinyin_name(value) or "") if p)
    original = " ".join(p for p in (role, value) if p)
    en = f"{english} ({original})" if english else original
    return Fact("speaker", zh, en, chunk, start, end)


def title_block_facts(report: Report, front: Chunk | None) -> dict[str, Fact]:
    """The facts of the report's ¶0, from its metadata, each located in the ¶0 text."""
    if front is None:
        return {}
    facts: dict[str, Fact] = {}
    speaker = _speaker_fact(report, front)
    if speaker is not None:
        facts["speaker"] = speaker
    text = front.text
    if report.meeting_date:
        match = next((m for m in DATE_RE.finditer(text) if parse_date(m.group(0)) == report.meeting_date), None)
        start, end = match.span() if match else (0, len(text))
        zh = text[start:end] if match else report.meeting_date
        day = date_in_english(report.meeting_date)
        facts["date"] = Fact("date", zh, f"{day} ({zh})" if day else zh, front, start, end)
    if report.meeting_name:
        start = text.find(report.meeting_name)
        span = (start, start + len(report.meeting_name)) if start >= 0 else (0, len(text))
        facts["meeting"] = _meeting_fact(report.meeting_name, front, *span)
    return facts


def _meeting_fact(name: str, chunk: Chunk, start: int, end: int) -> Fact:
    english = meeting_in_english(name)
    return Fact("meeting", name, f"{english} ({name})" if english else f"the meeting {name}", chunk, start, end)


def opening_facts(chunks: list[Chunk], wanted: set[str]) -> dict[str, Fact]:
    """Facts the opening paragraphs state (向第四届全国人民代表大会作政府工作报告; 周恩来总理在报告中指出)."""
    facts: dict[str, Fact] = {}
    for chunk in chunks:
        for fact, match in opening_matches(chunk, wanted - facts.keys()).items():
            end = _clause_end(match.string, match.end())
            if fact == "meeting":
                name = chunk.text[match.start("fact"):match.end("fact")]
                facts["meeting"] = _meeting_fact(name, chunk, match.start(), end)
            else:
                name = chunk.text[match.start("name"):match.end("name")]
                role = chunk.text[match.start("role"):match.end("role")]
                facts["speaker"] = _speaker(name, role, chunk, match.start(), end)
    return facts


def _clause_end(text: str, pos: int) -> int:
    """The end of the clause that goes on at ``pos`` (the quote is the whole clause, not a bare name)."""
    match = re.compile(r"[，。；！？,;!?\n]").search(text, pos)
    return match.start() if match else len(text)


MISSING_ZH = {"speaker": "人", "date": "日期", "meeting": "会议"}  # 未写明作报告的人、日期和会议
MISSING_EN = {"speaker": "who delivered it", "date": "on what date it was delivered",
              "meeting": "at which meeting it was delivered"}


def _listed(words: list[str], last_join: str) -> str:
    return words[0] if len(words) == 1 else "、".join(words[:-1]) + last_join + words[-1]


@dataclass
class _Line:
    """One report's part of the answer: the facts stated, the asked ones it lacks, its title block."""

    report: Report
    facts: dict[str, Fact]
    missing: list[str]
    front: Chunk | None


def _marks(facts: list[Fact], number: dict[str, int], language: str) -> dict[str, str]:
    """Each fact's marker, written only after the last fact of a run from the same chunk."""
    marks = {}
    for i, fact in enumerate(facts):
        last_of_run = i + 1 == len(facts) or facts[i + 1].chunk.chunk_id != fact.chunk.chunk_id
        n = number[fact.chunk.chunk_id]
        marks[fact.kind] = (f" [{n}]" if language == "en" else f"[{n}]") if last_of_run else ""
    return marks


def _zh_line(line: _Line, number: dict[str, int]) -> str:
    """《…》由国务院总理李强于2024年3月5日在第十四届全国人民代表大会第二次会议上作[1]。 (是…作的 without a speaker)"""
    label = f"《{line.report.title}》"
    facts = line.facts
    marks = _marks([facts[k] for k in FACTS if k in facts], number, "zh")
    parts = []
    if "speaker" in facts:
        parts.append(f"由{facts['speaker'].zh}{marks['speaker']}")
    if "date" in facts:
        parts.append(f"{'于' if 'speaker' in facts else '是'}{facts['date'].zh}{marks['date']}")
    if "meeting" in facts:
        parts.append(f"{'' if parts else '是'}在{facts['meeting'].zh}上{marks['meeting']}")
    said = ""
    if parts:
        sentence = label + "".join(parts)
        verb = "作" if "speaker" in facts else "作的"
        end = re.search(r"\[\d+\]$", sentence)
        said = (f"{sentence[:end.start()]}{verb}{end.group(0)}" if end else sentence + verb) + "。"
    if line.missing:
        gap = "作报告的" + _listed([MISSING_ZH[k] for k in line.missing], "和")
        said += f"{'该报告' if said else label}未写明{gap}{_front_mark(line, number, '')}。"
    return said


def _front_mark(line: _Line, number: dict[str, int], space: str) -> str:
    """The marker of the title block a missing fact was looked for in (when it is cited)."""
    n = number.get(line.front.chunk_id) if line.front is not None else None
    return f"{space}[{n}]" if n else ""


def _en_line(line: _Line, number: dict[str, int]) -> str:
    """The 2024 government work report (《…》) was delivered by Premier Li Qiang (国务院总理 李强) on … at … [1]."""
    report = line.report
    label = (f"The {report.year} government work report (《{report.title}》)" if report.year
             else f"The government work report 《{report.title}》")
    facts = [line.facts[k] for k in FACTS if k in line.facts]
    marks = _marks(facts, number, "en")
    words = {"speaker": "by {}", "date": "on {}", "meeting": "at {}"}
    said = ""
    if facts:
        said = f"{label} was delivered {' '.join(words[f.kind].format(f.en) + marks[f.kind] for f in facts)}."
    if line.missing:
        listed = _listed([MISSING_EN[k] for k in line.missing], " or ").replace("、", ", ")
        said += f"{' It' if said else label} does not state {listed}{_front_mark(line, number, ' ')}."
    return said.strip()


def front_chunk(report: Report, chunks: list[Chunk], store: ReportStore) -> Chunk | None:
    """The report's ¶0; in a store ingested before ¶0 existed, the same span (the header lines before the first
    body chunk) read from its cleaned text, so its facts are still stated and quoted, never called missing."""
    front = next((c for c in chunks if c.paragraph == 0), None)
    if front is not None or not chunks or chunks[0].char_start == 0:
        return front
    text = (store.cleaned_text(report.report_id) or "")[:chunks[0].char_start].rstrip()
    if not text:
        return None
    return Chunk(f"{report.report_id}:p0000", report.report_id, -1, 0, 0, 0, [], 0, len(text), text,
                 normalize_for_search(text), report.title)


def report_fact_answer(plan: QueryPlan, question: str, standalone: str, reports: list[Report],
                       store: ReportStore) -> Answer | None:
    """The answer to a report-fact question (who delivered it, when, at which meeting), citing ¶0 or the
    opening paragraph that states each fact; None when the question asks no report fact or names no report
    in the library (the search path, and its missing-year refusal, answer those)."""
    asked = asked_facts(standalone)
    if not asked or looks_like_instruction(question) or looks_like_instruction(standalone):
        return None
    chosen = fact_reports(plan, standalone, reports)
    if not chosen:
        return None
    language = reply_language(plan)
    lines: list[_Line] = []
    for report in chosen:
        chunks = store.chunks(report.report_id)
        front = front_chunk(report, chunks, store)
        facts = title_block_facts(report, front)
        facts.update(opening_facts(chunks, {k for k in asked if k not in facts}))
        lines.append(_Line(report, facts, [k for k in asked if k not in facts], front))
    citations, number = _citations(lines)
    render = _en_line if language == "en" else _zh_line
    text = "\n".join(render(line, number) for line in lines)
    refused = all(not any(k in line.facts for k in asked) for line in lines)
    note = "the report does not state this in its title block or opening" if refused else None
    return Answer(question, in_script(text, language), ENGINE, True, refused, citations, standalone, note)


def _citations(lines: list[_Line]) -> tuple[list[Citation], dict[str, int]]:
    """One citation per chunk that states a fact, quoting the span from its first fact to its last; a report
    that states none cites its ¶0 (the title block that lacks them), so the reader can check."""
    citations: list[Citation] = []
    number: dict[str, int] = {}

    def cite(report: Report, chunk: Chunk, start: int, end: int) -> None:
        if chunk.chunk_id not in number:
            number[chunk.chunk_id] = len(citations) + 1
            citations.append(Citation(number[chunk.chunk_id], SearchHit(chunk, report, 1.0),
                                      chunk.text[start:end], start))

    for line in lines:
        by_chunk: dict[str, list[Fact]] = {}
        for fact in (line.facts[k] for k in FACTS if k in line.facts):  # numbered as the markers read
            by_chunk.setdefault(fact.chunk.chunk_id, []).append(fact)
        for facts in by_chunk.values():
            cite(line.report, facts[0].chunk, min(f.start for f in facts), max(f.end for f in facts))
        if not line.facts and line.front is not None:
            cite(line.report, line.front, 0, len(line.front.text))
    return citations, number


# What a sentence of the text must show to answer a fact the title block lacks: a named person with a role
# (国务院在赵紫阳总理主持下, 刘少奇同志关于宪法草案的报告), a day, a meeting.
_STATED = {
    "speaker": re.compile(r"[\u4e00-\u9fff]{2,3}(?:副?总理|主席|同志|委员长|省长|市长|区长|县长)"),
    "date": DATE_RE,
    "meeting": re.compile(r"会议|大会"),
}


# Asked who delivered or read a report: the sentence must speak of a report (听了刘少奇同志关于宪法草案的报告),
# not name a person for anything else (以邓小平同志…理论为指导)
_DELIVERY = re.compile(r"deliver|present|\bread\b|\bgave\b|\bgive|[作做]的?报告|报告[是由]?谁|谁[作做]|宣读", re.I)


def states_asked_facts(question: str, quotes: list[str]) -> bool:
    """Whether the quoted sentences state every report fact the question asks (a person, a day, a meeting):
    the text may answer what the title block does not, but a sentence without one is no answer to it."""
    asked = asked_facts(question)
    text = to_simplified(" ".join(quotes))
    if "speaker" in asked and _DELIVERY.search(to_simplified(question)) and "报告" not in text:
        return False
    return bool(asked) and all(_STATED[fact].search(text) for fact in asked)
