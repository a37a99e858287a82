"""Data protection of a session: owner-only files, retention, deletion, objections.

A recording of a council session and everything derived from it is personal data
(a voice that identifies a person is even biometric data). What this module does,
for an admin filling in a transparency or processing register:

Permissions (POSIX): every folder the program creates is 0700 and every file it
writes 0600, whatever the umask (``base.fileio``; the recorder's WAV and sidecar,
``project.json``, stage results, ``audio.pcm``, ``audit.jsonl``, frozen minutes,
exports). ``sweep`` also tightens sessions written by older versions (their own files only). On Windows
the per-user data folder is private already and modes are left alone.

Retention (settings ``retention_on_release``, ``retention_release_days``, ``retention_days``,
``retention_delete_transcript``; dates in ``session/retention.py``): ``apply_retention`` deletes
a session's audio ``retention_release_days`` (default 30) after the Niederschrift is freigegeben
(default on) or once ``retention_days`` have passed
since the audio was added (or the session created). Audio is the session's own audio:
the decoded ``audio.pcm`` and a recording the recorder made in the session folder with
its sidecar (``Project.own_files``: fixed names plus the files recorded in
``project.json`` ``"files"``, session/recording.py). Nothing is deleted by pattern: other
files in the folder stay. A referenced recording the session did not make (imported from
elsewhere, or the user's own file) is never deleted: only the reference is removed, and
the audit entry says so; its SHA-256 is kept, so the same recording attached again redoes
nothing. With
``retention_delete_transcript`` the transcript results (``asr.json``,
``diarization.json``, ``align.json``) are emptied and ``asr.partial.json`` and the
model replies ``draft.replies.json`` deleted;
the emptied files stay so that loading, editing and exporting the minutes keep
working. The draft (``draft.json``) and the frozen copies ``minutes_v<N>.json`` are
the minutes and are kept. Every deletion is an audit entry (``geloescht``: what and
why) and is noted in ``project.json`` under ``"privacy"``; ``status_label`` gives the
text the GUI and CLI show ("Audio gelöscht (Aufbewahrungsfrist)"). The audit trail
itself is append-only and keeps the texts of transcript edits until the session is
deleted.

Deleting a session (``delete_session``) removes the session's own files and then its
folder if nothing else is left, also when the minutes are released; files the session
did not create (and a recording outside the folder) stay where they are.

Objections (promise 8): ``project.json`` ``"objected_speakers"`` lists the speaker
ids who objected to being recorded (``set_objection``, with an audit entry);
``excluded_segments`` removes their segments from whatever is shown, drafted or
exported.

Logging: no log call of the program writes transcript text. Diagnostics that need it
log at DEBUG through ``loggable(text, settings)``: the text only with the setting
``log_transcript_text`` on, otherwise just its length.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..base.errors import OutputError, ProjectError, UserError, os_reason
from ..base.fileio import POSIX, PRIVATE_DIR, PRIVATE_FILE, make_private, write_json
from ..base.settings import Settings, data_dir
from . import audit, signoff
from .lock import folder_lock
from .project import PROJECT_FILE, Project, list_projects
from .retention import PRIVACY_KEY  # {"audio_deleted": {"time", "reason"}, "transcript_deleted": {...}}

AUDIO_DELETED = "Audio gelöscht (Aufbewahrungsfrist)"
AUDIO_AND_TRANSCRIPT_DELETED = "Audio und Transkript gelöscht (Aufbewahrungsfrist)"
OBJECTION_ACTION = "widerspruch"  # audit action of marking/unmarking an objection
OBJECTION_LABEL = "Widerspruch gegen die Aufzeichnung"
# Audio and video containers a session folder may hold (recordings, copies, the decoded PCM).
AUDIO_SUFFIXES = frozenset(
    (".wav", ".pcm", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".wma")
    + (".mp4", ".webm", ".mkv", ".mov", ".amr", ".3gp")
)
RECORDING_SIDECAR = ".recording.json"  # audio/recovery.SIDECAR_SUFFIX: markers of a recording
TRANSCRIPT_STAGES = ("asr", "diarization", "align")
PARTIAL_FILE = "asr.partial.json"
REPLIES_FILE = "draft.replies.json"  # drafting/replies.py: model replies quoting the transcript
# Files only a resumed run reads that hold speaker embeddings (biometric data): they go
# with the audio.
RESUME_FILES = ("diarization.partial.json", "diarization.live.json")

_log = logging.getLogger(__name__)


class _HasSpeaker(Protocol):
    @property
    def speaker(self) -> str | None: ...


S = TypeVar("S", bound=_HasSpeaker)


# -- helpers --------------------------------------------------------------------------------------
def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _rel(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def loggable(text: str, settings: Settings | None = None) -> str:
    """Transcript text for a DEBUG log line: the text only if ``log_transcript_text`` is on."""
    if settings is not None and settings.get("log_transcript_text"):
        return text
    return f"<Text ausgeblendet, {len(text)} Zeichen>"


# -- permissions ----------------------------------------------------------------------------------
def secure_tree(project: Project) -> int:
    """Make the session's own files and folders owner-only (POSIX); returns how many modes changed.

    Only what the session created (``Project.own_files``, the folders holding them, the session
    folder if the program made it): a file the user put into the folder keeps its mode."""
    if not POSIX:
        return 0
    root = project.folder
    entries = [(path, PRIVATE_FILE) for path in project.own_files()]
    folders = {path.parent for path, _ in entries if path.parent != root}
    if project.data.get("folder_created", True) is not False:
        folders.add(root)
    changed = 0
    for path, mode in [*entries, *((f, PRIVATE_DIR) for f in sorted(folders))]:
        try:
            if path.is_symlink() or path.stat().st_mode & 0o777 == mode:
                continue
            os.chmod(path, mode)
            changed += 1
        except OSError:
            continue  # not ours (or gone): leave it
    return changed


def secure_data_dir(folder: str | os.PathLike[str] | None = None) -> Path:
    """Create the per-user data folder if needed and make it 0700 (POSIX)."""
    path = Path(folder) if folder is not None else data_dir()
    path.mkdir(parents=True, exist_ok=True)
    make_private(path)
    return path


# -- retention ------------------------------------------------------------------------------------
def retention_reason(project: Project, settings: Settings, now: _dt.datetime | None = None) -> str | None:
    """Why the session's audio is due for deletion now (German), or None (``session/retention.py``:
    ``retention_release_days`` after the release, or ``retention_days`` after it was added)."""
    from . import retention

    return retention.reason_now(project, settings, now)


def audio_files(project: Project) -> list[Path]:
    """The session's own audio (never another file in its folder; a recording still being
    written is left out): ``audio.pcm`` and its temp file, recordings made in the folder."""
    from ..audio.wavfile import is_locked

    found: list[Path] = []
    for path in project.own_files():
        name = path.name.lower()
        temp_pcm = name.startswith(f".{project.pcm_path.name}.") and name.endswith(".tmp")
        if path.suffix.lower() in AUDIO_SUFFIXES or name.endswith(RECORDING_SIDECAR) or temp_pcm:
            found.append(path)
    return sorted(p for p in found if not is_locked(p))


def _empty_transcript(project: Project) -> list[str]:
    """Empty the transcript results (kept as empty files so the minutes still load)."""
    emptied: list[str] = []
    for stage in TRANSCRIPT_STAGES:
        path = project.stage_file(stage)
        if not path.exists():
            continue
        try:
            old = project.load_result(stage)
        except ProjectError:
            old = {}
        if stage == "asr":
            new: dict[str, Any] = {
                "language": str(old.get("language", "de")),
                "duration": float(old.get("duration", 0.0)),
                "segments": [],
                "model": str(old.get("model", "")),
            }
        elif stage == "diarization":
            new = {"turns": [], "model": str(old.get("model", ""))}
        else:
            new = {"segments": []}
        if old != new:
            write_json(path, new)
            emptied.append(path.name)
    for name in (PARTIAL_FILE, REPLIES_FILE):
        partial = project.folder / name
        if partial.exists():
            partial.unlink()
            emptied.append(partial.name)
    return emptied


def apply_retention(
    project: Project, settings: Settings, now: _dt.datetime | None = None, user: str | None = None
) -> list[str]:
    """Delete the session's audio (and with the setting its transcript) if retention says so.

    Returns what was removed, one German line each (file names relative to the session
    folder; a forgotten reference to a file outside the folder says so). Empty when
    nothing was due or everything was deleted before. Writes a ``geloescht`` audit entry.
    """
    reason = retention_reason(project, settings, now)
    if reason is None:
        return []
    folder = project.folder
    removed: list[str] = []
    failed: list[str] = []
    notes = [reason]
    own = set(project.own_files())
    for path in audio_files(project):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # e.g. still open on Windows: tried again at the next sweep
            failed.append(f"{_rel(path, folder)} ({os_reason(exc)})")
            continue
        removed.append(_rel(path, folder))
    if project.has_audio:
        reference = project.audio_path
        identity = {k: v for k, v in project.data["audio"].items() if k == "sha256"}  # known again later
        if reference.exists() and not _inside(reference, folder):
            project.data["audio"] = identity
            removed.append(f"Verweis auf „{reference}“ (Datei außerhalb des Sitzungsordners, nicht gelöscht)")
            notes.append(
                f"Die importierte Datei „{reference}“ liegt außerhalb des Sitzungsordners und wurde nicht "
                "gelöscht; nur der Verweis wurde entfernt."
            )
        elif reference.exists() and reference not in own:  # in the folder, but the user's file
            project.data["audio"] = identity
            removed.append(f"Verweis auf „{reference.name}“ (nicht von der Sitzung angelegt, nicht gelöscht)")
            notes.append(
                f"Die Datei „{reference.name}“ wurde nicht von minutes-app angelegt und nicht gelöscht; "
                "nur der Verweis wurde entfernt."
            )
        else:
            project.data["audio"] = identity
    audio_removed = bool(removed)
    if audio_removed:
        for name in RESUME_FILES:
            resume = folder / name
            if resume.is_file() and not resume.is_symlink():
                resume.unlink()
                removed.append(name)
    transcript = _empty_transcript(project) if settings.get("retention_delete_transcript") else []
    removed += transcript
    if failed:
        notes.append("Nicht gelöscht: " + "; ".join(failed))
    if not removed and not failed:
        return []
    stamp = {"time": audit.now(), "reason": reason}
    marks = dict(project.data.get(PRIVACY_KEY) or {})
    if audio_removed:
        marks["audio_deleted"] = stamp
    if transcript:
        marks["transcript_deleted"] = stamp
    project.data[PRIVACY_KEY] = marks
    target = {(True, True): "Audio und Transkript", (False, True): "Transkript"}.get(
        (audio_removed, bool(transcript)), "Audio"
    )
    audit.record(project, "geloescht", target, before=removed or failed, note=" ".join(notes), user=user)
    project.save()
    _log.info("retention: %s of session %s removed (%d files)", target, folder.name, len(removed))
    return removed


def audio_deleted(project: Project) -> bool:
    return bool((project.data.get(PRIVACY_KEY) or {}).get("audio_deleted"))


def transcript_deleted(project: Project) -> bool:
    return bool((project.data.get(PRIVACY_KEY) or {}).get("transcript_deleted"))


def status_label(project: Project) -> str:
    """The list/status text once retention deleted something, e.g. "Audio gelöscht (Aufbewahrungsfrist)"."""
    if transcript_deleted(project):
        return AUDIO_AND_TRANSCRIPT_DELETED if audio_deleted(project) else "Transkript gelöscht"
    return AUDIO_DELETED if audio_deleted(project) else ""


def sweep(
    library: str | os.PathLike[str], settings: Settings, now: _dt.datetime | None = None
) -> dict[Path, list[str]]:
    """At start-up: owner-only modes and retention for every session in ``library``.

    Returns the sessions where something was removed (folder -> what). A broken
    session is skipped (logged without content) and never stops the sweep.
    """
    root = Path(library)
    if not root.is_dir():
        return {}
    try:
        if _inside(root, data_dir()):  # a library elsewhere is the user's folder: its mode stays
            make_private(root)
            secure_data_dir()
    except OSError:
        _log.warning("privacy sweep: cannot restrict the modes of %s", root)
    results: dict[Path, list[str]] = {}
    for folder in list_projects(root):
        try:
            with folder_lock(folder, wait_s=2.0):  # never beside a change another program makes
                project = Project.load(folder)
                secure_tree(project)
                removed = apply_retention(project, settings, now)
        except (UserError, OSError) as exc:
            _log.warning("privacy sweep: session %s skipped (%s)", folder.name, type(exc).__name__)
            continue
        if removed:
            results[folder] = removed
    return results


# -- deleting a whole session ---------------------------------------------------------------------
def delete_session(project: Project | str | os.PathLike[str], voices: Any = None) -> list[str]:
    """Remove a session's own files and then its folder ("Sitzung löschen"), released or not.

    Returns the removed files (relative paths). Only what the session created is removed
    (``Project.own_files``: never by pattern, links never followed); other files in the
    folder and a recording outside it stay, and so does the folder while they are in it.
    The resume files holding speaker embeddings (``RESUME_FILES``) are own files and go too.
    Refuses a folder without ``project.json`` (not a session: nothing deleted); raises
    ``OutputError`` naming what could not be removed.

    ``voices`` (a ``profiles.ProfileStore``, also while the feature is switched off): first
    every part the session's speech taught a voice profile is removed
    (``ProfileStore.forget_session``); one line per changed profile follows the files. A
    profile store that cannot be read stops the deletion before anything is removed.
    """
    folder = project.folder if isinstance(project, Project) else Path(project)
    if not (folder / PROJECT_FILE).is_file():
        raise ProjectError(f"„{folder}“ ist kein Sitzungsordner (project.json fehlt); nichts wurde gelöscht.")
    if not isinstance(project, Project):
        try:
            project = Project.load(folder)
        except UserError:  # a damaged project file: its fixed files are still the session's
            project = Project(folder, {})
    forgotten: list[str] = []
    if voices is not None:
        from .voices import session_key

        name = str(project.data.get("name") or folder.name)
        forgotten = [
            f"Stimmprofil von {p.person} ({p.gremium}): Abschnitte dieser Sitzung entfernt"
            for p in voices.forget_session(session_key(project), name)
        ]
    removed: list[str] = []
    failed: list[str] = []
    own = [p for p in project.own_files() if p != folder / PROJECT_FILE] + [folder / PROJECT_FILE]
    for path in own:  # project.json last: an interrupted delete is still a session
        try:
            path.unlink()
            removed.append(_rel(path, folder))
        except FileNotFoundError:
            continue
        except OSError as exc:
            failed.append(f"{_rel(path, folder)} ({os_reason(exc)})")
    for current, dirs, _files in os.walk(folder, topdown=False):  # folders emptied above
        for name in dirs:
            path = Path(current, name)
            if not path.is_symlink():
                with contextlib.suppress(OSError):  # not empty: someone else's files are in it
                    path.rmdir()
    kept = sorted(_rel(p, folder) for p in folder.rglob("*")) if folder.is_dir() else []
    if not kept:
        with contextlib.suppress(OSError):
            folder.rmdir()
    _log.info("session %s deleted (%d files, %d other files kept)", folder.name, len(removed), len(kept))
    if failed:
        raise OutputError(
            f"Die Sitzung in „{folder}“ konnte nicht vollständig gelöscht werden "
            f"({len(removed)} Dateien gelöscht). Nicht gelöscht: " + "; ".join(failed)
        )
    return sorted(removed) + forgotten


# -- objections to the recording --------------------------------------------------------------------
def objected(project: Project) -> set[str]:
    return set(project.objected_speakers)


def excluded_segments(project: Project, segments: Sequence[S]) -> tuple[list[S], int]:
    """Segments without the speakers who objected to the recording, and how many were removed."""
    out = objected(project)
    kept = [s for s in segments if s.speaker not in out] if out else list(segments)
    return kept, len(segments) - len(kept)


def set_objection(project: Project, speaker_id: str, objects: bool, user: str | None = None) -> bool:
    """Mark (or unmark) a speaker as objecting to the recording; True when it changed.

    Refused for a released (locked) Niederschrift; a "geprüft" one returns to Entwurf,
    since transcript, draft input and exports change. Saves ``project.json`` and writes
    an audit entry.
    """
    signoff.check_unlocked(project)
    current = project.objected_speakers
    if (speaker_id in current) == objects:
        return False
    new = [*current, speaker_id] if objects else [s for s in current if s != speaker_id]
    yes, no = "widerspricht der Aufzeichnung", "kein Widerspruch"
    target = f"Sprecher {speaker_id}"
    entries = [
        audit.entry(
            OBJECTION_ACTION,
            target,
            no if objects else yes,
            yes if objects else no,
            note=(
                "Beiträge aus Transkript, Entwurf und Export entfernt"
                if objects
                else "Beiträge wieder in Transkript, Entwurf und Export"
            ),
            user=user,
        )
    ]
    reopened = signoff.reopen_on_edit(project, target, user)
    if reopened is not None:
        entries.append(reopened)
    audit.append(project, entries)
    project.objected_speakers = new
    project.save()
    return True
