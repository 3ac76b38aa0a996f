"""Answer a question from the indexed reports, with numbered citations that point at exact spans.

One pipeline serves every engine: rewrite a follow-up into a standalone question → retrieve (per place for
comparisons) → answer (extractive, or an LLM through LangChain) → check grounding (markers and figures) →
fall back to the extractive answer when an LLM answer fails the check. Replies follow the question's
language and script.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rag.answer.citations import Citation, locate_quote, neutralize_markers, sentence_units
from rag.answer.conversation import rewrite_follow_up
from rag.answer.extractive import MIN_COVERAGE, Selected, rank_sentences
from rag.answer.grounding import MARKER_RE, check_grounding, claim_of, other_year_sources, repair_markers
from rag.answer.groups import place_groups, year_groups, year_plan
from rag.answer.indicator_answers import indicator_answer
from rag.answer.injection import looks_like_instruction, obeys_instruction
from rag.answer.multipart import join_answers, split_question
from rag.answer.phrasing import phrase_answer, phrase_sources, stream_reply
from rag.answer.records import REFUSAL, Answer, in_script, reply_language
from rag.answer.report_facts import report_fact_answer, states_asked_facts
from rag.answer.topics import topic_terms
from rag.core.models import Report
from rag.core.textnorm import normalize_for_search
from rag.reports.ledger_records import figures_in_english
from rag.retrieve.coordination import FUSED
from rag.retrieve.corpus import corpus_weigher, library_counts
from rag.retrieve.hybrid import Searcher, SearchFilters, SearchHit
from rag.retrieve.places import speaks_for
from rag.retrieve.plan import QueryPlan
from rag.retrieve.when import missing_year

REFUSAL_CUES = re.compile(r"未找到|没有找到|沒有找到|无法回答|無法回答|不包含|没有提及|未提及|未提供|"
                          r"not (contain|mention|provide|found)|no information|cannot (answer|find)", re.I)
TOP_K = 8
LLM_SOURCES = 3  # chunks of the older prompt (sentences = 0)
LLM_SENTENCES = 5  # sentences an LLM reads when it phrases an extractive answer (REPORTQA_LLM_SENTENCES)
SOURCE_CHARS = 200  # per source: a 1.5B model on 2 CPU cores reads ~40 tokens/s and loses focus in long context
INSTRUCTION_NOTE = "the question is an instruction to the assistant, not a question about the reports"


def scope_reports(reports: list[Report], plan: QueryPlan, report_ids: list[str] | None) -> list[Report]:
    """The reports a question may be answered from: the filter's, narrowed to the places it names."""
    scope = [r for r in reports if report_ids is None or r.report_id in report_ids]
    named = plan.place_report_ids
    in_places = [r for r in scope if r.report_id in named]
    return in_places or scope


