"""Turn one decoded document into a :class:`ParsedReport`: cleaned text, metadata, sections, chunks.

Pure function of the document text (no I/O), so it is easy to test and to re-run on stored text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rag.core.models import ParsedReport, Report
from rag.core.textnorm import detect_script, to_simplified
from rag.ingest.chunking import layout_report, make_chunks
from rag.ingest.cleaning import clean_document
from rag.ingest.loaders import RawDocument
from rag.ingest.metadata import (
    NATIONAL_RE,
    YEAR_RE,
    Place,
    choose_title,
    find_meeting,
    find_speaker,
    front_matter,
    infer_place_from_text,
    resolve_place,
)
from rag.ingest.sections import parse_blocks

# Bump when parsing changes what is stored (cleaning, sections, chunks, metadata): re-ingesting a file whose
# report was stored by an older version replaces it, although its bytes are unchanged.
PARSER_VERSION = 4  # 2: the title block is a citable ¶0; 3: licence footers are furniture; 4: split figures joined


def report_id_for(source_file: str) -> str:
    """A readable, filesystem- and URL-safe id derived from the source file name (stable across versions)."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", source_file)
    slug = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", unicodedata.normalize("NFKC", stem)).strip("-_")
    return slug[:80] or hashlib.sha1(source_file.encode()).hexdigest()[:12]


def parse_document(
    doc: RawDocument, report_id: str | None = None, max_chars: int = 600, min_chars: int = 40
) -> ParsedReport:
    cleaned = clean_document(doc.text, hard_wrapped=doc.hard_wrapped)
    warnings = [*doc.warnings, *cleaned.warnings]
    rid = report_id or report_id_for(doc.source_file)

    title = choose_title(cleaned.header) or choose_title(cleaned.preamble)
    if doc.title_hint:
        title = doc.title_hint
    front = front_matter(title, cleaned.header)
    simp_title = to_simplified(title or "")
    partial = title is None
    national = bool(NATIONAL_RE.search(simp_title)) or (
        bool(NATIONAL_RE.search(to_simplified("".join(cleaned.header)))) and not resolve_place(simp_title).level
    )
    place = Place() if national else resolve_place(simp_title) if title else Place()
    if not national and not place.level:
        place = infer_place_from_text(cleaned.header + cleaned.body)
    year_match = YEAR_RE.search(simp_title)
    year = int(year_match.group(1)) if year_match else doc.year_hint
    if title is None:
        region = "".join(p for p in (place.city, place.district) if p) or (place.province or "")
        first_heading = next((line for line in cleaned.body if len(line) <= 40), "")
        title = f"{region}政府工作报告（节选）" if region else f"政府工作报告（节选）{first_heading}"
        warnings.append("partial: no title found; a fragment of a report")
    meeting_date, meeting_name = find_meeting(cleaned.header)
    speaker, role = find_speaker(cleaned.header)

    blocks = parse_blocks(cleaned.body)
    layout = layout_report(front, blocks)
    chunks = make_chunks(rid, title, layout, max_chars=max_chars, min_chars=min_chars)
    if not chunks:
        warnings.append("no body paragraphs found")

    report = Report(
        report_id=rid,
        title=title,
        year=year,
        level="national" if national else place.level,
        province=place.province,
        city=place.city,
        district=place.district,
        meeting_date=meeting_date,
        meeting_name=meeting_name,
        speaker=speaker,
        speaker_role=role,
        script=detect_script(layout.cleaned_text),
        source_file=doc.source_file,
        sha256=hashlib.sha256(doc.data).hexdigest(),
        char_count=len(layout.cleaned_text),
        n_sections=len(layout.sections),
        n_chunks=len(chunks),
        partial=partial,
        warnings=warnings,
        parser_version=PARSER_VERSION,
    )
    return ParsedReport(report, layout.cleaned_text, layout.sections, chunks)
