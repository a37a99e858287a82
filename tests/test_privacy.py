"""Data protection: owner-only files, retention, deleting a session, objections (real files)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import types
from pathlib import Path

import numpy as np
import pytest
from support.sessions import with_header
from test_signoff import confirm_all, make_project

from minutes_app.audio import recorder as recorder_module
from minutes_app.audio.decode import decode_to_file
from minutes_app.audio.recorder import Recorder
from minutes_app.base.errors import ProjectError
from minutes_app.base.fileio import atomic_open, open_append, private_dirs
from minutes_app.base.settings import SETTINGS, Settings
from minutes_app.base.types import Diarization, Minutes, MinutesItem, Segment, Transcript
from minutes_app.session import audit, privacy, signoff
from minutes_app.session.editing import SessionDoc
from minutes_app.session.project import Project, list_projects
from minutes_app.session.result import load_session

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
SECRET = "Vertrauliche Wortmeldung von Frau Weber"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def loose_umask():
    """Umask 0: anything not set explicitly would come out world-readable."""
    old = os.umask(0)
    yield
    os.umask(old)


def settings(**values) -> Settings:
    return Settings({"retention_on_release": False, **values})


def recorded_project(tmp_path: Path, name: str = "s") -> Project:
    """A processed session whose recording lies inside its folder (as the recorder writes it)."""
    project = Project.create(tmp_path / "lib" / name, name="Rat 3/2025")
    wav = project.folder / "aufnahme-20250304-180000.wav"
    wav.write_bytes(b"RIFF0000WAVE")
    (project.folder / "aufnahme-20250304-180000.recording.json").write_text("{}", encoding="utf-8")
    project.set_audio(wav)
    project.pcm_path.write_bytes(b"\0" * 64)
    segs = [Segment(0, 0.0, 2.0, SECRET, [], "SPEAKER_00"), Segment(1, 2.0, 3.0, "Danke.", [], "SPEAKER_01")]
    project.save_result("decode", {"audio": project.data["audio"]}, None)
    project.save_result("asr", {}, Transcript("de", 3.0, segs, "whisper-base").to_dict())
    (project.folder / "asr.partial.json").write_text("{}", encoding="utf-8")
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result("align", {}, {"segments": [s.__dict__ | {"words": []} for s in segs]})
    items = [MinutesItem("1", "Radweg", discussion="Der Rat berät.", resolution="Beschlossen.")]
    project.save_result("draft", {}, Minutes(items).to_dict())
    return with_header(project)  # header and roster: nothing blocks the release


def release(project: Project) -> None:
    doc = SessionDoc.open(project.folder)
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    signoff.release(doc, "Herr Vorsitz")


# -- permissions -----------------------------------------------------------------------------------
def test_settings_are_declared_once_with_defaults():
    by_key = {s.key: s for s in SETTINGS}
    assert len(by_key) == len(SETTINGS)
    assert (by_key["retention_days"].type, by_key["retention_days"].default) == (int, 0)
    assert (by_key["retention_delete_transcript"].type, by_key["retention_delete_transcript"].default) == (
        bool,
        False,
    )
    assert by_key["retention_on_release"].default is True
    assert by_key["log_transcript_text"].default is False


@posix_only
def test_session_folders_and_files_are_owner_only_whatever_the_umask(tmp_path, loose_umask, shared_fixtures):
    outer = mode(tmp_path)
    data = tmp_path / "data"
    project = Project.create(data / "sessions" / "s1", name="Rat")
    assert mode(tmp_path) == outer  # an existing folder is not ours to change
    for folder in (data, data / "sessions", project.folder):
        assert mode(folder) == 0o700, folder
    assert mode(project.folder / "project.json") == 0o600
    assert mode(project.folder / "audit.jsonl") == 0o600  # created with the project
    project.save_result("asr", {}, Transcript("de", 1.0, []).to_dict())
    assert mode(project.stage_file("asr")) == 0o600
    audit.record(project, "export", "Niederschrift")
    assert mode(project.folder / "audit.jsonl") == 0o600
    decode_to_file(shared_fixtures / "audio" / "thorsten_1.wav", project.pcm_path)
    assert mode(project.pcm_path) == 0o600
    with atomic_open(tmp_path / "neu" / "tief" / "export.txt") as fh:
        fh.write("x")
    assert mode(tmp_path / "neu") == mode(tmp_path / "neu" / "tief") == 0o700
    assert mode(tmp_path / "neu" / "tief" / "export.txt") == 0o600
    with open_append(tmp_path / "log.jsonl") as fh:
        fh.write(b"{}\n")
    assert mode(tmp_path / "log.jsonl") == 0o600
    assert private_dirs(tmp_path / "neu") == tmp_path / "neu"  # existing: fine


class FakeSoundDevice:
    """Just enough of ``sounddevice`` for the recorder's file handling (no audio hardware)."""

    class PortAudioError(Exception):
        pass

    class CallbackAbort(Exception):
        pass

    def __init__(self) -> None:
        self.stream = None

    def query_devices(self, device=None, kind=None):
        return {"name": "Testmikrofon", "max_input_channels": 1, "default_samplerate": 16000.0, "index": 0}

    def check_input_settings(self, *args, **kwargs) -> None:
        return None

    def InputStream(self, **kwargs):  # noqa: N802 - the sounddevice name
        fake = self

        class Stream:
            def __init__(self) -> None:
                self.callback = kwargs["callback"]
                fake.stream = self

            def start(self) -> None: ...

            def stop(self) -> None: ...

            def abort(self) -> None: ...

            def close(self) -> None: ...

        return Stream()


