"""Extract, then phrase: the extractive engine picks the sentences, an LLM writes them as an answer.

Why: a 1.5B model on two CPU cores reads ~75 prompt tokens/s, so whole chunks cost 8–10 s before the first
token, and it picks the wrong figure of a long paragraph (the GDP level for the growth target). The extractive
selector already finds the sentences that answer the question (and refuses when none does), so the model gets
only those few sentences, each with its report, section and ¶, and its one job is to write them as one to
three complete sentences. Everything it writes is checked before it is shown (:mod:`rag.answer.grounding`);
an answer that fails a check is replaced by the extractive one, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rag.answer.citations import Citation, neutralize_markers
from rag.answer.extractive import Selected
from rag.answer.grounding import (
    MARKER_RE,
    claim_of,
    mark_sole_holder,
    names_subject,
    other_places,
    unbacked_topics,
    unbacked_years,
)
from rag.answer.injection import obeys_instruction
from rag.answer.records import Answer, in_script, reply_language
from rag.core.models import Report
from rag.core.numbers import (
    NOT_FIGURES,
    VALUE_UNIT_RE,
    Figure,
    extract_figures,
    is_supported,
    unsupported_figures,
)
from rag.core.textnorm import to_simplified
from rag.reports.ledger_records import figures_in_english
from rag.retrieve.figures import NUMBER_RUN, spelled_numbers_as_digits
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.places import english_place_name
from rag.retrieve.plan import NUMERIC_CUES, QueryPlan

# The place of the prompt's invented examples (rag/answer/prompts.py): never a place of an answer.
EXAMPLE_PLACE = re.compile(r"示例|example (?:city|district)", re.I)
SECTION_CHARS = 24  # the top section heading says review or plan (2022年工作回顾 / 2023年工作安排); enough of it


@dataclass(frozen=True)
class Source:
    """One numbered sentence the model reads: the chunk it is from and its exact span there."""

    n: int
    hit: SearchHit
    quote: str
    start: int

    def line(self, english: bool = False) -> str:
        """``[n] 《title》 section ¶p：sentence``; for an English answer the sentence's amounts follow in English
        units (1.293 billion yuan (12.93亿元)), so a small model need not convert 亿 itself, where it slips."""
        chunk = self.hit.chunk
        section = (chunk.section_path[0] if chunk.section_path else "")[:SECTION_CHARS]
        where = f" {section}" if section else ""
        line = f"[{self.n}] 《{self.hit.report.title}》{where} ¶{chunk.paragraph}：{neutralize_markers(self.quote)}"
        if not english:
            return line
        report = self.hit.report
        place = report.district or report.city or report.province
        named = f"（{english_place_name(place)}）" if place and report.level != "national" else ""
        amounts = figures_in_english(self.quote)
        return line + named + (f"（= {'; '.join(amounts)}）" if amounts else "")


def phrase_sources(parts: list[tuple[SearchHit, Selected]], limit: int, quoted: int | None = None) -> list[Source]:
    """The sentences the model reads, best first: the extractive answer's (the first ``quoted`` parts), then
    runners-up from the same reports only, ``limit`` in all (one sentence repeated by two chunks is read once).
    A runner-up from another report is how another year's figure would get in (the 1959 report's review of
    1957 next to the 1955 report's target for it)."""
    quoted = len(parts) if quoted is None else quoted
    reports = {hit.chunk.report_id for hit, _ in parts[:quoted]}
    sources: list[Source] = []
    seen: set[str] = set()
    for index, (hit, selected) in enumerate(parts):
        key = selected.text.strip()
        if key in seen or len(sources) >= limit or (index >= quoted and hit.chunk.report_id not in reports):
            continue
        seen.add(key)
        sources.append(Source(len(sources) + 1, hit, selected.text, selected.start))
    return sources


def format_sentence_sources(sources: list[Source], english: bool = False) -> str:
    return "\n".join(source.line(english) for source in sources)


@dataclass
class Phrased:
    """The model's answer after the checks: the answer, or why it was rejected."""

    answer: Answer | None
    rejected: str | None = None


