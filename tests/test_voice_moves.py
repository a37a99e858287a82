"""Voice profiles follow moved speech, a deleted session; consent and deletion in the session's trail.

Real CAM++ model, real speech (AMI dev00, first 30 s: SPEAKER_00 = MEE009 in segments 0, 3,
5, 8; SPEAKER_01 = MEE012 in 1, 2, 4, 6, 7), the GUI offscreen.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_voice_enrolment import (  # noqa: F401  (fixtures)
    CONSENT,
    GREMIUM,
    PEOPLE,
    SilentStream,
    dev00,
    env,
    parts_of,
    voice_project,
)

from minutes_app.base.errors import ProjectError
from minutes_app.diarization.profiles import Embedder, speech_vectors, update_mean
from minutes_app.session import audit, privacy
from minutes_app.session.api import Session
from minutes_app.session.project import Project
from minutes_app.session.voices import session_key

ANNA, MAX = PEOPLE["MEE009"], PEOPLE["MEE012"]


def _expected(project: Project, speaker: str, embedder: Embedder) -> tuple[np.ndarray, int]:
    """The part a fresh enrolment of ``speaker``'s current segments gives."""
    from minutes_app.audio.decode import open_pcm

    segments = Project.load(project.folder).load_result("align")["segments"]
    spans = [(s["start"], s["end"]) for s in segments if s["speaker"] == speaker]
    vectors = speech_vectors(open_pcm(project.pcm_path), spans, embedder)
    mean, count = update_mean(None, 0, vectors)
    return mean, count


def _part(store, person: str) -> dict:
    [part] = store.get(GREMIUM, person).parts
    return part


def _trail(project: Project) -> list[audit.AuditEntry]:
    return audit.read(Project.load(project.folder))


def test_cli_moved_segment_and_merged_speaker(tmp_path, env, dev00, model_path, capsys):  # noqa: F811
    from minutes_app.cli.main import main

    store = env
    for person in PEOPLE.values():
        store.record_consent(GREMIUM, person, *CONSENT)
    project = voice_project(tmp_path / "s1", *dev00)
    folder = str(project.folder)
    embedder = Embedder(model_path("pyannote-campp"))
    assert main(["speakers", folder, "--set", "SPEAKER_00=Anna Berg"]) == 0
    capsys.readouterr()
    before = _part(store, ANNA)
    assert before["count"] == _expected(project, "SPEAKER_00", embedder)[1]

    # segment 5 (21.9-26.3 s) was Anna's by mistake: her part is learned again without it
    assert main(["speakers", folder, "--move", "5=SPEAKER_01"]) == 0
    assert "Stimmprofil von Anna Berg aus" in capsys.readouterr().out
    after = _part(store, ANNA)
    mean, count = _expected(project, "SPEAKER_00", embedder)
    assert after["speaker"] == "SPEAKER_00" and 0 < count == after["count"] < before["count"]
    assert np.allclose(after["vector"], mean, atol=1e-5)
    assert not np.allclose(after["vector"], before["vector"], atol=1e-3)
    assert store.get(GREMIUM, ANNA).count == count
    assert store.get(GREMIUM, MAX).parts == []  # SPEAKER_01 taught no part: moving names nobody
    last = _trail(project)[-1]
    assert (last.action, last.target, last.after) == ("stimmprofil_aktualisiert", "Sprecher SPEAKER_00", ANNA)
    assert [e.action for e in _trail(project)][-2] == "sprecher_zugewiesen"

    # the whole speaker merged into another: no speech of SPEAKER_00 is left, the part goes
    assert main(["speakers", folder, "--merge", "SPEAKER_00=SPEAKER_01"]) == 0
    out = capsys.readouterr().out
    assert "Stimmprofil von Anna Berg: Abschnitte von SPEAKER_00 entfernt." in out
    assert "SPEAKER_00" not in out.split("entfernt.")[-1]  # the speaker list no longer has it
    anna = store.get(GREMIUM, ANNA)
    assert anna is not None and anna.parts == [] and not anna.enrolled  # consent stays
    last = _trail(project)[-1]
    assert (last.action, last.after) == ("stimmprofil_zurueckgenommen", ANNA)
    assert store.audit_lines(GREMIUM, ANNA)[-1]["note"] == (
        "Abschnitte von SPEAKER_00 zurückgenommen (keine Rede mehr)"
    )
    assert main(["speakers", folder, "--merge", "SPEAKER_07=SPEAKER_01"]) == 2
    assert "keinen Sprecher „SPEAKER_07“" in capsys.readouterr().err
    assert main(["speakers", folder, "--move", "5"]) == 2


