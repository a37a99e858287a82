"""Issue 14 B8: why a stage waits, its state after a cancel, and a steady estimate of the time left."""

from __future__ import annotations

import itertools
import random

from minutes_app.gui.process_status import CANCELLED, DONE, RUNNING, WAITING, EtaEstimator, stage_states
from minutes_app.pipeline.run import STAGE_NAMES, WEIGHTS

STAGES = tuple(STAGE_NAMES)
SLICES = [WEIGHTS[s] for s in STAGES]
COSTS = [WEIGHTS[s] * (0.2 if s == "diarization" else 1.0) for s in STAGES]  # beside ASR


def _timeline(seed: int) -> list[tuple[float, float]]:
    """(time, overall fraction) reports of a bursty run: decode, ASR in 10 windows of uneven
    length, diarization (run beside ASR) reported in a rush afterwards, align, 8 agenda items."""
    rng = random.Random(seed)
    reports, t = [], 0.0
    lengths = {
        "decode": [12.0],
        "asr": [rng.uniform(40, 80) for _ in range(10)],
        "diarization": [2.0] * 5,
        "align": [1.0],
        "draft": [rng.uniform(15, 60) for _ in range(8)],
    }
    start = 0.0
    for stage in STAGES:
        steps = lengths[stage]
        for i, seconds in enumerate(steps):
            # inside a step nothing is reported (a window or an agenda item is being worked on)
            for k in range(int(seconds)):
                reports.append((t + k, start + WEIGHTS[stage] * i / len(steps)))
            t += seconds
        start += WEIGHTS[stage]
    reports.append((t, 1.0))
    return reports


def test_estimate_stays_steady_and_near_the_truth_on_bursty_progress():
    for seed in range(5):
        reports = _timeline(seed)
        total = reports[-1][0]
        eta = EtaEstimator(SLICES, COSTS)
        shown: list[tuple[float, float]] = []
        for now, fraction in reports:
            eta.update(now, fraction)
            remaining = eta.remaining(now)
            if remaining is not None:
                shown.append((now, remaining))
        assert shown and shown[0][0] < 0.05 * total  # an estimate within the first minute
        later = [(now, rem) for now, rem in shown if now > 0.2 * total and total - now > 60]
        for (t1, r1), (t2, r2) in itertools.pairwise(later):
            # from one second to the next it counts down; a new measurement moves it only a little
            assert abs(r2 - (r1 - (t2 - t1))) <= 0.05 * max(r1, 60.0), (seed, t1, r1, r2)
        for now, rem in later:
            truth = total - now
            assert truth / 2.2 <= rem <= truth * 2.2, (seed, now, rem, truth)
        assert max(r for _, r in later) / max(min(r for _, r in later), 1.0) < 60  # no wild swings


def test_wait_reasons_while_running_queued_cancelled():
    names = STAGE_NAMES
    # ASR runs; diarization runs beside it; the rest waits for what it needs
    states = stage_states([1.0, 0.3, 0.0, 0.0, 0.0], STAGES, names)
    assert [s for s, _ in states] == [DONE, RUNNING, RUNNING, WAITING, WAITING]
    assert "neben der Spracherkennung" in states[2][1]
    assert states[3][1] == "wartet auf Spracherkennung und Sprechererkennung"
    assert states[4][1] == "wartet auf Zuordnung"
    sequential = stage_states([1.0, 0.3, 0.0, 0.0, 0.0], STAGES, names, parallel=False)
    assert sequential[2] == (WAITING, "wartet auf Spracherkennung")
    queued = stage_states([0.0] * 5, STAGES, names, queued_behind="Neu erzeugen: TOP 3")
    assert all(text == "wartet auf freien Prozessor (Neu erzeugen: TOP 3 läuft)" for _, text in queued)
    cancelled = stage_states([1.0, 0.5, 0.0, 0.0, 0.0], STAGES, names, ended=CANCELLED)
    assert [t for _, t in cancelled] == ["fertig", "abgebrochen"] + ["nicht gestartet"] * 3
    assert not any(t == "läuft" for _, t in cancelled)
