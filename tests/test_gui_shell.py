"""The desktop shell: session library, start view, session form, settings, main window, and one
real end-to-end run (example session -> pipeline -> DOCX) through the GUI's own code paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableWidget  # noqa: E402

from minutes_app.base.settings import SETTINGS, Settings  # noqa: E402
from minutes_app.base.types import SessionInfo  # noqa: E402
from minutes_app.gui.jobs import JobRunner  # noqa: E402
from minutes_app.gui.process_view import stage_fractions  # noqa: E402
from minutes_app.gui.session_form import SessionForm, bad_agenda_lines  # noqa: E402
from minutes_app.gui.start_view import StartView, create_session, session_state  # noqa: E402
from minutes_app.gui.strings import TEXT, fmt_duration, tr  # noqa: E402
from minutes_app.session.project import Project, list_projects  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"
AUDIO = EXAMPLES / "beispielsitzung.ogg"


class Boxes:
    """Records QMessageBox calls instead of showing them; ``answer`` for questions."""

    def __init__(self, monkeypatch, answer=QMessageBox.StandardButton.Yes):
        self.calls: list[tuple[str, str]] = []
        self.answer = answer
        for kind in ("warning", "critical", "information"):
            monkeypatch.setattr(QMessageBox, kind, self._record(kind))
        monkeypatch.setattr(QMessageBox, "question", self._question)

    def _record(self, kind):
        def show(parent, title, text, *args, **kwargs):
            self.calls.append((kind, text))
            return QMessageBox.StandardButton.Ok

        return show

    def _question(self, parent, title, text, *args, **kwargs):
        self.calls.append(("question", text))
        return self.answer


@pytest.fixture
def library(tmp_path):
    return tmp_path / "sessions"


# -- core additions ---------------------------------------------------------------------------------
def test_project_without_audio_listing_name_and_new_header_fields(tmp_path, library):
    project = Project.create(library / "a", name="Rat 3/2025")
    assert not project.has_audio and project.name == "Rat 3/2025"
    info = SessionInfo(committee="Rat", session_number="3/2025", chair="P. Lindner", recorder="J. Neumann")
    project.info = info
    project.save()
    again = Project.load(library / "a")
    assert again.info == info and again.name == "Rat 3/2025"
    assert SessionInfo.from_dict({"committee": "Rat", "unknown": 1}).chair == ""  # old files still load
    (library / "not-a-project").mkdir()
    assert list_projects(library) == [library / "a"]
    assert Project.load(library / "a").data["stages"] == {}
    # open_or_create accepts audio for a project created without it
    opened = Project.open_or_create(library / "a", AUDIO)
    assert opened.has_audio and opened.audio_path == AUDIO.resolve()
    assert Project.create(tmp_path / "unnamed").name == "unnamed"


def test_strings_are_german_and_complete():
    assert tr("start.delete.question", name="X").startswith("Soll die Sitzung „X“")
    assert (
        fmt_duration(42) == "42 s"
        and fmt_duration(600) == "10 Min."
        and fmt_duration(3900) == "1 Std. 5 Min."
    )
    assert all(isinstance(v, str) and v for v in TEXT.values())


def test_stage_fractions_split_the_overall_bar():
    assert stage_fractions(0.0) == [0.0] * 5
    assert stage_fractions(1.0) == [1.0] * 5
    parts = stage_fractions(0.03 + 0.21)  # decode done, ASR half
    assert parts[0] == 1.0 and parts[1] == pytest.approx(0.5) and parts[2:] == [0.0, 0.0, 0.0]


# -- start view -------------------------------------------------------------------------------------
def test_start_view_lists_states_renames_and_deletes_with_confirmation(qtbot, monkeypatch, library):
    new = create_session(library, "Ohne Aufnahme")
    recorded = create_session(library, "Bauausschuss", AUDIO)
    info = recorded.info
    info.committee, info.date = "Bauausschuss", "14.03.2025"
    recorded.info = info
    recorded.save()
    view = StartView(library)
    qtbot.addWidget(view)
    rows = {view.tree.topLevelItem(i).text(0): i for i in range(view.tree.topLevelItemCount())}
    assert set(rows) == {"Ohne Aufnahme", "Bauausschuss"}
    item = view.tree.topLevelItem(rows["Bauausschuss"])
    assert [item.text(c) for c in range(4)] == ["Bauausschuss", "Bauausschuss", "14.03.2025", "aufgenommen"]
    assert view.tree.topLevelItem(rows["Ohne Aufnahme"]).text(3) == "neu"
    recorded.data["stages"] = {"align": {}}
    recorded.data["speaker_names"] = {"SPEAKER_00": "Peter Lindner"}
    assert session_state(recorded) == "in Bearbeitung"

    view.select(new.folder)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Sondersitzung", True))
    assert view.rename_selected()
    assert Project.load(new.folder).name == "Sondersitzung"
    assert view.tree.currentItem().text(0) == "Sondersitzung"

    boxes = Boxes(monkeypatch, answer=QMessageBox.StandardButton.No)
    assert not view.delete_selected()
    assert new.folder.exists() and "Sondersitzung" in boxes.calls[0][1]
    boxes.answer = QMessageBox.StandardButton.Yes
    view.select(new.folder)
    assert view.delete_selected()
    assert not new.folder.exists()
    assert view.folders() == [recorded.folder]


def test_dropped_files_become_sessions_bad_ones_are_reported(qtbot, monkeypatch, library, tmp_path):
    boxes = Boxes(monkeypatch)
    not_audio = tmp_path / "notiz.mp3"
    not_audio.write_text("kein Ton", encoding="utf-8")
    view = StartView(library)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.process_requested) as queued:
        created = view.import_audio([AUDIO, not_audio])
    assert len(created) == 1 and queued.args == [created]
    assert Project.load(created[0]).name == "beispielsitzung"
    assert boxes.calls and boxes.calls[0][0] == "warning" and "notiz.mp3" in boxes.calls[0][1]
    assert len(list_projects(library)) == 1  # nothing created for the bad file


# -- session form -----------------------------------------------------------------------------------
def test_session_form_refuses_bad_files_and_keeps_the_input(qtbot, monkeypatch, library, tmp_path):
    boxes = Boxes(monkeypatch)
    form = SessionForm(library)
    qtbot.addWidget(form)
    form.agenda_edit.setPlainText("TOP 1: Eröffnung")
    form.attendees_edit.setPlainText("Peter Lindner")
    binary = tmp_path / "liste.csv"
    binary.write_bytes(b"\x00\x01\x02PK")
    empty = tmp_path / "top.txt"
    empty.write_text("Tagesordnung\n\n", encoding="utf-8")
    assert not form.import_attendees_file(binary)
    assert not form.import_agenda_file(empty)
    assert not form.add_audio_files([empty])
    assert form.agenda_edit.toPlainText() == "TOP 1: Eröffnung"
    assert form.attendees_edit.toPlainText() == "Peter Lindner"
    assert form.audio_files == []
    assert len(boxes.calls) == 3 and all(k == "warning" for k, _ in boxes.calls)
    assert "unverändert" in boxes.calls[0][1]

    form.edits["date"].setText("31.02.2025")
    assert "Datum „31.02.2025“" in form.validate()
    form.edits["date"].setText("14.03.2025")
    form.edits["start_time"].setText("18 Uhr")
    assert "Uhrzeit" in form.validate()
    form.edits["start_time"].setText("18:00")
    form.agenda_edit.setPlainText("TOP 1: Eröffnung\nHaushalt ohne Nummer\n  Fortsetzung des Titels")
    assert bad_agenda_lines(form.agenda_edit.toPlainText()) == ["Haushalt ohne Nummer"]
    assert form.submit() is None and "Haushalt ohne Nummer" in boxes.calls[-1][1]
    assert list_projects(library) == []


def test_session_form_saves_header_agenda_attendees_and_queues_extra_recordings(qtbot, monkeypatch, library):
    Boxes(monkeypatch)
    form = SessionForm(library)
    qtbot.addWidget(form)
    assert form.import_agenda_file(EXAMPLES / "beispielsitzung_tagesordnung.txt")
    assert form.import_attendees_file(EXAMPLES / "beispielsitzung_anwesende.csv")
    roster = form.attendees_edit.toPlainText()
    assert roster.startswith("Name;Fraktion;Rolle\nPeter Lindner;SPD;Vorsitz\nThomas Krüger;;Verwaltung (")
    form.name_edit.setText("Umweltausschuss März")
    form.edits["committee"].setText("Ausschuss für Umwelt und Mobilität")
    form.edits["session_number"].setText("UA/3/2025")
    form.edits["chair"].setText("Peter Lindner")
    assert form.protocol_combo.currentData() == "verlauf"  # the setting's default
    form.protocol_combo.setCurrentIndex(form.protocol_combo.findData("ergebnis"))
    assert form.add_audio_files([AUDIO, AUDIO])
    with qtbot.waitSignal(form.process_requested) as queued:
        folders = form.submit(process=True)
    assert folders is not None and len(folders) == 2 and queued.args == [folders]
    first = Project.load(folders[0])
    assert first.name == "Umweltausschuss März" and first.has_audio
    assert first.info.session_number == "UA/3/2025" and first.info.chair == "Peter Lindner"
    assert [a.number for a in first.agenda] == ["1", "2", "3", "4"]
    lead = first.attendees[0]
    assert (lead.name, lead.faction, lead.role) == ("Peter Lindner", "SPD", "Vorsitz")
    assert Project.load(folders[1]).info.committee == "Ausschuss für Umwelt und Mobilität"
    assert first.protocol_type == "ergebnis" == Project.load(folders[1]).protocol_type


# -- settings and main window -------------------------------------------------------------------------
def test_settings_dialog_is_generated_from_the_declared_settings(qtbot, tmp_path):
    from minutes_app.gui.settings_dialog import SettingsDialog
    from minutes_app.models.store import ModelStore

    settings = Settings({}, tmp_path / "settings.json")
    store = ModelStore(tmp_path / "models")
    dialog = SettingsDialog(settings, JobRunner(synchronous=True), store, locked={"device"})
    qtbot.addWidget(dialog)
    assert set(dialog.fields) == {s.key for s in SETTINGS}
    assert not dialog.fields["device"].widget.isEnabled()
    dialog.fields["threads"].editor.setValue(3)
    dialog.fields["asr_vocabulary"].editor.setChecked(True)
    engine = dialog.fields["llm_engine"].editor
    labels = [engine.itemText(i) for i in range(engine.count())]
    assert not engine.isEditable() and "openai" not in labels  # German labels, no free text
    engine.setCurrentIndex(engine.findData("openai"))
    protocol = dialog.fields["protocol_type"].editor
    assert protocol.currentText().startswith("Verlaufsprotokoll")
    protocol.setCurrentIndex(protocol.findData("ergebnis"))
    # technical settings sit on the "Erweitert" tab, the secretary's on "Allgemein"
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Allgemein",
        "Erweitert",
        "Modelle",
    ]
    general = dialog.tabs.widget(0)
    assert general.isAncestorOf(dialog.fields["protocol_type"].widget)
    assert not general.isAncestorOf(dialog.fields["llm_engine"].widget)
    assert not general.isAncestorOf(dialog.fields["device"].widget)
    dialog.save_and_close()
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["threads"] == 3 and saved["asr_vocabulary"] is True and saved["llm_engine"] == "openai"
    assert saved["protocol_type"] == "ergebnis" and "device" not in saved
    ids = [dialog.models.table.item(r, 0).text() for r in range(dialog.models.table.rowCount())]
    assert "whisper-base" in ids
    assert dialog.models.table.item(0, 3).text() == "nicht installiert"


def test_main_window_lists_its_shortcuts_and_switches_views(qtbot, tmp_path, library):
    from minutes_app.gui.main_window import MainWindow

    window = MainWindow(library, Settings({}, tmp_path / "s.json"), JobRunner(synchronous=True))
    qtbot.addWidget(window)
    rows = dict(window.shortcut_rows())
    assert {"Neue Sitzung", "Rückgängig", "Wiederholen", "Tastenkürzel", "Beenden"} <= set(rows)
    dialog = window.show_shortcuts()
    table = dialog.findChild(QTableWidget)
    texts = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "Neue Sitzung" in texts and any(t.startswith("F2") for t in texts)
    dialog.close()
    window.new_session()
    assert window.stack.currentWidget() is window.form
    window.show_start()
    assert window.stack.currentWidget() is window.start_view
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&Datei", "&Bearbeiten", "&Ansicht", "&Hilfe"]


def test_cli_has_a_gui_subcommand():
    from minutes_app.cli.main import build_parser

    args = build_parser().parse_args(["gui"])
    assert args.func.__name__ == "_cmd_gui"


# -- end to end ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_end_to_end_example_session_to_docx(qtbot, monkeypatch, tmp_path, library, no_network):
    """Form -> import audio, agenda and attendees -> pipeline (test models) -> session view -> DOCX,
    with every network socket blocked (here and in the worker processes): none is tried."""
    from docx import Document

    from minutes_app.gui.main_window import MainWindow

    boxes = Boxes(monkeypatch)
    settings = Settings({"llm_model": "qwen2.5-coder-0.5b"}, tmp_path / "settings.json")
    window = MainWindow(library, settings, JobRunner(synchronous=True))
    qtbot.addWidget(window)
    window.new_session()
    form = window.form
    form.name_edit.setText("Beispielsitzung")
    form.edits["committee"].setText("Ausschuss für Umwelt und Mobilität")
    form.edits["date"].setText("14.03.2025")
    assert form.import_agenda_file(EXAMPLES / "beispielsitzung_tagesordnung.txt")
    assert form.import_attendees_file(EXAMPLES / "beispielsitzung_anwesende.csv")
    assert form.add_audio_files([AUDIO])
    progress: list[float] = []
    window.process_view.bars[1].valueChanged.connect(lambda v: progress.append(v))

    folders = form.submit(process=True)  # synchronous runner: the pipeline runs right here

    assert boxes.calls == [], boxes.calls
    assert folders is not None and window.process_view.failed == []
    assert progress and max(progress) == 1000  # the ASR bar moved to full
    assert window.stack.currentWidget() is window.session_view
    assert window.session_view.folder == folders[0]
    assert window.session_view.tabs.count() == 2
    assert session_state(Project.load(folders[0])) == "verarbeitet"

    dialog = window.session_view.open_export_dialog(show=False)
    assert dialog is not None and dialog.fmt == "docx"
    out = tmp_path / "entwurf.docx"
    dialog.output.setText(str(out))
    dialog.open_after.setChecked(False)
    dialog.start_export()
    assert dialog.written == out
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Ausschuss für Umwelt und Mobilität" in text
    assert "KI-Entwurf" in text
    assert "Fahrradstraße" in text
    # The results for the council information system (OParl), public part only.
    dialog = window.session_view.open_export_dialog(show=False)
    dialog.format.setCurrentIndex(dialog.format.findData("oparl"))
    assert dialog.part.isEnabled() and not dialog.template.isEnabled()
    dialog.output.setText(str(tmp_path / "oparl.json"))
    dialog.open_after.setChecked(False)
    dialog.start_export()
    meeting = json.loads((tmp_path / "oparl.json").read_text(encoding="utf-8"))
    assert meeting["type"].endswith("/Meeting") and meeting["agendaItem"]
    assert boxes.calls == []
    assert not no_network.exists() or no_network.read_text() == "", no_network.read_text()


# -- processing view (pipeline replaced by a stand-in: the real one runs in the end-to-end test) ----------
def test_process_view_shows_stage_progress_cancels_and_reports_errors(qtbot, monkeypatch, library, tmp_path):
    import threading

    from minutes_app.base.errors import ModelMissingError
    from minutes_app.gui import process_view as pv_module
    from minutes_app.gui.process_view import ProcessView

    project = create_session(library, "Rat", AUDIO)
    started = threading.Event()

    def slow_pipeline(project, options, store, progress, cancel):
        assert options.llm_model == "test-llm" and options.attendees == []
        progress(0.03 + 0.42 * 0.5, "Spracherkennung")
        started.set()
        while True:
            cancel.raise_if_cancelled()
            threading.Event().wait(0.01)

    monkeypatch.setattr(pv_module, "run_pipeline", slow_pipeline)
    jobs = JobRunner()
    view = ProcessView(jobs, lambda: Settings({}, tmp_path / "s.json"), llm_model="test-llm")
    qtbot.addWidget(view)
    view.start([project.folder])
    assert started.wait(10)
    qtbot.waitUntil(lambda: view.bars[1].value() == 500, timeout=5000)
    assert view.bars[0].value() == 1000 and view.states[0].text() == "fertig"
    assert view.states[1].text() == "läuft" and view.bars[2].value() == 0
    assert "neben der Spracherkennung" in view.states[2].text()  # why it shows 0 % (issue 14 B8)
    assert view.states[3].text() == "wartet auf Spracherkennung und Sprechererkennung"
    assert view.states[4].text() == "wartet auf Zuordnung"
    view.cancel()
    qtbot.waitUntil(lambda: not view.running, timeout=5000)
    assert "Abgebrochen" in view.status.text()
    states = [label.text() for label in view.states]
    assert states[:2] == ["fertig", "abgebrochen"] and "läuft" not in " ".join(states)
    assert view.failed == [project.folder] and not view.retry_button.isHidden()

    def missing_model(project, options, store, progress, cancel):
        raise ModelMissingError("Das Modell „whisper-base“ ist nicht installiert.")

    monkeypatch.setattr(pv_module, "run_pipeline", missing_model)
    view.retry()
    qtbot.waitUntil(lambda: not view.running, timeout=5000)
    assert view.error.isVisibleTo(view)
    assert "whisper-base" in view.error.text() and "Erneut starten" in view.error.text()
    jobs.shutdown(5000)


def test_dropping_files_on_the_window_imports_them(qtbot, monkeypatch, tmp_path, library):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from minutes_app.gui.main_window import MainWindow

    window = MainWindow(library, Settings({}, tmp_path / "s.json"), JobRunner(synchronous=True))
    qtbot.addWidget(window)
    queued: list[list[Path]] = []
    window.start_view.process_requested.disconnect()
    window.start_view.process_requested.connect(queued.append)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(AUDIO))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert len(queued) == 1 and queued[0] == list_projects(library)
