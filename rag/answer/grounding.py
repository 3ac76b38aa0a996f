"""Checks an LLM answer must pass before it is shown: its [n] markers name real sources, its figures occur in
the cited sources, and the years and places it states are the cited sources' own. A failed check means the
extractive answer is shown instead (with the reason), never an unverified figure."""

from __future__ import annotations

import re
from typing import Any

from rag.answer.citations import locate_quote
from rag.answer.sentence_time import year_match
from rag.core.models import Report
from rag.core.numbers import extract_figures, unsupported_figures
from rag.core.textnorm import normalize_for_search, per_capita
from rag.core.timeframe import sentence_years
from rag.retrieve.hybrid import SearchHit
from rag.retrieve.plan import QueryPlan

MARKER_RE = re.compile(r"\[(\d{1,2})\]")
CLAIM_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?<=\.)(?=\s)")  # sentence ends, never the point in 33.8


def claim_of(text: str, n: int) -> str:
    """The sentences of an answer that cite source ``n`` (the whole answer when none does)."""
    return " ".join(s for s in CLAIM_SPLIT.split(text) if f"[{n}]" in s) or text


def check_grounding(answer_text: str, hits: list[SearchHit], question: str) -> tuple[bool, str | None, list[int]]:
    """Every marker names a retrieved source; every figure appears in a cited source (or the question)."""
    markers = [int(m) for m in MARKER_RE.findall(answer_text)]
    if not markers:
        return False, "the answer cites no source", []
    bad = sorted({m for m in markers if not 1 <= m <= len(hits)})
    if bad:
        return False, f"the answer cites sources that do not exist: {bad}", []
    cited = sorted(set(markers))
    missing = unsupported_figures(answer_text, [hits[m - 1].chunk.text for m in cited], question)
    if missing:
        return False, f"figures not found in the cited sources: {', '.join(missing)}", cited
    return True, None, cited


def other_year_sources(text: str, sources: list[SearchHit], cited: list[int], plan: QueryPlan) -> list[int]:
    """Cited sources whose quoted figures are about another year than the question asks (the same check as the
    extractive engine's: a figure of 2021 never answers for 2022)."""
    other: list[int] = []
    if plan.time.only_the_report:
        return other  # any year the named report speaks about may be the one asked (QuestionTime.only_the_report)
    for n in cited:
        hit = sources[n - 1]
        start, end = locate_quote(hit.chunk.text, claim_of(text, n))
        quote = hit.chunk.text[start:end]
        if extract_figures(quote) and year_match(plan.time.asked_years, quote, hit.chunk.time, hit.report.year) < 0:
            other.append(n)
    return other


def repair_markers(text: str, sources: list[SearchHit], question: str) -> str | None:
    """Small models often drop or misnumber [n]. When all figures of the answer occur in exactly one source,
    cite that source instead; an answer without figures, or with figures from nowhere, is not repaired."""
    return mark_sole_holder(text, [hit.chunk.text for hit in sources], question)


def mark_sole_holder(text: str, source_texts: list[str], question: str, best_first: bool = False) -> str | None:
    """``text`` with its markers replaced by one ``[n]`` at its end, n the only source text that holds all of
    its figures; None when it states no figure, or when no source or several hold them. With ``best_first``
    (sources ranked best first, the first the one the extractive answer quotes) the first holds them too."""
    figures = extract_figures(MARKER_RE.sub("", text))
    if not figures:
        return None
    holders = [n for n, source in enumerate(source_texts, start=1)
               if not unsupported_figures(MARKER_RE.sub("", text), [source], question)]
    if best_first and holders[:1] == [1]:
        holders = [1]
    if len(holders) != 1:
        return None
    bare = MARKER_RE.sub("", text).rstrip()
    end = re.search(r"[。.!！?？]*$", bare)
    cut = end.start() if end else len(bare)
    return f"{bare[:cut]}[{holders[0]}]{bare[cut:]}"


# -- checks of a phrased answer (rag/answer/phrasing.py): the sources are sentences ---------------------------
_EN_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d{2})(?![\d.,%])")


