"""What a question asks for and how a sentence states a figure: the cues the extractive selector scores with.

Patterns only, no scoring (rag.answer.extractive weighs them): a question that asks how many, how much money, a
share, a percentage, a yearly rate, a figure per head or per mu, a level rather than a change, what actually
happened; and the sentence shapes that answer each (a count with its measure word, an amount in yuan, a share, a
target restated, a figure that only states a change).
"""

from __future__ import annotations

import re

from rag.core.numbers import NOT_FIGURES

# Questions that ask what a term means or what a named programme consists of.
DEFINITION_CUES = re.compile(r"指什么|指的是|是什么意思|什么是|含义|是指|包括哪些|包含哪些|有哪些内容|"
                             r"\brefer to\b|\bmean\b|\bmeaning\b|\bstand for\b|\bconsist of\b|\bdefin|"
                             r"\baims? to\b|\bpurpose\b|\bwhat is the (?:\S+ )?(?:plan|programme|program|project|"
                             r"initiative|campaign|strategy|model)\b", re.I)
# Questions that ask for a percentage prefer sentences whose figures are percentages.
# 增长多少 / how fast: reports state growth as a percentage (增加 多少 may be an amount)
PERCENT_CUES = re.compile(r"percent|percentage|%|百分|增速|增幅|比例|比重|占比|增长了?多少|how fast|growth rate", re.I)
# A question about a span of years that asks for a yearly rate (平均 and "average" over a span too), and a sentence
# that states one (平均每年增长7.5%, not the five-year total of 44%).
PER_YEAR_CUES = re.compile(r"年均|平均|每年|yearly|annual(?:ly)?|per year|a year|each year|per annum|\baverag(?:e|ed|ing)\b", re.I)
PER_YEAR_RATE = re.compile(r"年均|平均每年|每年平均|年平均|平均年")
# A period's total asked (五年间…多少, in all) and a sentence that states a total over a span (五年…, 累计, 合计).
TOTAL_ASK = re.compile(r"五年间|五年内|五年中|五年来|这五年|总共|共计|合计|累计|一共|总计|\bin (?:all|total)\b|"
                       r"\baltogether\b|\btotal\b|\bcumulative\b|\bover (?:the|its) (?:five|\d) years\b", re.I)
TOTAL_STATED = re.compile(r"五年|累计|合计|共计|总共|一共|总计")
# A rank asked (排第几位, 位居第几, "what rank", "which place") and one stated (居世界第四位, 第二位).
RANK_ASK = re.compile(r"第几|排名|名次|位次|\brank(?:ed|s|ing)?\b|\bwhich place\b|\bwhat place\b", re.I)
RANK_STATED = re.compile(r"第\s*[\d一二三四五六七八九十]+\s*(?:位|名)|首位|前列")
# A count written with a measure word: 416人, 530支, 3.9万户.
COUNT_RE = re.compile(r"\d+(?:\.\d+)?[万亿]?(?:人次|人|名|个|家|户|所|座|支|件|项|条|次|场|批|套|处|张|辆|艘|台|栋|株|棵|只|头)")
# A date, a year or an ordinal is no count (去年5月12日…发生地震 does not say how many people died): the numbers
# that are no figures (rag.core.numbers.NOT_FIGURES), and a month or a day written alone.
NOT_A_COUNT = re.compile(rf"{NOT_FIGURES.pattern}|\d{{1,2}}月|\d{{1,2}}日")
# Questions that count things (how many entities, 多少家), and a sentence's amount of money.
COUNTING_CUES = re.compile(r"how many|多少(?:个|家|人|户|所|座|支|件|项|条|次|名|辆|艘|台)|几(?:个|家|项|所|座)", re.I)
MONEY_ASK = re.compile(r"多少(?:亿|万|千)?(?:美)?元|多少钱|how much money|how many (?:\w+ )?(?:yuan|dollars)|"
                       # … not "how much did R&D spending as a share of GDP rise": a share is no money
                       r"\bhow much\b(?![^?]*\b(?:share|proportion|percent(?:age)?)\b)[^?]*\b(?:spen[dt]|spending|cost|"
                       r"invest(?:ed)?|earmark(?:ed)?|allocat(?:e|ed)|"
                       r"budget(?:ed)?)\b|"
                       r"\bin (?:(?:us|u\.s\.) )?(?:yuan|dollars|renminbi|rmb)\b|"
                       r"\bprices? (?:per|a|of (?:a|one))\b|单价|均价|(?<!零)售价", re.I)  # a price per square metre: money
