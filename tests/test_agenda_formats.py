"""Agenda import from Word and PDF invitations and text files, detected by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from minutes_app.agenda.lines import match_item, parse_lines, section_of, split_paper
from minutes_app.agenda.load import load_agenda

DATA = Path(__file__).parent / "data" / "agenda"

TABLE = [
    ("1", "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Einberufung", True, ""),
    ("2", "Genehmigung der Niederschrift über die 11. Sitzung vom 06.02.2025", True, ""),
    ("3", "Haushaltssatzung und Haushaltsplan 2025 hier: Beratung und Beschlussfassung", True, "2025/0034"),
    ("4", "Bebauungsplan Nr. 47 „Am Mühlenbach“ hier: Satzungsbeschluss", True, "2024/1191"),
    ("5", "Anfragen und Mitteilungen", True, ""),
    ("6", "Grundstücksverkehr", False, "2025/0040"),
    ("7", "Vergabe der Bauleistungen Grundschule Nord", False, "2025/0041"),
]
OE_N = [
    ("Ö 1", "Eröffnung und Begrüßung", True, ""),
    ("Ö 2", "Einwohnerfragestunde", True, ""),
    ("Ö 3", "Jahresabschluss 2023 der Stadtwerke Beispielstadt GmbH", True, "2025/0012"),
    ("Ö 4", "Satzung über die Erhebung von Elternbeiträgen", True, "23/0456"),
    ("Ö 5", "Mitteilungen der Verwaltung", True, ""),
    ("N 1", "Grundstücksangelegenheiten: Verkauf einer Teilfläche, Gemarkung Nord", False, ""),
    ("NÖ 2", "Personalangelegenheiten", False, ""),
]
TEILE = [
    ("1", "Eröffnung der Sitzung", True, ""),
    ("2", "Feststellung der Tagesordnung", True, ""),
    ("3", "Bauleitplanung", True, ""),
    ("3.1", "Flächennutzungsplan, 12. Änderung", True, "23/0456"),
    ("3.2", "Bebauungsplan „Gewerbegebiet Süd“, Aufstellungsbeschluss", True, "12/2024"),
    ("4", "Klimaschutzkonzept der Gemeinde", True, ""),
    ("5", "Bauvoranfragen", False, ""),
    ("6", "Verschiedenes", False, ""),
]
BESCHLUSS = [
    ("1", "Eröffnung der Sitzung", True, ""),
    ("2", "Schulentwicklungsplan 2025 bis 2030", True, "2020/1191"),
    ("3", "Sanierung der Sporthalle am Park", True, "2025/0101"),
    ("4", "Mitteilungen und Anfragen", True, ""),
    ("5", "Personalangelegenheiten der Schulverwaltung", False, ""),
]
PROPOSAL_2 = (
    "Der Ausschuss empfiehlt dem Rat, folgenden Beschluss zu fassen:\n"
    "1. Der Schulentwicklungsplan 2025 bis 2030 wird beschlossen.\n"
    "2. Die Verwaltung wird beauftragt, die Maßnahmen umzusetzen."
)


def _rows(items):
    return [(i.number, i.title, i.public, i.paper) for i in items]


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("einladung_tabelle", TABLE),
        ("einladung_oe_n", OE_N),
        ("einladung_teile", TEILE),
        ("einladung_beschluss", BESCHLUSS),
    ],
)
def test_invitations(name: str, expected: list, suffix: str) -> None:
    result = load_agenda(DATA / f"{name}.{suffix}")
    assert result.kind == suffix
    assert _rows(result.items) == expected
    assert result.info is None and result.attendees == []
    assert all(not i.oparl_id for i in result.items)


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_beschlussvorschlag_with_numbered_list_stays_with_its_item(suffix: str) -> None:
    items = load_agenda(DATA / f"einladung_beschluss.{suffix}").items
    assert items[1].proposal == PROPOSAL_2
    assert items[2].proposal == (
        "Der Ausschuss beschließt die Sanierung der Sporthalle am Park mit Kosten von 1,2 Mio. Euro."
    )
    assert items[4].proposal == "Der Ausschuss stimmt der Stellenbesetzung zu."
    assert items[0].proposal == items[3].proposal == ""


def test_table_nr_gegenstand_drucksache() -> None:
    result = load_agenda(DATA / "einladung_tabelle_nr.docx")
    assert _rows(result.items) == [
        ("Ö 1", "Bericht des Landrats", True, ""),
        ("Ö 2", "Kreisstraße K 12, Ausbau der Ortsdurchfahrt", True, "12/2024"),
        ("Ö 3", "Nahverkehrsplan, Fortschreibung", True, "23/0456"),
        ("N 1", "Vergabeangelegenheiten", False, ""),
    ]


def test_word_automatic_numbering() -> None:
    assert _rows(load_agenda(DATA / "einladung_autonummer.docx").items) == [
        ("1", "Einwohnerfragestunde", True, ""),
        ("2", "Forstwirtschaftsplan 2025", True, ""),
        ("3", "Annahme von Spenden", True, ""),
        ("4", "Pachtangelegenheiten", False, ""),
    ]


def test_docx_built_at_test_time_paragraphs_and_headers() -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in (
        "Stadt Beispielstadt",
        "12.03.2025",
        "18:00 Uhr",
        "5. Sitzung des Rates",
        "Tagesordnung",
        "1. Eröffnung",
        "2. Bericht – Vorlage Nr. 0815/2025",
    ):
        document.add_paragraph(line)
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    from minutes_app.agenda.docx import parse_docx

    items = parse_docx(buffer.getvalue())
    assert _rows(items) == [("1", "Eröffnung", True, ""), ("2", "Bericht", True, "0815/2025")]


@pytest.mark.parametrize(
    ("source", "kind"),
    [("einladung_tabelle.docx", "docx"), ("einladung_teile.pdf", "pdf"), ("tagesordnung_ris.txt", "text")],
)
def test_detected_by_content_not_extension(tmp_path: Path, source: str, kind: str) -> None:
    target = tmp_path / "Tagesordnung.dat"
    shutil.copy(DATA / source, target)
    assert load_agenda(target).kind == kind
    assert load_agenda(str(target)).kind == kind


def test_text_ris_copy() -> None:
    items = load_agenda(DATA / "tagesordnung_ris.txt").items
    assert _rows(items) == [
        ("Ö 1", "Eröffnung der Sitzung", True, ""),
        ("Ö 2", "Haushaltssatzung 2025", True, "2020/1191"),
        ("Ö 3", "Bebauungsplan Nr. 47 „Am Mühlenbach“", True, "23/0456"),
        ("Ö 3.1", "Abwägung der Stellungnahmen", True, ""),
        ("Ö 3.2", "Satzungsbeschluss", True, ""),
        ("N 1", "Grundstücksangelegenheiten", False, ""),
        ("NÖ 2", "Personalangelegenheiten", False, ""),
    ]
    assert items[1].proposal == "Der Rat beschließt die Haushaltssatzung 2025\nin der Fassung der Vorlage."


def test_text_cp1252_crlf_sections_and_beschlussentwurf() -> None:
    items = load_agenda(DATA / "tagesordnung_cp1252.txt").items
    assert _rows(items) == [
        ("1", "Einwohnerfragestunde", True, ""),
        ("2", "Straßenausbaubeiträge Ahornweg", True, "12/2024"),
        ("3", "Änderung der Friedhofssatzung", True, ""),
        ("4", "Mitteilungen des Bürgermeisters", True, ""),
        ("5", "Grundstücksgeschäfte", False, ""),
    ]
    assert items[2].proposal == "Der Gemeinderat beschließt die Änderung der Friedhofssatzung."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Haushalt (Vorlage: 2020/1191)", ("Haushalt", "2020/1191")),
        ("Haushalt – Drucksache Nr. 23/0456", ("Haushalt", "23/0456")),
        ("Kreisstraße, DS 12/2024", ("Kreisstraße", "12/2024")),
        ("Vorlagen-Nr.: VO/2023/0815", ("", "VO/2023/0815")),
        ("Bebauungsplan Nr. 12 „Am Bach“", ("Bebauungsplan Nr. 12 „Am Bach“", "")),
        ("Vorlage der Jahresrechnung 2023", ("Vorlage der Jahresrechnung 2023", "")),
    ],
)
def test_split_paper(text: str, expected: tuple[str, str]) -> None:
    assert split_paper(text) == expected


@pytest.mark.parametrize(
    ("line", "public"),
    [
        ("Öffentlicher Teil", True),
        ("Öffentliche Sitzung", True),
        ("A. Öffentlicher Teil", True),
        ("Teil B – nicht öffentlich", False),
        ("Nichtöffentlicher Teil", False),
        ("Nicht öffentliche Sitzung", False),
        ("B. Nicht-öffentlicher Teil:", False),
        ("Öffentliche Bekanntmachung der Satzung", None),
        ("Einladung zur öffentlichen Sitzung", None),
    ],
)
def test_sections(line: str, public: bool | None) -> None:
    assert section_of(line) is public


@pytest.mark.parametrize(
    "line", ["12.03.2025 Ratssitzung", "18:00 Uhr", "5. Sitzung des Rates", "12345 Beispielstadt"]
)
def test_header_lines_are_not_items(line: str) -> None:
    assert match_item(line) is None


def test_numbered_list_in_proposal_after_item_one_and_sections() -> None:
    text = (
        "Öffentlicher Teil\n1. Haushalt\nBeschlussvorschlag:\n1. Der Rat beschließt.\n2. Die Verwaltung "
        "setzt um.\n2. Anfragen\nNichtöffentlicher Teil\n3. Personal\n"
    )
    items = parse_lines(text.splitlines())
    assert [(i.number, i.title, i.public) for i in items] == [
        ("1", "Haushalt", True),
        ("2", "Anfragen", True),
        ("3", "Personal", False),
    ]
    assert items[0].proposal == "1. Der Rat beschließt.\n2. Die Verwaltung setzt um."


def test_proposal_list_indented_deeper_than_items() -> None:
    text = (
        "2. Haushalt\n   Beschlussvorschlag:\n   1. Der Rat beschließt.\n   2. Weiter.\n"
        "3. Anfragen\n4. Verschiedenes\n"
    )
    items = parse_lines(text.splitlines())
    assert [i.number for i in items] == ["2", "3", "4"]
    assert items[0].proposal == "1. Der Rat beschließt.\n2. Weiter."


def test_oparl_file_kind_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "sitzung.txt"
    shutil.copy(Path(__file__).parent / "data" / "oparl" / "Meeting-01.json", path)
    assert load_agenda(path).kind == "oparl"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("TOP Ö 1 Eröffnung", ("Ö 1", "Eröffnung", True, True)),
        ("NÖ 1 Personal", ("NÖ 1", "Personal", False, True)),
        ("N 2: Grundstücke", ("N 2", "Grundstücke", False, True)),
        ("3.1 Bebauungsplan", ("3.1", "Bebauungsplan", None, False)),
        ("TOP 4 Haushalt", ("4", "Haushalt", None, True)),
    ],
)
def test_item_numbers(line: str, expected: tuple) -> None:
    assert match_item(line) == expected
