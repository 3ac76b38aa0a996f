"""Remove pinyin annotations and repair GBK byte-misalignment damage in scraped report text.

Why this exists: some mirror sites served reports as GBK after a Simplified->Traditional converter
appended tone-marked pinyin to converted characters (``區(qū)``).  The converter worked on raw GBK
bytes, so it also matched "characters" formed by the trail byte of one character and the lead byte of
the next, and inserted ``(pinyin)`` *inside* a character.  The page decoder then turned the orphaned
lead byte plus the ``(`` into a ``?`` and every following byte pair was read one byte off until an
ASCII-range trail byte re-synchronised the stream::

    麟 區      F7 EB | 85 5E                     -> converter matches EB 85 = 雲, inserts "(yún)"
    F7 EB 85 ( y ú n ) 5E ( q ū )               -> decoded as 麟 ? yún) ^ (qū)

So a damage site is ``?`` + optional remnant ``pinyin)`` + either a single ASCII re-sync byte or a run
of misaligned pairs.  Re-encoding the run to GBK and dropping its first byte (the trail byte of the
lost character) gives the original bytes back.  The lost character itself is only recovered when it is
pinned down uniquely: its lead byte must form, with the previous character's trail byte, a character
whose reading is the remnant pinyin, its trail byte is the first byte after the remnant, and its own
annotation (if any) must match.  Everything else keeps a visible ``?``.

The scraper NFKC-normalised its output, so full-width punctuation inside garbage runs shows up as ASCII
(``！`` -> ``!``) and is mapped back before re-encoding; repaired text is NFKC-normalised the same way.
Pairs that fall in GBK's user-defined area were dropped by the scraper; that makes a re-decoded run
wrong, which is why every re-decoded run must consist solely of plausible characters for the
document's script (Big5 common characters for Traditional, GB2312 level 1/2 for Simplified).
"""

# size: one algorithm. The pinyin grammar, the GBK byte arithmetic and the pinning of lost characters are the
# evidence of a single repair step (repair first, then drop annotations); split apart, each part only makes sense
# when read with the others.
from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rag.core.textnorm import PINYIN_SYLLABLE

try:  # optional: only needed to pin lost characters by their pinyin
    from pypinyin import Style
    from pypinyin import pinyin as _pypinyin
except ImportError:  # pragma: no cover - exercised only without pypinyin
    _pypinyin = None
    Style = None


@dataclass(frozen=True)
class RepairResult:
    text: str
    pinyin_removed: int  # number of pinyin annotations removed
    mojibake_repaired: int  # damaged runs repaired with certainty
    mojibake_left: int  # damaged runs detected but left in place (uncertain)


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PY_CHARS = "a-zü" + _TONED
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
_CJK_RE = re.compile(f"[{_CJK}]")
_TONE_RE = re.compile(f"[{_TONED}]")
# Toneless syllables are accepted only if they are structurally valid pinyin (initial + final).
_SYLLABLE_RE = re.compile(PINYIN_SYLLABLE)
# One or more "(pinyin)" groups directly after a CJK character.
_ANNOT_RE = re.compile(f"(?<=[{_CJK}])((?:\\([{_PY_CHARS}]{{1,7}}\\))+)")
# Annotation left behind a re-sync trail byte (``沙U(xiǎn)``) in a run that could not be repaired.
_STRAY_ANNOT_RE = re.compile(f"(?<=[{_CJK}][\\x40-\\x7e])\\([{_PY_CHARS}]*[{_TONED}][{_PY_CHARS}]*\\)")
_REMNANT_RE = re.compile(f"([{_PY_CHARS}]{{1,7}})\\)")
_GROUP_RE = re.compile(f"\\(([{_PY_CHARS}]{{1,7}})\\)")

# Full-width forms that the scraper's NFKC turned into these ASCII characters.
_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_EURO = "\u20ac"  # byte 0x80 read at a lead position (cp936/WHATWG show it as the euro sign)
_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】「」『』—…·％．") | {chr(c) for c in range(0xFF10, 0xFF1A)}


def _is_pinyin(token: str) -> bool:
    """Tone-marked tokens are pinyin; toneless ones only if a real multi-letter syllable (not ``(a)``)."""
    if _TONE_RE.search(token):
        return True
    return len(token) >= 2 and _SYLLABLE_RE.fullmatch(token) is not None


