"""Roster (Anwesenheitsliste): CSV in both encodings and separators, text lines, OParl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minutes_app.agenda.roster import Attendee, load_roster, parse_attendee_line, parse_attendees
from minutes_app.base.errors import AgendaError

DATA = Path(__file__).parent / "data" / "agenda"
OPARL = Path(__file__).parent / "data" / "oparl"


def _rows(people: list[Attendee]) -> list[tuple]:
    return [(p.name, p.faction, p.role, p.family_name, p.substitute_for, p.present) for p in people]


def test_csv_utf8_bom_semicolon() -> None:
    people = parse_attendees(DATA / "anwesenheit_utf8.csv")
    assert _rows(people) == [
        ("Hans Meier", "", "Vorsitz", "Meier", "", True),
        ("Dr. Anna Schnell", "CDU", "Mitglied", "Schnell", "", True),
        ("Jürgen Groß", "SPD", "Mitglied", "Groß", "", False),
        ("Petra Weiß", "SPD", "Mitglied", "Weiß", "Jürgen Groß", True),
        ("Oliver Kühn", "", "Schriftführung", "Kühn", "", True),
    ]
    assert people[0].form_of_address == "Bürgermeister"


def test_csv_cp1252_comma_with_given_and_family_names() -> None:
    people = load_roster(DATA / "anwesenheit_cp1252.csv")
    assert _rows(people) == [
        ("Hans Meier", "", "Vorsitz", "Meier", "", True),
        ("Dr. Anna Schnell", "CDU", "Mitglied", "Schnell", "", True),
        ("Jürgen Groß", "SPD", "Mitglied", "Groß", "", False),
        ("Petra Weiß", "Bündnis 90/Die Grünen", "Mitglied", "Weiß", "Jürgen Groß", True),
    ]
    assert [p.form_of_address for p in people] == ["Herr", "Frau", "Herr", "Frau"]
    assert people[1].given_name == "Anna"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_csv_encodings_and_separators(tmp_path: Path, encoding: str, sep: str) -> None:
    rows = [
        ["Name", "Fraktion", "Rolle", "Status", "Ankunft"],
        ["Jürgen Groß", "SPD", "Mitglied", "entschuldigt", ""],
        ["Frau Dr. Änne Weiß", "Grüne", "", "anwesend", "18:40"],
    ]
    path = tmp_path / "liste.csv"
    path.write_bytes("\r\n".join(sep.join(r) for r in rows).encode(encoding))
    people = load_roster(path)
    assert _rows(people) == [
        ("Jürgen Groß", "SPD", "Mitglied", "Groß", "", False),
        ("Dr. Änne Weiß", "Grüne", "", "Weiß", "", True),
    ]
    assert (people[1].form_of_address, people[1].arrived) == ("Frau", "18:40")


def test_plain_text_lines() -> None:
    people = load_roster(DATA / "anwesenheit.txt")
    assert _rows(people) == [
        ("Hans Meier", "", "Vorsitz", "Meier", "", True),
        ("Dr. Max Schnell", "CDU", "", "Schnell", "", True),
        ("Anna Berg", "SPD", "", "Berg", "Jürgen Groß", True),
        ("Eva Roth", "Grüne", "", "Roth", "", False),
        ("Karl Schulze", "FDP", "", "Schulze", "", True),
        ("Petra Klein", "", "Verwaltung", "Klein", "", True),
    ]
    assert [p.form_of_address for p in people] == ["Bürgermeister", "Herr", "Frau", "", "", "Frau"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Herr Dr. Max Schnell (CDU)", ("Dr. Max Schnell", "CDU", "", "Schnell", "", True)),
        ("Max Schnell; CDU; Mitglied", ("Max Schnell", "CDU", "Mitglied", "Schnell", "", True)),
        ("Ursula von der Leyen (CDU)", ("Ursula von der Leyen", "CDU", "", "von der Leyen", "", True)),
        ("Karl Meier (entschuldigt)", ("Karl Meier", "", "", "Meier", "", False)),
        ("Jana Klein (Gast)", ("Jana Klein", "", "Gast", "Klein", "", True)),
    ],
)
def test_attendee_lines(line: str, expected: tuple) -> None:
    person = parse_attendee_line(line)
    assert person is not None and _rows([person]) == [expected]


def test_oparl_person_and_list_and_meeting(tmp_path: Path) -> None:
    [person] = load_roster(OPARL / "Person-01.json")
    assert (person.name, person.form_of_address, person.given_name, person.family_name) == (
        "Prof. Dr. Max Mustermann",
        "Ratsfrau",
        "Max",
        "Mustermann",
    )
    assert person.role == "Vorsitz" and person.oparl_id == "https://oparl.example.org/person/29"
    persons = [json.loads((OPARL / "Person-01.json").read_text("utf-8"))]
    persons.append(json.loads((OPARL / "server" / "Person-30.json").read_text("utf-8")))
    listing = tmp_path / "personen.json"
    listing.write_text(json.dumps(persons), encoding="utf-8")
    assert [p.family_name for p in load_roster(listing)] == ["Mustermann", "Berg"]
    page = tmp_path / "seite.json"
    page.write_text(json.dumps({"data": persons, "links": {}}), encoding="utf-8")
    assert len(load_roster(page)) == 2
    meeting = json.loads((OPARL / "Meeting-01.json").read_text("utf-8"))
    meeting["participant"] = persons
    path = tmp_path / "sitzung.json"
    path.write_text(json.dumps(meeting), encoding="utf-8")
    assert [p.faction for p in load_roster(path)] == ["", ""]  # onBehalfOf only linked: left out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "ist leer"),
        (b"# nur ein Kommentar\n", "keine Namen"),
        (b"\x00\x01\x02binary" * 20, "keine Anwesenheitsliste"),
        (b"{kaputt", "kein gültiges JSON"),
        (json.dumps({"type": "https://schema.oparl.org/1.1/Body"}).encode(), "Körperschaft"),
        (json.dumps([{"a": 1}]).encode(), "ohne OParl-Personen"),
        (b"Name;Fraktion\n;CDU\n", "keine Namen"),
    ],
)
def test_bad_rosters(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(content)
    with pytest.raises(AgendaError) as info:
        load_roster(path)
    assert words in str(info.value)


def test_missing_roster(tmp_path: Path) -> None:
    with pytest.raises(AgendaError, match="kann nicht gelesen werden"):
        parse_attendees(tmp_path / "fehlt.csv")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_fuzz_roster_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8")
    try:
        people = load_roster(path)
    except AgendaError:
        return
    assert all(isinstance(p, Attendee) and p.name for p in people)
