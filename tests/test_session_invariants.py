"""Invariants of the one session API, over every CLI command and every Session method.

On a released session and on a "geprüft" one (real project folders, the real CLI in-process):

1. a released session's files are byte-identical afterwards (and no file appears),
   unless the command starts a new version;
2. any content change after "geprüft" returns the Niederschrift to "Entwurf";
3. every change has its audit entries, appended in order (the old trail is a prefix),
   and nothing changes without one;
4. a rename racing a release in two processes never lands in the audit trail after
   "freigegeben" while the data loses it.
5. the voice-profile consent methods (allowed on a released session: consent is no content)
   change nothing but the trail and never reopen a "geprüft" Niederschrift.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from support.sessions import processed_project

from minutes_app.base.types import AgendaItem, Attendee, SessionInfo
from minutes_app.cli.main import main
from minutes_app.session import audit, signoff
from minutes_app.session.api import Session
from minutes_app.session.change import Change
from minutes_app.session.editing import CONFIRMED
from minutes_app.session.profiles import ProfileStore
from minutes_app.session.project import Project

REPO = Path(__file__).resolve().parent.parent
# project.json keys that are content of the Niederschrift (not sign-off or bookkeeping).
CONTENT_KEYS = (
    "info",
    "name",
    "agenda",
    "attendees",
    "speaker_names",
    "item_starts",
    "item_states",
    "protocol_type",
    "objected_speakers",
    "markers",
    "draft_agenda_confirmed",
)
CONTENT_FILES = ("asr.json", "diarization.json", "align.json", "draft.json")
CONSENT_WHO = ("Rat", "Anna Berg")  # Gremium, person of the voice-profile consent methods


def cli_commands(p: Path, out: Path, audio: Path) -> dict[str, list[str]]:
    """Every CLI command that touches a session, with the options that change one."""
    commands = {
        "speakers": ["speakers", str(p)],
        "speakers --set": ["speakers", str(p), "--set", "SPEAKER_00=Frau Weber"],
        "speakers --move": ["speakers", str(p), "--move", "0=SPEAKER_01"],
        "speakers --merge": ["speakers", str(p), "--merge", "SPEAKER_01=SPEAKER_00"],
        "items": ["items", str(p)],
        "items --start": ["items", str(p), "--start", "2=0:01"],
        "items --clear": ["items", str(p), "--clear", "2"],
        "names": ["names", str(p)],
        "names --accept": ["names", str(p), "--accept", "all"],
        "signoff": ["signoff", str(p)],
        "signoff --pruefen": ["signoff", str(p), "--pruefen"],
        "signoff --freigeben": ["signoff", str(p), "--freigeben"],
        "signoff --audit": ["signoff", str(p), "--audit", str(out / "trail.csv")],
        "signoff --neue-version": ["signoff", str(p), "--neue-version", "Ratsbeschluss vom 1. April"],
        "delete": ["delete", str(p)],
        "run --gremium": [
            "run",
            str(audio),
            "--project",
            str(p),
            "--gremium",
            "Rat",
            "--datum",
            "01.04.2025",
            "--ort",
            "Anderswo",
            "-o",
            str(out / "run.docx"),
        ],  # fmt: skip
        "export --entwurf-bestaetigen": [
            "export",
            str(p),
            "--format",
            "txt",
            "-o",
            str(out / "c.txt"),
            "--entwurf-bestaetigen",
        ],  # fmt: skip
    }
    for fmt in ("docx", "txt", "srt", "vtt", "json", "oparl"):
        for part in (None, "oeffentlich", "nichtoeffentlich", "gesamt"):
            target = out / f"x_{fmt}_{part}.{'json' if fmt == 'oparl' else fmt}"
            argv = ["export", str(p), "--format", fmt, "-o", str(target)]
            commands[f"export {fmt} {part}"] = argv + (["--part", part] if part else [])
    return commands


def snapshot(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()}


def content(files: dict[str, bytes]) -> dict[str, object]:
    data = json.loads(files["project.json"])
    return {k: data.get(k) for k in CONTENT_KEYS} | {n: files.get(n) for n in CONTENT_FILES}


def trail(files: dict[str, bytes]) -> list[dict[str, object]]:
    lines = files.get("audit.jsonl", b"").decode().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def real_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16000)
        wf.writeframes(bytes(random.Random(7).randrange(256) for _ in range(32000)))  # 1 s of noise
    return path


def reviewed_session(tmp_path: Path) -> Session:
    tmp_path.mkdir(parents=True, exist_ok=True)
    project = processed_project(tmp_path)
    session = Session(project, user="Frau Schrift")
    session.set_agenda([AgendaItem("2", "Radweg", public=True)])
    session.rename_speaker("SPEAKER_00", "Peter Lindner")
    session.rename_speaker("SPEAKER_01", "Anna Berg")
    session.set_item_state(0, CONFIRMED)
    session.mark_reviewed()
    assert session.state == signoff.GEPRUEFT
    return session


def released_session(tmp_path: Path) -> Session:
    session = reviewed_session(tmp_path)
    session.release()
    assert session.state == signoff.FREIGEGEBEN
    return session


def is_reopen(entry: dict[str, object]) -> bool:
    return entry["action"] == "status_geaendert" and entry["target"] == "Niederschrift"


def check_change(name: str, before: dict[str, bytes], after: dict[str, bytes], was: str) -> None:
    """Invariants 2 and 3 for one command or method."""
    old, new = trail(before), trail(after)
    assert new[: len(old)] == old, f"{name}: the audit trail was rewritten"
    added = new[len(old) :]
    assert [e["time"] for e in added] == sorted(e["time"] for e in added), name
    state = json.loads(after["project.json"]).get("signoff", {}).get("state", signoff.ENTWURF)
    if content(before) != content(after):
        assert added, f"{name}: changed the session without an audit entry"
        signoff_steps = ("export", "geprueft", "freigegeben")
        edits = [e for e in added if e["action"] not in signoff_steps and not is_reopen(e)]
        assert edits, f"{name}: content changed, only sign-off entries written"
        if was == signoff.GEPRUEFT:
            assert state == signoff.ENTWURF, f"{name}: content changed after „geprüft“, still {state}"
            reopen = [
                e for e in added if e["action"] == "status_geaendert" and e["target"] == "Niederschrift"
            ]
            assert len(reopen) == 1, f"{name}: {len(reopen)} reopen entries"
            assert added.index(reopen[0]) > added.index(edits[0]), name  # in order: change, then reopen
    elif added and all(e["action"] == "export" for e in added):
        pass  # an export of a session that is not released is noted
    elif added:
        assert before["project.json"] != after["project.json"], f"{name}: audit entry for no change"


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Interner Fehler" not in err, (argv, err)
    return code


@pytest.mark.parametrize("was", [signoff.FREIGEGEBEN, signoff.GEPRUEFT])
def test_every_cli_command(tmp_path, capsys, was):
    """Each command on a session in state ``was`` (a fresh one once a command moved it on)."""
    names = list(cli_commands(tmp_path, tmp_path, tmp_path).keys())
    names.remove("signoff --neue-version")
    names.append("signoff --neue-version")  # last: it is the one command that may change a release
    if was == signoff.GEPRUEFT:  # there run goes on to the models; its header step is
        names.remove("run --gremium")  # Session.set_header, checked in test_every_session_method
    audio = real_wav(tmp_path / "real.wav")
    session = None
    for i, name in enumerate(names):
        if session is None or session.state != was:
            base = tmp_path / f"s{i}"
            session = released_session(base) if was == signoff.FREIGEGEBEN else reviewed_session(base)
        folder = session.folder
        out = folder.parent / f"out{i}"
        out.mkdir()
        before = snapshot(folder)
        code = run_cli(cli_commands(folder, out, audio)[name], capsys)
        after = snapshot(folder) if folder.exists() else {}
        session.project = Project.load(folder) if folder.exists() else session.project
        if was == signoff.FREIGEGEBEN and name != "signoff --neue-version":
            assert after == before, f"{name} (exit {code}) changed the released session"
        elif was == signoff.FREIGEGEBEN:
            assert code == 0 and json.loads(after["project.json"])["signoff"]["state"] == signoff.ENTWURF
            assert [e["action"] for e in trail(after)[len(trail(before)) :]] == ["neue_version"]
        else:
            check_change(name, before, after, was)


def api_operations(session: Session) -> dict[str, object]:
    return {
        "set_header": lambda: session.set_header(SessionInfo(committee="Rat", date="01.04.2025", chair="X")),
        "set_header name": lambda: session.set_header(name="Umbenannt"),
        "set_header protocol_type": lambda: session.set_header(protocol_type="ergebnis"),
        "set_agenda": lambda: session.set_agenda([AgendaItem("2", "Radweg", public=False)]),
        "set_attendees": lambda: session.set_attendees([Attendee("Peter Lindner", role="Vorsitz")]),
        "attach_audio": lambda: session.attach_audio(session.folder.parent / "a.wav", markers=[]),
        "rename_speaker": lambda: session.rename_speaker("SPEAKER_00", "Frau Weber"),
        "set_item_start": lambda: session.set_item_start("2", 1.0),
        "set_segment_text": lambda: session.set_segment_text(0, "Anders."),
        "split_segment": lambda: session.split_segment(0, 1),
        "merge_segments": lambda: session.merge_segments(0),
        "set_segment_speaker": lambda: session.set_segment_speaker(0, "SPEAKER_01"),
        "merge_speaker": lambda: session.merge_speaker("SPEAKER_00", "SPEAKER_01"),
        "set_item_field": lambda: session.set_item_field(0, "discussion", "Von Hand."),
        "set_item_state": lambda: session.set_item_state(0, "bearbeitet"),
        "set_objection": lambda: session.set_objection("SPEAKER_01", True),
        "confirm_draft_for_agenda": lambda: session.confirm_draft_for_agenda(),
        "reopen": lambda: session.reopen("nochmals lesen"),
        "mark_reviewed": lambda: session.mark_reviewed(),
        "release": lambda: session.release(),
    }


def test_every_session_method(tmp_path):
    probe = reviewed_session(tmp_path / "probe")
    for i, name in enumerate(api_operations(probe)):
        for was in (signoff.FREIGEGEBEN, signoff.GEPRUEFT):
            base = tmp_path / f"{was}{i}"
            base.mkdir()
            session = released_session(base) if was == signoff.FREIGEGEBEN else reviewed_session(base)
            before = snapshot(session.folder)
            try:
                change = api_operations(session)[name]()
            except signoff.LockedError:
                assert was == signoff.FREIGEGEBEN, name
                change = None
            except Exception as exc:  # a refusal (German UserError) must leave the files alone
                from minutes_app.base.errors import UserError

                assert isinstance(exc, UserError), (name, exc)
                assert snapshot(session.folder) == before, name
                continue
            after = snapshot(session.folder)
            if was == signoff.FREIGEGEBEN:
                assert after == before, f"{name} changed a released session"
                assert change is None or not change.changed, name
                continue
            check_change(name, before, after, was)
            new = trail(after)[len(trail(before)) :]
            assert [e["action"] for e in new] == [e.action for e in change.entries], name  # what changed
            assert change.state == session.state == json.loads(after["project.json"])["signoff"]["state"]


def consent_operations(session: Session, store: ProfileStore) -> dict[str, tuple[Callable[[], Change], str]]:
    """The voice-profile consent methods and the action each writes: allowed on a released session
    (consent is no content; withdrawal and deletion are data-protection deletions)."""
    who = CONSENT_WHO
    return {
        "record_voice_consent": (
            lambda: session.record_voice_consent(store, *who, "Frau Roth", "schriftlich, 03.12.2026"),
            "einwilligung_erfasst",
        ),
        "withdraw_voice_consent": (
            lambda: session.withdraw_voice_consent(store, *who, "Einwilligung widerrufen"),
            "einwilligung_widerrufen",
        ),
        "delete_voice_profile": (
            lambda: session.delete_voice_profile(store, *who, "auf Wunsch gelöscht"),
            "stimmprofil_geloescht",
        ),
    }


@pytest.mark.parametrize("was", [signoff.FREIGEGEBEN, signoff.GEPRUEFT])
def test_voice_consent_methods_change_only_the_trail(tmp_path, was):
    """Consent, withdrawal, deletion on a released or reviewed session: the sign-off state stays
    (a "geprüft" one is not reopened), every session file but the trail is byte-identical, the
    trail grows by exactly the returned entries, and the profile store changed as asked."""
    session = (
        released_session(tmp_path / "s") if was == signoff.FREIGEGEBEN else reviewed_session(tmp_path / "s")
    )
    store = ProfileStore(tmp_path / "shared" / "voice_profiles", user="Frau Roth")
    ops = consent_operations(session, store)
    steps = ["record_voice_consent", "withdraw_voice_consent", "record_voice_consent", "delete_voice_profile"]
    for name in steps + ["withdraw_voice_consent", "delete_voice_profile"]:  # the last two: no profile left
        call, action = ops[name]
        had = store.get(*CONSENT_WHO) is not None
        before = snapshot(session.folder)
        change = call()
        after = snapshot(session.folder)
        others = {n: b for n, b in after.items() if n != audit.AUDIT_FILE}
        assert others == {n: b for n, b in before.items() if n != audit.AUDIT_FILE}, name
        old, new = trail(before), trail(after)
        assert new[: len(old)] == old, f"{name}: the audit trail was rewritten"
        added = new[len(old) :]
        assert added == [e.to_dict() for e in change.entries], name  # exactly what the Change lists
        state = json.loads(after["project.json"])["signoff"]["state"]
        assert change.state == session.state == state == was and not change.reopened, name
        profile = store.get(*CONSENT_WHO)
        if name == "record_voice_consent":
            assert [e["action"] for e in added] == [action], name
            assert profile is not None and profile.consent.basis == "schriftlich, 03.12.2026"
        elif had:  # deleted at once, then noted
            assert [e["action"] for e in added] == [action], name
            assert (
                profile is None and store.audit_lines(*CONSENT_WHO)[-1]["action"] == "stimmprofil_geloescht"
            )
        else:  # nothing to delete: nothing written
            assert after == before and not change.changed and change.messages == (), name
        for e in added:
            assert (e["target"], e["user"]) == (f"Stimmprofil {CONSENT_WHO[1]}", "Frau Schrift"), name


RACER = """
import sys, time
from minutes_app.session.api import Session
from minutes_app.base.errors import UserError
folder, what, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
session = Session(folder, user=what)
while time.time() < start:
    time.sleep(0.001)