@lru_cache(maxsize=1)
def _charsets() -> tuple[frozenset[str], frozenset[str]]:
    """GB2312 level-1/2 hanzi and Big5 common hanzi: the "plausible" characters per script."""
    gb = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                gb.add(bytes((lead, trail)).decode("gb2312"))
    big5 = set()
    for lead in range(0xA4, 0xC7):
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            with contextlib.suppress(UnicodeDecodeError):
                big5.add(bytes((lead, trail)).decode("big5"))
    return frozenset(gb), frozenset(big5)


def _is_traditional(text: str) -> bool:
    """Decide the document script so repairs can be checked against the right character set."""
    gb, big5 = _charsets()
    trad = sum(1 for c in text if c in big5 and c not in gb)
    simp = sum(1 for c in text if c in gb and c not in big5)
    return trad > simp


def _plausible(chars: str, trad: bool) -> bool:
    """All characters common in the document's script; ASCII counts as its full-width GBK form."""
    gb, big5 = _charsets()
    chars = "".join(_FULLWIDTH.get(c, c) for c in chars)
    allowed = big5 if trad else gb
    return all(c in allowed or c in _PUNCT for c in chars)


def _gbk_pair(ch: str) -> bytes | None:
    """The two GBK bytes a garbage character stood for (ASCII punctuation mapped back to full width)."""
    ch = _FULLWIDTH.get(ch, ch) if ch.isascii() else ch
    try:
        raw = ch.encode("gbk")
    except UnicodeEncodeError:
        return None
    return raw if len(raw) == 2 else None


@lru_cache(maxsize=65536)
def _decode(raw: bytes) -> str | None:
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError:
        return None
    return text if text.encode("gbk") == raw else None


@lru_cache(maxsize=4096)
def _readings(ch: str) -> frozenset[str]:
    if _pypinyin is None:
        return frozenset()
    return frozenset(_pypinyin(ch, style=Style.TONE, heteronym=True)[0])


@lru_cache(maxsize=2048)
def _leads_for(prev_trail: int, reading: str) -> frozenset[int]:
    """Lead bytes x such that GBK(prev_trail, x) is a character read ``reading`` (the false match)."""
    out = set()
    for x in range(0x81, 0xFF):
        ch = _decode(bytes((prev_trail, x)))
        if ch and reading in _readings(ch):
            out.add(x)
    return frozenset(out)


@lru_cache(maxsize=1)
def _undecodable() -> dict[int, tuple[int, ...]]:
    """For each byte t, the bytes l such that the pair (t, l) does not decode (the scraper dropped it)."""
    return {
        t: tuple(lead for lead in range(0x81, 0xFF) if _decode(bytes((t, lead))) is None)
        for t in range(0x81, 0xFF)
    }


def _pin_char(
    leads: frozenset[int] | None, trail: int | None, reading: str | None, trad: bool, text: str
) -> str | None:
    """The lost character, if exactly one plausible GBK character fits all known constraints.

    Two extra guards, because the scraper silently dropped byte pairs from GBK's user-defined area:
    the real trail byte t may have formed such a pair with the next lead byte l, so the byte we see is
    the trail of the *next* character (``們?nèi)嫱``: 全面 = C8 [AB C3] E6 reads as 孺).  So the pinned
    character must already occur in the report, and no such rival pair may occur in it as a bigram.
    """
    if leads is None or (trail is None and reading is None):
        return None
    trails = [trail] if trail is not None else _trail_range()
    found = set()
    for lead in leads:
        for t in trails:
            ch = _decode(bytes((lead, t)))
            if not ch or not _plausible(ch, trad) or not _CJK_RE.match(ch):
                continue
            if reading is not None and reading not in _readings(ch):
                continue
            found.add(ch)
            if len(found) > 1:
                return None
    if len(found) != 1:
        return None
    ch = found.pop()
    if ch not in text:
        return None
    if trail is not None:
        undecodable = _undecodable()
        for lead in leads:
            for t in range(0x81, 0xFF):
                rival = _decode(bytes((lead, t)))
                if not rival or not _plausible(rival, trad) or rival not in text:
                    continue
                for nxt_lead in undecodable[t]:
                    nxt = _decode(bytes((nxt_lead, trail)))
                    if nxt and (reading is None or reading in _readings(nxt)) and rival + nxt in text:
                        return None
    return ch


