"""Run a stage in a worker process, with progress and cancellation across it.

Why: a stage's memory (torch, pyannote) goes back to the system when its
process ends, a crash in native code cannot take the app down, and two stages
can run side by side on two cores. The target is named as ``"module:function"``
and called as ``function(**kwargs, progress=..., cancel=...)``; its result and
any ``UserError`` come back pickled. Progress is throttled in the worker.

While this process keeps models for a queue of jobs (``base.model_cache.retain``),
stages do not get a process each: they run one after another in one long-lived
``ModelHost`` process whose module caches (diarization pipeline, LLM) keep their
models between jobs. ``model_cache.release()`` stops it; a host whose stage
crashed, failed internally or was abandoned is stopped and the next stage starts
a fresh one.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from . import model_cache
from .errors import Cancelled, UserError
from .jobs import CancelToken, ProgressFn, no_progress
from .lifetime import start_tied, tie_to_parent

_THROTTLE_S = 0.1
# How long a cancelled worker may take to end on its own before it is terminated. Its
# partial results are written atomically, so terminating it loses at most the step it was
# in; a stage's native code (a Whisper or LLM step, a pyannote batch) can take seconds on
# busy cores, and Abbrechen / Ctrl-C must answer within 2 s.
CANCEL_GRACE_S = 0.5


class _EventToken(CancelToken):
    """A CancelToken in the worker that follows the parent's multiprocessing Event."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self._mp_event = event

    @property
    def cancelled(self) -> bool:
        return bool(self._mp_event.is_set())

    def raise_if_cancelled(self) -> None:
        if self._mp_event.is_set():
            raise Cancelled()


def _run_target(
    target: str, kwargs: dict[str, Any], put: Callable[[str, Any], None], cancel_event: Any
) -> None:
    last = [0.0]

    def progress(fraction: float, message: str = "", /) -> None:
        now = time.monotonic()
        if now - last[0] >= _THROTTLE_S or fraction >= 1.0:
            last[0] = now
            put("progress", (float(fraction), str(message)))

    module, _, name = target.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
        result = fn(**kwargs, progress=progress, cancel=_EventToken(cancel_event))
    except Cancelled:
        put("cancelled", None)
    except UserError as exc:
        put("error", exc)
    except BaseException as exc:  # reported to the parent as an internal error
        put("error", RuntimeError(f"{type(exc).__name__}: {exc}"))
    else:
        put("result", result)


def _start_child(parent_pid: int) -> None:
    from .offline import ensure_offline

    tie_to_parent(parent_pid)  # never outlive the app (base/lifetime.py)
    # Ctrl-C reaches the whole process group; the parent cancels through the event, so the
    # worker ends its step cleanly (atomic files, no traceback) instead of dying mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ensure_offline()


def _child(target: str, kwargs: dict[str, Any], out: Any, cancel_event: Any, parent_pid: int) -> None:
    _start_child(parent_pid)
    _run_target(target, kwargs, lambda kind, payload: out.put((0, kind, payload)), cancel_event)


def _host(requests: Any, out: Any, cancel_event: Any, parent_pid: int) -> None:
    """The model host's loop: run each requested stage, keeping what the stages load."""
    _start_child(parent_pid)
    model_cache.retain()
    while (item := requests.get()) is not None:
        job, target, kwargs = item

        def put(kind: str, payload: Any, job: int = job) -> None:
            out.put((job, kind, payload))

        _run_target(target, kwargs, put, cancel_event)
    model_cache.release()


def stop_process(process: Any, cancel_event: Any, grace: float = CANCEL_GRACE_S) -> None:
    """Ask a worker process to cancel; terminate it if it has not ended after ``grace`` s."""
    if process.is_alive():
        cancel_event.set()
        process.join(timeout=grace)
        end_process(process)


def end_process(process: Any) -> None:
    """Terminate ``process`` if it still runs, kill it if it ignores that."""
    if process.is_alive():
        process.terminate()
        process.join(timeout=2)
        if process.is_alive():
            process.kill()
            process.join(timeout=2)


