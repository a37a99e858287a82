"""A real X server for GUI tests and scripted screenshots: Xvfb (its screen readable as
pixels through ``-fbdir``), optionally the openbox window manager, and xdotool for real
key and mouse events.

``require_x()`` fails the test under CI (``CI`` set) when Xvfb or xdotool are missing,
and skips it on a developer machine without them (``make x-server`` installs them).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

X_PACKAGES = "xvfb xauth xdotool openbox"


def require_x(window_manager: bool = False) -> None:
    import pytest

    tools = ["Xvfb", "xdotool"] + (["openbox"] if window_manager else [])
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        message = f"{', '.join(missing)} not installed; run `make x-server` (apt-get install {X_PACKAGES})"
        if os.environ.get("CI"):
            pytest.fail(f"no X server in CI: {message}")
        pytest.skip(message)


class XServer:
    """``with XServer() as x:`` starts Xvfb on a free display (and openbox), stops both after."""

    def __init__(self, width: int = 1600, height: int = 1000, window_manager: bool = True) -> None:
        self.size = (width, height)
        self.window_manager = window_manager
        self._tmp = tempfile.TemporaryDirectory(prefix="xvfb-")
        self.fbdir = Path(self._tmp.name)
        self.display = ""
        self._procs: list[subprocess.Popen[bytes]] = []

    # -- life cycle ----------------------------------------------------------------------------
    def __enter__(self) -> XServer:
        read, write = os.pipe()
        width, height = self.size
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24"]
            + ["-fbdir", str(self.fbdir), "-nolisten", "tcp", "-noreset"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        self._procs.append(xvfb)
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        if not number:
            self.__exit__(None, None, None)
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        if self.window_manager:
            self._procs.append(
                subprocess.Popen(
                    ["openbox", "--sm-disable"],
                    env=self.env(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            self.wait_for(
                lambda: self.xdotool("get_num_desktops", check=False).returncode == 0, 20, "openbox"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._procs.clear()
        self._tmp.cleanup()

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        return env

    # -- input ---------------------------------------------------------------------------------
    def xdotool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)}: {out.stderr.strip()}")
        return out

    def key(self, *keys: str, delay: float = 0.15) -> None:
        for k in keys:
            self.xdotool("key", "--clearmodifiers", k)
            time.sleep(delay)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "20", text)
        time.sleep(0.2)

    def click(self, x: int, y: int, button: int = 1, repeat: int = 1) -> None:
        self.xdotool("mousemove", "--sync", str(x), str(y))
        self.xdotool("click", "--repeat", str(repeat), "--delay", "60", str(button))
        time.sleep(0.15)

    def wheel(self, x: int, y: int, steps: int, shift: bool = False) -> None:
        """``steps`` > 0: wheel up (zoom in on the timeline); Shift: horizontal scrolling."""
        self.xdotool("mousemove", "--sync", str(x), str(y))
        if shift:
            self.xdotool("keydown", "shift")
        try:
            self.xdotool("click", "--repeat", str(abs(steps)), "--delay", "80", "4" if steps > 0 else "5")
        finally:
            if shift:
                self.xdotool("keyup", "shift")
        time.sleep(0.15)

    def window(self, name: str, timeout: float = 60) -> str:
        """Id of the first visible window whose title matches ``name`` (a regular expression)."""
        found: list[str] = []

        def visible() -> bool:
            out = self.xdotool("search", "--onlyvisible", "--name", name, check=False)
            found[:] = out.stdout.split()
            return bool(found)

        self.wait_for(visible, timeout, f"window {name!r}")
        return found[0]

    def activate(self, window: str) -> None:
        if self.window_manager:
            self.xdotool("windowactivate", "--sync", window, check=False)
        self.xdotool("windowfocus", "--sync", window, check=False)
        time.sleep(0.3)

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        """x, y, width, height of a window on the screen."""
        out = self.xdotool("getwindowgeometry", "--shell", window).stdout
        values = dict(line.split("=", 1) for line in out.split() if "=" in line)
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    # -- output --------------------------------------------------------------------------------
    def frame(self) -> np.ndarray:
        """The screen as an (height, width, 3) RGB array, read from Xvfb's XWD frame buffer."""
        data = (self.fbdir / "Xvfb_screen0").read_bytes()
        order = ">" if struct.unpack_from(">I", data, 0)[0] < 4096 else "<"
        head = struct.unpack_from(order + "25I", data, 0)
        header_size, width, height = head[0], head[4], head[5]
        byte_order, bits, stride, ncolors = head[7], head[11], head[12], head[19]
        masks = head[14:17]
        if bits != 32:
            raise RuntimeError(f"unexpected frame buffer depth: {bits} bits per pixel")
        offset = header_size + 12 * ncolors
        raw = np.frombuffer(
            data, dtype=">u4" if byte_order else "<u4", count=stride // 4 * height, offset=offset
        )
        pixels = raw.reshape(height, stride // 4)[:, :width]
        channels = [((pixels & m) >> (int(m).bit_length() - 8)).astype(np.uint8) for m in masks]
        return np.stack(channels, axis=-1)

    def save_frame(self, path: Path) -> Path:
        """The screen as a binary PPM (readable by any image viewer), for failure reports."""
        frame = self.frame()
        path.write_bytes(b"P6 %d %d 255\n" % (frame.shape[1], frame.shape[0]) + frame.tobytes())
        return path

    @staticmethod
    def wait_for(condition, timeout: float, what: str, interval: float = 0.2):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval)
        raise TimeoutError(f"waited {timeout:.0f} s for {what}")


def find_vertical_line(
    frame: np.ndarray, rgb: tuple[int, int, int], min_height: int = 60
) -> tuple[int, int, int] | None:
    """(x, top, bottom) of the longest vertical run of exactly ``rgb``, e.g. the timeline's playhead."""
    match = np.all(frame == np.array(rgb, dtype=np.uint8), axis=-1)
    counts = match.sum(axis=0)
    x = int(np.argmax(counts))
    if counts[x] < min_height:
        return None
    rows = np.flatnonzero(match[:, x])
    return x, int(rows[0]), int(rows[-1])