# -- retrieval for answering ----------------------------------------------------------------------------
def retrieve_for_answer(services: Searcher, question: str, plan: QueryPlan,
                        report_ids: list[str] | None) -> list[SearchHit]:
    """Top chunks; a question naming several places gets each place's best chunks, so none drops out.

    ``plan`` is the analysis of ``question`` (the standalone question): the retriever uses it as it is."""
    place_groups = [m.report_ids for m in plan.places]
    distinct = {tuple(sorted(g)) for g in place_groups}
    if len(distinct) >= 2 and not report_ids:
        hits: list[SearchHit] = []
        seen: set[str] = set()
        per_place = max(2, TOP_K // len(distinct) + 1)
        for group in sorted(distinct):
            for hit in _search(services, question, plan, per_place, list(group)):
                if hit.chunk.chunk_id not in seen:
                    seen.add(hit.chunk.chunk_id)
                    hits.append(hit)
        return _own_places(plan, hits)
    return _own_places(plan, _search(services, question, plan, TOP_K, _in_places(plan, report_ids)))


def _own_places(plan: QueryPlan, hits: list[SearchHit]) -> list[SearchHit]:
    """A district's report (全区…) is no answer for its city (曲靖市, 锦州市); the search still shows it."""
    names = {m.name for m in plan.places} - {"全国"}
    return [h for h in hits if not names or speaks_for(h.report, names)]


def _in_places(plan: QueryPlan, report_ids: list[str] | None) -> list[str] | None:
    """A named place (not the country: the retriever prefers its reports) is answered from its reports only."""
    named = {rid for match in plan.places if match.name != "全国" for rid in match.report_ids}
    return report_ids if not named else sorted(named if report_ids is None else named & set(report_ids))


def _search(services: Searcher, question: str, plan: QueryPlan, k: int,
            report_ids: list[str] | None) -> list[SearchHit]:
    """``services.search`` (the configured mode), reusing the question's plan instead of analysing it again, in
    the order before coordination (the sentence selector counts the question's concepts itself)."""
    hits = services.search(question, k=k, filters=SearchFilters(report_ids=report_ids) if report_ids else None,
                           plan=plan).hits
    return sorted(hits, key=lambda hit: hit.ranks.get(FUSED, 0))


# -- extractive engine ------------------------------------------------------------------------------------
def extractive_answer(plan: QueryPlan, hits: list[SearchHit], question: str, standalone: str,
                      weight_of: Callable[[str], float] | None = None) -> Answer:
    return extract(plan, hits, question, standalone, weight_of).answer


@dataclass
class Extraction:
    """The extractive answer and the sentences behind it: those it quotes, then the next-best ones (what an LLM
    reads when it phrases the answer)."""

    answer: Answer
    sentences: list[tuple[SearchHit, Selected]] = field(default_factory=list)
    quoted: int = 0  # the first ``quoted`` sentences are the ones the answer quotes


def extract(plan: QueryPlan, hits: list[SearchHit], question: str, standalone: str,
            weight_of: Callable[[str], float] | None = None, runners_up: int = 0) -> Extraction:
    if looks_like_instruction(question) or looks_like_instruction(standalone):  # prompt injection: not obeyed
        return Extraction(refusal(plan, hits, question, standalone, "extractive", INSTRUCTION_NOTE))
    language = reply_language(plan)
    names = {m.name for m in plan.places}
    groups = place_groups(plan, hits)
    tables = year_groups(plan, groups[0]) if len(groups) == 1 else None
    by_year = False
    for attempt in ([tables, groups] if tables else [groups]):
        by_year = attempt is tables
        chosen, spare, answered = [], [], 0
        for group_hits in attempt:  # a comparison answers each place (a table each year) that has an answer
            ranking = rank_sentences(year_plan(plan, group_hits) if by_year else plan, group_hits, names, weight_of,
                                     runners_up=runners_up)
            if ranking.chosen and ranking.coverage >= MIN_COVERAGE:
                best = ranking.chosen[:1] if by_year else ranking.chosen
                chosen.extend((group_hits[s.hit_index], s) for s in best)
                spare.extend((group_hits[s.hit_index], s) for s in ranking.runners_up)
                answered += 1
        if not by_year or answered >= 2:
            break  # a table needs two years answered; else the best sentences of all the hits
    if not chosen:
        return Extraction(refusal(plan, hits, question, standalone, "extractive"))
    citations: list[Citation] = []
    number_of: dict[str, int] = {}
    parts: list[tuple[str, int, SearchHit]] = []
    for hit, selected in chosen:
        n = number_of.setdefault(hit.chunk.chunk_id, len(number_of) + 1)
        if n > len(citations):
            citations.append(Citation(n, hit, selected.text, selected.start))
        parts.append((selected.text, n, hit))
    comparison = len(groups) >= 2
    # Comparisons say which place each figure belongs to; so does an answer to a question that names no place
    # when its sources come from several places (a district's 2022 target is not the State Council's).
    labelled = comparison or (not plan.places and len({hit.report.region for hit, _ in chosen}) > 1)

    def label(hit: SearchHit) -> str:
        if by_year and hit.report.year:  # the year asked: a result is reviewed in the next year's report
            return f"{hit.report.year - (plan.time.aim == 'result')}年：" if language != "en" else ""
        place = hit.report.district or hit.report.city or hit.report.region
        return f"{place}：" if labelled and place else ""

    parts = [(neutralize_markers(text), n, hit) for text, n, hit in parts]  # only [n] we add are markers
    if language == "en":
        body = "; ".join(f"《{hit.report.title}》: “{text.strip()}” [{n}]{_in_english(text)}" for text, n, hit in parts)
        answer_text = f"According to {body}."
    else:
        answer_text = "；".join(f"{label(hit)}{text.strip().rstrip('。；;，,！？')}[{n}]"
                               for text, n, hit in parts) + "。"
        answer_text = in_script(answer_text, language)
    return Extraction(Answer(question, answer_text, "extractive", True, False, citations, standalone),
                      chosen + spare, len(chosen))


def _in_english(quote: str) -> str:
    """The quote's amounts in English units, after its marker: " (8.5 billion yuan (85亿元))"."""
    figures = figures_in_english(quote)
    return f" ({'; '.join(figures)})" if figures else ""


def refusal(plan: QueryPlan, hits: list[SearchHit], question: str, standalone: str, engine: str,
            note: str | None = None) -> Answer:
    """The 'not found' answer, with the closest sources so the user can check for themselves."""
    language = reply_language(plan)
    terms = topic_terms(plan, {m.name for m in plan.places}) or [plan.normalized]
    citations = []
    for n, hit in enumerate(hits[:3], start=1):
        start, end = locate_quote(hit.chunk.text, " ".join(terms))
        citations.append(Citation(n, hit, hit.chunk.text[start:end], start))
    return Answer(question, REFUSAL[language], engine, True, True, citations, standalone, note)


# -- LLM engines ------------------------------------------------------------------------------------------
def source_excerpt(hit: SearchHit, terms: list[str], limit: int = SOURCE_CHARS) -> str:
    """The chunk trimmed to its most relevant sentences (keeps prompts small enough for a CPU model)."""
    text = hit.chunk.text
    if len(text) <= limit:
        return neutralize_markers(text)  # the model must not copy report "[n]" as if it were a marker
    units = sentence_units(text)
    scored = sorted(units, key=lambda u: -sum(t in normalize_for_search(text[u[0]:u[1]]) for t in terms))
    keep: list[tuple[int, int]] = []
    total = 0
    for unit in scored:
        if total + (unit[1] - unit[0]) > limit and keep:
            break
        keep.append(unit)
        total += unit[1] - unit[0]
    return neutralize_markers("……".join(text[s:e] for s, e in sorted(keep)))


def format_sources(hits: list[SearchHit], terms: list[str]) -> str:
    blocks = []
    for n, hit in enumerate(hits, start=1):
        path = " > ".join(hit.chunk.section_path)
        blocks.append(f"[{n}] 《{hit.report.title}》 {path} ¶{hit.chunk.paragraph}\n{source_excerpt(hit, terms)}")
    return "\n\n".join(blocks)


def llm_answer(
    chat_model: Any, engine: str, plan: QueryPlan, hits: list[SearchHit], question: str, standalone: str,
    on_token: Callable[[str], None] | None = None, weight_of: Callable[[str], float] | None = None,
    sentences: int = LLM_SENTENCES, reports: list[Report] | None = None,
) -> Answer:
    """Extract, then phrase (``sentences`` > 0): the extractive engine picks the sentences (or refuses), the
    model writes them as an answer, the checks decide whether it is shown; else the extractive answer is, with
    the reason. ``sentences`` = 0 is the older prompt: the top chunks, trimmed (kept to measure against)."""
    if looks_like_instruction(question) or looks_like_instruction(standalone):  # prompt injection: not obeyed
        return refusal(plan, hits, question, standalone, engine, INSTRUCTION_NOTE)
    if sentences <= 0:
        return chunk_llm_answer(chat_model, engine, plan, hits, question, standalone, on_token, weight_of)
    extraction = extract(plan, hits, question, standalone, weight_of, runners_up=max(sentences - 1, 0))
    base = extraction.answer
    if base.refused:  # no sentence covers the question: the model is not asked to find one
        base.engine = engine
        return base
    sources = phrase_sources(extraction.sentences, max(sentences, extraction.quoted), extraction.quoted)
    if reports is None:
        reports = list({hit.report.report_id: hit.report for hit in hits}.values())
    phrased = phrase_answer(chat_model, engine, plan, sources, question, standalone, reports, on_token)
    return phrased.answer or base.fallen_back(engine, f"{engine} answer rejected: {phrased.rejected}")


def chunk_llm_answer(
    chat_model: Any, engine: str, plan: QueryPlan, hits: list[SearchHit], question: str, standalone: str,
    on_token: Callable[[str], None] | None = None, weight_of: Callable[[str], float] | None = None,
) -> Answer:
    """The model reads the top chunks (trimmed to ``SOURCE_CHARS``) and answers; then the checks."""
    from rag.answer.prompts import LANGUAGE_RULES, answer_prompt

    language = reply_language(plan)
    sources = hits[:LLM_SOURCES]
    terms = topic_terms(plan, {m.name for m in plan.places})
    messages = answer_prompt.format_messages(
        refusal=REFUSAL[language], language_rule=LANGUAGE_RULES[language],
        sources=format_sources(sources, terms), question=standalone,
    )
    text = in_script(stream_reply(chat_model, messages, on_token).strip(), language)
    if REFUSAL_CUES.search(text) and not MARKER_RE.search(text):
        # Small models decline too readily; a confident extractive answer from the same sources wins.
        extractive = extractive_answer(plan, hits, question, standalone, weight_of)
        if extractive.refused:
            extractive.engine = engine
            return extractive
        extractive.engine = f"extractive (fallback from {engine})"
        extractive.grounding_note = f"{engine} model found no answer in the sources; answered extractively"
        return extractive
    grounded, note, cited = check_grounding(text, sources, standalone)
    repaired_note = None
    if not grounded:
        repaired = repair_markers(text, sources, standalone)
        if repaired is not None:
            text, repaired_note = repaired, "citation markers set to the source that holds every figure"
            grounded, note, cited = check_grounding(text, sources, standalone)
    if grounded and obeys_instruction(text, [sources[n - 1].chunk.text for n in cited]):
        grounded, note = False, "the answer follows an instruction found in the sources (prompt injection)"
    if grounded:
        other = other_year_sources(text, sources, cited, plan)
        if other:
            grounded, note = False, f"sources {other} state figures about another year than the one asked"
    if not grounded:
        return extractive_answer(plan, hits, question, standalone, weight_of).fallen_back(
            engine, f"{engine} answer rejected: {note}")
    citations = []
    for n in cited:
        hit = sources[n - 1]
        start, end = locate_quote(hit.chunk.text, claim_of(text, n))
        citations.append(Citation(n, hit, hit.chunk.text[start:end], start))
    return Answer(question, text, engine, True, False, citations, standalone, repaired_note)


# -- the pipeline -----------------------------------------------------------------------------------------
def ask(
    services: Searcher,
    question: str,
    history: list[Any] | None = None,
    engine: str | None = None,
    report_ids: list[str] | None = None,
    on_token: Callable[[str], None] | None = None,
    on_sources: Callable[[list[SearchHit]], None] | None = None,
) -> Answer:
    """Answer ``question`` (optionally a follow-up in ``history``) with the chosen engine.

    ``on_sources`` receives the retrieved chunks before any answer is generated (the UI shows them at once).
    """
    from rag.answer.engines import resolve_engine

    t0 = time.perf_counter()
    engine_name = resolve_engine(engine or services.settings.llm, services.settings)
    reports = list(services.retriever.reports().values())
    standalone = rewrite_follow_up(question, history, reports)
    plans: dict[str, QueryPlan] = {}

    def plan_of(text: str) -> QueryPlan:
        if text not in plans:
            plans[text] = services.plan(text, engine_name)
        return plans[text]

    spent: dict[str, float] = {}  # stage timings, summed over the parts of a question that asks several figures

    def answer(part: str, whole: str, sources: Callable[[list[SearchHit]], None] | None,
               engine: str = engine_name) -> Answer:
        result = _answer_standalone(services, part, whole, plan_of, engine, reports, report_ids, on_token, sources)
        for stage, ms in result.timings.items():
            spent[stage] = spent.get(stage, 0.0) + ms
        return result

    result = None
    if not looks_like_instruction(standalone):
        counts = library_counts(services.store.conn)
        parts = split_question(standalone, plan_of, lambda phrase: counts.documents(normalize_for_search(phrase))[0] > 0)
        if len(parts) >= 2:  # each part answered on its own (see rag.answer.multipart)
            seen: dict[str, SearchHit] = {}

            def gather(hits: list[SearchHit]) -> None:
                seen.update((h.chunk.chunk_id, h) for h in hits)
                if on_sources is not None:
                    on_sources(list(seen.values()))

            # quoted, whatever the engine: a small model phrasing each part drops or swaps one of the figures
            # (measured: the local 1.5B lost 1-2 answers per set to the extractive parts)
            answers = [answer(part, part, gather, "extractive") for part in parts]
            joined = join_answers(question, standalone, parts, answers, reply_language(plan_of(standalone)))
            if joined is not None and any(a.refused for a in answers):  # the question as a whole may do better
                whole = answer(question, standalone, gather, "extractive")
                joined = joined if whole.refused else whole
            result = joined
    if result is None:
        result = answer(question, standalone, on_sources)
    result.timings = {**spent, "total_ms": (time.perf_counter() - t0) * 1000}
    return result


def _answer_standalone(services: Searcher, question: str, standalone: str, plan_of: Callable[[str], QueryPlan],
                       engine_name: str, reports: list[Report], report_ids: list[str] | None,
                       on_token: Callable[[str], None] | None,
                       on_sources: Callable[[list[SearchHit]], None] | None) -> Answer:
    from rag.answer.engines import get_chat_model

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    plan = plan_of(standalone)
    timings["analyze_ms"] = (time.perf_counter() - t0) * 1000
    t = time.perf_counter()
    hits = retrieve_for_answer(services, standalone, plan, report_ids)
    timings["retrieve_ms"] = (time.perf_counter() - t) * 1000
    if on_sources is not None:
        on_sources(hits)
    t = time.perf_counter()
    weigh = corpus_weigher(services.store.conn)
    place = "、".join(m.name for m in plan.places)
    scope = scope_reports(reports, plan, report_ids)
    gap = missing_year(plan.time, scope, place, services.store.late_reports())
    # Who delivered a report, when, at which meeting: from its title block (¶0). A standard indicator of a year
    # and place: from the indicator ledger (its row's own quote; its year labels are not figures of the quote,
    # so it skips the figure check of LLM answers). Both are deterministic, so they answer for every engine.
    direct = None
    if gap is None and not looks_like_instruction(standalone):
        direct = report_fact_answer(plan, question, standalone, scope, services.store) or \
            (None if plan.untranslated else indicator_answer(plan, question, standalone, services.store, scope))
    if gap is not None:  # never another year's figure: say which report is missing and what the library has
        result = refusal(plan, hits, question, standalone, engine_name, note="the library has no report for this year")
        result.answer = in_script(gap.message("en" if plan.lang == "en" else "zh"), reply_language(plan))
    elif direct is not None:
        result = direct
        if direct.refused and hits:  # the title block names no speaker: the text may ("国务院在赵紫阳总理主持下")
            found = extractive_answer(plan, hits, question, standalone, weigh)
            if states_asked_facts(standalone, [c.quote for c in found.citations]):
                result = found
    elif not hits:
        result = refusal(plan, hits, question, standalone, engine_name)
    elif engine_name == "extractive":
        result = extractive_answer(plan, hits, question, standalone, weigh)
    else:
        try:
            chat_model = get_chat_model(engine_name, services.settings)
            result = llm_answer(chat_model, engine_name, plan, hits, question, standalone, on_token, weigh,
                                services.settings.llm_sentences, reports)
        except Exception as exc:  # endpoint down, model missing: answer anyway, and say why
            result = extractive_answer(plan, hits, question, standalone, weigh).fallen_back(
                engine_name, f"{engine_name} engine unavailable: {exc.__class__.__name__}: {exc}", grounded=True)
    timings["answer_ms"] = (time.perf_counter() - t) * 1000
    result.timings = timings
    return result