def unbacked_years(text: str, cited: list[Any], question: str) -> list[int]:
    """Years the answer states that neither the question nor a cited sentence backs: a sentence's own years,
    the years its paragraph speaks about (the review of the 2023 report is about 2022), and its report's year.
    ``cited`` holds :class:`rag.answer.phrasing.Source` items."""
    from rag.retrieve.when import question_time

    asked = question_time(question)
    backed = set(asked.years) | set(asked.asked_years)
    for source in cited:
        hit = source.hit
        backed |= set(sentence_years(source.quote, hit.report.year)) | set(hit.chunk.time.years)
        backed |= set(question_time(source.quote).years) | set(question_time(hit.report.title).years)
        if hit.report.year:
            backed.add(hit.report.year)
    stated = set(question_time(MARKER_RE.sub(" ", text)).years)
    stated |= {int(y) for y in _EN_YEAR.findall(MARKER_RE.sub(" ", text))}
    return sorted(stated - backed)


def other_places(text: str, cited_reports: list[Report], reports: list[Report], plan: QueryPlan) -> list[str]:
    """Places the answer names that are neither the cited reports' nor the question's (a figure of 凌河区 said
    of 西市区)."""
    from rag.retrieve.places import match_places

    allowed = {rid for match in plan.places for rid in match.report_ids} | {r.report_id for r in cited_reports}
    wrong = []
    for match in match_places(MARKER_RE.sub(" ", text), plan.lang, reports):
        if match.name == "全国":
            continue
        if not set(match.report_ids) & allowed:
            wrong.append(match.name)
    return wrong


_CLAUSE = re.compile(r"[，,；;：:]")


def unbacked_topics(text: str, plan: QueryPlan, quotes: list[str]) -> list[str]:
    """Topic words of a Chinese question that a claim with a figure states while none of the sentences it cites
    mentions them: 国民生产总值…百分之六点七[1] citing 全国工农业总产值平均每年增长百分之六点七 puts the neighbouring
    figure under the asked subject. ``quotes[n - 1]`` is source n's sentence."""
    from rag.answer.mentions import covered_concepts
    from rag.answer.topics import question_concepts

    if plan.lang == "en":
        return []
    analysis = question_concepts(plan, {m.name for m in plan.places})
    concepts = analysis.concepts
    framing = analysis.soft | analysis.phrasing  # 发生, 严重, 控制目标: how the question is put, not its subject
    unbacked: list[str] = []
    for claim in CLAIM_SPLIT.split(text):
        markers = [int(m) for m in MARKER_RE.findall(claim) if 1 <= int(m) <= len(quotes)]
        # the subject of a figure is named in its own clause (1953年全国基层普选中，…选民约占…: 普选 sets the scene)
        stating = [c for c in _CLAUSE.split(MARKER_RE.sub(" ", claim)) if extract_figures(c)]
        if not markers or not stating:
            continue
        said = covered_concepts(concepts, per_capita(normalize_for_search(" ".join(stating))))
        backed = covered_concepts(concepts, per_capita(normalize_for_search(" ".join(quotes[n - 1] for n in markers))))
        unbacked += [concepts[i][0] for i in sorted(said - backed - framing) if not concepts[i][0].startswith("\x00")]
    return list(dict.fromkeys(unbacked))


_SUBJECT_NOISE = re.compile(r"\[\d{1,2}\]|[\d.,，。、；;:：%％()（）“”\"'\s]+|[亿万千百]|元|人|个|家|户|项|年")


def names_subject(text: str, plan: QueryPlan, quotes: list[str]) -> bool:
    """False for a bare figure ("108家[1]", "9[1]"): an answer must name what its figure is, in words shared
    with the question or the cited sentence (two Chinese character pairs), or, in English, in three words."""
    rest = _SUBJECT_NOISE.sub(" ", normalize_for_search(text))
    grams = {rest[i:i + 2] for i in range(len(rest) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", rest[i:i + 2])}
    reference = normalize_for_search(plan.text + " ".join(quotes))
    if sum(g in reference for g in grams) >= 2:
        return True
    english = [w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _EN_NOISE]
    return plan.lang == "en" and len(english) >= 3


# Units and filler that do not say what a figure is.
_EN_NOISE = {"the", "and", "yuan", "rmb", "billion", "million", "trillion", "thousand", "percent", "per", "cent",
             "about", "around", "over", "more", "than", "was", "were", "has", "had", "have", "its", "for", "with"}
