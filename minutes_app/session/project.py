"""Session project folder: ``project.json`` plus one file per finished stage.

Layout::

    <dir>/project.json        schema_version, audio reference, session info,
                              agenda, speaker names, finished stages
    <dir>/audio.pcm           decoded 16 kHz mono float32 (cache, re-creatable)
    <dir>/<stage>.json        each stage's result, written atomically when done
    <dir>/asr.partial.json    transcript of the finished ASR windows (resume)
    <dir>/audit.jsonl         audit trail (session/audit.py), created empty with the project
    <dir>/versions/<stamp>/   results kept when a recording with other content was attached

``project.json`` ``"files"`` lists every other file the session created inside its folder
(a recording made there, kept versions); with the fixed names above these are the
session's own files (``own_files``), the only ones retention and deletion remove
(session/privacy.py). A folder that is not empty and not a session is never made a
project, and a folder the program did not create keeps its mode.

The recording is known by the SHA-256 of its file (``"audio"`` ``"sha256"``): attached again
from another place with the same content, nothing is redone; with other content every
result is redone and the earlier results, with the user's corrections, are kept as a
version under ``versions/`` (``AudioChange`` says so).

The folder is 0700 and every file in it 0600 on POSIX (base/fileio.py); retention,
deletion and speakers who objected to the recording are in session/privacy.py.

A stage counts as finished only when its result file exists *and* its key
(model id + options that change the result) matches; change a model and the
stage runs again. A project file from a newer version or a corrupt one is
refused and never overwritten.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base import jsonio
from ..base.errors import ProjectError, os_reason
from ..base.fileio import private_dirs, touch_private, write_json
from ..base.schemas import STAGE_FILES
from ..base.types import AgendaItem, Attendee, SessionInfo

if TYPE_CHECKING:
    from .recording import AudioChange

SCHEMA_VERSION = 1
PROJECT_FILE = "project.json"
AUDIT_FILE = "audit.jsonl"  # written by session/audit.py; created here so it is owner-only from the start
OBJECTED_KEY = "objected_speakers"
FILES_KEY = "files"  # other files the session created in its folder (relative paths)
STAGES = ("decode", "asr", "diarization", "align", "draft")
# What each stage's result is built on: ASR and diarization are independent.
DEPENDENTS = {
    "decode": ("asr", "diarization", "align", "draft"),
    "asr": ("align", "draft"),
    "diarization": ("align", "draft"),
    "align": ("draft",),
    "draft": (),
}


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


class Project:
    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data
        self.audio_change: AudioChange | None = None  # set by open_or_create(folder, audio)

    # -- creation and loading -------------------------------------------------
    @classmethod
    def open_or_create(cls, folder: str | os.PathLike[str], audio: Path | None = None) -> Project:
        folder = Path(folder)
        if (folder / PROJECT_FILE).exists():
            project = cls.load(folder)
            if audio is not None:
                project.audio_change = project.sync_audio(audio)
            return project
        if audio is None:
            raise ProjectError(f"In „{folder}“ liegt kein Sitzungsprojekt (project.json fehlt).")
        return cls.create(folder, audio)

    @classmethod
    def create(cls, folder: str | os.PathLike[str], audio: Path | None = None, name: str = "") -> Project:
        """A new project in ``folder``; without ``audio`` it waits for a recording or an import."""
        folder = Path(folder)
        if (folder / PROJECT_FILE).exists():
            raise ProjectError(f"In „{folder}“ liegt bereits ein Sitzungsprojekt.")
        from .recording import check_new_folder

        check_new_folder(folder)
        existed = folder.is_dir()
        try:
            # New folders (this one, the data folder, the library) are made 0700 (session data is
            # personal data); an existing empty folder keeps its mode: it is not ours to change.
            private_dirs(folder)
            touch_private(folder / AUDIT_FILE)
        except OSError as exc:
            raise ProjectError(
                f"Der Projektordner „{folder}“ kann nicht angelegt werden ({exc.strerror})."
            ) from exc
        project = cls(
            folder,
            {
                "schema_version": SCHEMA_VERSION,
                "created": _now(),
                "folder_created": not existed,  # False: the user's folder, its mode is never changed
                "name": name,
                "audio": {},
                "info": asdict(SessionInfo()),
                "agenda": [],
                "speaker_names": {},
                "attendees": [],
                "stages": {},
            },
        )
        if audio is not None:
            project.set_audio(audio)
        else:
            project.save()
        return project

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Project:
        folder = Path(folder)
        path = folder / PROJECT_FILE
        try:  # base.jsonio: size and depth bounds, never a FIFO
            data = jsonio.loads(jsonio.read_bytes(path))
        except FileNotFoundError as exc:
            raise ProjectError(f"In „{folder}“ liegt kein Sitzungsprojekt (project.json fehlt).") from exc
        except (OSError, ValueError, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, jsonio.BadJSON) else os_reason(exc)
            raise ProjectError(
                f"Die Projektdatei „{path}“ ist beschädigt und wird nicht verändert ({reason}). "
                "Bitte eine Sicherung wiederherstellen oder ein neues Projekt anlegen."
            ) from exc
        version = data.get("schema_version") if isinstance(data, dict) else None
        if not isinstance(version, int) or isinstance(version, bool) or not _well_typed(data):
            raise ProjectError(f"„{path}“ ist keine gültige Projektdatei von minutes-app (unverändert).")
        if data["schema_version"] > SCHEMA_VERSION:
            raise ProjectError(
                f"Das Projekt „{folder}“ wurde mit einer neueren Programmversion angelegt "
                f"(Schema {data['schema_version']}). Bitte minutes-app aktualisieren."
            )
        for key, default in (("stages", {}), ("speaker_names", {}), ("agenda", []), ("attendees", [])):
            data.setdefault(key, default)
        return cls(folder, data)

    def save(self) -> None:
        write_json(self.folder / PROJECT_FILE, self.data)

    # -- audio -----------------------------------------------------------------
    def sync_audio(self, audio: Path) -> AudioChange:
        """Attach ``audio`` unless it is the recording already attached (session/recording.py)."""
        from .recording import sync_audio

        return sync_audio(self, audio)

    def set_audio(self, audio: Path) -> AudioChange:
        """Attach a recording; same content: nothing redone; other content: results kept as a
        version, every stage redone (session/recording.py)."""
        from .recording import set_audio

        return set_audio(self, audio)

    def record_file(self, rel: str) -> None:
        """Note a file the session created in its folder (the caller saves)."""
        files = [str(f) for f in self.data.get(FILES_KEY, []) if isinstance(f, str)]
        if rel not in files:
            self.data[FILES_KEY] = [*files, rel]

    def own_files(self) -> list[Path]:
        """Every existing file the session created in its folder (session/recording.py)."""
        from .recording import own_files

        return own_files(self)

    @property
    def has_audio(self) -> bool:
        return bool(self.data.get("audio", {}).get("path"))

    @property
    def audio_path(self) -> Path:
        return Path(self.data["audio"]["path"])

    @property
    def pcm_path(self) -> Path:
        return self.folder / "audio.pcm"

    # -- metadata --------------------------------------------------------------
    @property
    def name(self) -> str:
        """Display name of the session (the folder name when none was given)."""
        return str(self.data.get("name") or self.folder.name)

    @name.setter
    def name(self, value: str) -> None:
        self.data["name"] = value.strip()

    @property
    def info(self) -> SessionInfo:
        return SessionInfo.from_dict(self.data.get("info", {}))

    @info.setter
    def info(self, value: SessionInfo) -> None:
        self.data["info"] = asdict(value)

    @property
    def agenda(self) -> list[AgendaItem]:
        return [AgendaItem.from_dict(a) for a in self.data.get("agenda", [])]

    @agenda.setter
    def agenda(self, items: list[AgendaItem]) -> None:
        self.data["agenda"] = [asdict(a) for a in items]

    @property
    def protocol_type(self) -> str:
        """The session's Protokollart ("verlauf", "ergebnis", "wort"); "" = the setting's default."""
        return str(self.data.get("protocol_type", ""))

    @protocol_type.setter
    def protocol_type(self, value: str) -> None:
        self.data["protocol_type"] = value

    @property
    def item_starts(self) -> dict[str, float]:
        """Item starts set by hand (TOP number -> second); they beat markers and spoken cues."""
        return {str(k): float(v) for k, v in self.data.get("item_starts", {}).items()}

    def set_item_start(self, number: str, seconds: float | None) -> None:
        starts = self.item_starts
        if seconds is None:
            starts.pop(number, None)
        else:
            starts[number] = round(float(seconds), 2)
        self.data["item_starts"] = starts

    @property
    def attendees(self) -> list[Attendee]:
        people = self.data.get("attendees", [])  # early versions stored plain names
        return [Attendee.from_dict(a) if isinstance(a, dict) else Attendee(str(a)) for a in people]

    @attendees.setter
    def attendees(self, people: list[Attendee]) -> None:
        self.data["attendees"] = [asdict(a) for a in people]

    @property
    def speaker_names(self) -> dict[str, str]:
        return dict(self.data.get("speaker_names", {}))

    @property
    def objected_speakers(self) -> list[str]:
        """Speaker ids who objected to the recording (left out of transcript, draft and exports)."""
        return [str(s) for s in self.data.get(OBJECTED_KEY, [])]

    @objected_speakers.setter
    def objected_speakers(self, ids: list[str]) -> None:
        self.data[OBJECTED_KEY] = sorted(set(ids))

    @property
    def item_states(self) -> list[str]:
        """Review state per draft item ("ki_entwurf", "bearbeitet", "bestaetigt"), as saved."""
        return [str(s) for s in self.data.get("item_states", [])]

    @property
    def markers(self) -> list[tuple[float, str]]:
        """Marks set while recording (F9): (second, label)."""
        return [(float(m["time"]), str(m.get("label", ""))) for m in self.data.get("markers", [])]

    def stage_entry(self, stage: str) -> dict[str, Any] | None:
        """``{"key": …, "finished": …}`` of a finished stage, else None."""
        entry = self.data.get("stages", {}).get(stage)
        return entry if isinstance(entry, dict) else None

    # -- stages ----------------------------------------------------------------
    def stage_file(self, stage: str) -> Path:
        return self.folder / f"{stage}.json"

    def is_done(self, stage: str, key: dict[str, Any]) -> bool:
        entry = self.data["stages"].get(stage)
        if not entry or entry.get("key") != key:
            return False
        return stage == "decode" and self.pcm_path.exists() or self.stage_file(stage).exists()

    def load_result(self, stage: str) -> dict[str, Any]:
        try:  # base.jsonio with the stage's schema: a wrong type is "beschädigt", not a crash later
            return dict(jsonio.loads(jsonio.read_bytes(self.stage_file(stage)), STAGE_FILES.get(stage, dict)))
        except (OSError, ValueError, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, jsonio.BadJSON) else os_reason(exc)
            raise ProjectError(
                f"Das Zwischenergebnis „{self.stage_file(stage).name}“ ist beschädigt ({reason}). "
                "Mit --force wird der Schritt neu berechnet."
            ) from exc

    def save_result(self, stage: str, key: dict[str, Any], result: dict[str, Any] | None) -> None:
        if result is not None:
            write_json(self.stage_file(stage), result)
        previous = (self.data["stages"].get(stage) or {}).get("key")
        self.data["stages"][stage] = {"key": key, "finished": _now()}
        # A finished stage makes the stages built on it stale; not so audio.pcm (a cache) decoded
        # again from the same recording (deleted by retention, the same recording attached again).
        if stage != "decode" or previous != key:
            for later in DEPENDENTS[stage]:
                self.data["stages"].pop(later, None)
        self.save()

    def invalidate(self, stage: str) -> None:
        for later in (stage, *DEPENDENTS[stage]):
            self.data["stages"].pop(later, None)
        self.save()


# Keys of project.json and the JSON type each must have (when present).
_KEY_TYPES: dict[str, type | tuple[type, ...]] = {
    "stages": dict,
    "speaker_names": dict,
    "agenda": list,
    "attendees": list,
    "item_starts": dict,
    "item_states": list,
    "markers": list,
    "info": dict,
    "protocol_type": str,
    "name": str,
    FILES_KEY: list,
}


def _well_typed(data: dict[str, Any]) -> bool:
    """True when the known keys have the types the program expects (a hand-edited file may not)."""
    for key, kind in _KEY_TYPES.items():
        if key in data and not isinstance(data[key], kind):
            return False
    stages, names, starts = data.get("stages", {}), data.get("speaker_names", {}), data.get("item_starts", {})
    if not all(isinstance(v, dict) for v in stages.values()):
        return False
    if not all(isinstance(v, str) for v in names.values()):
        return False
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in starts.values()):
        return False
    return all(isinstance(a, dict) for a in data.get("agenda", []))


def list_projects(library: str | os.PathLike[str]) -> list[Path]:
    """Project folders directly inside ``library`` (a session library), sorted by name."""
    root = Path(library)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / PROJECT_FILE).is_file())
