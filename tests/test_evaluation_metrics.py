"""The answer metrics of ``reportqa eval`` and the bench's national rows, on fake answers and a tiny fake
national library (BM25 only, so no embedding model): wrong-year answers, the per-language breakdown."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rag.tools import evaluation as ev


def fake_answer(answer: str, years: tuple[int | None, ...] | list[int | None] = (), refused: bool = False, text: str = "") -> Any:
    """What ``ask`` returns, as far as the metrics read it: the answer, refusal and the cited reports' years."""
    citations = [SimpleNamespace(hit=SimpleNamespace(report=SimpleNamespace(year=y),
                                                     chunk=SimpleNamespace(search_text=text or answer)))
                 for y in years]
    return SimpleNamespace(answer=answer, refused=refused, citations=citations, engine="fake")


RESULT_2018 = {"id": "r", "lang": "zh", "question": "2018年国内生产总值增长了多少？", "report_year": 2019,
               "about_year": 2018, "gold_contains": ["增长6.6%"], "answer_contains": ["6.6%"]}
TABLE = {"id": "t", "lang": "en", "question": "What growth did the 1992 and 1993 reports plan?",
         "report_year": [1992, 1993], "gold_contains": ["百分之六"], "answer_contains": ["百分之六"]}
MISSING_2020 = {"id": "m", "lang": "zh-Hant", "question": "2020年政府工作報告提出的就業目標是多少？", "refuse": True,
                "gold_contains": [], "answer_contains": [], "why": "no 2020 report in the library"}
SEED = {"id": "s", "lang": "zh", "question": "凌河区固定资产投资完成多少？", "gold_contains": ["33.8亿元"],
        "answer_contains": ["33.8亿元"]}


def test_stated_figures_leave_out_years_dates_ordinals_and_the_questions_figures() -> None:
    assert ev.stated_figures("国内生产总值增长6.6%[1]。") == ["6.6%"]
    assert ev.stated_figures("According to the 2019 report 《2019年政府工作报告》, growth was 6.6 percent [1].") \
        == ["6.6 percent"]
    assert ev.stated_figures("二〇一九年三月五日在第十三届全国人民代表大会第二次会议上作的报告[1]。") == []
    assert ev.stated_figures("“六五”时期粮食产量增加到三亿七千零六十二万吨") == ["370620000"]
    assert ev.stated_figures("城镇新增就业1100万人以上", "目标是1100万人吗？") == []
    assert ev.stated_figures("報告中未找到相關資訊。") == []


@pytest.mark.parametrize(("item", "answer", "wrong"), [
    (RESULT_2018, fake_answer("增长6.6%[1]", [2019]), False),  # cited from the asked report
    (RESULT_2018, fake_answer("增长6.9%[1]", [2018]), True),  # another year's report, a figure stated
    (RESULT_2018, fake_answer("增长6.6%[1]", [2019, 2018]), False),  # one citation from the right report is enough
    (RESULT_2018, fake_answer("经济平稳运行[1]", [2018]), False),  # no figure stated
    (RESULT_2018, fake_answer("库中没有该年报告", [2018], refused=True), False),  # refused
    (TABLE, fake_answer("growth of 6 percent [1]", [1993]), False),  # any of a table question's reports
    (TABLE, fake_answer("growth of 6 percent [1]", [2013]), True),
    (MISSING_2020, fake_answer("城镇新增就业900万人以上[1]", [2019]), True),  # a refusal item names a year
    (MISSING_2020, fake_answer("報告中未找到相關資訊。", [2019], refused=True), False),
    ({**MISSING_2020, "question": "国防预算增长多少？"}, fake_answer("增长8.1%[1]", [2018]), False),  # no year
    (SEED, fake_answer("完成33.8亿元[1]", [2023]), False),  # not tied to a year: never counts
])
def test_wrong_year_rule(item: dict[str, Any], answer: Any, wrong: bool) -> None:
    cited = [c.hit.report.year for c in answer.citations]
    assert ev.is_wrong_year(item, answer.answer, answer.refused, cited) is wrong


