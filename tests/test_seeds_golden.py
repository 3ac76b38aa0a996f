"""Golden tests on the five seed reports: metadata, section trees, cleanliness, citability."""

from __future__ import annotations

import re

import pytest

from rag.core.textnorm import count_cjk, normalize_for_search
from rag.ingest.cleaning import _normalize_lines
from rag.ingest.repair import repair_text

EXPECTED_META = {
    "000_748cc8dca99de2ec.txt": dict(
        title="2023年锦州市凌河区政府工作报告", year=2023, level="district", province="辽宁省", city="锦州市",
        district="凌河区", meeting_date="2022-12-19", meeting_name="锦州市凌河区第十九届人民代表大会第三次会议",
        speaker="尹璐", speaker_role="区长", script="simplified", partial=False),
    "001_377fd206c21df32a.txt": dict(
        title="2023年曲靖市麒麟區政府工作報告", year=2023, level="district", province="云南省", city="曲靖市",
        district="麒麟区", meeting_date="2023-01-04", meeting_name="曲靖市麒麟區第六屆人民代表大會第二次會議",
        speaker="張忠文", speaker_role="區長", script="traditional", partial=False),
    "002_bddc84386e9e697e.txt": dict(
        title="2022年焦作市解放区政府工作报告", year=2022, level="district", province="河南省", city="焦作市",
        district="解放区", meeting_date="2022-06-01", meeting_name="区十五届人大一次会议",
        speaker="千怀贵", speaker_role="代区长", script="simplified", partial=False),
    "003_a4fd2a1ae2d076c2.txt": dict(
        title="锦州市政府工作报告（节选）", year=None, level="city", province="辽宁省", city="锦州市",
        district=None, meeting_date=None, meeting_name=None, speaker=None, speaker_role=None,
        script="simplified", partial=True),
    "004_47fca0f5403c067d.txt": dict(
        title="2019年營口市西市區政府工作報告", year=2019, level="district", province="辽宁省", city="营口市",
        district="西市区", meeting_date=None, meeting_name="第十六屆人民代表大會第二次會議",
        speaker="孫興寧", speaker_role="區長", script="traditional", partial=False),
}

