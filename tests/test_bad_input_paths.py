"""Bad-input catalogue, part 4: paths and the user's files (issue 15, items 3, 7, 8; docs/reliability.md).

Classes, each with several members:

- writes outside the session folder, whatever ``project.json`` names (``../..``, absolute,
  a link out of the folder);
- an output that is an input of the same command, a file of a session, a special file
  (device node, FIFO, socket, folder) or a link: refused before any work, nothing changed;
- ``--project``: a folder that is not empty and not a session is refused, modes of folders the
  app did not create stay as they were; retention and deletion remove only the session's files;
- a moved recording with the same content redoes nothing; other content keeps the corrections
  as a version.

The CLI cases fail before a model is loaded, so they stay cheap.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import stat
from pathlib import Path

import docx
import pytest
from support.sessions import processed_project
from test_bad_input_media import encode, run_cli
from test_signoff import make_project

from minutes_app.base.errors import OutputError
from minutes_app.base.fileio import check_output, check_outputs, child_path
from minutes_app.base.settings import Settings
from minutes_app.session import privacy, signoff
from minutes_app.session.project import Project

SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "audio"

OLD = b"Von Hand korrigiert, bitte nicht verlieren"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def released(tmp_path: Path) -> Project:
    """A released session as project.json says (``--neue-version`` must then write the frozen copy)."""
    project = make_project(tmp_path)
    project.data["signoff"] = {
        "state": "freigegeben",
        "version": 1,
        "approved_by": "Herr Vorsitz",
        "frozen": {"file": "minutes_v1.json", "sha256": ""},
        "history": [],
    }
    project.save()
    return project


# -- writes outside the session folder ------------------------------------------------------------
@pytest.mark.parametrize(
    "crafted", ["../../../entkommen.json", "ABS", "unter/../../x.json", "minutes_v1.json/../a"]
)
def test_new_version_never_writes_where_a_crafted_project_file_points(tmp_path: Path, crafted: str) -> None:
    project = released(tmp_path)
    outside = tmp_path / "aussen" / "entkommen.json"
    name = str(outside) if crafted == "ABS" else crafted
    project.data["signoff"]["frozen"]["file"] = name
    project.save()
    before = {p for p in tmp_path.rglob("*")}
    proc = run_cli("signoff", str(project.folder), "--neue-version", "Berichtigung", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    created = {p for p in tmp_path.rglob("*")} - before
    assert created and all(p.parent == project.folder for p in created), created
    assert (project.folder / "minutes_v1.json").is_file() and not outside.parent.exists()
    history = Project.load(project.folder).data["signoff"]["history"]
    assert history[-1]["file"] == "minutes_v1.json"


def test_frozen_copy_is_not_written_through_a_link(tmp_path: Path) -> None:
    project = released(tmp_path)
    outside = tmp_path / "aussen" / "fremd.json"
    (project.folder / "minutes_v1.json").symlink_to(outside)  # dangling: "missing", so it would be written
    proc = run_cli("signoff", str(project.folder), "--neue-version", "Berichtigung", cwd=tmp_path)
    assert proc.returncode == 2 and "nicht geschrieben" in proc.stderr and "Traceback" not in proc.stderr
    assert not outside.parent.exists()
    assert signoff.state(Project.load(project.folder)) == signoff.FREIGEGEBEN  # nothing changed


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "", "a/../../b", "..\\b"])
def test_child_path_refuses_names_that_leave_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match="ungültig"):
        child_path(tmp_path, name)
    (tmp_path / "link").symlink_to(tmp_path.parent)
    with pytest.raises(OutputError, match="Verknüpfung"):
        child_path(tmp_path, "link/x.json")
    assert child_path(tmp_path, "versions/1/asr.json") == tmp_path / "versions" / "1" / "asr.json"


# -- outputs that would destroy something: one check, before any work ------------------------------
def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"ziel-{kind}"
    if kind == "ordner":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "geraet":
        return Path("/dev/null")  # only checked, never written (the check comes first)
    elif kind == "link":
        (tmp_path / "echt.txt").write_bytes(OLD)
        path.symlink_to(tmp_path / "echt.txt")
    elif kind == "toter-link":
        path.symlink_to(tmp_path / "fehlt" / "x")
    return path


@pytest.mark.parametrize("kind", ["ordner", "fifo", "socket", "geraet", "link", "toter-link"])
def test_special_places_are_refused_as_output(tmp_path: Path, kind: str) -> None:
    path = _special(tmp_path, kind)
    before = os.lstat(path)
    with pytest.raises(OutputError) as exc:
        check_output(path)
    assert str(path) in str(exc.value)
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino, after.st_mtime_ns) == (
        before.st_mode,
        before.st_ino,
        before.st_mtime_ns,
    )
    assert not (tmp_path / "fehlt").exists() and sorted(tmp_path.glob(".*")) == []


def test_inputs_and_session_files_are_refused_as_output(tmp_path: Path) -> None:
    audio = tmp_path / "rat.wav"
    audio.write_bytes(OLD)
    twin = tmp_path / "zweiter-name.wav"
    os.link(audio, twin)  # a hard link is the same file
    for output, inputs in ((audio, [audio]), (twin, [audio]), (tmp_path / "." / "rat.wav", [str(audio)])):
        with pytest.raises(OutputError, match="zugleich eine Eingabe"):
            check_output(output, inputs)
    (tmp_path / "s").mkdir()
    project = make_project(tmp_path / "s")
    for name in ("project.json", "audit.jsonl", "asr.json", "draft.json", "minutes_v3.json", "session.lock"):
        with pytest.raises(OutputError, match="Datei eines Sitzungsprojekts"):
            check_output(project.folder / name)
    with pytest.raises(OutputError, match="Datei eines Sitzungsprojekts"):
        check_output(project.folder / "versions" / "x.json")
    with pytest.raises(OutputError, match="mehrfach"):
        check_outputs([tmp_path / "a.docx", tmp_path / "." / "a.docx"])
    check_outputs([tmp_path / "a.docx", project.folder / "export.docx"], [audio])  # ordinary outputs pass
    assert audio.read_bytes() == OLD


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode(tmp_path_factory.mktemp("rec") / "rat.wav", "pcm_s16le", seconds=1.0)


def _refused(proc, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Interner Fehler" not in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_cli_outputs_equal_to_inputs_are_refused_before_any_work(tmp_path: Path, recording: Path) -> None:
    audio = shutil.copy(recording, tmp_path / "rat.wav")
    agenda = tmp_path / "einladung.txt"
    agenda.write_text("TOP 1: Eröffnung\n", encoding="utf-8")
    before = tree_bytes(tmp_path)
    _refused(run_cli("transcribe", str(audio), "-o", str(audio), cwd=tmp_path), "zugleich eine Eingabe")
    fifo = _special(tmp_path, "fifo")  # refused without opening it: nothing blocks
    _refused(run_cli("diarize", str(audio), "--rttm", str(fifo), cwd=tmp_path), "keine gewöhnliche Datei")
    project = tmp_path / "projekt"
    _refused(
        run_cli(
            "run",
            str(audio),
            "--agenda",
            str(agenda),
            "-o",
            str(agenda),
            "--project",
            str(project),
            cwd=tmp_path,
        ),
        "zugleich eine Eingabe",
    )
    _refused(run_cli("run", str(audio), "-o", "a.docx", "--json", "a.docx", cwd=tmp_path), "mehrfach")
    (tmp_path / "n_TeilB_nichtoeffentlich.docx").symlink_to(audio)  # the file written beside the DOCX
    _refused(
        run_cli("run", str(audio), "-o", "n.docx", "--project", str(project), cwd=tmp_path), "Verknüpfung"
    )
    assert tree_bytes(tmp_path) == before and not project.exists()


def test_cli_session_files_are_refused_as_export_and_audit_output(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    template = tmp_path / "stadt.dotx"
    template.write_bytes(OLD)
    before = tree_bytes(tmp_path)
    folder = str(project.folder)
    for fmt, target in (("json", "project.json"), ("txt", "audit.jsonl"), ("srt", "asr.json")):
        proc = run_cli("export", folder, "--format", fmt, "-o", str(project.folder / target), cwd=tmp_path)
        _refused(proc, "Datei eines Sitzungsprojekts")
    proc = run_cli(
        "export", folder, "--format", "docx", "--template", str(template), "-o", str(template), cwd=tmp_path
    )
    _refused(proc, "zugleich eine Eingabe")
    proc = run_cli(
        "signoff", folder, "--pruefen", "--audit", str(project.folder / "audit.jsonl"), cwd=tmp_path
    )
    _refused(proc, "Datei eines Sitzungsprojekts")
    assert tree_bytes(tmp_path) == before  # not even the review step happened


def test_cli_model_bundle_is_not_written_into_the_store_or_a_fifo(tmp_path: Path) -> None:
    store = tmp_path / "modelle"
    store.mkdir()
    env = {"MINUTES_APP_MODELS": str(store)}
    proc = run_cli(
        "models", "bundle", "--profile", "test", "-o", str(store / "paket.zip"), cwd=tmp_path, env=env
    )
    _refused(proc, "Modellspeicher")
    fifo = _special(tmp_path, "fifo")
    _refused(run_cli("models", "bundle", "-o", str(fifo), cwd=tmp_path, env=env), "keine gewöhnliche Datei")
    assert list(store.iterdir()) == []


# -- the project folder -------------------------------------------------------------------------------
def test_cli_a_folder_with_other_files_is_not_made_a_project(tmp_path: Path, recording: Path) -> None:
    folder = tmp_path / "Dokumente"
    folder.mkdir()
    (folder / "urlaub.mp4").write_bytes(OLD)
    (folder / "andere-sitzung.wav").write_bytes(OLD)
    os.chmod(folder, 0o755)
    before = tree_bytes(folder)
    for project in (folder, folder / "urlaub.mp4"):
        proc = run_cli(
            "run", str(recording), "-o", str(tmp_path / "e.docx"), "--project", str(project), cwd=tmp_path
        )
        _refused(proc, str(project))
    assert tree_bytes(folder) == before and stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_an_existing_empty_folder_keeps_its_mode_even_when_the_run_fails(
    tmp_path: Path, recording: Path
) -> None:
    folder = tmp_path / "leer"
    folder.mkdir()
    os.chmod(folder, 0o750)
    env = {"MINUTES_APP_MODELS": str(tmp_path / "keine-modelle")}  # the run fails after the project exists
    proc = run_cli(
        "run", str(recording), "-o", str(tmp_path / "e.docx"), "--project", str(folder), cwd=tmp_path, env=env
    )
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750
    assert Project.load(folder).data["folder_created"] is False
    new = Project.create(tmp_path / "neu" / "sitzung")
    assert stat.S_IMODE(new.folder.stat().st_mode) == 0o700 and new.data["folder_created"] is True


def test_retention_and_delete_remove_only_the_sessions_own_files(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "lib" / "s", name="Rat")
    rec = project.folder / "aufnahme-20250304-180000.wav"  # made by the recorder: its sidecar says so
    rec.write_bytes(b"RIFF0000WAVE")
    (project.folder / "aufnahme-20250304-180000.recording.json").write_text("{}", encoding="utf-8")
    project.set_audio(rec)
    project.pcm_path.write_bytes(b"\0" * 64)
    outside = tmp_path / "privat"
    outside.mkdir()
    (outside / "x.wav").write_bytes(OLD)
    foreign = {"urlaub.mp4": OLD, "andere-sitzung.wav": OLD, "notiz.pcm": OLD}
    for name, data in foreign.items():
        (project.folder / name).write_bytes(data)
    (project.folder / "draft.partial.json").symlink_to(outside / "x.wav")  # a link with a session name
    project.data["files"] += ["../../privat/x.wav", str(outside / "x.wav"), "urlaub.mp4/../../privat/x.wav"]
    project.save()
    created = dt.datetime.fromisoformat(project.data["audio"]["added"])
    removed = privacy.apply_retention(
        project,
        Settings({"retention_on_release": False, "retention_days": 1}),
        now=created + dt.timedelta(days=2),
    )
    assert sorted(removed) == [
        "audio.pcm",
        "aufnahme-20250304-180000.recording.json",
        "aufnahme-20250304-180000.wav",
    ]
    assert all((project.folder / n).read_bytes() == d for n, d in foreign.items())
    assert (outside / "x.wav").read_bytes() == OLD
    removed = privacy.delete_session(Project.load(project.folder))
    assert "project.json" in removed and not any(n in removed for n in foreign)
    left = sorted(p.name for p in project.folder.iterdir())
    assert left == sorted([*foreign, "draft.partial.json"]) and (outside / "x.wav").read_bytes() == OLD


def test_a_users_recording_in_the_folder_is_never_deleted_by_retention(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "s")
    mine = project.folder / "mitschnitt.wav"  # put there by the user, no recorder sidecar
    mine.write_bytes(OLD)
    project.set_audio(mine)
    removed = privacy.apply_retention(
        project, Settings({"retention_days": 1}), now=dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    )
    assert mine.read_bytes() == OLD and not project.has_audio
    assert any("nicht von der Sitzung angelegt" in line for line in removed)
    assert project.data["audio"] == {"sha256": project.data["audio"]["sha256"]}  # known again if re-attached


# -- nothing lost on a re-run: the recording is known by its content -----------------------------------
CORRECTED = "Guten Abend, meine Damen und Herren."


def corrected_session(tmp_path: Path) -> Project:
    """A processed session whose decode stage is done and whose transcript the secretary corrected."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    project = processed_project(tmp_path)
    project.data["stages"]["decode"] = {"key": {"audio": project.data["audio"]}, "finished": "2025-03-04"}
    project.pcm_path.write_bytes(b"\0" * 64)
    align = project.load_result("align")
    align["segments"][0]["text"] = CORRECTED
    (project.folder / "align.json").write_text(json.dumps(align), encoding="utf-8")
    project.save()
    return Project.load(project.folder)


