"""Session form: agenda from DOCX/PDF/OParl (file and server), roster details kept across edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from test_agenda_oparl import server  # noqa: F401  (a real OParl server on 127.0.0.1)

from minutes_app.base.types import AgendaItem
from minutes_app.gui.jobs import JobRunner
from minutes_app.gui.session_form import SessionForm, agenda_to_text, bad_agenda_lines
from minutes_app.session.project import Project

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def refusals(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def saved_project(form: SessionForm) -> Project:
    form.name_edit.setText("Hauptausschuss")
    folders = form.submit(process=False)
    assert folders
    return Project.load(folders[0])


def test_agenda_text_round_trip_keeps_parts_vorlagen_and_proposals() -> None:
    from minutes_app.agenda.text import parse_agenda_lines

    items = [
        AgendaItem("1", "Eröffnung"),
        AgendaItem("2", "Radweg Lindenallee", paper="2025/014", proposal="Der Ausschuss beschließt …"),
        AgendaItem("N 5", "Grundstücke", public=False),
    ]
    text = agenda_to_text(items)
    assert "Nichtöffentlicher Teil" in text and bad_agenda_lines(text) == []
    assert parse_agenda_lines(text) == items


def test_docx_invitation_with_teil_b_is_kept_in_the_project(qtbot, tmp_path, refusals) -> None:
    form = SessionForm(tmp_path / "lib")
    qtbot.addWidget(form)
    assert form.import_agenda_file(DATA / "agenda" / "einladung_teile.docx")
    project = saved_project(form)
    by_number = {a.number: a for a in project.agenda}
    assert by_number["3.1"].paper == "23/0456"
    assert by_number["5"].public is False and by_number["1"].public is True
    assert refusals == []


def test_pdf_invitation_and_a_broken_file(qtbot, tmp_path, refusals) -> None:
    form = SessionForm(tmp_path / "lib")
    qtbot.addWidget(form)
    assert form.import_agenda_file(DATA / "agenda" / "einladung_beschluss.pdf")
    before = form.agenda_edit.toPlainText()
    assert "Beschlussvorschlag:" in before
    broken = tmp_path / "einladung.pdf"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert not form.import_agenda_file(broken)
    assert refusals and "Traceback" not in refusals[0]
    assert form.agenda_edit.toPlainText() == before  # nothing of the user's input is lost


def test_oparl_file_fills_empty_header_fields_only(qtbot, tmp_path, refusals) -> None:
    form = SessionForm(tmp_path / "lib")
    qtbot.addWidget(form)
    form.edits["location"].setText("Ratssaal")
    assert form.import_agenda_file(DATA / "oparl" / "Meeting-01.json")
    assert form.edits["date"].text() == "04.01.2013" and form.edits["start_time"].text() == "08:00"
    assert form.edits["location"].text() == "Ratssaal"  # typed by the user: kept
    project = saved_project(form)
    assert project.agenda[0].oparl_id == "https://oparl.example.org/agendaitem/3271"


def test_oparl_url_loads_in_a_job_with_participants(qtbot, tmp_path, refusals, server) -> None:  # noqa: F811
    form = SessionForm(tmp_path / "lib", jobs=JobRunner(synchronous=True))
    qtbot.addWidget(form)
    assert form.import_agenda_file(f"{server}/meeting/282")
    assert refusals == []
    assert "Nichtöffentlicher Teil" in form.agenda_edit.toPlainText()
    assert form.attendees_edit.toPlainText().strip()  # participants of the meeting
    assert form.edits["committee"].text() == "Ausschuss für Haushalt und Finanzen"
    project = saved_project(form)
    assert project.agenda[2].public is False and project.agenda[2].oparl_id.endswith("/agendaitem/4003")
    assert project.attendees


def test_roster_details_survive_editing_the_text(qtbot, tmp_path, refusals) -> None:
    form = SessionForm(tmp_path / "lib")
    qtbot.addWidget(form)
    assert form.import_attendees_file(DATA / "agenda" / "anwesenheit_utf8.csv")
    text = form.attendees_edit.toPlainText()
    assert "Dr. Anna Schnell;CDU;" in text  # the roster as CSV text (roster_to_text)
    text = text.replace("Dr. Anna Schnell;CDU;", "Dr. Anna Schnell;CDU-Fraktion;")
    form.attendees_edit.setPlainText(text + "\nNeu Person; FDP")
    people = {a.name: a for a in saved_project(form).attendees}
    assert people["Jürgen Groß"].present is False  # entschuldigt, from the CSV
    assert people["Petra Weiß"].substitute_for == "Jürgen Groß"
    assert people["Dr. Anna Schnell"].faction == "CDU-Fraktion"
    assert people["Neu Person"].faction == "FDP"
