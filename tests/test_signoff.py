"""Sign-off: Entwurf -> geprüft -> freigegeben, the lock, new versions (real project folders)."""

from __future__ import annotations

import hashlib
import json

import pytest
from support.sessions import processed_project

from minutes_app.base.errors import ProjectError, UserError
from minutes_app.base.types import Minutes, MinutesItem
from minutes_app.session import audit, signoff
from minutes_app.session.editing import AI_DRAFT, CONFIRMED, EDITED, SegmentEdit, SessionDoc
from minutes_app.session.project import SCHEMA_VERSION, Project


def make_project(tmp_path, model: str = "qwen2.5-1.5b", prompt: str = "v1-abc") -> Project:
    """A processed project: transcript, alignment and a two-item AI draft."""
    items = [
        MinutesItem("2", "Radweg", discussion="KI-Text", resolution="Beschlossen."),
        MinutesItem("3", "Haushalt", resolution="KI"),
    ]
    return processed_project(tmp_path, Minutes(items, model=model, prompt_version=prompt))


@pytest.fixture
def doc(tmp_path):
    make_project(tmp_path)
    return SessionDoc.open(tmp_path / "p")


def confirm_all(doc: SessionDoc) -> None:
    for i in range(len(doc.item_states)):
        doc.set_item_state(i, CONFIRMED)


