"""One background helper for all GUI work (after Picard's ``thread.run_task``).

Usage from any widget (GUI thread)::

    def work(progress: ProgressFn, cancel: CancelToken) -> Result:   # runs in a worker thread
        return run_pipeline(project, options, store, progress, cancel)

    handle = jobs.submit(
        work,
        name="Verarbeitung",
        on_result=lambda result: ...,          # GUI thread, the return value of ``work``
        on_error=lambda message: ...,          # GUI thread, a complete German sentence
        on_progress=lambda fraction, text: ..., # GUI thread, at most ~10 per second
        on_cancelled=lambda: ...,              # GUI thread, ``work`` raised Cancelled
        on_finished=lambda: ...,               # GUI thread, always last
    )
    handle.cancel()                            # sets the CancelToken (or drops a queued job)

* ``work`` must not touch widgets; it gets a progress callback and a ``CancelToken``.
* ``model=True`` (default): the job loads models or does heavy computing; only one such
  job runs at a time, further ones wait in a queue (first in, first out).
  ``model=False``: light work (an export, reading files) that runs at once.
* Errors: a ``UserError`` reaches ``on_error`` with its German message; any other
  exception is logged with its traceback and reported as a German "Interner Fehler"
  text; ``base.errors.Cancelled`` calls ``on_cancelled``.
* ``JobRunner(synchronous=True)`` runs every job inline inside ``submit`` (tests):
  the callbacks have all been called when ``submit`` returns.
* The handle also has Qt signals (``progress``, ``succeeded``, ``failed``, ``cancelled``,
  ``finished``) for further listeners; in asynchronous mode they fire only after
  ``submit`` returned, so connecting to them right after ``submit`` is safe.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn
from .strings import tr

log = logging.getLogger(__name__)

JobFn = Callable[[ProgressFn, CancelToken], Any]
PROGRESS_INTERVAL = 0.1  # seconds between two progress updates (~10 per second)

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"


class _Throttle:
    """Progress callback for the worker: passes at most one update per ``interval``.

    The latest value is kept and delivered by ``flush`` when the job ends, so the
    last state always arrives.
    """

    def __init__(self, emit: Callable[[float, str], None], interval: float) -> None:
        self._emit = emit
        self._interval = interval
        self._last = float("-inf")
        self._pending: tuple[float, str] | None = None

    def __call__(self, fraction: float, message: str = "", /) -> None:
        now = time.monotonic()
        self._pending = (float(fraction), message)
        if now - self._last >= self._interval:
            self._last = now
            self._pending = None
            self._emit(float(fraction), message)

    def flush(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._emit(*pending)


class _Bridge(QObject):
    """Carries a worker's reports into the GUI thread (queued connections)."""

    progress = Signal(float, str)
    ended = Signal(str, object)  # state, result or message


class JobHandle(QObject):
    """One submitted job. Lives in the GUI thread; all its signals fire there."""

    progress = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: JobFn, name: str, model: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.name = name
        self.model = model
        self.token = CancelToken()
        self.state = QUEUED
        self.result: Any = None
        self.error: BaseException | None = None
        self.message = ""  # German error message when failed

    @property
    def done(self) -> bool:
        return self.state in (SUCCEEDED, FAILED, CANCELLED)

    def _on_ended(self, state: str, payload: object) -> None:  # GUI thread (queued from the worker)
        runner = self.parent()
        if isinstance(runner, JobRunner):
            runner._end(self, state, payload)

    def cancel(self) -> None:
        """Ask the job to stop (it raises Cancelled at its next safe point)."""
        self.token.cancel()
        runner = self.parent()
        if self.state == QUEUED and isinstance(runner, JobRunner):
            runner._drop_queued(self)


