"""Project folder: schema version, atomic stage results, skipping and invalidation."""

from __future__ import annotations

import json
import os

import pytest

from minutes_app.base.errors import OutputError, ProjectError, UserError
from minutes_app.base.fileio import atomic_open, check_writable, write_json
from minutes_app.base.settings import Settings
from minutes_app.session.api import Session
from minutes_app.session.project import SCHEMA_VERSION, Project


@pytest.fixture
def audio(tmp_path):
    path = tmp_path / "sitzung.wav"
    path.write_bytes(b"RIFF....")
    return path


def test_create_and_reload(tmp_path, audio):
    project = Project.open_or_create(tmp_path / "p", audio)
    data = json.loads((tmp_path / "p" / "project.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["audio"]["path"] == str(audio.resolve())
    if os.name == "posix":
        assert (tmp_path / "p").stat().st_mode & 0o077 == 0
    Session(project).rename_speaker("SPEAKER_00", "Frau Weber")  # changes go through the session API
    assert Project.load(tmp_path / "p").speaker_names == {"SPEAKER_00": "Frau Weber"}


def test_stage_skip_and_invalidate(tmp_path, audio):
    project = Project.open_or_create(tmp_path / "p", audio)
    key = {"model": "whisper-base"}
    assert not project.is_done("asr", key)
    project.save_result("asr", key, {"segments": []})
    project.save_result("diarization", {"m": 1}, {"turns": []})
    assert project.is_done("asr", key)
    assert not project.is_done("asr", {"model": "large-v3"})
    project.save_result("align", {"m": 1}, {"segments": []})
    # Redoing ASR makes what is built on it stale, not the independent diarization.
    project.save_result("asr", key, {"segments": []})
    assert "align" not in project.data["stages"]
    assert "diarization" in project.data["stages"]
    project.invalidate("decode")
    assert project.data["stages"] == {}
    # A new recording invalidates everything.
    other = tmp_path / "andere.wav"
    other.write_bytes(b"x")
    project = Project.open_or_create(tmp_path / "p", other)
    assert project.data["stages"] == {}


def test_newer_and_corrupt_projects_are_refused_untouched(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "project.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(ProjectError, match="neueren Programmversion"):
        Project.load(folder)
    (folder / "project.json").write_text("{kaputt")
    with pytest.raises(ProjectError, match="beschädigt"):
        Project.load(folder)
    assert (folder / "project.json").read_text() == "{kaputt"
    with pytest.raises(ProjectError, match="kein Sitzungsprojekt"):
        Project.load(tmp_path / "leer")


def test_atomic_write_keeps_old_content_on_error(tmp_path):
    target = tmp_path / "a.json"
    write_json(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("{halb")
        raise RuntimeError("crash mid-write")
    assert json.loads(target.read_text()) == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_output_path_that_is_a_folder(tmp_path):
    with pytest.raises(OutputError, match="Ordner"):
        check_writable(tmp_path)


def test_output_below_a_file_is_refused(tmp_path):
    (tmp_path / "datei").write_text("x")
    with pytest.raises(OutputError, match="kann nicht geschrieben"):
        check_writable(tmp_path / "datei" / "out.docx")


def test_settings_defaults_env_and_migration(tmp_path, monkeypatch):
    monkeypatch.delenv("MINUTES_APP_MODELS", raising=False)
    monkeypatch.delenv("MINUTES_APP_THREADS", raising=False)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"model_dir": "/srv/modelle", "threads": "2"}))  # version 0 file
    settings = Settings.load(path)
    assert settings.get("models_dir") == "/srv/modelle"
    assert settings.get("threads") == 2
    assert settings.get("language") == "de"
    monkeypatch.setenv("MINUTES_APP_THREADS", "1")
    assert settings.get("threads") == 1
    settings.set("language", "auto")
    settings.save()
    saved = json.loads(path.read_text())
    assert saved["settings_version"] == 1 and saved["language"] == "auto"


def test_admin_defaults_and_locks(tmp_path, monkeypatch):
    monkeypatch.delenv("MINUTES_APP_THREADS", raising=False)
    system = tmp_path / "system.json"
    system.write_text(
        json.dumps(
            {
                "defaults": {"llm_server_url": "http://gpu-server:8000/v1", "threads": 4},
                "locked": ["llm_server_url", "language"],
            }
        )
    )
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"settings_version": 1, "llm_server_url": "http://anderswo", "threads": 1}))
    settings = Settings.load(user, system_path=system)
    assert (
        settings.get("llm_server_url") == "http://gpu-server:8000/v1"
    )  # locked: the user's value is ignored
    assert settings.get("threads") == 1  # not locked: the user's value wins over the admin default
    assert settings.get("language") == "de"  # locked to the declared default
    with pytest.raises(UserError, match="von der IT festgelegt"):
        settings.set("language", "auto")
    assert Settings.load(tmp_path / "fehlt.json", system_path=system).get("threads") == 4
    system.write_text("{kaputt")
    with pytest.raises(UserError, match="systemweite"):
        Settings.load(user, system_path=system)


def test_settings_dialog_shows_admin_locks(qtbot, tmp_path):
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.settings_dialog import SettingsDialog

    settings = Settings({}, tmp_path / "s.json", {"language": "de"}, frozenset({"language"}))
    dialog = SettingsDialog(settings, JobRunner(synchronous=True), store=None)
    qtbot.addWidget(dialog)
    assert not dialog.fields["language"].widget.isEnabled()
    assert dialog.fields["asr_model"].widget.isEnabled()
