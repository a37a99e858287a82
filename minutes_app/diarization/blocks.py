"""Long recordings in blocks: memory that does not grow with the session's length.

pyannote's agglomerative clustering compares every speaker embedding with every
other one: for a 3-hour session that is ~20 000 embeddings and a distance matrix of
over a gigabyte. Above ``block_seconds`` the recording is therefore diarized in
blocks of equal length; each block gives its speakers and their centroid embeddings,
and the centroids are clustered once more (same metric and threshold as pyannote's
own clustering, on L2-normalised embeddings, with average linkage) so that a person
keeps one label across blocks.

``Block``, ``BlockRunner`` and ``link`` serve the blocks diarized while recording
(``live.py``): one block diarized exactly as ``pipeline.diarize`` diarizes a block of a
long recording, with a digest of its samples, saved and linked later.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..base import jsonio
from ..base.hardware import release_memory
from ..base.jobs import CancelToken, ProgressFn, no_progress
from ..base.types import Diarization

SAMPLE_RATE = 16000

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


def diarize_in_blocks(
    audio: np.ndarray,
    sample_rate: int,
    block_seconds: float,
    run_block: RunBlock,
    threshold: float,
    num_speakers: int | None = None,
    max_speakers: int | None = None,
    saved: SavedBlocks | None = None,
) -> Raw:
    """Turns (start, end, global label) of ``audio`` diarized block by block.

    ``run_block(samples, index)`` diarizes one block and returns its turns (times
    within the block) and each speaker's centroid embedding. With ``saved``, blocks
    finished by an earlier run are taken from it and each new one is added to it.
    """
    done: list[tuple[float, Raw, dict[str, Any]]] = []
    for index, (start, end) in enumerate(block_bounds(len(audio), sample_rate, block_seconds)):
        found = saved.get(start, audio[start:end]) if saved is not None else None
        if found is not None:  # finished by an interrupted run
            turns, block_centroids = found.turns, found.centroids
        else:
            turns, block_centroids = run_block(audio[start:end], index)
            release_memory()  # give the block's tensors back before the next one
            if saved is not None:
                saved.add(start, audio[start:end], turns, block_centroids)
        done.append((start / sample_rate, turns, block_centroids))
    return link_blocks(done, threshold, num_speakers, max_speakers)


class SavedBlocks:
    """The finished blocks of a diarization (``diarization.partial.json``), so a run that
    was killed or cancelled loses at most the block it was in.

    Tied to ``key`` (model, options, recording) and each block to a digest of its samples;
    written atomically after every block, read back by the next run with the same key.
    """

    def __init__(self, path: str | os.PathLike[str], key: dict[str, Any]) -> None:
        self.path, self.key = Path(path), key
        self.blocks: dict[int, Block] = {}
        self.reused = 0  # blocks taken from an earlier run (tests, benchmarks)
        if self.path.is_file():
            try:
                data = jsonio.loads(jsonio.read_bytes(self.path))
                if data.get("key") == json.loads(json.dumps(key)):
                    for d in data.get("blocks", []):
                        block = Block.from_dict(d)
                        self.blocks[block.start] = block
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                self.blocks = {}  # unreadable: the blocks are diarized again

    def get(self, start: int, samples: np.ndarray) -> Block | None:
        block = self.blocks.get(start)
        if block is None or block.end != start + samples.size or block.digest != audio_digest(samples):
            return None
        self.reused += 1
        return block

    def add(self, start: int, samples: np.ndarray, turns: Raw, centroids: dict[str, Any]) -> None:
        from ..base.fileio import write_json

        vectors = {k: np.asarray(v, dtype=np.float64) for k, v in centroids.items()}
        digest = audio_digest(samples)
        self.blocks[start] = Block(start, start + samples.size, digest, None, None, turns, vectors)
        blocks = [b.to_dict() for _, b in sorted(self.blocks.items())]
        write_json(self.path, {"key": self.key, "blocks": blocks})


def link_blocks(
    blocks: list[tuple[float, Raw, dict[str, Any]]],
    threshold: float,
    num_speakers: int | None = None,
    max_speakers: int | None = None,
) -> Raw:
    """Turns of diarized blocks ``(offset s, turns within the block, centroids)`` on one
    timeline, their speakers linked across blocks (``link_speakers``). Also used for the
    blocks diarized while recording (``live.py``)."""
    raw: Raw = []
    centroids: dict[str, Any] = {}
    for index, (offset, turns, block_centroids) in enumerate(blocks):
        raw += [(s + offset, e + offset, f"{index}:{label}") for s, e, label in turns]
        centroids.update({f"{index}:{label}": vec for label, vec in block_centroids.items()})
    mapping = link_speakers(centroids, threshold, num_speakers, max_speakers)
    return [(s, e, mapping.get(label, label)) for s, e, label in raw]


# -- one block of a recording diarized while recording (live.py), saved and reused --------
def block_bounds_of(options: Any) -> tuple[int | None, int | None]:
    """(max speakers, min speakers) a block is diarized with, as ``pipeline.diarize`` does."""
    bound = options.max_speakers or options.num_speakers
    return bound, (options.min_speakers if bound is None else None)


def audio_digest(samples: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(samples, dtype="<f4").tobytes()).hexdigest()


@dataclass
class Block:
    """One diarized block: samples [start, end) of the recording at 16 kHz."""

    start: int
    end: int
    digest: str
    bound: int | None  # max speakers it was diarized with
    min: int | None
    turns: Raw  # (start s, end s, block-local label), times within the block
    centroids: dict[str, np.ndarray]
    compute_s: float = 0.0

    @property
    def speakers(self) -> int:
        return len({label for _, _, label in self.turns} | set(self.centroids))

    def usable_with(self, options: Any) -> bool:
        """Would ``options``' speaker bounds give this block's result?

        A block diarized without a bound is the same with a bound that is not below its
        speaker count (pyannote only forces the count down to the bound) and not below 3
        (the overlap count is clipped to it; segmentation-3.0 has 3 local speakers).
        """
        bound, least = block_bounds_of(options)
        if least != self.min:
            return False
        if bound == self.bound:
            return True
        return self.bound is None and bound is not None and bound >= max(self.speakers, 3)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "digest": self.digest,
            "bound": self.bound,
            "min": self.min,
            "compute_s": round(self.compute_s, 2),
            "turns": [[s, e, label] for s, e, label in self.turns],
            "centroids": {k: [float(x) for x in v] for k, v in self.centroids.items()},
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Block:
        return Block(
            int(d["start"]),
            int(d["end"]),
            str(d["digest"]),
            d.get("bound"),
            d.get("min"),
            [(float(s), float(e), str(label)) for s, e, label in d["turns"]],
            {k: np.asarray(v, dtype=np.float64) for k, v in d["centroids"].items()},
            float(d.get("compute_s", 0.0)),
        )


class BlockRunner:
    """Diarize one block with the cached pyannote pipeline, as ``pipeline.diarize``'s ``run_block``."""

    def __init__(self, model_dir: str | os.PathLike[str], options: Any) -> None:
        self.model_dir = Path(model_dir)
        self.options = options
        self.runs = 0  # blocks diarized (tests: the pipeline skips the live blocks)

    def __call__(
        self,
        samples: np.ndarray,
        start: int,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        threads: int | None = None,
    ) -> Block:
        from . import pipeline as p

        options = self.options
        bound, least = block_bounds_of(options)
        started = time.perf_counter()
        self.runs += 1
        turns: Raw = []
        centroids: dict[str, np.ndarray] = {}
        if samples.size >= p.MIN_SAMPLES:
            model, store_layout = p.CACHE.get(self.model_dir, options.segmentation_step, options.device)
            p.prepare_environment()
            with p._RUN_LOCK, p._torch_settings(options.threads if threads is None else threads):
                if store_layout:
                    p.configure_store_pipeline(model, options)
                output = p._run(model, samples, options, p._make_hook(progress, cancel), None, bound)
                annotation = p._annotation(output, options)
                vectors = getattr(output, "speaker_embeddings", None)
                labels = [str(label) for label in annotation.labels()]
                if vectors is not None:
                    centroids = {k: np.asarray(v) for k, v in zip(labels, vectors, strict=False)}
                turns = p._raw_turns(annotation)
                if store_layout:  # clusters holding two voices split, as diarize() does
                    turns, centroids = p.resegment_turns(model, samples, turns, options, cancel, centroids)
            release_memory()
        end = start + samples.size
        elapsed = time.perf_counter() - started
        return Block(start, end, audio_digest(samples), bound, least, turns, centroids, elapsed)


def link(blocks: list[Block], options: Any, duration: float, model: str) -> Diarization:
    """All blocks on one timeline, speakers linked across blocks with ``options``' bounds."""
    from .pipeline import _name_turns

    raw = link_blocks(
        [(b.start / SAMPLE_RATE, b.turns, b.centroids) for b in blocks],
        options.clustering_threshold,
        options.num_speakers,
        options.max_speakers,
    )
    return Diarization(turns=_name_turns(raw, duration), model=model)