@posix_only
def test_recorder_files_are_owner_only(tmp_path, loose_umask, monkeypatch):
    fake = FakeSoundDevice()
    monkeypatch.setattr(recorder_module, "_sd", lambda: fake)
    rec = Recorder(tmp_path / "neu" / "sitzung", chunk_seconds=0.1)
    rec.start()
    status = types.SimpleNamespace(input_overflow=False)
    for _ in range(5):
        fake.stream.callback(np.full((1600, 1), 1000, dtype=np.int16), 1600, None, status)
    rec.add_marker()
    assert rec.part_path is not None and mode(rec.part_path) == 0o600
    wav = rec.stop()
    sidecar = wav.with_name(wav.name.replace(".wav", ".recording.json"))
    assert wav.exists() and sidecar.exists()
    assert mode(wav) == mode(sidecar) == 0o600
    assert mode(tmp_path / "neu") == mode(tmp_path / "neu" / "sitzung") == 0o700


# -- retention -----------------------------------------------------------------------------------------
def test_retention_by_days_deletes_the_audio_in_the_folder(tmp_path):
    project = recorded_project(tmp_path)
    created = dt.datetime.fromisoformat(project.data["audio"]["added"])
    rules = settings(retention_days=30)
    assert privacy.apply_retention(project, rules, now=created + dt.timedelta(days=29)) == []
    assert project.pcm_path.exists() and project.has_audio
    assert privacy.apply_retention(project, settings(), now=created + dt.timedelta(days=400)) == []  # off

    for name in ("diarization.partial.json", "diarization.live.json"):  # speaker embeddings
        (project.folder / name).write_text("{}")
    removed = privacy.apply_retention(project, rules, now=created + dt.timedelta(days=31))
    assert sorted(removed) == [
        "audio.pcm",
        "aufnahme-20250304-180000.recording.json",
        "aufnahme-20250304-180000.wav",
        "diarization.live.json",
        "diarization.partial.json",
    ]
    names = {p.name for p in project.folder.iterdir()}
    assert not any(n.endswith((".wav", ".pcm")) or n.endswith(".recording.json") for n in names)
    assert {"asr.json", "align.json", "draft.json", "asr.partial.json"} <= names  # transcript kept
    assert not project.has_audio
    assert privacy.status_label(project) == "Audio gelöscht (Aufbewahrungsfrist)"
    reloaded = Project.load(project.folder)
    assert privacy.audio_deleted(reloaded) and not privacy.transcript_deleted(reloaded)
    last = audit.read(project)[-1]
    assert (last.action, last.target) == ("geloescht", "Audio")
    assert "30 Tagen abgelaufen" in last.note and "audio.pcm" in (last.before or "")
    # Nothing left to delete: no second entry.
    assert privacy.apply_retention(project, rules, now=created + dt.timedelta(days=60)) == []
    assert [e.action for e in audit.read(project)].count("geloescht") == 1