class JobRunner(QObject):
    """Runs jobs on a QThreadPool; at most one ``model`` job at a time, the rest queued."""

    busy_changed = Signal(bool)
    queue_changed = Signal(int)  # number of model jobs waiting

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        synchronous: bool = False,
        interval: float = PROGRESS_INTERVAL,
        max_threads: int = 3,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.interval = interval
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(max_threads, 2))
        self._queue: deque[JobHandle] = deque()
        self._model_job: JobHandle | None = None
        self._active: set[JobHandle] = set()

    # -- public API ---------------------------------------------------------------------------
    def submit(
        self,
        fn: JobFn,
        *,
        name: str = "",
        model: bool = True,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> JobHandle:
        """Run ``fn(progress, cancel)`` in the background; see the module docstring."""
        handle = JobHandle(fn, name, model, self)
        for signal, slot in (
            (handle.succeeded, on_result),
            (handle.failed, on_error),
            (handle.progress, on_progress),
            (handle.cancelled, on_cancelled),
            (handle.finished, on_finished),
        ):
            if slot is not None:
                signal.connect(slot)
        self._active.add(handle)
        if model and (self._model_job is not None or self._queue):
            self._queue.append(handle)
            self.queue_changed.emit(len(self._queue))
        else:
            self._start(handle)
        self.busy_changed.emit(True)
        return handle

    @property
    def busy(self) -> bool:
        return bool(self._active)

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def current_model_job(self) -> JobHandle | None:
        return self._model_job

    def cancel_all(self) -> None:
        for handle in list(self._queue):
            handle.cancel()
        for handle in list(self._active):
            handle.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything and wait for running jobs; True when all have stopped."""
        self.cancel_all()
        return bool(self._pool.waitForDone(timeout_ms))

    # -- internals ------------------------------------------------------------------------------
    def _start(self, handle: JobHandle) -> None:
        handle.state = RUNNING
        if handle.model:
            self._model_job = handle
        if self.synchronous:
            state, payload = self._execute(handle, handle.progress.emit)
            self._end(handle, state, payload)
            return
        bridge = _Bridge()
        bridge.progress.connect(handle.progress, Qt.ConnectionType.QueuedConnection)
        bridge.ended.connect(handle._on_ended, Qt.ConnectionType.QueuedConnection)
        handle._bridge = bridge  # type: ignore[attr-defined]  # keep it alive with the handle

        def run() -> None:
            state, payload = self._execute(handle, bridge.progress.emit)
            bridge.ended.emit(state, payload)

        self._pool.start(run)

    def _execute(self, handle: JobHandle, emit: Callable[[float, str], None]) -> tuple[str, Any]:
        """Run the job function (worker thread, or inline when synchronous)."""
        throttle = _Throttle(emit, self.interval)
        try:
            handle.token.raise_if_cancelled()
            result = handle.fn(throttle, handle.token)
        except Cancelled:
            return CANCELLED, None
        except UserError as exc:
            handle.error = exc
            return FAILED, str(exc)
        except Exception as exc:  # a bug: log it, tell the user plainly
            log.exception("job %r failed", handle.name)
            handle.error = exc
            return FAILED, tr("job.internal_error", kind=type(exc).__name__, detail=exc)
        finally:
            throttle.flush()
        return SUCCEEDED, result

    def _end(self, handle: JobHandle, state: str, payload: Any) -> None:
        handle.state = state
        if state == SUCCEEDED:
            handle.result = payload
            handle.succeeded.emit(payload)
        elif state == FAILED:
            handle.message = str(payload)
            handle.failed.emit(str(payload))
        else:
            handle.cancelled.emit()
        self._finish(handle)

    def _finish(self, handle: JobHandle) -> None:
        handle.finished.emit()
        self._active.discard(handle)
        if handle is self._model_job:
            self._model_job = None
            if self._queue:
                nxt = self._queue.popleft()
                self.queue_changed.emit(len(self._queue))
                self._start(nxt)
        if not self._active:
            self.busy_changed.emit(False)

    def _drop_queued(self, handle: JobHandle) -> None:
        if handle in self._queue:
            self._queue.remove(handle)
            self.queue_changed.emit(len(self._queue))
            handle.state = CANCELLED
            handle.cancelled.emit()
            self._finish(handle)