def folder_state(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def test_labels_and_default_state(doc):
    assert signoff.LABELS == {"entwurf": "Entwurf", "geprueft": "geprüft", "freigegeben": "freigegeben"}
    assert signoff.state(doc.project) == signoff.ENTWURF
    assert not signoff.is_locked(doc.project) and not doc.locked
    assert signoff.status(doc.project).version == 1


def test_review_refused_while_items_are_open(doc):
    doc.set_item_field(1, "resolution", "Von Hand.")
    with pytest.raises(ProjectError) as exc:
        signoff.mark_reviewed(doc, "Frau Schrift")
    message = str(exc.value)
    assert "erst als geprüft markiert werden" in message
    assert "TOP 2 „Radweg“ (KI-Entwurf)" in message and "TOP 3 „Haushalt“ (bearbeitet)" in message
    assert signoff.state(doc.project) == signoff.ENTWURF
    with pytest.raises(ProjectError, match="erst freigegeben werden"):
        signoff.release(doc, "Herr Vorsitz")
    doc.set_item_state(0, CONFIRMED)
    with pytest.raises(ProjectError, match="Noch offen: TOP 3"):
        signoff.mark_reviewed(doc)


def test_review_and_release(doc, tmp_path):
    confirm_all(doc)
    info = signoff.mark_reviewed(doc, "Frau Schrift")
    assert (info.state, info.label, info.reviewed_by) == ("geprueft", "geprüft", "Frau Schrift")
    assert info.reviewed_at
    with pytest.raises(ProjectError, match="bereits als geprüft"):
        signoff.mark_reviewed(doc)
    info = signoff.release(doc, "Herr Vorsitz")
    assert (info.state, info.approved_by, info.reviewed_by) == ("freigegeben", "Herr Vorsitz", "Frau Schrift")
    on_disk = json.loads((tmp_path / "p" / "project.json").read_text())
    assert on_disk["signoff"]["state"] == "freigegeben" and on_disk["signoff"]["version"] == 1
    assert on_disk["schema_version"] == SCHEMA_VERSION
    actions = [e.action for e in audit.read(doc.project)]
    assert actions[-2:] == ["geprueft", "freigegeben"]
    assert signoff.is_locked(Project.load(tmp_path / "p"))


def test_edit_after_review_returns_to_entwurf(doc, tmp_path):
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    doc.set_text(1, "Ich rufe Tagesordnungspunkt 2 auf.")
    assert signoff.state(doc.project) == signoff.ENTWURF
    doc.save()
    assert Project.load(tmp_path / "p").data["signoff"]["state"] == "entwurf"
    last = audit.read(doc.project)[-1]
    assert (last.action, last.before, last.after) == ("status_geaendert", "geprueft", "entwurf")
    assert "Segment 1" in last.note
    # The items are still confirmed: the Schriftführung can mark it again right away.
    assert signoff.mark_reviewed(doc).state == signoff.GEPRUEFT
    doc.set_item_field(0, "discussion", "Neu.")
    assert signoff.state(doc.project) == signoff.ENTWURF
    with pytest.raises(ProjectError, match="TOP 2"):
        signoff.mark_reviewed(doc)


def test_reopen_without_edit(doc):
    confirm_all(doc)
    signoff.mark_reviewed(doc)
    assert signoff.reopen(doc, "Frau Schrift", "Nochmals lesen").state == signoff.ENTWURF
    with pytest.raises(ProjectError, match="nicht als geprüft"):
        signoff.reopen(doc)


def _every_edit(doc: SessionDoc):
    item = MinutesItem("2", "Radweg", discussion="neu erzeugt")
    return [
        lambda: doc.set_text(0, "Anders."),
        lambda: doc.split(0, 1),
        lambda: doc.merge_with_next(0),
        lambda: doc.set_speaker(0, "SPEAKER_01"),
        lambda: doc.rename_speaker("SPEAKER_00", "Frau Weber"),
        lambda: doc.replace_all("TOP", "Punkt"),
        lambda: doc.restore(SegmentEdit([])),
        lambda: doc.set_item_field(0, "discussion", "Anders."),
        lambda: doc.set_item_state(0, EDITED),
        lambda: doc.replace_item(0, item),
    ]


def test_release_locks_every_edit_and_writes_nothing(doc, tmp_path):
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    signoff.release(doc, "Herr Vorsitz")
    folder = tmp_path / "p"
    before = folder_state(folder)
    texts = [s.text for s in doc.segments]
    for edit in _every_edit(doc):
        with pytest.raises(signoff.LockedError) as exc:
            edit()
        assert str(exc.value) == (
            "Die Niederschrift ist freigegeben und gesperrt. Für Änderungen bitte eine neue Version anlegen."
        )
        assert isinstance(exc.value, UserError)
    doc.save()  # autosave on a locked session: nothing is written
    for step in (signoff.mark_reviewed, signoff.release, signoff.reopen):
        with pytest.raises(signoff.LockedError):
            step(doc)
    assert folder_state(folder) == before
    assert [s.text for s in doc.segments] == texts
    assert doc.item_states == [CONFIRMED, CONFIRMED] and doc.minutes.agenda_items[0].discussion == "KI-Text"
    # Opening the released session again: still locked, nothing written on open.
    again = SessionDoc.open(folder)
    assert again.locked and not again.dirty
    with pytest.raises(signoff.LockedError):
        again.set_text(0, "x")
    again.save()
    assert folder_state(folder) == before


def test_new_version_keeps_frozen_copy(doc, tmp_path):
    folder = tmp_path / "p"
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    released = signoff.release(doc, "Herr Vorsitz")
    frozen = folder / "minutes_v1.json"
    raw = frozen.read_bytes()
    assert released.frozen == {"file": "minutes_v1.json", "sha256": hashlib.sha256(raw).hexdigest()}
    content = json.loads(raw)
    assert content["version"] == 1 and content["signoff"]["approved_by"] == "Herr Vorsitz"
    assert content["minutes"]["agenda_items"][0]["discussion"] == "KI-Text"
    assert content["item_states"] == [CONFIRMED, CONFIRMED]
    with pytest.raises(ProjectError, match="Grund"):
        signoff.new_version(doc, "Frau Schrift", "  ")
    info = signoff.new_version(doc, "Frau Schrift", "Ratsbeschluss vom 12.3.: Berichtigung TOP 2")
    assert (info.state, info.version, info.approved_by, info.frozen) == ("entwurf", 2, "", None)
    assert info.history[0]["version"] == 1 and info.history[0]["file"] == "minutes_v1.json"
    assert info.history[0]["approved_by"] == "Herr Vorsitz" and "Ratsbeschluss" in info.history[0]["reason"]
    assert audit.read(doc.project)[-1].action == "neue_version"
    # Version 2 is editable again; the frozen copy of version 1 never changes.
    doc.set_item_field(0, "discussion", "Berichtigt.")
    doc.save()
    assert frozen.read_bytes() == raw
    with pytest.raises(ProjectError, match="erst angelegt werden"):
        signoff.new_version(doc, "x", "Grund")
    doc.set_item_state(0, CONFIRMED)
    signoff.mark_reviewed(doc, "Frau Schrift")
    signoff.release(doc, "Herr Vorsitz")
    v2 = json.loads((folder / "minutes_v2.json").read_text())
    assert v2["minutes"]["agenda_items"][0]["discussion"] == "Berichtigt." and v2["version"] == 2
    assert frozen.read_bytes() == raw
    assert len(Project.load(folder).data["signoff"]["history"]) == 1


def test_existing_frozen_file_is_never_overwritten(doc, tmp_path):
    stray = tmp_path / "p" / "minutes_v1.json"
    stray.write_text("alt")
    confirm_all(doc)
    signoff.mark_reviewed(doc)
    with pytest.raises(ProjectError, match="nicht überschrieben"):
        signoff.release(doc, "Herr Vorsitz")
    assert stray.read_text() == "alt"
    assert signoff.state(Project.load(tmp_path / "p")) == signoff.GEPRUEFT


def test_bare_project_and_regenerated_draft(tmp_path):
    """CLI style (no SessionDoc): item states from project.json; a new draft is KI-Entwurf again."""
    project = make_project(tmp_path)
    doc = SessionDoc.open(tmp_path / "p")
    confirm_all(doc)
    doc.save()
    project = Project.load(tmp_path / "p")
    assert signoff.open_items(project) == []
    signoff.mark_reviewed(project, "Frau Schrift")
    # The draft stage runs again (new model): its items are AI text, the document is a draft again.
    project.save_result("draft", {"m": 2}, Minutes([MinutesItem("2", "Radweg", discussion="Neu")]).to_dict())
    project.data["stages"]["draft"]["finished"] = "2099-01-01T00:00:00+00:00"
    project.save()
    with pytest.raises(ProjectError, match="TOP 2 „Radweg“ \\(KI-Entwurf\\)"):
        signoff.mark_reviewed(project)
    again = Project.load(tmp_path / "p")
    assert again.data["item_states"] == [AI_DRAFT]
    assert signoff.state(again) == signoff.ENTWURF
    actions = [e.action for e in audit.read(again)]
    assert actions[-2:] == ["entwurf_erzeugt", "status_geaendert"]
    assert SessionDoc.open(tmp_path / "p").item_states == [AI_DRAFT]


def test_no_draft_cannot_be_reviewed(tmp_path):
    project = make_project(tmp_path)
    project.invalidate("draft")
    with pytest.raises(ProjectError, match="keinen Protokollentwurf"):
        signoff.mark_reviewed(project)


def test_older_projects_and_older_readers(tmp_path):
    project = make_project(tmp_path)
    folder = tmp_path / "p"
    # A project from before sign-off: no "signoff"/"draft_seen" keys, review states kept.
    project.data["item_states"] = [CONFIRMED, EDITED]
    project.save()
    doc = SessionDoc.open(folder)
    assert doc.item_states == [CONFIRMED, EDITED] and signoff.state(doc.project) == signoff.ENTWURF
    doc.set_item_state(1, CONFIRMED)
    signoff.mark_reviewed(doc)
    signoff.release(doc)
    # An older reader: same schema version, it loads and ignores the keys it does not know.
    data = json.loads((folder / "project.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert {"signoff", "draft_seen"} <= data.keys()
    old = Project.load(folder)
    assert old.speaker_names == {} and old.data["stages"].keys() >= {"align", "draft"}


def test_unknown_state_is_refused(doc):
    doc.project.data["signoff"] = {"state": "archiviert"}
    with pytest.raises(ProjectError, match="unbekannten Freigabestatus"):
        doc.set_text(0, "x")
