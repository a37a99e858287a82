"""Rules of the code base that keep it easy to live in."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "minutes_app"
QT_FREE = ["core", "audio", "asr", "diarization", "drafting", "agenda", "export", "models", "cli"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_and_stages_import_no_qt():
    offenders = [
        str(p.relative_to(ROOT))
        for pkg in QT_FREE
        for p in (ROOT / pkg).rglob("*.py")
        if any(n.split(".")[0] in {"PySide6", "shiboken6"} for n in _imports(p))
    ]
    assert offenders == []


def test_importing_the_pipeline_loads_no_qt_and_no_heavy_libraries():
    code = (
        "import sys, minutes_app.core.pipeline, minutes_app.cli.main, minutes_app.audio.decode, "
        "minutes_app.asr.whisper, minutes_app.diarization.align\n"
        "mods = ('PySide6', 'torch', 'pyannote', 'transformers', 'ctranslate2')\n"
        "heavy = [m for m in mods if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_modules_stay_small():
    big = [
        (str(p.relative_to(ROOT)), n)
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert big == []
