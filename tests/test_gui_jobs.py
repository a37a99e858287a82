"""JobRunner: throttled progress, cancel, errors, one model job at a time, synchronous mode."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("pytestqt")

from minutes_app.base.errors import AgendaError, Cancelled  # noqa: E402
from minutes_app.gui.jobs import CANCELLED, FAILED, SUCCEEDED, JobRunner, _Throttle  # noqa: E402


@pytest.fixture
def runner(qtbot):
    jobs = JobRunner(interval=0.1)
    yield jobs
    jobs.shutdown(5000)


def test_throttle_passes_about_ten_updates_per_second_and_keeps_the_last():
    seen: list[tuple[float, str]] = []
    throttle = _Throttle(lambda f, m: seen.append((f, m)), 0.1)
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < 0.5:
        throttle(i / 1e6, "läuft")
        i += 1
    throttle.flush()
    assert i > 1000
    assert 4 <= len(seen) <= 8  # 0.5 s at 10/s, plus the first and the flushed last one
    assert seen[-1] == ((i - 1) / 1e6, "läuft")


def test_result_and_progress_arrive_in_the_gui_thread(qtbot, runner):
    gui_thread = threading.get_ident()
    progress: list[tuple[float, str, int]] = []
    results: list[object] = []

    def work(report, cancel):
        for i in range(2001):
            report(i / 2000, "Schritt")
            time.sleep(0.0002)
        return threading.get_ident()

    handle = runner.submit(
        work,
        on_progress=lambda f, m: progress.append((f, m, threading.get_ident())),
        on_result=results.append,
    )
    with qtbot.waitSignal(handle.finished, timeout=10000):
        pass
    assert handle.state == SUCCEEDED
    assert results and results[0] != gui_thread  # the work ran in a worker thread
    assert all(t == gui_thread for *_, t in progress)
    assert progress[-1][:2] == (1.0, "Schritt")
    assert len(progress) < 100  # throttled, not 2001 updates


def test_cancel_running_job(qtbot, runner):
    started = threading.Event()
    events: list[str] = []

    def work(report, cancel):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.01)

    handle = runner.submit(work, on_cancelled=lambda: events.append("cancelled"))
    assert started.wait(5)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        handle.cancel()
    assert events == ["cancelled"]
    assert handle.state == CANCELLED
    assert not runner.busy


def test_user_error_gives_its_german_message_other_errors_an_internal_error_text(qtbot, runner):
    messages: list[str] = []

    def bad_input(report, cancel):
        raise AgendaError("Die Tagesordnung ist leer.")

    def bug(report, cancel):
        raise ZeroDivisionError("division by zero")

    first = runner.submit(bad_input, on_error=messages.append)
    second = runner.submit(bug, on_error=messages.append)
    qtbot.waitUntil(lambda: first.done and second.done, timeout=5000)
    assert messages[0] == "Die Tagesordnung ist leer."
    assert messages[1].startswith("Interner Fehler (ZeroDivisionError")
    assert first.state == second.state == FAILED
    assert isinstance(first.error, AgendaError)


def test_only_one_model_job_runs_at_a_time_the_rest_queue(qtbot, runner):
    lock = threading.Lock()
    running = 0
    most = 0
    order: list[int] = []

    def make(n):
        def work(report, cancel):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            return n

        return work

    handles = [runner.submit(make(n), on_result=order.append) for n in range(4)]
    assert runner.queued == 3
    light = runner.submit(lambda report, cancel: "leicht", model=False)
    qtbot.waitUntil(lambda: all(h.done for h in [*handles, light]), timeout=10000)
    assert most == 1
    assert order == [0, 1, 2, 3]
    assert light.result == "leicht"


def test_cancelling_a_queued_job_drops_it_without_running(qtbot, runner):
    gate = threading.Event()
    ran: list[str] = []

    def blocker(report, cancel):
        gate.wait(5)
        return "a"

    first = runner.submit(blocker)
    second = runner.submit(lambda report, cancel: ran.append("b"))
    cancelled: list[bool] = []
    second.cancelled.connect(lambda: cancelled.append(True))
    second.cancel()
    assert cancelled == [True] and runner.queued == 0
    gate.set()
    qtbot.waitUntil(lambda: first.done, timeout=5000)
    assert ran == []


def test_synchronous_mode_runs_inline():
    jobs = JobRunner(synchronous=True)
    events: list[object] = []

    def work(report, cancel):
        report(0.5, "halb")
        return 42

    handle = jobs.submit(
        work,
        on_progress=lambda f, m: events.append((f, m)),
        on_result=events.append,
        on_finished=lambda: events.append("fertig"),
    )
    assert handle.state == SUCCEEDED
    assert events == [(0.5, "halb"), 42, "fertig"]

    def cancelled(report, cancel):
        raise Cancelled()

    seen: list[str] = []
    jobs.submit(cancelled, on_cancelled=lambda: seen.append("abgebrochen"))
    assert seen == ["abgebrochen"]
