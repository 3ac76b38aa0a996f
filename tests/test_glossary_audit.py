"""The termbase (rag/data/glossary_en_zh.tsv) holds report vocabulary, not the wording of a few reports:
every Chinese term occurs across the State Council's work reports, and the packaged corpus counts know it."""

from __future__ import annotations

import json
from functools import lru_cache

from rag.core.textnorm import normalize_for_search, to_simplified
from rag.retrieve.corpus import packaged_counts
from rag.retrieve.glossary import GLOSSARY_PATH
from rag.retrieve.translate import topicless
from tests.conftest import NATIONAL, SHARED, need_shared

MIN_NATIONAL_REPORTS = 2


def glossary_entries() -> list[tuple[str, list[str]]]:
    """(English phrase, normalized Chinese terms) of every termbase line."""
    entries = []
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            english, chinese, *_ = line.split("\t")
            entries.append((english, [normalize_for_search(to_simplified(t)) for t in chinese.split("|") if t.strip()]))
    return entries


@lru_cache(maxsize=1)
def corpora() -> tuple[list[str], list[str]]:
    national = [normalize_for_search(json.loads(line)["content"])
                for line in need_shared(NATIONAL).read_text(encoding="utf-8").splitlines() if line.strip()]
    seeds = [normalize_for_search(p.read_text(encoding="utf-8")) for p in sorted((SHARED / "seeds").glob("*.txt"))]
    return national, seeds


def test_no_entry_belongs_to_one_report():
    """Issue #14's audit: entries whose Chinese occurs in no national report and in at most one seed."""
    national, seeds = corpora()
    local = [(english, terms) for english, terms in glossary_entries()
             if any(not any(t in text for text in national) and sum(t in s for s in seeds) <= 1 for t in terms)]
    assert local == []


def test_every_term_occurs_across_national_reports():
    national, _ = corpora()
    rare = [(english, term) for english, terms in glossary_entries() for term in terms
            if sum(term in text for text in national) < MIN_NATIONAL_REPORTS]
    assert rare == []


def test_entries_name_topics_and_the_counts_know_their_terms():
    entries = glossary_entries()
    assert 1000 < len(entries) < 2000
    assert [english for english, _ in entries if " " not in english and topicless(english.lower())] == []
    counts = packaged_counts()  # the packaged reference corpus knows every termbase wording
    assert [t for _, terms in entries for t in terms if not counts.count(t)] == []