@dataclass
class _Site:
    replacement: str
    end: int
    certain: bool
    dangling_lead: int | None = None  # lead byte of a character cut off at the end of the run
    prev_fix: str | None = None  # pinned character for the previous site's dangling placeholder


def _trail_range() -> list[int]:
    return [*range(0x40, 0x7F), *range(0x80, 0xFF)]


def _remnant_leads(
    text: str, i: int, reading: str, dangling_lead: int | None, trad: bool
) -> tuple[frozenset[int], dict[str, frozenset[int]]]:
    """Possible lead bytes of the lost character, from the false match the converter annotated.

    Normally the previous character supplies the first byte of the false match.  When the previous
    site ended on a cut-off character (only its lead byte known), every plausible completion of that
    character is tried, remembering which completion allows which lead so it can be pinned as well.
    """
    if dangling_lead is not None:
        combos: dict[str, frozenset[int]] = {}
        for p2 in _trail_range():
            d = _decode(bytes((dangling_lead, p2)))
            if d and _CJK_RE.match(d) and _plausible(d, trad) and (cand := _leads_for(p2, reading)):
                combos[d] = cand
        return frozenset().union(*combos.values()), combos
    if i == 0 or text[i - 1].isascii():
        return frozenset(), {}
    prev = _gbk_pair(text[i - 1])
    return (_leads_for(prev[1], reading) if prev else frozenset()), {}


def _parse_site(
    text: str, i: int, trad: bool, known: dict[str, int], dangling_lead: int | None = None
) -> tuple[_Site | None, bool]:
    """Try to repair the damage site whose ``?`` is at ``i``; return (site, suspicious)."""
    n = len(text)
    j = i + 1
    leads: frozenset[int] | None = None
    combos: dict[str, frozenset[int]] = {}
    remnant = False
    m = _REMNANT_RE.match(text, j)
    if m and _is_pinyin(m.group(1)):
        cand, combos = _remnant_leads(text, i, m.group(1), dangling_lead, trad)
        if cand:
            leads, remnant, j = cand, True, m.end()
    own_reading: str | None = None
    own_group: re.Match[str] | None = None
    trail: int | None = None
    rest = b""
    run = ""
    # The lost character's own annotation whose "(" was eaten with its trail byte: "?wù)".
    m2 = _REMNANT_RE.match(text, j + 1) if remnant and j < n and text[j] == "?" else None
    if m2 and _is_pinyin(m2.group(1)):
        own_reading, j = m2.group(1), m2.end()
    else:
        k = j
        pairs = bytearray()
        while k < n and text[k] != "?" and (pair := _gbk_pair(text[k])) is not None:
            if text[k].isascii() and 0x40 <= ord(text[k]) <= 0x7E:
                break  # an ASCII-range byte here is the re-sync trail byte, not a full-width form
            pairs += pair
            k += 1
        run = text[j:k]
        if k < n and (0x40 <= ord(text[k]) <= 0x7E or text[k] == _EURO):
            pairs.append(0x80 if text[k] == _EURO else ord(text[k]))
            k += 1
        if pairs:
            trail, rest = pairs[0], bytes(pairs[1:])
        elif not remnant:
            return None, False
        j = k
        own_group = _GROUP_RE.match(text, j) if not rest and trail is not None else None
        if own_group and _is_pinyin(own_group.group(1)):
            own_reading = own_group.group(1)
    dangling = len(rest) % 2 == 1
    decoded = _decode(rest[:-1] if dangling else rest)
    # Garbage starts right after the "?"; real text after a real question mark does not.
    suspicious = remnant or any(
        not c.isascii()
        and not _plausible(c, trad)
        and (not _CJK_RE.match(c) or known.get(c, 0) <= run.count(c))
        for c in run[:3]
    )
    if decoded is None or not _plausible(decoded, trad) or not _familiar(decoded, known, run):
        return None, suspicious
    if not remnant and (not _CJK_RE.search(decoded) or not _better(known, run, decoded, trad)):
        return None, suspicious
    lost = _pin_char(leads, trail, own_reading, trad, text)
    if lost is None and m2 is not None and own_reading is not None:
        return None, True  # "?py)" did not fit the lost character: do not guess how much was lost
    prev_fix = None
    if lost is not None and combos:
        lead = lost.encode("gbk")[0]
        fits = [d for d, cand in combos.items() if lead in cand]
        prev_fix = fits[0] if len(fits) == 1 and fits[0] in text else None
    if lost is None and own_reading is not None and own_group is not None:
        j = own_group.end()  # the annotation belonged to the lost character: drop it with it
    out = (lost or "?") + unicodedata.normalize("NFKC", decoded)
    certain = lost is not None and not dangling
    if not dangling and lost is None and trail is None and j < n and text[j] == "?":
        j += 1  # the following "?" stands for the same lost character
    dangling_lead = None
    if dangling:
        out += "?"
        dangling_lead = rest[-1]
        if j < n and text[j] == "?" and not _REMNANT_RE.match(text, j + 1):
            j += 1  # that "?" is the rest of the cut-off character
    return _Site(out, j, certain, dangling_lead, prev_fix), True


