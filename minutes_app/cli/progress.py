"""A progress bar with ETA on stderr, and running a job so Ctrl-C cancels it."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import NoReturn, TypeVar

from ..base.jobs import CancelToken

T = TypeVar("T")

# After Ctrl-C the job gets this long to end at its next check; then the process ends
# without waiting for it (see run_cancellable).
CANCEL_WAIT_S = 1.0
CANCELLED_TEXT = "Abgebrochen. Fertige Schritte bleiben im Projektordner erhalten."


def _fmt(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ProgressBar:
    """Thread-safe; redraws at most 10 times a second (every 5 % when not a TTY)."""

    def __init__(self, stream=None, width: int = 30) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_step = -1
        self._lock = threading.Lock()
        self._fraction = 0.0
        self._message = ""

    def __call__(self, fraction: float, message: str = "") -> None:
        with self._lock:
            self._fraction = max(self._fraction, min(fraction, 1.0))
            self._message = message or self._message
            now = time.monotonic()
            step = int(self._fraction * 20)
            if self.tty and now - self._last_draw < 0.1 and fraction < 1.0:
                return
            if not self.tty and step == self._last_step:
                return
            self._last_draw, self._last_step = now, step
            self._draw(now)

    def _draw(self, now: float) -> None:
        f = self._fraction
        elapsed = now - self.started
        eta = f"Rest {_fmt(elapsed * (1 - f) / f)}" if 0.02 < f < 1.0 else ""
        filled = int(self.width * f)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {f * 100:5.1f} % {self._message:<20} {_fmt(elapsed)} {eta}"
        if self.tty:
            self.stream.write("\r" + line.ljust(78))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def run_cancellable(job: Callable[[CancelToken], T]) -> T:
    """Run ``job`` in a worker thread; Ctrl-C sets the token, gives the job
    ``CANCEL_WAIT_S`` to stop and ends the process with exit 130 (``_exit_now``)."""
    token = CancelToken()
    box: dict[str, object] = {}
    # Wait on an Event, not Thread.join: on Python 3.11 a Ctrl-C landing inside join()
    # can mark the thread as finished while it still runs (bpo-45274); the process then
    # exits under Whisper's native code and crashes instead of ending with exit 130.
    done = threading.Event()

    def target() -> None:
        try:
            box["result"] = job(token)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=target, name="minutes-job", daemon=True)
    worker.start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        token.cancel()
        sys.stderr.write("\nAbbruch angefordert – der laufende Schritt wird beendet …\n")
        sys.stderr.flush()
        deadline = time.monotonic() + CANCEL_WAIT_S
        while not done.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(KeyboardInterrupt):
                done.wait(0.05)
        _exit_now()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def _exit_now() -> NoReturn:
    """After Ctrl-C: end the process with exit 130, also while a step is in native code.

    A Whisper step (encoder + decoder of 30 s of audio) cannot be interrupted and took up
    to 12 s on busy cores; the pipeline stops waiting for it (``pipeline.stage_asr.
    answer_cancel``) and so does this. Every result and partial result is written
    atomically, so ending here is as safe as a SIGKILL, which a re-run resumes from; the
    worker processes end with this one (``base/lifetime.py``). ``os._exit``: a normal
    interpreter exit under Whisper's native code can crash (bpo-45274, see above).
    """
    sys.stderr.write(CANCELLED_TEXT + "\n")
    with contextlib.suppress(Exception):
        sys.stderr.flush()
        sys.stdout.flush()
    os._exit(130)
