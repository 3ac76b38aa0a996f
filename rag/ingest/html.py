"""HTML pages → the article's text, in linear time (no per-element tree edits, iterative walks): forum and
news pages wrap a report in navigation, teasers and comment blocks."""

from __future__ import annotations

import re

from rag.core.textnorm import count_cjk

BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                        "article", "blockquote", "pre", "dd", "dt", "table", "ul", "ol"})
DROP_TAGS = ["script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "form", "button", "select",
             "svg", "template"]


def html_to_text(markup: str) -> str:
    """Keep the article/post body of a web page: drop scripts, styles, navigation and other page furniture.

    Text is collected in one iterative pass (a newline after each block element and for ``<br>``) without
    editing the tree: time stays linear in the page size even for pathologically nested markup (a bomb of
    100k nested ``<div>`` would take hours with per-element tree edits)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(DROP_TAGS):
        tag.decompose()
    root = soup.body or soup
    title = soup.title.get_text(strip=True) if soup.title else ""
    text = _block_text(_main_content(root))
    if title and count_cjk(title) and title not in text:
        text = title + "\n" + text
    return text


def _is_text(node: object) -> bool:
    """Text as ``get_text`` sees it: strings and CDATA, not comments, doctypes or processing instructions."""
    from bs4.element import CData, NavigableString, PreformattedString

    return isinstance(node, NavigableString) and (not isinstance(node, PreformattedString) or isinstance(node, CData))


_NEWLINE = object()


def _block_text(root) -> str:  # type: ignore[no-untyped-def]
    from bs4 import Tag

    out: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _NEWLINE:
            out.append("\n")
        elif isinstance(node, Tag):
            if node.name == "br":
                out.append("\n")
                continue
            if node.name in BLOCK_TAGS and node is not root:
                stack.append(_NEWLINE)
            stack.extend(reversed(node.contents))
        elif _is_text(node):
            out.append(str(node))
    return "".join(out)


def _cjk_counts(root) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Chinese characters under every element, in one iterative post-order pass (linear, no recursion)."""
    from bs4 import Tag

    counts: dict[int, int] = {}
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            counts[id(node)] = sum(counts.get(id(c), 0) if isinstance(c, Tag) else count_cjk(str(c)) if _is_text(c)
                                   else 0 for c in node.contents)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in node.contents if isinstance(c, Tag))
    return counts


_CONTENT_HINT = re.compile(r"article|content|post|message|t_f|main|text|body|detail|zoom|entry", re.I)


def _main_content(root):  # type: ignore[no-untyped-def]
    """The element that holds most of the page's Chinese text among likely content containers."""
    counts = _cjk_counts(root)
    total = counts.get(id(root), 0)
    candidates = list(root.find_all(["article", "main"]))
    for tag in root.find_all(["div", "td", "section"]):
        attrs = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if _CONTENT_HINT.search(attrs):
            candidates.append(tag)
    best, best_score = root, 0
    for tag in candidates:
        score = counts.get(id(tag), 0)
        if score > best_score:
            best, best_score = tag, score
    # A container holding too little of the page's text is a teaser box, not the article.
    return best if best_score >= 0.6 * total else root
