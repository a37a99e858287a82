"""Editing operations behind the GUI editors, on a small hand-made project."""

from __future__ import annotations

import json

import pytest
from support.sessions import processed_project

from minutes_app.base.errors import ProjectError
from minutes_app.base.types import MinutesItem
from minutes_app.session.editing import AI_DRAFT, CONFIRMED, EDITED, SessionDoc


@pytest.fixture
def doc(tmp_path):
    return SessionDoc.open(processed_project(tmp_path).folder)


def test_split_merge_and_undo(doc):
    undo = doc.split(0, 2)
    assert [s.text for s in doc.segments] == ["Guten Abend.", "Danke.", "Ich rufe TOP 2 auf."]
    assert [s.id for s in doc.segments] == [0, 2, 1]  # ids stay stable, the new half gets a new one
    doc.merge_with_next(0)
    assert doc.segments[0].text == "Guten Abend. Danke." and doc.segments[0].end == 1.6
    doc.restore(undo)
    assert [s.id for s in doc.segments] == [0, 1]
    with pytest.raises(ProjectError):
        doc.split(1, 1)  # no word timings


def test_speakers_rename_and_reassign(doc):
    doc.rename_speaker("SPEAKER_01", "Peter Lindner")
    doc.set_speaker(0, "SPEAKER_01")
    assert [(s.id, s.label) for s in doc.speakers] == [("SPEAKER_01", "Peter Lindner")]
    assert doc.speaking_time()["SPEAKER_01"] == pytest.approx(2.6)


def test_item_states_and_save_roundtrip(doc, tmp_path):
    assert doc.item_states == [AI_DRAFT]
    old, old_state = doc.set_item_field(0, "discussion", "Von Hand geschrieben.")
    assert (old, old_state, doc.item_states[0]) == ("KI-Text", AI_DRAFT, EDITED)
    doc.set_item_state(0, CONFIRMED)
    doc.set_text(1, "Ich rufe Tagesordnungspunkt 2 auf.")
    doc.save()
    again = SessionDoc.open(tmp_path / "p")
    assert again.item_states == [CONFIRMED]
    assert again.minutes.agenda_items[0].discussion == "Von Hand geschrieben."
    assert again.segments[1].text == "Ich rufe Tagesordnungspunkt 2 auf."
    assert json.loads((tmp_path / "p" / "project.json").read_text())["item_states"] == [CONFIRMED]


def test_only_confirmed_items_count_as_reviewed(doc):
    from minutes_app.session.editing import is_reviewed

    assert [is_reviewed(s) for s in (AI_DRAFT, EDITED, CONFIRMED)] == [False, False, True]
    with pytest.raises(ProjectError, match="Prüfstatus"):
        doc.set_item_state(0, "fertig")
    assert doc.item_states == [AI_DRAFT]


def test_edits_keep_their_undo_records_and_reach_the_audit_trail_on_save(doc, tmp_path):
    from minutes_app.session import audit

    doc.user = "Frau Weber"
    old, old_state = doc.replace_item(0, MinutesItem("2", "Radweg", discussion="Neu"))
    assert (old.discussion, old_state, doc.item_states[0]) == ("KI-Text", AI_DRAFT, AI_DRAFT)
    assert doc.rename_speaker("SPEAKER_00", "Frau Weber") is None
    assert audit.read(doc.project) == []  # written together with the edits
    doc.save()
    assert [e.action for e in audit.read(doc.project)] == [
        "entwurf_erzeugt",
        "punkt_neu_erzeugt",
        "sprecher_umbenannt",
    ]
    assert (tmp_path / "p" / "audit.jsonl").read_text(encoding="utf-8").count("\n") == 3
