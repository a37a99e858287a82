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
import tempfile
from collections.abc import Iterator
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
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
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
