"""Voice profiles, the computing part: CAM++ embeddings of a speaker's speech and their
comparison with stored profiles. Stores nothing (``session/profiles.py`` keeps the profiles,
with consent and audit).

A profile is a running mean of L2-normalised CAM++ embeddings (the model diarization
already uses) with a count. Speech is cut into windows of ``WINDOW`` seconds (shorter
turns from ``MIN_WINDOW`` on are one window); regions where diarization heard another
speaker at the same time are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..base.errors import Cancelled
from ..base.jobs import CancelToken, ProgressFn, no_progress
from ..base.types import Diarization, SpeakerTurn

SAMPLE_RATE = 16000
WINDOW = 3.0
MIN_WINDOW = 1.0
# Calibrated with bench/profiles.py on real speech (AMI dev00 -> dev01, pyannote sample.wav
# halves): see docs/benchmarks.md. Cluster means of the same person score 0.75-0.9,
# of different persons below 0.45.
THRESHOLD = 0.6
# A turn is moved to another profile's speaker only when its own mean matches that
# profile this well and clearly better than its cluster's profile.
TURN_THRESHOLD = 0.65
TURN_MARGIN = 0.15
# A cluster is split when a second profile takes at least this share of its windows.
SPLIT_SHARE = 0.25
# A speaker is named only when its best profile beats every other profile of the Gremium by
# this much: on real speech the gap is at least 0.41 (bench/profiles.py); synthetic voices
# (espeak-ng variants) score 0.87-0.98 against several profiles and were named wrongly.
MARGIN = 0.15


@dataclass
class Window:
    start: float
    end: float
    speaker: str
    vector: np.ndarray


@dataclass
class ProfileMatch:
    """A speaker the diarization found whose voice matches a stored profile."""

    speaker: str
    person: str
    similarity: float

    @property
    def reason(self) -> str:
        return f"per Stimmprofil (Ähnlichkeit {self.similarity:.2f})"

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "person": self.person, "similarity": round(self.similarity, 3)}


@dataclass
class MatchResult:
    diarization: Diarization
    matches: list[ProfileMatch] = field(default_factory=list)
    split: list[str] = field(default_factory=list)  # speakers whose turns were split off to a new one


def normalise(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float64).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def mean_vector(vectors: Iterable[np.ndarray]) -> np.ndarray | None:
    rows = [normalise(v) for v in vectors]
    return normalise(np.mean(rows, axis=0)) if rows else None


def update_mean(mean: np.ndarray | None, count: int, vectors: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Running mean of L2-normalised embeddings: the old mean weighs ``count`` windows."""
    rows = [normalise(v) for v in vectors]
    if not rows:
        return (np.zeros(0) if mean is None else np.asarray(mean, dtype=np.float64)), max(count, 0)
    total = np.sum(rows, axis=0)
    if mean is None or count <= 0 or np.size(mean) == 0:
        return total / len(rows), len(rows)
    return (np.asarray(mean, dtype=np.float64) * count + total) / (count + len(rows)), count + len(rows)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(normalise(a), normalise(b)))


def _free_spans(turns: list[SpeakerTurn], own: SpeakerTurn) -> list[tuple[float, float]]:
    """Parts of ``own`` no other speaker's turn overlaps."""
    spans = [(own.start, own.end)]
    for other in turns:
        if other.speaker == own.speaker or other.end <= own.start or other.start >= own.end:
            continue
        cut: list[tuple[float, float]] = []
        for s, e in spans:
            if other.end <= s or other.start >= e:
                cut.append((s, e))
                continue
            if other.start > s:
                cut.append((s, other.start))
            if other.end < e:
                cut.append((other.end, e))
        spans = cut
    return spans