def _moved(audio: Path, how: str) -> Path:
    if how == "umbenannt":
        return audio.rename(audio.with_name("Ratssitzung 4.3..wav"))
    if how == "anderer-ordner":
        target = audio.parent / "archiv" / "2025" / audio.name
        target.parent.mkdir(parents=True)
        shutil.copy2(audio, target)
        audio.unlink()
        return target
    if how == "kopie-neuer-zeitstempel":
        target = audio.parent / "kopie.wav"
        target.write_bytes(audio.read_bytes())
        os.utime(target, (1e9, 1e9))
        return target
    os.utime(audio, (2e9, 2e9))  # "beruehrt": same place, new time stamp
    return audio


@pytest.mark.parametrize("how", ["umbenannt", "anderer-ordner", "kopie-neuer-zeitstempel", "beruehrt"])
def test_same_recording_elsewhere_redoes_nothing(tmp_path: Path, how: str) -> None:
    project = corrected_session(tmp_path)
    stages = json.loads(json.dumps(project.data["stages"]))
    results = {
        name: (project.folder / name).read_bytes() for name in ("asr.json", "align.json", "draft.json")
    }
    new = _moved(tmp_path / "a.wav", how)
    again = Project.open_or_create(project.folder, new)
    assert again.audio_change is not None and again.audio_change.kind in ("verschoben", "gleich")
    assert again.audio_path == new.resolve() and again.is_done("decode", {"audio": again.data["audio"]})
    for stage in ("asr", "diarization", "align", "draft"):
        assert again.data["stages"][stage] == stages[stage]  # nothing redone, same finished stamps
    assert {n: (project.folder / n).read_bytes() for n in results} == results
    assert not (project.folder / "versions").exists()
    if how != "beruehrt":
        assert "dieselbe wie bisher" in again.audio_change.message


