"""GUI of data protection: "Sitzung löschen" in the start view, objections in the speaker panel."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402
from test_gui_editors import FakeStream, doc, player, project_dir, transcript  # noqa: E402, F401
from test_gui_shell import Boxes  # noqa: E402
from test_privacy import recorded_project, release  # noqa: E402

from minutes_app.base.settings import Settings  # noqa: E402
from minutes_app.gui.start_view import StartView, session_state  # noqa: E402
from minutes_app.session import audit, privacy, signoff  # noqa: E402
from minutes_app.session.project import Project  # noqa: E402


def test_delete_session_from_the_start_view_asks_first(qtbot, monkeypatch, tmp_path):
    recorded = recorded_project(tmp_path, "aufgenommen")
    external = tmp_path / "import.wav"
    external.write_bytes(b"RIFF")
    imported = Project.create(tmp_path / "lib" / "importiert", external, name="Importierte Sitzung")
    view = StartView(tmp_path / "lib")
    qtbot.addWidget(view)

    boxes = Boxes(monkeypatch, answer=QMessageBox.StandardButton.No)
    view.select(imported.folder)
    assert not view.delete_selected()
    kind, question = boxes.calls[-1]
    assert kind == "question" and "„Importierte Sitzung“" in question
    assert "endgültig" in question and "außerhalb des Sitzungsordners bleibt erhalten" in question
    assert imported.folder.exists()

    boxes.answer = QMessageBox.StandardButton.Yes
    assert view.delete_selected()
    assert not imported.folder.exists() and external.read_bytes() == b"RIFF"
    assert view.folders() == [recorded.folder]

    release(recorded)  # a released session can be deleted too, here from the context menu
    view.refresh(select=recorded.folder)
    menu = view.context_menu()
    delete = next(a for a in menu.actions() if "löschen" in a.text())
    delete.trigger()
    assert "„Rat 3/2025“" in boxes.calls[-1][1]
    assert not recorded.folder.exists() and view.folders() == []


def test_start_view_shows_deleted_audio(qtbot, tmp_path):
    project = recorded_project(tmp_path)
    release(project)
    project = Project.load(project.folder)
    assert "Audio gelöscht" not in session_state(project)
    assert "Audio wird am" in session_state(project, Settings({}))  # 30 days after the release
    assert privacy.apply_retention(project, Settings({})) == []
    privacy.apply_retention(project, Settings({"retention_release_days": 0}))
    assert session_state(project).endswith("Audio gelöscht (Aufbewahrungsfrist)")
    view = StartView(tmp_path / "lib")
    qtbot.addWidget(view)
    assert view.tree.topLevelItem(0).text(3).endswith("Audio gelöscht (Aufbewahrungsfrist)")


def test_marking_an_objecting_speaker_in_the_panel(transcript, doc, qtbot):  # noqa: F811
    panel = transcript.speakers
    assert panel.objection_box.text().startswith("Widerspricht der Aufzeichnung")
    panel.select("SPEAKER_01")
    assert panel.objection_box.isEnabled() and not panel.objection_box.isChecked()
    with qtbot.waitSignal(panel.objection_changed) as changed:
        panel.objection_box.click()
    assert changed.args == ["SPEAKER_01", True]
    assert Project.load(doc.project.folder).objected_speakers == ["SPEAKER_01"]
    row = next(
        panel.tree.topLevelItem(i)
        for i in range(panel.tree.topLevelItemCount())
        if panel.tree.topLevelItem(i).text(0) == "SPEAKER_01"
    )
    assert row.text(3) == "widerspricht" and row.font(0).strikeOut()
    entry = audit.read(doc.project)[-1]
    assert (entry.action, entry.target) == ("widerspruch", "Sprecher SPEAKER_01")
    kept, excluded = privacy.excluded_segments(doc.project, doc.segments)
    assert excluded == 1 and all(s.speaker != "SPEAKER_01" for s in kept)

    # The views may already leave the speaker's segments out: the panel still lists them.
    doc.segments = kept
    panel.refresh()
    panel.select("SPEAKER_01")
    assert panel.current_speaker() == "SPEAKER_01" and panel.objection_box.isChecked()
    with qtbot.waitSignal(panel.objection_changed) as changed:
        panel.objection_box.click()
    assert changed.args == ["SPEAKER_01", False]
    assert Project.load(doc.project.folder).objected_speakers == []


def test_objection_box_is_disabled_when_released(transcript, doc, monkeypatch):  # noqa: F811
    panel = transcript.speakers
    monkeypatch.setattr(signoff, "is_locked", lambda project: True)
    panel.select("SPEAKER_00")
    panel.refresh()
    assert not panel.objection_box.isEnabled()
    boxes = Boxes(monkeypatch)
    assert not panel.set_objection(True, "SPEAKER_00")
    assert boxes.calls and "freigegeben" in boxes.calls[0][1]
    assert doc.project.objected_speakers == []