def test_api_move_without_the_recording_takes_the_part_back(tmp_path, env, dev00, model_path):  # noqa: F811
    store = env
    store.record_consent(GREMIUM, ANNA, *CONSENT)
    project = voice_project(tmp_path / "s1", *dev00)
    session = Session(project, user="Schriftführung")
    session.rename_speaker("SPEAKER_00", ANNA, store)
    assert parts_of(store, ANNA)[0][0] == "SPEAKER_00"
    project.pcm_path.unlink()  # the audio is gone: the changed speech cannot be embedded again
    change = session.set_segment_speaker(5, "SPEAKER_01", store)
    assert change.messages == ("Stimmprofil von Anna Berg: Abschnitte von SPEAKER_00 entfernt.",)
    assert parts_of(store, ANNA) == []
    assert "Aufnahme gelöscht" in store.audit_lines(GREMIUM, ANNA)[-1]["note"]
    # a text edit moves no speech: no profile work, no entry
    assert session.set_segment_text(0, "Guten Abend.").entries[-1].action == "text_bearbeitet"


def test_gui_moved_segments_follow_through_the_job_and_undo(qtbot, tmp_path, env, dev00, model_path):  # noqa: F811
    from PySide6.QtGui import QUndoStack

    from minutes_app.audio.player import Player
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.segment_speakers import assign
    from minutes_app.gui.transcript_view import TranscriptView
    from minutes_app.session.editing import SessionDoc

    store = env
    for person in PEOPLE.values():
        store.record_consent(GREMIUM, person, *CONSENT)
    project = voice_project(tmp_path / "s1", *dev00)
    doc = SessionDoc.open(project.folder)
    stack = QUndoStack()
    jobs = JobRunner(synchronous=True)  # the shell's background helper, run inline
    player = Player.for_project(doc.project, stream_factory=lambda **kw: SilentStream())
    view = TranscriptView(doc, player, stack, jobs)
    qtbot.addWidget(view)
    view.voices.model_dir = model_path("pyannote-campp")
    assert view.rename_speaker("SPEAKER_00", ANNA)
    [(_, full)] = parts_of(store, ANNA)

    # one segment given to the other speaker: saved, Anna's part learned again without it
    assert view.assign_speaker(5, "SPEAKER_01")
    qtbot.waitUntil(lambda: not view.voices.pending)  # after the edit: one check, one job
    assert not doc.dirty
    [(speaker, fewer)] = parts_of(store, ANNA)
    assert speaker == "SPEAKER_00" and 0 < fewer < full
    assert "Stimmprofil von Anna Berg aus" in view.status.text()
    assert parts_of(store, MAX) == []  # SPEAKER_01 never taught a part
    stack.undo()  # the segment is Anna's again, and so is its speech in her profile
    qtbot.waitUntil(lambda: not view.voices.pending)
    assert parts_of(store, ANNA) == [("SPEAKER_00", full)]

    # every segment of SPEAKER_00 given to SPEAKER_01 (one undo step): the part goes; undo: back
    ids = [s.id for s in doc.segments if s.speaker == "SPEAKER_00"]
    assert assign(stack, doc, ids, "SPEAKER_01") == len(ids)
    qtbot.waitUntil(lambda: not view.voices.pending)
    assert parts_of(store, ANNA) == [] and store.get(GREMIUM, ANNA) is not None
    stack.undo()
    qtbot.waitUntil(lambda: not view.voices.pending)
    assert parts_of(store, ANNA) == [("SPEAKER_00", full)]
    actions = [e.action for e in _trail(project)]
    assert (
        actions.count("stimmprofil_aktualisiert") == 4 and actions.count("stimmprofil_zurueckgenommen") == 1
    )

    # a text edit (no speech moved) starts no profile work
    lines = len(store.audit_lines())
    assert view.doc.set_text(0, "Guten Abend.") is not None
    from minutes_app.gui.doc_events import events_for

    events_for(doc).segments_changed.emit()
    qtbot.waitUntil(lambda: not view.voices.pending)
    assert len(store.audit_lines()) == lines