# Level-1 and level-2 headings of each report, in order (level-3 and unnumbered ones are checked below).
EXPECTED_SECTIONS = {
    "000_748cc8dca99de2ec.txt": [
        "一、2022年工作回顾", "(一)高质量发展成绩可圈可点", "(二)改革创新发展活力不断释放",
        "(三)开放平台发展要素加快集聚", "(四)功能完善宜居城区亮点不断", "(五)民生福祉获得感持续提升",
        "(六)强基固本治理效能进一步强化", "二、2023年主要工作安排", "(一)聚焦高质量发展,打造创业经济示范区",
        "(二)聚焦结构转型升级,以协调优体系", "(三)聚焦招商和项目双提升,以开放增实效",
        "(四)聚焦城市发展质量,以绿色助和谐", "(五)聚焦人民美好生活需要,以共享增福祉",
        "(六)聚焦自身建设更坚实,以法治提能力"],
    "001_377fd206c21df32a.txt": [
        "一、攻堅克難,2022年經濟社會發展取得新成效",
        "一年來,我們立足當前、著眼長遠,繪制了跨越發展作戰圖",
        "一年來,我們守正創新、砥礪前行,穩住了經濟發展基本盤",
        "一年來,我們迎難而上、勇于擔當,打贏了應對風險攻堅戰",
        "一年來,我們凝心聚力、主動作為,培育了真抓實干好作風",
        "(一)聚焦產業興區、蓄勢賦能,轉型升級勢頭強勁", "(二)錨定首善之區、強基補短,城鄉一體加快融合",
        "(三)堅持改革牽引、優化服務,發展活力加速釋放", "(四)緊盯民生關切、增進福祉,社會事業明顯進步",
        "(五)強化使命擔當、主動作為,自身建設不斷加強",
        "二、踔厲奮發,全面開啟麒麟社會主義現代化建設新篇章",
        "(一)講政治、顧大局,把堅持黨的領導作為第一遵循", "(二)補短板、破瓶頸,把堅持推動發展作為第一要務",
        "(三)謀項目、爭資金,把堅持項目為王作為第一抓手", "(四)聚民意、惠民生,把堅持執政為民作為第一情懷",
        "(五)強治理、保穩定,把堅持安定和諧作為第一責任", "(六)轉作風、提效能,把堅持自我革命作為第一動力",
        "三、勇毅前行,奮力奪取麒麟高質量跨越式發展新勝利",
        "(一)強基固本“抓產業”,在產業轉型發展示范區建設上夯基壘臺、積厚成勢",
        "(二)全域協同“提品質”,在省域副中心城市核心區建設上高位統籌、系統推進",
        "(三)開放包容“強輻射”,在商貿服務業聚集區建設上筑巢引鳳、匯商聚人",
        "(四)凝心聚力“優服務”,在發展環境優化上破除頑瘴痼疾、打造發展洼地",
        "(五)提標擴面“惠民生”,在社會事業發展上盯緊急難愁盼、厚植為民情懷",
        "(六)守土護綠“筑屏障”,在綠美麒麟建設上涵養生態文明、實現雙向轉換",
        "(七)齊抓共管“促和諧”,在發展大局構建上傾力保安除險、實現善治善成",
        "(八)共力共為“促跨越”,在自身建設發展上彰顯斗爭精神、提升執政能力"],
    "002_bddc84386e9e697e.txt": [
        "一、2021年和过去五年的工作回顾", "(一)担使命、守底线,抗疫防汛双战双赢",
        "(二)保预期、稳增长,经济大盘平稳运转", "(三)建平台、抓产业,经济发展积蓄动能",
        "(四)促改革、扩开放,经济活力不断增强", "(五)强建管、提品质,城乡面貌持续更新",
        "(六)惠民生、增福祉,人民生活稳步改善", "(七)守平安、保稳定,发展环境日益优化",
        "二、今后五年指导思想和奋斗目标", "三、2022年主要目标和重点工作",
        "(一)突出抓项目、促招商,奋力蓄积高质量发展后劲", "(二)突出育产业、提质效,奋力构建城市经济新格局",
        "(三)突出做引领、增活力,奋力打造创新城区硬实力", "(四)突出强建管、优环境,奋力提升全区秀美高颜值",
        "(五)突出惠民生、补短板,奋力绘就共建共享新图景", "(六)突出守底线、促和谐,奋力塑造善治城区金名片",
        "四、切实加强政府自身建设", "《政府工作报告》部分词语解释"],
    "003_a4fd2a1ae2d076c2.txt": [
        "(六)善治理惠民生,高质量发展环境更加和谐", "(七)转作风提效能,高质量发展保障更加有力"],
    "004_47fca0f5403c067d.txt": [
        "一、2018年工作回顧", "(一)以轉型升級為抓手,經濟發展穩中提質", "(二)以項目建設為引擎,發展動力持續增強",
        "(三)以產業鏈建設為依托,三產融合步伐加快", "(四)以人居環境整治為重點,城區面貌有效改善",
        "(五)以綠色發展為先導,生態環境持續鞏固", "(六)以共建共享為目的,民生福祉切實提升",
        "(七)以改革創新為引領,營商環境不斷優化", "(八)以人民滿意為目標,政府建設得到加強",
        "二、2019年主要工作任務", "(一)聚焦深化改革,激發內生發展新動力", "(二)聚焦創新驅動,謀求轉型升級新突破",
        "(三)聚焦協調發展,實現資源配置新共享", "(四)聚焦綠色發展,實現美麗西市新變化",
        "(五)聚焦開放合作,拓展經濟發展新空間", "(六)聚焦民生保障,邁開共享發展新步伐",
        "三、著力實施“作風建設年”,持續加強政府自身建設"],
}

# Site furniture named in the ingestion issue; none may survive in any chunk.
FURNITURE_SUBSTRINGS = [
    "设为首页", "收藏本站", "复制链接", "TA的每日心情", "签到天数", "簽到天數", "[LV.", "Rank:", "发表于",
    "显示全部楼层", "阅读模式", "您需要登录", "本版积分规则", "客服中心", "在线时间", "联系电话", "Powered by",
    "快速回复", "返回顶部", "本文仅代表作者观点", "本文地址", "留言与评论", "验证码", "网站地图", "010-63691786",
]
FURNITURE_LINES = {"主题", "帖子", "积分", "積分", "版主", "关闭", "在线咨询", "周一~周五", "9:00-18:00", "|", "---|"}
PINYIN_ANNOTATION = re.compile(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,7}\)")


@pytest.mark.parametrize("name", sorted(EXPECTED_META))
def test_metadata(parsed_seeds, name):
    report = parsed_seeds[name].report
    for key, value in EXPECTED_META[name].items():
        assert getattr(report, key) == value, key
    assert report.source_file == name
    assert len(report.sha256) == 64
    assert report.char_count == len(parsed_seeds[name].cleaned_text)
    assert report.n_chunks == len(parsed_seeds[name].chunks) > 0


