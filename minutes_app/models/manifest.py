"""Hashing and the per-model ``manifest.json``.

A manifest lists every file of a model folder (POSIX relative paths) with its
sha256 and size, plus id, kind, format, source and install time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.fileio import write_json
from ..base.jobs import CancelToken, ProgressFn, no_progress

MANIFEST = "manifest.json"
CHUNK = 8 * 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def sha256_file(
    path: Path,
    cancel: CancelToken | None = None,
    on_bytes: Any = None,
) -> str:
    """sha256 of a file; ``on_bytes(n)`` is called after every chunk read."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            digest.update(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
    return digest.hexdigest()


def model_files(folder: Path) -> list[Path]:
    """Every regular file below ``folder`` except the manifest, sorted."""
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST
    )


def hash_files(
    folder: Path,
    relpaths: Iterable[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    label: str = "",
) -> dict[str, dict[str, Any]]:
    """{relpath: {sha256, size}} for the given files, reporting byte progress."""
    rels = list(relpaths)
    total = sum((folder / r).stat().st_size for r in rels) or 1
    done = 0

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        progress(done / total, label)

    out: dict[str, dict[str, Any]] = {}
    for rel in rels:
        path = folder / rel
        out[rel] = {"sha256": sha256_file(path, cancel, on_bytes), "size": path.stat().st_size}
    return out


def write_manifest(
    folder: Path,
    model_id: str,
    kind: str,
    fmt: str,
    source: dict[str, Any],
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    known: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Hash every file in ``folder`` (reusing ``known`` entries) and write the manifest."""
    rels = [p.relative_to(folder).as_posix() for p in model_files(folder)]
    known = known or {}
    todo = [r for r in rels if r not in known]
    files = {r: known[r] for r in rels if r in known}
    files.update(hash_files(folder, todo, progress, cancel, "Prüfsummen werden berechnet"))
    manifest = {
        "id": model_id,
        "kind": kind,
        "format": fmt,
        "source": source,
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {r: files[r] for r in sorted(files)},
    }
    write_json(folder / MANIFEST, manifest)
    (folder / MANIFEST).chmod(0o644)  # atomic_open creates 0600 files; the store may be shared
    return manifest


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a model folder, or None if it is missing or unreadable."""
    path = folder / MANIFEST
    try:
        data = jsonio.loads(jsonio.read_bytes(path, MAX_MANIFEST_BYTES), max_bytes=MAX_MANIFEST_BYTES)
    except (OSError, ValueError):  # jsonio.BadJSON is a ValueError
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or "id" not in data:
        return None
    return data


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
