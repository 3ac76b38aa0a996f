"""The domain termbase: report vocabulary a general dictionary does not give, and indicator wordings.

English questions are translated word by word from CC-CEDICT (:mod:`rag.retrieve.dictionary`); where it is
silent or offers only general words, the termbase gives the report's own wording:

* ``rag/data/glossary_en_zh.tsv``: report vocabulary that recurs across the national reports (稳就业,
  放管服, 专项债券, 赤字率, 留抵退税, 新质生产力), in the official English of the reports where known; an
  entry earns its place by occurring in the State Council's reports (``tests/test_glossary_audit.py``
  counts entries tied to one report only: none);
* the English aliases of the ledger's indicator table (``rag/data/indicators.tsv``);
* Chinese questions that name a standard indicator (新增就业, 社零额) get all its wordings.

Phrases are matched on word stems (:mod:`rag.retrieve.english`), so one entry covers its inflections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rag.core.textnorm import normalize_for_search, to_simplified
from rag.retrieve.english import derivation, english_words, stems

if TYPE_CHECKING:
    from rag.reports.indicators import Indicator

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary_en_zh.tsv"


@dataclass(frozen=True)
class GlossaryEntry:
    terms: tuple[str, ...]
    soft: bool  # a word whose Chinese wording varies (renovate, dispatch): helps, never required


@lru_cache(maxsize=1)
def _glossary_entries() -> dict[str, GlossaryEntry]:
    """English phrase → entry, from the packaged TSV (comment lines start with #; third column ``soft``)."""
    table: dict[str, GlossaryEntry] = {}
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, chinese, *flags = line.split("\t")
        key = english.strip().lower()
        terms = [to_simplified(t.strip()) for t in chinese.split("|") if t.strip()]
        soft = "soft" in (f.strip() for f in flags)
        if key in table:  # a repeated phrase adds its terms; it is soft only if every line says so
            old = table[key]
            terms = [*old.terms, *(t for t in terms if t not in old.terms)]
            soft = soft and old.soft
        table[key] = GlossaryEntry(tuple(dict.fromkeys(terms)), soft)
    # The ledger's indicator table (rag/data/indicators.tsv) names each standard indicator in English and
    # lists how reports write it: its multi-word English aliases (and acronyms: GDP, CPI) are glossary
    # phrases too, and a phrase the glossary already has gains the indicator's wordings.
    from rag.reports.indicators import commuted  # "farm and industrial output" = "industrial and farm output"

    for indicator in _indicators():
        synonyms = [normalize_for_search(t) for t in (indicator.name, *indicator.synonyms)]
        names = {re.sub(r"\s*\(.*?\)", "", a.lower()).strip() for a in (indicator.english, *indicator.aliases_en)}
        for alias in names | {" ".join(commuted(name.split())) for name in names} - {""}:
            if len(alias.split()) < 2 and alias not in ACRONYMS:
                continue  # one-word aliases (industry, income) are too broad for questions
            old = table.get(alias, GlossaryEntry((), False))
            table[alias] = GlossaryEntry(tuple(dict.fromkeys([*old.terms, *synonyms])), old.soft)
    return table


LATIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-z&.\- ]{1,12}[)）](?=[\u4e00-\u9fff])", re.I)
ACRONYMS = {"gdp", "gnp", "cpi", "fdi", "fai", "ppi", "pmi"}


def _indicators() -> tuple[Indicator, ...]:
    from rag.reports.indicators import load_table

    try:
        return load_table().indicators
    except (OSError, ValueError):  # a broken table must not break search
        return ()


@lru_cache(maxsize=1)
def _indicator_synonyms() -> list[tuple[str, tuple[str, ...]]]:
    """Every indicator wording (normalized), longest first, with all the wordings of its indicator."""
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for indicator in _indicators():
        wordings = tuple(dict.fromkeys(normalize_for_search(t) for t in (indicator.name, *indicator.synonyms)))
        pairs.extend((w, wordings) for w in wordings if len(w) >= 3)
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def indicator_groups(normalized: str) -> list[list[str]]:
    """The standard indicators a Chinese question names (社零额, 新增就业 …), each as all the ways reports
    write it, so a passage using another wording of the same indicator is found and counts as an answer."""
    groups: list[list[str]] = []
    normalized = LATIN_GLOSS.sub("", normalized)  # 研究与试验发展(r&d)经费: the acronym glosses the name it splits
    taken = [False] * len(normalized)
    for wording, wordings in _indicator_synonyms():
        start = normalized.find(wording)
        while start != -1:
            if not any(taken[start:start + len(wording)]):
                taken[start:start + len(wording)] = [True] * len(wording)
                if list(wordings) not in groups:
                    groups.append(list(wordings))
            start = normalized.find(wording, start + 1)
    return groups


@lru_cache(maxsize=1)
def termbase() -> dict[tuple[str, ...], dict[str, GlossaryEntry]]:
    """Stemmed English phrase → its entries by the words' derivational endings (see :func:`phrase_form`):
    phrases that share stems and endings are merged (renovate, renovated), while a stem shared across
    endings stays apart (govern 治理 is not government)."""
    table: dict[tuple[str, ...], dict[str, GlossaryEntry]] = {}
    for english, entry in _glossary_entries().items():
        words = english_words(english)
        key, form = stems(words), phrase_form(words)
        if not key:
            continue
        old = table.setdefault(key, {}).get(form)
        if old is not None:
            entry = GlossaryEntry(tuple(dict.fromkeys([*old.terms, *entry.terms])), old.soft and entry.soft)
        table[key][form] = entry
    return table


def phrase_form(words: list[str] | tuple[str, ...]) -> str:
    """The derivational endings of a phrase's words (building 楼宇 is not build 建设)."""
    return " ".join(derivation(w) for w in words)


def termbase_terms() -> list[str]:
    """Every Chinese wording of the termbase (for the packaged corpus counts and the audit)."""
    return list(dict.fromkeys(t for forms in termbase().values() for entry in forms.values() for t in entry.terms))