def _familiar(decoded: str, known: dict[str, int], run: str) -> bool:
    """Every re-decoded hanzi must occur in the document outside this run.

    A pair that the scraper dropped (GBK user-defined area) shifts one character and can still yield a
    valid, rare character (``蝗`` for ``化等``); requiring characters the report itself uses rejects that.
    """
    return all(known.get(c, 0) > run.count(c) for c in decoded if _CJK_RE.match(c))


def _better(known: dict[str, int], run: str, decoded: str, trad: bool) -> bool:
    """Without a pinyin remnant, demand evidence the run is garbage: implausible characters, or garbage
    characters that the document does not otherwise use (its re-decoding passed ``_familiar``)."""
    if not _plausible(run, trad):
        return True
    return any(known.get(c, 0) <= run.count(c) for c in run if _CJK_RE.match(c))


def _repair_mojibake(text: str) -> tuple[str, int, int]:
    if "?" not in text:
        return text, 0, 0
    trad = _is_traditional(text)
    known: dict[str, int] = {}
    for c in text:
        known[c] = known.get(c, 0) + 1
    out: list[str] = []
    certain: list[bool] = []  # one entry per damaged run
    i = 0
    n = len(text)
    pending: tuple[int, int, int] | None = None  # (out index, run index, lead) of a cut-off character
    while i < n:
        q = text.find("?", i)
        if q < 0:
            out.append(text[i:])
            break
        out.append(text[i:q])
        c = q
        while c + 1 < n and text[c + 1] == "?":
            c += 1  # in a "??" cluster the last "?" starts the damaged bytes
        out.append(text[q:c])
        lead = pending[2] if pending and q == i and c == q else None
        site, suspicious = _parse_site(text, c, trad, known, lead)
        prev_pending, pending = pending, None
        if site is not None:
            if site.prev_fix and prev_pending:
                idx, _, _ = prev_pending
                out[idx] = out[idx][:-1] + site.prev_fix
            out.append(site.replacement)
            certain.append(site.certain and c == q)
            if site.dangling_lead is not None:
                pending = (len(out) - 1, len(certain) - 1, site.dangling_lead)
            i = site.end
            continue
        if suspicious or _cluster_resync(text, q, c):
            certain.append(False)
        out.append("?")
        i = c + 1
    repaired = sum(certain)
    return "".join(out), repaired, len(certain) - repaired


def _cluster_resync(text: str, q: int, c: int) -> bool:
    """``)??v深``: a "??" cluster then a lone ASCII trail byte inside CJK text is damage we can't fix."""
    return (
        c > q
        and q > 0
        and (_CJK_RE.match(text[q - 1]) is not None or text[q - 1] == ")")
        and c + 2 < len(text)
        and 0x40 <= ord(text[c + 1]) <= 0x7E
        and _CJK_RE.match(text[c + 2]) is not None
    )


def _remove_pinyin(text: str) -> tuple[str, int]:
    count = 0

    def strip_groups(m: re.Match[str]) -> str:
        nonlocal count
        groups = _GROUP_RE.findall(m.group(1))
        if not all(_is_pinyin(g) for g in groups):
            return m.group(0)
        count += len(groups)
        return ""

    def strip_stray(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return ""

    text = _ANNOT_RE.sub(strip_groups, text)
    text = _STRAY_ANNOT_RE.sub(strip_stray, text)
    return text, count


def repair_text(text: str) -> RepairResult:
    """Repair byte-misalignment damage first (it needs the annotations as evidence), then drop pinyin."""
    fixed, repaired, left = _repair_mojibake(text)
    fixed, removed = _remove_pinyin(fixed)
    return RepairResult(text=fixed, pinyin_removed=removed, mojibake_repaired=repaired, mojibake_left=left)