def test_deleting_a_session_removes_its_parts_and_retention_keeps_them(tmp_path, env, dev00, capsys):  # noqa: F811
    from minutes_app.base.settings import Settings
    from minutes_app.cli.main import main

    store = env
    store.record_consent(GREMIUM, ANNA, *CONSENT)
    store.record_consent("Rat", ANNA, *CONSENT)
    store.record_consent(GREMIUM, MAX, *CONSENT)
    one = voice_project(tmp_path / "s1", *dev00)
    two = voice_project(tmp_path / "s2", *dev00)
    vector = np.eye(192)
    store.enrol(GREMIUM, ANNA, [vector[0]], "Sitzung 1", "SPEAKER_00", session_key(one))
    store.enrol(GREMIUM, ANNA, [vector[1]] * 3, "Sitzung 2", "SPEAKER_00", session_key(two))
    store.enrol("Rat", ANNA, [vector[2]], "Sitzung 1", "SPEAKER_01", session_key(one))
    store.enrol(GREMIUM, MAX, [vector[3]], "Sitzung 1", "SPEAKER_01", session_key(one))

    # retention deletes the audio: the parts stay (the consent is the person's, not the session's)
    created = Project.load(one.folder).data["audio"]["added"]
    import datetime as dt

    later = dt.datetime.fromisoformat(created) + dt.timedelta(days=31)
    (one.folder / "diarization.partial.json").write_text("{}", encoding="utf-8")
    rules = Settings({"retention_on_release": False, "retention_days": 30})
    assert "audio.pcm" in Session(one).apply_retention(rules, now=later).messages
    assert store.get(GREMIUM, ANNA).count == 4 and store.get(GREMIUM, MAX).count == 1

    # a profile store that cannot be read stops the deletion before anything is removed
    good = store.path.read_bytes()
    store.path.write_text("kaputt", encoding="utf-8")
    with pytest.raises(ProjectError, match="Stimmprofil"):
        privacy.delete_session(one.folder, store)
    assert (one.folder / "project.json").is_file()
    store.path.write_bytes(good)

    # deleting the session (voice profiles switched off meanwhile): every part it taught goes
    (one.folder / "diarization.live.json").write_text("{}", encoding="utf-8")  # embeddings of a live run
    (tmp_path / "config" / "settings.json").write_text(
        json.dumps({"voice_profiles": False, "voice_profiles_dir": str(tmp_path / "shared")}),
        encoding="utf-8",
    )
    assert main(["delete", str(one.folder), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "diarization.live.json" in out
    assert f"Stimmprofil von {ANNA} ({GREMIUM}): Abschnitte dieser Sitzung entfernt" in out
    assert f"Stimmprofil von {ANNA} (Rat): Abschnitte dieser Sitzung entfernt" in out
    assert not one.folder.exists()
    anna = store.get(GREMIUM, ANNA)
    assert [x["session"] for x in anna.parts] == ["Sitzung 2"] and anna.count == 3
    assert np.allclose(anna.vector, vector[1])
    for gremium, person in (("Rat", ANNA), (GREMIUM, MAX)):  # no parts left: consent stays, as take_back
        left = store.get(gremium, person)
        assert left is not None and left.parts == [] and not left.enrolled
    note = store.audit_lines(GREMIUM, MAX)[-1]
    assert note["action"] == "stimmprofil_zurueckgenommen" and "Sitzung gelöscht" in note["note"]
    assert "vector" not in json.dumps(store.audit_lines())

    # the API path (GUI start view) does the same; a store without this session changes nothing
    removed = privacy.delete_session(two.folder, store)
    assert "project.json" in removed and not store.get(GREMIUM, ANNA).parts
    untouched = privacy.delete_session(voice_project(tmp_path / "s3", *dev00), store)
    assert "project.json" in untouched and not any("Stimmprofil" in line for line in untouched)


def test_consent_recorded_and_withdrawn_from_a_session_is_in_its_trail(tmp_path, env, capsys):  # noqa: F811
    from minutes_app.cli.main import main

    store = env
    project = voice_project(tmp_path / "s1", np.zeros(16000, np.float32), [])
    folder = str(project.folder)
    consent = ["--erfasst-von", CONSENT[0], "--grundlage", CONSENT[1]]
    assert (
        main(["profiles", "consent", "--project", folder, "--person", ANNA, *consent, "--user", "Roth"]) == 0
    )
    entry = _trail(project)[-1]
    assert (entry.action, entry.target, entry.after, entry.user) == (
        "einwilligung_erfasst",
        f"Stimmprofil {ANNA}",
        GREMIUM,
        "Roth",
    )
    assert entry.note == f"{CONSENT[1]} (erfasst von {CONSENT[0]})"
    assert store.audit_lines(GREMIUM, ANNA)[-1]["action"] == "einwilligung_erfasst"

    # released session: withdrawing still deletes at once and is noted in the trail
    from minutes_app.session import signoff

    project = Project.load(folder)
    project.data[signoff.KEY] = {"state": signoff.FREIGEGEBEN}
    project.save()
    assert signoff.is_locked(Project.load(folder))
    assert main(["profiles", "withdraw", "--project", folder, "--person", ANNA]) == 0
    assert store.get(GREMIUM, ANNA) is None
    entry = _trail(project)[-1]
    assert (entry.action, entry.target, entry.before) == (
        "einwilligung_widerrufen",
        f"Stimmprofil {ANNA}",
        GREMIUM,
    )
    assert "Einwilligung widerrufen" in entry.note
    assert store.audit_lines(GREMIUM, ANNA)[-1]["note"] == "Einwilligung widerrufen"
    count = len(_trail(project))
    assert main(["profiles", "withdraw", "--project", folder, "--person", ANNA]) == 2  # none left
    assert len(_trail(project)) == count
    capsys.readouterr()


def test_profile_deleted_for_a_session_is_in_its_trail(tmp_path, env, capsys):  # noqa: F811
    """``profiles delete --project``: deleted at once (also from a released session), then
    ``stimmprofil_geloescht`` in the session's trail; no profile: a German message, exit 2."""
    from minutes_app.cli.main import main
    from minutes_app.session import signoff

    store = env
    project = voice_project(tmp_path / "s1", np.zeros(16000, np.float32), [])
    folder = str(project.folder)
    store.record_consent(GREMIUM, ANNA, *CONSENT)
    project.data[signoff.KEY] = {"state": signoff.FREIGEGEBEN}
    project.save()
    before = len(_trail(project))
    who = ["--project", folder, "--gremium", GREMIUM, "--person", ANNA]
    assert main(["profiles", "delete", *who, "--grund", "auf Wunsch", "--user", "Roth"]) == 0
    assert f"Stimmprofil von {ANNA} ({GREMIUM}) gelöscht." in capsys.readouterr().out
    assert store.get(GREMIUM, ANNA) is None
    assert store.audit_lines(GREMIUM, ANNA)[-1]["note"] == "auf Wunsch"
    [entry] = _trail(project)[before:]
    assert (entry.action, entry.target, entry.before, entry.note, entry.user) == (
        "stimmprofil_geloescht",
        f"Stimmprofil {ANNA}",
        GREMIUM,
        "auf Wunsch",
        "Roth",
    )
    assert audit.ACTIONS[entry.action] == "Stimmprofil gelöscht"
    assert signoff.is_locked(Project.load(folder))  # the release stays

    assert main(["profiles", "delete", *who]) == 2  # none left
    assert f"Für „{ANNA}“ ({GREMIUM}) ist kein Stimmprofil gespeichert." in capsys.readouterr().err
    assert len(_trail(project)) == before + 1


def test_gui_consent_panel_writes_the_sessions_trail(qtbot, tmp_path, env):  # noqa: F811
    from minutes_app.gui.session_form import SessionForm

    store = env
    project = voice_project(tmp_path / "s1", np.zeros(16000, np.float32), [])
    form = SessionForm(tmp_path / "library")
    qtbot.addWidget(form)
    form.load(project)
    panel = form.consent
    panel.user = "Frau Roth"
    panel.by_edit.setText(CONSENT[0])
    panel.basis_edit.setText(CONSENT[1])
    panel.select(MAX)
    assert panel.record()
    entry = _trail(project)[-1]
    assert (entry.action, entry.target, entry.user) == (
        "einwilligung_erfasst",
        f"Stimmprofil {MAX}",
        "Frau Roth",
    )
    store.enrol(GREMIUM, MAX, [np.ones(192)], "s1", "SPEAKER_01", session_key(project))
    panel.select(MAX)
    assert panel.withdraw(ask=False)
    assert store.get(GREMIUM, MAX) is None  # deleted at once
    assert _trail(project)[-1].action == "einwilligung_widerrufen"

    # a new session not saved yet has no trail: the store's log alone notes the consent
    form.load(None)
    form.edits["committee"].setText(GREMIUM)
    form.attendees_edit.setPlainText("Eva Roth")
    panel.select("Eva Roth")
    assert panel.record() and store.get(GREMIUM, "Eva Roth") is not None
    assert "Eva Roth" not in json.dumps([e.to_dict() for e in _trail(project)], ensure_ascii=False)