def test_retention_on_release_keeps_the_minutes_loadable_and_exportable(tmp_path):
    project = recorded_project(tmp_path)
    rules = Settings({"retention_delete_transcript": True})  # retention_on_release: on by default
    assert privacy.apply_retention(project, rules) == []  # not released yet
    release(project)
    project = Project.load(project.folder)
    assert privacy.apply_retention(project, rules) == []  # kept 30 days after the release (objections)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    removed = privacy.apply_retention(project, rules, now=later)
    assert "audio.pcm" in removed and {"asr.json", "align.json", "asr.partial.json"} <= set(removed)
    assert SECRET not in "".join(p.read_text("utf-8") for p in project.folder.glob("*.json"))
    assert privacy.status_label(project) == "Audio und Transkript gelöscht (Aufbewahrungsfrist)"
    entry = audit.read(project)[-1]
    assert entry.target == "Audio und Transkript" and "Niederschrift freigegeben" in entry.note
    assert (project.folder / "minutes_v1.json").exists()  # the frozen minutes stay

    result = load_session(Project.load(project.folder))
    assert result.segments == [] and result.minutes is not None
    assert result.minutes.agenda_items[0].resolution == "Beschlossen."
    from minutes_app.session.export import export_session

    written = export_session(result, "docx", tmp_path / "niederschrift.docx").written
    assert written[0].stat().st_size > 0
    assert SessionDoc.open(project.folder).locked  # the GUI still opens it
    assert privacy.apply_retention(Project.load(project.folder), rules, now=later) == []


def test_retention_after_release_is_a_setting_and_says_when(tmp_path):
    from minutes_app.session import retention

    project = recorded_project(tmp_path)
    rules = Settings({"retention_release_days": 14})
    assert retention.due(project, rules) is None and retention.due_label(project, rules) == ""
    assert "in 14" not in retention.release_plan(rules) and "(14 Tage)" in retention.release_plan(rules)
    release(project)
    project = Project.load(project.folder)
    when, reason = retention.due(project, rules)
    approved = dt.datetime.fromisoformat(signoff.status(project).approved_at)
    assert when == approved + dt.timedelta(days=14) and "freigegeben" in reason
    assert retention.due_label(project, rules) == f"Audio wird am {when.strftime('%d.%m.%Y')} gelöscht"
    assert privacy.apply_retention(project, rules, now=when - dt.timedelta(minutes=1)) == []
    assert retention.audio_gone(project) is None
    assert privacy.apply_retention(project, rules, now=when + dt.timedelta(minutes=1))
    assert "gelöscht" in retention.audio_gone(Project.load(project.folder))
    now = Settings({"retention_release_days": 0})
    assert retention.release_plan(now) == "Die Aufnahme wird bei der Freigabe sofort gelöscht."
    assert "nicht gelöscht" in retention.release_plan(Settings({"retention_on_release": False}))


def test_imported_file_outside_the_folder_is_never_deleted(tmp_path):
    project = make_project(tmp_path)  # audio: tmp_path/a.wav, outside the session folder
    project.pcm_path.write_bytes(b"\0" * 16)
    external = tmp_path / "a.wav"
    created = dt.datetime.fromisoformat(project.data["created"])
    removed = privacy.apply_retention(project, settings(retention_days=1), now=created + dt.timedelta(days=2))
    assert external.read_bytes() == b"RIFF"
    assert removed[0] == "audio.pcm"
    assert "außerhalb des Sitzungsordners" in removed[1] and str(external) in removed[1]
    assert not project.has_audio and not project.pcm_path.exists()
    assert "nur der Verweis wurde entfernt" in audit.read(project)[-1].note


def test_a_recording_in_progress_is_left_alone(tmp_path, monkeypatch):
    project = recorded_project(tmp_path)
    part = project.folder / "aufnahme-20250305-100000.part.wav"
    part.write_bytes(b"RIFF")
    from minutes_app.audio import wavfile

    monkeypatch.setattr(wavfile, "is_locked", lambda path: path == part)
    created = dt.datetime.fromisoformat(project.data["created"])
    removed = privacy.apply_retention(project, settings(retention_days=1), now=created + dt.timedelta(days=9))
    assert part.exists() and "audio.pcm" in removed


def test_sweep_tightens_modes_applies_retention_and_skips_broken_sessions(tmp_path):
    due = recorded_project(tmp_path, "alt")
    fresh = recorded_project(tmp_path, "neu")
    broken = tmp_path / "lib" / "kaputt"
    broken.mkdir()
    (broken / "project.json").write_text("{kaputt", encoding="utf-8")
    if os.name == "posix":
        os.chmod(fresh.stage_file("asr"), 0o644)
    due.data["created"] = "2020-01-01T00:00:00+00:00"
    due.data["audio"]["added"] = "2020-01-02T00:00:00+00:00"
    due.save()
    results = privacy.sweep(tmp_path / "lib", settings(retention_days=30))
    assert list(results) == [due.folder] and "audio.pcm" in results[due.folder]
    assert fresh.pcm_path.exists()
    if os.name == "posix":
        assert mode(fresh.stage_file("asr")) == 0o600 and mode(tmp_path / "lib") == 0o700
    assert privacy.sweep(tmp_path / "fehlt", settings()) == {}