def windows_of(turns: list[SpeakerTurn]) -> list[tuple[float, float, str]]:
    """(start, end, speaker) windows of at most ``WINDOW`` s from the non-overlapped speech."""
    out: list[tuple[float, float, str]] = []
    for turn in turns:
        for s, e in _free_spans(turns, turn):
            length = e - s
            if length < MIN_WINDOW:
                continue
            n = max(1, int(length // WINDOW))
            step = length / n
            out.extend((s + k * step, s + (k + 1) * step, turn.speaker) for k in range(n))
    return out


class Embedder:
    """CAM++ of a diarization model folder (``embedding/campplus*.pt``), loaded once."""

    def __init__(self, model_dir: Path) -> None:
        from .campp import load_campp

        self.model = load_campp(Path(model_dir) / "embedding")

    def embed(self, samples: np.ndarray) -> np.ndarray:
        import torch

        wave = torch.from_numpy(np.array(samples, dtype=np.float32)).reshape(1, 1, -1)
        with torch.inference_mode():
            return self.model(wave)[0].double().numpy()


def embed_windows(
    audio: np.ndarray,
    spans: list[tuple[float, float, str]],
    embedder: Embedder,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> list[Window]:
    out = []
    for k, (start, end, speaker) in enumerate(spans):
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        samples = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        if samples.size < MIN_WINDOW * SAMPLE_RATE * 0.9:
            continue
        vector = embedder.embed(samples)
        if np.isfinite(vector).all():
            out.append(Window(start, end, speaker, normalise(vector)))
        if k % 20 == 0:
            progress(k / max(len(spans), 1), "Stimmprofile werden verglichen")
    progress(1.0, "Stimmprofile werden verglichen")
    return out


def _best(vector: np.ndarray, profiles: dict[str, np.ndarray]) -> list[tuple[float, str]]:
    return sorted(((similarity(vector, p), name) for name, p in profiles.items()), reverse=True)


def _assign(scores: dict[tuple[str, str], float], threshold: float) -> dict[str, tuple[str, float]]:
    """One-to-one speaker -> (person, similarity), best pair first, above ``threshold`` and at
    least ``MARGIN`` above the speaker's score for any other profile (an ambiguous voice
    gets no name)."""
    out: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for (speaker, person), sim in sorted(scores.items(), key=lambda kv: -kv[1]):
        if sim < threshold or speaker in out or person in taken:
            continue
        rival = max(
            (v for (spk, other), v in scores.items() if spk == speaker and other != person), default=-1.0
        )
        if sim - rival < MARGIN:
            continue
        out[speaker] = (person, sim)
        taken.add(person)
    return out


def _new_id(used: set[str]) -> str:
    k = 0
    while f"SPEAKER_{k:02d}" in used:
        k += 1
    return f"SPEAKER_{k:02d}"


def match_profiles(
    diarization: Diarization,
    windows: list[Window],
    profiles: dict[str, np.ndarray],
    threshold: float = THRESHOLD,
) -> MatchResult:
    """Compare each speaker (and each turn far from its speaker) with ``profiles``.

    A speaker whose windows fall to two profiles (each at least ``SPLIT_SHARE``) is split:
    the turns whose own mean matches the second profile get a new speaker. A turn that
    matches another profile clearly better than its speaker's is moved to the speaker of
    that profile. Returns the (possibly split) diarization and one-to-one matches.
    """
    turns = [SpeakerTurn(t.start, t.end, t.speaker) for t in diarization.turns]
    result = MatchResult(Diarization(turns=turns, model=diarization.model))
    if not profiles or not windows:
        return result
    names = {p: normalise(v) for p, v in profiles.items()}
    by_turn: dict[int, list[Window]] = {}
    for w in windows:
        for i, t in enumerate(turns):
            if t.speaker == w.speaker and t.start - 1e-3 <= w.start and w.end <= t.end + 1e-3:
                by_turn.setdefault(i, []).append(w)
                break
    # turn -> best profile by the turn's own mean
    turn_best: dict[int, list[tuple[float, str]]] = {}
    for i, ws in by_turn.items():
        vec = mean_vector(w.vector for w in ws)
        if vec is not None:
            turn_best[i] = _best(vec, names)
    speakers = sorted({t.speaker for t in turns})
    used = set(speakers)
    # split speakers whose turns go to two profiles
    for spk in speakers:
        idx = [i for i in turn_best if turns[i].speaker == spk]
        weight: dict[str, float] = {}
        for i in idx:
            sim, person = turn_best[i][0]
            if sim >= TURN_THRESHOLD:
                weight[person] = weight.get(person, 0.0) + turns[i].end - turns[i].start
        total = sum(turns[i].end - turns[i].start for i in idx) or 1.0
        strong = [p for p, w in sorted(weight.items(), key=lambda kv: -kv[1]) if w / total >= SPLIT_SHARE]
        if len(strong) < 2:
            continue
        for person in strong[1:]:
            new = _new_id(used)
            used.add(new)
            for i in idx:
                if turn_best[i][0][1] == person and turn_best[i][0][0] >= TURN_THRESHOLD:
                    turns[i].speaker = new
            result.split.append(spk)
    # speaker means and one-to-one assignment
    scores: dict[tuple[str, str], float] = {}
    for spk in sorted({t.speaker for t in turns}):
        vec = mean_vector(w.vector for i, ws in by_turn.items() if turns[i].speaker == spk for w in ws)
        if vec is None:
            continue
        for person, p in names.items():
            scores[(spk, person)] = similarity(vec, p)
    assigned = _assign(scores, threshold)
    # a turn far from its speaker's profile that clearly matches another matched speaker moves there
    speaker_of = {person: spk for spk, (person, _) in assigned.items()}
    for i, best in turn_best.items():
        sim, person = best[0]
        spk = turns[i].speaker
        target = speaker_of.get(person)
        if target is None or target == spk or sim < TURN_THRESHOLD:
            continue
        own = assigned.get(spk)
        own_turn = next((s for s, p in best if own and p == own[0]), 0.0)
        if sim - own_turn >= TURN_MARGIN:
            turns[i].speaker = target
    result.matches = [ProfileMatch(spk, person, sim) for spk, (person, sim) in sorted(assigned.items())]
    result.diarization.turns.sort(key=lambda t: (t.start, t.end, t.speaker))
    return result


def speech_vectors(
    audio: np.ndarray,
    spans: list[tuple[float, float]],
    embedder: Embedder,
    cancel: CancelToken | None = None,
) -> list[np.ndarray]:
    """Embeddings of the windows of confirmed speech (enrolment)."""
    turns = [SpeakerTurn(s, e, "x") for s, e in spans]
    return [w.vector for w in embed_windows(audio, windows_of(turns), embedder, cancel=cancel)]
