"""Speaker panel: name suggestions from the roster, confirmed by the secretary (undoable)."""

from __future__ import annotations

from test_gui_editors import FakeStream, doc, player, project_dir, transcript  # noqa: F401


def test_chair_suggestion_is_shown_and_confirmed(transcript, doc):  # noqa: F811
    panel = transcript.speakers
    assert panel.suggestions["SPEAKER_00"].name == "Peter Lindner"  # calls the items, puts the vote
    assert "SPEAKER_01" not in panel.suggestions  # nothing names the other voice: no guess
    row = next(
        panel.tree.topLevelItem(i)
        for i in range(panel.tree.topLevelItemCount())
        if panel.tree.topLevelItem(i).text(0) == "SPEAKER_00"
    )
    assert row.text(2) == "Peter Lindner" and "Leitet die Sitzung" in row.toolTip(2)
    assert doc.project.speaker_names == {}  # only a suggestion until confirmed
    panel.select("SPEAKER_00")
    assert panel.accept_button.isEnabled()
    panel.accept_current()
    assert doc.project.speaker_names == {"SPEAKER_00": "Peter Lindner"}
    panel.select("SPEAKER_00")
    assert not panel.accept_button.isEnabled()  # confirmed: nothing left to take over
    transcript.undo_stack.undo()
    assert doc.project.speaker_names == {}


def test_rename_dialog_offers_the_suggestion_with_its_reasons(transcript):  # noqa: F811
    dialog = transcript.open_rename_dialog("SPEAKER_00")
    assert dialog.name == ""  # offered, not pre-filled (issue 14 B6)
    assert dialog.reasons.text().startswith("Vorschlag: Peter Lindner")
    dialog.take_hint.click()
    assert dialog.name == "Peter Lindner"
    dialog.reject()


def test_an_objecting_speaker_disappears_from_the_transcript_view(transcript, doc):  # noqa: F811
    panel = transcript.speakers
    panel.select("SPEAKER_01")
    panel.objection_box.click()
    rows = [i for i, s in enumerate(doc.segments) if s.speaker == "SPEAKER_01"]
    assert rows and all(transcript.list.isRowHidden(r) for r in rows)
    assert not any(transcript.list.isRowHidden(i) for i, s in enumerate(doc.segments) if i not in rows)
    panel.select("SPEAKER_01")
    panel.objection_box.click()
    assert not any(transcript.list.isRowHidden(r) for r in rows)
