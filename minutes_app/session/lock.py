"""Inter-process lock on a session folder (``session.lock``): one change at a time.

Every change of a session (session/api.py) holds this lock while it re-reads
``project.json``, checks the sign-off lock, changes, appends its audit entries and
saves. Two programs changing the same session (CLI and GUI, two CLI calls) therefore
run one after the other, and each sees what the other wrote. POSIX uses
``fcntl.flock`` on the lock file, Windows ``msvcrt.locking``; the operating system
releases the lock when the process ends, so a crash leaves no stale lock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..base.errors import ProjectError, os_reason

LOCK_FILE = "session.lock"
WAIT_S = 30.0  # a change takes milliseconds; waiting longer means the other side hangs

# Folders this process holds (re-entrant within one process: flock on a second
# descriptor of the same file would wait for ourselves).
_held: dict[Path, int] = {}
_guard = threading.RLock()


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str], wait_s: float = WAIT_S) -> Iterator[None]:
    """Hold the session folder's lock; a German ``ProjectError`` when it stays taken."""
    key = Path(folder).resolve()
    with _guard:
        if key in _held:
            _held[key] += 1
            try:
                yield
            finally:
                _held[key] -= 1
            return
        try:
            fd = os.open(key / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        except OSError as exc:
            raise ProjectError(f"Die Sitzung „{key}“ kann nicht geändert werden ({os_reason(exc)}).") from exc
        try:
            deadline = time.monotonic() + wait_s
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise ProjectError(
                        f"Die Sitzung „{key.name}“ wird gerade von einem anderen Programm geändert. "
                        "Bitte kurz warten und es dann noch einmal versuchen."
                    )
                time.sleep(0.02)
            _held[key] = 1
            try:
                yield
            finally:
                del _held[key]
                _unlock(fd)
        finally:
            os.close(fd)
