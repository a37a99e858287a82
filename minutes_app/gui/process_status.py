"""What the processing view says about each stage, and a smoothed estimate of the time left (Qt-free).

``stage_states`` names the reason a stage waits ("wartet auf Spracherkennung", "wartet auf
freien Prozessor") and the real state after a cancel or an error. ``EtaEstimator`` measures
the current stage's speed, assumes the overall measured speed for the stages still to come,
and smooths the result as a count-down that moves only gradually towards each new
measurement, so bursty progress (ASR windows, one agenda item at a time) does not make the
estimate jump between minutes and an hour.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

DONE, RUNNING, WAITING, CANCELLED, FAILED, NOT_STARTED = (
    "done",
    "running",
    "waiting",
    "cancelled",
    "failed",
    "not_started",
)
# Which stages a stage needs (pipeline.run: diarization runs beside ASR in a worker process).
NEEDS = {"decode": (), "asr": ("decode",), "diarization": ("decode",), "align": ("asr", "diarization")}
NEEDS_DRAFT = ("align",)


def _needs(stage: str) -> tuple[str, ...]:
    return NEEDS.get(stage, NEEDS_DRAFT)


def stage_states(
    parts: Sequence[float],
    stages: Sequence[str],
    names: Mapping[str, str],
    *,
    parallel: bool = True,
    queued_behind: str | None = None,
    ended: str | None = None,
) -> list[tuple[str, str]]:
    """(state, German text) per stage from each stage's finished fraction ``parts``.

    ``queued_behind``: the job has not started because another one holds the processor (its
    name). ``ended``: ``CANCELLED`` or ``FAILED`` once the job stopped that way."""
    done = {stage for stage, part in zip(stages, parts, strict=True) if part >= 1.0}
    out: list[tuple[str, str]] = []
    active_seen = False
    for stage, part in zip(stages, parts, strict=True):
        needs = _needs(stage) + (("asr",) if stage == "diarization" and not parallel else ())
        missing = [s for s in needs if s in stages and s not in done]
        if stage in done:
            out.append((DONE, "fertig"))
        elif ended is not None:
            first = not active_seen and (part > 0 or not missing)
            active_seen = active_seen or first
            if first:
                out.append((ended, "abgebrochen" if ended == CANCELLED else "fehlgeschlagen"))
            else:
                out.append((NOT_STARTED, "nicht gestartet"))
        elif queued_behind is not None:
            out.append((WAITING, f"wartet auf freien Prozessor ({queued_behind} läuft)"))
        elif part > 0 or not missing:
            if stage == "diarization" and parallel and part == 0 and "asr" not in done:
                out.append((RUNNING, "läuft neben der Spracherkennung, Anteil folgt danach"))
            else:
                out.append((RUNNING, "läuft"))
        else:
            out.append((WAITING, "wartet auf " + " und ".join(names.get(s, s) for s in missing)))
    return out


class EtaEstimator:
    """Time left of a job whose overall progress runs through stages with known slices of 0..1.

    ``weights``: each stage's slice of the overall fraction; ``costs``: how long each stage is
    expected to take relative to the others (default: its slice), e.g. small for diarization
    that mostly ran beside ASR. The estimate works on the cost-weighted progress."""

    def __init__(
        self,
        weights: Sequence[float],
        costs: Sequence[float] | None = None,
        tau: float = 30.0,
        min_seconds: float = 3.0,
    ) -> None:
        self.weights = list(weights)
        raw_costs = list(costs) if costs is not None else list(weights)
        total = sum(raw_costs) or 1.0
        self.costs = [c / total for c in raw_costs]
        self.bounds = list(itertools.accumulate(self.costs))  # each stage's end in cost units
        self.bounds[-1] = 1.0
        self.tau = tau  # seconds: how quickly the estimate follows a new measurement
        self.min_seconds = min_seconds
        self.reset(0.0)

    def _cost_fraction(self, fraction: float) -> float:
        out, start = 0.0, 0.0
        for weight, cost in zip(self.weights, self.costs, strict=True):
            out += cost * (min(max((fraction - start) / weight, 0.0), 1.0) if weight else 1.0)
            start += weight
        return min(out, 1.0)

    def reset(self, now: float) -> None:
        self.start: tuple[float, float] | None = None  # (time, fraction) of the first report
        self.stage: tuple[int, float, float] | None = None  # stage, time, fraction when it began
        self.fraction = 0.0
        self.estimate: float | None = None
        self.estimated_at = now

    def _stage_of(self, fraction: float) -> int:
        return next((i for i, end in enumerate(self.bounds) if fraction < end - 1e-9), len(self.bounds) - 1)

    def update(self, now: float, fraction: float) -> None:
        """A progress report (overall fraction) at ``now`` (seconds, monotonic)."""
        fraction = min(max(self._cost_fraction(fraction), self.fraction), 1.0)
        if self.start is None:
            self.start = (now, fraction)
        stage = self._stage_of(fraction)
        if self.stage is None or self.stage[0] != stage:
            self.stage = (stage, now, fraction)
        self.fraction = fraction

    def raw(self, now: float) -> float | None:
        """Unsmoothed: the current stage at its own measured speed, the rest at the job's."""
        if self.start is None or self.stage is None:
            return None
        t0, f0 = self.start
        stage, ts, fs = self.stage
        if now - t0 < self.min_seconds or self.fraction <= f0:
            return None
        overall = (self.fraction - f0) / (now - t0)
        end = self.bounds[stage]
        own = (
            (self.fraction - fs) / (now - ts)
            if now - ts >= self.min_seconds and self.fraction > fs
            else overall
        )
        return (end - self.fraction) / own + (1.0 - end) / overall

    def remaining(self, now: float) -> float | None:
        """The smoothed time left in seconds (None while there is too little to measure)."""
        raw = self.raw(now)
        if raw is None:
            return self.estimate
        if self.estimate is None:
            self.estimate = raw
        else:
            predicted = max(self.estimate - (now - self.estimated_at), 0.0)
            weight = 1.0 - math.exp(-max(now - self.estimated_at, 0.0) / self.tau)
            self.estimate = predicted + weight * (raw - predicted)
        self.estimated_at = now
        return self.estimate
