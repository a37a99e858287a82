"""Rules of the code base that keep it easy to live in."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "minutes_app"
QT_FREE = [
    "base",
    "session",
    "pipeline",
    "audio",
    "asr",
    "diarization",
    "drafting",
    "agenda",
    "export",
    "models",
    "cli",
]


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
        "import sys, minutes_app.pipeline.run, minutes_app.cli.main, minutes_app.audio.decode, "
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


# The layers, lowest first. A package may import its own layer's packages only where listed in
# ALSO, and any package of a lower layer. Imports inside functions count the same.
LAYERS: list[set[str]] = [
    {"base"},
    {"audio"},
    {"asr", "diarization", "drafting", "agenda", "export", "models"},
    {"session"},
    {"pipeline"},
    {"cli", "gui"},
]
ALSO = {("cli", "gui")}  # `minutes-app gui` starts the desktop app


def _package_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2:
            continue
        own = rel.parts[0]
        pkg_parts = ["minutes_app", *rel.parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg_parts[: len(pkg_parts) - node.level + 1]
                    targets = [".".join([*base, node.module] if node.module else base)]
                    if node.module is None:
                        targets = [f"{targets[0]}.{a.name}" for a in node.names]
                else:
                    targets = [node.module or ""]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                parts = target.split(".")
                if parts[0] == "minutes_app" and len(parts) > 1 and parts[1] != own:
                    edges.setdefault((own, parts[1]), []).append(f"{rel}:{node.lineno}")
    return edges


def test_packages_form_layers_without_cycles():
    layer_of = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}
    on_disk = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert on_disk == set(layer_of), "every package must have a layer"
    wrong = [
        f"{a} -> {b}: {where[0]}"
        for (a, b), where in sorted(_package_edges().items())
        if (a, b) not in ALSO and layer_of[b] >= layer_of[a]
    ]
    assert wrong == []


def test_stages_import_only_base_and_audio():
    stages = LAYERS[2]
    wrong = [
        f"{a} -> {b}: {where[0]}"
        for (a, b), where in sorted(_package_edges().items())
        if a in stages and b not in {"base", "audio"}
    ]
    assert wrong == []
