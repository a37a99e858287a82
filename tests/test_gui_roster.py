"""Roster round trip: the session form and the CLI read a roster the same way (issue 14, B1).

Empty Fraktion columns, Vertretung/Status/Ankunft, quoting and text lines go through the
form's text box (import -> text -> save) and through the parser ``run --attendees`` uses;
both must give the same people, and the DOCX must count only members and the chair as voting.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from docx import Document
from support.sessions import processed_project

from minutes_app.agenda.roster import load_roster, parse_roster_text, roster_to_text
from minutes_app.gui.session_form import SessionForm
from minutes_app.session.export import export_session
from minutes_app.session.project import Project
from minutes_app.session.result import load_session

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "resources" / "examples" / "beispielsitzung_anwesende.csv"

ROSTERS = {
    "empty_columns.csv": (
        "Name;Fraktion;Rolle\n"
        "Peter Lindner;SPD;Vorsitz\n"
        "Thomas Krüger;;Verwaltung (Amt für Umwelt)\n"
        "Markus Brandt;CDU;\n"
        "Julia Neumann;;Schriftführung\n"
    ),
    "details.csv": (
        "Anrede,Name,Fraktion,Rolle,Vertretung,Status,Ankunft,gegangen\n"
        'Frau,"Weiß, Dr. Änne",Grüne,Mitglied,,anwesend,18:40,\n'
        "Herr,Jürgen Groß,SPD,Mitglied,,entschuldigt,,\n"
        ",Petra Berg,SPD,Mitglied,Jürgen Groß,anwesend,,20:15\n"
        ',"Eva ""Evi"" Roth",,"Gast; Sachverständige",,,,\n'
    ),
    "lines.txt": (
        "Herr Dr. Max Schnell (CDU)\n"
        "Anna Berg (SPD, i. V. für Max Schnell)\n"
        "Eva Roth (Grüne) – entschuldigt\n"
        "Thomas Krüger;;Verwaltung\n"
        "Lena Hahn; FDP; Vorsitzende\n"
    ),
}


def _fields(people) -> list[dict]:
    return [dataclasses.asdict(p) for p in people]


def _through_form(qtbot, library: Path, path: Path, retype: bool) -> list:
    form = SessionForm(library)
    qtbot.addWidget(form)
    assert form.import_attendees_file(path)
    if retype:  # the secretary edits the box: the text alone must carry everything
        form._people = []  # noqa: SLF001 (no imported details to fall back on)
        form.attendees_edit.setPlainText(form.attendees_edit.toPlainText())
    form.name_edit.setText("Ausschuss")
    folders = form.submit(process=False)
    assert folders
    reopened = SessionForm(library)  # the saved session opened again shows the same text
    qtbot.addWidget(reopened)
    reopened.load(Project.load(folders[0]))
    assert reopened.attendees_edit.toPlainText() == form.attendees_edit.toPlainText()
    return Project.load(folders[0]).attendees


@pytest.mark.parametrize("name", sorted(ROSTERS))
@pytest.mark.parametrize("retype", [False, True])
def test_form_and_cli_read_a_roster_the_same_way(qtbot, tmp_path, name, retype) -> None:
    path = tmp_path / name
    path.write_text(ROSTERS[name], encoding="utf-8")
    cli = load_roster(path)  # what ``minutes-app run --attendees`` stores
    form = _through_form(qtbot, tmp_path / "lib", path, retype)
    assert _fields(form) == _fields(cli)
    text = roster_to_text(cli)  # a fixpoint: text -> people -> text
    assert roster_to_text(parse_roster_text(text)) == text
    assert _fields(parse_roster_text(text)) == _fields(cli)


def test_empty_fraction_stays_empty_and_the_docx_counts_ten_voting(qtbot, tmp_path) -> None:
    people = _through_form(qtbot, tmp_path / "lib", EXAMPLE, retype=True)
    krueger = next(p for p in people if p.name == "Thomas Krüger")
    assert (krueger.faction, krueger.role) == ("", "Verwaltung (Amt für Umwelt)")
    neumann = next(p for p in people if p.name == "Julia Neumann")
    assert (neumann.faction, neumann.role) == ("", "Schriftführung")

    project = processed_project(tmp_path)
    project.attendees = people
    project.save()
    out = tmp_path / "n.docx"
    export_session(load_session(Project.load(project.folder)), "docx", out)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "10 stimmberechtigt" in text, text
    assert "Von der Verwaltung" in text


def test_typed_lines_with_and_without_header(qtbot, tmp_path) -> None:
    form = SessionForm(tmp_path / "lib")
    qtbot.addWidget(form)
    form.attendees_edit.setPlainText("Thomas Krüger;;Verwaltung\nAnna Berg; SPD")
    form.name_edit.setText("Rat")
    folders = form.submit(process=False)
    assert folders
    people = Project.load(folders[0]).attendees
    assert [(p.name, p.faction, p.role) for p in people] == [
        ("Thomas Krüger", "", "Verwaltung"),
        ("Anna Berg", "SPD", ""),
    ]
