"""Generate the example city template resources/templates/niederschrift_vorlage.docx.

The template shows what an admin can do (docs/template_placeholders.md): own
styles and page setup, a letterhead in the header, placeholders in the body, in
a table and in header and footer (some deliberately split across runs, as Word
does), and ``{{Inhalt}}`` where the generated Niederschrift goes.

    python scripts/make_template.py [OUTPUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "resources" / "templates" / "niederschrift_vorlage.docx"


def _page_field(paragraph: object) -> None:
    """Append a PAGE field (page number) to ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()  # type: ignore[attr-defined]
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def build(out: Path) -> Path:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = docx.Document()
    styles = doc.styles
    styles["Normal"].font.name = "Arial"
    styles["Normal"].font.size = Pt(11)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 11)):
        styles[name].font.name = "Arial"
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)

    header = section.header.paragraphs[0]
    header.add_run("Stadt Musterstadt · Der Bürgermeister").bold = True
    line = section.header.add_paragraph()
    for piece in ("{{Gre", "mium}}", " – Status: ", "{{", "Status}}"):  # split runs on purpose
        line.add_run(piece)
    line.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    footer = section.footer.paragraphs[0]
    footer.add_run("{{Titel}} · {{Teil}} · Seite ")
    _page_field(footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    intro = doc.add_paragraph()
    intro.add_run("Stadt Musterstadt").bold = True
    doc.add_paragraph("Fachbereich Zentrale Dienste – Ratsbüro")
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row, (label, value) in enumerate(
        (
            ("Gremium", "{{Gremium}}"),
            ("Sitzung", "{{Sitzungsnummer}}. Sitzung am {{Datum}}"),
            ("Ort", "{{Ort}}"),
        )
    ):
        table.cell(row, 0).text = label
        table.cell(row, 1).text = value
    doc.add_paragraph()
    body = doc.add_paragraph()
    for piece in ("{{In", "halt}}"):
        body.add_run(piece)
    doc.add_paragraph("Verteiler: Mitglieder des Gremiums, Verwaltungsvorstand, Ratsbüro")

    props = doc.core_properties
    props.title = "Vorlage Niederschrift"
    props.author = "Stadt Musterstadt"
    props.comments = "Beispielvorlage für minutes-app (siehe docs/template_placeholders.md)"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    print(build(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
