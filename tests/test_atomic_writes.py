"""Every file the app writes is written atomically, and a project it cannot read is left alone.

1. A scan of the source (AST) for ways to write a file besides ``base/fileio.py``:
   ``open(..., "w"/"a"/"x"/"+")``, ``Path.open`` with such a mode, ``write_text``,
   ``write_bytes`` and ``os.open`` with write flags. The known exceptions are listed
   with their reason; a new one fails until it goes through ``base.fileio`` or is
   listed here with a reason.
2. A corrupt ``project.json`` and one with a newer ``schema_version`` are refused with
   a clear German message and never overwritten: through ``Project.load`` and the CLI
   (``minutes-app export``), the bytes stay the same.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minutes_app.base.errors import ProjectError
from minutes_app.session.project import SCHEMA_VERSION, Project

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "minutes_app"

# (file, kind) -> why this write is not a temp-file-and-rename write.
ALLOWED: dict[tuple[str, str], str] = {
    ("base/fileio.py", "os.open"): "the atomic writer itself and its append-only helper",
    ("base/fileio.py", "open"): "the atomic writer itself",
    ("audio/wavfile.py", "os.open"): "the recorder's growing WAV: appended in place and fsync'ed so a "
    "crash keeps every recorded second (recover() repairs the header); a temp file would lose it",
    ("session/lock.py", "os.open"): "the session folder's lock file: opened only to hold an flock on it, "
    "nothing is ever written to it",
    ("models/install.py", "path.open"): "model files are copied into <store>/.<id>.partial, which "
    "is renamed into place only when complete and verified",
    ("models/bundle.py", "path.open"): "a model bundle is extracted into <store>/.<id>.partial; every file "
    "is checked (size, sha256) and the folders are renamed into place only when all models passed",
    ("models/fetch.py", "path.open"): "model files are assembled inside the install's .partial "
    "folder and checked (size, sha256) before the folder is renamed into place",
    ("models/convert.py", "write_text"): "files inside the conversion's temp folder, which is moved "
    "into the model store's .partial folder only when complete",
}

_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}


def _mode(call: ast.Call, position: int) -> str | None:
    """The mode argument as a string; "?" when it is not a literal; None when absent (read)."""
    node = call.args[position] if len(call.args) > position else None
    for kw in call.keywords:
        if kw.arg == "mode":
            node = kw.value
    if node is None:
        return None
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "?"


def _writes(mode: str | None) -> bool:
    return mode is not None and (mode == "?" or any(c in mode for c in "wax+"))


def find_writes(source: str) -> list[tuple[int, str]]:
    """(line, kind) of every call in ``source`` that writes a file directly."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open" and _writes(_mode(node, 1)):
            found.append((node.lineno, "open"))
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            if func.attr in ("write_text", "write_bytes"):
                found.append((node.lineno, func.attr))
            elif func.attr == "open" and owner == "os":
                names = {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
                if len(node.args) < 2 or names & _WRITE_FLAGS or not names:
                    found.append((node.lineno, "os.open"))
            elif func.attr == "open" and _mode(node, 0) != "?" and _writes(_mode(node, 0)):
                found.append((node.lineno, "path.open"))  # Path.open; a non-literal first argument
                # is someone else's open (a URL opener, a container), not a mode
    return found


def test_scanner_finds_direct_writes():
    source = (
        "open(p, 'w')\nopen(p)\nopen(p, mode='ab')\np.open('wb')\np.open('rb')\n"
        "p.write_text('x')\nq.write_bytes(b'')\nos.open(p, os.O_RDONLY)\n"
        "os.open(p, os.O_WRONLY | os.O_CREAT)\nopen(p, m)\n"
    )
    assert find_writes(source) == [
        (1, "open"),
        (3, "open"),
        (4, "path.open"),
        (6, "write_text"),
        (7, "write_bytes"),
        (9, "os.open"),
        (10, "open"),
    ]


def test_every_file_write_is_atomic_or_listed_with_a_reason():
    unlisted = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, kind in find_writes(path.read_text(encoding="utf-8")):
            if (rel, kind) not in ALLOWED:
                unlisted.append(f"minutes_app/{rel}:{line}: {kind}")
    assert not unlisted, (
        "Files written without base.fileio.atomic_open (temp file, fsync, rename); use it, "
        "or add the exception with its reason to ALLOWED:\n" + "\n".join(unlisted)
    )


# -- a project file the app cannot read is refused and never overwritten -----------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "minutes_app", *args], capture_output=True, text=True, env=env, timeout=120
    )


BAD_PROJECTS = {
    "beschädigt": (b'{"schema_version": 1, "stages": {', "beschädigt und wird nicht verändert"),
    "kein_json": (b"\x00\x01 kein JSON", "beschädigt und wird nicht verändert"),
    "neuer": (
        json.dumps({"schema_version": SCHEMA_VERSION + 1, "stages": {}, "zukunft": True}).encode(),
        "neueren Programmversion",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PROJECTS))
def test_unreadable_project_is_refused_and_left_unchanged(tmp_path, case):
    raw, message = BAD_PROJECTS[case]
    folder = tmp_path / "projekt"
    folder.mkdir()
    (folder / "project.json").write_bytes(raw)
    (folder / "align.json").write_bytes(b'{"segments": []}\n')
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    with pytest.raises(ProjectError, match=message):
        Project.load(folder)
    with pytest.raises(ProjectError, match=message):
        Project.open_or_create(folder, None)

    out = tmp_path / "export.txt"
    proc = _cli("export", str(folder), "--format", "txt", "-o", str(out))
    assert proc.returncode != 0
    assert message in proc.stderr and "Fehler:" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()

    proc = _cli("speakers", str(folder), "--set", "SPEAKER_00=Frau Weber")  # would save project.json
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr

    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before  # same bytes, no temp file, nothing new