MONEY_RE = re.compile(r"[\d零〇一二三四五六七八九十百千万亿两][万亿千百]?(?:美)?元")
# A unit the question asks the figure in (多少元, "in tonnes", 多少万吨) and how a sentence writes it (matched on its
# search form: Simplified, half-width): a growth rate or multiple (钢增长一点二倍) does not answer it.
_NUMERAL = r"[\d零〇一二三四五六七八九十百千两][\d零〇一二三四五六七八九十百千两.点多余万亿]*"  # 三千七百多万
UNIT_ASKS = ((MONEY_ASK, MONEY_RE),
             (re.compile(r"\btonnes?\b|\btons\b|多少[万亿]?吨", re.I), re.compile(rf"{_NUMERAL}吨")),
             (re.compile(r"\bkilomet(?:er|re)s?\b|\bkm\b|多少[万]?公里", re.I), re.compile(rf"{_NUMERAL}(?:公里|千米)")),
             (re.compile(r"\bjin\b|多少[万亿]?斤", re.I), re.compile(rf"{_NUMERAL}斤")),
             (re.compile(r"(?<!per )(?<!a )\bsquare met(?:er|re)s?\b|多少[万亿]?平方米", re.I), re.compile(rf"{_NUMERAL}平方米")),
             # a death toll is a count of people (死亡…人), not the disaster's losses in money
             (re.compile(r"多少人(?:死亡|遇难|丧生|伤亡)|(?:死亡|遇难)(?:人数)?(?:是|有|为)?多少|\bdeath toll\b|"
                         r"\bhow many (?:people |lives )?(?:died|were killed|deaths|lost their lives|lives)\b", re.I),
              re.compile(rf"{_NUMERAL}(?:人|名)")),
             # 多少所 / 多少张: counted with that measure word (七百一十五所 of schools, 病床…万张), not 招生…五十五万人
             *((re.compile(rf"多少[万千百亿]?{unit}"), re.compile(rf"{_NUMERAL}{unit}")) for unit in "所座艘辆台张架"))
CLAUSE_SPLIT = re.compile(r"(?<=[，,、：:])")
CLAUSE_BREAK = re.compile(r"[，,；;]")  # between the clauses of one sentence
# A clause that continues a figure's statement (its level, change, share or comparison), quoted with it.
FIGURE_FOLLOW_UP = re.compile(r"\s*(?:比|较|同比|达到|达|增长|增加|下降|减少|占|即|为|超过|提高到|降到|降至|其中)")
# How many figures a question asks for: each 多少 / 几 / "how many …" (两问: 原来打算控制在多少？实际涨了多少？).
ASK_RE = re.compile(r"多少|几[个家项所座万千百十成倍]|how (?:many|much|big|large|fast|high|far|long)|"
                    r"what (?:share|percentage|proportion)", re.I)
# A share asked (占GDP的比重, "what share of", "account for") and a sentence that states one.
EACH_YEAR = re.compile(r"分别|各是|各为|逐年|respectively|\beach\b|\bevery year\b|\byear by year\b", re.I)
SHARE_CUES = re.compile(r"比重|占比|比例|占|佔|share|proportion|percentage of|account(?:ed|s)? for|fraction", re.I)
SHARE_STATED = re.compile(r"比重|占比|所占")
# A figure per unit of land or per person (粮食的每亩平均产量, 人均) answers only a question that asks one.
PER_UNIT = re.compile(r"每亩|亩产|单产|每公顷|每人|人均|每个人")
PER_UNIT_CUES = re.compile(r"每亩|亩产|单产|每公顷|每人|人均|平均每|per[- ](?:mu|hectare|capita|head|person|household)|"
                           r"\byields?\b|\baverage\b|\beach\b", re.I)
# A question about a level (what was the value of …) and sentences that state only a change (增加了一百三十九亿元).
# a figure, not a span of time (前三年, 这一年, 十个月)
FIGURE_START = re.compile(r"(?<![\d零〇一二三四五六七八九十百千两万亿.点])[\d零〇一二三四五六七八九十百千两]"
                          r"(?![\d零〇一二三四五六七八九十百千两万亿.点]*(?:年|个月|月|日|季度|天))")
