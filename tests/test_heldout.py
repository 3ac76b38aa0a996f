"""Held-out questions nobody tuned the system on: retrieval recall and answers per language.

``tests/data/heldout_qa.jsonl`` (34 questions over the five seeds: 19 English, 8 Simplified, 7 Traditional;
dev_qa.jsonl format) and ``tests/data/heldout_unanswerable.jsonl`` (12 questions the reports do not answer).
The floors sit a little under what the system reaches (README, "Retrieval quality"), so a change that makes
unseen questions worse fails here even when the dev set still passes.
"""

from __future__ import annotations

import json
import re

import pytest

from rag.answer.pipeline import REFUSAL, ask
from rag.core.textnorm import detect_script, normalize_for_search
from tests.conftest import REPO

DATA = REPO / "tests" / "data"


def load(name: str) -> list[dict]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def heldout() -> list[dict]:
    return load("heldout_qa.jsonl")


@pytest.fixture(scope="module")
def heldout_answers(seed_services, heldout) -> dict[str, object]:
    return {item["id"]: ask(seed_services, item["question"], engine="extractive") for item in heldout}


def first_hit_rank(services, item: dict, k: int = 10) -> int | None:
    golds = [normalize_for_search(g) for g in item["gold_contains"]]
    hits = services.search(item["question"], k=k, mode="hybrid").hits
    return next((i for i, h in enumerate(hits, 1) if any(g in normalize_for_search(h.chunk.text) for g in golds)),
                None)


def test_heldout_file_is_well_formed(heldout, parsed_seeds):
    assert len(heldout) >= 30
    assert {item["lang"] for item in heldout} == {"en", "zh", "zh-hant"}
    assert sum(item["lang"] == "en" for item in heldout) >= 15
    assert {item["source"] for item in heldout} == set(parsed_seeds)  # every seed report is asked about
    for item in heldout:
        assert set(item) == {"id", "lang", "question", "source", "gold_contains", "answer_contains"}
        chunks = parsed_seeds[item["source"]].chunks
        for gold in item["gold_contains"]:  # each gold string lies inside one chunk, as written
            holders = [c for c in chunks if gold in c.text]
            assert holders, (item["id"], gold)
            assert all(normalize_for_search(a) in normalize_for_search(holders[0].text)
                       for a in item["answer_contains"]), item["id"]


def test_heldout_hybrid_recall(seed_services, heldout):
    ranks = {item["id"]: first_hit_rank(seed_services, item) for item in heldout}

    def recall(items: list[dict], k: int) -> float:
        return sum(1 for i in items if ranks[i["id"]] is not None and ranks[i["id"]] <= k) / len(items)

    english = [i for i in heldout if i["lang"] == "en"]
    chinese = [i for i in heldout if i["lang"] != "en"]
    mrr = sum(1 / r for r in ranks.values() if r) / len(heldout)
    # Reached: R@5 0.97 (English 0.95, Chinese 1.0), R@1 0.88, MRR@10 0.92.
    assert recall(heldout, 5) >= 0.9, ranks
    assert recall(english, 5) >= 0.85, ranks
    assert recall(chinese, 5) >= 0.9, ranks
    assert recall(heldout, 1) >= 0.75, ranks
    assert mrr >= 0.82, ranks


def test_heldout_extractive_answers(heldout, heldout_answers):
    def correct(item: dict) -> bool:
        result = heldout_answers[item["id"]]
        answer = normalize_for_search(result.answer)
        return not result.refused and all(normalize_for_search(k) in answer for k in item["answer_contains"])

    english = [i for i in heldout if i["lang"] == "en"]
    # Reached: 33/34 (English 18/19).
    assert sum(correct(i) for i in heldout) >= 0.85 * len(heldout)
    assert sum(correct(i) for i in english) >= 0.8 * len(english)


def test_heldout_answers_follow_the_question_language(heldout, heldout_answers):
    for item in heldout:
        result = heldout_answers[item["id"]]
        if item["lang"] == "en":
            # English frame around quoted Chinese sources (a text answer "According to 《…》", a ledger answer
            # "2023 new urban jobs target (2023 report): 4100 people — “…”"), or the English refusal.
            assert result.answer[0].isascii() or result.answer == REFUSAL["en"], item["id"]
            frame = "".join(ch for ch in result.answer if ch.isascii())
            assert frame.startswith("According to") or len(re.findall(r"[A-Za-z]{2,}", frame)) >= 3 \
                or result.refused, item["id"]
        elif item["lang"] == "zh-hant":
            assert detect_script(result.answer) == "traditional", (item["id"], result.answer)
        else:
            assert not result.answer.startswith("According to"), item["id"]


def test_heldout_unanswerable_questions_are_refused(seed_services):
    items = load("heldout_unanswerable.jsonl")
    results = {item["id"]: ask(seed_services, item["question"], engine="extractive") for item in items}
    refused = [i for i, r in results.items() if r.refused]
    assert len(refused) >= len(items) - 1, {i: r.answer[:80] for i, r in results.items() if not r.refused}
    for item in items:
        result = results[item["id"]]
        if result.refused:
            lang = item["lang"]
            assert result.answer == REFUSAL[lang if lang in REFUSAL else "zh"], item["id"]


def test_taiwan_wording_finds_mainland_text(seed_services):
    result = ask(seed_services, "凌河區的數位經濟有哪些項目？", engine="extractive")  # 數位經濟 = 数字经济
    assert not result.refused and "數字經濟" in result.answer
    assert detect_script(result.answer) == "traditional"
