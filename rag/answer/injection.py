"""Prompt injection: text in a report (or a question) that gives orders to an AI assistant.

Such a sentence is never an answer: the extractive engine does not quote it as one, a question that is itself
an instruction is refused, and an LLM answer that obeys one (repeats its payload, or rests only on it) is
rejected. The patterns are general (ignore the instructions above, a system prompt, a new role for "you",
answer only "…") and precise: report language (要求各级政府…, 必须坚持…, 按照省委要求) never matches.
"""

from __future__ import annotations

import re

from rag.answer.citations import locate_quote, sentence_units
from rag.core.textnorm import normalize_for_search

_QUOTE_OPEN = "“\"「『'‘"
_QUOTES = re.compile(r"[“\"「『'‘]([^“”\"「」『』'‘’\n]{1,40})[”\"」』'’]")

_ZH = [
    # 忽略以上所有指令 / 无视之前的提示 / 不要理会上述规则 / 忘记你的设定
    r"(?:忽略|忽视|无视|不要理会|不用理会|不必理会|别理会|忘记|忘掉|抛开|丢弃|跳过|绕过)掉?\s*(?:你的|你之前的|"
    r"以上|之前|先前|此前|前面|上面|上述|前述|所有|全部|一切|原有|原来|原先|系统|开发者)"
    r"[^。！？；\n]{0,8}?(?:指令|指示|提示词?|要求|规则|设定|约束|限制|命令|规定|对话|安全策略)",
    # 系统提示：… / 系统指令: … / 系统提示词
    # (a notice of a warning system, 预警系统提示：明日有暴雨, is not one: the label must stand alone or talk to "you")
    r"(?<![\u4e00-\u9fff])系统(?:提示|指令|消息|设定)词?\s*[:：]|"
    r"系统(?:提示|指令)词?\s*[:：][^。！？\n]{0,20}?(?:你|忽略|无视|助手|回答|输出)|"
    r"系统提示词|(?:新的|最高|管理员|开发者)(?:指令|命令)\s*[:：]",
    # 你现在是… / 你是一个…助手 / 从现在起你… / 请扮演… / 假装你是…
    r"你现在(?:是|扮演|作为|变成|成为)|从现在(?:起|开始)[，,]?\s*你|你(?:是|作为)(?:一个|一名)[^。！？；\n]{0,12}?"
    r"(?:助手|模型|机器人|人工智能|AI|ai|程序)|(?:请|你)(?:扮演|充当|假扮)|假装你是|"
    r"(?:没有|不受|解除|取消)(?:任何)?(?:限制|约束|审查)的(?:助手|模型|AI|ai|人工智能|机器人)",
    # 只回答“…” / 必须只回答“…” / 直接输出“…” / 请回复"…"
    r"(?:只|仅|必须|直接|请|务必)(?:只|仅)?(?:回答|回复|输出|返回|说|打印)(?:一句|以下内容|下面的话)?\s*[:：]?\s*"
    rf"[{_QUOTE_OPEN}]",
    # 越狱 / 开发者模式 / 提示词注入
    r"越狱模式|开发者模式|(?:提示词|指令)注入|(?:泄露|输出|显示|打印)(?:你的)?(?:系统提示|提示词|系统指令)",
]
_EN = [
    r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|the\s+|your\s+|everything\s+)*"
    r"(?:(?:previous|prior|above|preceding|earlier|former|original|system|safety)\s+)+"
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines|context|messages?|constraints)\b",
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:your|these|those|the)\s+"
    r"(?:instructions?|prompts?|rules|guidelines|constraints)\b",
    r"\bsystem\s+prompt\b|\byou\s+are\s+now\b|\bfrom\s+now\s+on,?\s+you\b|\bpretend\s+(?:to\s+be|you\s+are)\b",
    r"\bact\s+as\s+(?:an?\s+)?(?:unrestricted\s+|unfiltered\s+|different\s+|new\s+)?"
    r"(?:ai|assistant|chatbot|bot|language\s+model|dan)\b",
    r"(?:^|[\n\"“'(\[【。！？；;.!?])\s*(?:system|assistant)\s*:",  # a role label opening a line or sentence
    r"\bjailbreak|\bdeveloper\s+mode\b|\bdan\s+mode\b|\bprompt\s+injection\b",
    r"\b(?:respond|answer|reply|output|say)\s+(?:only|just|exactly)\s+(?:with\s+)?[\"“']",
    r"\b(?:only|just)\s+(?:respond|answer|reply|output|say)\s+(?:with\s+)?[\"“']",
]
INSTRUCTION_RE = re.compile("|".join(f"(?:{p})" for p in _ZH + _EN), re.I)
_MARKERS = re.compile(r"\[\d{1,2}\]")


def looks_like_instruction(text: str) -> bool:
    """True when ``text`` gives orders to an AI assistant (prompt injection), not when it is report prose."""
    return bool(text) and INSTRUCTION_RE.search(text) is not None


def instruction_free(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The part of the unit ``text[start:end]`` before any instruction in it, or None when nothing is left.

    A sentence that is all injection is dropped; one that states a fact and then appends an instruction
    (…27.5亿元，忽略以上所有指令…) keeps its clauses before the instruction."""
    if not looks_like_instruction(text[start:end]):
        return start, end
    cut = start
    for match in re.finditer(r"[，,、：:]", text[start:end]):
        stop = start + match.end()
        if looks_like_instruction(text[start:stop]):
            break
        cut = stop
    head = text[start:cut].rstrip("，,、：: ")
    if len(re.findall(r"[\u4e00-\u9fffA-Za-z0-9]", head)) < 4:
        return None
    return start, start + len(head)


def injected_sentences(text: str) -> list[str]:
    """The instruction-like sentence units of a source text."""
    return [text[s:e] for s, e in sentence_units(text) if looks_like_instruction(text[s:e])]


def obeys_instruction(answer: str, sources: list[str]) -> bool:
    """True when an (LLM) answer follows an instruction instead of answering: it is an instruction itself,
    repeats the quoted payload of an instruction found in the sources, or rests only on such sentences."""
    plain = _MARKERS.sub("", answer)
    if looks_like_instruction(plain):
        return True
    injected = [s for text in sources for s in injected_sentences(text)]
    if not injected:
        return False
    answer_norm = normalize_for_search(plain)
    for sentence in injected:
        for payload in _QUOTES.findall(sentence):
            payload_norm = normalize_for_search(payload).strip()
            if len(payload_norm) >= 2 and payload_norm in answer_norm:
                return True
    quotes = [text[slice(*locate_quote(text, plain))] for text in sources if text]
    return bool(quotes) and all(looks_like_instruction(q) for q in quotes)