def test_other_content_keeps_the_corrections_as_a_version(tmp_path: Path) -> None:
    project = corrected_session(tmp_path)
    corrected = (project.folder / "align.json").read_bytes()
    other = tmp_path / "b.wav"
    other.write_bytes(b"RIFF-eine-andere-Aufnahme")
    again = Project.open_or_create(project.folder, other)
    change = again.audio_change
    assert change is not None and change.kind == "anders" and change.kept is not None
    assert "anderen Inhalt" in change.message and str(change.kept) in change.message
    assert (change.kept / "align.json").read_bytes() == corrected
    assert {p.name for p in change.kept.iterdir()} == {
        "asr.json",
        "diarization.json",
        "align.json",
        "draft.json",
        "project.json",
    }
    assert again.data["stages"] == {}
    kept = {p for p in again.own_files() if "versions" in p.parts}
    assert len(kept) == 5  # recorded as the session's own files: deleted with the session
    privacy.delete_session(again)
    assert not again.folder.exists() and other.exists()


def test_a_project_of_an_earlier_version_learns_the_content_and_keeps_its_results(tmp_path: Path) -> None:
    project = corrected_session(tmp_path)
    legacy = {k: v for k, v in project.data["audio"].items() if k != "sha256"}
    project.data["audio"] = legacy
    project.data["stages"]["decode"]["key"] = {"audio": legacy}
    project.save()
    stages = json.loads(json.dumps(project.data["stages"]))
    again = Project.open_or_create(project.folder, tmp_path / "a.wav")  # same place: content learnt
    assert again.data["audio"]["sha256"] and again.is_done("decode", {"audio": again.data["audio"]})
    moved = Project.open_or_create(project.folder, (tmp_path / "a.wav").rename(tmp_path / "c.wav"))
    assert moved.audio_change is not None and moved.audio_change.kind == "verschoben"
    assert {k: v for k, v in moved.data["stages"].items() if k != "decode"} == {
        k: v for k, v in stages.items() if k != "decode"
    }


