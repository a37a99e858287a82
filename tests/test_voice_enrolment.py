"""Every path that confirms a speaker name enrols the voice profile (with consent), and a
changed or undone name takes that speaker's part back out of the wrong profile.

Real CAM++ model, real speech (AMI dev00, first 30 s: MEE009 and MEE012), the GUI offscreen.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from minutes_app.base.types import Attendee, Diarization, Segment, SessionInfo, Transcript, Word
from minutes_app.diarization.devdata import load_audio
from minutes_app.diarization.metrics import read_rttm
from minutes_app.session import audit
from minutes_app.session.api import Session
from minutes_app.session.profiles import ProfileStore
from minutes_app.session.project import Project

GREMIUM = "Bauausschuss"
PEOPLE = {"MEE009": "Anna Berg", "MEE012": "Max Schnell"}
IDS = {"MEE009": "SPEAKER_00", "MEE012": "SPEAKER_01"}
CONSENT = ("Frau Roth (Schriftführung)", "schriftlich, 03.12.2026")


@pytest.fixture(scope="module")
def dev00(shared_fixtures):
    audio = shared_fixtures / "audio"
    turns = [t for t in read_rttm(audio / "pyannote_dev.rttm")["dev00"] if t.end <= 30.0]
    return load_audio(audio / "pyannote_dev00.wav")[: 30 * 16000], turns


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Settings with voice profiles on, the store in the admin's shared folder."""
    monkeypatch.setenv("MINUTES_APP_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("MINUTES_APP_DATA", str(tmp_path / "data"))
    (tmp_path / "config").mkdir()
    settings = {"voice_profiles": True, "voice_profiles_dir": str(tmp_path / "shared")}
    (tmp_path / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    return ProfileStore(tmp_path / "shared" / "voice_profiles", user="Schriftführung")


def voice_project(folder: Path, samples: np.ndarray, turns: list) -> Project:
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / "a.wav"
    wav.write_bytes(b"RIFF")
    project = Project.open_or_create(folder / "p", wav)
    samples.astype(np.float32).tofile(project.pcm_path)
    segs = [
        Segment(i, t.start, t.end, "Ja.", [Word(t.start, t.end, "Ja.", 0.9)], IDS[t.speaker])
        for i, t in enumerate(turns)
    ]
    project.save_result("asr", {}, Transcript("de", 30.0, segs).to_dict())
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result("align", {}, {"segments": [dataclasses.asdict(s) for s in segs]})
    project.info = SessionInfo(committee=GREMIUM)
    project.attendees = [Attendee(n) for n in PEOPLE.values()] + [Attendee("Eva Roth")]
    project.save()
    return project


class SilentStream:
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def parts_of(store: ProfileStore, person: str) -> list[tuple[str, int]]:
    profile = store.get(GREMIUM, person)
    assert profile is not None
    return [(x["speaker"], x["count"]) for x in profile.parts]


def test_cli_roster_consent_speakers_set_rename_and_withdraw(tmp_path, env, dev00, capsys):
    from minutes_app.cli.main import main

    store = env
    project = voice_project(tmp_path / "s1", *dev00)
    folder = str(project.folder)
    assert main(["profiles", "roster", "--project", folder]) == 0
    assert "Anna Berg\tkeine Einwilligung" in capsys.readouterr().out
    consent = ["--erfasst-von", CONSENT[0], "--grundlage", CONSENT[1]]
    for person in PEOPLE.values():
        assert main(["profiles", "consent", "--project", folder, "--person", person, *consent]) == 0
    assert main(["profiles", "consent", "--project", folder, "--person", "Fremd", *consent]) == 2
    assert "steht nicht in der Anwesenheitsliste" in capsys.readouterr().err
    assert main(["profiles", "roster", "--project", folder]) == 0
    roster = capsys.readouterr().out
    assert f"Anna Berg\tEinwilligung erfasst von {CONSENT[0]} am " in roster
    assert f"({CONSENT[1]}); noch nicht angelernt" in roster
    assert "Eva Roth\tkeine Einwilligung" in roster

    # `speakers --set` confirms the name: the profile learns that speaker's speech
    assert main(["speakers", folder, "--set", "SPEAKER_00=Anna Berg"]) == 0
    assert "Stimmprofil von Anna Berg aus" in capsys.readouterr().out
    [(speaker, count)] = parts_of(store, "Anna Berg")
    assert speaker == "SPEAKER_00" and count >= 3
    assert store.get(GREMIUM, "Anna Berg").count == count

    # the name was wrong: renamed to Max, Anna's profile loses the part, Max's gets it
    assert main(["speakers", folder, "--set", "SPEAKER_00=Max Schnell"]) == 0
    assert "Stimmprofil von Anna Berg: Abschnitte von SPEAKER_00 entfernt." in capsys.readouterr().out
    anna = store.get(GREMIUM, "Anna Berg")
    assert anna is not None and not anna.enrolled and anna.parts == []  # consent stays
    assert parts_of(store, "Max Schnell") == [("SPEAKER_00", count)]
    actions = [e.action for e in audit.read(Project.load(folder))]
    assert actions.count("stimmprofil_aktualisiert") == 2
    assert actions.count("stimmprofil_zurueckgenommen") == 1
    logged = [line["action"] for line in store.audit_lines(GREMIUM, "Anna Berg")]
    assert logged == ["einwilligung_erfasst", "stimmprofil_aktualisiert", "stimmprofil_zurueckgenommen"]

    # `profiles show` lists the parts (session, speaker, count), never the numbers
    assert main(["profiles", "show", "--project", folder, "--person", "Max Schnell"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["teile"][0]["speaker"] == "SPEAKER_00" and "vector" not in json.dumps(shown)

    # confirming the same name again replaces the part, it is not counted twice
    assert main(["speakers", folder, "--set", "SPEAKER_00=Max Schnell"]) == 0
    assert parts_of(store, "Max Schnell") == [("SPEAKER_00", count)]

    # withdrawing consent deletes the profile at once
    assert main(["profiles", "withdraw", "--project", folder, "--person", "Max Schnell"]) == 0
    assert store.get(GREMIUM, "Max Schnell") is None
    assert store.audit_lines(GREMIUM, "Max Schnell")[-1]["note"] == "Einwilligung widerrufen"
    assert "vector" not in json.dumps(store.audit_lines())


def test_cli_speakers_set_stores_nothing_when_switched_off(tmp_path, env, dev00, capsys):
    from minutes_app.cli.main import main

    env.record_consent(GREMIUM, "Anna Berg", *CONSENT)
    (tmp_path / "config" / "settings.json").write_text('{"voice_profiles": false}', encoding="utf-8")
    folder = str(voice_project(tmp_path / "s1", *dev00).folder)
    assert main(["speakers", folder, "--set", "SPEAKER_00=Anna Berg"]) == 0
    assert "Stimmprofil" not in capsys.readouterr().out
    assert not env.get(GREMIUM, "Anna Berg").enrolled
    assert main(["profiles", "roster", "--project", folder]) == 0
    assert "ausgeschaltet" in capsys.readouterr().out


def test_old_profile_without_parts_is_kept_as_one_part(tmp_path, env, dev00, model_path):
    store = env
    store.record_consent(GREMIUM, "Anna Berg", *CONSENT)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    data["profiles"][0].update(vector=[1.0] + [0.0] * 191, count=4, sessions=["Sitzung Mai"])
    store.path.write_text(json.dumps(data), encoding="utf-8")  # a profile from before parts
    session = Session(voice_project(tmp_path / "s1", *dev00), user="Schriftführung")
    session.rename_speaker("SPEAKER_00", "Anna Berg", store)
    profile = store.get(GREMIUM, "Anna Berg")
    assert [x["speaker"] for x in profile.parts] == ["", "SPEAKER_00"]
    assert profile.count == 4 + profile.parts[1]["count"] and profile.sessions[0] == "Sitzung Mai"
    session.rename_speaker("SPEAKER_00", "", store)  # name removed: only this session's part goes
    profile = store.get(GREMIUM, "Anna Berg")
    assert profile.count == 4 and np.allclose(profile.vector[:2], [1.0, 0.0])


def test_gui_rename_enrols_in_the_background_job_and_undo_takes_it_back(
    qtbot, tmp_path, env, dev00, model_path
):
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

    # „Übernehmen“ of a suggestion / the rename dialog: the name is saved, the profile learns
    assert view.rename_speaker("SPEAKER_01", "Max Schnell")
    assert not doc.dirty
    [(speaker, count)] = parts_of(store, "Max Schnell")
    assert speaker == "SPEAKER_01" and count >= 1
    assert "Stimmprofil von Max Schnell" in view.status.text()

    # undo: the name goes, and so does the part it taught
    stack.undo()
    assert Project.load(project.folder).speaker_names.get("SPEAKER_01", "") == ""
    assert parts_of(store, "Max Schnell") == []
    stack.redo()
    assert parts_of(store, "Max Schnell") == [("SPEAKER_01", count)]

    # the name corrected to another person: the part moves; undo moves it back
    assert view.rename_speaker("SPEAKER_01", "Anna Berg")
    assert parts_of(store, "Max Schnell") == [] and parts_of(store, "Anna Berg") == [("SPEAKER_01", count)]
    stack.undo()
    assert parts_of(store, "Anna Berg") == [] and parts_of(store, "Max Schnell") == [("SPEAKER_01", count)]
    actions = [e.action for e in audit.read(Project.load(project.folder))]
    assert actions.count("stimmprofil_zurueckgenommen") == 3
    assert actions.count("stimmprofil_aktualisiert") == 4

    # a name given while assigning segments to a new speaker confirms it too; undo takes it back
    longest = max((s for s in doc.segments if s.speaker == "SPEAKER_00"), key=lambda s: s.end - s.start)
    assert assign(stack, doc, [longest.id], "SPEAKER_02", "Anna Berg") == 1
    assert [x for x, _ in parts_of(store, "Anna Berg")] == ["SPEAKER_02"]
    stack.undo()
    assert parts_of(store, "Anna Berg") == []


def test_gui_session_form_records_and_withdraws_consent(qtbot, tmp_path, env):
    from minutes_app.gui.session_form import SessionForm

    store = env
    project = voice_project(tmp_path / "s1", np.zeros(16000, np.float32), [])
    form = SessionForm(tmp_path / "library")
    qtbot.addWidget(form)
    form.load(project)
    panel = form.consent
    assert panel.list.isEnabled() and panel.list.count() == 3
    assert panel.list.item(0).text() == "Anna Berg: keine Einwilligung"
    panel.by_edit.setText(CONSENT[0])
    panel.basis_edit.setText(CONSENT[1])
    panel.select("Anna Berg")
    assert panel.record()
    assert store.get(GREMIUM, "Anna Berg").consent.recorded_by == CONSENT[0]
    assert panel.list.item(0).text().startswith(f"Anna Berg: Einwilligung erfasst von {CONSENT[0]} am ")
    panel.basis_edit.setText("")
    panel.select("Eva Roth")
    assert not panel.record()  # the basis is required
    assert "Grundlage" in panel.status.text() and store.get(GREMIUM, "Eva Roth") is None

    # withdrawing deletes the profile at once
    store.enrol(GREMIUM, "Anna Berg", [np.ones(192)], "s1", "SPEAKER_00", "k")
    panel.select("Anna Berg")
    assert panel.withdraw(ask=False)
    assert store.get(GREMIUM, "Anna Berg") is None
    assert panel.list.item(0).text() == "Anna Berg: keine Einwilligung"

    # another Gremium in the Kopf: its own consents; none typed: the panel says what is missing
    form.edits["committee"].setText("")
    assert not panel.list.isEnabled() and "Gremium" in panel.note.text()

    # switched off: disabled, with the reason
    (tmp_path / "config" / "settings.json").write_text('{"voice_profiles": false}', encoding="utf-8")
    form.load(project)
    assert not panel.record_button.isEnabled() and panel.list.count() == 0
    assert "ausgeschaltet" in panel.note.text()
