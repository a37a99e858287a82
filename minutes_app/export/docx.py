"""Word export of the draft Niederschrift (NRW outline).

The document follows the outline of ``shared/notes/niederschrift.md``: Kopf,
Anwesenheit, Tagesordnung, Regularien, one section per TOP (Vorlage, Anträge,
Beratung by protocol type, Beschluss, Abstimmungsergebnis, Befangenheit,
Protokollerklärungen), Teil B and Schluss with signature lines.

Teil B (items with ``public`` False) never appears in the public document:
``part`` selects "oeffentlich" (default), "nichtoeffentlich" or "gesamt";
``export_niederschrift`` writes the public file and, when there are non-public
items, a separate confidential Teil-B file.

AI marking: every item not confirmed by a person carries "KI-Entwurf"; the
document-level marking stays until the sign-off state is "geprueft" or
"freigegeben" and every item in the document is confirmed.

A city template (.docx or .dotx) may be given: its styles, page setup, headers
and footers are kept, ``{{Platzhalter}}`` are filled and ``{{Inhalt}}`` marks
where the body goes (see ``docs/template_placeholders.md``). Files are built in
memory and written atomically, so no half-written DOCX is ever left on disk.
"""

from __future__ import annotations

import copy
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..base.errors import OutputError
from ..base.text import clean_fields, has_unsafe
from ..base.types import Attendee, Minutes, SessionInfo, Speaker, Transcript
from .common import (
    PART_ALL,
    PART_NONPUBLIC,
    PART_PUBLIC,
    ExportResult,
    check_part,
    write_bytes_atomic,
)
from .docx_base import (
    CONFIDENTIAL_MARK,
    DRAFT_MARK,
    MISSING,
    DocContext,
    boxed_mark,
    heading,
    mark_headers,
    para,
    small,
)
from .docx_template import body_children, fill_placeholders, open_template, place_content, prepare_body
from .niederschrift_items import agenda_part, vote_lines
from .niederschrift_kopf import anwesenheit, kopf, kopf_title, schluss

__all__ = [
    "CONFIDENTIAL_MARK",
    "DRAFT_MARK",
    "MISSING",
    "PART_FILE_SUFFIX",
    "build_docx",
    "build_niederschrift",
    "export_docx",
    "export_niederschrift",
    "niederschrift_paths",
    "vote_lines",
]

# File name suffix per part (after the stem): "<stem>.docx", "<stem>_TeilB_nichtoeffentlich.docx".
PART_FILE_SUFFIX = {PART_PUBLIC: "", PART_NONPUBLIC: "_TeilB_nichtoeffentlich", PART_ALL: "_gesamt"}
DEFAULT_STEM = "niederschrift"


def export_docx(
    path: str | os.PathLike[str],
    info: SessionInfo,
    speakers: list[Speaker],
    minutes: Minutes,
    transcript: Transcript | None = None,
    template: Path | None = None,
    include_transcript: bool = False,
    *,
    attendees: list[Attendee] | None = None,
    item_states: list[str] | None = None,
    signoff_state: str = "entwurf",
    cosigner: str = "",
    part: str = PART_PUBLIC,
) -> Path:
    """Write one part of the Niederschrift as DOCX to ``path``; return the path.

    Raises ``OutputError`` (German message) for an unreadable template or an
    unwritable target; the target is then left untouched.
    """
    target = Path(path)
    data = build_docx(
        info,
        speakers,
        minutes,
        transcript,
        template,
        include_transcript,
        attendees=attendees,
        item_states=item_states,
        signoff_state=signoff_state,
        cosigner=cosigner,
        part=part,
    )
    write_bytes_atomic(target, data)
    return target


def build_docx(
    info: SessionInfo,
    speakers: list[Speaker],
    minutes: Minutes,
    transcript: Transcript | None = None,
    template: Path | None = None,
    include_transcript: bool = False,
    *,
    attendees: list[Attendee] | None = None,
    item_states: list[str] | None = None,
    signoff_state: str = "entwurf",
    cosigner: str = "",
    part: str = PART_PUBLIC,
) -> bytes:
    """The DOCX file's bytes (see ``export_docx``)."""
    bundle = ExportResult(
        info=info,
        speakers=speakers,
        transcript=transcript,
        minutes=minutes,
        attendees=list(attendees or []),
        item_states=list(item_states or []),
        signoff_state=signoff_state,
        cosigner=cosigner,
    )
    return build_niederschrift(bundle, part, template=template, include_transcript=include_transcript)