# -- run --no-draft writes what it can -----------------------------------------------------------------
def test_cli_no_draft_writes_the_transcript_niederschrift_and_a_moved_recording_redoes_nothing(
    tmp_path: Path,
) -> None:
    audio = shutil.copy(SHARED / "thorsten_1.wav", tmp_path / "rat.wav")
    agenda = tmp_path / "einladung.txt"
    agenda.write_text("TOP 1: Eröffnung\nN 2: Grundstücksangelegenheiten\n", encoding="utf-8")
    project = tmp_path / "projekt"
    args = ["--no-draft", "--agenda", str(agenda), "--project", str(project), "--json", "t.json"]
    proc = run_cli("run", str(audio), "-o", "n.docx", *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Niederschrift ohne Entwurf (Transkript je TOP) gespeichert" in proc.stdout
    public = "\n".join(p.text for p in docx.Document(tmp_path / "n.docx").paragraphs)
    said = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["segments"][0]["text"].strip()
    assert said and said in public and "TOP 1: Eröffnung" in public and "--no-draft" in public
    assert "Grundstücksangelegenheiten" not in public  # Teil B in its own file, as with a draft
    teil_b = "\n".join(p.text for p in docx.Document(tmp_path / "n_TeilB_nichtoeffentlich.docx").paragraphs)
    assert "Grundstücksangelegenheiten" in teil_b

    # The secretary corrects the transcript, the recording is moved to the archive, run again.
    stages = Project.load(project).data["stages"]
    align = json.loads((project / "align.json").read_text(encoding="utf-8"))
    align["segments"][0]["text"] = CORRECTED
    (project / "align.json").write_text(json.dumps(align), encoding="utf-8")
    moved = Path(shutil.move(audio, tmp_path / "archiv.wav"))
    proc = run_cli("run", str(moved), "-o", "n2.docx", *args[:-2], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "dieselbe wie bisher" in proc.stderr
    assert Project.load(project).data["stages"] == {
        **stages,
        "decode": Project.load(project).data["stages"]["decode"],
    }
    assert CORRECTED in "\n".join(p.text for p in docx.Document(tmp_path / "n2.docx").paragraphs)


def test_without_project_a_moved_recording_finds_its_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minutes_app.cli.commands import default_project_dir

    monkeypatch.setenv("MINUTES_APP_DATA", str(tmp_path / "daten"))
    audio = tmp_path / "rat.wav"
    audio.write_bytes(b"RIFF-Ratssitzung")
    first = default_project_dir(audio)
    Project.create(first, audio)
    copy = tmp_path / "kopie.wav"
    copy.write_bytes(audio.read_bytes())
    assert default_project_dir(copy) != first  # a copy while the original is there: its own session
    (tmp_path / "archiv").mkdir()
    moved = audio.rename(tmp_path / "archiv" / "rat-2025.wav")
    assert default_project_dir(moved) == first  # moved: found by its content
    other = tmp_path / "anders.wav"
    other.write_bytes(b"RIFF-eine-andere-Sitzung")
    assert default_project_dir(other) != first


def test_gui_export_refuses_session_files_and_links_with_a_message(
    qtbot, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pytestqt")
    from test_gui_shell import Boxes

    from minutes_app.gui.export_dialog import ExportDialog
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.session.editing import SessionDoc

    make_project(tmp_path)
    doc = SessionDoc.open(tmp_path / "p")
    boxes = Boxes(monkeypatch)
    dialog = ExportDialog(doc.as_result, Settings({}), JobRunner(synchronous=True), "Rat")
    qtbot.addWidget(dialog)
    (tmp_path / "verknuepft.docx").symlink_to(tmp_path / "a.wav")
    before = tree_bytes(tmp_path)
    for target in (
        tmp_path / "p" / "project.json",
        tmp_path / "p" / "audit.jsonl",
        tmp_path / "verknuepft.docx",
    ):
        dialog.output.setText(str(target))
        dialog.start_export()
    assert tree_bytes(tmp_path) == before
    assert [kind for kind, _ in boxes.calls] == ["warning"] * 3
    assert "Datei eines Sitzungsprojekts" in boxes.calls[0][1] and "Verknüpfung" in boxes.calls[2][1]


def test_sweep_tightens_only_the_sessions_own_files(tmp_path: Path) -> None:
    library = tmp_path / "bibliothek"
    library.mkdir()
    os.chmod(library, 0o755)  # a library the user chose: its mode stays
    folder = library / "sitzung"
    folder.mkdir()
    os.chmod(folder, 0o755)
    project = Project.create(folder, name="Rat")
    project.save_result("asr", {}, {"segments": []})
    os.chmod(project.stage_file("asr"), 0o644)
    (folder / "notiz.txt").write_text("meine", encoding="utf-8")
    os.chmod(folder / "notiz.txt", 0o644)
    privacy.sweep(library, Settings({"retention_on_release": False}))
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(project.stage_file("asr")) == 0o600
    assert mode(folder / "notiz.txt") == 0o644 and mode(folder) == 0o755 and mode(library) == 0o755


def test_audit_export_never_replaces_the_trail_or_a_session_file(tmp_path: Path) -> None:
    from minutes_app.session import audit

    project = make_project(tmp_path)
    before = tree_bytes(tmp_path)
    for name, fmt in (("audit.jsonl", "csv"), ("project.json", "json"), ("draft.json", "json")):
        with pytest.raises(OutputError, match="Datei eines Sitzungsprojekts"):
            audit.export_audit(project, project.folder / name, fmt)  # GUI and CLI share this
    with pytest.raises(OutputError, match="Verknüpfung"):
        (tmp_path / "prot.csv").symlink_to(project.folder / "audit.jsonl")
        audit.export_audit(project, tmp_path / "prot.csv")
    assert tree_bytes(tmp_path) == before


def test_cli_delete_keeps_the_users_files_and_says_so(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project.folder / "privat.mp4").write_bytes(OLD)
    proc = run_cli("delete", str(project.folder), "--yes", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "project.json" in proc.stdout and "bleiben" in proc.stdout
    assert sorted(p.name for p in project.folder.iterdir()) == ["privat.mp4"]
    assert (project.folder / "privat.mp4").read_bytes() == OLD and (tmp_path / "a.wav").exists()


def test_same_recording_after_retention_redoes_nothing_but_the_decoding(tmp_path: Path) -> None:
    project = corrected_session(tmp_path)
    corrected = (project.folder / "align.json").read_bytes()
    stages = json.loads(json.dumps(project.data["stages"]))
    project.data["audio"]["added"] = project.data["created"] = "2020-01-01T00:00:00+00:00"
    privacy.apply_retention(project, Settings({"retention_on_release": False, "retention_days": 30}))
    assert not project.has_audio and not project.pcm_path.exists()  # the reference only: a.wav is outside
    again = Project.open_or_create(project.folder, tmp_path / "a.wav")
    assert again.audio_change is not None and again.audio_change.kind == "verschoben"
    key = {"audio": again.data["audio"]}
    assert not again.is_done("decode", key)  # audio.pcm is decoded again ...
    again.save_result("decode", key, None)  # ... as the pipeline does, from the same input
    assert {k: v for k, v in again.data["stages"].items() if k != "decode"} == {
        k: v for k, v in stages.items() if k != "decode"
    }
    assert (again.folder / "align.json").read_bytes() == corrected
