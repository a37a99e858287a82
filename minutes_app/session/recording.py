"""The recording of a session and the files the session owns (issue 15, items 3 and 7).

- The recording is known by the SHA-256 of its file (``project.json`` ``"audio"``
  ``"sha256"``). Attached again from another place (moved, renamed, copied) with the same
  content, nothing is redone and every correction stays. With other content every result is
  redone; the earlier results, with the user's corrections, are first copied to
  ``versions/<stamp>/`` and the user is told (``AudioChange.message``).
- The session's own files (``own_files``): the fixed names of a session folder
  (``base.fileio.SESSION_FILE_NAMES``), frozen minutes ``minutes_v<N>.json``, leftover temp
  files of these, and what ``project.json`` ``"files"`` records (a recording made in the
  folder and its sidecar, kept versions). Retention and deletion remove only these.
- A project goes only into a new or an empty folder (``check_new_folder``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base import jsonio
from ..base.errors import ProjectError, UserError
from ..base.fileio import (
    FROZEN_NAME,
    SESSION_FILE_NAMES,
    VERSIONS_DIR,
    atomic_open,
    child_path,
    private_dirs,
    write_json,
)

if TYPE_CHECKING:
    from .project import Project

RESULT_FILES = ("asr.json", "diarization.json", "align.json", "draft.json")  # kept as a version
PARTIAL_FILE = "asr.partial.json"
SIDECAR_SUFFIX = ".recording.json"  # audio/recovery.py: written by the recorder when it starts


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's content, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class AudioChange:
    """What attaching a recording did: ``kind`` "neu", "gleich" (nothing changed),
    "verschoben" (same content, other place) or "anders" (other content: every result
    redone, ``kept`` = the version folder with the earlier results). ``message``: German
    text for the user, "" when there is nothing to say."""

    kind: str
    kept: Path | None = None
    message: str = ""


def sync_audio(project: Project, audio: Path) -> AudioChange:
    """Attach ``audio`` unless it is the recording already attached (same place, size, time)."""
    audio = audio.resolve()
    old = project.data.get("audio") or {}
    if (project.data.get("signoff") or {}).get("state") == "freigegeben":
        return AudioChange("gleich")  # a released session is not changed (processing refuses it)
    stat = audio.stat()
    if (
        old.get("path") == str(audio)
        and old.get("size") == stat.st_size
        and old.get("mtime") == int(stat.st_mtime)
    ):
        if not old.get("sha256"):  # a project of an earlier version: learn the content now
            _rekey(project, {**old, "sha256": file_sha256(audio)})
            project.save()
        return AudioChange("gleich")
    return set_audio(project, audio)


def set_audio(project: Project, audio: Path) -> AudioChange:
    """Attach a recording (see the module docstring); saves ``project.json``."""
    audio = audio.resolve()
    stat = audio.stat()
    digest = file_sha256(audio)
    old = project.data.get("audio") or {}
    fresh = {"path": str(audio), "size": stat.st_size, "mtime": int(stat.st_mtime), "sha256": digest}
    _record_recording(project, audio)
    if old.get("sha256") == digest:
        moved = old.get("path") != str(audio)
        _rekey(project, {**old, **fresh, "added": old.get("added") or _now()})
        project.save()
        if not moved:
            return AudioChange("gleich")
        return AudioChange(
            "verschoben",
            message=f"Die Aufnahme „{audio.name}“ ist dieselbe wie bisher (gleicher Inhalt, anderer Ort); "
            "fertige Schritte und Korrekturen bleiben erhalten.",
        )
    kept = keep_version(project) if project.data.get("stages") else None
    project.data["audio"] = fresh | {"added": _now()}  # retention counts from here (session/privacy.py)
    project.data["stages"] = {}  # new audio: every result is stale
    project.save()
    if kept is None:
        return AudioChange("neu")
    return AudioChange(
        "anders",
        kept,
        f"Die Aufnahme „{audio.name}“ hat einen anderen Inhalt als die bisherige. Transkript, Sprecher "
        "und Entwurf werden neu erstellt; die bisherigen Ergebnisse mit allen Korrekturen sind "
        f"gesichert in „{kept}“.",
    )


def _rekey(project: Project, audio: dict[str, Any]) -> None:
    """New place or stamp of the same recording: the finished decode (and the resumable
    transcription windows) stay valid, so nothing built on them is redone."""
    old = project.data.get("audio") or {}
    project.data["audio"] = audio

    def same(known: Any) -> bool:  # the key of this recording: as stored before, or by content
        return known == old or isinstance(known, dict) and known.get("sha256") == audio.get("sha256")

    decode = project.data.get("stages", {}).get("decode")
    if isinstance(decode, dict) and isinstance(decode.get("key"), dict) and same(decode["key"].get("audio")):
        decode["key"] = {"audio": audio}
    partial = project.folder / PARTIAL_FILE
    try:
        saved = jsonio.loads(jsonio.read_bytes(partial))
        if same(saved["key"]["audio"]):
            saved["key"]["audio"] = audio
            write_json(partial, saved)
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        pass  # none, or not this recording's: transcribed from the start as before


def _record_recording(project: Project, audio: Path) -> None:
    """A recording the recorder made in the session folder (its sidecar beside it) is the session's;
    any other file, also one the user put into the folder, never is."""
    try:
        rel = audio.relative_to(project.folder.resolve())
    except (ValueError, OSError):
        return  # imported from elsewhere: never the session's to delete
    name = audio.name
    stem = next((name[: -len(s)] for s in (".part.wav", ".wav") if name.endswith(s)), audio.stem)
    sidecar = rel.parent / f"{stem}{SIDECAR_SUFFIX}"  # as audio/recovery.py names it
    if not (project.folder / sidecar).is_file():
        return
    for own in (rel, sidecar, rel.parent / f"{stem}.wav", rel.parent / f"{stem}.part.wav"):
        project.record_file(own.as_posix())


def keep_version(project: Project) -> Path | None:
    """Copy the results (with the user's corrections) and project.json to ``versions/<stamp>/``."""
    folder = project.folder
    results = [name for name in RESULT_FILES if (folder / name).is_file()]
    if not results:
        return None
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S")
    name, n = stamp, 2
    while (folder / VERSIONS_DIR / name).exists():
        name, n = f"{stamp}-{n}", n + 1
    target = child_path(folder, f"{VERSIONS_DIR}/{name}")
    private_dirs(target)
    for file in (*results, "project.json"):
        with open(folder / file, "rb") as src, atomic_open(target / file, "wb") as dst:
            shutil.copyfileobj(src, dst)
        project.record_file(f"{VERSIONS_DIR}/{name}/{file}")
    return target


def own_files(project: Project) -> list[Path]:
    """Every existing file the session created in its folder (links are never followed;
    recorded names that would lead out of the folder are ignored)."""
    folder = project.folder
    if not folder.is_dir():
        return []
    found: dict[Path, None] = {}
    names = set(SESSION_FILE_NAMES)
    for entry in folder.iterdir():
        name = entry.name
        if FROZEN_NAME.fullmatch(name):
            names.add(name)
        elif name.startswith(".") and name.endswith(".tmp"):  # an interrupted atomic write
            owner = name[1:].rsplit(".", 2)[0]
            if (owner in SESSION_FILE_NAMES or FROZEN_NAME.fullmatch(owner)) and entry.is_file():
                found[entry] = None
    for name in sorted(names):
        path = folder / name
        if path.is_file() and not path.is_symlink():
            found[path] = None
    for rel in project.data.get("files", []):
        try:
            path = child_path(folder, str(rel))
        except UserError:
            continue
        if path.is_file() and not path.is_symlink():
            found[path] = None
    return sorted(found)


def check_new_folder(folder: Path) -> None:
    """A project goes only into a new or an empty folder: never mixed with other files."""
    try:
        if not folder.exists() and not folder.is_symlink():
            return
        if not folder.is_dir():
            raise ProjectError(f"„{folder}“ ist kein Ordner; bitte einen Ordner für das Projekt angeben.")
        if any(folder.iterdir()):
            raise ProjectError(
                f"Der Ordner „{folder}“ ist nicht leer und enthält kein Sitzungsprojekt. Bitte einen "
                "neuen oder leeren Ordner als Projektordner angeben (vorhandene Dateien bleiben unberührt)."
            )
    except OSError as exc:
        raise ProjectError(
            f"Der Projektordner „{folder}“ kann nicht geöffnet werden ({exc.strerror})."
        ) from exc


def find_by_content(library: str | os.PathLike[str], audio: str | os.PathLike[str]) -> Path | None:
    """The session in ``library`` whose recording has the content of ``audio`` (SHA-256), or None.

    Only sessions whose recording is gone from its place count (moved or renamed, not copied):
    ``minutes-app run`` without ``--project`` finds them this way, so nothing is redone."""
    from .project import PROJECT_FILE, list_projects

    digest = ""
    for folder in list_projects(library):
        try:
            data = jsonio.loads(jsonio.read_bytes(folder / PROJECT_FILE))
        except (OSError, ValueError, RecursionError):
            continue
        known = data.get("audio") if isinstance(data, dict) else None
        if not isinstance(known, dict) or not known.get("sha256"):
            continue
        if Path(str(known.get("path") or "")).exists():
            continue  # that session still has its recording: it was copied, not moved
        digest = digest or file_sha256(audio)
        if known["sha256"] == digest:
            return folder
    return None
