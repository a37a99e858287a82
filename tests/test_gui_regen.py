"""„Neu erzeugen“ never overwrites what the secretary types (issue 14, B5).

The real 0.5B test model drafts the item in the shell's JobRunner (background thread)
while the test types into the item: the fields are read-only with a visible progress
panel and Abbrechen; cancelling leaves the item as it was; a change made meanwhile by
another way (undo) is kept and the new draft is dropped with a message.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from support.sessions import processed_project

from minutes_app.base.settings import Settings
from minutes_app.base.types import Minutes, MinutesItem
from minutes_app.gui import undo
from minutes_app.gui.draft_view import DraftView
from minutes_app.gui.jobs import JobRunner
from minutes_app.session.editing import AI_DRAFT, EDITED, SessionDoc

TEXT = "Der Ausschuss berät über den Radweg."


@pytest.fixture
def drafts(qtbot, tmp_path, model_path):
    model_path("qwen2.5-coder-0.5b")  # fails loudly when the test model is missing
    item = MinutesItem("2", "Radweg", start=0.0, end=3.0, discussion=TEXT, resolution="Beschlossen.")
    processed_project(tmp_path, Minutes([item]))
    doc = SessionDoc.open(tmp_path / "p")
    jobs = JobRunner()
    view = DraftView(doc, QUndoStack(), jobs, lambda seconds: None)
    view.settings = Settings({"llm_model": "qwen2.5-coder-0.5b", "llm_engine": "ct2", "threads": 2})
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    yield view
    jobs.shutdown(timeout_ms=60000)


def test_fields_are_locked_with_progress_while_the_model_works(qtbot, drafts):
    editor, doc = drafts.editor, drafts.doc
    drafts.select_item(0)
    drafts.regenerate(0)
    assert drafts.busy == {0} and editor.regen_panel.isVisible()
    assert editor.regen_panel.cancel_button.isEnabled() and "gesperrt" in editor.regen_panel.label.text()
    assert all(box.isReadOnly() for box in (editor.discussion, editor.resolution, editor.title_edit))
    assert not editor.outcome.isEnabled() and not editor.confirm_button.isEnabled()
    editor.discussion.setFocus()
    qtbot.keyClicks(editor.discussion, " Getippt in der Zwischenzeit.")
    qtbot.keyClick(editor.discussion, Qt.Key.Key_Return)
    assert editor.discussion.toPlainText() == TEXT and doc.item(0).discussion == TEXT
    started = time.monotonic()
    qtbot.waitUntil(lambda: not drafts.busy, timeout=600_000)
    elapsed = time.monotonic() - started
    assert "neu entworfen" in drafts.status.text(), drafts.status.text()
    assert editor.regen_panel.isHidden() and not editor.discussion.isReadOnly()
    assert doc.item_states[0] == AI_DRAFT and editor.discussion.toPlainText() == doc.item(0).discussion
    qtbot.keyClicks(editor.discussion, "!")  # editable again, and typing is an edit
    assert doc.item_states[0] == EDITED
    drafts.undo_stack.undo()
    drafts.undo_stack.undo()
    assert doc.item(0).discussion == TEXT
    print(f"regeneration with the 0.5B model: {elapsed:.1f} s")


def test_cancel_leaves_the_item_and_unlocks(qtbot, drafts):
    editor, doc = drafts.editor, drafts.doc
    drafts.select_item(0)
    drafts.regenerate(0)
    qtbot.mouseClick(editor.regen_panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not drafts.busy, timeout=600_000)
    assert "abgebrochen" in drafts.status.text()
    assert doc.item(0).discussion == TEXT and not editor.discussion.isReadOnly()
    assert drafts.undo_stack.count() == 0


def test_a_change_made_meanwhile_is_kept(qtbot, drafts):
    editor, doc = drafts.editor, drafts.doc
    drafts.select_item(0)
    drafts.regenerate(0)
    # another way to change the item while it is redrafted (e.g. Strg+Z of an earlier edit)
    undo.push(drafts.undo_stack, undo.ItemFieldCommand(doc, 0, "resolution", "Von Hand geändert."))
    qtbot.waitUntil(lambda: not drafts.busy, timeout=600_000)
    assert "nichts überschrieben" in drafts.status.text(), drafts.status.text()
    assert doc.item(0).resolution == "Von Hand geändert." and doc.item(0).discussion == TEXT
    assert editor.resolution.toPlainText() == "Von Hand geändert."
