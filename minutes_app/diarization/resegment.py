"""Re-segmentation: split speaker clusters that hold two voices.

pyannote's segmentation model looks at 10 s chunks and, on real meeting speech
(AMI), often gives one local speaker to two people who take turns within the chunk;
clustering can then only put both voices into one cluster (oracle clustering on the
same segmentation still scores 48 % DER on dev01). CAM++ embeddings of short
windows separate those voices cleanly (cosine distance ~0.9 between the two AMI
speakers, ~0.2 within one), so after pyannote's pass:

1. every speech turn is cut into windows of ``WINDOW`` s (hop ``HOP``) and embedded;
2. each cluster's windows are split in two (spherical 2-means); a cluster is split
   only when the two halves' centroids are further apart than ``split_distance``
   and the smaller half has at least ``MIN_PART_WINDOWS`` windows;
3. the halves are grouped with the other speakers (``regroup.py``): a half within
   ``MERGE_DISTANCE`` of another speaker joins it (never its own twin), otherwise it
   becomes a new speaker; a bound on the count (the count given, or the roster's size)
   does not stop a split, the nearest speakers are merged until it holds (pyannote held
   to the true count of the AMI clips puts both voices into one cluster and leaves a
   small mixed one, so a split blocked at the bound left DER at 30 / 51 %);
4. the turns of split clusters are embedded once more in shorter windows
   (``RELABEL_WINDOW``) and relabelled frame by frame (``FRAME`` s) with the speaker
   whose centroid the windows covering the frame are most similar to (weighted by
   how near each window's centre is to the frame); where pyannote put a turn of another
   speaker beside the frame (overlapped speech), that speaker is not a choice, so the
   overlap stays two people.

Clusters that do not split (nor merge at the bound) keep their turns unchanged, so a
recording pyannote already diarizes well is returned as it came. Turns are
``(start, end, label)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..base.errors import Cancelled
from ..base.jobs import CancelToken
from .regroup import group_halves

SAMPLE_RATE = 16000
# Window/hop of the CAM++ embeddings. 1.5 s windows separate the AMI speakers
# (nearest-centroid accuracy 100 % on single-speaker windows of all three real
# clips); a 0.5 s hop embeds ~3x the speech, against ~10x for pyannote's own pass.
WINDOW = 1.5
HOP = 0.5
# Relabelling windows: shorter ones place the turn changes closer. dev01 DER (collar
# 0.25) 23.8 % with 1.5 s, 20.3 % with 1.0 s, 19.0 % with 0.75 s; dev00 6.1 / 6.5 /
# 6.6 %; sample.wav never split. Deciding the split itself on 1.0 s windows splits a
# pure dev00 cluster (0.69), hence two window lengths.
RELABEL_WINDOW = 0.75
FRAME = 0.05  # relabelling resolution in seconds
MIN_PART_WINDOWS = 3  # the smaller half of a split holds at least ~2 s of speech
MERGE_DISTANCE = 0.5  # a half this close (cosine) to another cluster joins it
BATCH = 16

Raw = list[tuple[float, float, str]]
EmbedFn = Callable[[np.ndarray], np.ndarray]  # (batch, samples) float32 -> (batch, dim)


@dataclass
class SplitReport:
    """What re-segmentation did: per split cluster the distance of its halves, and
    the centroid of each new speaker (a half that joined no other cluster)."""

    split: dict[str, float]
    windows: int
    centroids: dict[str, np.ndarray] = field(repr=False)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-8)


def _windows(
    turns: Raw, duration: float, window: float = WINDOW
) -> tuple[list[tuple[float, str]], list[bool]]:
    """Window starts inside turns, each with its turn's label, and whether it is "full".

    Full windows lie inside one turn and give the centroids. A turn shorter than a
    window gets one window centred on it (not full: it also holds its neighbours),
    which decides its label when its cluster is split; a speaker without any full
    window takes its centroid from those."""
    out: list[tuple[float, str, bool]] = []
    for start, end, label in turns:
        end = min(end, duration)
        position = start
        while position + window <= end + 1e-6:
            out.append((position, label, True))
            position += HOP
        if end - start >= window and position - HOP + window < end - 1e-6:
            out.append((end - window, label, True))  # the turn's tail
        if end - start < window and duration >= window:
            centre = (start + end) / 2
            out.append((min(max(centre - window / 2, 0.0), duration - window), label, False))
    out.sort()
    return [(s, label) for s, label, _ in out], [full for _, _, full in out]


def _two_means(vectors: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Spherical 2-means; seeded by the two mutually furthest-apart windows."""
    similarity = vectors @ vectors.T
    first = int(np.argmin(similarity.sum(axis=1)))
    second = int(np.argmin(similarity[first]))
    centroids = _unit(vectors[[first, second]])
    assign = np.zeros(len(vectors), dtype=int)
    for _ in range(iterations):
        new = np.argmax(vectors @ centroids.T, axis=1)
        if np.all(new == assign) and _ > 0:
            break
        assign = new
        for k in (0, 1):
            if np.any(assign == k):
                centroids[k] = _unit(vectors[assign == k].mean(axis=0))
    return assign, centroids


