"""Sign-off bar, lock and the new item facts of the draft editor (offscreen Qt, real SessionDoc)."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from support.sessions import with_header

pytest.importorskip("pytestqt")

from PySide6.QtGui import QUndoGroup, QUndoStack  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView  # noqa: E402

from minutes_app.base.types import (  # noqa: E402
    Diarization,
    Evidence,
    Minutes,
    MinutesItem,
    ProcedureEvent,
    Segment,
    Transcript,
    Vote,
)
from minutes_app.gui.draft_view import DraftView  # noqa: E402
from minutes_app.session import audit, signoff  # noqa: E402
from minutes_app.session.editing import CONFIRMED, EDITED, SessionDoc  # noqa: E402
from minutes_app.session.project import Project  # noqa: E402

PROPOSAL = "Der Rat beschließt den Radweg an der Hauptstraße."


def _minutes() -> Minutes:
    return Minutes(
        [
            MinutesItem(
                "1",
                "Radweg Hauptstraße",
                start=0.0,
                end=3.5,
                discussion="KI-Text zur Beratung.",
                resolution="",
                vote=Vote("mehrheitlich angenommen", 12, 3, 1, roll_call=True),
                evidence=[Evidence(1.5, 3.5, [1])],
                paper="V/2025/017",
                proposal=PROPOSAL,
                procedure=[
                    ProcedureEvent(
                        "geschaeftsordnung",
                        "Herr Kranz beantragt Schluss der Debatte.",
                        2.0,
                        2.5,
                        who="Herr Kranz",
                        detail="Schluss der Debatte",
                    ),
                    ProcedureEvent(
                        "befangenheit", "Frau Ost erklärt sich für befangen.", 3.0, 3.2, "Frau Ost"
                    ),
                ],
            ),
            MinutesItem(
                "2", "Grundstücksangelegenheit", start=3.5, end=6.0, public=False, resolution="Vertagt."
            ),
        ]
    )


@pytest.fixture
def project_dir(tmp_path) -> Path:
    project = Project.create(tmp_path / "p", name="Rat 3/2025")
    segs = [
        Segment(0, 0.0, 1.4, "Ich rufe TOP 1 auf.", [], "SPEAKER_00"),
        Segment(1, 1.5, 3.4, "Wir stimmen namentlich ab.", [], "SPEAKER_01"),
        Segment(2, 3.5, 6.0, "Nichtöffentlicher Teil.", [], "SPEAKER_00"),
    ]
    project.save_result("asr", {}, Transcript("de", 6.0, segs).to_dict())
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result("align", {}, {"segments": [dataclasses.asdict(s) for s in segs]})
    project.save_result("draft", {}, _minutes().to_dict())
    with_header(project)  # header and roster: nothing „[bitte ergänzen]“ blocks the release
    return tmp_path / "p"


@pytest.fixture
def doc(project_dir) -> SessionDoc:
    doc = SessionDoc.open(project_dir)
    doc.user = "Frau Schrift"
    return doc


class Dialogs:
    """Stands in for the sign-off bar's dialogs; records what would have been shown."""

    def __init__(self, monkeypatch, bar) -> None:
        self.refusals: list[str] = []
        self.questions: list[str] = []
        self.confirm = True
        self.reason: str | None = "Ratsbeschluss vom 12.05.2025"
        self.path = ""
        monkeypatch.setattr(bar, "show_refusal", lambda title, text: self.refusals.append(text))
        monkeypatch.setattr(bar, "ask_confirm", self._confirm)
        monkeypatch.setattr(bar, "ask_reason", lambda: self.reason)
        monkeypatch.setattr(bar, "ask_export_path", lambda default: self.path)

    def _confirm(self, title: str, text: str) -> bool:
        self.questions.append(text)
        return self.confirm


@pytest.fixture
def drafts(qtbot, doc, monkeypatch):
    seeks: list[float] = []
    view = DraftView(doc, QUndoStack(), None, seeks.append, position=lambda: 2.25)
    view.seeks = seeks
    view.dialogs = Dialogs(monkeypatch, view.signoff)
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    return view


def _confirm_all(view: DraftView) -> None:
    for index in range(view.items.count()):
        view.select_item(index)
        view.confirm_current()


def test_review_refused_while_items_are_open(drafts, doc):
    bar = drafts.signoff
    assert bar.state_label.text() == "Status: Entwurf · Version 1"
    assert not bar.release_button.isEnabled() and bar.new_version_button.isHidden()
    drafts.confirm_current()  # only TOP 1
    assert not bar.mark_reviewed()
    assert len(drafts.dialogs.refusals) == 1
    message = drafts.dialogs.refusals[0]
    assert "Noch offen: TOP 2 „Grundstücksangelegenheit“ (KI-Entwurf)" in message
    assert signoff.state(doc.project) == signoff.ENTWURF
    # the confirmation was saved before the step: its audit entry is on disk
    actions = [e.action for e in audit.read(doc.project)]
    assert "status_geaendert" in actions and not doc.dirty