@pytest.mark.parametrize("name", sorted(EXPECTED_SECTIONS))
def test_section_tree(parsed_seeds, name):
    headings = [s.heading for s in parsed_seeds[name].sections if s.level <= 2]
    assert headings == EXPECTED_SECTIONS[name]


def test_section_paths_nest(parsed_seeds):
    for parsed in parsed_seeds.values():
        for section in parsed.sections:
            assert section.path[-1] == section.heading
        for chunk in parsed.chunks:
            assert chunk.section_path == [] or any(s.path == chunk.section_path for s in parsed.sections)


def test_run_on_heading_is_split(parsed_seeds):
    parsed = parsed_seeds["002_bddc84386e9e697e.txt"]
    chunk = next(c for c in parsed.chunks if c.section_path[-1:] == ["(一)突出抓项目、促招商,奋力蓄积高质量发展后劲"])
    assert chunk.text.startswith("扎实开展“项目建设和招商引资年”活动")
    assert chunk.section_path[0] == "三、2022年主要目标和重点工作"


def test_no_furniture_and_no_pinyin(parsed_seeds):
    for name, parsed in parsed_seeds.items():
        for chunk in parsed.chunks:
            for marker in FURNITURE_SUBSTRINGS:
                assert marker not in chunk.text, (name, marker)
            for line in chunk.text.splitlines():
                assert line.strip() not in FURNITURE_LINES, (name, line)
            assert not PINYIN_ANNOTATION.search(chunk.text), (name, chunk.chunk_id)
        assert not PINYIN_ANNOTATION.search(parsed.report.title)


def test_gold_passages_are_inside_one_chunk(parsed_seeds, dev_qa):
    for item in dev_qa:
        parsed = parsed_seeds[item["source"]]
        for gold in item["gold_contains"]:
            target = normalize_for_search(gold)
            assert any(target in c.search_text for c in parsed.chunks), (item["id"], gold)


def test_chunks_are_exact_slices_with_citation_fields(parsed_seeds):
    for parsed in parsed_seeds.values():
        ids = [c.chunk_id for c in parsed.chunks]
        assert len(ids) == len(set(ids))
        for chunk in parsed.chunks:
            assert parsed.cleaned_text[chunk.char_start:chunk.char_end] == chunk.text
            assert chunk.chunk_id.startswith(parsed.report.report_id + ":p")
            front = chunk.paragraph == 0 and chunk.char_start == 0 and chunk.section_path == []  # ¶0: title block
            assert (chunk.paragraph >= 1 or front) and chunk.paragraph_end >= chunk.paragraph
            assert chunk.search_text == normalize_for_search(chunk.text)
            assert chunk.context.startswith(parsed.report.title)
            assert len(chunk.text) <= 600


def test_every_body_paragraph_is_covered_exactly_once(parsed_seeds):
    """Chunk spans tile the body: no paragraph text lost, overlap only between parts of one paragraph."""
    for name, parsed in parsed_seeds.items():
        covered: dict[int, set[str]] = {}
        for chunk in parsed.chunks:
            for pos in range(chunk.char_start, chunk.char_end):
                covered.setdefault(pos, set()).add(chunk.chunk_id.split("-")[0])
        first_body = min(c.char_start for c in parsed.chunks)
        body_positions = [i for i in range(first_body, len(parsed.cleaned_text))
                          if parsed.cleaned_text[i] != "\n"]
        headings = {(s.char_start, s.char_start + len(s.heading)) for s in parsed.sections}
        for pos in body_positions:
            if any(a <= pos < b for a, b in headings):
                continue
            assert pos in covered, (name, parsed.cleaned_text[pos - 10:pos + 10])
            assert len(covered[pos]) == 1, (name, pos)


@pytest.mark.parametrize("name", sorted(EXPECTED_META))
def test_no_report_sentence_lost_from_the_raw_file(parsed_seeds, seed_files, name):
    """Every long line of the raw file (the author's text) survives cleaning, in normalized form."""
    raw = next(p for p in seed_files if p.name == name).read_text(encoding="utf-8")
    # Punctuation is ignored: a run-on heading (（一）标题。正文) loses its full stop when split off.
    cleaned = _letters(parsed_seeds[name].cleaned_text)
    for line in _normalize_lines(repair_text(raw).text):
        if count_cjk(line) >= 30 and "本文仅代表" not in line:
            assert _letters(line) in cleaned, line[:40]


def _letters(text: str) -> str:
    return re.sub(r"[^\w%.]", "", normalize_for_search(text))
