"""Word export of the draft Niederschrift.

The document follows the usual outline (Kopf, Anwesende, Tagesordnung, one block
per TOP, Schluss with signature lines). It is marked as an AI draft at the top
and in the header of every page. A city template (.docx or .dotx) may be given:
its styles, page setup, headers and footers are kept, its body text is replaced.
The file is built in memory and written atomically, so no half-written DOCX
is ever left on disk.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

from ..core.errors import OutputError
from ..core.types import Minutes, MinutesItem, SessionInfo, Speaker, Transcript, Vote
from .common import fmt_clock, write_bytes_atomic

DRAFT_MARK = "KI-Entwurf – durch die Schriftführung zu prüfen"
MISSING = "[bitte ergänzen]"

_CT_TEMPLATE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_CT_DOCUMENT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MARK_COLOR = "C00000"


def export_docx(
    path: str | os.PathLike[str],
    info: SessionInfo,
    speakers: list[Speaker],
    minutes: Minutes,
    transcript: Transcript | None = None,
    template: Path | None = None,
    include_transcript: bool = False,
) -> Path:
    """Write the draft Niederschrift as DOCX to ``path``; return the path.

    Raises ``OutputError`` (German message) for an unreadable template or an
    unwritable target; the target is then left untouched.
    """
    target = Path(path)
    data = build_docx(info, speakers, minutes, transcript, template, include_transcript)
    write_bytes_atomic(target, data)
    return target


def build_docx(
    info: SessionInfo,
    speakers: list[Speaker],
    minutes: Minutes,
    transcript: Transcript | None = None,
    template: Path | None = None,
    include_transcript: bool = False,
) -> bytes:
    """The DOCX file's bytes (see ``export_docx``)."""
    doc = _open_template(Path(template)) if template else _new_document()
    _mark_headers(doc)
    _mark_paragraph(doc)
    _kopf(doc, info)
    _attendees(doc, speakers)
    _agenda_overview(doc, minutes.agenda_items)
    for item in minutes.agenda_items:
        _item(doc, item)
    _schluss(doc, info, minutes)
    if include_transcript and transcript is not None:
        _transcript_annex(doc, transcript, speakers)
    props = doc.core_properties
    props.title = " – ".join(p for p in (info.title or "Niederschrift", info.committee) if p)
    props.subject = info.committee
    props.keywords = "KI-Entwurf"
    props.comments = DRAFT_MARK
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- document / template


def _new_document() -> Any:
    import docx

    return docx.Document()


def _open_template(template: Path) -> Any:
    import docx
    from docx.oxml.ns import qn

    try:
        raw = template.read_bytes()
    except OSError as exc:
        raise OutputError(
            f"Die Word-Vorlage „{template}“ kann nicht gelesen werden ({exc.strerror or exc}). "
            "Bitte die Einstellung „docx_template“ prüfen."
        ) from exc
    try:
        doc = docx.Document(io.BytesIO(_as_document_package(raw)))
    except Exception as exc:  # a foreign file: zip, XML and OPC errors of every kind
        raise OutputError(
            f"Die Word-Vorlage „{template}“ ist beschädigt oder keine Word-Datei (.docx/.dotx). "
            "Bitte eine andere Vorlage wählen oder die Einstellung „docx_template“ leeren."
        ) from exc
    # Keep styles, page setup, headers and footers; drop the template's body text.
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _as_document_package(raw: bytes) -> bytes:
    """A .dotx differs from a .docx only in the main part's content type: patch it."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    types = src.read("[Content_Types].xml")
    if _CT_TEMPLATE not in types:
        return raw
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            data = src.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(_CT_TEMPLATE, _CT_DOCUMENT)
            dst.writestr(entry, data)
    return out.getvalue()


def _has_style(doc: Any, name: str) -> bool:
    try:
        doc.styles[name]
    except KeyError:
        return False
    return True


def _para(
    doc: Any,
    text: str = "",
    style: str | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
) -> Any:
    from docx.shared import Pt

    use_style = style if style and _has_style(doc, style) else None
    paragraph = doc.add_paragraph(style=use_style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
    return paragraph


def _heading(doc: Any, text: str, level: int) -> Any:
    style = "Title" if level == 0 else f"Heading {level}"
    if _has_style(doc, style):
        return _para(doc, text, style)
    # Template without heading styles: fall back to bold Normal text.
    return _para(doc, text, bold=True, size={0: 18, 1: 14}.get(level, 12))


def _bullets(doc: Any, lines: list[str]) -> None:
    for line in lines:
        if _has_style(doc, "List Bullet"):
            _para(doc, line, "List Bullet")
        else:
            _para(doc, f"– {line}")


# ---------------------------------------------------------------------------- draft marking


def _styled_mark_run(paragraph: Any) -> None:
    from docx.shared import RGBColor

    run = paragraph.add_run(DRAFT_MARK)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(_MARK_COLOR)


def _mark_headers(doc: Any) -> None:
    """Put the draft marking into every header that can appear on a page."""
    for section in doc.sections:
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if doc.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            paragraphs = header.paragraphs
            reuse = len(paragraphs) == 1 and not paragraphs[0].text.strip()
            paragraph = paragraphs[0] if reuse else header.add_paragraph()
            _styled_mark_run(paragraph)


def _mark_paragraph(doc: Any) -> None:
    """The boxed marking at the top of the body."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = _para(doc)
    _styled_mark_run(paragraph)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "12")
        edge.set(qn("w:space"), "4")
        edge.set(qn("w:color"), _MARK_COLOR)
        borders.append(edge)
    p_pr.append(borders)
    _para(
        doc,
        "Dieser Text wurde automatisch aus der Aufnahme erstellt. Inhalt, Beschlusswortlaut "
        "und Abstimmungsergebnisse sind vor der Unterzeichnung zu prüfen.",
        italic=True,
        size=9,
    )