def test_answer_eval_counts_wrong_year_and_breaks_down_by_language(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {
        RESULT_2018["question"]: fake_answer("国内生产总值增长6.6%[1]", [2019]),  # right
        TABLE["question"]: fake_answer("growth of 7.5 percent [1]", [2013]),  # wrong, and wrong-year
        MISSING_2020["question"]: fake_answer("城镇新增就业900万人以上[1]", [2019]),  # should refuse: wrong-year
        SEED["question"]: fake_answer("報告中未找到相關資訊。", [2023], refused=True),  # wrongly refused
    }
    monkeypatch.setattr("rag.answer.pipeline.ask", lambda _services, question, _history, _engine: answers[question])
    result = ev.answer_eval(None, [RESULT_2018, TABLE, MISSING_2020, SEED], "extractive")  # type: ignore[arg-type]
    assert result["wrong_year"] == 2 and result["wrong_year_ids"] == ["t", "m"]
    assert result["answer_accuracy"] == 0.25 and result["refusal_accuracy"] == 0.5
    assert result["by_lang"] == {
        "en": {"n": 1, "answer_accuracy": 0.0, "refusal_accuracy": 1.0, "wrong_year": 1},
        "zh": {"n": 2, "answer_accuracy": 0.5, "refusal_accuracy": 0.5, "wrong_year": 0},
        "zh-hant": {"n": 1, "answer_accuracy": 0.0, "refusal_accuracy": 0.0, "wrong_year": 1},
    }
    assert {f["id"]: f["cited_years"] for f in result["failures"]} == {"t": [2013], "m": [2019], "s": [2023]}
    # "growth of 7.5 percent" does not say what grew: a bare number; the 2018 answer names its indicator
    assert "t" in result["bare_ids"] and "r" not in result["bare_ids"]
    assert result["engines"] == {"fake": 3} and result["model_written"] is None  # refusals are not counted


def test_retrieval_recall_per_language(tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"id": "a", "lang": "en", "question": "q-a", "gold_contains": ["甲"], "answer_contains": ["甲"]},
        {"id": "b", "lang": "en", "question": "q-b", "gold_contains": ["乙"], "answer_contains": ["乙"]},
        {"id": "c", "lang": "zh-Hant", "question": "q-c", "gold_contains": ["丙"], "answer_contains": ["丙"]},
        MISSING_2020)), encoding="utf-8")
    ranked = {"q-a": ["甲", "x"], "q-b": ["x", "y", "乙"], "q-c": ["x"] * 10}  # a at 1, b at 3, c missed

    def search(question: str, k: int, mode: str) -> Any:
        return SimpleNamespace(hits=[SimpleNamespace(chunk=SimpleNamespace(chunk_id=f"{question}:{i}", text=t))
                                     for i, t in enumerate(ranked.get(question, [])[:k])])

    queries = ev.qa_queries(qa)
    assert [(q.qid, q.lang) for q in queries] == [("a", "en"), ("b", "en"), ("c", "zh-hant")]
    per_query: list[dict[str, Any]] = []
    ev.run_eval(SimpleNamespace(search=search), queries, ["bm25"], per_query)  # type: ignore[arg-type]
    assert ev.by_language(per_query) == {"en": {"bm25": {"n": 2, "R@1": 0.5, "R@5": 1.0}},
                                         "zh-hant": {"bm25": {"n": 1, "R@1": 0.0, "R@5": 0.0}}}


NATIONAL_TEXT = ("各位代表：现在，我代表国务院，向大会报告政府工作。一、{prev}年工作回顾。过去一年，国内生产总值增长{result}，"
                 "城镇新增就业{jobs}万人，粮食产量稳定增长，居民消费价格保持基本稳定。二、{year}年经济社会发展总体要求和政策取向。"
                 "今年发展主要预期目标是：国内生产总值增长{target}左右；城镇新增就业{new_jobs}万人以上；"
                 "居民消费价格涨幅3%左右；粮食产量保持稳定。我们要坚定信心，扎实工作，努力完成全年目标任务。")


