"""Questions that ask for two things: split them, answer each part on its own, join the answers.

"1958年全国钢产量达到多少万吨？前一年又是多少？", "给粮食和棉花定的产量指标各是多少？" and "what target had been set,
and what was the actual increase?" ask for two figures. One retrieval and one sentence selection answer one of
them: the sentence that fits the pair best states the first, and the second ranks below sentences that repeat
it. So each part is asked as a question of its own — completed from the first part with what a later one leaves
out (when, where, what about) — and the answers are joined, each part with its own citations.

Years or places joined by 和 are not split here: a table by year and a comparison by place answer those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from rag.answer.citations import Citation
from rag.answer.records import REFUSAL, Answer, in_script
from rag.core.numbers import extract_figures
from rag.core.textnorm import to_simplified
from rag.core.tokens import QUERY_STOPWORDS, tagged_words
from rag.core.years import YEAR_RE
from rag.reports.indicators import question_indicators
from rag.retrieve.plan import QueryPlan
from rag.retrieve.when import aim_word, names_aim, question_time, time_phrases
from rag.retrieve.year_names import without_year_appositive

MAX_PARTS = 3
# A clause that asks for a figure (not a context clause such as 据1994年政府工作报告).
_ASKS_FIGURE_ZH = re.compile(r"多少|几[个项成倍年岁次所座家万千百亿]|第几|百分之几|何数|多[大高快长远重久]|什么(?:幅度|水平|程度|范围|规模)")
_HOW = r"how (?:much|many|fast|large|big|high|low|far|long|quickly|rapidly|sharply|steeply)"
_ASKS_EN = re.compile(rf"\b(?:{_HOW}|what|which|by how)\b|"
                      r"^\s*(?:did|does|do|was|were|is|are|has|have|had)\b", re.I)
_CLAUSE_ZH = re.compile(r"[？?；;，,]")
# English parts: separate questions, ", and what …" inside one, or ", and in 2007?" (the same asked of a year).
_YEAR_ALONE_EN = r"(?:(?:in|for|by|during) )?(?:the )?(?:year )?(?:19|20)\d{2}\s*\??\s*$"
_CLAUSE_EN = re.compile(r"\?\s*(?=\S)|[,;]\s*(?:and|but)\s+(?=(?:(?:by|from|to|at|in|on|roughly|approximately|"
                        r"about|exactly|also|then) )?(?:how|what|which)\b)|"
                        rf"[,;]\s*and\s+(?={_YEAR_ALONE_EN})|\s+and\s+(?={_HOW}\b)", re.I)
# A part that names only a time (2007年呢？, "and in 2007?", "What about 2007?"): the first part asked of it.
_TIME_ONLY_REST = re.compile(r"^(?:[\s,，;；?？。.]|呢|又|的|而|那么|那|and|what about|how about|in|for|by|during|the|year)*$",
                             re.I)
# "how much coal and how much steel was China expected to turn out", "what GDP growth and how many new jobs did
# Linghe target": one predicate, two things
_ASKING = rf"what|which|{_HOW}"
_AUXILIARY = r"was|were|did|do|does|is|are|has|have|had|will|would"
_PAIRED_EN = re.compile(rf"\b({_ASKING}) (?!(?:{_AUXILIARY})\b)([^,?]+?) and ({_ASKING}) (?!(?:{_AUXILIARY})\b)"
                        rf"([^,?]+?) ({_AUXILIARY})\b([^?]*)", re.I)
# "what targets were set for cutting poverty and for new urban jobs": one question about two things, each in a
# phrase of its own with the same preposition
_PARALLEL_EN = re.compile(r"^(.*\b(for|on|in|of|to|from|about) )(?!the year\b)(.+?),? and \2 (.+?)\??\s*$", re.I)
# A later part's year relative to the first part's: 前一年又是多少
_RELATIVE = {"前一年": -1, "上一年": -1, "次年": 1, "下一年": 1, "第二年": 1, "后一年": 1,
             "当年": 0, "同年": 0, "那一年": 0, "这一年": 0}
_RELATIVE_RE = re.compile("|".join(_RELATIVE))
_BASELINE = re.compile(r"(?:比|较|同|与)(?:上年|去年|上一年|前一年|(?:19|20)\d{2}\s*年)")
# A later part about a share or a part of the first one's subject (其中工业部门分到多少) keeps the subject.
_PART_OF = re.compile(r"^(?:其中|其|它|它们|这|这些|该|占|佔)")
# 而 (whereas) opens a part with a subject of its own: 而1958年初的报告预计1957年实际粮食产量是多少
_WHEREAS = re.compile(r"^(?:而|但|可是|那么)\s*")
# 各/分别: each of the things joined by 和 is asked about
_DISTRIBUTIVE = {"各", "分别", "各自", "各为"}
_CONJUNCTIONS = {"和", "与", "及", "以及", "同", "、"}
_NOMINAL_TAGS = ("n", "vn", "l", "j", "an", "i")
_AIM_WORDS = re.compile(r"目标|指标|预期|预计|计划|任务|实际|原定|规模|总额|数量|水平|结果|情况")


def split_question(question: str, analyze: Callable[[str], QueryPlan],
                   attested: Callable[[str], bool] | None = None) -> list[str]:
    """The parts of a question that asks for several figures, each a question of its own; ``[question]`` when
    it asks for one. ``analyze`` gives a part's query plan (its places); ``attested`` says whether the library
    writes a phrase (it decides what two joined nouns share: 粮食和棉花产量 → 粮食产量, 棉花产量)."""
    text = question.strip()
    if not text or len(text) > 300:
        return [question]
    plan = analyze(text)
    parts = _english_clauses(text) if plan.lang == "en" else _chinese_clauses(text)
    if len(parts) == 1 and plan.lang != "en":
        parts = _distributed(text, plan, attested or (lambda _phrase: False))
        return parts if len(parts) == 2 else [question]  # complete as they are
    if not 2 <= len(parts) <= MAX_PARTS:
        return [question]
    first = parts[0]
    return [first] + [_completed(part, first, plan, analyze(part)) for part in parts[1:]]


def _chinese_clauses(text: str) -> list[str]:
    """Clauses that ask for a figure, each with the clauses before the first one (据…报告) as its context and
    the clauses after it that ask nothing (按可比价格计算) attached."""
    pieces = [p.strip() for p in _CLAUSE_ZH.split(text) if p.strip()]
    context: list[str] = []
    asking: list[list[str]] = []
    for piece in pieces:
        if _ASKS_FIGURE_ZH.search(piece) or (asking and _time_only(piece)):
            asking.append([piece])
        elif asking:
            asking[-1].append(piece)
        else:
            context.append(piece)
    if len(asking) < 2:
        return [text]
    return ["，".join(context + clause) for clause in asking]


def _english_clauses(text: str) -> list[str]:
    paired = _PAIRED_EN.search(text)
    if paired:
        before, rest = text[:paired.start()], f" {paired.group(5)}{paired.group(6)}".rstrip()
        return [f"{before}{paired.group(k)} {paired.group(k + 1)}{rest}?" for k in (1, 3)]
    parallel = _PARALLEL_EN.match(text)
    if parallel and _ASKS_EN.search(parallel.group(1)) and not any(
            _time_only(parallel.group(k)) for k in (3, 4)):
        head = re.sub(r",?\s*\bboth\s+(?=\w+ $)", " ", parallel.group(1))  # "…for 2020, both for A and for B"
        first, second = parallel.group(3).strip(" ,"), parallel.group(4).rstrip(" ?")
        second, _, shared = second.partition(", ")  # "of A, and of B, opened in 2010": the rest is both's
        predicate = re.match(rf"(.+?)\s+((?:{_AUXILIARY})\b.+)$", second, re.I) if not shared else None
        if predicate:  # "for A and for B does the 14th Five-Year Plan set": the predicate is both's
            second, shared = predicate.group(1), predicate.group(2)
        if " " not in first and len(second.split()) >= 2:  # "for urban and for rural residents": one head noun
            first = f"{first} {second.split()[-1]}"
        times = time_phrases(second)
        tail = times[-1] if not shared and times and second.endswith(times[-1]) and times[-1] not in first else ""
        rest = f" {shared or tail}" if shared or tail else ""
        return [f"{head}{first}{rest}?", f"{head}{second}{' ' + shared if shared else ''}?"]
    pieces = [p.strip(" ,;?") for p in _CLAUSE_EN.split(text) if p.strip(" ,;?")]
    if len(pieces) < 2 or not all(_ASKS_EN.search(p) or _time_only(p) for p in pieces[1:]):
        return [text]
    if not _ASKS_EN.search(pieces[0]):  # "For 1996, …": a context, not a part
        return [text]
    # "How large a deficit, and what deficit ratio, did the government plan for 2015?": the predicate after the
    # last thing asked is every part's
    last, _, shared = pieces[-1].partition(", ")
    if shared and re.match(rf"(?:{_AUXILIARY})\b", shared, re.I) and len(pieces) == 2:
        return [f"{pieces[0]} {shared}?", f"{last} {shared}?"]
    return [p + "?" for p in pieces]


def _distributed(text: str, plan: QueryPlan, attested: Callable[[str], bool]) -> list[str]:
    """粮食和棉花的产量各是多少 → 粮食的产量是多少, 棉花的产量是多少: two things joined by 和 with 各/分别 after them.
    Joined nouns share a head or a modifier where the library writes the shared form (粮食和棉花产量 → 粮食产量;
    财政收入和支出 → 财政支出)."""
    simplified = to_simplified(text)
    if not any(marker in simplified for marker in _DISTRIBUTIVE):
        return [text]  # no 各/分别: nothing to tag (jieba's tagger is the slow part)
    tagged = list(tagged_words(simplified))
    tokens = [w for w, _ in tagged]
    if not _DISTRIBUTIVE & set(tokens) or "".join(tokens) != simplified:
        return [text]
    places = {m.name for m in plan.places} | {m.name[:2] for m in plan.places}
    for i, (word, _tag) in enumerate(tagged):
        if word not in _CONJUNCTIONS or i == 0:
            continue
        left = _run(tagged, i - 1, -1)
        right = _run(tagged, i + 1, 1)
        if not right and i + 2 < len(tagged) and tagged[i + 1][1].startswith("v") and tagged[i + 2][0] in _DISTRIBUTIVE:
            right = [i + 1]  # 财政收入和支出分别: jieba tags 支出 a verb
        elif right and right[-1] + 2 < len(tagged) and tagged[right[-1] + 1][1].startswith("v") \
                and tagged[right[-1] + 2][0] in _DISTRIBUTIVE:
            right.append(right[-1] + 1)  # …人均生活费收入各是多少: the head jieba tags a verb ends the noun
        if not left or not right or not any(t in _DISTRIBUTIVE for t in tokens[right[-1] + 1:]):
            continue
        left_words = [tokens[j] for j in left]
        right_words = [tokens[j] for j in right]
        if any("".join(w) in places or YEAR_RE.search("".join(w) + "年") for w in (left_words, right_words)):
            return [text]  # places and years: a comparison or a table answers those
        head_at = next((k for k in range(1, len(right_words))
                        if attested("".join(left_words + right_words[k:]))), len(right_words))
        shared_from = next((j for j in range(len(left_words) - 1, 0, -1)
                            if attested("".join(left_words[:j] + right_words))), 0)
        first = "".join(left_words + right_words[head_at:])
        second = "".join(left_words[:shared_from] + right_words)
        before = "".join(tokens[:left[0]])
        after = "".join(t for t in tokens[right[-1] + 1:] if t not in _DISTRIBUTIVE)
        return [before + first + after, before + second + after]
    return [text]


def _run(tagged: Sequence[tuple[str, str]], start: int, step: int) -> list[int]:
    """Indices of the nouns next to position ``start`` going in direction ``step``, in text order."""
    found = []
    i = start
    while 0 <= i < len(tagged) and tagged[i][1].startswith(_NOMINAL_TAGS) and tagged[i][0] not in _DISTRIBUTIVE:
        found.append(i)
        i += step
    return sorted(found)


def _completed(part: str, first: str, plan: QueryPlan, part_plan: QueryPlan) -> str:
    """A later part with what it leaves out taken from the first: the time, the place, the subject."""
    if _time_only(part):
        return _first_asked_of(first, part)
    if plan.lang == "en":
        return _completed_english(part, first, plan, part_plan)
    part = _WHEREAS.sub("", part)
    additions: list[str] = []
    first_time, part_time = question_time(first), question_time(part)
    relative = _RELATIVE_RE.search(part)
    if relative and len(set(first_time.years)) == 1:
        part = part.replace(relative.group(0), f"{first_time.years[0] + _RELATIVE[relative.group(0)]}年", 1)
    elif not time_phrases(_BASELINE.sub("", part)):  # 比1957年/比上年增长了多少: no time of its own
        additions.extend(time_phrases(first))
    elif first_time.named_report is not None and part_time.named_report is None:
        additions.extend(p for p in time_phrases(first) if "报告" in p)
    if plan.places and not part_plan.places:
        additions.extend(m.name for m in plan.places if m.name in first)
    aim = aim_word(first) if first_time.aim == "target" and not names_aim(part) else None
    own, subject = _subject(part), _subject(first)
    if _PART_OF.search(part) or not own:
        if subject and subject not in part:
            additions.append(f"{aim}的{subject}" if aim else subject)
    elif len(own) < len(subject) and subject.endswith(own) and own in part:
        part = part.replace(own, subject, 1)  # 1958年钢产量…？前一年的产量…: the head alone means the same thing
        if aim:
            additions.append(aim)
    elif aim:  # 2020年报告安排的赤字率是多少？特别国债发行了多少？: the second is planned too
        additions.append(aim)
    return "".join(dict.fromkeys(additions)) + part


def _completed_english(part: str, first: str, plan: QueryPlan, part_plan: QueryPlan) -> str:
    """"what was the actual increase" after "For 1996, what price-inflation target had been set": the first
    part's time (and report) where the part names none, its place where the part names none, and its words
    where the part has two words of its own or fewer ("how fast did it grow", "how many estates were done"), as a follow-up carries them."""
    part = without_year_appositive(part)  # "how much in 1958, the first year of …": the year says it all
    first_times, part_times = time_phrases(first), time_phrases(part)
    reports = [p for p in first_times if "report" in p.lower()]
    when = first_times if not part_times else [p for p in reports if p not in part_times]
    words = [w for w in re.findall(r"[A-Za-z][\w.'-]*", part) if not _framing_word(w)]
    extra = [m.name for m in plan.places] if plan.places and not part_plan.places else []
    # "how large was GDP" names its own subject; "what share of GDP was it" asks about the first part's
    if len(words) <= 2 and (not question_indicators(part) or re.search(r"\b(?:it|this|that|they|these|those)\b", part, re.I)):
        rest = without_year_appositive(first)  # not ", the year of the Asian financial crisis": it says when
        for phrase in first_times:
            rest = rest.replace(phrase, " ")
        own_aim = names_aim(part)  # "what cut did it actually achieve" does not carry "targeted"
        found = re.findall(r"[A-Za-z][\w.'-]*", rest)
        kept = [not _framing_word(w) and not (own_aim and aim_word(w)) for w in found]
        # "of" between two carried words stays: "energy use per unit of GDP" is one indicator, "per unit GDP" not
        extra += [w for i, w in enumerate(found) if kept[i] or (
            w.lower() == "of" and 0 < i < len(found) - 1 and kept[i - 1] and kept[i + 1])]
    core = part.rstrip("?").strip()
    words_carried = " (" + " ".join(extra) + ")" if extra else ""
    timing = "".join(f" {p}" if re.match(r"(?i)in|for|during|by|from|under", p) else f" in {p}" for p in when)
    return f"{core}{words_carried}{timing}?"


def _framing_word(word: str) -> bool:
    """A word that frames an English question (what, did, actually, looked back, a year earlier …), not its
    topic."""
    return word.lower().strip(".'-?,") in _EN_FRAME


def _time_only(part: str) -> bool:
    """Whether a part names a time and nothing else (2007年呢, "and in 2007", "what about 2007", "how much in
    1958, the first year of the Great Leap Forward")."""
    phrases = time_phrases(part)
    rest = without_year_appositive(part)
    for phrase in phrases:
        rest = rest.replace(phrase, " ")
    return bool(phrases) and bool(_TIME_ONLY_REST.match(rest))


def _first_asked_of(first: str, part: str) -> str:
    """The first part asked of the year a time-only part names (2002年…占比是多少？2007年呢？ → 2007年…占比是多少):
    its one year replaced, or the part's time added where the first names none."""
    first_years, part_years = question_time(first).years, question_time(part).years
    if len(set(first_years)) == 1 and len(set(part_years)) == 1 and str(first_years[0]) in first:
        return first.replace(str(first_years[0]), str(part_years[0]))
    phrases = " ".join(time_phrases(part))
    return f"{first.rstrip('?？')} {phrases}?" if re.search(r"[A-Za-z]", first) else f"{phrases}{first}"


_EN_FRAME = frozenset("""what which how much many fast large big high did does do was were is are had has have been be the a an
of for in by during to on at from that this it its they them their and or than with as actually actual looking back
report reports government work say said says set put turn turned out end ended up go went run ran come came
earlier later ago year look looks looked""".split())  # noqa: SIM905


def _subject(clause: str) -> str:
    """The last noun phrase a clause asks about, without its time, the country and words of aim (目标, 实际):
    钢产量 of 1958年全国钢产量达到多少万吨, 商品零售物价 of 1994年商品零售物价原定控制目标是多少, 城镇登记失业率
    (a verb inside a noun phrase, a one-character suffix such as 率 stay)."""
    masked = to_simplified(clause)
    for phrase in time_phrases(masked):
        masked = masked.replace(phrase, "，")
    tagged = tagged_words(masked)
    runs: list[list[str]] = [[]]
    asked = False
    for i, (word, tag) in enumerate(tagged):
        nominal = tag.startswith((*_NOMINAL_TAGS, "ns", "nz")) and word not in _COUNTRY
        modifier = tag[:1] in "vab" and i + 1 < len(tagged) and tagged[i + 1][1].startswith(_NOMINAL_TAGS)
        suffix = len(word) == 1 and bool(runs[-1]) and tag[:1] in "vgkn" and word not in "是有为占佔达在"
        joined = word in "与和及" and bool(runs[-1]) and i + 1 < len(tagged) and tagged[i + 1][1].startswith(_NOMINAL_TAGS)
        # 什么范围(内): what is asked, not what it is asked about
        asked = (i > 0 and tagged[i - 1][0] in _WHAT) or (asked and (nominal or suffix))
        if (nominal or modifier or suffix or joined) and not asked and not _AIM_WORDS.search(word) \
                and word not in _DISTRIBUTIVE and word not in QUERY_STOPWORDS:  # not 原本 (jieba: a noun)
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    named = [run for run in runs if run]
    return "".join(named[-1]) if named else ""


_COUNTRY = {"全国", "我国", "中国", "国家", "全省", "全市", "全区", "全县"}
_WHAT = {"什么", "哪些", "哪个", "何种", "哪种"}


def join_answers(question: str, standalone: str, parts: list[str], answers: list[Answer],
                 language: str) -> Answer | None:
    """One answer from the parts' answers: their texts in order with citations renumbered (a part that found
    nothing says so); ``None`` when no part found an answer (the whole question is answered as one)."""
    if not any(not a.refused for a in answers):
        return None
    outstated = _outstated(answers)
    if outstated is not None:  # its one figure is also in another part's passage, which states more: not found
        answers = [replace(a, refused=True, citations=[]) if i == outstated else a for i, a in enumerate(answers)]
    if _same_figure(answers):
        return None  # two parts that ask different things answered with one figure: one of them is wrong
    citations: list[Citation] = []
    number_of: dict[tuple[str, int], int] = {}
    texts: list[str] = []
    for part, answer in zip(parts, answers, strict=True):
        if answer.refused:
            missing = REFUSAL[language].rstrip("。.")
            texts.append(f"“{part}”: {missing}" if language == "en" else in_script(f"“{part}”：{missing}", language))
            continue
        renumber: dict[int, int] = {}
        for citation in answer.citations:
            key = (citation.hit.chunk.chunk_id, citation.quote_start)
            if key not in number_of:
                number_of[key] = len(number_of) + 1
                citations.append(Citation(number_of[key], citation.hit, citation.quote, citation.quote_start))
            renumber[citation.n] = number_of[key]
        text = _renumbered(answer.answer, renumber).strip().rstrip("。.")
        said = {piece for earlier in texts for piece in re.split(r"[；;]\s*", earlier)}
        kept = ("; " if language == "en" else "；").join(
            piece for piece in re.split(r"[；;]\s*", text) if piece and piece not in said)  # a sentence once
        if kept:
            texts.append(kept)
    separator = ". " if language == "en" else "；"
    joined = in_script(separator.join(texts) + ("." if language == "en" else "。"), language)
    answered = [a for a in answers if not a.refused]
    notes = [a.grounding_note for a in answers if a.grounding_note]
    return Answer(question, joined, answered[0].engine, all(a.grounded for a in answered), False, citations,
                  standalone, "; ".join(dict.fromkeys(notes)) or None)


def _renumbered(text: str, renumber: dict[int, int]) -> str:
    """The answer's [n] markers as the joined answer numbers its citations."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), int(m.group(1)))}]", text)


def _outstated(answers: list[Answer]) -> int | None:
    """The part whose figures are a strict part of another part's, quoted from another passage (asked whether
    education spending reached 4% in 2012 and how much it was over five years: a 2012 plan sentence with 4%, and
    the 2013 review's 五年累计7.79万亿元…2012年…达到4%): the fuller passage answers, the other part adds nothing."""
    return next((i for i, figures, other in _apart(answers) if figures and figures < other), None)


def _same_figure(answers: list[Answer]) -> bool:
    """Whether two parts are answered with one figure from two different passages (目标 and 实际 both answered
    百分之十以内): one of them is wrong. One sentence that states both parts' figures is fine, and so are two
    passages that each state a figure the other lacks (增长7.8％，略低于8％的预定目标 and 经济增长速度8％, 涨幅3％)."""
    return any(figures & other and (figures <= other or other <= figures) for _, figures, other in _apart(answers))


def _apart(answers: list[Answer]) -> Iterator[tuple[int, set[tuple[float, bool]], set[tuple[float, bool]]]]:
    """(index, its figures, the other's figures) for every ordered pair of answered parts that quote different
    passages (neither quote inside the other)."""
    stated = [(i, [c.quote for c in a.citations], _figures(a)) for i, a in enumerate(answers) if not a.refused]
    for i, quotes, figures in stated:
        for j, other_quotes, other_figures in stated:
            if i != j and not any(q in o or o in q for q in quotes for o in other_quotes):
                yield i, figures, other_figures


def _figures(answer: Answer) -> set[tuple[float, bool]]:
    """The figures an answer's quotes state (not years: they are not the figures asked)."""
    return {(round(f.scaled, 6), f.percent) for c in answer.citations for f in extract_figures(c.quote)
            if not (f.text.isdigit() and 1900 <= f.raw <= 2100)}
