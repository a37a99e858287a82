"""Long recordings in blocks: memory that does not grow with the session's length.

pyannote's agglomerative clustering compares every speaker embedding with every
other one: for a 3-hour session that is ~20 000 embeddings and a distance matrix of
over a gigabyte. Above ``block_seconds`` the recording is therefore diarized in
blocks of equal length; each block gives its speakers and their centroid embeddings,
and the centroids are clustered once more (same metric and threshold as pyannote's
own clustering, on L2-normalised embeddings, with average linkage) so that a person
keeps one label across blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Raw = list[tuple[float, float, str]]
RunBlock = Callable[[np.ndarray, int], tuple[Raw, dict[str, np.ndarray]]]


def block_bounds(n_samples: int, sample_rate: int, block_seconds: float) -> list[tuple[int, int]]:
    """Equal blocks no longer than ``block_seconds`` covering ``n_samples``."""
    block = int(block_seconds * sample_rate)
    count = max(1, -(-n_samples // block))
    size = -(-n_samples // count)
    return [(i * size, min(n_samples, (i + 1) * size)) for i in range(count)]


def link_speakers(
    centroids: dict[str, np.ndarray],
    threshold: float,
    num_speakers: int | None = None,
    max_speakers: int | None = None,
) -> dict[str, str]:
    """Block-local label -> global label, by clustering the blocks' speaker centroids."""
    from scipy.cluster.hierarchy import fcluster, linkage

    labels = list(centroids)
    if len(labels) < 2:
        return {label: "S0" for label in labels}
    vectors = np.stack([centroids[label] for label in labels]).astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    usable = norms[:, 0] > 0  # pyannote pads speakers without an embedding with zeros
    vectors[usable] /= norms[usable]
    mapping: dict[str, str] = {}
    if usable.sum() >= 2:
        # Average linkage: unlike centroid linkage it has no inversions, so "maxclust" gives
        # exactly the count asked for; the threshold means the same on unit vectors.
        tree = linkage(vectors[usable], method="average", metric="euclidean")
        if num_speakers:
            clusters = fcluster(tree, t=num_speakers, criterion="maxclust")
        else:
            clusters = fcluster(tree, t=threshold, criterion="distance")
            if max_speakers and clusters.max() > max_speakers:
                clusters = fcluster(tree, t=max_speakers, criterion="maxclust")
        kept = [label for label, ok in zip(labels, usable, strict=True) if ok]
        mapping.update({label: f"S{c}" for label, c in zip(kept, clusters, strict=True)})
    elif usable.any():
        mapping[labels[int(np.argmax(usable))]] = "S1"
    for label, ok in zip(labels, usable, strict=True):
        if not ok:
            mapping[label] = f"X{label}"  # no embedding: its own speaker, as pyannote does
    return mapping


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc), so one block's
    transient tensors do not raise the next block's peak."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (Windows, macOS): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def diarize_in_blocks(
    audio: np.ndarray,
    sample_rate: int,
    block_seconds: float,
    run_block: RunBlock,
    threshold: float,
    num_speakers: int | None = None,
    max_speakers: int | None = None,
) -> Raw:
    """Turns (start, end, global label) of ``audio`` diarized block by block.

    ``run_block(samples, index)`` diarizes one block and returns its turns (times
    within the block) and each speaker's centroid embedding.
    """
    raw: Raw = []
    centroids: dict[str, Any] = {}
    for index, (start, end) in enumerate(block_bounds(len(audio), sample_rate, block_seconds)):
        turns, block_centroids = run_block(audio[start:end], index)
        release_memory()  # give the block's tensors back before the next one
        offset = start / sample_rate
        raw += [(s + offset, e + offset, f"{index}:{label}") for s, e, label in turns]
        centroids.update({f"{index}:{label}": vec for label, vec in block_centroids.items()})
    mapping = link_speakers(centroids, threshold, num_speakers, max_speakers)
    return [(s, e, mapping.get(label, label)) for s, e, label in raw]