for k in range(25):
    try:
        if what == "rename":
            session.rename_speaker("SPEAKER_00", f"Frau Rennen {k}")
        else:
            if session.state == "entwurf":
                session.mark_reviewed()
            session.release()
            print("released")
            break
    except UserError as exc:
        print("refused", exc)
"""


def test_rename_racing_a_release_never_lands_after_it(tmp_path):
    """Two processes: one renames a speaker 25 times, the other reviews and releases."""
    outcomes = set()
    for round_ in range(3):
        session = reviewed_session(tmp_path / f"r{round_}")
        start = time.time() + 1.5
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(session.folder), what, str(start + delay)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for what, delay in (("rename", 0.0), ("release", 0.002 * round_))
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0 and "Traceback" not in err, (out, err)
        project = Project.load(session.folder)
        entries = audit.read(project)
        renames = [e for e in entries if e.action == "sprecher_umbenannt" and e.user == "rename"]
        released = [i for i, e in enumerate(entries) if e.action == "freigegeben"]
        # What the trail says last is what the data holds.
        assert project.speaker_names["SPEAKER_00"] == (renames[-1].after if renames else "Peter Lindner")
        outcomes.add((bool(renames), bool(released)))
        if released:  # after the release: no rename in the trail, the session is locked
            assert signoff.state(project) == signoff.FREIGEGEBEN
            assert not any(e.action == "sprecher_umbenannt" for e in entries[released[0] :])
        else:
            assert signoff.state(project) != signoff.FREIGEGEBEN
    assert outcomes  # which side wins depends on the scheduler; every outcome is consistent


def test_an_open_editor_cannot_save_into_a_session_released_elsewhere(tmp_path):
    """The GUI's document was opened before another program released the session."""
    from minutes_app.session.editing import SessionDoc

    folder = reviewed_session(tmp_path).folder
    doc = SessionDoc.open(folder)
    other = Session(folder, user="Herr Vorsitz")  # another program: its own Project
    other.release()
    before = snapshot(folder)
    doc.set_text(0, "Nach der Freigabe geändert.")  # the doc does not know yet
    with pytest.raises(signoff.LockedError):
        doc.save()
    assert snapshot(folder) == before and not doc.dirty


def test_an_open_editor_keeps_what_another_program_saved_meanwhile(tmp_path):
    from minutes_app.session.editing import SessionDoc

    folder = reviewed_session(tmp_path).folder
    doc = SessionDoc.open(folder)
    Session(folder, user="CLI").rename_speaker("SPEAKER_01", "Anna Berg-Schulz")
    doc.set_text(0, "Guten Abend.")
    doc.save()
    project = Project.load(folder)
    assert project.speaker_names["SPEAKER_01"] == "Anna Berg-Schulz"  # not overwritten by the doc
    assert signoff.state(project) == signoff.ENTWURF
    actions = [e.action for e in audit.read(project)]
    # the doc's own reopen is not written twice: the rename had reopened the review already
    assert actions[-3:] == ["sprecher_umbenannt", "status_geaendert", "text_bearbeitet"]