def build_niederschrift(
    bundle: ExportResult,
    part: str = PART_PUBLIC,
    *,
    template: str | os.PathLike[str] | None = None,
    include_transcript: bool = False,
) -> bytes:
    """The DOCX bytes of one part ("oeffentlich", "nichtoeffentlich", "gesamt") of the Niederschrift."""
    if bundle.minutes is None:
        raise OutputError("Für den Word-Export fehlt der Entwurf der Niederschrift.")
    if has_unsafe(bundle):  # last safety net: importers clean, but no character may break the file
        bundle = copy.deepcopy(bundle)
        clean_fields(bundle)
    ctx = DocContext(
        info=bundle.info,
        speakers=bundle.speakers,
        minutes=bundle.minutes,
        transcript=bundle.transcript,
        attendees=bundle.attendees,
        item_states=bundle.item_states,
        signoff_state=bundle.signoff_state,
        cosigner=bundle.cosigner,
        part=check_part(part),
    )
    doc = open_template(Path(template)) if template else _new_document()
    anchor = prepare_body(doc) if template else None
    fill_placeholders(doc, placeholder_values(ctx))
    marks = ([CONFIDENTIAL_MARK] if ctx.has_nonpublic else []) + ([DRAFT_MARK] if ctx.is_draft else [])
    mark_headers(doc, marks)
    before = body_children(doc)

    if ctx.is_draft:
        boxed_mark(doc, DRAFT_MARK)
        small(
            doc,
            "Dieser Text wurde automatisch aus der Aufnahme erstellt. Inhalt, Beschlusswortlaut "
            "und Abstimmungsergebnisse sind vor der Unterzeichnung zu prüfen.",
        )
    if ctx.has_nonpublic:
        boxed_mark(doc, f"{CONFIDENTIAL_MARK} – nicht zur Veröffentlichung bestimmt")
    kopf(doc, ctx)
    anwesenheit(doc, ctx)
    agenda_part(doc, ctx)
    schluss(doc, ctx)
    if include_transcript and ctx.transcript is not None:
        _transcript_annex(doc, ctx)
    if anchor is not None:
        place_content(doc, anchor, before)
    _core_properties(doc, ctx)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def niederschrift_paths(
    folder_or_path: str | os.PathLike[str],
    parts: Sequence[str] = (PART_PUBLIC, PART_NONPUBLIC),
    *,
    as_file: bool = False,
) -> dict[str, Path]:
    """File per part: ``<stem>.docx``, ``<stem>_TeilB_nichtoeffentlich.docx``, ``<stem>_gesamt.docx``.

    An existing folder, or a name without a suffix, is the folder and the stem is
    ``niederschrift``; a file name gives folder and stem, and Teil A is written to
    exactly that path. ``as_file`` forces the latter (a file name without suffix).
    """
    base = Path(folder_or_path)
    if not as_file and (base.is_dir() or not base.suffix):
        folder, stem, public = base, DEFAULT_STEM, base / f"{DEFAULT_STEM}.docx"
    else:
        folder, stem, public = base.parent, base.stem, base
    return {
        p: public if p == PART_PUBLIC else folder / f"{stem}{PART_FILE_SUFFIX[check_part(p)]}.docx"
        for p in parts
    }


def export_niederschrift(
    folder_or_path: str | os.PathLike[str],
    bundle: ExportResult,
    template: str | os.PathLike[str] | None = None,
    parts: Sequence[str] = (PART_PUBLIC, PART_NONPUBLIC),
    *,
    include_transcript: bool = False,
    as_file: bool = False,
) -> list[Path]:
    """Write the requested parts as separate files (``niederschrift_paths``); return their paths.

    The Teil-B file is written only when there are non-public items. All files
    are built before the first is written, so a broken template writes nothing;
    if a later write fails, files this call created are removed again.
    """
    if bundle.minutes is None:
        raise OutputError("Für den Word-Export fehlt der Entwurf der Niederschrift.")
    has_b = any(not item.public for item in bundle.minutes.agenda_items)
    paths = niederschrift_paths(folder_or_path, parts, as_file=as_file)
    wanted = [p for p in dict.fromkeys(parts) if p != PART_NONPUBLIC or has_b]
    built = [
        (paths[p], build_niederschrift(bundle, p, template=template, include_transcript=include_transcript))
        for p in wanted
    ]
    written: list[Path] = []
    try:
        for path, data in built:
            existed = path.exists()
            write_bytes_atomic(path, data)
            if not existed:
                written.append(path)
    except OutputError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [path for path, _ in built]


# ---------------------------------------------------------------------------- helpers


def _new_document() -> Any:
    import docx

    return docx.Document()


def placeholder_values(ctx: DocContext) -> dict[str, str]:
    """Values of the template placeholders (keys as ``docx_template.placeholder_key``)."""
    info = ctx.info
    values = {
        "gremium": info.committee,
        "sitzungsnummer": info.session_number,
        "datum": info.date,
        "ort": info.location,
        "beginn": info.start_time,
        "ende": info.end_time,
        "vorsitz": ctx.chair,
        "schriftfuehrung": ctx.recorder,
        "titel": kopf_title(ctx),
        "status": ctx.status_label,
        "teil": ctx.part_label,
    }
    return {k: v.strip() or MISSING for k, v in values.items()}


def _core_properties(doc: Any, ctx: DocContext) -> None:
    props = doc.core_properties
    props.title = kopf_title(ctx)
    props.subject = ctx.info.committee
    props.keywords = "KI-Entwurf" if ctx.is_draft else ""
    props.comments = DRAFT_MARK if ctx.is_draft else ""
    props.category = CONFIDENTIAL_MARK if ctx.has_nonpublic else ctx.part_label


def _transcript_annex(doc: Any, ctx: DocContext) -> None:
    from .transcript import to_txt

    assert ctx.transcript is not None
    transcript = ctx.transcript
    page_break = doc.add_page_break
    if ctx.part == PART_PUBLIC:
        hidden = [item for item in ctx.minutes.agenda_items if not item.public]
        if any(item.start is None or item.end is None for item in hidden):
            page_break()
            heading(doc, "Anlage: Transkript (automatisch erstellt)", 1)
            para(
                doc,
                "Das Transkript entfällt: Der nichtöffentliche Teil lässt sich in der Aufnahme "
                "nicht abgrenzen.",
            )
            return
        spans = [(item.start or 0.0, item.end or 0.0) for item in hidden]
        segments = [s for s in transcript.segments if not any(s.start < b and s.end > a for a, b in spans)]
        transcript = Transcript(transcript.language, transcript.duration, segments, transcript.model)
    page_break()
    heading(doc, "Anlage: Transkript (automatisch erstellt)", 1)
    for block in to_txt(transcript, ctx.speakers).split("\n\n"):
        if block.strip():
            para(doc, block.strip(), size=9)