class ModelHost:
    """One worker process kept between jobs; runs one stage at a time."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.requests = ctx.Queue()
        self.out = ctx.Queue()
        self.cancel_event = ctx.Event()
        self.process = ctx.Process(
            target=_host,
            args=(self.requests, self.out, self.cancel_event, os.getpid()),
            daemon=True,
            name="model-host",
        )
        start_tied(self.process)
        self.busy = False
        self.jobs = 0

    def submit(self, target: str, kwargs: dict[str, Any]) -> int:
        self.jobs += 1
        self.cancel_event.clear()
        self.requests.put((self.jobs, target, kwargs))
        return self.jobs

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.is_alive():
            self.cancel_event.set()
            self.requests.put(None)
            self.process.join(timeout=timeout)
            end_process(self.process)


_host_lock = threading.Lock()
_shared_host: ModelHost | None = None
HOST_STARTS = [0]  # model host processes started in this process (tests, benchmarks)


def _acquire_host() -> ModelHost | None:
    """The shared model host while models are kept and it is free; else None."""
    global _shared_host
    if not model_cache.retaining():
        return None
    with _host_lock:
        if _shared_host is not None and not _shared_host.process.is_alive():
            _shared_host = None
        if _shared_host is None:
            _shared_host = ModelHost()
            HOST_STARTS[0] += 1
        if _shared_host.busy:
            return None  # a second stage at the same time gets its own process
        _shared_host.busy = True
        return _shared_host


def _drop_host(host: ModelHost, timeout: float = 10.0) -> None:
    global _shared_host
    with _host_lock:
        if _shared_host is host:
            _shared_host = None
    host.stop(timeout)


def stop_host() -> None:
    """Stop the model host (its models go with it); the next stage starts a fresh one."""
    with _host_lock:
        host = _shared_host
    if host is not None:
        _drop_host(host)


model_cache.on_release(stop_host)


class WorkerStage:
    """A stage started in its own process; ``wait`` forwards progress and returns the result."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        self._host = _acquire_host()
        self._hosted = self._host is not None
        self._done = False  # the stage ended in an orderly way (a kept host can be reused)
        self._job = 0
        if self._host is not None:
            self._job = self._host.submit(target, kwargs)
            self._queue, self._cancel, self._process = (
                self._host.out,
                self._host.cancel_event,
                self._host.process,
            )
            return
        ctx = multiprocessing.get_context("spawn")  # no forked torch/Qt state
        self._queue = ctx.Queue()
        self._cancel = ctx.Event()
        self._process = ctx.Process(
            target=_child,
            args=(target, kwargs, self._queue, self._cancel, os.getpid()),
            daemon=True,
            name=target,
        )
        start_tied(self._process)

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> Any:
        given_up_at = None  # cancelled: how long the worker may still take to answer
        try:
            while True:
                if cancel is not None and cancel.cancelled:
                    self._cancel.set()
                    given_up_at = given_up_at or time.monotonic() + CANCEL_GRACE_S
                if given_up_at is not None and time.monotonic() > given_up_at:
                    raise Cancelled()  # still inside a native step: close() terminates it
                try:
                    job, kind, payload = self._queue.get(timeout=0.1 if given_up_at else 0.2)
                except queue.Empty:
                    if not self._process.is_alive():
                        if self._cancel.is_set():
                            raise Cancelled() from None  # ended while it was being cancelled
                        raise UserError(
                            "Ein Verarbeitungsschritt wurde unerwartet beendet "
                            f"(Prozess-Ende {self._process.exitcode}). Bitte erneut starten; "
                            "fertige Schritte bleiben erhalten."
                        ) from None
                    continue
                if job != self._job:
                    continue  # left over from an earlier stage of the model host
                if kind == "progress":
                    progress(*payload)
                    continue
                self._done = kind != "error" or isinstance(payload, UserError)
                if kind == "result":
                    return payload
                if kind == "cancelled":
                    raise Cancelled()
                raise payload
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (cancel, then terminate if it does not end). A model host whose
        stage ended in order is kept for the next stage; otherwise it is stopped."""
        if self._hosted:
            host, self._host = self._host, None
            if host is None:
                return  # closed before
            if self._done:
                with _host_lock:
                    host.busy = False
            else:
                _drop_host(host, CANCEL_GRACE_S)  # cancelled or failed: no waiting on it
            return
        stop_process(self._process, self._cancel)
