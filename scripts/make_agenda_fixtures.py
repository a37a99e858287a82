"""Write the invitation fixtures of tests/data/agenda/ (DOCX with python-docx, PDF with LibreOffice).

The invitations are made up "in the style of real invitations" of German councils.
Run from the repository root::

    python scripts/make_agenda_fixtures.py

The tests never need LibreOffice: the .docx and .pdf files are committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.shared import Pt

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "agenda"
PDF_FROM = ["einladung_tabelle", "einladung_teile", "einladung_beschluss", "einladung_oe_n"]


def _letterhead(doc, committee: str, number: int = 12) -> None:
    doc.add_paragraph("Stadt Beispielstadt")
    doc.add_paragraph("Der Bürgermeister")
    doc.add_paragraph("Rathausplatz 1, 12345 Beispielstadt")
    doc.add_paragraph("Beispielstadt, 03.03.2025")
    doc.add_heading("Einladung", level=1)
    doc.add_paragraph(
        f"zur {number}. Sitzung des {committee} am Donnerstag, 13.03.2025, 17:00 Uhr, "
        "im Ratssaal des Rathauses, Rathausplatz 1, 12345 Beispielstadt"
    )
    doc.add_paragraph("Sehr geehrte Damen und Herren,")
    doc.add_paragraph("hiermit lade ich Sie zu der o. g. Sitzung ein. Die Tagesordnung lautet wie folgt:")


def _closing(doc) -> None:
    doc.add_paragraph("Mit freundlichen Grüßen")
    doc.add_paragraph("gez. Müller")
    doc.add_paragraph("Bürgermeister")


def table_top_betreff_vorlage(path: Path) -> None:
    doc = Document()
    _letterhead(doc, "Rates der Stadt Beispielstadt")
    doc.add_heading("Tagesordnung", level=2)
    rows = [
        ("TOP", "Betreff", "Vorlage"),
        ("Öffentlicher Teil", None, None),
        ("1", "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Einberufung", ""),
        ("2", "Genehmigung der Niederschrift über die 11. Sitzung vom 06.02.2025", ""),
        ("3", "Haushaltssatzung und Haushaltsplan 2025\nhier: Beratung und Beschlussfassung", "2025/0034"),
        ("4", "Bebauungsplan Nr. 47 „Am Mühlenbach“\nhier: Satzungsbeschluss", "2024/1191"),
        ("5", "Anfragen und Mitteilungen", ""),
        ("Nichtöffentlicher Teil", None, None),
        ("6", "Grundstücksverkehr", "2025/0040"),
        ("7", "Vergabe der Bauleistungen Grundschule Nord", "2025/0041"),
    ]
    table = doc.add_table(rows=len(rows), cols=3)
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows, strict=True):
        if values[1] is None:
            merged = row.cells[0].merge(row.cells[2])
            merged.text = values[0]
            continue
        for cell, value in zip(row.cells, values, strict=True):
            lines = value.split("\n")
            cell.text = lines[0]
            for more in lines[1:]:
                cell.add_paragraph(more)
    _closing(doc)
    doc.save(path)


def paragraphs_oe_n(path: Path) -> None:
    doc = Document()
    _letterhead(doc, "Haupt- und Finanzausschusses", number=7)
    doc.add_paragraph("Tagesordnung:")
    for line in (
        "Ö 1\tEröffnung und Begrüßung",
        "Ö 2\tEinwohnerfragestunde",
        "Ö 3\tJahresabschluss 2023 der Stadtwerke Beispielstadt GmbH (Vorlage 2025/0012)",
        "Ö 4\tSatzung über die Erhebung von Elternbeiträgen – Drucksache Nr. 23/0456",
        "Ö 5\tMitteilungen der Verwaltung",
        "N 1\tGrundstücksangelegenheiten: Verkauf einer Teilfläche, Gemarkung Nord",
        "NÖ 2\tPersonalangelegenheiten",
    ):
        doc.add_paragraph(line)
    _closing(doc)
    doc.save(path)


def sections_with_sub_items(path: Path) -> None:
    doc = Document()
    head = doc.add_table(rows=2, cols=2)  # letterhead as a table without a header row
    head.cell(0, 0).text = "Gemeinde Musterdorf\nDer Bürgermeister"
    head.cell(0, 1).text = "Datum: 28.02.2025\nAuskunft: Frau Berg"
    head.cell(1, 0).text = "An die Mitglieder des Bau- und Umweltausschusses"
    head.cell(1, 1).text = "Zimmer 112"
    doc.add_heading("Einladung zur 5. Sitzung des Bau- und Umweltausschusses", level=1)
    doc.add_paragraph("Sitzungstermin: Dienstag, 11.03.2025, 18:30 Uhr")
    doc.add_paragraph("Sitzungsort: Rathaus, Sitzungssaal")
    doc.add_heading("Tagesordnung", level=2)
    doc.add_heading("A. Öffentlicher Teil", level=3)
    for line in (
        "1.\tEröffnung der Sitzung",
        "2.\tFeststellung der Tagesordnung",
        "3.\tBauleitplanung",
        "3.1\tFlächennutzungsplan, 12. Änderung",
        "Drucksache Nr. 23/0456",
        "3.2\tBebauungsplan „Gewerbegebiet Süd“, Aufstellungsbeschluss",
        "DS 12/2024",
        "4.\tKlimaschutzkonzept der Gemeinde",
    ):
        doc.add_paragraph(line)
    doc.add_heading("B. Nicht öffentlicher Teil", level=3)
    doc.add_paragraph("5.\tBauvoranfragen")
    doc.add_paragraph("6.\tVerschiedenes")
    doc.add_paragraph("gez. Schulze, Bürgermeister")
    doc.save(path)


def with_proposals(path: Path) -> None:
    doc = Document()
    _letterhead(doc, "Ausschusses für Schule und Sport", number=3)
    doc.add_paragraph("Tagesordnung")
    doc.add_paragraph("Öffentliche Sitzung")
    for number, title, paper, proposal in (
        ("TOP 1", "Eröffnung der Sitzung", "", []),
        (
            "TOP 2",
            "Schulentwicklungsplan 2025 bis 2030",
            "Vorlage: 2020/1191",
            [
                "Der Ausschuss empfiehlt dem Rat, folgenden Beschluss zu fassen:",
                "1. Der Schulentwicklungsplan 2025 bis 2030 wird beschlossen.",
                "2. Die Verwaltung wird beauftragt, die Maßnahmen umzusetzen.",
            ],
        ),
        (
            "TOP 3",
            "Sanierung der Sporthalle am Park",
            "Vorlage: 2025/0101",
            ["Der Ausschuss beschließt die Sanierung der Sporthalle am Park mit Kosten von 1,2 Mio. Euro."],
        ),
        ("TOP 4", "Mitteilungen und Anfragen", "", []),
    ):
        p = doc.add_paragraph()
        p.add_run(f"{number}: {title}").bold = True
        if paper:
            doc.add_paragraph(paper)
        if proposal:
            doc.add_paragraph("Beschlussvorschlag:")
            for line in proposal:
                doc.add_paragraph(line)
            doc.add_paragraph("Begründung:")
            doc.add_paragraph("Siehe Vorlage.")
    doc.add_paragraph("Nicht öffentliche Sitzung")
    doc.add_paragraph("TOP 5: Personalangelegenheiten der Schulverwaltung")
    doc.add_paragraph("Beschlussentwurf: Der Ausschuss stimmt der Stellenbesetzung zu.")
    _closing(doc)
    doc.save(path)


def table_nr_gegenstand(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Kreis Beispielland – Kreistag")
    doc.add_paragraph("Einladung zur 2. Sitzung des Kreisausschusses am 20.03.2025")
    rows = [
        ("Nr.", "Gegenstand", "Drucksache"),
        ("Ö 1", "Bericht des Landrats", ""),
        ("Ö 2", "Kreisstraße K 12, Ausbau der Ortsdurchfahrt", "DS 12/2024"),
        ("Ö 3", "Nahverkehrsplan, Fortschreibung", "Drucksache Nr. 23/0456"),
        ("N 1", "Vergabeangelegenheiten", "—"),
    ]
    table = doc.add_table(rows=len(rows), cols=3)
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    doc.save(path)


def auto_numbered(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Ortsgemeinde Beispielbach")
    doc.add_paragraph("Einladung zur Sitzung des Ortsgemeinderates am 25.03.2025, 19:00 Uhr")
    doc.add_paragraph("Tagesordnung")
    doc.add_paragraph("Öffentlicher Teil")
    for title in ("Einwohnerfragestunde", "Forstwirtschaftsplan 2025", "Annahme von Spenden"):
        doc.add_paragraph(title, style="List Number")
    doc.add_paragraph("Nichtöffentlicher Teil")
    doc.add_paragraph("Pachtangelegenheiten", style="List Number")
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    doc.save(path)


DOCX = {
    "einladung_tabelle": table_top_betreff_vorlage,
    "einladung_oe_n": paragraphs_oe_n,
    "einladung_teile": sections_with_sub_items,
    "einladung_beschluss": with_proposals,
    "einladung_tabelle_nr": table_nr_gegenstand,
    "einladung_autonummer": auto_numbered,
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in DOCX.items():
        make(OUT / f"{name}.docx")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("LibreOffice (soffice) fehlt: PDFs nicht neu erzeugt.", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as profile:
        for name in PDF_FROM:
            subprocess.run(
                [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(OUT), str(OUT / f"{name}.docx")],
                check=True, capture_output=True, timeout=180,
            )  # fmt: skip
    print(f"Fixtures in {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
