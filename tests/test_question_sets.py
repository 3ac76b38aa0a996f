"""The national question sets stay valid: every gold string is in the report it names (after the same
normalization search uses), every expected answer is in its gold, ids are unique. No model, no index."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from rag.core.textnorm import normalize_for_search
from tests.conftest import NATIONAL, REPO, SEEDS, need_shared

SETS = ["national_qa.jsonl", "national_blind_qa.jsonl", "english_blind_qa.jsonl", "national_blind2_qa.jsonl",
        "national_blind3_qa.jsonl", "english_blind2_qa.jsonl", "national_blind4_qa.jsonl", "english_blind3_qa.jsonl",
        "national_blind5_qa.jsonl", "english_blind4_qa.jsonl", "national_blind6_qa.jsonl", "english_blind5_qa.jsonl",
        "national_blind7_qa.jsonl", "english_blind6_qa.jsonl", "national_blind8_qa.jsonl", "english_blind7_qa.jsonl",
        "national_blind9_qa.jsonl", "english_blind8_qa.jsonl", "english_blind9_qa.jsonl",
        "national_blind10_qa.jsonl", "national_blind11_qa.jsonl", "english_blind10_qa.jsonl",
        "national_blind12_qa.jsonl", "english_blind11_qa.jsonl", "national_blind13_qa.jsonl",
        "english_blind12_qa.jsonl", "national_blind14_qa.jsonl", "english_blind13_qa.jsonl",
        "national_blind15_qa.jsonl", "english_blind14_qa.jsonl", "national_blind16_qa.jsonl", "english_blind15_qa.jsonl",
        "national_blind17_qa.jsonl", "english_blind16_qa.jsonl", "national_blind18_qa.jsonl",
        "english_blind17_qa.jsonl", "national_blind19_qa.jsonl", "english_blind18_qa.jsonl",
        "national_blind20_qa.jsonl", "english_blind19_qa.jsonl", "national_blind21_qa.jsonl",
        "english_blind20_qa.jsonl", "national_blind22_qa.jsonl", "english_blind21_qa.jsonl",
        "national_blind23_qa.jsonl", "english_blind22_qa.jsonl", "national_blind24_qa.jsonl",
        "english_blind23_qa.jsonl"]
# The blind writers of these sets took an answer's figures from the answering paragraph, not only from the gold
# substring: there an expected answer must be in the report.
ANSWERS_IN_REPORT = set(SETS[4:])


@cache
def national_texts() -> dict[int, str]:
    rows = [json.loads(line) for line in need_shared(NATIONAL).read_text(encoding="utf-8").splitlines() if line]
    return {int(row["year"]): normalize_for_search(row["content"]) for row in rows}


@cache
def seed_text(name: str) -> str:
    return normalize_for_search((SEEDS / name).read_text(encoding="utf-8"))


def items(name: str) -> list[dict]:
    path = REPO / "tests" / "data" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", SETS)
def test_gold_strings_are_in_the_reports_they_name(name: str) -> None:
    data = items(name)
    assert len({item["id"] for item in data}) == len(data)
    for item in data:
        if item.get("refuse"):
            assert not item["gold_contains"] and not item["answer_contains"], item["id"]
            continue
        golds = [normalize_for_search(g) for g in item["gold_contains"]]
        if "source" in item:
            texts = [seed_text(item["source"])] * len(golds)
        else:
            years = item["report_year"] if isinstance(item["report_year"], list) else [item["report_year"]]
            texts = [national_texts()[years[min(i, len(years) - 1)]] for i in range(len(golds))]
        for gold, text in zip(golds, texts, strict=True):
            assert gold in text, (item["id"], gold)
        for answer in item["answer_contains"]:
            within = set(texts) if name in ANSWERS_IN_REPORT else golds
            assert any(normalize_for_search(answer) in text for text in within), (item["id"], answer)


def test_the_sets_cover_what_the_protocol_asks() -> None:
    dev, blind, english, blind2 = items(SETS[0]), items(SETS[1]), items(SETS[2]), items(SETS[3])
    assert sum(not i.get("refuse") for i in dev) >= 60 and sum(bool(i.get("refuse")) for i in dev) >= 15
    assert len(blind) >= 30 and len(english) >= 40
    assert sum(not i.get("refuse") for i in blind2) >= 40 and sum(bool(i.get("refuse")) for i in blind2) >= 10
    assert all(i["lang"] == "en" for i in english)
    assert Path(NATIONAL).name.endswith(".jsonl")