# ---------------------------------------------------------------------------- sections


def _kopf(doc: Any, info: SessionInfo) -> None:
    _heading(doc, info.title or "Niederschrift", 0)
    rows = [
        ("Gremium", info.committee),
        ("Datum", info.date),
        ("Ort", info.location),
        ("Beginn", info.start_time),
        ("Ende", info.end_time),
    ]
    for label, value in rows:
        paragraph = _para(doc)
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value or MISSING)


def _attendees(doc: Any, speakers: list[Speaker]) -> None:
    _heading(doc, "Anwesende", 1)
    _para(
        doc,
        "In der Aufnahme erkannte Sprecherinnen und Sprecher; bitte mit der Anwesenheitsliste abgleichen.",
        italic=True,
        size=9,
    )
    if speakers:
        _bullets(doc, [s.label for s in speakers])
    else:
        _para(doc, MISSING)


def _agenda_overview(doc: Any, items: list[MinutesItem]) -> None:
    if not items:
        return
    _heading(doc, "Tagesordnung", 1)
    for item in items:
        _para(doc, _top_title(item))


def _top_title(item: MinutesItem) -> str:
    return f"TOP {item.number}: {item.title}".rstrip(": ")


def _item(doc: Any, item: MinutesItem) -> None:
    _heading(doc, _top_title(item), 1)
    if item.start is not None or item.end is not None:
        start = fmt_clock(item.start) if item.start is not None else "?"
        end = fmt_clock(item.end) if item.end is not None else "?"
        _para(doc, f"Aufnahme {start} – {end}", italic=True, size=9)

    _heading(doc, "Beratung", 2)
    paragraphs = [p.strip() for p in item.discussion.splitlines() if p.strip()]
    for text in paragraphs or ["Keine Beratung erfasst."]:
        _para(doc, text)

    if item.motions:
        _heading(doc, "Anträge", 2)
        _bullets(doc, item.motions)

    _heading(doc, "Beschluss", 2)
    _para(doc, item.resolution.strip() or "[Kein Beschluss erkannt – bitte prüfen]")

    _heading(doc, "Abstimmungsergebnis", 2)
    for line in vote_lines(item.vote):
        _para(doc, line)

    if item.flags:
        _heading(doc, "Hinweise zur Prüfung", 2)
        _flag_bullets(doc, item.flags)
    if item.evidence:
        spans = ", ".join(f"{fmt_clock(e.start)}–{fmt_clock(e.end)}" for e in item.evidence)
        _para(doc, f"Belegstellen in der Aufnahme: {spans}", italic=True, size=9)


def vote_lines(vote: Vote) -> list[str]:
    """German lines for the Abstimmungsergebnis; counts appear only when present."""
    if vote.is_empty():
        return ["[Kein Abstimmungsergebnis erkannt – bitte prüfen]"]
    lines = []
    if vote.outcome:
        text = vote.outcome.strip()
        lines.append(text[:1].upper() + text[1:])
    counts = [
        f"{label}: {value}"
        for label, value in (("Ja", vote.yes), ("Nein", vote.no), ("Enthaltungen", vote.abstain))
        if value is not None
    ]
    if counts:
        lines.append(", ".join(counts))
    return lines


def _flag_bullets(doc: Any, flags: list[str]) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    before = len(doc.paragraphs)
    _bullets(doc, flags)
    for paragraph in doc.paragraphs[before:]:
        for run in paragraph.runs:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _schluss(doc: Any, info: SessionInfo, minutes: Minutes) -> None:
    _heading(doc, "Schluss", 1)
    _para(doc, f"Ende der Sitzung: {info.end_time or MISSING}")
    _para(doc)
    table = doc.add_table(rows=3, cols=2)
    for col, role in enumerate(("Vorsitz", "Schriftführung")):
        table.cell(0, col).text = ""
        table.cell(1, col).text = "_" * 30
        table.cell(2, col).text = role
    _para(doc)
    origin = [
        f"Modell: {minutes.model}" if minutes.model else "",
        f"Prompt-Version: {minutes.prompt_version}" if minutes.prompt_version else "",
    ]
    origin_text = "; ".join(o for o in origin if o)
    _para(doc, f"{DRAFT_MARK}." + (f" {origin_text}." if origin_text else ""), italic=True, size=8)


def _transcript_annex(doc: Any, transcript: Transcript, speakers: list[Speaker]) -> None:
    from .transcript import to_txt

    doc.add_page_break()
    _heading(doc, "Anlage: Transkript (automatisch erstellt)", 1)
    for block in to_txt(transcript, speakers).split("\n\n"):
        if block.strip():
            _para(doc, block.strip(), size=9)