@pytest.fixture
def fake_national(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shared folder whose national corpus holds two tiny reports (2018, 2019), and a three-question set."""
    shared = tmp_path / "shared"
    folder = shared / "bench" / "reports_national"
    folder.mkdir(parents=True)
    rows = [{"title": f"{year}年中华人民共和国国务院政府工作报告", "content": NATIONAL_TEXT.format(**values)}
            for year, values in ((2018, dict(prev=2017, year=2018, result="6.9%", jobs=1351, target="6.5%",
                                             new_jobs=1100)),
                                 (2019, dict(prev=2018, year=2019, result="6.6%", jobs=1361, target="6%－6.5%",
                                             new_jobs=1100)))]
    (folder / "national.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
                                           encoding="utf-8")
    monkeypatch.setenv("REPORTQA_SHARED", str(shared))
    qa = tmp_path / "tiny_national_qa.jsonl"
    qa.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"id": "f1", "lang": "zh", "question": "2018年国内生产总值增长了多少？", "report_year": 2019, "about_year": 2018,
         "kind": "result", "gold_contains": ["国内生产总值增长6.6%"], "answer_contains": ["6.6%"]},
        {"id": "f2", "lang": "en", "question": "What GDP growth target did the 2018 government work report set?",
         "report_year": 2018, "about_year": 2018, "kind": "target", "gold_contains": ["国内生产总值增长6.5%左右"],
         "answer_contains": ["6.5%"]},
        {"id": "f3", "lang": "zh", "question": "2020年政府工作报告提出的城镇新增就业目标是多少？", "refuse": True,
         "gold_contains": [], "answer_contains": [], "why": "no 2020 report in the library"})) + "\n",
        encoding="utf-8")
    return qa


def test_bench_national_rows_on_a_tiny_library(fake_national: Path, tmp_path: Path) -> None:
    from rag.core.config import Settings
    from rag.tools.bench import markdown
    from rag.tools.bench.national import national_quality

    settings = Settings(index_dir=tmp_path / "index", search_mode="bm25", embedding_backend="onnx-int8")
    index_dir = tmp_path / "index" / "bench-quality" / "national"
    blind = fake_national.with_name("tiny_blind_qa.jsonl")  # the blind set takes the same path, as a fake
    blind.write_text(fake_national.read_text(encoding="utf-8"), encoding="utf-8")
    out = national_quality(settings, index_dir, [fake_national, tmp_path / "absent.jsonl", blind], modes=["bm25"])
    assert list(out) == ["tiny_national_qa", "tiny_blind_qa"]
    row = out["tiny_national_qa"]
    assert row["n"] == 2 and row["library"].endswith("(7 reports)")  # the five seeds + two national reports
    assert set(row["modes"]) == {"bm25"} and set(row["by_lang"]) == {"en", "zh"}
    answers = row["answers"]
    assert answers["n"] == 3 and set(answers["by_lang"]) == {"en", "zh"}
    assert {"answer_accuracy", "refusal_accuracy", "wrong_year", "wrong_year_ids", "p95_ms"} <= set(answers)
    recall = ("R@1", "R@5", "R@10", "MRR@10")
    for stamp in (None, "built by older parsing code"):
        if stamp:
            (index_dir / "bench-library.txt").write_text(stamp, encoding="utf-8")
        notes: list[str] = []
        again = national_quality(settings, index_dir, [fake_national], modes=["bm25"], log=notes.append)
        assert any("rebuilding" in n for n in notes) == bool(stamp)  # kept, unless parsed by other code
        assert [again["tiny_national_qa"]["modes"]["bm25"][k] for k in recall] == \
            [row["modes"]["bm25"][k] for k in recall]
    text = markdown({"date": "2026-01-01T00:00:00", "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1,
                                                               "load_avg_start": [0, 0, 0]},
                     "settings": {"embedding_backend": "onnx-int8", "index_kind": "flat"}, "quality": out})
    assert "| tiny_national_qa (2) | bm25 |" in text and "## National library (seeds + national reports" in text
    assert f"| tiny_national_qa (3) | extractive | {answers['answer_accuracy']} |" in text
    assert "| tiny_national_qa | en | 1 |" in text and "| tiny_blind_qa (3) | extractive |" in text


def test_quick_bench_leaves_the_national_rows_out(fake_national: Path, tmp_path: Path) -> None:
    from rag.core.config import Settings
    from rag.tools.bench import BenchOptions
    from rag.tools.bench.quality import bench_quality

    out = bench_quality(Settings(index_dir=tmp_path / "index"),
                        BenchOptions(quick=True, national_sets=(fake_national,), log=lambda _m: None))
    assert list(out) == ["national"] and "--quick" in out["national"]["skipped"]


def test_bench_national_rows_are_skipped_without_the_national_reports(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.core.config import Settings
    from rag.tools.bench import markdown
    from rag.tools.bench.national import national_quality

    monkeypatch.setenv("REPORTQA_SHARED", str(tmp_path / "nowhere"))
    notes: list[str] = []
    out = national_quality(Settings(index_dir=tmp_path / "index"), tmp_path / "index" / "national", [],
                           log=notes.append)
    assert list(out) == ["national"] and "not found" in out["national"]["skipped"] and len(notes) == 1
    assert not (tmp_path / "index" / "national").exists()
    text = markdown({"date": "2026-01-01T00:00:00", "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1,
                                                               "load_avg_start": [0, 0, 0]},
                     "settings": {"embedding_backend": "onnx-int8", "index_kind": "flat"}, "quality": out})
    assert f"**quality**: {out['national']['skipped']}" in text


def test_eval_json_carries_the_new_fields_next_to_the_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI JSON is a contract: the old fields stay, ``by_lang`` / ``wrong_year`` are added (BM25, no model)."""
    from typer.testing import CliRunner

    from rag.cli import app
    from rag.core.config import Settings, get_settings
    from rag.service.resources import Services
    from tests.conftest import SEEDS

    index = tmp_path / "index"
    with Services(Settings(index_dir=index)) as services:
        services.ingest([SEEDS], index=False)
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"id": "s1", "lang": "zh", "question": "凌河区2022年固定资产投资完成多少？", "gold_contains": ["33.8亿元"],
         "answer_contains": ["33.8亿元"]},
        {"id": "s2", "lang": "en", "question": "How much fixed-asset investment did Linghe District complete in 2022?",
         "gold_contains": ["33.8亿元"], "answer_contains": ["33.8亿元"]},
        {**MISSING_2020, "id": "s3"})), encoding="utf-8")
    monkeypatch.setenv("REPORTQA_SEARCH_MODE", "bm25")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        search = runner.invoke(app, ["--index-dir", str(index), "eval", "--qa", str(qa), "--modes", "bm25", "--json"])
        answers = runner.invoke(app, ["--index-dir", str(index), "eval", "--answers", "--qa", str(qa), "--llm",
                                      "extractive", "--json"])
    finally:
        get_settings.cache_clear()
    assert search.exit_code == 0, search.output
    data = json.loads(search.stdout)
    assert {"dataset", "n", "modes"} <= set(data) and data["n"] == 2
    assert set(data["by_lang"]) == {"en", "zh"} and set(data["by_lang"]["en"]["bm25"]) == {"n", "R@1", "R@5"}
    assert answers.exit_code == 0, answers.output
    data = json.loads(answers.stdout)
    assert {"n", "engine", "answer_accuracy", "citation_accuracy", "refusal_accuracy", "p50_ms", "p95_ms",
            "failures", "dataset"} <= set(data)
    assert isinstance(data["wrong_year"], int) and len(data["wrong_year_ids"]) == data["wrong_year"]
    assert set(data["by_lang"]) == {"en", "zh", "zh-hant"}


def test_a_gold_string_copied_from_the_raw_scrape_is_read_as_ingestion_stores_it() -> None:
    """The Qilin seed's scrape carries pinyin annotations (覆蓋率達(dá)48.8%) that ingestion drops: a gold string
    copied with them still matches the stored chunk."""
    from rag.tools.evaluation import gold_form

    assert gold_form("森林覆蓋率達(dá)48.8%") == "森林覆盖率达48.8%"
    assert gold_form("全年新增城鎮(zhèn)就業(yè)1.11萬人") == "全年新增城镇就业1.11万人"
    assert gold_form("GDP增长5%") == "gdp增长5%"
