"""Atomic file writes: temp file in the same folder, fsync, rename.

No output file is ever left half-written: either the old content or the new
content is on disk.

Permissions (POSIX): session data is personal data, so every file the program
writes is readable by its owner only (0600) and every folder it creates is 0700,
whatever the umask. That holds for all writes, also exports outside the data
folder: sharing a file is a deliberate act of the user. Existing folders are
left as they are (``make_private`` tightens one on purpose). On Windows the
per-user data folder is already private; the modes are not touched there.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import OutputError, os_reason

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
POSIX = os.name == "posix"


def make_private(path: str | os.PathLike[str]) -> None:
    """Owner-only mode for an existing file (0600) or folder (0700); nothing on Windows."""
    if POSIX:
        target = Path(path)
        os.chmod(target, PRIVATE_DIR if target.is_dir() else PRIVATE_FILE)


def private_dirs(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` and its missing parents, each new one 0700 (umask-independent).

    Folders that already exist keep their mode.
    """
    folder = Path(folder)
    missing: list[Path] = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for new in reversed(missing):
        try:
            new.mkdir()
        except FileExistsError:
            continue  # made by someone else meanwhile: not ours to change
        make_private(new)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)  # raises the fitting OSError (e.g. a file in the way)
    return folder


def open_append(path: str | os.PathLike[str]) -> IO[bytes]:
    """``open(path, "a+b")`` for append-only logs, the file made 0600 (umask-independent)."""
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    # O_NOFOLLOW: a link planted in place of the log fails (ELOOP); its target is never written.
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        if POSIX:
            with contextlib.suppress(OSError):  # e.g. someone else's file: appending still works
                os.fchmod(fd, PRIVATE_FILE)
        return os.fdopen(fd, "a+b")
    except BaseException:
        os.close(fd)
        raise


