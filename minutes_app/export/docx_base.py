"""Building blocks of the Word export: the export context, paragraphs, headings, markings.

python-docx is imported lazily inside the functions, so importing this module
costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base.types import Attendee, Minutes, MinutesItem, SessionInfo, Speaker, Transcript
from .common import (
    ITEM_CONFIRMED,
    PART_ALL,
    PART_NONPUBLIC,
    PART_PUBLIC,
    REVIEWED_SIGNOFF,
    SIGNOFF_STATES,
    in_part,
    item_state,
)

DRAFT_MARK = "KI-Entwurf – durch die Schriftführung zu prüfen"
ITEM_MARK = "KI-Entwurf"
CONFIDENTIAL_MARK = "Vertraulich – nichtöffentlich"
PART_B_HEADING = "Teil B – nichtöffentliche Sitzung (vertraulich)"
PART_A_HEADING = "Teil A – öffentliche Sitzung"
MISSING = "[bitte ergänzen]"
MARK_COLOR = "C00000"


@dataclass
class DocContext:
    """Everything one DOCX build needs, with the decisions derived from it."""

    info: SessionInfo
    speakers: list[Speaker]
    minutes: Minutes
    transcript: Transcript | None = None
    attendees: list[Attendee] = field(default_factory=list)
    item_states: list[str] = field(default_factory=list)
    signoff_state: str = "entwurf"
    cosigner: str = ""
    part: str = PART_PUBLIC

    def items(self, public: bool | None = None) -> list[tuple[int, MinutesItem]]:
        """``(index, item)`` of the items in this export (optionally only Teil A or B)."""
        return [
            (i, item)
            for i, item in enumerate(self.minutes.agenda_items)
            if in_part(item.public, self.part) and (public is None or item.public == public)
        ]

    def confirmed(self, index: int) -> bool:
        return item_state(self.item_states, index) == ITEM_CONFIRMED

    @property
    def is_draft(self) -> bool:
        """The document-level AI marking stays until sign-off AND every exported item is reviewed."""
        if self.signoff_state not in REVIEWED_SIGNOFF:
            return True
        return not all(self.confirmed(i) for i, _ in self.items())

    @property
    def has_nonpublic(self) -> bool:
        """Whether this document holds non-public text (Teil B) and so is confidential."""
        return self.part == PART_NONPUBLIC or (self.part == PART_ALL and bool(self.items(public=False)))

    @property
    def status_label(self) -> str:
        return SIGNOFF_STATES.get(self.signoff_state, SIGNOFF_STATES["entwurf"])

    @property
    def part_label(self) -> str:
        if self.part == PART_NONPUBLIC:
            return "Teil B – nichtöffentlicher Teil"
        if self.part == PART_ALL and self.items(public=False):
            return "Teil A und Teil B (öffentlicher und nichtöffentlicher Teil)"
        return "öffentlicher Teil"

    def role_names(self, role: str) -> list[str]:
        """Names of present roster entries whose role matches ``role`` (see ``role_key``)."""
        return [a.name for a in self.attendees if a.present and role_key(a.role) == role]

    @property
    def chair(self) -> str:
        return self.info.chair or ", ".join(self.role_names("vorsitz"))

    @property
    def recorder(self) -> str:
        return self.info.recorder or ", ".join(self.role_names("schrift"))


def role_key(role: str) -> str:
    """Normalise a free-text roster role to a section key."""
    low = role.strip().lower()
    if "vorsitz" in low or ("bürgermeister" in low and "stellv" not in low):
        return "vorsitz"
    if "schrift" in low or "protokoll" in low:
        return "schrift"
    if "beratend" in low:
        return "beratend"
    if "verwaltung" in low or "dezernent" in low or "beigeordnet" in low or "amt" in low:
        return "verwaltung"
    if "gast" in low or "gäste" in low or "sachverständig" in low or "referent" in low:
        return "gast"
    return "mitglied"


# ---------------------------------------------------------------------------- paragraphs


def has_style(doc: Any, name: str) -> bool:
    try:
        doc.styles[name]
    except KeyError:
        return False
    return True


def para(
    doc: Any,
    text: str = "",
    style: str | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    color: str | None = None,
) -> Any:
    from docx.shared import Pt, RGBColor

    use_style = style if style and has_style(doc, style) else None
    paragraph = doc.add_paragraph(style=use_style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
    return paragraph


def labelled(doc: Any, label: str, value: str) -> Any:
    """``Label: value`` with a bold label; an empty value shows ``MISSING``."""
    paragraph = para(doc)
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value or MISSING)
    return paragraph


def heading(doc: Any, text: str, level: int) -> Any:
    style = "Title" if level == 0 else f"Heading {level}"
    if has_style(doc, style):
        return para(doc, text, style)
    # Template without heading styles: fall back to bold Normal text.
    return para(doc, text, bold=True, size={0: 18, 1: 14}.get(level, 12))


def bullets(doc: Any, lines: list[str], *, highlight: bool = False) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    for line in lines:
        paragraph = (
            para(doc, line, "List Bullet") if has_style(doc, "List Bullet") else para(doc, f"– {line}")
        )
        if highlight:
            for run in paragraph.runs:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def small(doc: Any, text: str) -> Any:
    return para(doc, text, italic=True, size=9)


def page_break(doc: Any) -> None:
    doc.add_page_break()


# ---------------------------------------------------------------------------- markings


def mark_run(paragraph: Any, text: str) -> Any:
    from docx.shared import RGBColor

    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(MARK_COLOR)
    return run


def mark_headers(doc: Any, texts: list[str]) -> None:
    """Put ``texts`` (draft / confidential marking) into every header that can appear on a page."""
    if not texts:
        return
    seen: set[int] = set()
    for section in doc.sections:
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if doc.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            if id(header._element) in seen:  # linked to the previous section: marked already
                continue
            seen.add(id(header._element))
            paragraphs = header.paragraphs
            reuse = len(paragraphs) == 1 and not paragraphs[0].text.strip()
            paragraph = paragraphs[0] if reuse else header.add_paragraph()
            mark_run(paragraph, " · ".join(texts))


def boxed_mark(doc: Any, text: str) -> Any:
    """A red, framed marking paragraph (top of the body)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = para(doc)
    mark_run(paragraph, text)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "12")
        edge.set(qn("w:space"), "4")
        edge.set(qn("w:color"), MARK_COLOR)
        borders.append(edge)
    p_pr.append(borders)
    return paragraph
