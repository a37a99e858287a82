"""Prüfen/Freigeben in the GUI (issue 14, B3 and B4).

B4: placeholders, raw speaker ids and open review hints block the step; they are listed as
links that jump to their place; a hint is marked "erledigt" (undoable); the signer is the
Vorsitz/Schriftführung of the session, not the OS login.
B3: the release dialog says when the recording goes (default 30 days after the release),
the session list shows the date, and once it is gone the editors say so and the player
controls are disabled with the reason.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoGroup
from support.sessions import processed_project

from minutes_app.audio.decode import decode_to_file
from minutes_app.base.settings import Settings
from minutes_app.base.types import Minutes, MinutesItem
from minutes_app.gui.jobs import JobRunner
from minutes_app.gui.main_window import MainWindow
from minutes_app.gui.session_view import SessionView
from minutes_app.gui.start_view import session_state
from minutes_app.session import release_check, signoff
from minutes_app.session.project import Project


def _draft() -> Minutes:
    return Minutes(
        [
            MinutesItem(
                "2",
                "Radweg",
                start=0.0,
                end=2.0,
                discussion="SPEAKER_01 begründet den Antrag. Kosten: [bitte ergänzen] Euro.",
                resolution="Der Ausschuss beschließt den Radweg.",
                flags=["Zahl „12“ nicht im Transkript belegt – bitte prüfen"],
            ),
            MinutesItem("3", "Haushalt", start=2.0, end=3.0, discussion="Beraten."),
        ]
    )


def _with_audio(project: Project, shared_fixtures: Path) -> Project:
    """Real decoded audio, so that playing and deleting it are real."""
    decode_to_file(shared_fixtures / "audio" / "thorsten_1.wav", project.pcm_path)
    return project


def _open(qtbot, folder: Path, settings: Settings) -> SessionView:
    view = SessionView(JobRunner(synchronous=True), settings, QUndoGroup())
    qtbot.addWidget(view)
    view.open(folder)
    bar = view.draft_view.signoff
    bar.confirms = []
    bar.ask_confirm = lambda title, text: bar.confirms.append(text) or True
    bar.show_refusal = lambda title, text: pytest.fail(f"refusal box instead of the list: {text}")
    return view


def _confirm_all(view: SessionView) -> None:
    drafts = view.draft_view
    for index in range(drafts.items.count()):
        drafts.select_item(index)
        drafts.confirm_current()


def test_blockers_are_links_to_their_place_and_hints_are_marked_done(qtbot, tmp_path, shared_fixtures):
    project = _with_audio(processed_project(tmp_path, _draft()), shared_fixtures)
    view = _open(qtbot, project.folder, Settings({}))
    drafts, bar = view.draft_view, view.draft_view.signoff
    _confirm_all(view)
    assert not bar.mark_reviewed()
    assert not bar.blockers_label.isHidden() and "[bitte ergänzen]" in bar.blockers_label.text()
    assert {b.kind for b in bar.blockers} == {release_check.PLACEHOLDER, release_check.SPEAKER_ID, "hinweis"}
    assert signoff.state(Project.load(project.folder)) == signoff.ENTWURF

    drafts.select_item(1)
    placeholder = next(i for i, b in enumerate(bar.blockers) if b.match == "[bitte ergänzen]")
    bar.blockers_label.linkActivated.emit(str(placeholder))
    assert drafts.editor.index == 0
    assert drafts.editor.discussion.textCursor().selectedText() == "[bitte ergänzen]"

    editor = drafts.editor
    editor.flags_label.linkActivated.emit("done:0")  # "erledigt" next to the hint
    assert drafts.doc.item(0).flags == []
    drafts.undo_stack.undo()
    assert drafts.doc.item(0).flags == ["Zahl „12“ nicht im Transkript belegt – bitte prüfen"]
    drafts.undo_stack.redo()
    assert "erledigt" not in editor.flags_label.text() or editor.flags_label.isHidden()

    editor.discussion.setPlainText("Frau Berg begründet den Antrag. Kosten: 40.000 Euro.")
    assert bar.blockers_label.isHidden()  # the list follows the edits
    _confirm_all(view)
    assert bar.mark_reviewed()
    assert signoff.status(Project.load(project.folder)).reviewed_by == "Julia Neumann" != getpass.getuser()


def test_release_says_when_the_audio_goes_and_the_editors_say_when_it_is_gone(
    qtbot, tmp_path, shared_fixtures
):
    items = [MinutesItem("2", "Radweg", start=0.0, end=2.0, discussion="Beraten.")]
    project = _with_audio(processed_project(tmp_path, Minutes(items)), shared_fixtures)
    view = _open(qtbot, project.folder, Settings({}))
    bar, drafts = view.draft_view.signoff, view.draft_view
    _confirm_all(view)
    assert bar.mark_reviewed()
    assert not bar.release()  # TOP 2 has no Beschluss: the DOCX would say [bitte ergänzen]
    missing = next(i for i, b in enumerate(bar.blockers) if b.field == "resolution")
    bar.blockers_label.linkActivated.emit(str(missing))
    assert drafts.editor.index == 0
    drafts.editor.resolution.setPlainText("Kenntnisnahme.")
    assert bar.blockers_label.isHidden() and signoff.state(drafts.doc.project) == signoff.ENTWURF
    _confirm_all(view)
    assert bar.mark_reviewed() and bar.release()
    assert "Peter Lindner" in bar.confirms[-1] and "(30 Tage)" in bar.confirms[-1]
    released = Project.load(project.folder)
    assert signoff.status(released).approved_by == "Peter Lindner"
    assert released.pcm_path.exists() and not view.audio_banner.isVisibleTo(view)  # kept for objections
    assert "Audio wird am" in session_state(released, Settings({}))
    assert session_state(released).startswith("freigegeben")  # the sign-off state, not "geprüft"
    view.close_session()

    view = _open(qtbot, project.folder, Settings({"retention_release_days": 0}))
    view.apply_retention(True)  # what the app does at start-up once the date has passed
    assert not project.pcm_path.exists()
    assert view.audio_banner.isVisibleTo(view) and "gelöscht" in view.audio_banner.text()
    play = view.transcript_view.bar.play_button
    assert not play.isEnabled() and "gelöscht" in play.toolTip()
    view.transcript_view.bar.toggle()  # Space, or a click on a segment: says why nothing plays
    assert "gelöscht" in view.transcript_view.status.text()
    listen = view.draft_view.editor.listen_button
    assert not listen.isEnabled() and "gelöscht" in listen.toolTip()
    view.close_session()
    reopened = _open(qtbot, project.folder, Settings({}))
    assert reopened.audio_banner.isVisibleTo(reopened)
    assert not reopened.transcript_view.bar.play_button.isEnabled()


def test_missing_header_data_jumps_to_the_session_form(qtbot, tmp_path, shared_fixtures):
    library = tmp_path / "lib"
    library.mkdir()
    items = [MinutesItem("2", "Radweg", start=0.0, end=2.0, discussion="Beraten.", resolution="Ja.")]
    project = processed_project(library, Minutes(items))
    info = project.info
    info.end_time = ""
    project.info = info
    project.save()
    window = MainWindow(library, Settings({}, tmp_path / "s.json"), JobRunner(synchronous=True))
    qtbot.addWidget(window)
    window.open_session(project.folder)
    bar = window.session_view.draft_view.signoff
    bar.ask_confirm = lambda title, text: True
    _confirm_all(window.session_view)
    assert bar.mark_reviewed() and not bar.release()
    assert [b.field for b in bar.blockers] == ["end_time"]
    bar.blockers_label.linkActivated.emit("0")
    assert window.stack.currentWidget() is window.form
    assert window.form.edits["end_time"].hasFocus() or window.focusWidget() is window.form.edits["end_time"]


def test_speaker_without_name_in_a_wortprotokoll_selects_the_speaker(qtbot, tmp_path, shared_fixtures):
    items = [MinutesItem("2", "Radweg", start=0.0, end=3.0, resolution="Ja.")]
    project = processed_project(tmp_path, Minutes(items, protocol_type="wort"))
    view = _open(qtbot, project.folder, Settings({}))
    _confirm_all(view)
    bar = view.draft_view.signoff
    assert bar.mark_reviewed() and not bar.release()
    speaker = next(i for i, b in enumerate(bar.blockers) if b.speaker == "SPEAKER_00")
    view.tabs.setCurrentIndex(1)
    bar.blockers_label.linkActivated.emit(str(speaker))
    assert view.tabs.currentIndex() == 0
