"""Phrases that rename a question's year: ", the first year of the Great Leap Forward", “大跃进”开始的1958年.

Like the year itself they say *when*; translated or searched as words, their rare terms (大跃进, 金融危机)
would outweigh what the question asks about, so retrieval and the answer's topic words leave them out.
"""

from __future__ import annotations

import re

# ", the first year of the Great Leap Forward", ", the year of the Asian financial crisis", ", early in its first
# five-year plan": a phrase that renames the year says when, like the year itself; translated, its words would outweigh what the question asks
_YEAR_APPOSITIVE = re.compile(r",\s*(?:which was |that is )?the (?:(?:first|second|third|last|final|very|same|full|"
                              r"whole|pandemic|crisis|\w+est) ){0,2}year (?:of|after|before|when|that|in which|the)\b[^,?;]*|"
                              r",\s*(?:early|late|midway|halfway|partway) (?:in|into|through) (?:the|its) [^,?;]*", re.I)
# …and in Chinese: “大跃进”开始的1958年, 遭遇严重水灾的1991年 (not 报告中提到的1986年), 大跃进那一年（1958年）,
# 1956年遭遇大灾之年
_YEAR_RENAMED_ZH = re.compile(r"^[^，,。？?；;]{2,14}?的(?=\s*(?:19|20)\d{2}\s*年)|"
                              r"^[^，,。？?；;]{2,12}?那一?年(?=\s*[（(]\s*(?:19|20)\d{2}\s*年)|"
                              r"(?<=年)[^，,。？?；;年]{2,12}?之年(?=\s*[，,])")


def without_year_appositive(text: str) -> str:
    """The question without a phrase that renames its year (", the year of the Asian financial crisis",
    “大跃进”开始的1958年): it says when, like the year, and its words are no topic to search for."""
    text = _YEAR_APPOSITIVE.sub(" ", text)
    return _YEAR_RENAMED_ZH.sub(lambda m: " " if _renames_year(m.group(0)) else m.group(0), text)


def _renames_year(clause: str) -> bool:
    """An event that renames a year (大跃进开始的, 受疫情冲击的), not a report (报告中提到的) or a place (全国的)."""
    words = re.sub(r"[“”\"'‘’「」『』（）()\s]|的$|那一?年$", "", clause)
    return (len(words) >= 3 and not re.search(r"报告|報告|计划|計劃|规划|規劃|纲要|綱要", words)
            and not re.search(r"[省市区區县縣国國州镇鎮乡鄉村]$", words))