def phrase_answer(
    chat_model: Any, engine: str, plan: QueryPlan, sources: list[Source], question: str, standalone: str,
    reports: list[Report], on_token: Callable[[str], None] | None = None,
) -> Phrased:
    """Ask the model to write ``sources`` as an answer to ``standalone``, then check what it wrote."""
    from rag.answer.prompts import PHRASE_LANGUAGE, phrase_prompt

    language = reply_language(plan)
    messages = phrase_prompt.format_messages(sources=format_sentence_sources(sources, language == "en"),
                                             question=standalone,
                                             language_rule=PHRASE_LANGUAGE[language])
    text = in_script(_tidy(stream_reply(chat_model, messages, on_token)), language)
    return check_phrased(text, engine, plan, sources, question, standalone, reports)


def stream_reply(chat_model: Any, messages: list[Any], on_token: Callable[[str], None] | None = None) -> str:
    """The model's whole reply, each token passed to ``on_token`` as it comes (the UI shows it at once)."""
    pieces: list[str] = []
    for chunk in chat_model.stream(messages):
        token = chunk.content if isinstance(chunk.content, str) else ""
        if token:
            pieces.append(token)
            if on_token is not None:
                on_token(token)
    return "".join(pieces)


def _tidy(text: str) -> str:
    """One paragraph: the model's line breaks and a leading "答：" / "Answer:" are not part of the answer."""
    text = re.sub(r"^\s*(?:答案?|回答|Answer)\s*[:：]\s*", "", text.strip(), flags=re.I)
    return re.sub(r"\s*\n+\s*", " " if re.search(r"[A-Za-z]\s*$", text.split("\n")[0]) else "", text).strip()


_SPELLED_AMOUNT = re.compile(rf"{NUMBER_RUN.pattern}\s+(?:trillion|billion|million|percent|per cent)\b", re.I)


def check_phrased(text: str, engine: str, plan: QueryPlan, sources: list[Source], question: str, standalone: str,
                  reports: list[Report]) -> Phrased:
    """Markers, figures, years, places and subject of a phrased answer; markers renumbered 1..m in order."""
    quotes = [s.quote for s in sources]
    language = reply_language(plan)
    if not MARKER_RE.search(text):
        repaired = mark_sole_holder(text, quotes, standalone, best_first=True)
        if repaired is None:
            return Phrased(None, "the answer cites no source")
        text = repaired
    if language == "en":
        text = restate_scaled(text, quotes)
    markers = [int(m) for m in MARKER_RE.findall(text)]
    bad = sorted({m for m in markers if not 1 <= m <= len(sources)})
    if bad:
        return Phrased(None, f"the answer cites sources that do not exist: {bad}")
    cited = list(dict.fromkeys(markers))
    cited_quotes = [quotes[n - 1] for n in cited]
    # an injected instruction never reaches the model (the sentences drop it), yet an answer repeating its payload
    # (or resting on it) is rejected all the same: the paragraph is checked, not only the sentence
    if obeys_instruction(text, [sources[n - 1].hit.chunk.text for n in cited]):
        return Phrased(None, "the answer follows an instruction found in the sources (prompt injection)")
    # an amount spelled out ("four billion seven hundred million tonnes") is checked like one in digits
    checked = _SPELLED_AMOUNT.sub(lambda m: spelled_numbers_as_digits(m.group(0)), text) if language == "en" else text
    for n in cited:  # years are checked below, against the sources' time, not as figures of the sentence
        missing = unsupported_figures(NOT_FIGURES.sub(" ", claim_of(checked, n)), cited_quotes, standalone,
                                      strict_scale=True)
        if missing:
            return Phrased(None, f"figures not found in the cited sentences: {', '.join(missing)}")
    if 1 not in cited and len({s.hit.chunk.report_id for s in sources}) > 1:
        # sentences from several reports (a 1955 target, the 1959 review of it): the best one must be used
        return Phrased(None, "the answer leaves out the best sentence for another report's")
    years = unbacked_years(text, [sources[n - 1] for n in cited], standalone)
    if years:
        return Phrased(None, f"the answer states years its sources do not: {', '.join(map(str, years))}")
    if EXAMPLE_PLACE.search(text):
        return Phrased(None, "the answer copies the prompt's invented example")
    places = other_places(text, [sources[n - 1].hit.report for n in cited], reports, plan)
    if places:
        return Phrased(None, f"the answer names places its sources are not about: {', '.join(places)}")
    topics = unbacked_topics(text, plan, quotes)
    if topics:
        return Phrased(None, f"the answer puts a figure under a subject its sentence does not name: {', '.join(topics)}")
    if not names_subject(text, plan, cited_quotes):
        return Phrased(None, "the answer does not say what its figure is (a bare number)")
    renumber = {old: new for new, old in enumerate(cited, start=1)}
    text = MARKER_RE.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
    if language != "en":
        text = in_script(with_report_qualifiers(in_report_numerals(text, cited_quotes), cited_quotes), language)
    else:
        text = with_report_wording(text, cited_quotes)
        if not NUMERIC_CUES.search(plan.text):
            # what a programme is or what a list holds: its Chinese names are what the reader looks up
            text += " — " + "; ".join(f"“{neutralize_markers(quotes[n - 1]).strip()}” [{renumber[n]}]" for n in cited)
    citations = [Citation(renumber[n], sources[n - 1].hit, sources[n - 1].quote, sources[n - 1].start)
                 for n in cited]
    return Phrased(Answer(question, text, engine, True, False, citations, standalone))


