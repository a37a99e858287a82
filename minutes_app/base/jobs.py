"""Cancellation and progress reporting for long stages.

A stage receives ``progress`` (a callable taking a fraction 0..1 and a short
German status text) and ``cancel`` (a CancelToken). It calls
``cancel.raise_if_cancelled()`` at safe points; that raises ``Cancelled``.
"""

from __future__ import annotations

import threading
from typing import Protocol

from .errors import Cancelled


class ProgressFn(Protocol):
    """``progress(fraction, message="")``: fraction 0..1, a short German status text."""

    def __call__(self, fraction: float, message: str = "", /) -> None: ...


def no_progress(fraction: float, message: str = "") -> None:
    """Default progress hook: does nothing."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def scaled(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """Map a sub-stage's 0..1 progress onto ``start..end`` of the parent's."""

    def inner(fraction: float, message: str = "") -> None:
        progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return inner
