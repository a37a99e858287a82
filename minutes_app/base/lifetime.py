"""Child processes that never outlive the app, however it ends (SIGKILL, crash, closed window).

Parent side, ``start_tied(process)``: every worker process of the app (stage workers, the
model host, the live job) is started through it.

- Linux: the child asks the kernel for SIGKILL when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``). The kernel sends it when the *thread* that forked the
  child ends, not the process: a worker started from a GUI pool thread would be killed
  when the pool retires that thread. So the processes are started from one thread that
  lives as long as the process (``_Spawner``).
- Windows: each child is put into a Job object with ``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE``;
  the only handle to the job is this process's, so when it ends for any reason the
  system closes the handle and ends every process in the job.

Child side, ``tie_to_parent(parent_pid)`` first thing in the child: arms the death signal,
checks that the parent did not end before it was armed, and starts a watchdog thread
that ends the child within ``WATCHDOG_S`` once the parent is gone (the fallback on every
system: ``os.getppid()`` changes on POSIX, the parent's process handle is signalled on
Windows).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

WATCHDOG_S = 0.5  # how often the child's watchdog looks for its parent
PR_SET_PDEATHSIG = 1
ORPHAN_EXIT = 70  # exit code of a child that ended because its parent was gone


def tie_to_parent(parent_pid: int) -> None:
    """In a child process: end this process as soon as ``parent_pid`` has ended."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.name == "posix" and os.getppid() != parent_pid:
        os._exit(ORPHAN_EXIT)  # the parent ended before the signal was armed
    threading.Thread(target=_watchdog, args=(parent_pid,), name="parent-watchdog", daemon=True).start()


def _parent_gone(parent_pid: int, parent: Any) -> bool:
    if os.name == "posix":
        return os.getppid() != parent_pid
    return parent is not None and not parent.is_alive()


def _watchdog(parent_pid: int) -> None:
    parent = multiprocessing.parent_process()
    while not _parent_gone(parent_pid, parent):
        time.sleep(WATCHDOG_S)
    os._exit(ORPHAN_EXIT)  # nobody is left to report to: no cleanup that could hang


class _Spawner:
    """One daemon thread that starts every child process (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: queue.Queue[tuple[Any, queue.Queue[BaseException | None]]] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self, process: Any) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="process-spawner", daemon=True)
                self._thread.start()
        answer: queue.Queue[BaseException | None] = queue.Queue()
        self._requests.put((process, answer))
        error = answer.get()
        if error is not None:
            raise error

    def _loop(self) -> None:
        while True:
            process, answer = self._requests.get()
            try:
                process.start()
            except BaseException as exc:  # handed to the caller's thread
                answer.put(exc)
            else:
                answer.put(None)


_SPAWNER = _Spawner()


def start_tied(process: Any) -> None:
    """Start ``process`` (a multiprocessing Process whose target calls ``tie_to_parent``)."""
    if sys.platform.startswith("linux"):
        _SPAWNER.start(process)
    else:
        process.start()
    if os.name == "nt":
        _windows_job().assign(process.pid)


class _WindowsJob:
    """A Job object with kill-on-close; ``assign`` puts a process into it."""

    def __init__(self) -> None:
        from ctypes import wintypes

        class Basic(ctypes.Structure):
            _fields_ = [
                ("PerProcessUserTimeLimit", ctypes.c_int64),
                ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", wintypes.DWORD),
                ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t),
                ("ActiveProcessLimit", wintypes.DWORD),
                ("Affinity", ctypes.c_size_t),
                ("PriorityClass", wintypes.DWORD),
                ("SchedulingClass", wintypes.DWORD),
            ]

        class Extended(ctypes.Structure):
            _fields_ = [
                ("BasicLimitInformation", Basic),
                ("IoInfo", ctypes.c_uint64 * 6),
                ("ProcessMemoryLimit", ctypes.c_size_t),
                ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t),
                ("PeakJobMemoryUsed", ctypes.c_size_t),
            ]

        self.kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self.kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        self.kernel32.OpenProcess.restype = wintypes.HANDLE
        self.handle = self.kernel32.CreateJobObjectW(None, None)
        info = Extended()
        info.BasicLimitInformation.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        # 9: JobObjectExtendedLimitInformation
        self.kernel32.SetInformationJobObject(
            wintypes.HANDLE(self.handle), 9, ctypes.byref(info), ctypes.sizeof(info)
        )

    def assign(self, pid: int | None) -> None:
        from ctypes import wintypes

        if not self.handle or pid is None:
            return  # no job object: the child's watchdog still ends it
        process = self.kernel32.OpenProcess(0x0001 | 0x0100, False, pid)  # TERMINATE | SET_QUOTA
        if process:
            self.kernel32.AssignProcessToJobObject(wintypes.HANDLE(self.handle), wintypes.HANDLE(process))
            self.kernel32.CloseHandle(wintypes.HANDLE(process))


_JOB: list[_WindowsJob] = []


def _windows_job() -> _WindowsJob:
    if not _JOB:
        _JOB.append(_WindowsJob())
    return _JOB[0]


def start_ticks(pid: int) -> int | None:
    """When process ``pid`` started (Linux clock ticks since boot); None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def process_alive(pid: int, started: int | None = None) -> bool:
    """Is process ``pid`` running (and, with ``started`` from ``start_ticks``, still the same
    process, not a later one that got the number again)?"""
    if pid <= 0:
        return False
    if os.name == "nt":
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        finally:
            kernel32.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    if started is not None and sys.platform.startswith("linux"):
        now = start_ticks(pid)
        return now is None or now == started
    return True