def test_review_release_locks_and_new_version_unlocks(drafts, doc, project_dir):
    bar, editor, stack = drafts.signoff, drafts.editor, drafts.undo_stack
    locks: list[bool] = []
    drafts.lock_changed.connect(locks.append)
    _confirm_all(drafts)
    assert stack.count() == 2
    assert bar.mark_reviewed()
    assert signoff.state(doc.project) == signoff.GEPRUEFT
    assert bar.state_label.text().startswith("Status: geprüft (Julia Neumann, ")  # roster
    assert bar.release_button.isEnabled() and not bar.review_button.isEnabled()

    drafts.dialogs.confirm = False  # "Nein" in the confirmation: nothing happens
    assert not bar.release()
    assert signoff.state(doc.project) == signoff.GEPRUEFT and "gesperrt" in drafts.dialogs.questions[0]
    drafts.dialogs.confirm = True
    assert bar.release()
    assert signoff.is_locked(doc.project) and (project_dir / "minutes_v1.json").exists()
    assert locks == [True]
    assert bar.banner.isVisibleTo(drafts) and bar.banner.text().startswith("Freigegeben am ")
    assert "gesperrt. Für Änderungen eine neue Version anlegen." in bar.banner.text()
    assert bar.new_version_button.isVisibleTo(drafts) and not bar.release_button.isEnabled()
    # read-only editor, no buttons that change it, no old undo steps
    assert stack.count() == 0
    assert (
        editor.discussion.isReadOnly() and editor.resolution.isReadOnly() and editor.title_edit.isReadOnly()
    )
    assert editor.counts["yes"].isReadOnly() and not editor.outcome.isEnabled()
    assert not editor.regen_button.isEnabled() and not editor.confirm_button.isEnabled()
    assert not editor.proposal_button.isEnabled() and not editor.start_button.isEnabled()
    # an edit attempt changes nothing
    drafts.select_item(0)
    editor.discussion.setPlainText("Heimlich geändert.")
    assert doc.item(0).discussion == "KI-Text zur Beratung."
    assert not editor.take_proposal() and doc.item(0).resolution == ""
    assert not drafts.set_start_current() and doc.project.item_starts == {}
    drafts.regenerate(0)  # refused before any model is looked for
    assert doc.item_states == [CONFIRMED, CONFIRMED] and stack.count() == 0
    assert "gesperrt" in drafts.status.text()

    drafts.dialogs.reason = None  # cancelled: still locked
    assert not bar.new_version() and signoff.is_locked(doc.project)
    drafts.dialogs.reason = "   "  # no reason: refused by the core, in German
    assert not bar.new_version() and "Grund" in drafts.dialogs.refusals[-1]
    drafts.dialogs.reason = "Ratsbeschluss vom 12.05.2025"
    assert bar.new_version()
    assert locks == [True, False]
    assert signoff.status(doc.project).version == 2 and not doc.locked
    assert bar.state_label.text() == "Status: Entwurf · Version 2" and bar.banner.isHidden()
    assert not editor.discussion.isReadOnly() and editor.regen_button.isEnabled()
    editor.discussion.setPlainText("Nach dem Ratsbeschluss ergänzt.")
    assert doc.item(0).discussion == "Nach dem Ratsbeschluss ergänzt." and doc.item_states[0] == EDITED
    stack.undo()
    assert doc.item(0).discussion == "KI-Text zur Beratung." and doc.item_states[0] == CONFIRMED


def test_doc_opened_released_is_locked_from_the_start(qtbot, project_dir):
    doc = SessionDoc.open(project_dir)
    for index in range(2):
        doc.set_item_state(index, CONFIRMED)
    signoff.mark_reviewed(doc, "Frau Schrift")
    signoff.release(doc, "Herr Vorsitz")
    view = DraftView(SessionDoc.open(project_dir), QUndoStack(), None, lambda s: None)
    qtbot.addWidget(view)
    assert view.locked and view.editor.discussion.isReadOnly()
    assert "von Herr Vorsitz" in view.signoff.banner.text()


def test_audit_export_writes_csv_and_json(drafts, doc, tmp_path):
    drafts.editor.discussion.setPlainText("=SUMME(A1)")  # a pending edit: saved before the export
    drafts.dialogs.path = ""  # cancelled
    assert drafts.signoff.export_audit() is None
    drafts.dialogs.path = str(tmp_path / "protokoll")
    path = drafts.signoff.export_audit()
    assert path == tmp_path / "protokoll.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:4] == ["Zeit", "Benutzer", "Aktion", "Ziel"]
    edit = next(r for r in rows[1:] if r[2] == "feld_bearbeitet")
    assert edit[1] == "Frau Schrift" and edit[3] == "TOP 1 discussion" and edit[5] == "'=SUMME(A1)"
    assert "Änderungsprotokoll exportiert" in drafts.status.text()
    drafts.dialogs.path = str(tmp_path / "protokoll.json")
    assert drafts.signoff.export_audit() == tmp_path / "protokoll.json"
    entries = json.loads((tmp_path / "protokoll.json").read_text(encoding="utf-8"))
    assert entries[-1]["action"] == "export"  # the CSV export itself was recorded
    default = drafts.signoff._default_export_path()
    assert default.parent == doc.project.folder.parent and "Rat 3_2025" in default.name


