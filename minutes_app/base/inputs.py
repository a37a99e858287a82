"""Input files are checked before they are opened: a FIFO, a device node, a socket or a folder
given where a file is expected is refused with a German message (opening a FIFO would wait
for a writer forever; reading a device node never ends).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import UserError, os_reason

_KINDS = (
    (stat.S_ISDIR, "ein Ordner"),
    (stat.S_ISFIFO, "eine benannte Pipe (FIFO)"),
    (stat.S_ISCHR, "ein Gerät"),
    (stat.S_ISBLK, "ein Gerät"),
    (stat.S_ISSOCK, "ein Socket"),
)


def special_kind(mode: int) -> str:
    """German words for a file type that is not a regular file ("" for a regular file)."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "" if stat.S_ISREG(mode) else "keine gewöhnliche Datei"


def check_input_file(
    path: str | os.PathLike[str], what: str = "Die Datei", error: type[UserError] = UserError
) -> Path:
    """``path`` if it names an existing regular file (symlinks followed); ``error`` otherwise.

    Only ``stat`` is called, never ``open``, so a FIFO cannot block."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as exc:
        raise error(f"{what} „{path}“ wurde nicht gefunden.") from exc
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "ungültiger Pfad"
        raise error(f"{what} „{path}“ kann nicht geöffnet werden ({reason}).") from exc
    kind = special_kind(mode)
    if kind:
        raise error(f"{what} „{path}“ ist {kind}, keine Datei. Bitte eine Datei angeben.")
    return path


def refuse_special(
    path: str | os.PathLike[str], what: str = "Die Datei", error: type[UserError] = UserError
) -> None:
    """``error`` if ``path`` is a FIFO, device or socket; anything else (missing, a folder, a
    regular file) is left to the caller's own messages."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    kind = special_kind(mode)
    if kind and not stat.S_ISDIR(mode):
        raise error(f"{what} „{path}“ ist {kind}, keine Datei. Bitte eine Datei angeben.")


def open_regular(path: str | os.PathLike[str]) -> int:
    """A descriptor of ``path`` opened for reading; a FIFO never blocks the open. A file that is not
    regular (it was swapped after a check) raises ``OSError`` whose text names its kind."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        kind = special_kind(mode)
        if kind:
            raise OSError(22, kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd
