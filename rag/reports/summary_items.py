"""A report summary's records: bullets with their citation numbers, the summary, its section names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUMMARY_VERSION = 2
LANGS = ("zh", "en")
MAX_ITEMS = 8
MAX_QUOTE = 160
MARKER_RE = re.compile(r"\[(\d{1,3})\]")
NUMBERING_RE = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、])\s*")
STRONG_PROBLEM_RE = re.compile(r"清醒|正视|不足|差距")
PROBLEM_RE = re.compile(r"(?:清醒|看到|认识到|存在|面临|正视)[^。]{0,40}?(?:不足|困难|问题|挑战|短板|差距)")
ENUM_RE = re.compile(r"(?<![\u4e00-\u9fff])[一二三四五六七八九十]是|(?<=[：:；;。])[一二三四五六七八九十]是")
SECTION_KEYS = ("headline_figures", "achievements", "targets", "tasks", "problems")
HEADINGS = {
    "zh": {"headline_figures": "主要数字", "achievements": "主要成绩", "targets": "目标", "tasks": "重点任务",
           "problems": "问题与不足", "sources": "来源"},
    "en": {"headline_figures": "Headline figures", "achievements": "Achievements", "targets": "Targets",
           "tasks": "Priority tasks", "problems": "Problems acknowledged", "sources": "Sources"},
}
FACT_LABELS = {
    "zh": {"region": "地区", "year": "年份", "date": "日期", "speaker": "报告人", "meeting": "会议"},
    "en": {"region": "Place", "year": "Year", "date": "Date", "speaker": "Speaker", "meeting": "Meeting"},
}



class SummaryError(ValueError):
    """A summary cannot be made as asked (unknown report, language, engine); the message says why."""


@dataclass
class SummaryItem:
    """One bullet: its text and the citation numbers it rests on."""

    text: str
    citations: list[int]
    section: str = ""
    indicator: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "citations": self.citations}
        if self.section:
            data["section"] = self.section
        if self.indicator:
            data["indicator"] = self.indicator
        return data


@dataclass
class ReportSummary:
    report_id: str
    title: str
    engine: str
    lang: str
    facts: dict[str, Any]
    headline_figures: list[SummaryItem] = field(default_factory=list)
    achievements: list[SummaryItem] = field(default_factory=list)
    targets: list[SummaryItem] = field(default_factory=list)
    tasks: list[SummaryItem] = field(default_factory=list)
    problems: list[SummaryItem] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # bullets an LLM rewrite could not replace, and why
    cached: bool = False

    def items(self) -> list[SummaryItem]:
        return [item for key in SECTION_KEYS for item in getattr(self, key)]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"report_id": self.report_id, "title": self.title, "engine": self.engine,
                                "lang": self.lang, "facts": self.facts}
        for key in SECTION_KEYS:
            data[key] = [item.to_dict() for item in getattr(self, key)]
        data["citations"] = self.citations
        data["notes"] = self.notes
        data["cached"] = self.cached
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportSummary:
        lists = {key: [SummaryItem(i["text"], list(i["citations"]), i.get("section", ""), i.get("indicator", ""))
                       for i in data.get(key, [])] for key in SECTION_KEYS}
        return cls(data["report_id"], data["title"], data["engine"], data["lang"], data["facts"],
                   citations=data.get("citations", []), notes=data.get("notes", []),
                   cached=bool(data.get("cached", False)), **lists)

    def to_markdown(self) -> str:
        heads, labels = HEADINGS[self.lang], FACT_LABELS[self.lang]
        lines = [f"## {self.title}", ""]
        facts = [f"{labels[k]}: {self.facts[k]}" for k in labels if self.facts.get(k)]
        if facts:
            lines += [" · ".join(facts), ""]
        for key in SECTION_KEYS:
            items = getattr(self, key)
            if not items:
                continue
            lines.append(f"### {heads[key]}")
            for item in items:
                marks = "".join(f"[{n}]" for n in item.citations)
                lead = f"**{item.section}**：" if item.section and key in ("achievements", "tasks") else ""
                lines.append(f"- {lead}{item.text} {marks}".rstrip())
            lines.append("")
        if self.citations:
            lines.append(f"### {heads['sources']}")
            for c in self.citations:
                path = " > ".join(c["section_path"])
                lines.append(f"{c['n']}. 《{c['title']}》 {path} ¶{c['paragraph']} — “{c['quote']}”")
        return "\n".join(lines).rstrip() + "\n"