def test_item_editor_shows_paper_proposal_procedure(drafts, doc):
    editor = drafts.editor
    assert editor.paper_label.text() == "Vorlage V/2025/017" and editor.paper_label.isVisibleTo(drafts)
    assert editor.public_label.isHidden()
    assert editor.proposal_label.text() == PROPOSAL and editor.form.isRowVisible(editor._proposal_row)
    assert (
        editor.roll_call_label.isVisibleTo(drafts)
        and editor.roll_call_label.text() == "namentliche Abstimmung"
    )
    html = editor.procedure_label.text()
    assert "Antrag zur Geschäftsordnung (Schluss der Debatte)" in html and "Herr Kranz" in html
    assert "Befangenheit" in html and "Frau Ost erklärt sich für befangen." in html
    assert "00:00–00:03" in editor.times_label.text()
    editor.procedure_label.linkActivated.emit("3.0")
    assert drafts.seeks == [3.0]
    # a vote edit keeps the namentliche Abstimmung
    editor.counts["abstain"].setValue(2)
    assert doc.item(0).vote == Vote("mehrheitlich angenommen", 12, 3, 2, roll_call=True)

    drafts.select_item(1)
    assert (
        editor.public_label.isVisibleTo(drafts) and editor.public_label.text() == "nichtöffentlich (Teil B)"
    )
    assert editor.paper_label.isHidden() and not editor.form.isRowVisible(editor._proposal_row)
    assert editor.roll_call_label.isHidden() and editor.procedure_label.text() == "keine"


def test_taking_over_the_proposal_is_undoable(drafts, doc):
    editor, stack = drafts.editor, drafts.undo_stack
    drafts.confirm_current()
    assert editor.take_proposal()
    assert doc.item(0).resolution == PROPOSAL and editor.resolution.toPlainText() == PROPOSAL
    assert doc.item_states[0] == EDITED and stack.undoText() == "Beschlussvorschlag übernehmen"
    assert not editor.proposal_button.isEnabled()  # already taken over
    assert not editor.take_proposal()
    stack.undo()
    assert doc.item(0).resolution == "" and editor.resolution.toPlainText() == ""
    assert doc.item_states[0] == CONFIRMED and editor.proposal_button.isEnabled()
    stack.redo()
    assert doc.item(0).resolution == PROPOSAL


def test_set_start_at_playback_position(drafts, doc, project_dir):
    drafts.editor.discussion.setPlainText("Vorher bearbeitet.")  # pending: saved first
    assert drafts.set_start_current()
    assert doc.project.item_starts == {"1": 2.25}
    assert Project.load(project_dir).item_starts == {"1": 2.25}
    entry = audit.read(doc.project)[-1]
    assert (entry.action, entry.target, entry.after, entry.user) == (
        "feld_bearbeitet",
        "TOP 1 Beginn",
        "00:02,2",
        "Frau Schrift",
    )
    assert "Neu verarbeiten" in drafts.status.text() and "TOP 1" in drafts.status.text()
    assert "Beginn von Hand gesetzt: 00:02" in drafts.editor.times_label.text()
    assert not doc.dirty
    drafts.position = lambda: None  # no player
    assert not drafts.set_start_current() and "Wiedergabeposition" in drafts.status.text()


def test_session_view_locks_the_transcript(qtbot, tmp_path, shared_fixtures):
    from minutes_app.audio.decode import decode_to_file
    from minutes_app.base.settings import Settings
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.session_view import SessionView

    wav = shared_fixtures / "audio" / "thorsten_1.wav"
    project = Project.open_or_create(tmp_path / "s", wav)
    decode_to_file(wav, project.pcm_path)
    project.save_result("decode", {"audio": project.data["audio"]}, None)
    segs = [Segment(0, 0.0, 1.4, "Ich rufe TOP 1 auf.", [], "SPEAKER_00")]
    project.save_result("asr", {}, Transcript("de", 6.0, segs).to_dict())
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result("align", {}, {"segments": [dataclasses.asdict(s) for s in segs]})
    project.save_result(
        "draft", {}, Minutes([MinutesItem("1", "Eröffnung", resolution="Kenntnisnahme.")]).to_dict()
    )
    with_header(project)
    view = SessionView(JobRunner(synchronous=True), Settings({}), QUndoGroup())
    qtbot.addWidget(view)
    view.open(tmp_path / "s")
    segments = view.transcript_view.list
    assert segments.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
    assert view.playback_position() == pytest.approx(0.0)
    view.transcript_view.player.seek(0.8)
    assert view.playback_position() == pytest.approx(0.8, abs=0.01)
    drafts = view.draft_view
    monkey = {"show_refusal": lambda title, text: None, "ask_confirm": lambda title, text: True}
    for name, fn in monkey.items():
        setattr(drafts.signoff, name, fn)
    drafts.confirm_current()
    assert drafts.signoff.mark_reviewed() and drafts.signoff.release()
    assert segments.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    drafts.signoff.ask_reason = lambda: "Korrektur"
    assert drafts.signoff.new_version()
    assert segments.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
    view.close_session()
