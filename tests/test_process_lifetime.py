"""No process of the app outlives its parent by more than 2 s (base/lifetime.py).

Real processes on Linux: the parent is killed with SIGKILL (only the parent, not its
process group) and its children are polled in /proc until they are gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"
LIMIT_S = 2.0

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> set[int]:
    """Living processes whose parent is ``pid`` (not zombies)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def _workers(pid: int) -> set[int]:
    """The worker processes (multiprocessing spawn) among ``pid``'s children."""
    found = set()
    for child in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(child)
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_parent_and_wait(parent: subprocess.Popen, children: set[int]) -> float:
    """SIGKILL ``parent`` only; seconds until the last of ``children`` is gone (or raises)."""
    killed = time.monotonic()
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    while any(_alive(pid) for pid in children):
        if time.monotonic() - killed > 10:
            for pid in children:  # do not leave them behind for the other tests
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"children still alive 10 s after their parent was killed: {children}")
        time.sleep(0.02)
    return time.monotonic() - killed


PARENT = """
import sys, threading, time
from minutes_app.base import model_cache
from minutes_app.base.worker import WorkerStage

stages = []

def start():  # from a thread that ends at once: the workers must not die with it
    model_cache.retain()
    stages.append(WorkerStage("spin:spin"))  # the model host
    stages.append(WorkerStage("spin:spin"))  # the host is busy: a process of its own

thread = threading.Thread(target=start)
thread.start()
thread.join()
print("started", flush=True)
time.sleep(600)
"""

SPIN = """
import time

def spin(progress, cancel):
    while True:  # ignores cancel, as native code in the middle of a step does
        progress(0.5, "rechnet")
        time.sleep(0.05)
"""


def test_workers_and_model_host_die_with_a_killed_parent(tmp_path):
    (tmp_path / "spin.py").write_text(textwrap.dedent(SPIN))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().strip() == "started"
        time.sleep(1.5)  # the starting thread ended long ago: the workers must still run
        children = _children(parent.pid)
        workers = _workers(parent.pid)
        assert len(workers) >= 2, children  # the model host and the second worker (+ resource tracker)
        gone = _kill_parent_and_wait(parent, children)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert gone <= LIMIT_S, f"children outlived the parent by {gone:.2f} s"


def test_minutes_app_run_killed_leaves_no_worker(tmp_path):
    """The real `minutes-app run`: killed while ASR and the diarization worker run."""
    args = ["run", str(EXAMPLES / "beispielsitzung.ogg"), "--project", str(tmp_path / "p")]
    args += ["--no-draft", "-o", str(tmp_path / "entwurf.docx")]
    parent = subprocess.Popen(
        [sys.executable, "-m", "minutes_app", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        started = time.monotonic()
        workers: set[int] = set()
        while not workers:  # the diarization worker has started (decode is done)
            assert parent.poll() is None, "run ended before its worker started"
            assert time.monotonic() - started < 300, "no worker process within 300 s"
            workers = _workers(parent.pid)
            time.sleep(0.1)
        time.sleep(2.0)  # let it get to work (models loaded, ASR beside it)
        gone = _kill_parent_and_wait(parent, _children(parent.pid))
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert gone <= LIMIT_S, f"the worker outlived `run` by {gone:.2f} s"