# A figure as a report writes it: number, scale word, unit or measure word, qualifier (1.2万人以上, 40个, 12.93億元).
# Older reports write digits, separators and % full width (６，４９９，８６２，０００元, 7％左右).
REPORT_FIGURE = re.compile(
    r"(?<![\d.．])\d+(?:[,，]\d{3}(?!\d))*(?:[.．]\d+)?\s*(?:万亿|萬億|亿|億|万|萬|千)?(?:多|余|餘)?"
    r"(?:个百分点|個百分點|平方公里|平方米|立方米|公里|千米|千瓦|美元|人次|"
    r"[元人名位例个個家户戶项項所座支件条條次场場批套处處张張辆輛艘台臺栋棟株只头頭亩畝吨噸天倍%％‰])?"
    r"(?:左右|以上|以内|以內|以下|上下|多|余|餘)?")
EN_FIGURE = re.compile(r"(?<![\w.\[])\d+(?:,\d{3})*(?:\.\d+)?(?:\s*(?:%|percent|per cent|trillion|billion|million|thousand))?(?![\d\]])")


ARABIC_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:万亿|亿|万|千)?\s*(?:%|个百分点|[元人斤吨])?")


def chinese_numeral_wordings(quote: str) -> list[tuple[Figure, str]]:
    """Figures a sentence writes in Chinese numerals (百分之七点九, 三千八百五十六亿斤), with a qualifier after them
    (百分之一以下), each with its value."""
    simplified = to_simplified(quote)
    wordings = []
    for match in VALUE_UNIT_RE.finditer(simplified):
        tail = re.match(r"(?:左右|以上|以内|以下|上下)?", simplified[match.end():])
        wording = match.group(0).strip() + (tail.group(0) if tail else "")
        figures = extract_figures(wording)
        if figures and not re.search(r"\d", wording):
            wordings.append((figures[0], wording))
    return wordings


def in_report_numerals(text: str, quotes: list[str]) -> str:
    """A Chinese answer copies figures as the report writes them: where the model turned 百分之十四点三 into 14.3%
    (same value), the report's numerals go back in, so the answer reads like its quote and can be found in it."""
    wordings = [w for quote in quotes for w in chinese_numeral_wordings(quote)]
    if not wordings:
        return text

    def restore(match: re.Match[str]) -> str:
        figures = extract_figures(match.group(0))
        if not figures:
            return match.group(0)
        found = next((w for f, w in wordings if f.percent == figures[0].percent
                      and is_supported(figures[0], [f], strict_scale=True)
                      and abs(f.scaled - figures[0].scaled) <= 1e-9 * max(abs(f.scaled), 1.0)), None)
        return found or match.group(0)

    return ARABIC_FIGURE.sub(restore, text)


# A qualifier after a report's figure (百分之十以内) and the bound words a model writes for it instead (不超过百分之十).
_QUALIFIER_PARAPHRASE = {"左右": "约|大约|大概", "以上": "超过|多于|不少于|不低于", "以内": "不超过|不高于|低于",
                         "以下": "不超过|不高于|低于", "上下": "约|大约|大概"}
