"""Bad-input catalogue, part 5: control characters in text that reaches a Word document.

A DOCX is XML: one control character in an attendee name, an agenda title, a header field or
the transcript used to make every export fail. Every importer (roster file or typed text, agenda
text/OParl file, OParl server, the session API behind the form and the CLI) cleans what it takes
in; the DOCX writer cleans a copy of everything once more, so even a hand-edited project exports.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from test_export_docx import _info, _minutes, _speakers

from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.roster import load_roster, parse_roster_text
from minutes_app.base.errors import AgendaError
from minutes_app.base.text import clean_line, clean_text, is_clean
from minutes_app.base.types import AgendaItem, Attendee, Segment, SessionInfo, Transcript
from minutes_app.export.docx import build_docx

DIRTY = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800"]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


@pytest.mark.parametrize("char", DIRTY)
def test_clean_functions_remove_what_xml_cannot_hold(char: str) -> None:
    assert clean_line(f"Anna{char} Berg") == "Anna Berg"
    assert clean_text(f"Zeile 1\nZeile{char} 2\tx") == "Zeile 1\nZeile 2\tx"
    assert clean_line("Rat\r\nder  Stadt\t") == "Rat der  Stadt"
    assert is_clean(clean_text(char * 5))


def test_roster_file_and_typed_text_are_cleaned(tmp_path: Path) -> None:
    csv = tmp_path / "anwesend.csv"
    csv.write_bytes(b"Name;Fraktion;Rolle\nAnna\x01 Berg;SPD\x1b;Mitglied\nMax\x0b Schnell;CDU;Vorsitz\n")
    for people in (load_roster(csv), parse_roster_text(csv.read_text(encoding="utf-8"))):
        assert [(p.name, p.faction) for p in people] == [("Anna Berg", "SPD"), ("Max Schnell", "CDU")]
    lines = tmp_path / "namen.txt"
    lines.write_text(
        "Herr Dr. Max\x07 Schnell (CDU)\nEva\x1f Roth (Grüne) – entschuldigt\n", encoding="utf-8"
    )
    assert [p.name for p in load_roster(lines)] == ["Dr. Max Schnell", "Eva Roth"]
    binary = tmp_path / "binaer.csv"  # a NUL byte: not a text file at all, refused with a message
    binary.write_bytes(b"Name;Fraktion\nAnna\x00 Berg;SPD\n")
    with pytest.raises(AgendaError, match="keine Anwesenheitsliste"):
        load_roster(binary)


def test_agenda_text_and_oparl_file_are_cleaned(tmp_path: Path) -> None:
    text = tmp_path / "to.txt"
    text.write_text("TOP 1: Eröffnung\x0c\nTOP 2: Haus\x02halt 2025\x1b[31m\n", encoding="utf-8")
    assert [i.title for i in load_agenda(text).items] == ["Eröffnung", "Haushalt 2025[31m"]
    meeting = {
        "type": "https://schema.oparl.org/1.1/Meeting",
        "name": "5. Sitzung\x0b des Rates",
        "location": {"type": "https://schema.oparl.org/1.1/Location", "description": "Saal\x01 1"},
        "agendaItem": [
            {
                "number": "1\x02",
                "name": "Rad\x1fweg",
                "public": True,
                "resolutionText": "Zeile 1\nZeile\x08 2",
            }
        ],
        "participant": [{"type": "https://schema.oparl.org/1.1/Person", "name": "Anna\x00 Berg"}],
    }
    path = tmp_path / "sitzung.json"
    path.write_text(json.dumps(meeting), encoding="utf-8")
    imported = load_agenda(path)
    item = imported.items[0]
    assert (item.number, item.title, item.proposal) == ("1", "Radweg", "Zeile 1\nZeile 2")
    assert imported.info is not None and imported.info.location == "Saal 1"
    assert imported.info.committee == "5. Sitzung des Rates"
    assert [a.name for a in imported.attendees] == ["Anna Berg"]
    assert [a.name for a in load_roster(path)] == ["Anna Berg"]


def test_session_api_cleans_header_agenda_and_attendees(tmp_path: Path) -> None:
    from minutes_app.session.api import Session
    from minutes_app.session.project import Project

    Project.create(tmp_path / "p") if hasattr(Project, "create") else Project.open_or_create(tmp_path / "p")
    session = Session(tmp_path / "p", user="test")
    session.set_header(SessionInfo(committee="Rat\x00 der Stadt", location="Saal\n1"))
    session.set_agenda([AgendaItem("1", "Hallo\x1b Welt")])
    session.set_attendees([Attendee("Anna\x0c Berg", faction="SPD\x7f")])
    session.rename_speaker("SPEAKER_00", "Petra\x1b[1m Lindner\r\n")
    project = Project.load(tmp_path / "p")
    assert (project.info.committee, project.info.location) == ("Rat der Stadt", "Saal 1")
    assert [i.title for i in project.agenda] == ["Hallo Welt"]
    assert [(a.name, a.faction) for a in project.attendees] == [("Anna Berg", "SPD")]
    assert project.speaker_names == {"SPEAKER_00": "Petra[1m Lindner"}


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b", "\ufffe", "\ud800"])
def test_docx_writer_cleans_everything_as_last_safety_net(char: str) -> None:
    """Text that bypassed every importer (a hand-edited project file) still exports."""
    info = _info()
    info.committee = f"Rat{char} der Stadt"
    minutes = _minutes()
    minutes.agenda_items[0].title = f"Eröffnung{char}"
    minutes.agenda_items[0].discussion = f"Die Vorsitzende{char} eröffnet."
    minutes.agenda_items[0].motions = [f"Antrag{char} der SPD"]
    speakers = _speakers()
    speakers[1].name = f"Markus{char} Brandt"
    transcript = Transcript("de", 30.0, [Segment(0, 0.0, 5.0, f"Guten{char} Abend", speaker="SPEAKER_00")])
    people = [Attendee(f"Anna{char} Berg", faction="SPD", role="Mitglied")]
    data = build_docx(
        info, speakers, minutes, transcript, include_transcript=True, attendees=people, part="gesamt"
    )
    text = docx_text(data)
    for words in ("Rat der Stadt", "Eröffnung", "Die Vorsitzende eröffnet.", "Anna Berg"):
        assert words in text, words
    assert char not in text
    assert minutes.agenda_items[0].title == f"Eröffnung{char}"  # the caller's data is not changed
