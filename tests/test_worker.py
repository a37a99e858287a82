"""Stages in a worker process: result, progress, German errors, cancellation, a dying worker."""

from __future__ import annotations

import os
import time

import pytest

from minutes_app.base.errors import Cancelled, InvalidAudioError, UserError
from minutes_app.base.jobs import CancelToken
from minutes_app.base.worker import WorkerStage


def square(value: int, progress, cancel) -> int:
    for i in range(5):
        progress(i / 5, "rechnet")
    return value * value


def refuse(progress, cancel) -> None:
    raise InvalidAudioError("„x.wav“ enthält nur Stille.")


def wait_for_cancel(progress, cancel) -> None:
    progress(0.1, "wartet")
    for _ in range(600):
        cancel.raise_if_cancelled()
        time.sleep(0.05)


def die(progress, cancel) -> None:
    os._exit(9)


def test_result_and_progress_come_back():
    seen = []
    result = WorkerStage(f"{__name__}:square", value=7).wait(lambda f, m="": seen.append((f, m)))
    assert result == 49
    assert seen and seen[0] == (0.0, "rechnet")


def test_user_error_keeps_type_and_message():
    with pytest.raises(InvalidAudioError, match="nur Stille"):
        WorkerStage(f"{__name__}:refuse").wait()


def test_cancel_reaches_the_worker():
    token = CancelToken()
    stage = WorkerStage(f"{__name__}:wait_for_cancel")

    def progress(fraction, message=""):
        token.cancel()  # cancel as soon as the worker is running

    started = time.monotonic()
    with pytest.raises(Cancelled):
        stage.wait(progress, token)
    assert time.monotonic() - started < 30


def test_a_dying_worker_is_reported_in_german():
    with pytest.raises(UserError, match="unerwartet beendet"):
        WorkerStage(f"{__name__}:die").wait()