def test_nothing_logs_transcript_text(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    project = recorded_project(tmp_path)
    release(project)
    privacy.sweep(tmp_path / "lib", Settings({"retention_delete_transcript": True}))
    privacy.delete_session(project.folder)
    assert SECRET not in caplog.text
    assert privacy.loggable(SECRET) == f"<Text ausgeblendet, {len(SECRET)} Zeichen>"
    assert privacy.loggable(SECRET, Settings({"log_transcript_text": True})) == SECRET


# -- deleting a session ----------------------------------------------------------------------------------
def test_delete_session_removes_the_folder_but_nothing_outside(tmp_path):
    project = make_project(tmp_path)
    elsewhere = tmp_path / "woanders.txt"
    elsewhere.write_text("bleibt", encoding="utf-8")
    (project.folder / "unter").mkdir()
    (project.folder / "unter" / "notiz.txt").write_text("x", encoding="utf-8")
    if os.name == "posix":
        (project.folder / "link.txt").symlink_to(elsewhere)
    removed = privacy.delete_session(project)
    assert "project.json" in removed and "asr.json" in removed and "audit.jsonl" in removed
    # Only the session's own files: what the user put in the folder stays (issue 15), links too.
    assert "unter/notiz.txt" not in removed and (project.folder / "unter" / "notiz.txt").exists()
    assert (
        sorted(p.name for p in project.folder.iterdir())
        == ["link.txt", "unter"][: 2 if os.name == "posix" else 1]
    )
    assert elsewhere.read_text("utf-8") == "bleibt" and (tmp_path / "a.wav").exists()
    assert list_projects(tmp_path) == []
    (tmp_path / "sauber").mkdir()
    clean = make_project(tmp_path / "sauber")
    privacy.delete_session(clean)
    assert not clean.folder.exists()  # nothing else in it: the folder goes too

    other = tmp_path / "kein-projekt"
    other.mkdir()
    (other / "wichtig.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ProjectError, match="kein Sitzungsordner"):
        privacy.delete_session(other)
    assert (other / "wichtig.txt").exists()


def test_delete_session_also_removes_a_released_session(tmp_path):
    project = recorded_project(tmp_path)
    release(project)
    removed = privacy.delete_session(Project.load(project.folder))
    assert "minutes_v1.json" in removed and "audit.jsonl" in removed
    assert not project.folder.exists()


# -- objections ------------------------------------------------------------------------------------------
def test_objecting_speaker_is_excluded_and_recorded(tmp_path):
    project = make_project(tmp_path)
    segments = SessionDoc.open(project.folder).segments
    assert privacy.excluded_segments(project, segments) == (segments, 0)
    assert privacy.set_objection(project, "SPEAKER_01", True, user="Frau Schrift")
    assert not privacy.set_objection(project, "SPEAKER_01", True)  # no change, no entry
    reloaded = Project.load(project.folder)
    assert json.loads((project.folder / "project.json").read_text())["objected_speakers"] == ["SPEAKER_01"]
    kept, excluded = privacy.excluded_segments(reloaded, segments)
    assert [s.speaker for s in kept] == ["SPEAKER_00"] and excluded == 1
    entry = audit.read(project)[-1]
    assert (entry.action, entry.target, entry.user) == ("widerspruch", "Sprecher SPEAKER_01", "Frau Schrift")
    assert entry.after == "widerspricht der Aufzeichnung"
    assert privacy.set_objection(project, "SPEAKER_01", False)
    assert privacy.excluded_segments(Project.load(project.folder), segments) == (segments, 0)


def test_objection_returns_reviewed_minutes_to_draft_and_is_refused_when_released(tmp_path):
    project = make_project(tmp_path)
    doc = SessionDoc.open(project.folder)
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    assert privacy.set_objection(doc.project, "SPEAKER_00", True)
    assert signoff.state(doc.project) == signoff.ENTWURF
    assert [e.action for e in audit.read(project)][-2:] == ["widerspruch", "status_geaendert"]
    signoff.mark_reviewed(doc, "Frau Schrift")
    signoff.release(doc, "Herr Vorsitz")
    with pytest.raises(signoff.LockedError):
        privacy.set_objection(doc.project, "SPEAKER_01", True)
    assert doc.project.objected_speakers == ["SPEAKER_00"]
