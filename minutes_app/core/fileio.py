"""Atomic file writes: temp file in the same folder, fsync, rename.

No output file is ever left half-written: either the old content or the new
content is on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .errors import OutputError


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temp file beside ``path``; on success rename it over ``path``."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"Die Datei „{target}“ kann nicht geschrieben werden ({exc.strerror or exc}). "
            "Bitte einen anderen Speicherort wählen."
        ) from exc
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(
            f"Die Datei „{target}“ kann nicht geschrieben werden ({exc.strerror or exc}). "
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
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe.", delete=True):
            pass
    except OSError as exc:
        raise OutputError(
            f"In den Ordner „{folder}“ kann nicht geschrieben werden ({exc.strerror or exc}). "
            "Bitte einen anderen Speicherort wählen."
        ) from exc
