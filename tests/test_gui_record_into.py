"""Strg+R records into the selected, prepared session (issue 14, B2).

A new session only when none is selected or the selected one already has a recording,
and then the record view says so; the record view names the session; the
„Live-Mitschrift“ checkbox and the line under it never contradict each other.
"""

from __future__ import annotations

import pytest
from audio_device import write_tone
from PySide6.QtWidgets import QMessageBox

from minutes_app.base.settings import Settings
from minutes_app.base.types import AgendaItem, Attendee, SessionInfo
from minutes_app.gui.jobs import JobRunner
from minutes_app.gui.main_window import MainWindow
from minutes_app.gui.record_view import RecordView
from minutes_app.gui.start_view import create_session
from minutes_app.session.project import Project, list_projects


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(f"warning box: {a[2]}"))
    win = MainWindow(tmp_path / "lib", Settings({}, tmp_path / "s.json"), JobRunner(synchronous=True))
    qtbot.addWidget(win)
    return win


def _prepared(library) -> Project:
    project = create_session(library, "Umweltausschuss 3/2025")
    project.info = SessionInfo(committee="Umweltausschuss", session_number="3", chair="Peter Lindner")
    project.agenda = [AgendaItem("1", "Eröffnung"), AgendaItem("2", "Radweg")]
    project.attendees = [
        Attendee("Peter Lindner", "SPD", "Vorsitz"),
        Attendee("Thomas Krüger", "", "Verwaltung"),
    ]
    project.save()
    return project


def test_records_into_the_selected_prepared_session(window, tmp_path):
    prepared = _prepared(window.library)
    window.show_start()
    window.start_view.refresh(select=prepared.folder)
    view = window.record_session()
    assert view.folder == prepared.folder
    assert view.session_label.text() == "Aufnahme für: Umweltausschuss 3/2025"
    assert view.note_label.isHidden()
    wav = write_tone(prepared.folder / "aufnahme-20250304-180000.wav", [(440, 1.0)])
    view.recording_finished.emit(wav)  # what the view emits when the recording stops
    assert list_projects(window.library) == [prepared.folder]  # no "Neue Aufnahme" beside it
    project = Project.load(prepared.folder)
    assert project.has_audio and project.audio_path == wav
    assert project.info.committee == "Umweltausschuss" and [a.number for a in project.agenda] == ["1", "2"]
    assert [a.name for a in project.attendees] == ["Peter Lindner", "Thomas Krüger"]
    assert window.stack.currentWidget() is window.form and window.form.project.folder == prepared.folder


def test_open_form_is_saved_and_recorded_into(window):
    prepared = _prepared(window.library)
    window.edit_session(prepared.folder)
    window.form.edits["location"].setText("Ratssaal")  # typed, not yet saved
    view = window.record_session()
    assert view.folder == prepared.folder
    assert Project.load(prepared.folder).info.location == "Ratssaal"


def test_a_new_session_being_typed_is_saved_and_recorded_into(window, monkeypatch):
    window.new_session()
    window.form.edits["committee"].setText("Bauausschuss")
    view = window.record_session()
    assert [view.folder] == list_projects(window.library)
    assert Project.load(view.folder).info.committee == "Bauausschuss"
    window.new_session()
    window.form.edits["date"].setText("31.02.2025")  # invalid: refused, nothing recorded
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    assert window.record_session() is None and "31.02.2025" in shown[0]
    assert window.stack.currentWidget() is window.form


def test_a_selected_session_with_audio_gets_a_new_one_and_says_so(window, tmp_path):
    wav = write_tone(tmp_path / "alt.wav", [(440, 0.5)])
    old = create_session(window.library, "Rat 2/2025", wav)
    window.show_start()
    window.start_view.refresh(select=old.folder)
    view = window.record_session()
    assert view.folder != old.folder and view.folder.parent == window.library
    assert not view.note_label.isHidden() and "„Rat 2/2025“ hat schon eine Aufnahme" in view.note_label.text()
    assert view.session_label.text() == "Aufnahme für: Neue Aufnahme"
    assert "schon eine Aufnahme" in window.statusBar().currentMessage()


def test_nothing_selected_records_into_a_new_session(window):
    window.show_start()
    view = window.record_session()
    assert view.session_label.text() == "Aufnahme für: Neue Aufnahme" and view.note_label.isHidden()
    assert Project.load(view.folder).name == "Neue Aufnahme"


def _consistent(view: RecordView) -> bool:
    line = view.live_pane.status.text()
    return view.live_check.isChecked() == ("eingeschaltet" in line) and ("ausgeschaltet" in line) != (
        view.live_check.isChecked() or not view.live_check.isEnabled()
    )


def test_live_checkbox_and_its_line_agree(qtbot, tmp_path):
    jobs = JobRunner()
    view = RecordView(tmp_path, jobs=jobs)
    qtbot.addWidget(view)
    assert view.live_check.isChecked() and _consistent(view)
    view.live_check.setChecked(False)
    assert _consistent(view) and "ausgeschaltet" in view.live_pane.status.text()
    view.live_check.setChecked(True)
    assert _consistent(view) and "eingeschaltet" in view.live_pane.status.text()
    jobs.shutdown(timeout_ms=5000)

    inline = RecordView(tmp_path, jobs=JobRunner(synchronous=True))  # cannot run live: not offered
    qtbot.addWidget(inline)
    assert not inline.live_check.isChecked() and not inline.live_check.isEnabled()
    assert "eingeschaltet" not in inline.live_pane.status.text()
