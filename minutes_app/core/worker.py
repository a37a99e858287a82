"""Run a stage in a worker process, with progress and cancellation across it.

Why: a stage's memory (torch, pyannote) goes back to the system when its
process ends, a crash in native code cannot take the app down, and two stages
can run side by side on two cores. The target is named as ``"module:function"``
and called as ``function(**kwargs, progress=..., cancel=...)``; its result and
any ``UserError`` come back pickled. Progress is throttled in the worker.
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue
import signal
import time
from typing import Any

from .errors import Cancelled, UserError
from .jobs import CancelToken, ProgressFn, no_progress

_THROTTLE_S = 0.1


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


def _child(target: str, kwargs: dict[str, Any], out: Any, cancel_event: Any) -> None:
    from .offline import ensure_offline

    # Ctrl-C reaches the whole process group; the parent cancels through the event, so the
    # worker ends its step cleanly (atomic files, no traceback) instead of dying mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ensure_offline()
    last = [0.0]

    def progress(fraction: float, message: str = "", /) -> None:
        now = time.monotonic()
        if now - last[0] >= _THROTTLE_S or fraction >= 1.0:
            last[0] = now
            out.put(("progress", (float(fraction), str(message))))

    module, _, name = target.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
        result = fn(**kwargs, progress=progress, cancel=_EventToken(cancel_event))
    except Cancelled:
        out.put(("cancelled", None))
    except UserError as exc:
        out.put(("error", exc))
    except BaseException as exc:  # reported to the parent as an internal error
        out.put(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    else:
        out.put(("result", result))


class WorkerStage:
    """A stage started in its own process; ``wait`` forwards progress and returns the result."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        ctx = multiprocessing.get_context("spawn")  # no forked torch/Qt state
        self._queue = ctx.Queue()
        self._cancel = ctx.Event()
        self._process = ctx.Process(
            target=_child, args=(target, kwargs, self._queue, self._cancel), daemon=True, name=target
        )
        self._process.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> Any:
        try:
            while True:
                if cancel is not None and cancel.cancelled:
                    self._cancel.set()
                try:
                    kind, payload = self._queue.get(timeout=0.2)
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
                if kind == "progress":
                    progress(*payload)
                elif kind == "result":
                    return payload
                elif kind == "cancelled":
                    raise Cancelled()
                else:
                    raise payload
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (cancel, then terminate if it does not end)."""
        if self._process.is_alive():
            self._cancel.set()
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=5)
