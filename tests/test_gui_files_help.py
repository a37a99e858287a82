"""Issue 14 B10: file dialogs (plain titles, the documents folder), "Datei danach öffnen" without a
launcher, the released export's name, and Hilfe -> Tastenkürzel listing the editor shortcuts."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QFileDialog  # noqa: E402
from test_gui_editors import doc, project_dir  # noqa: E402, F401
from test_gui_shell import Boxes  # noqa: E402

from minutes_app.base.settings import Settings, data_dir  # noqa: E402
from minutes_app.gui.export_dialog import ExportDialog  # noqa: E402
from minutes_app.gui.file_dialogs import dialog_title, start_folder  # noqa: E402
from minutes_app.gui.jobs import JobRunner  # noqa: E402
from minutes_app.gui.shortcuts import ALL_SHORTCUTS  # noqa: E402


class Dialogs:
    """Records what the file dialogs were asked (title, folder); the user cancels."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[tuple[str, str]] = []
        for name in ("getOpenFileName", "getOpenFileNames", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, self._record(name))

    def _record(self, name):
        def ask(parent, title, folder, *args, **kwargs):
            self.calls.append((title, folder))
            return ([], "") if name == "getOpenFileNames" else ("", "")

        return ask


def test_dialog_titles_have_no_mnemonics_and_dialogs_open_in_the_documents_folder(
    qtbot, monkeypatch, tmp_path
):
    from minutes_app.gui.main_window import MainWindow

    assert dialog_title("Anwesenheitsliste &laden …") == "Anwesenheitsliste laden"
    assert dialog_title("Fragen && Antworten") == "Fragen & Antworten"
    monkeypatch.setenv("MINUTES_APP_DATA", str(tmp_path / "hidden-data"))
    dialogs = Dialogs(monkeypatch)
    window = MainWindow(tmp_path / "lib", Settings({}, tmp_path / "s.json"), JobRunner(synchronous=True))
    qtbot.addWidget(window)
    window.choose_audio()
    window.new_session()
    window.form._choose_attendees()
    window.form._choose_agenda()
    window.form._choose_audio()
    assert [title for title, _ in dialogs.calls] == [
        "Aufnahme importieren",
        "Anwesenheitsliste laden",
        "Tagesordnung laden",
        "Aufnahme importieren",
    ]
    documents = start_folder()
    assert documents.is_dir() and not documents.is_relative_to(data_dir())
    assert all(folder == str(documents) for _, folder in dialogs.calls)


def test_export_name_before_and_after_release_and_no_launcher_is_reported(qtbot, monkeypatch, doc, tmp_path):  # noqa: F811
    draft = ExportDialog(doc.as_result, Settings({}), JobRunner(synchronous=True), "Rat")
    qtbot.addWidget(draft)
    assert draft.output.text().endswith("Rat_entwurf.docx")
    released = ExportDialog(doc.as_result, Settings({}), JobRunner(synchronous=True), "Rat", released=True)
    qtbot.addWidget(released)
    assert released.output.text().endswith("Rat_niederschrift.docx")
    released.format.setCurrentIndex(released.format.findData("txt"))
    released.format.setCurrentIndex(released.format.findData("docx"))
    assert released.output.text().endswith("Rat_niederschrift.docx")
    dialogs = Dialogs(monkeypatch)
    released._choose_output()
    assert dialogs.calls == [("Zieldatei", released.output.text())]
    # "Datei danach öffnen" where nothing can open it (the offscreen platform has no launcher)
    boxes = Boxes(monkeypatch)
    released.output.setText(str(tmp_path / "Rat_niederschrift.docx"))
    released.open_after.setChecked(True)
    released.start_export()
    assert (tmp_path / "Rat_niederschrift.docx").exists()
    assert boxes.calls and boxes.calls[0][0] == "information"
    assert "kein Programm" in boxes.calls[0][1] and "Rat_niederschrift.docx" in boxes.calls[0][1]


def test_export_over_an_edited_file_keeps_it_and_says_so(qtbot, monkeypatch, doc, tmp_path):  # noqa: F811
    """The proposed name already holds the DOCX the secretary edited in Word: it is kept as
    „… (vorher).docx“ and the dialog says so; exporting again (untouched) keeps nothing more."""
    dialog = ExportDialog(doc.as_result, Settings({}), JobRunner(synchronous=True), "Rat")
    qtbot.addWidget(dialog)
    target = tmp_path / "Rat_entwurf.docx"
    target.write_bytes(b"in Word bearbeitet")
    dialog.output.setText(str(target))
    dialog.open_after.setChecked(False)
    boxes = Boxes(monkeypatch)
    dialog.start_export()
    kept = tmp_path / "Rat_entwurf (vorher).docx"
    assert kept.read_bytes() == b"in Word bearbeitet" and target.stat().st_size > 1000
    assert [kind for kind, _ in boxes.calls] == ["information"]
    assert "nicht überschrieben" in boxes.calls[0][1] and "Rat_entwurf (vorher).docx" in boxes.calls[0][1]
    again = ExportDialog(doc.as_result, Settings({}), JobRunner(synchronous=True), "Rat")
    qtbot.addWidget(again)
    again.output.setText(str(target))
    again.open_after.setChecked(False)
    again.start_export()
    assert len(boxes.calls) == 1
    names = sorted(p.name for p in tmp_path.glob("Rat_entwurf*"))
    assert names == ["Rat_entwurf (vorher).docx", "Rat_entwurf.docx"]


def test_help_lists_the_editor_and_recorder_shortcuts(qtbot, tmp_path):
    from PySide6.QtWidgets import QTableWidget

    from minutes_app.gui.main_window import MainWindow

    window = MainWindow(tmp_path / "lib", Settings({}, tmp_path / "s.json"), JobRunner(synchronous=True))
    qtbot.addWidget(window)
    dialog = window.show_shortcuts()
    table = dialog.findChild(QTableWidget)
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    for shortcut in ALL_SHORTCUTS:
        assert rows[f"{shortcut.description} ({shortcut.where})"], shortcut
    names = {s.keys for s in ALL_SHORTCUTS}
    assert {"Space", "Ctrl+T", "Ctrl+M", "Ctrl+F", "Ctrl+Left", "Ctrl+Right", "F9"} <= names
    dialog.reject()
