"""Sessions whose processing was cut off by the end of the program (killed GUI, crash, power cut).

``run_pipeline`` keeps ``processing.json`` (this process's id and start time) in the
project folder while it works and removes it however it ends in order (finished,
cancelled, an error). A marker whose process is gone therefore means the program ended
during processing: the start view shows the session as interrupted and offers to
continue, and continuing reuses every finished stage, ASR window, diarization block and
draft item. A second program working on the session (its process alive, or on another
PC of a shared folder) is not taken for an interruption.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from ..base import jsonio
from ..base.fileio import write_json
from ..base.lifetime import process_alive, start_ticks

MARKER_FILE = "processing.json"


@contextlib.contextmanager
def marked_running(folder: str | os.PathLike[str]) -> Iterator[None]:
    """``processing.json`` in ``folder`` while the block runs."""
    marker = Path(folder) / MARKER_FILE
    pid = os.getpid()
    started = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    host = socket.gethostname()
    write_json(marker, {"pid": pid, "process_started": start_ticks(pid), "host": host, "started": started})
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def interrupted(folder: str | os.PathLike[str]) -> bool:
    """Was the processing of the session in ``folder`` cut off by the end of its program?"""
    marker = Path(folder) / MARKER_FILE
    try:
        data = jsonio.loads(jsonio.read_bytes(marker))
        pid = int(data["pid"])
        started = data.get("process_started")
        started = int(started) if started is not None else None
    except FileNotFoundError:
        return False
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return True  # a marker nobody can read: no program is known to be working on it
    if data.get("host", socket.gethostname()) != socket.gethostname():
        return False  # processed on another PC (a shared folder): its processes are not visible here
    return not process_alive(pid, started)
