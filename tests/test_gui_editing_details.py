"""Issue 14 B6, B7, B10: name suggestions, several segments reassigned at once, evidence links,
splitting at the clicked word, the inline editor, search highlighting, following the playhead."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from test_gui_editors import (  # noqa: E402, F401
    FakeStream,
    doc,
    drafts,
    player,
    project_dir,
    transcript,
)

from minutes_app.gui.shortcuts import EDITOR_SHORTCUTS  # noqa: E402


def _suggestion_column(panel, speaker_id: str) -> str:
    for i in range(panel.tree.topLevelItemCount()):
        item = panel.tree.topLevelItem(i)
        if panel._id(item) == speaker_id:
            return item.text(2)
    raise AssertionError(speaker_id)


def _play_out(audio, limit: int = 200) -> None:
    """Pull audio blocks like the sound device would, until playback stops."""
    stream = audio._stream
    for _ in range(limit):
        if not audio.playing:
            return
        stream.callback(np.zeros((stream.blocksize, 1), np.float32), stream.blocksize, None, None)


# -- B6: suggestions are offered, never the answer ---------------------------------------------------
def test_rename_dialog_offers_the_suggestion_without_prefilling_it(transcript, qtbot):  # noqa: F811
    dialog = transcript.open_rename_dialog("SPEAKER_00")
    assert dialog.name == "" and not dialog.ok_button.isEnabled()  # one Enter confirms nothing
    assert "Peter Lindner" in dialog.reasons.text() and dialog.reasons.isVisibleTo(dialog)
    names = [dialog.name_box.itemText(i) for i in range(dialog.name_box.count())]
    assert names == ["Peter Lindner", "Eva Schneider"]  # the attendee list to pick from
    dialog.take_hint.click()
    assert dialog.name == "Peter Lindner" and dialog.ok_button.isEnabled()
    dialog.name_box.setCurrentText("Eva Schneider")
    dialog.ok_button.click()
    assert transcript.doc.project.speaker_names["SPEAKER_00"] == "Eva Schneider"


def test_suggestion_column_refreshes_after_every_rename(transcript, doc):  # noqa: F811
    panel = transcript.speakers
    assert _suggestion_column(panel, "SPEAKER_00") == "Peter Lindner"
    assert transcript.rename_speaker("SPEAKER_00", "Eva Schneider")  # the secretary knew better
    assert _suggestion_column(panel, "SPEAKER_00") == ""
    transcript.undo_stack.undo()
    assert _suggestion_column(panel, "SPEAKER_00") == "Peter Lindner"
    assert transcript.rename_speaker("SPEAKER_01", "Peter Lindner")  # the name is taken elsewhere
    assert _suggestion_column(panel, "SPEAKER_00") == ""


def test_several_segments_get_an_attendee_as_speaker_in_one_undo_step(transcript, doc):  # noqa: F811
    before = [s.speaker for s in doc.segments]
    selection = transcript.list.selectionModel()
    transcript.list.setCurrentIndex(transcript.model.index(0))
    selection.select(transcript.model.index(2), QItemSelectionModel.SelectionFlag.Select)
    assert [s.id for s in transcript.selected_segments()] == [0, 2]
    box = transcript.speaker_box
    entries = [box.itemText(i) for i in range(box.count())]
    assert "Eva Schneider (Anwesenheitsliste)" in entries and "Neuer Sprecher" in entries
    box.setCurrentIndex(box.findText("Eva Schneider (Anwesenheitsliste)"))
    box.activated.emit(box.currentIndex())
    new_id = doc.segments[0].speaker
    assert new_id not in before and doc.segments[2].speaker == new_id
    assert doc.segments[1].speaker == before[1]
    assert doc.project.speaker_names[new_id] == "Eva Schneider"
    assert transcript.undo_stack.count() == 1 and "2 Segmente" in transcript.status.text()
    transcript.undo_stack.undo()
    assert [s.speaker for s in doc.segments] == before and new_id not in doc.project.speaker_names
    # an attendee who already names a speaker: that speaker, no new one
    assert transcript.rename_speaker("SPEAKER_01", "Eva Schneider")
    transcript.list.setCurrentIndex(transcript.model.index(0))
    transcript.assign_selected(*transcript_choice(transcript, "Eva Schneider"))
    assert doc.segments[0].speaker == "SPEAKER_01"


def transcript_choice(view, name: str) -> tuple[str, str | None]:
    from minutes_app.gui.segment_speakers import ATTENDEE, resolve_choice

    return resolve_choice(view.doc, ATTENDEE + name)


# -- B7: evidence links ---------------------------------------------------------------------------
def test_evidence_link_selects_scrolls_zooms_highlights_and_plays(transcript, drafts, doc, player):  # noqa: F811
    spans: list[tuple[float, float]] = []
    drafts.editor.on_span = lambda start, end: (spans.append((start, end)), transcript.show_span(start, end))
    drafts.select_item(0)
    assert "href='3.5:5.5'" in drafts.editor.evidence_label.text()
    drafts.editor.evidence_label.linkActivated.emit("3.5:5.5")
    assert spans == [(3.5, 5.5)]
    assert [s.id for s in transcript.selected_segments()] == [2]  # the evidence segment, selected
    assert transcript.current_segment().id == 2
    assert transcript.list.viewport().rect().intersects(transcript.list.visualRect(transcript.model.index(2)))
    canvas = transcript.timeline.canvas
    assert canvas.highlight == (3.5, 5.5)
    assert canvas.view_start <= 3.5 and canvas.view_start + canvas.view_span >= 5.5
    assert canvas.view_span < canvas.duration  # zoomed in, not the whole session
    assert player.playing and player.position == pytest.approx(3.5)
    _play_out(player)
    assert not player.playing and player.position == pytest.approx(5.5, abs=0.05)  # stops at its end


def test_session_view_evidence_switches_to_the_transcript(qtbot, tmp_path, project_dir):  # noqa: F811
    from PySide6.QtGui import QUndoGroup

    from minutes_app.base.settings import Settings
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.session_view import SessionView

    view = SessionView(JobRunner(synchronous=True), Settings({}), QUndoGroup())
    qtbot.addWidget(view)
    view.open(project_dir)
    view.tabs.setCurrentIndex(1)
    view.draft_view.editor.evidence_label.linkActivated.emit("3.5:5.5")
    assert view.tabs.currentIndex() == 0
    assert view.transcript_view.timeline.canvas.highlight == (3.5, 5.5)
    assert [s.id for s in view.transcript_view.selected_segments()] == [2]
    view.close_session()


# -- B10: editing details ------------------------------------------------------------------------
def test_ctrl_t_splits_at_the_clicked_word(qtbot, transcript, doc, player):  # noqa: F811
    index = transcript.model.index(1)
    option = transcript.list.item_option(index)
    text_rect = transcript.delegate._text_rect(option)
    target = next(
        x
        for x in range(text_rect.left() + 20, text_rect.right(), 4)
        if transcript.delegate.word_at(option, index, QPoint(x, text_rect.top() + 5).toPointF()) == 2
    )
    qtbot.mouseClick(
        transcript.list.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(target, text_rect.top() + 5)
    )
    player.seek(0.2)  # the playhead is elsewhere (in segment 0) when Strg+T comes
    transcript.list.setFocus()
    qtbot.keyClick(transcript.list, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert [s.text for s in doc.segments[1:3]] == ["Die Sitzungen", "waren meist feuchtfröhlich."]


def test_inline_editor_leaves_the_next_card_visible(qtbot, transcript):  # noqa: F811
    index = transcript.model.index(0)  # a one-line card
    transcript.list.setCurrentIndex(index)
    transcript.list.edit(index)
    qtbot.waitUntil(lambda: transcript.delegate.editor is not None)
    QApplication.processEvents()
    editor = transcript.delegate.editor
    qtbot.waitUntil(
        lambda: not editor.geometry().intersects(transcript.list.visualRect(transcript.model.index(1)))
    )
    assert transcript.list.visualRect(index).contains(editor.geometry())
    assert editor.height() >= editor.fontMetrics().height() * 2
    transcript.list.closePersistentEditor(index)


def test_search_hits_are_highlighted_and_replacing_is_reported_as_information(transcript, doc):  # noqa: F811
    seg = doc.segments[1]
    transcript.find_edit.setText("sitzungen")
    html = transcript.delegate._document(seg, transcript.font(), 400).toHtml()
    assert "#ffe066" in html.lower() and "Sitzungen" in html
    plain = transcript.delegate._document(doc.segments[0], transcript.font(), 400).toHtml()
    assert "#ffe066" not in plain.lower()  # no hit, no mark
    assert transcript.replace_all("TOP", "Tagesordnungspunkt") == 1
    assert (
        transcript.status.text() == "In 1 Segment(en) ersetzt."
        and transcript.status.property("kind") == "info"
    )
    assert transcript.replace_all("Haushalt", "x") == 0
    assert transcript.status.property("kind") == "error"
    assert transcript.status.styleSheet() != ""


def test_following_pauses_while_the_pointer_is_over_the_list(qtbot, transcript, doc, player):  # noqa: F811
    transcript.resize(1100, 330)  # small: the list must scroll
    qtbot.waitUntil(lambda: transcript.list.verticalScrollBar().maximum() > 0)
    bar = transcript.list.verticalScrollBar()
    bar.setValue(0)
    transcript.follow.user_scrolled_at = float("-inf")
    QApplication.sendEvent(transcript.list.viewport(), QEvent(QEvent.Type.Enter))
    player.play(4.0)  # the last segment, out of view
    transcript._tick()
    assert bar.value() == 0  # the list stays still under the pointer
    QApplication.sendEvent(transcript.list.viewport(), QEvent(QEvent.Type.Leave))
    transcript.model.set_playing_row(-1)
    transcript._tick()
    assert bar.value() > 0  # pointer gone: it follows again
    bar.setValue(0)  # the user scrolls by hand: following pauses
    transcript.model.set_playing_row(-1)
    transcript._tick()
    assert bar.value() == 0
    player.pause()


def test_editor_shortcuts_come_from_the_declared_list(transcript):  # noqa: F811
    from PySide6.QtGui import QKeySequence, QShortcut

    bound = {s.key().toString() for s in transcript.findChildren(QShortcut)}
    declared = {QKeySequence(s.keys).toString() for s in EDITOR_SHORTCUTS}
    assert {"Space", "Ctrl+T", "Ctrl+M", "Ctrl+F", "Ctrl+Left", "Ctrl+Right"} <= bound <= declared
