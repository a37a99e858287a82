"""Qt's runtime on Debian: the xcb platform plugin finds every system library it needs,
each from a package the project installs (Makefile) and declares (.deb), and the pinned
PySide6 does not leak references to None in QPainter calls (PySide6 6.12.0 did: the GUI
aborted with "Fatal Python error: none_dealloc" while painting the timeline)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _pyside_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).resolve().parent


def _qt_roots() -> list[Path]:
    """What the app loads on X: the xcb platform plugin, its GL integrations, input
    contexts, image formats, icon engines and the PySide6 modules the GUI imports."""
    qt = _pyside_dir() / "Qt"
    plugins = qt / "plugins"
    roots = [plugins / "platforms" / "libqxcb.so"]
    for folder in ("xcbglintegrations", "platforminputcontexts", "imageformats", "iconengines"):
        # Plugins of Qt modules that PySide6-Essentials does not ship (Pdf, VirtualKeyboard)
        # can never load; Qt skips them.
        roots += [
            plugin
            for plugin in sorted((plugins / folder).glob("*.so"))
            if all((qt / "lib" / n).exists() for n in elf_needed(plugin) if n.startswith("libQt6"))
        ]
    roots += [_pyside_dir() / f"{m}.abi3.so" for m in ("QtCore", "QtGui", "QtWidgets")]
    return roots


def elf_needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file (what ``readelf -d`` lists
    as NEEDED), read without binutils, which a fresh Debian lacks."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, f"{path}: not an ELF64 LE file"
    e_phoff = struct.unpack_from("<Q", data, 0x20)[0]
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dynamic = None
    for i in range(e_phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, e_phoff + i * e_phentsize
        )
        if p_type == 1:  # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == 2:  # PT_DYNAMIC
            dynamic = (p_offset, p_filesz)
    assert dynamic is not None, f"{path}: no dynamic section"

    def file_offset(vaddr: int) -> int:
        for start, offset, size in loads:
            if start <= vaddr < start + size:
                return offset + vaddr - start
        raise AssertionError(f"{path}: address {vaddr:#x} is in no loaded segment")

    entries = []
    strtab = 0
    for pos in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, value = struct.unpack_from("<qQ", data, pos)
        if tag == 0:  # DT_NULL
            break
        if tag == 5:  # DT_STRTAB
            strtab = file_offset(value)
        elif tag == 1:  # DT_NEEDED
            entries.append(value)
    names = []
    for offset in entries:
        end = data.index(b"\0", strtab + offset)
        names.append(data[strtab + offset : end].decode())
    return names


def _ldd(path: Path) -> dict[str, str]:
    """soname -> resolved path ("not found" where the loader finds nothing)."""
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=60, check=True).stdout
    resolved = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (not found|(\S+))", line)
        if m:
            resolved[m.group(1)] = m.group(2) if m.group(3) is None else m.group(3)
    return resolved


def _is_bundled(path: str) -> bool:
    return Path(path).resolve().is_relative_to(_pyside_dir().parent)


def _package_of(path: str) -> str:
    """The Debian package owning a library (tries the path as given and with or without
    /usr, since Debian 12 merges /lib into /usr/lib but dpkg records one of them)."""
    real = os.path.realpath(path)
    candidates = []
    for p in (path, real):
        candidates += [p, p.removeprefix("/usr")] if p.startswith("/usr/") else [p, "/usr" + p]
    for candidate in dict.fromkeys(candidates):
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, timeout=60)
        if out.returncode == 0:
            return out.stdout.split(":", 1)[0].strip()
    raise AssertionError(f"no Debian package owns {path}")


def system_libraries() -> dict[str, str]:
    """soname -> resolved path of every system library that the Qt roots and the bundled
    Qt/PySide libraries they load name directly (their own dependencies are the business of
    the Debian packages that provide them). Fails on any library the loader cannot find."""
    found: dict[str, str] = {}
    missing: list[str] = []
    seen: set[Path] = set()
    todo = list(_qt_roots())
    while todo:
        lib = todo.pop()
        if lib in seen:
            continue
        seen.add(lib)
        resolved = _ldd(lib)
        missing += [f"{name} (needed by {lib.name})" for name, p in resolved.items() if p == "not found"]
        for name in elf_needed(lib):
            path = resolved.get(name)
            if path is None or path == "not found":
                continue  # the dynamic loader itself, or reported above
            if _is_bundled(path):
                todo.append(Path(path).resolve())
            else:
                found[name] = path
    assert not missing, "Qt libraries the loader cannot find: " + ", ".join(sorted(set(missing)))
    return found


def makefile_apt_packages() -> set[str]:
    """APT_PACKAGES as make expands it."""
    out = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "-f",
            "Makefile",
            "--eval=print-apt:\n\t@echo $(APT_PACKAGES)",
            "print-apt",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def deb_depends() -> set[str]:
    """Packages the .deb requires without alternatives (version constraints dropped)."""
    control = (REPO / "packaging" / "linux" / "control.in").read_text()
    field = re.search(r"^Depends:(.*(?:\n[ \t].*)*)", control, re.MULTILINE)
    assert field, "packaging/linux/control.in has no Depends field"
    clauses = [c.strip() for c in field.group(1).split(",")]
    return {re.sub(r"\s*\(.*\)", "", c) for c in clauses if "|" not in c}


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs a Debian system (dpkg)")
def test_every_library_of_qt_xcb_resolves_to_a_package_that_make_and_the_deb_install():
    libraries = system_libraries()
    # The plugin's own xcb libraries are among them (the ones that were missing once).
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"} <= set(libraries)
    packages = {name: _package_of(path) for name, path in libraries.items()}
    make_packages = makefile_apt_packages()
    depends = deb_depends()
    not_in_make = sorted(f"{p} ({n})" for n, p in packages.items() if p not in make_packages)
    not_in_deb = sorted(f"{p} ({n})" for n, p in packages.items() if p not in depends)
    assert not not_in_make, f"missing from APT_PACKAGES in the Makefile: {not_in_make}"
    assert not not_in_deb, f"missing from Depends in packaging/linux/control.in: {not_in_deb}"


def test_elf_reader_agrees_with_ldd():
    plugin = _pyside_dir() / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    needed = elf_needed(plugin)
    assert "libQt6XcbQpa.so.6" in needed and "libxcb.so.1" in needed
    assert set(needed) - {"ld-linux-x86-64.so.2"} <= set(_ldd(plugin))


PAINTER_CALLS = r"""
import sys
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen

app = QGuiApplication([])
image = QImage(64, 64, QImage.Format.Format_ARGB32)
pens = [QPen(QColor(200, 0, 0)), QPen(QColor(0, 0, 200), 2)]
rect, line = QRectF(2, 2, 20, 20), QLineF(0, 0, 40, 40)
painter = QPainter(image)
before = sys.getrefcount(None)
for i in range(25_000):  # 4 calls each: 100,000 QPainter calls
    painter.setPen(pens[i & 1])
    painter.fillRect(rect, Qt.GlobalColor.white)
    painter.drawLine(line)
    painter.drawRect(rect)
after = sys.getrefcount(None)
painter.end()
print(before, after)
"""


def test_qpainter_calls_do_not_leak_references_to_none():
    """PySide6 6.12.0 on Python 3.11 dropped one reference to None per QPainter call; after
    a few thousand calls the interpreter aborts (none_dealloc). Run in a child process so a
    bad pin fails this test instead of aborting pytest."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", PAINTER_CALLS], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, f"painting aborted (exit {out.returncode}): {out.stderr[-2000:]}"
    before, after = map(int, out.stdout.split())
    assert after >= before, f"QPainter calls dropped {before - after} references to None"
