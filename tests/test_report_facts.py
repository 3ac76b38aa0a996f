"""Report facts (who delivered a report, when, at which meeting) from the title block, the citable ¶0.

A small library of national reports (a modern one with a title block, 1957 with an old-style one, reports with
none) and one seed, ingested by the real pipeline, BM25 only (no model).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from rag.answer.fact_wording import date_in_english, meeting_in_english, pinyin_name, role_in_english
from rag.answer.report_facts import asked_facts, report_fact_answer
from rag.core.textnorm import normalize_for_search
from rag.ingest.chunking import make_chunks
from tests.conftest import NATIONAL, SEEDS, need_shared

YEARS = {1954, 1957, 1964, 1975, 2022, 2024, 2025}  # 1954 is in Traditional script
JIEFANG = "002_bddc84386e9e697e.txt"  # 2022年焦作市解放区政府工作报告


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from rag.core.config import Settings
    from rag.service.resources import Services

    folder = tmp_path_factory.mktemp("facts_src")
    rows = [line for line in need_shared(NATIONAL).read_text(encoding="utf-8").splitlines()
            if line.strip() and int(json.loads(line)["year"]) in YEARS]
    (folder / "national.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / JIEFANG).write_bytes((SEEDS / JIEFANG).read_bytes())
    services = Services(Settings(index_dir=tmp_path_factory.mktemp("facts_index")))
    outcomes = services.ingest([folder], index=False)
    assert sum(o.status == "added" for o in outcomes) == len(YEARS) + 1
    yield services
    services.close()


def ask(library, question: str):
    from rag.retrieve.plan import analyze

    reports = library.store.reports()
    return report_fact_answer(analyze(question, reports), question, question, reports, library.store)


def national(library, year: int):
    return next(r for r in library.store.reports() if r.year == year and r.level == "national")


# -- ingestion: ¶0 ---------------------------------------------------------------------------------------
def test_front_matter_is_paragraph_zero_and_an_exact_slice(library):
    for report in library.store.reports():
        text = library.store.cleaned_text(report.report_id)
        chunks = library.store.chunks(report.report_id)
        front = chunks[0]
        assert (front.paragraph, front.paragraph_end, front.part, front.section_path) == (0, 0, 0, [])
        assert front.chunk_id == f"{report.report_id}:p0000" and front.char_start == 0
        assert text[front.char_start:front.char_end] == front.text
        assert all(c.paragraph >= 1 for c in chunks[1:])
        assert chunks[1].paragraph == 1 and chunks[1].char_start > front.char_end
    modern = library.store.chunks(national(library, 2024).report_id)[0].text
    assert "2024年3月5日在第十四届全国人民代表大会第二次会议上" in modern and "国务院总理" in modern
    # a JSONL record whose text starts at 各位代表: ¶0 is its title, and the body starts at ¶1
    for year in (2025, 1954):
        assert library.store.chunks(national(library, year).report_id)[0].text == national(library, year).title


def test_front_matter_leaves_body_paragraph_numbers_unchanged(parsed_seeds):
    from rag.ingest.chunking import layout_report
    from rag.ingest.cleaning import clean_document
    from rag.ingest.sections import parse_blocks

    raw = (SEEDS / JIEFANG).read_text(encoding="utf-8")
    cleaned = clean_document(raw)
    layout = layout_report(cleaned.header, parse_blocks(cleaned.body))
    with_front = make_chunks("r", "t", layout)
    without = make_chunks("r", "t", dataclasses.replace(layout, front=None))
    assert with_front[0].paragraph == 0
    strip = [(c.chunk_id, c.paragraph, c.paragraph_end, c.part, c.char_start, c.text) for c in with_front[1:]]
    assert strip == [(c.chunk_id, c.paragraph, c.paragraph_end, c.part, c.char_start, c.text) for c in without]
    seed = parsed_seeds[JIEFANG]
    assert seed.chunks[0].text.startswith("2022年焦作市解放区政府工作报告\n——2022年6月1日")
    assert seed.report.speaker == "千怀贵" and seed.report.meeting_date == "2022-06-01"


def test_an_old_title_block_without_dash_or_role_is_read(library):
    report = national(library, 1957)
    assert (report.meeting_date, report.speaker, report.speaker_role) == ("1957-06-26", "周恩来", None)
    assert report.meeting_name is not None and report.meeting_name.startswith("第一届全国人民代表大会第四次会")


# -- which questions ask a report fact -------------------------------------------------------------------
@pytest.mark.parametrize(("question", "facts"), [
    ("2024年政府工作报告是谁作的？", ("speaker",)),
    ("2024年的報告是哪一天作的？", ("date",)),
    ("2019年政府工作报告是在什么会议上作的？", ("meeting",)),
    ("谁在哪次会议上作了2023年的政府工作报告？", ("speaker", "meeting")),
    ("When was the 2021 government work report delivered?", ("date",)),
    ("Who presented the 2018 report, and when?", ("speaker", "date")),
    ("At which session of the NPC was the 2016 report delivered?", ("meeting",)),
])
def test_fact_questions_are_recognised(question, facts):
    assert asked_facts(question) == facts


@pytest.mark.parametrize("question", [
    "2024年政府工作报告提出的赤字率是多少？",
    "2024年政府工作报告提出什么时候实现碳达峰？",
    "2024年政府工作报告贯彻了什么会议精神？",
    "What did the 2024 report say about the deficit?",
    "When will the 2024 targets be met?",
    "1954年第一届全国人大第一次会议上，关于宪法草案的报告是谁作的？",  # another report of the session
    "The deputies had just debated a report on the draft Constitution. Who had delivered that report?",
])
def test_other_questions_are_not_fact_questions(library, question):
    assert asked_facts(question) == ()
    assert ask(library, question) is None


# -- answers ----------------------------------------------------------------------------------------------
def _cites_front(answer, year: int) -> None:
    citation = answer.citations[0]
    chunk = citation.hit.chunk
    assert citation.hit.report.year == year and chunk.paragraph == 0
    assert chunk.text[citation.quote_start:citation.quote_start + len(citation.quote)] == citation.quote


@pytest.mark.parametrize(("question", "expected"), [
    ("2024年政府工作报告是谁作的？在哪次会议上？", ["国务院总理李强", "2024年3月5日", "第十四届全国人民代表大会第二次会议"]),
    ("國務院2024年的政府工作報告是由誰在哪一天作的？", ["國務院總理李強", "2024年3月5日"]),
    ("Who delivered the 2024 State Council government work report, and when?",
     ["Premier Li Qiang (国务院总理 李强)", "5 March 2024",
      "Second Session of the 14th National People's Congress (第十四届全国人民代表大会第二次会议)"]),
    ("1957年的政府工作报告是谁在哪一天作的？", ["周恩来", "1957年6月26日"]),
    ("1957年的政府工作報告是誰作的？", ["周恩來"]),
    ("Who delivered the 1957 government work report, and at which session?",
     ["Zhou Enlai (周恩来)", "26 June 1957", "Fourth Session of the 1st National People's Congress"]),
])
def test_facts_are_stated_from_the_title_block_and_cite_it(library, question, expected):
    answer = ask(library, question)
    assert answer is not None and not answer.refused and answer.engine == "report-facts"
    assert all(part in answer.answer for part in expected), answer.answer
    assert "[1]" in answer.answer and len(answer.citations) == 1
    _cites_front(answer, int(next(y for y in ("2024", "1957") if y in question)))
    assert "周恩来" in answer.citations[0].quote or "李" in answer.citations[0].quote


def test_the_quote_holds_date_meeting_and_speaker(library):
    quote = normalize_for_search(ask(library, "2024年政府工作报告是谁作的？").citations[0].quote)
    assert quote == "2024年3月5日在第十四届全国人民代表大会第二次会议上国务院总理李强"


def test_a_fact_missing_from_the_title_block_is_named(library):
    answer = ask(library, "2025年政府工作报告是谁作的？在哪一天？")
    assert answer is not None and answer.refused
    assert "未写明作报告的人和日期" in answer.answer
    _cites_front(answer, 2025)
    english = ask(library, "Who delivered the 2025 government work report?")
    assert english is not None and english.refused and "does not state who delivered it" in english.answer


def test_an_opening_paragraph_gives_what_the_title_block_lacks(library):
    answer = ask(library, "1975年的政府工作报告是谁、向哪一届全国人大作的？")
    assert answer is not None and not answer.refused  # the meeting is stated; the speaker is said to be missing
    assert "第四届全国人民代表大会" in answer.answer and "未写明作报告的人" in answer.answer
    citation = answer.citations[0]
    assert citation.hit.chunk.paragraph == 1 and "向第四届全国人民代表大会作政府工作报告" in citation.quote
    own = ask(library, "1954年的政府工作報告是在哪次會議上作的？")  # Traditional text: 我們第一届全國人民代表大會第一次會議
    assert own is not None and "第一屆全國人民代表大會第一次會議" in own.answer
    summary = ask(library, "Who delivered the 1964 government work report?")
    assert summary is not None and "Zhou Enlai" in summary.answer and "周恩来总理在报告中" in summary.citations[0].quote


def test_reports_of_one_year_without_a_named_place(library):
    both = ask(library, "2022年政府工作报告是谁作的？")
    assert both is not None and "李克强" in both.answer and "千怀贵" in both.answer and len(both.citations) == 2
    state_council = ask(library, "2022年国务院政府工作报告是谁作的？")
    assert state_council is not None and "千怀贵" not in state_council.answer
    place = ask(library, "Who delivered the Jiefang District government work report?")
    assert place is not None and "Acting District Mayor Qian Huaigui" in place.answer


def test_a_report_the_library_lacks_is_left_to_the_missing_year_refusal(library):
    assert ask(library, "2020年政府工作报告是谁作的？") is None


# -- English wording ----------------------------------------------------------------------------------------
def test_english_wording_rules():
    assert meeting_in_english("第十三届全国人民代表大会第五次会议") == \
        "the Fifth Session of the 13th National People's Congress"
    assert meeting_in_english("曲靖市麒麟區第六屆人民代表大會第二次會議") == "the Second Session of the 6th People's Congress"
    assert meeting_in_english("第四届全国人民代表大会") == "the 4th National People's Congress"
    assert meeting_in_english("全体会议") is None
    assert pinyin_name("李克强") == "Li Keqiang" and pinyin_name("曾培炎") == "Zeng Peiyan"
    assert pinyin_name("欧阳修") == "Ouyang Xiu" and pinyin_name("Li") is None
    assert role_in_english("国务院总理") == "Premier" and role_in_english("解放区人民政府代区长") == "Acting District Mayor"
    assert date_in_english("2022-12-19") == "19 December 2022" and date_in_english(None) is None


def test_a_store_ingested_before_front_matter_still_states_the_facts(tmp_path, monkeypatch):
    from rag.core.config import Settings
    from rag.retrieve.plan import analyze
    from rag.service.resources import Services

    monkeypatch.setattr("rag.ingest.chunking.front_span", lambda *args, **kwargs: None)  # the old chunker
    with Services(Settings(index_dir=tmp_path / "old")) as services:
        assert services.ingest([SEEDS / JIEFANG], index=False)[0].status == "added"
        assert all(c.paragraph >= 1 for c in services.store.chunks())
        reports = services.store.reports()
        question = "解放区2022年政府工作报告是谁作的？"
        answer = report_fact_answer(analyze(question, reports), question, question, reports, services.store)
    assert answer is not None and not answer.refused and "千怀贵" in answer.answer
    assert answer.citations[0].hit.chunk.paragraph == 0 and "千怀贵" in answer.citations[0].quote


def test_the_text_answers_a_fact_only_with_a_sentence_that_states_it():
    """A speaker question the title block cannot answer ("under which premier did the State Council work") may be
    answered by the text, but only by a sentence naming a person with a role (or a day, or a meeting)."""
    from rag.answer.report_facts import states_asked_facts

    assert states_asked_facts("Under which premier did the State Council work?", ["国务院在赵紫阳总理主持下"])
    assert not states_asked_facts("Who delivered the 1975 report?", ["我代表国务院，向第四届全国人民代表大会作政府工作报告。"])
    assert not states_asked_facts("GDP增长了多少？", ["国务院在赵紫阳总理主持下"])  # no fact asked
    assert not states_asked_facts("Who delivered the 1994 government work report?",
                                  ["以邓小平同志建设有中国特色社会主义的理论和党的基本路线为指导"])
