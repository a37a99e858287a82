"""Agenda text parsing: many line formats, encodings, and German errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from minutes_app.agenda.text import parse_agenda_lines, parse_agenda_text
from minutes_app.base.errors import AgendaError, UserError


@pytest.mark.parametrize(
    ("line", "number", "title"),
    [
        ("TOP 3: Haushaltssatzung 2025", "3", "Haushaltssatzung 2025"),
        ("TOP3 Haushaltssatzung", "3", "Haushaltssatzung"),
        ("Top 3 - Haushaltssatzung", "3", "Haushaltssatzung"),
        ("top 12. Schulentwicklung", "12", "Schulentwicklung"),
        ("TOP 3.1: Bebauungsplan Nord", "3.1", "Bebauungsplan Nord"),
        ("3. Haushaltssatzung 2025", "3", "Haushaltssatzung 2025"),
        ("3.1 Bebauungsplan Nord", "3.1", "Bebauungsplan Nord"),
        ("3.1. Bebauungsplan Nord", "3.1", "Bebauungsplan Nord"),
        ("  7) Anfragen", "7", "Anfragen"),
        ("4a Nachtrag", "4a", "Nachtrag"),
        ("Ö 5 Anfragen", "Ö 5", "Anfragen"),
        ("Ö5: Mitteilungen der Verwaltung", "Ö 5", "Mitteilungen der Verwaltung"),
        ("N 2 Grundstücksangelegenheiten", "N 2", "Grundstücksangelegenheiten"),
        ("Tagesordnungspunkt 9: Verschiedenes", "9", "Verschiedenes"),
        ("Punkt 4 – Bericht des Bürgermeisters", "4", "Bericht des Bürgermeisters"),
        ("TOP 2: „Genehmigung der Niederschrift“", "2", "Genehmigung der Niederschrift"),
    ],
)
def test_line_formats(line: str, number: str, title: str) -> None:
    assert [(i.number, i.title) for i in parse_agenda_lines(line)] == [(number, title)]


def test_comments_blank_lines_headers_and_continuations() -> None:
    text = (
        "Tagesordnung der 5. Sitzung\n\n# Kommentar: TOP 99 Entwurf\n// noch ein Kommentar\n"
        "Öffentlicher Teil\nTOP 1: Eröffnung\n\n2. Haushaltssatzung 2025\n   mit Haushaltsplan\n"
        "Vorlage: 2020/1191\n2025 war ein schwieriges Jahr\nN 1 Personal\n"
    )
    items = parse_agenda_lines(text)
    assert [(i.number, i.title) for i in items] == [
        ("1", "Eröffnung"),
        ("2", "Haushaltssatzung 2025 mit Haushaltsplan"),
        ("N 1", "Personal"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "to.txt"
    path.write_bytes("TOP 1: Straßenausbaubeiträge\r\nÖ 2 Übersicht Gebühren\r\n".encode(encoding))
    items = parse_agenda_text(path)
    assert [(i.number, i.title) for i in items] == [
        ("1", "Straßenausbaubeiträge"),
        ("Ö 2", "Übersicht Gebühren"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        bytes(range(256)) * 4,
        b"Liebe Ratsmitglieder,\nbitte beachten Sie die Unterlagen.\n",
    ],
)
def test_unparseable_files_raise_agenda_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tagesordnung.txt"
    path.write_bytes(content)
    with pytest.raises(AgendaError) as info:
        parse_agenda_text(path)
    message = str(info.value)
    assert "tagesordnung.txt" in message and "TOP 3: Haushaltssatzung 2025" in message
    assert isinstance(info.value, UserError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AgendaError, match="kann nicht gelesen werden"):
        parse_agenda_text(tmp_path / "fehlt.txt")