CHANGE_BEFORE = re.compile(r"(?:增加|增长|提高|减少|下降|降低|增产|减产)(?:了)?(?:约|近|超过)?$")
# Asked how far something fell: a sentence whose every figure follows a verb of rise answers another question
DECREASE_CUES = re.compile(r"下降|减少|降低|降到|降至|缩小|\bf[ae]ll(?:en|s|ing)?\b|\bdrop|\bdeclin|\bshr[iu]nk|"
                           r"\breduc|\bdecreas|\bcut\b", re.I)
RISE_BEFORE = re.compile(r"(?:增加|增长|提高|上升|增产|扩大)(?:了)?(?:约|近|超过)?$")
RISE_CUES = re.compile(r"增长|增加|提高|上升|扩大|\bgr[eo]w|growth|increas|\bris[ei]|\brose\b|\bexpand|\braise", re.I)
CHANGE_CUES = re.compile(r"增长|增加|提高|上升|下降|减少|降低|增速|增幅|涨|降|比|变化|\bgr[eo]w|growth|increas|\bris[ei]|\brose\b|"
                         r"\bf[ae]ll|\bdrop|\bcut|\bchang|\bcompar|\bmore\b|\bless\b|\bfewer\b|\bup\b|\bdown\b|"
                         r"\bhow fast\b|\bexpand|\bfrom\b|\bby how\b|\bboost|\braise|\bshr[iu]nk|\bdeclin", re.I)
# A sentence of a review that states a target (年初确定的…目标, 预期…, 曾提出，要把…控制在…以内) rather than a result.
TARGET_WORDS = re.compile(r"目标|预期(?!寿命)|计划|力争|控制在|确定的|提出的|提出[，,]|要求")
# A question that asks what actually happened (实际涨了多少, "how high did it actually go").
# A question asking from what level to what (from what to what, 从多少…到多少) and a sentence that states both
# (从129.6亿元增加到181.8亿元, 由10.2%下降到3.1%)
FROM_TO_ASK = re.compile(r"\bfrom what (?:level |figure |number )?to what\b|(?:从|由)多少[^，,。？?]{0,10}?(?:到|至)(?:了)?多少",
                         re.I)
FROM_TO_STATED = re.compile(r"(?:从|由)[^，,。；;]{0,24}?[\d〇零一二三四五六七八九十两][^，,。；;]{0,12}?"
                            r"(?:增加|提高|上升|下降|降低|减少|扩大|增长|升|降)?(?:到|至)\s*[\d〇零一二三四五六七八九十两]")
# "how high did inflation run", "prices ran at": what happened, as the next report reviews it
OUTCOME_CUES = re.compile(r"实际|actual|\bturn(?:ed|s)? out\b|\bend(?:ed)? up\b|\bin practice\b|\bdid .* run\b|\bran\b",
                          re.I)
# A question that asks when (哪一年, 什么时候, "in which year", "when did"): a sentence without a year or a date
# does not answer it (稳妥推进房地产税立法 for 房地产税将从哪一年开始征收).
WHEN_ASK = re.compile(r"哪一年|哪年|何年|何时|什么时候|哪个时候|\b(?:in )?(?:which|what) year\b|"
                      r"\bwhen (?:did|was|were|will|is|does|do|would)\b", re.I)
TIME_STATED = re.compile(rf"{NOT_FIGURES.pattern}|[今明去次]年|年底|年初|\d{{1,2}}月|[一二三四五六七八九十]{{1,2}}月")


def _every_figure_after(sentence_norm: str, verb_before: re.Pattern[str]) -> bool:
    """Whether a sentence has figures (not its years or dates) and every one follows a verb ``verb_before`` finds."""
    text = NOT_A_COUNT.sub(" ", sentence_norm)
    starts = [m.start() for m in FIGURE_START.finditer(text)]
    return bool(starts) and all(verb_before.search(text[max(0, i - 6):i]) for i in starts)


def only_changes(sentence_norm: str) -> bool:
    """Whether every figure of a sentence follows a verb of change (增加了一百三十九亿元): it states no level."""
    return _every_figure_after(sentence_norm, CHANGE_BEFORE)


def only_rises(sentence_norm: str) -> bool:
    """Whether every figure of a sentence follows a verb of rise (人数比上年增长8.5%), so it states no fall."""
    return _every_figure_after(sentence_norm, RISE_BEFORE)


def share_first(sentence_norm: str) -> bool:
    """Whether a sentence's first figure is a share (所占的比重由59%…): the share word comes before any digit."""
    share = SHARE_STATED.search(sentence_norm)
    digit = re.search(r"[\d〇零一二三四五六七八九十百]", sentence_norm)
    return share is not None and (digit is None or share.start() < digit.start())
