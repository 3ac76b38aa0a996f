"""Age groups a question names (16-24岁, "aged 16 to 24", "16- to 24-year-olds", "youth (16-24)", 60岁以上, "aged 60 and over",
"60 or older", "people over 60").

Why: an age group asks about a part of a population (the youth jobless rate, the elderly), and a report's
figure for the whole population (城镇调查失业率5.2%) does not answer it. Reports write such a group with Arabic or
Chinese numerals and several joiners, so each group is given as the wordings a sentence may use; a sentence
that has none of them is not about the group. Shared by the extractive selector (a required concept) and the
indicator ledger (whose rows are whole-population figures)."""

from __future__ import annotations

import re

import cn2an

_NUMBER = r"(\d{1,3})"
_RANGE_ZH = re.compile(rf"{_NUMBER}\s*(?:至|到|-|—|–|－|~|～)\s*{_NUMBER}\s*周?岁")
_RANGE_EN = re.compile(rf"\b(?:aged?|ages|between)\s+{_NUMBER}\s*(?:-|–|—|to|and)\s*{_NUMBER}\b(?!\s*(?:%|percent))|"
                       rf"\b{_NUMBER}\s*-?\s*(?:-|–|—|to)\s*-?\s*{_NUMBER}\s*-?\s*years?\s*-?\s*olds?\b|"
                       rf"\b(?:youths?|young\s+people|juveniles?)\s*\(\s*(?:aged?\s+)?{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}\s*\)",
                       re.I)  # the last: "the urban youth (16-24) jobless rate"
_OVER_ZH = re.compile(rf"{_NUMBER}\s*周?岁(?:及|和)?以上")
_OVER_EN = re.compile(rf"\b(?:aged?\s+(?:over|above)|(?:over|above)\s+the\s+age\s+of)\s+{_NUMBER}\b|"
                      rf"\baged?\s+{_NUMBER}\s+(?:and|or)\s+(?:over|above|older)\b|"
                      rf"\b{_NUMBER}\s*-?\s*years?\s*-?\s*olds?\s+(?:and\s+)?(?:over|above|older)\b|"
                      rf"\b{_NUMBER}\s+(?:or|and)\s+older\b|"  # "people were 60 or older"
                      rf"\b(?:people|persons|residents|population|those)\s+(?:over|above)\s+{_NUMBER}\b", re.I)
_JOINERS = ("-", "—", "至", "到", "~")


def _chinese(number: str) -> str:
    return str(cn2an.an2cn(number, "low"))


def age_groups(text: str) -> list[list[str]]:
    """The age groups ``text`` names, each as the wordings a report may write it in (normalized for search:
    lower case, half-width)."""
    groups: list[list[str]] = []
    for match in [*_RANGE_ZH.finditer(text), *_RANGE_EN.finditer(text)]:
        low, high = (g for g in match.groups() if g)
        if int(low) < int(high):
            groups.append([f"{a}{joiner}{b}{unit}" for a, b in ((low, high), (_chinese(low), _chinese(high)))
                           for joiner in _JOINERS for unit in ("岁", "周岁")])
    for match in [*_OVER_ZH.finditer(text), *_OVER_EN.finditer(text)]:
        age = next(g for g in match.groups() if g)
        groups.append([f"{a}{unit}{more}" for a in (age, _chinese(age)) for unit in ("岁", "周岁")
                       for more in ("以上", "及以上")])
    return groups
