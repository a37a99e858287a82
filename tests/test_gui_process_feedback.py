"""Issue 14 B8: a processing job waiting behind another job says so, in the processing view and
in the indicator above the session list; a cancelled job shows its real state; a job that
ends never switches the view the user is working in."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from minutes_app.base.settings import Settings  # noqa: E402
from minutes_app.gui.jobs import JobRunner  # noqa: E402
from minutes_app.gui.start_view import FOLDER_ROLE, create_session  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    from minutes_app.gui.main_window import MainWindow

    window = MainWindow(tmp_path / "lib", Settings({}, tmp_path / "s.json"), JobRunner())
    qtbot.addWidget(window)
    yield window
    window.jobs.shutdown(10000)


def test_queued_processing_says_why_it_waits_and_is_shown_in_the_session_list(qtbot, window, shared_fixtures):
    project = create_session(window.library, "Rat", shared_fixtures / "audio" / "thorsten_1.wav")
    window.start_view.refresh()
    release = threading.Event()

    def regenerate(progress, cancel):  # another model job holds the processor
        while not release.wait(0.01):
            cancel.raise_if_cancelled()

    other = window.jobs.submit(regenerate, name="Neu erzeugen: TOP 3")
    window.process([project.folder])
    view = window.process_view
    assert view.handle is not None and view.handle.state == "queued"
    assert all(
        label.text() == "wartet auf freien Prozessor (Neu erzeugen: TOP 3 läuft)" for label in view.states
    )
    window.show_start()  # the user goes back to the list: the indicator there tells the story
    view._update_eta()
    banner = window.start_view.banner
    assert banner.isVisibleTo(window.start_view) and "wartet auf freien Prozessor" in banner.label.text()
    assert "Rat" in banner.label.text()
    row = next(i for i in window.start_view._items() if Path(i.data(0, FOLDER_ROLE)) == project.folder)
    assert row.text(3) == "wird verarbeitet – 0 %"
    view.cancel()
    qtbot.waitUntil(lambda: not view.running, timeout=5000)
    states = [label.text() for label in view.states]
    assert states[0] == "abgebrochen" and set(states[1:]) == {"nicht gestartet"}
    assert "abgebrochen" in banner.label.text() and window.stack.currentWidget() is window.start_view
    assert row.text(3) != "wird verarbeitet – 0 %"
    release.set()
    qtbot.waitUntil(lambda: other.done, timeout=5000)


def test_a_finished_job_never_switches_away_from_the_users_view(qtbot, window, shared_fixtures):
    example = create_session(window.library, "Beispiel", shared_fixtures / "audio" / "thorsten_1.wav")
    window.new_session()  # the secretary is typing a new session's header
    window.processing_done(example.folder)
    assert window.stack.currentWidget() is window.form
    assert "Beispiel" in window.statusBar().currentMessage()
