"""An output the program is about to replace is kept when it holds anything it did not write.

An export goes to a name the user chose or the dialog proposed (``protokoll.docx``). When
a file of that name exists, it may be the unchanged file of an earlier export (replacing it
loses nothing: the session makes it again) or a file with the user's work in it: the
earlier export edited in Word, or any other file that happens to carry the name. The
second kind is kept beside it as ``protokoll (vorher).docx`` (``(vorher 2)``, … never
over an existing file) before the new file is written.

What counts as "unchanged": its SHA-256 equals the one recorded when the program wrote
that path (``remember``; a small JSON file in the data folder, the newest ``LIMIT`` paths).
A file the record does not know is kept, so nothing is lost when the record is missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import OutputError, UserError, os_reason
from .fileio import write_json
from .jsonio import read_file

LIMIT = 500  # paths remembered; the oldest are forgotten (their files are then kept when replaced)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _record(registry: Path) -> dict[str, str]:
    """The record, or empty when it is missing or unusable (then every file is kept)."""
    try:
        data = read_file(registry, dict, what="Das Exportverzeichnis")
    except (OSError, UserError):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def free_name(path: Path) -> Path:
    """``<stem> (vorher)<suffix>``, else ``(vorher 2)`` … : the first name not taken."""
    n = 1
    while True:
        label = " (vorher)" if n == 1 else f" (vorher {n})"
        candidate = path.with_name(path.stem + label + path.suffix)
        if not os.path.lexists(candidate):
            return candidate
        n += 1


def keep_previous(path: str | os.PathLike[str], registry: Path | None) -> Path | None:
    """Keep ``path`` under a free name when it exists and is not the unchanged output of an
    earlier write (see the module doc). Returns the name it is kept under, or None.

    The kept file is a hard link (same content, no copy) or, where the file system has
    none, a copy; ``path`` itself stays where it is until the new file replaces it."""
    target = Path(path)
    if not target.is_file() or target.is_symlink():
        return None
    try:
        if registry is not None and _record(registry).get(_key(target)) == digest(target):
            return None  # the program's own earlier output, untouched
        kept = free_name(target)
        try:
            os.link(target, kept)
        except OSError:
            shutil.copy2(target, kept)
    except OSError as exc:
        raise OutputError(
            f"Die vorhandene Datei „{target}“ konnte nicht aufbewahrt werden ({os_reason(exc)}); "
            "sie wird nicht überschrieben. Bitte einen anderen Dateinamen wählen."
        ) from exc
    return kept


def remember(paths: Iterable[str | os.PathLike[str]], registry: Path | None) -> None:
    """Record what the program just wrote at ``paths`` (best effort: a failure only means
    the next replacement keeps the file)."""
    if registry is None:
        return
    with contextlib.suppress(OSError, OutputError):
        record = _record(registry)
        for path in paths:
            key = _key(Path(path))
            record.pop(key, None)  # newest last
            record[key] = digest(Path(path))
        registry.parent.mkdir(parents=True, exist_ok=True)
        write_json(registry, dict(list(record.items())[-LIMIT:]))


@contextlib.contextmanager
def replacing(
    paths: Iterable[str | os.PathLike[str]], registry: Path | None
) -> Iterator[list[tuple[Path, Path]]]:
    """Around the writes of ``paths``: first keep what must be kept (``keep_previous``), then
    let the caller write; afterwards record what was written (``remember``). Yields the
    ``(path, kept as)`` pairs. When the writing fails, a kept name whose file was not
    replaced is removed again (it would only be a second copy)."""
    targets = [Path(p) for p in paths]
    kept = [(path, copy) for path in targets if (copy := keep_previous(path, registry)) is not None]
    try:
        yield kept
    except BaseException:
        for path, copy in kept:
            with contextlib.suppress(OSError):
                if path.exists() and (path.samefile(copy) or digest(path) == digest(copy)):
                    copy.unlink()
        raise
    remember(targets, registry)
