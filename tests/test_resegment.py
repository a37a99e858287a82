"""Re-segmentation against a speaker bound (``diarization/resegment.py``), on voices whose
embeddings are known exactly: each "voice" is a constant sample value, and the embedding of
a window is the mean of its samples' voice vectors. The real CAM++ model on real meeting
speech is covered by ``test_diarization_real.py`` (AMI with and without the count given).
"""

from __future__ import annotations

import numpy as np

from minutes_app.diarization.resegment import resegment

RATE = 16000
X = np.array([1.0, 0.0, 0.0])
Y = np.array([0.0, 1.0, 0.0])
Z = np.array([0.0, 1.0, 2.0]) / np.sqrt(5.0)  # 0.55 from Y (cosine): too far to join it
VOICES = {1: X, 2: Y, 3: Z}


def embed(batch: np.ndarray) -> np.ndarray:
    codes = np.rint(batch * 10).astype(int)
    return np.stack([sum(VOICES[c] * np.count_nonzero(row == c) for c in VOICES) for row in codes])


def session() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """36 s: cluster A holds voices X and Y in turns (pyannote's mixed cluster), cluster B
    holds a third voice near Y."""
    plan = [(0, 6, 1, "A"), (6, 12, 2, "A"), (12, 18, 1, "A"), (18, 24, 2, "A")]
    plan += [(24, 30, 3, "B"), (30, 36, 3, "B")]
    audio = np.zeros(36 * RATE, dtype=np.float32)
    for start, end, voice, _ in plan:
        audio[start * RATE : end * RATE] = voice / 10
    return audio, [(float(s), float(e), label) for s, e, _, label in plan]


def label_at(turns: list[tuple[float, float, str]], t: float) -> str:
    return next(label for s, e, label in turns if s <= t < e)


def test_a_mixed_cluster_is_split_without_a_bound() -> None:
    audio, turns = session()
    out, report = resegment(audio, turns, embed, 0.55)
    assert set(report.split) == {"A"}
    assert len({label for _, _, label in out}) == 3
    assert label_at(out, 3) == label_at(out, 15) != label_at(out, 9) == label_at(out, 21)


def test_the_bound_merges_the_nearest_speakers_after_the_split() -> None:
    """Held to two speakers, the mixed cluster is still split; the two nearest of the three
    speakers (Y and the third voice) are merged, and X keeps its own label."""
    audio, turns = session()
    out, report = resegment(audio, turns, embed, 0.55, max_speakers=2)
    assert set(report.split) == {"A"}
    assert len({label for _, _, label in out}) == 2
    x, y = label_at(out, 3), label_at(out, 9)
    assert x == label_at(out, 15) and y == label_at(out, 21) == label_at(out, 27) == label_at(out, 33)
    assert x != y
    assert all(label in {"A", "B", "A+split"} for _, _, label in out)
    assert set(report.centroids) <= {label for _, _, label in out}


def test_a_bound_of_one_changes_nothing() -> None:
    audio, turns = session()
    assert resegment(audio, turns, embed, 0.55, max_speakers=1)[0] == turns


def test_the_two_halves_of_a_split_never_join_the_same_speaker() -> None:
    """Both halves of A lie near B, whose every window mixes X and Y (as pyannote's second
    cluster on AMI dev01 held to two speakers): one half may join B, never both (before, A's
    turns all became B's and the split was undone)."""
    audio, turns = session()
    quarter = RATE // 4
    for i in range(24 * 4, 36 * 4):  # B: X and Y every 0.25 s
        audio[i * quarter : (i + 1) * quarter] = 0.1 if i % 2 else 0.2
    for bound in (None, 2):
        out, report = resegment(audio, turns, embed, 0.55, max_speakers=bound)
        assert set(report.split) == {"A"}
        assert label_at(out, 3) == label_at(out, 15) != label_at(out, 9) == label_at(out, 21)
        assert len({label for _, _, label in out}) == 2


def test_overlapped_speech_keeps_two_speakers() -> None:
    """pyannote found a second speaker (a short turn of cluster B) inside a turn of the mixed
    cluster A. B joins one half of A; the frames of A's turn under B's turn take the other
    half, so the overlap stays two people (before, both became B's speaker and the second
    voice was lost: AMI dev01 16.4-16.7 s)."""
    audio, turns = session()
    turns = [t for t in turns if t[2] == "A"] + [(14.0, 15.0, "B")]
    audio = audio[: 24 * RATE]
    out, report = resegment(audio, turns, embed, 0.55)
    assert set(report.split) == {"A"}
    x, y = label_at(out, 13), label_at(out, 9)
    assert x != y
    assert {label for s, e, label in out if s <= 14.5 < e} == {x, y}
    assert {label for s, e, label in out if s <= 16.5 < e} == {x}