def touch_private(path: str | os.PathLike[str]) -> None:
    """Create an empty owner-only file if it does not exist (an existing one keeps its content)."""
    with open_append(path):
        pass


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temp file beside ``path``; on success rename it over ``path``."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        private_dirs(folder)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"Die Datei „{target}“ kann nicht geschrieben werden ({os_reason(exc)}). "
            "Bitte einen anderen Speicherort wählen."
        ) from exc
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            if POSIX:
                os.fchmod(fh.fileno(), PRIVATE_FILE)  # mkstemp's 0600 is subject to the umask
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(
            f"Die Datei „{target}“ kann nicht geschrieben werden ({os_reason(exc)}). "
            "Bitte einen anderen Speicherort wählen."
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    with atomic_open(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_open(path) as fh:
        fh.write(text)


def check_writable(path: str | os.PathLike[str]) -> None:
    """Fail early (before hours of work) if ``path`` cannot be written."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"„{target}“ ist ein Ordner; bitte einen Dateinamen angeben.")
    try:
        private_dirs(folder)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe.", delete=True):
            pass
    except OSError as exc:
        raise OutputError(
            f"In den Ordner „{folder}“ kann nicht geschrieben werden ({os_reason(exc)}). "
            "Bitte einen anderen Speicherort wählen."
        ) from exc


# -- what may be written where ---------------------------------------------------------------------
# Files of a session folder (session/project.py keeps the authoritative list; these names are
# what an output path must never be, whichever command writes it). Stage results, partial
# results, the decoded audio, the audit trail, frozen minutes and kept versions.
SESSION_MARKER = "project.json"
SESSION_FILE_NAMES = frozenset(
    (
        SESSION_MARKER,
        "audit.jsonl",
        "audio.pcm",
        "decode.json",
        "asr.json",
        "diarization.json",
        "align.json",
        "draft.json",
        "asr.partial.json",
        "diarization.partial.json",  # pipeline/stage_diarize.py: finished blocks
        "draft.partial.json",
        "draft.replies.json",  # drafting/replies.py: model replies by prompt
        "diarization.live.json",
        "processing.json",  # pipeline/interrupted.py: while a run works on the session
        "session.lock",  # session/lock.py
    )
)
FROZEN_NAME = re.compile(r"minutes_v[0-9]{1,6}\.json")
VERSIONS_DIR = "versions"


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True when ``path`` (resolved, links followed) lies inside ``folder`` (resolved)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def child_path(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder/name`` for a relative ``name`` from a data file, refused unless it stays inside.

    ``name`` comes from ``project.json`` or a manifest, which may be hand-edited or crafted:
    absolute paths, ``..``, drive letters and links that lead out of ``folder`` are refused
    with ``OutputError`` (nothing is created).
    """
    base = Path(folder)
    rel = Path(str(name))
    if not str(name) or rel.is_absolute() or rel.drive or ".." in rel.parts or "\\" in str(name):
        raise OutputError(
            f"Der Dateiname „{name}“ in „{base}“ ist ungültig (er führt aus dem Ordner hinaus) "
            "und wird nicht verwendet."
        )
    target = base / rel
    if not is_inside(target, base):
        raise OutputError(
            f"„{target}“ führt über eine Verknüpfung aus dem Ordner „{base}“ hinaus "
            "und wird nicht geschrieben."
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def session_file_of(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is (or would replace) a file of a session folder."""
    target = Path(os.path.abspath(path))
    for folder, name in ((target.parent, target.name), (target.parent.parent, target.parent.name)):
        if not (folder / SESSION_MARKER).is_file():
            continue
        if folder == target.parent and (name in SESSION_FILE_NAMES or FROZEN_NAME.fullmatch(name)):
            return True
        if folder == target.parent.parent and name == VERSIONS_DIR:
            return True
    return False


def check_output(
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    protected: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """The one check of an output path, before any work (every command that writes uses it).

    Refused with a German ``OutputError`` (exit 2): a folder; anything that is not a regular
    file (device node, FIFO, socket) or is a symbolic link (never written through); a file
    that is one of ``inputs`` of the same command (recording, template, agenda, roster; also
    through a hard link); one of ``protected`` (e.g. a session's own files); a file of a
    session folder (``project.json``, ``audit.jsonl``, stage results, frozen minutes,
    versions). Then the folder must be writable (``check_writable``).
    """
    target = Path(path)
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(
            f"Die Datei „{target}“ kann nicht geschrieben werden ({os_reason(exc)}). "
            "Bitte einen anderen Speicherort wählen."
        ) from exc
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"„{target}“ ist ein Ordner; bitte einen Dateinamen angeben.")
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(
                f"„{target}“ ist eine Verknüpfung (symbolischer Link); sie wird nicht überschrieben. "
                "Bitte einen anderen Dateinamen wählen."
            )
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                f"„{target}“ ist keine gewöhnliche Datei (Gerät, Pipe oder Socket) und wird nicht "
                "überschrieben. Bitte einen Dateinamen angeben."
            )
        for given in inputs:
            if given is not None and str(given) and _same_file(Path(given), target):
                raise OutputError(
                    f"„{target}“ ist zugleich eine Eingabe dieses Befehls und wird nicht überschrieben. "
                    "Bitte einen anderen Dateinamen für die Ausgabe wählen."
                )
    if session_file_of(target) or any(
        _same_file(Path(p), target) or Path(os.path.abspath(p)) == Path(os.path.abspath(target))
        for p in protected
    ):
        raise OutputError(
            f"„{target}“ ist eine Datei eines Sitzungsprojekts und wird nicht überschrieben. "
            "Bitte einen anderen Dateinamen für die Ausgabe wählen."
        )
    check_writable(target)
    return target


def check_outputs(
    paths: Iterable[str | os.PathLike[str] | None],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    protected: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """``check_output`` for every output of one command; two outputs may not be the same file."""
    seen: list[Path] = []
    given = list(inputs)
    kept = list(protected)
    for path in paths:
        if path is None or not str(path):
            continue
        target = check_output(path, given, kept)
        absolute = Path(os.path.abspath(target))
        if absolute in seen:
            raise OutputError(
                f"„{target}“ ist mehrfach als Ausgabe angegeben. Bitte verschiedene Dateinamen wählen."
            )
        seen.append(absolute)
