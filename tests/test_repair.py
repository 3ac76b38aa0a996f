"""Tests for rag.ingest.repair: pinyin-annotation removal and GBK misalignment repair.

Expected repairs were verified by hand from the GBK bytes (Python's ``gbk`` codec), e.g.
``?zhí)逗铀畮熘翀@``: 逗铀畮熘翀@ = B6 BA D3 CB AE 8E EC D6 C1 88 40; dropping B6 (trail byte of the
lost 潭 = CC B6) leaves BA D3|CB AE|8E EC|D6 C1|88 40 = 河水庫至園.  ``?yún)^(qū)``: 雲 = EB 85 is the
false match of 麟 (F7 EB) + lead 85; 85 5E ("^") is 區, the only GBK character with trail 5E read qū.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from rag.ingest.repair import RepairResult, repair_text

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CLEAN = ["000_748cc8dca99de2ec.txt", "002_bddc84386e9e697e.txt", "003_a4fd2a1ae2d076c2.txt"]
ANNOTATION = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\)")
TONED = re.compile(r"\([^()]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][^()]*\)")


def _seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed {path} not available")
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- pinyin annotations


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        ("全區(qū)發(fā)展", "全區發展", 2),
        ("政府工作報(bào)告", "政府工作報告", 1),
        ("人民代表大會(huì)議", "人民代表大會議", 1),
        ("會(huì)議(yì)紀要", "會議紀要", 2),
        ("長(zhǎng)(zhǎng)期", "長期", 2),  # annotation directly after another annotation
        ("鄉(xiāng)村", "鄉村", 1),
    ],
)
def test_pinyin_removed(text: str, expected: str, removed: int) -> None:
    result = repair_text(text)
    assert result == RepairResult(expected, removed, 0, 0)


@pytest.mark.parametrize(
    "text",
    [
        "(一)堅持穩中求進",
        "完成投資(含沿海產業基地119億元)",
        "地區生產總值(GDP)增長5%",
        "細顆粒物(pm2.5)濃度下降",
        "合同條款(a)和(b)",
        "推廣政府和社會資本合作(PPP)模式",
        "新建道路(km)",
        "鎮(街道)機構改革",
        "發展 (fā) 不緊貼",  # not directly after a CJK character
    ],
)
def test_real_parentheses_kept(text: str) -> None:
    assert repair_text(text) == RepairResult(text, 0, 0, 0)


# ---------------------------------------------------------------- mojibake examples (seed context)


@pytest.fixture(scope="module")
def seed001() -> tuple[str, RepairResult]:
    text = _seed("001_377fd206c21df32a.txt")
    return text, repair_text(text)


@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        # lost 區 pinned: false match 雲(yún) fixes lead 85, "^" is trail 5E, own annotation (qū)
        ("2023年曲靖市麒麟?yún)^(qū)政府工作報(bào)告", "2023年曲靖市麒麟區政府工作報告"),
        # 務 = 84 D5: 獎 (AA 84) fixes the lead, "?wù)" is its own annotation after the eaten "("
        ("作為第一要?jiǎng)?wù)\n", "作為第一要務\n"),
        # 決 = 9B 51: 經 (BD 9B) fixes the lead, "Q" = 51 is the trail
        ("起步?jīng)Q定后程", "起步決定后程"),
        # 。 lost (only its trail A3 survives); !耙坏匾徊摺奔涌扉e -> A1B0 D2BB B5D8 ... = “一地一策”加快閑
        ("制約?!耙坏匾徊摺奔涌扉e置", "制約?“一地一策”加快閑置"),
        # 潭 is not certain (not attested elsewhere; 泰/汰+next is a rival after a dropped pair);
        # the rest re-decodes to 河水庫至園
        ("龍?zhí)逗铀畮熘翀@區(qū)供水", "龍?河水庫至園區供水"),
        # 潭 uncertain, then 市 and a cut-off character (lead BE) that merges with the following "?"
        ("提升龍?zhí)妒芯?、古城", "提升龍?市?、古城"),
        # a user-defined GBK pair was dropped inside the run: re-decoding gives 凇/羄-like junk, left
        ("龍?zhí)妒芯凇L(fēng)市集", "龍?zhí)妒芯凇L市集"),
        ("9件?。ǘ┬退畮焱瓿沙U(xiǎn)加固", "9件?。ǘ┬退畮焱瓿沙U加固"),
        # the cut-off 件 (lead BC) merges with the "?" that follows the run
        ("“灰犀?!笔录?。加強(qiáng)", "“灰犀?”事?。加強"),
        # “三保”底線: 線 = BE 80, the 0x80 trail byte shows as €
        ("兜牢“三?!钡拙€,嚴(yán)控", "兜牢“三?”底線,嚴控"),
        # 全面: a dropped pair (AB C3) would make this read 孺推進 -- must not be "repaired" as 孺
        ("為我們?nèi)嫱七M(jìn)高質(zhì)量", "為我們?推進高質量"),
        # 擔當: "?dāng)" does not fit the lost character, so nothing is guessed
        ("要有新?lián)?dāng)。我們", "要有新?lián)?dāng)。我們"),
    ],
)
def test_seed001_examples(seed001: tuple[str, RepairResult], damaged: str, expected: str) -> None:
    text, result = seed001
    assert damaged in text
    assert expected in result.text


def test_seed004_examples() -> None:
    text = _seed("004_47fca0f5403c067d.txt")
    result = repair_text(text)
    assert "億元?“走出去、請進來”" in result.text  # A3|A1B0 D7DF B3F6 C8A5 A1A2 D588 DF4D
    assert "7.55%??投資40億元" in result.text  # 偼顿Y -> 82|CD B6 D9 59 = 投資, 總 lost
    assert "社?;鸸芾恚婪渡绫;鹬Ц讹L險" in result.text  # dropped pairs inside: left
    assert "富甲天下??ろ椖靠⒐ね度胧褂茫七M" in result.text
    assert (result.pinyin_removed, result.mojibake_repaired, result.mojibake_left) == (0, 0, 4)


def test_seed001_counts(seed001: tuple[str, RepairResult]) -> None:
    _, result = seed001
    assert ANNOTATION.search(result.text) is None
    assert TONED.search(result.text) is None
    # 3113 annotations; 7 runs repaired with certainty (區 x4, 務 x2, 決 x1); 25 runs left/partial.
    assert (result.pinyin_removed, result.mojibake_repaired, result.mojibake_left) == (3113, 7, 25)


# ---------------------------------------------------------------- generality and safety


def _drop_lead(prefix: str, target: str) -> str:
    """Simulate the damage on fresh text: lose the first byte, decode the rest one byte off."""
    shifted = target.encode("gbk")[1:].decode("gbk")
    return prefix + "?" + unicodedata.normalize("NFKC", shifted)


@pytest.mark.parametrize(
    ("target", "expected"),
    [("加快建設現代化產業體系,", "?快建設現代化產業體系,"), ("推進綠色發展,", "?進綠色發展,")],
)
def test_generated_damage_is_repaired(target: str, expected: str) -> None:
    context = "政府工作報告。我們要堅持穩中求進,推進綠色發展,加快建設現代化產業體系,全面推進鄉村振興。"
    damaged = _drop_lead("我們要", target)
    assert damaged != "我們要?" + target
    result = repair_text(context + "\n" + damaged)
    assert result.text == context + "\n我們要" + expected
    assert (result.mojibake_repaired, result.mojibake_left) == (0, 1)


@pytest.mark.parametrize("name", CLEAN)
def test_clean_seeds_unchanged(name: str) -> None:
    text = _seed(name)
    assert repair_text(text) == RepairResult(text, 0, 0, 0)


@pytest.mark.parametrize(
    "text",
    [
        "这是什么?我们要怎么做?答案是明确的。",
        "难道不是吗?!我们必须坚持。",
        "详见 https://www.gov.cn/zhengce/content?id=123&page=2 的通知",
        "为什么??因为发展是第一要务。",
        "是否达标?是。",
        "问题?\n下一段",
        "",
    ],
)
def test_real_question_marks_survive(text: str) -> None:
    assert repair_text(text) == RepairResult(text, 0, 0, 0)


def test_clean_simplified_with_inserted_question_marks() -> None:
    text = _seed("002_bddc84386e9e697e.txt")
    positions = [m.end() for m in re.finditer(r"[\u4e00-\u9fff]", text)][::97]
    damaged = text
    for pos in reversed(positions):
        damaged = damaged[:pos] + "?" + damaged[pos:]
    assert repair_text(damaged) == RepairResult(damaged, 0, 0, 0)


def test_a_figure_cut_from_its_unit_by_a_line_break_is_joined():
    """国内生产总值达到74.4 / (zero-width space) / 万亿元，增长6.7% (the 2017 report as scraped): no paragraph ends on
    a bare number whose unit opens the next one."""
    from rag.ingest.cleaning import clean_document

    text = "2017年政府工作报告\n各位代表：\n国内生产总值达到74.4\n\u200b\n万亿元，增长6.7%，名列世界前茅。\n城镇新增就业1314万人。"
    body = clean_document(text).body
    assert any("国内生产总值达到74.4万亿元，增长6.7%" in paragraph for paragraph in body)
    assert body[-1] == "城镇新增就业1314万人。"
