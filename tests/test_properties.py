"""Property-based tests (hypothesis) for the cleaner and the chunker: on random reports no text is lost or
duplicated. Derandomized, so the suite stays deterministic."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest.chunking import OVERLAP_MAX_CHARS, layout_report, make_chunks
from rag.ingest.cleaning import clean_document
from rag.ingest.loaders import RawDocument
from rag.ingest.parser import parse_document
from rag.ingest.sections import Block

SETTINGS = settings(derandomize=True, max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Common report vocabulary (no 、 or leading numerals, so no line turns into a numbered heading; no chars of
# furniture phrases such as 版权所有, so no body line looks like site furniture).
CHARS = "经济发展改革建设社会企业城市农村服务推进加强实施项目全面提升完成增长坚持工作人民政府创新产业投资就业教育医疗环境安全文化" \
        "生态保护基础设施重点领域质量效益民生保障水平明显持续优化营商深化开放合作区县乡镇居民收入消费市场主体"
DIGITS = "0123456789."
MIDDLE = "，；"
ENDS = "。！？"

phrase = st.text(alphabet=CHARS + DIGITS, min_size=2, max_size=40)


@st.composite
def sentence(draw: st.DrawFn, max_len: int = 400) -> str:
    """A sentence of phrases joined by ，/； ending with 。！？ (sometimes one very long run)."""
    parts = draw(st.lists(phrase, min_size=1, max_size=6))
    if draw(st.integers(0, 9)) == 0:  # a run-on sentence longer than any chunk limit
        parts.append(draw(st.text(alphabet=CHARS, min_size=200, max_size=max_len)))
    seps = [draw(st.sampled_from(MIDDLE)) for _ in parts[1:]]
    body = parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
    return body + draw(st.sampled_from(ENDS))


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    """A body paragraph: one or more sentences, at least 30 characters with Chinese and a comma."""
    sentences = draw(st.lists(sentence(), min_size=1, max_size=8))
    text = draw(st.sampled_from(CHARS)) + "".join(sentences)  # a leading "1." would make a numbered heading
    if len(text) < 30 or "，" not in text:
        text = "全面推进经济社会发展，" + text + "持续提升人民群众的获得感和幸福感。"
    return text


def _check_chunks(cleaned: str, paragraphs: list[tuple[int, int]], chunks: list, max_chars: int) -> None:
    """Every paragraph character is in some chunk; chunks overlap only by one short sentence inside a split
    paragraph; every chunk is an exact slice of the cleaned text."""
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.text == cleaned[c.char_start:c.char_end]
        assert c.text == c.text.strip() and c.text
    covered = [0] * len(cleaned)
    for c in chunks:
        for i in range(c.char_start, c.char_end):
            covered[i] += 1
    for start, end in paragraphs:  # no text lost
        assert all(covered[i] >= 1 for i in range(start, end)), cleaned[start:end]
    ordered = sorted(chunks, key=lambda c: (c.char_start, c.char_end))
    for prev, nxt in itertools.pairwise(ordered):
        overlap = prev.char_end - nxt.char_start
        if overlap > 0:  # duplication only as the designed one-sentence overlap of a split paragraph
            assert prev.paragraph == nxt.paragraph and prev.part and nxt.part == prev.part + 1
            assert overlap <= OVERLAP_MAX_CHARS and overlap < len(nxt.text)
        assert nxt.char_start >= prev.char_start and nxt.char_end > prev.char_end
    for c in chunks:
        if c.part:  # split parts respect the limit
            assert len(c.text) <= max_chars


@SETTINGS
@given(
    blocks=st.lists(
        st.one_of(paragraph().map(lambda t: Block("para", t)),
                  st.sampled_from(["一、经济发展", "（二）民生保障", "重点工作"]).map(lambda h: Block("heading", h, 1))),
        min_size=1, max_size=12),
    max_chars=st.integers(80, 600),
    min_chars=st.integers(0, 60),
)
def test_chunker_loses_and_duplicates_nothing(blocks: list[Block], max_chars: int, min_chars: int) -> None:
    layout = layout_report(["某市政府工作报告"], blocks)
    chunks = make_chunks("r", "某市政府工作报告", layout, max_chars=max_chars, min_chars=min_chars)
    spans = [(p.start, p.end) for p in layout.paragraphs]
    assert len(spans) == sum(b.kind == "para" for b in blocks)
    _check_chunks(layout.cleaned_text, spans, chunks, max_chars)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


FURNITURE = ["立即注册", "返回顶部", "版权所有 © 2023 某某网", "查看: 1234 | 回复: 5", "分享到", "", "   "]


@SETTINGS
@given(
    paras=st.lists(paragraph(), min_size=1, max_size=10),
    noise=st.lists(st.tuples(st.integers(0, 10), st.sampled_from(FURNITURE)), max_size=6),
    crlf=st.booleans(),
)
def test_cleaner_keeps_every_body_paragraph_once(paras: list[str], noise: list[tuple[int, str]], crlf: bool) -> None:
    """Furniture lines and blank lines anywhere in the body are dropped; every paragraph stays, once, in order."""
    body: list[str] = list(paras)
    for position, line in sorted(noise, reverse=True):
        body.insert(min(position, len(body)), line)
    lines = ["登录 | 注册", "某市2023年政府工作报告", "——2023年1月5日在某市第一届人民代表大会上", "各位代表：", *body,
             "返回列表"]
    text = ("\r\n" if crlf else "\n").join(lines)
    cleaned = clean_document(text)
    assert [line for line in cleaned.body if line != "各位代表："] == paras


@SETTINGS
@given(paras=st.lists(paragraph(), min_size=1, max_size=8))
def test_parsed_report_chunks_cover_the_body_exactly(paras: list[str]) -> None:
    """End to end (clean → sections → chunks): the chunks, overlaps removed, give back the body paragraphs."""
    text = "\n".join(["某市2023年政府工作报告", "各位代表：", *paras])
    parsed = parse_document(RawDocument("x.txt", text, text.encode("utf-8"), "txt"), "x", max_chars=300, min_chars=20)
    cleaned = parsed.cleaned_text
    covered = {i for c in parsed.chunks if c.paragraph for i in range(c.char_start, c.char_end)}  # not ¶0
    rebuilt = "".join(cleaned[i] if i - 1 in covered else "\n" + cleaned[i] for i in sorted(covered))
    got = [line for line in rebuilt.split("\n") if line and line != "各位代表："]
    assert got == paras


def test_a_licence_footer_after_the_body_is_furniture() -> None:
    """Wikisource appends a public-domain notice, wrapped over many lines, to every State Council report."""
    text = ("政府工作报告\n各位代表：\n现在，我代表国务院，向大会报告政府工作。\n我们一定能够完成任务。\n\n"
            "本作品是中华人民共和国的\n法律\n、\n法规\n，国家机关的决议、决定、命令和其他具有立法、行政、司法性质的文件，"
            "及其官方正式译文。根据《\n中华人民共和国著作权法\n》第五条第一项，本作品不适用于该法，属于\n公有领域\n。\n\n"
            "注：中文维基文库社群认为，中华人民共和国公务演讲，\n不总是\n具有立法、行政、司法性质的文件。\n\nPublic domain\n")
    body = clean_document(text).body
    assert body[-1] == "我们一定能够完成任务。"
    assert not any("公有领域" in line or "维基文库" in line for line in body)
    # a report that merely mentions copyright law keeps its sentence
    kept = clean_document("各位代表：\n修订著作权法，保护知识产权。\n本作品展览将于五月开幕。\n").body
    assert "本作品展览将于五月开幕。" in kept and "修订著作权法，保护知识产权。" in kept