_QUALIFIERS = "|".join(_QUALIFIER_PARAPHRASE)
_QUALIFIED_FIGURE = re.compile(rf"(?P<core>{VALUE_UNIT_RE.pattern})(?P<qualifier>{_QUALIFIERS})")


def with_report_qualifiers(text: str, quotes: list[str]) -> str:
    """A Chinese answer keeps a figure's qualifier as the report writes it: where the model wrote 不超过百分之十 for
    百分之十以内 (or dropped 左右), the report's wording goes back in — a cap, a floor or an approximation read
    the same way the quote says it, and the answer can be found in its quote."""
    for quote in quotes:
        for match in _QUALIFIED_FIGURE.finditer(to_simplified(quote)):
            core = match.group("core")
            if not extract_figures(core) or match.group(0) in text:
                continue
            bound = _QUALIFIER_PARAPHRASE[match.group("qualifier")]
            text = re.sub(rf"(?:{bound}|(?<![\d.零〇一二两三四五六七八九十百千万亿点])){re.escape(core)}(?![\d.])"
                          rf"(?:{_QUALIFIERS})?", match.group(0), text, count=1)
    return text


def restate_scaled(text: str, quotes: list[str]) -> str:
    """A small model writes 17.8亿元 as "17.8 billion yuan" (it is 1.78 billion). Where an English amount has a
    source figure's digits at another scale, and no source figure has its value, it is replaced by that source
    figure restated in English with its own wording: "1.78 billion yuan (17.8亿元)". Any other wrong figure is
    left for the figure check to reject."""
    amounts = []
    for quote in quotes:
        for item in figures_in_english(to_simplified(quote), limit=12):
            figures = extract_figures(item[item.rindex("(") + 1:-1])
            if figures:
                amounts.append((figures[0], item))

    def fix(match: re.Match[str]) -> str:
        figures = extract_figures(match.group(0))
        if not figures or figures[0].scaled == figures[0].raw:
            return match.group(0)
        figure = figures[0]
        if any(is_supported(figure, [f], strict_scale=True) for f, _ in amounts):
            return match.group(0)
        return next((item for f, item in amounts if f.raw == figure.raw), match.group(0))

    return re.sub(EN_FIGURE.pattern + r"(?:\s*(?:yuan|RMB|people|persons|US dollars))?", fix, text)


def with_report_wording(text: str, quotes: list[str]) -> str:
    """English answers restate figures in English; after each one the report's own wording follows in brackets
    (12.69 million (1269万人), 40 (40个)), so the reader can find it in the quote, and a qualifier (以上) and
    measure word are kept. A figure written exactly as the report writes it is left alone."""
    wordings = []
    for quote in quotes:
        for match in REPORT_FIGURE.finditer(quote):
            figures = extract_figures(match.group(0))
            if figures:
                wordings.append((figures[0], match.group(0).strip()))
        wordings += chinese_numeral_wordings(quote)
    out, pos = [], 0
    for figure_match in EN_FIGURE.finditer(text):
        figures = extract_figures(figure_match.group(0))
        if not figures:
            continue
        year_like = 1900 <= figures[0].raw <= 2100 and not figures[0].percent and "," not in figure_match.group(0)
        # the model may write part of the report's wording (2.5万余 people for 2.5万余人): compare all of it
        written = figure_match.group(0) + (re.match(r"[\u4e00-\u9fff%]*", text[figure_match.end():]) or [""])[0]
        figures = extract_figures(written) or figures
        found = next((w for f, w in wordings if is_supported(figures[0], [f], strict_scale=True)), None)
        if year_like and (found is None or not re.search(r"\d\s*[^\d\s年]", found)):
            continue  # a year (1695名 is a count: its wording has a measure word)
        if found is None or text[:figure_match.start()].endswith("(") or \
                to_simplified(found) in (to_simplified(written), *re.findall(r"\(([^()]*)\)", to_simplified(text))):
            continue  # already the report's wording, or already followed by it
        stop = figure_match.start() + len(written)
        after = re.match(r"(?:\s*(?:yuan|RMB|people|persons|days|times|tonnes|tons|kilomet(?:re|er)s|km|mu|jin)\b)?",
                         text[stop:])
        end = stop + (after.end() if after else 0)
        out.append(text[pos:end] + f" ({found})")
        pos = end
    out.append(text[pos:])
    return "".join(out)
