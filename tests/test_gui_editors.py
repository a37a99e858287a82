"""The transcript and draft editors on a small real project (offscreen Qt)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QTextCursor, QUndoStack  # noqa: E402

from minutes_app.audio.decode import decode_to_file  # noqa: E402
from minutes_app.audio.player import Player  # noqa: E402
from minutes_app.base.settings import Settings  # noqa: E402
from minutes_app.base.types import (  # noqa: E402
    Diarization,
    Evidence,
    Minutes,
    MinutesItem,
    Segment,
    Transcript,
    Vote,
    Word,
)
from minutes_app.gui.draft_view import DraftView  # noqa: E402
from minutes_app.gui.transcript_view import TranscriptView  # noqa: E402
from minutes_app.gui.waveform import WaveformEnvelope  # noqa: E402
from minutes_app.session.editing import AI_DRAFT, CONFIRMED, EDITED, SessionDoc  # noqa: E402
from minutes_app.session.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _words(start: float, text: str, probability: float = 0.9) -> list[Word]:
    out, t = [], start
    for token in text.split():
        out.append(Word(round(t, 2), round(t + 0.3, 2), " " + token, probability))
        t += 0.35
    return out


@pytest.fixture
def project_dir(tmp_path, shared_fixtures) -> Path:
    wav = shared_fixtures / "audio" / "thorsten_1.wav"
    project = Project.open_or_create(tmp_path / "p", wav)
    decode_to_file(wav, project.pcm_path)
    project.save_result("decode", {"audio": project.data["audio"]}, None)
    texts = [
        (0.0, "SPEAKER_00", "Ich rufe TOP 1 auf."),
        (1.5, "SPEAKER_01", "Die Sitzungen waren meist feuchtfröhlich."),
        (3.5, "SPEAKER_00", "Wer ist dafür? Einstimmig angenommen."),
    ]
    segs = []
    for i, (start, speaker, text) in enumerate(texts):
        words = _words(start, text)
        words[1].probability = 0.3  # one uncertain word each
        segs.append(Segment(i, start, words[-1].end, text, words, speaker))
    project.save_result("asr", {}, Transcript("de", 6.0, segs).to_dict())
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result("align", {}, {"segments": [dataclasses.asdict(s) for s in segs]})
    minutes = Minutes(
        [
            MinutesItem(
                "1",
                "Feiern im Rathaus",
                start=0.0,
                end=5.5,
                discussion="KI-Text zur Beratung.",
                resolution="Der Ausschuss beschließt.",
                vote=Vote("einstimmig angenommen"),
                evidence=[Evidence(3.5, 5.5, [2])],
                flags=["Beratung nicht automatisch zusammengefasst – bitte ergänzen"],
            ),
            MinutesItem("2", "Verschiedenes", discussion="Nichts."),
        ]
    )
    project.save_result("draft", {}, minutes.to_dict())
    project.data["attendees"] = [
        {"name": "Peter Lindner", "faction": "SPD", "role": "Vorsitz"},
        "Eva Schneider",
    ]
    project.save()
    return tmp_path / "p"


class FakeStream:
    def __init__(self, samplerate, channels, dtype, callback, blocksize) -> None:
        self.samplerate, self.callback, self.blocksize = samplerate, callback, blocksize

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


@pytest.fixture
def doc(project_dir) -> SessionDoc:
    return SessionDoc.open(project_dir)


@pytest.fixture
def player(doc) -> Player:
    return Player.for_project(doc.project, stream_factory=lambda **kw: FakeStream(**kw))


@pytest.fixture
def transcript(qtbot, doc, player):
    view = TranscriptView(doc, player, QUndoStack(), None)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def drafts(qtbot, doc):
    seeks: list[float] = []
    view = DraftView(doc, QUndoStack(), None, seeks.append)
    view.seeks = seeks
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    return view


def _texts(doc: SessionDoc) -> list[str]:
    return [s.text for s in doc.segments]


def test_edit_text_undo_redo(transcript, doc):
    stack = transcript.undo_stack
    index = transcript.model.index(1)
    assert transcript.model.setData(
        index, "Die Sitzungen waren  immer feuchtfröhlich.", Qt.ItemDataRole.EditRole
    )
    assert doc.segments[1].text == "Die Sitzungen waren immer feuchtfröhlich."
    assert doc.segments[1].words == []  # timings no longer match the words
    stack.undo()
    assert (
        doc.segments[1].text == "Die Sitzungen waren meist feuchtfröhlich."
        and len(doc.segments[1].words) == 5
    )
    stack.redo()
    assert doc.segments[1].text.startswith("Die Sitzungen waren immer")
    assert transcript.model.data(index) == doc.segments[1].text


def test_edit_through_the_delegate_editor(qtbot, transcript, doc):
    index = transcript.model.index(0)
    transcript.list.setCurrentIndex(index)
    transcript.list.edit(index)
    editor = transcript.delegate.editor
    assert editor is not None
    editor.setPlainText("Ich rufe Tagesordnungspunkt 1 auf.")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert doc.segments[0].text == "Ich rufe Tagesordnungspunkt 1 auf."
    assert transcript.undo_stack.count() == 1


def test_split_merge_undo(transcript, doc):
    stack = transcript.undo_stack
    transcript.list.setCurrentIndex(transcript.model.index(1))
    transcript.cursor_word = (1, 3)  # as if "meist" had been clicked
    transcript.split_current()
    assert _texts(doc)[1:3] == ["Die Sitzungen waren", "meist feuchtfröhlich."]
    assert transcript.model.rowCount() == 4
    assert transcript.merge_current()
    assert _texts(doc)[1] == "Die Sitzungen waren meist feuchtfröhlich." and transcript.model.rowCount() == 3
    stack.undo()
    assert transcript.model.rowCount() == 4
    stack.undo()
    assert _texts(doc) == [
        "Ich rufe TOP 1 auf.",
        "Die Sitzungen waren meist feuchtfröhlich.",
        "Wer ist dafür? Einstimmig angenommen.",
    ]
    transcript.list.setCurrentIndex(transcript.model.index(2))
    assert not transcript.merge_current()  # the last one has no successor
    assert "Nachfolger" in transcript.status.text() and stack.count() == 2


def test_click_on_word_plays_from_it_and_highlights(qtbot, transcript, doc, player):
    index = transcript.model.index(1)
    rect = transcript.list.visualRect(index)
    option = transcript.list.item_option(index)
    text_rect = transcript.delegate._text_rect(option)
    # the first word at the left edge of the text
    qtbot.mouseClick(
        transcript.list.viewport(), Qt.MouseButton.LeftButton, pos=text_rect.topLeft() + QPoint(3, 5)
    )
    assert player.playing and player.position == pytest.approx(doc.segments[1].words[0].start)
    assert transcript.model.playing_row == 1
    assert rect.isValid()
    # a click on the header (not on a word) plays from the segment start
    qtbot.mouseClick(
        transcript.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(40, 6)
    )
    assert player.position == pytest.approx(doc.segments[1].start)
    word = transcript.delegate.word_at(option, index, QPointF(text_rect.right() - 2, text_rect.top() + 5))
    assert word is not None and word > 0
    transcript.bar.toggle()
    assert not player.playing


def test_reassign_and_rename_speaker_everywhere(transcript, doc, player):
    stack = transcript.undo_stack
    assert transcript.assign_speaker(1, "SPEAKER_00")
    assert {s.speaker for s in doc.segments} == {"SPEAKER_00"}
    assert transcript.speakers.tree.topLevelItemCount() == 1
    stack.undo()
    assert doc.segments[1].speaker == "SPEAKER_01"
    dialog = transcript.open_rename_dialog("SPEAKER_00")
    assert [dialog.name_box.itemText(i) for i in range(dialog.name_box.count())] == [
        "Peter Lindner",
        "Eva Schneider",
    ]
    dialog.preview_requested.emit("SPEAKER_00")  # preview: a few seconds of the longest segment
    longest = max((s for s in doc.segments if s.speaker == "SPEAKER_00"), key=lambda s: s.end - s.start)
    assert player.playing and player.position == pytest.approx(longest.start)
    dialog.name_box.setCurrentText("Peter Lindner")
    dialog.accept()
    assert doc.project.speaker_names == {"SPEAKER_00": "Peter Lindner"}
    assert transcript.model.speaker_label(doc.segments[2].speaker) == "Peter Lindner"
    labels = [transcript.speakers.tree.topLevelItem(i).text(0) for i in range(2)]
    assert "Peter Lindner" in labels and "SPEAKER_01" in labels
    assert transcript.speakers.tree.topLevelItem(0).text(1).endswith("s")  # speaking time shown
    stack.undo()
    assert doc.project.speaker_names == {}


def test_search_and_replace(transcript, doc):
    assert transcript.find_next("einstimmig")  # case-insensitive search
    assert transcript.current_segment().id == 2
    assert (
        not transcript.find_next("Haushalt") and "kommt im Transkript nicht vor" in transcript.status.text()
    )
    assert transcript.replace_all("TOP", "Tagesordnungspunkt") == 1
    assert doc.segments[0].text == "Ich rufe Tagesordnungspunkt 1 auf."
    transcript.undo_stack.undo()
    assert doc.segments[0].text == "Ich rufe TOP 1 auf."


def test_uncertain_words_are_marked_only_on_request(transcript, doc):
    seg = doc.segments[0]
    font = transcript.font()
    assert "background" not in transcript.delegate._document(seg, font, 400).toHtml().split("<body")[1]
    transcript.uncertain_box.setChecked(True)
    html = transcript.delegate._document(seg, font, 400).toHtml()
    assert "background-color:#ffd5cc" in html.lower()


def test_timeline_click_seeks_and_zoom(qtbot, transcript, player):
    canvas = transcript.timeline.canvas
    assert canvas.view_span == pytest.approx(player.duration)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() // 2, 40))
    assert player.position == pytest.approx(player.duration / 2, abs=0.05)
    canvas.zoom(2.0)
    assert canvas.view_span == pytest.approx(player.duration / 2)
    canvas.zoom(100.0)
    assert canvas.view_span == pytest.approx(2.0)  # the deepest zoom shows 2 s
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(0, 40))
    assert player.position == pytest.approx(canvas.view_start, abs=0.01)
    canvas.zoom_all()
    assert canvas.view_start == 0.0 and canvas.view_span == pytest.approx(player.duration)
    assert not canvas.grab().isNull()


def test_waveform_envelope_in_chunks_matches_direct_min_max():
    rng = np.random.default_rng(1)
    samples = rng.standard_normal(16000 * 150).astype(np.float32)
    env = WaveformEnvelope(samples)
    assert not env.complete and env.n_chunks == 3
    lo, hi = env.envelope(60.0, 120.0, 60)  # computes only the visible chunk
    assert env.done.tolist() == [False, True, False]
    second = samples[16000 * 60 : 16000 * 61]
    assert lo[0] == second.min() and hi[0] == second.max()
    while not env.compute_some(1):
        pass
    lo, hi = env.envelope(0.0, 0.05, 800)  # zoomed in below 10 ms: the samples themselves
    assert hi[0] == samples[0]


def test_autosave_writes_within_interval(qtbot, transcript, doc, project_dir):
    transcript.autosave._timer.setInterval(300)
    transcript.model.setData(
        transcript.model.index(2), "Wer ist dafür? Das ist einstimmig.", Qt.ItemDataRole.EditRole
    )
    assert doc.dirty and transcript.autosave.pending
    qtbot.waitUntil(lambda: not doc.dirty, timeout=3000)
    saved = json.loads((project_dir / "align.json").read_text(encoding="utf-8"))
    assert saved["segments"][2]["text"] == "Wer ist dafür? Das ist einstimmig."
    assert transcript.autosave.saves == 1
    transcript.flush()  # nothing new: no further save
    assert transcript.autosave.saves == 1


def test_draft_confirm_edit_and_undo(qtbot, drafts, doc, project_dir):
    editor = drafts.editor
    stack = drafts.undo_stack
    assert editor.index == 0 and editor.badge.text().strip() == "KI-Entwurf"
    assert editor.discussion.toPlainText() == "KI-Text zur Beratung." and editor.flags_label.isVisibleTo(
        drafts
    )
    assert editor.counts["yes"].text() == "–"  # no number said
    drafts.confirm_current()
    assert doc.item_states[0] == CONFIRMED and editor.badge.text().strip() == "geprüft"
    assert not editor.confirm_button.isEnabled()
    editor.discussion.setFocus()
    editor.discussion.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.discussion, " Ergaenzt.")  # QTest types ASCII only
    assert doc.minutes.agenda_items[0].discussion.endswith("Ergaenzt.")
    assert doc.item_states[0] == EDITED and editor.badge.text().strip() == "bearbeitet"
    assert stack.count() == 2  # typing in one field is one undo step
    editor.counts["yes"].setValue(7)
    assert doc.minutes.agenda_items[0].vote == Vote("einstimmig angenommen", 7, None, None)
    editor.motions.setPlainText("Antrag der SPD\n\nAntrag der CDU")
    assert doc.minutes.agenda_items[0].motions == ["Antrag der SPD", "Antrag der CDU"]
    stack.undo()
    stack.undo()
    stack.undo()
    assert doc.minutes.agenda_items[0].discussion == "KI-Text zur Beratung."
    assert doc.item_states[0] == CONFIRMED and editor.discussion.toPlainText() == "KI-Text zur Beratung."
    stack.undo()
    assert doc.item_states[0] == AI_DRAFT and "KI-Entwurf" in drafts.items.item(0).text()
    drafts.select_item(1)
    assert editor.index == 1 and editor.title_edit.text() == "Verschiedenes"
    assert editor.evidence_label.text() == "keine"


def test_evidence_click_seeks(drafts, doc):
    drafts.open_evidence(0)
    assert drafts.seeks == [3.5]
    drafts.editor.evidence_label.linkActivated.emit("0.0")
    drafts.editor.listen_button.click()
    assert drafts.seeks == [3.5, 0.0, 0.0]
    assert "03–00:05" in drafts.editor.evidence_label.text()


def test_regenerate_without_model_reports_german_error(drafts, doc, tmp_path):
    drafts.settings = Settings({"llm_model": "gibt-es-nicht", "models_dir": str(tmp_path / "leer")})
    env = os.environ.pop("MINUTES_APP_MODELS", None)
    try:
        drafts.regenerate(0)
    finally:
        if env is not None:
            os.environ["MINUTES_APP_MODELS"] = env
    assert "gibt-es-nicht" in drafts.status.text() and not drafts.busy


@pytest.mark.slow
def test_regenerate_item_with_real_model(drafts, doc, model_path):
    model_path("qwen2.5-coder-0.5b")  # fails loudly when the test model is missing
    drafts.settings = Settings({"llm_model": "qwen2.5-coder-0.5b", "llm_engine": "ct2"})
    drafts.confirm_current()
    done: list[int] = []
    drafts.regenerated.connect(done.append)
    drafts.regenerate(0)  # jobs is None: runs inline
    assert done == [0], drafts.status.text()
    item = doc.minutes.agenda_items[0]
    assert (item.number, item.title) == ("1", "Feiern im Rathaus")
    assert item.start == 0.0 and item.end == pytest.approx(doc.segments[-1].end)
    assert isinstance(item.discussion, str) and isinstance(item.motions, list)
    assert item.vote.yes is None  # no number was said: none may appear
    assert doc.item_states[0] == AI_DRAFT and drafts.editor.badge.text().strip() == "KI-Entwurf"
    drafts.undo_stack.undo()
    assert (
        doc.minutes.agenda_items[0].discussion == "KI-Text zur Beratung." and doc.item_states[0] == CONFIRMED
    )


def test_job_adapter_with_the_shells_job_runner(qtbot):
    from minutes_app.base.errors import Cancelled, ProjectError
    from minutes_app.gui.job_adapter import submit
    from minutes_app.gui.jobs import JobRunner

    runner = JobRunner(synchronous=True)
    results: list[object] = []
    errors: list[BaseException] = []

    def work(progress, cancel):
        progress(0.5, "halb")
        return 42

    def fail(progress, cancel):
        raise ProjectError("Kaputt.")

    def cancelled(progress, cancel):
        raise Cancelled()

    for fn in (work, fail, cancelled):
        submit(runner, fn, results.append, errors.append, title="Test")
    qtbot.waitUntil(lambda: len(results) + len(errors) == 3, timeout=3000)
    assert results == [42]
    assert str(errors[0]) == "Kaputt." and isinstance(errors[1], Cancelled)
