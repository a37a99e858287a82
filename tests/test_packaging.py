"""Proof of the Linux package (issue 7): the frozen app runs without the dev venv.

Uses ``dist/minutes-app/`` (and the .deb beside it) when present, else builds both
with ``make package`` (about 15 minutes on 2 cores; CI runs ``make package`` before
``make test``). ``MINUTES_APP_SKIP_PACKAGING=1`` skips this module, e.g. on a
developer machine in a hurry; CI never sets it.

The built folder is copied elsewhere and started with a clean environment: no
venv on PATH, no PYTHONPATH, HOME in a temp folder, no network (an LD_PRELOAD
library makes every non-Unix connect() and name lookup fail and logs it). Models
come from a bundle zip made and installed by the frozen app itself (ASR,
diarization) and from a read-only shared folder (the LLM).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DIST = REPO / "dist"
APP = DIST / "minutes-app"
SUPPORT = Path(__file__).resolve().parent / "support"
LLM = "qwen2.5-coder-0.5b"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("MINUTES_APP_SKIP_PACKAGING") == "1", reason="MINUTES_APP_SKIP_PACKAGING=1"
    ),
]


def _debs() -> list[Path]:
    return sorted(DIST.glob("minutes-app_*.deb"))


@pytest.fixture(scope="module")
def built() -> Path:
    if not (APP / "minutes-app").is_file():
        proc = subprocess.run(["make", "package"], cwd=REPO, capture_output=True, text=True, timeout=5400)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    elif not _debs():  # the app was built with SKIP_DEB=1: package it
        env = {**os.environ, "DEB_ONLY": "1"}
        proc = subprocess.run(
            ["bash", "packaging/linux/build.sh"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (APP / "minutes-app").is_file() and (APP / "minutes-app-gui").is_file()
    return APP


@dataclass(frozen=True)
class Placed:
    root: Path  # a temp folder: HOME, outputs, stores
    app: Path  # the copied one-folder app
    preload: Path | None  # the network blocker (needs a C compiler)
    copy_s: float


@pytest.fixture(scope="module")
def place(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Placed:
    """The app copied to another folder, a clean HOME, the network blocker."""
    root = tmp_path_factory.mktemp("installed")
    app = root / "opt" / "minutes-app"
    started = time.monotonic()
    shutil.copytree(built, app, symlinks=True)
    copy_s = time.monotonic() - started
    preload = None
    if shutil.which("cc"):
        preload = root / "netblock.so"
        subprocess.run(
            [
                "cc",
                "-shared",
                "-fPIC",
                "-O2",
                "-o",
                str(preload),
                str(SUPPORT / "netblock_preload.c"),
                "-ldl",
            ],
            check=True,
        )
    (root / "home").mkdir()
    return Placed(root, app, preload, copy_s)


def clean_env(place: Placed, **extra: str) -> dict[str, str]:
    root = place.root
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(root / "home"),
        "NETBLOCK_LOG": str(root / "network.log"),
        # No machine-wide settings or models of this machine may leak into the test.
        "MINUTES_APP_SYSTEM_SETTINGS": str(root / "no-system-settings.json"),
        "MINUTES_APP_SYSTEM_MODELS": str(root / "no-system-models"),
    }
    if place.preload is not None:
        env["LD_PRELOAD"] = str(place.preload)
    env.update(extra)
    return env


def run_app(
    place: Placed, *args: str, exe: str = "minutes-app", timeout: int = 1800, **env: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run(
        [str(place.app / exe), *args],
        cwd=place.root,
        env=clean_env(place, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc, time.monotonic() - started


def no_network(place: Placed) -> None:
    log = place.root / "network.log"
    assert not log.exists() or log.read_text() == "", log.read_text()


def test_bundle_contents(built: Path) -> None:
    internal = built / "_internal"
    assert (internal / "prompts" / "v1" / "verlauf").is_dir()
    assert (internal / "resources" / "examples" / "beispielsitzung.ogg").is_file()
    assert list(internal.glob("faster_whisper/assets/*.onnx"))
    assert list(internal.glob("PySide6/Qt/plugins/platforms/libqoffscreen.so"))
    assert list(internal.rglob("libportaudio*.so*")), "PortAudio is bundled"
    assert not list(internal.rglob("libcu*")) + list(internal.rglob("libnv*")), "CPU only: no CUDA"
    assert not (internal / "torch" / "include").exists()
    assert not list(internal.rglob("torchaudio/lib/disabled"))


@dataclass(frozen=True)
class Session:
    proc: subprocess.CompletedProcess[str]
    out: Path
    models: dict[str, str]  # MINUTES_APP_MODELS (from the bundle), MINUTES_APP_SHARED_MODELS
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def session(place: Placed) -> Session:
    """Models from a bundle (made and installed by the frozen app) + the LLM from a shared folder;
    then ``minutes-app run`` on the bundled example session, offline."""
    root, dev_store = place.root, Path(os.environ.get("MINUTES_APP_MODELS", REPO / ".models"))
    zip_path, store = root / "modelle.zip", root / "store"
    proc, bundle_s = run_app(
        place, "models", "--models-dir", str(dev_store), "bundle", "whisper-base", "pyannote-campp",
        "-o", str(zip_path), "--quiet",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc, install_s = run_app(
        place, "models", "--models-dir", str(store), "install", "--from", str(zip_path), "--quiet"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "whisper-base: installiert" in proc.stdout

    examples = place.app / "_internal" / "resources" / "examples"
    out = root / "out"
    models = {"MINUTES_APP_MODELS": str(store), "MINUTES_APP_SHARED_MODELS": str(dev_store)}
    proc, run_s = run_app(
        place, "run", str(examples / "beispielsitzung.ogg"),
        "--agenda", str(examples / "beispielsitzung_tagesordnung.txt"),
        "--attendees", str(examples / "beispielsitzung_anwesende.csv"),
        "--project", str(out / "projekt"), "--llm-model", LLM,
        "-o", str(out / "entwurf.docx"), "--json", str(out / "ergebnis.json"),
        **models,
    )  # fmt: skip
    seconds = {"example_run_s": run_s, "models_bundle_s": bundle_s, "models_install_s": install_s}
    return Session(proc, out, models, seconds)


def test_run_example_session_offline(place: Placed, session: Session) -> None:
    proc = session.proc
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert "Entwurf gespeichert" in proc.stdout
    no_network(place)
    out = session.out
    data = json.loads((out / "ergebnis.json").read_text(encoding="utf-8"))
    assert len(data["speakers"]) >= 2 and data["segments"] and data["minutes"]
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out / "entwurf.docx")).paragraphs)
    assert "KI-Entwurf" in text


def test_models_verify_on_the_shared_folder(place: Placed, session: Session) -> None:
    env = session.models
    proc, _ = run_app(place, "models", "verify", "whisper-base", LLM, "--quiet", **env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{LLM}: in Ordnung" in proc.stdout
    proc, _ = run_app(place, "models", "list", **env)
    assert "gemeinsamer Ordner" in proc.stdout
    # The installed app cannot download: it says how to install a bundle instead.
    proc, _ = run_app(place, "models", "install", "--profile", "test", **env)
    assert proc.returncode == 2 and "--from" in proc.stderr
    no_network(place)


def test_gui_starts_offscreen_and_exits(place: Placed) -> None:
    proc, seconds = run_app(place, "--quit-after", "3", exe="minutes-app-gui", timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "GUI gestartet:" in proc.stdout
    no_network(place)
    _record("gui_start_s", round(seconds - 3, 1))


def test_cli_start_time(place: Placed) -> None:
    run_app(place, "--help")  # first start: page cache
    proc, seconds = run_app(place, "--help")
    assert proc.returncode == 0 and "minutes-app" in proc.stdout
    _record("cli_help_s", round(seconds, 2))


def test_deb_payload_runs(built: Path, tmp_path: Path) -> None:
    """The app inside the .deb (extracted, not installed: the test must not change the machine)."""
    deb = _debs()[-1]
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp_path / "root")], check=True, timeout=600)
    app = tmp_path / "root" / "opt" / "minutes-app"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    proc = subprocess.run(
        [str(app / "minutes-app"), "models", "--models-dir", str(tmp_path / "leer"), "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "whisper-base" in proc.stdout and "nicht installiert" in proc.stdout


def test_deb_contents(built: Path) -> None:
    deb = _debs()[-1]
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    for path in (
        "./opt/minutes-app/minutes-app",
        "./opt/minutes-app/minutes-app-gui",
        "./opt/minutes-app/_internal/prompts/v1/",
        "./usr/bin/minutes-app -> /opt/minutes-app/minutes-app",
        "./usr/share/applications/minutes-app.desktop",
        "./usr/share/doc/minutes-app/admin.md",
    ):
        assert path in listing, path
    assert "root/root" in listing.splitlines()[0]
    fields = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "Package: minutes-app" in fields and "libxkbcommon-x11-0" in fields
    scripts = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "postinst" in scripts and "postrm" in scripts
    _record("deb_mb", round(deb.stat().st_size / 1e6, 1))


def test_windows_installer_script_compiles() -> None:
    if not shutil.which("makensis"):
        pytest.skip("makensis not installed (Debian: apt-get install nsis; make package-deps does it)")
    proc = subprocess.run(
        ["bash", "packaging/windows/check.sh"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list((REPO / "build" / "nsis").glob("minutes-app-*-setup.exe"))


def test_measurements(built: Path, place: Placed, session: Session) -> None:
    """Sizes and times for docs/admin.md, written to dist/package-measurements.json."""
    size_mb = sum(p.lstat().st_size for p in built.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    _record("app_mb", round(size_mb))
    _record("copy_s", round(place.copy_s, 1))
    for key, value in session.seconds.items():
        _record(key, round(value, 1))
    info = DIST / "build-info.json"
    if info.is_file():
        _record("build", json.loads(info.read_text()))
    assert size_mb < 1800, f"bundle grew to {size_mb:.0f} MB (CUDA torch? see packaging/minutes-app.spec)"


_MEASURED: dict[str, object] = {}


def _record(key: str, value: object) -> None:
    _MEASURED[key] = value
    path = DIST / "package-measurements.json"
    old = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**old, **_MEASURED}, indent=2) + "\n")