def resegment(
    audio: np.ndarray,
    turns: Raw,
    embed: EmbedFn,
    split_distance: float,
    max_speakers: int | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Raw, SplitReport]:
    """Turns with clusters that hold two voices split (see the module doc)."""
    duration = audio.size / SAMPLE_RATE
    windows, full_list = _windows(turns, duration)
    report = SplitReport(split={}, windows=len(windows), centroids={})
    labels = sorted({label for _, _, label in turns})
    if not windows or max_speakers == 1:
        return turns, report
    vectors = _embed_windows(audio, windows, embed, WINDOW, cancel)
    finite = np.isfinite(vectors).all(axis=1)
    full = np.array(full_list, dtype=bool)
    owner = np.array([label for _, label in windows])

    centroids: dict[str, np.ndarray] = {}
    for label in labels:
        mask = (owner == label) & finite
        if (mask & full).any():
            mask &= full
        if mask.any():
            centroids[label] = _unit(vectors[mask].mean(axis=0))
    parts: dict[str, tuple[np.ndarray, list[int]]] = {}
    weights: dict[str, int] = {}  # full windows per cluster (the grouping weighs by them)
    for label in labels:
        mask = (owner == label) & finite & full
        weights[label] = int(mask.sum())
        if weights[label] < 2 * MIN_PART_WINDOWS:
            continue
        assign, pair = _two_means(vectors[mask])
        distance = float(1.0 - pair[0] @ pair[1])
        sizes = [int(n) for n in np.bincount(assign, minlength=2)]
        if distance <= split_distance or min(sizes) < MIN_PART_WINDOWS:
            continue
        report.split[label] = round(distance, 3)
        parts[label] = (pair, sizes)
    if not parts:
        return turns, report
    halves, report.centroids = group_halves(parts, centroids, weights, MERGE_DISTANCE, max_speakers)
    if RELABEL_WINDOW != WINDOW:  # shorter windows place the turn changes closer
        windows, _ = _windows([t for t in turns if t[2] in halves], duration, RELABEL_WINDOW)
        vectors = _embed_windows(audio, windows, embed, RELABEL_WINDOW, cancel)
        finite = np.isfinite(vectors).all(axis=1)
    return _merge(_relabel(turns, windows, vectors, finite, halves, RELABEL_WINDOW)), report


def _embed_windows(
    audio: np.ndarray,
    windows: list[tuple[float, str]],
    embed: EmbedFn,
    window: float,
    cancel: CancelToken | None,
) -> np.ndarray:
    size = int(window * SAMPLE_RATE)
    chunks = []
    for i in range(0, len(windows), BATCH):
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        batch = np.stack(
            [audio[int(s * SAMPLE_RATE) : int(s * SAMPLE_RATE) + size] for s, _ in windows[i : i + BATCH]]
        )
        chunks.append(np.asarray(embed(batch.astype(np.float32)), dtype=np.float64))
    if not chunks:
        return np.zeros((0, 1))
    return _unit(np.concatenate(chunks))


def _merge(turns: Raw) -> Raw:
    """One label's overlapping or touching turns joined into one."""
    out: Raw = []
    for label in sorted({label for _, _, label in turns}):
        spans = sorted((s, e) for s, e, lab in turns if lab == label)
        current = list(spans[0])
        for start, end in spans[1:]:
            if start <= current[1] + 1e-6:
                current[1] = max(current[1], end)
            else:
                out.append((current[0], current[1], label))
                current = [start, end]
        out.append((current[0], current[1], label))
    return sorted(out)


def _relabel(
    turns: Raw,
    windows: list[tuple[float, str]],
    vectors: np.ndarray,
    finite: np.ndarray,
    halves: dict[str, list[tuple[str, np.ndarray]]],
    window: float,
) -> Raw:
    starts = np.array([s for s, _ in windows])
    # Turns whose speaker is already decided: pyannote's overlapped speech puts a second
    # speaker beside them, and that one is not the same person (AMI dev01 16.4-16.7 s).
    fixed = [
        (start, end, halves[label][0][0] if label in halves else label)
        for start, end, label in turns
        if len(halves.get(label, [])) <= 1
    ]
    out: Raw = []
    for start, end, label in turns:
        if label not in halves:
            out.append((start, end, label))
            continue
        names = [name for name, _ in halves[label]]
        parts = np.stack([part for _, part in halves[label]])
        frames = np.arange(start, end, FRAME)
        beside = [(a, b, name) for a, b, name in fixed if a < end and b > start]  # this turn's only
        picked: list[str] = []
        for t in frames:
            centre = t + FRAME / 2
            taken = {name for a, b, name in beside if a <= centre < b}
            allowed = np.array([name not in taken for name in names])
            if not allowed.any():
                allowed[:] = True
            covering = (starts <= centre) & (starts + window >= centre) & finite
            if not covering.any():  # the nearest window in time
                gaps = np.where(finite, np.abs(starts + window / 2 - centre), np.inf)
                covering = gaps == gaps.min()
            if not np.isfinite(vectors[covering]).all():
                picked.append(label)
                continue
            # windows centred near the frame count most (dev01 DER c0.25 24.6 -> 23.8 %
            # against a plain mean; dev00 and sample unchanged)
            weight = np.maximum(1.0 - np.abs(starts[covering] + window / 2 - centre) / window, 0.05)
            score = (weight[:, None] * (vectors[covering] @ parts.T)).sum(axis=0)
            picked.append(names[int(np.argmax(np.where(allowed, score, -np.inf)))])
        run_start = start
        for i in range(1, len(frames) + 1):
            if i == len(frames) or picked[i] != picked[i - 1]:
                run_end = end if i == len(frames) else float(frames[i])
                out.append((run_start, run_end, picked[i - 1]))
                run_start = run_end
    return out
