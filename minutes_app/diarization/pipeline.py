"""Speaker diarization of a whole recording: who spoke when.

``diarize(audio, model_dir)`` runs pyannote's segmentation + CAM++ embedding +
agglomerative clustering pipeline (or an admin-provided pyannote pipeline
folder) on 16 kHz mono float32 audio and returns a ``base.types.Diarization``.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn, no_progress, scaled
from ..base.types import Diarization, SpeakerTurn
from .loader import CACHE, prepare_environment

SAMPLE_RATE = 16000
MIN_SAMPLES = SAMPLE_RATE // 2  # shorter input cannot hold a speaker turn worth reporting

# Tuned with bench/tune_diarization.py: real files (sample.wav, dev00/01) are flat
# for thresholds 0.68-0.76 and degrade outside; the synthetic 13-voice session keeps
# 5/13 speakers from 0.62 to 0.70 (3/13 at 0.75). Step 0.2 costs 2-10 DER points.
DEFAULT_THRESHOLD = 0.70
DEFAULT_MIN_CLUSTER_SIZE = 12
DEFAULT_MIN_DURATION_OFF = 0.0
DEFAULT_SEGMENTATION_STEP = 0.1
# Re-segmentation (resegment.py): a cluster whose 1.5 s CAM++ windows split in two
# halves further apart than this (cosine) is split. Measured (bench/diarization_der.py):
# the pure clusters of sample, dev00 and the two nine-voice sessions (21 clusters of
# 12 real people) split at most 0.46 (dev00's MEE009; nine voices 0.45); the mixed ones of
# dev00/dev01 at 0.54-0.83 (0.54: dev01 with the count given and the overlap prior, where
# 0.55 left both voices in one cluster: DER 31.1 %, at 0.50 18.3 %). 0.50 is the middle of
# the gap (was 0.55, chosen on the three 30 s clips alone); docs/benchmarks.md.
DEFAULT_SPLIT_DISTANCE = 0.50
# Prior for overlapped speech (overlap.py), calibrated on real voices speaking into each
# other's turns: overlap found 57 -> 71 % / 42 -> 48 %, DER flat. AMI dev01 16.2 -> 13.8 %,
# dev00 unchanged, pyannote sample 1.3 -> 3.2 % (false overlap), docs/benchmarks.md.
DEFAULT_OVERLAP_PRIOR = 1.0

_RUN_LOCK = threading.Lock()  # a cached pipeline is re-parameterised per run

# share of the progress bar per pipeline step (measured on CPU: embeddings dominate)
_STEPS = {"segmentation": (0.0, 0.35), "embeddings": (0.35, 0.97)}


@dataclass
class DiarizationOptions:
    """Knobs for one diarization run.

    ``num_speakers`` fixes the number of speakers; ``min_speakers`` /
    ``max_speakers`` bound it (e.g. ``max_speakers`` = attendee count). The
    clustering and segmentation values apply to the model store layout; an
    admin-provided pipeline folder keeps the hyper-parameters of its config.yaml.
    """

    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    clustering_threshold: float = DEFAULT_THRESHOLD
    min_cluster_size: int = DEFAULT_MIN_CLUSTER_SIZE
    min_duration_off: float = DEFAULT_MIN_DURATION_OFF
    segmentation_step: float = DEFAULT_SEGMENTATION_STEP
    embedding_exclude_overlap: bool = False  # True: embed only non-overlapped frames (no gain measured)
    exclusive: bool = False  # True: no overlapping turns (one speaker at a time)
    # added to the log-probability of two speakers at once (0: pyannote's own choice)
    overlap_prior: float = DEFAULT_OVERLAP_PRIOR
    # None: no re-segmentation (pyannote's clusters as they are); model store layout only
    split_distance: float | None = DEFAULT_SPLIT_DISTANCE
    # Longer recordings are diarized in blocks of at most this length, their speakers
    # linked by embedding (blocks.py): memory stays flat however long the session is.
    # 600 s: bench/long_session.py measured a 30-minute block at 2.0 GB peak against
    # 1.1 GB for 10 minutes; with 10-minute blocks a session of any length stays at the
    # 10-minute peak.
    block_seconds: float = 600.0
    threads: int = 1  # torch intra-op threads during the run; 0 leaves torch's setting
    device: str = "auto"  # "cpu", "cuda" or "auto" (CUDA when torch sees it; base.hardware)

    def validate(self) -> None:
        for name in ("num_speakers", "min_speakers", "max_speakers"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UserError(f"Die Sprecherzahl ({name}) muss mindestens 1 sein, nicht {value}.")
        if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
            raise UserError(
                f"Die Mindestzahl der Sprecher ({self.min_speakers}) ist größer als die "
                f"Höchstzahl ({self.max_speakers})."
            )
        if not 0.0 < self.clustering_threshold < 2.0:
            raise UserError("Der Schwellenwert der Sprechergruppierung muss zwischen 0 und 2 liegen.")
        if self.split_distance is not None and not 0.0 < self.split_distance < 2.0:
            raise UserError("Der Schwellenwert der Sprechertrennung muss zwischen 0 und 2 liegen.")
        if not 0.0 <= self.overlap_prior <= 5.0:
            raise UserError("Die Gewichtung überlappender Sprache muss zwischen 0 und 5 liegen.")
        if not 0.01 <= self.segmentation_step <= 1.0:
            raise UserError("Die Schrittweite der Segmentierung muss zwischen 0,01 und 1 liegen.")


@contextlib.contextmanager
def _torch_settings(threads: int) -> Iterator[None]:
    import torch

    old_threads = torch.get_num_threads()
    if threads > 0:
        torch.set_num_threads(threads)
        # pyannote runs one operator at a time: a pool of inter-op threads beside the
        # intra-op ones only oversubscribes the cores ASR is using. Settable once per process.
        with contextlib.suppress(RuntimeError):
            torch.set_num_interop_threads(1)
    # digital silence otherwise drives the segmentation LSTM into denormals (45x slower)
    torch.set_flush_denormal(True)
    try:
        with torch.inference_mode():
            yield
    finally:
        # The flag is processor state of this thread: leave it as other code expects
        # (IEEE subnormals on), e.g. numpy and hypothesis in the same process.
        torch.set_flush_denormal(False)
        if threads > 0:
            torch.set_num_threads(old_threads)


def _make_hook(progress: ProgressFn, cancel: CancelToken | None) -> Any:
    def hook(
        step: str, artefact: Any, file: Any = None, total: int | None = None, completed: int | None = None
    ) -> None:
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        if step not in _STEPS:
            return
        start, end = _STEPS[step]
        fraction = 1.0 if not total else min(max((completed or 0) / total, 0.0), 1.0)
        message = "Sprechersegmente werden erkannt" if step == "segmentation" else "Stimmen werden verglichen"
        progress(start + (end - start) * fraction, message)

    return hook


def _as_waveform(audio: np.ndarray) -> Any:
    import torch

    data = np.asarray(audio, dtype=np.float32).reshape(-1)
    if not data.flags.writeable or not data.flags.c_contiguous:
        data = np.array(data, dtype=np.float32)  # memmap / read-only views: own copy for torch
    if not np.isfinite(data).all():
        data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
    return torch.from_numpy(data).unsqueeze(0)


def _raw_turns(annotation: Any) -> list[tuple[float, float, str]]:
    return [
        (float(seg.start), float(seg.end), str(label))
        for seg, _, label in annotation.itertracks(yield_label=True)
    ]


def _to_turns(annotation: Any, duration: float | None = None) -> list[SpeakerTurn]:
    """Sorted turns named by first appearance; clipped to ``duration`` (pyannote pads the last chunk)."""
    return _name_turns(_raw_turns(annotation), duration)


def _name_turns(turns: list[tuple[float, float, str]], duration: float | None = None) -> list[SpeakerTurn]:
    limit = float("inf") if duration is None else duration
    raw = sorted((max(start, 0.0), min(end, limit), label) for start, end, label in turns)
    raw = [(start, end, label) for start, end, label in raw if end - start > 1e-3]
    names: dict[str, str] = {}
    turns = []
    for start, end, label in raw:
        if label not in names:
            names[label] = f"SPEAKER_{len(names):02d}"
        turns.append(SpeakerTurn(start=round(start, 3), end=round(end, 3), speaker=names[label]))
    turns.sort(key=lambda t: (t.start, t.end, t.speaker))
    return turns


def configure_store_pipeline(pipeline: Any, options: DiarizationOptions) -> None:
    """Apply ``options``' hyper-parameters to a pipeline built from the store layout."""
    from .overlap import set_overlap_prior

    pipeline.embedding_exclude_overlap = options.embedding_exclude_overlap
    pipeline.instantiate(_store_params(options))
    set_overlap_prior(pipeline, options.overlap_prior)


def _store_params(options: DiarizationOptions) -> dict[str, Any]:
    return {
        "segmentation": {"min_duration_off": options.min_duration_off},
        "clustering": {
            "method": "centroid",
            "min_cluster_size": options.min_cluster_size,
            "threshold": options.clustering_threshold,
        },
    }


def diarize(
    audio: np.ndarray,
    model_dir: Path,
    options: DiarizationOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    saved: Any = None,
) -> Diarization:
    """Who spoke when in ``audio`` (16 kHz mono float32, may be a np.memmap).

    ``saved``: a ``blocks.SavedBlocks``; a recording diarized in blocks saves each
    finished block there and takes the blocks an interrupted run finished.

    Turns are sorted by start; speakers are named ``SPEAKER_00``, ``SPEAKER_01``,
    ... in order of first appearance. Raises ``ModelMissingError`` /
    ``ModelCorruptError`` for unusable models and ``Cancelled`` when ``cancel``
    is set.
    """
    options = options or DiarizationOptions()
    options.validate()
    model_dir = Path(model_dir)
    if cancel is not None:
        cancel.raise_if_cancelled()
    progress(0.0, "Sprechererkennung wird geladen")
    pipeline, store_layout = CACHE.get(model_dir, options.segmentation_step, options.device)
    result = Diarization(turns=[], model=model_dir.name)
    if audio.size < MIN_SAMPLES:
        progress(1.0, "Sprechererkennung abgeschlossen")
        return result

    prepare_environment()
    duration = audio.size / SAMPLE_RATE
    with _RUN_LOCK, _torch_settings(options.threads):
        if store_layout:
            configure_store_pipeline(pipeline, options)
        split = options.split_distance if store_layout else None
        if duration <= options.block_seconds:
            output = _run(pipeline, audio, options, _make_hook(progress, cancel), options.num_speakers)
            raw = _raw_turns(_annotation(output, options))
            if split is not None:
                raw, _ = resegment_turns(pipeline, audio, raw, options, cancel)
            result.turns = _name_turns(raw, duration)
        else:
            from .blocks import block_bounds, diarize_in_blocks

            count = len(block_bounds(audio.size, SAMPLE_RATE, options.block_seconds))

            def run_block(samples: np.ndarray, index: int) -> tuple[Any, dict[str, np.ndarray]]:
                hook = _make_hook(scaled(progress, index / count, (index + 1) / count), cancel)
                # A block may hold fewer people than the session: the count only bounds it.
                bound = options.max_speakers or options.num_speakers
                output = _run(pipeline, samples, options, hook, None, bound)
                annotation = _annotation(output, options)
                vectors = getattr(output, "speaker_embeddings", None)
                labels = [str(label) for label in annotation.labels()]
                centroids = {} if vectors is None else dict(zip(labels, vectors, strict=False))
                raw = _raw_turns(annotation)
                if split is not None:
                    raw, centroids = resegment_turns(pipeline, samples, raw, options, cancel, centroids)
                return raw, centroids

            raw = diarize_in_blocks(
                audio,
                SAMPLE_RATE,
                options.block_seconds,
                run_block,
                options.clustering_threshold,
                options.num_speakers,
                options.max_speakers,
                saved,
            )
            result.turns = _name_turns(raw, duration)
    progress(1.0, "Sprechererkennung abgeschlossen")
    return result


def _run(
    pipeline: Any,
    audio: np.ndarray,
    options: DiarizationOptions,
    hook: Any,
    num_speakers: int | None,
    max_speakers: int | None = None,
) -> Any:
    file = {"waveform": _as_waveform(audio), "sample_rate": SAMPLE_RATE, "uri": "session"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline(
            file,
            num_speakers=num_speakers,
            min_speakers=options.min_speakers if num_speakers is None and max_speakers is None else None,
            max_speakers=max_speakers or options.max_speakers,
            hook=hook,
        )


def resegment_turns(
    pipeline: Any,
    audio: np.ndarray,
    raw: list[tuple[float, float, str]],
    options: DiarizationOptions,
    cancel: CancelToken | None = None,
    centroids: dict[str, np.ndarray] | None = None,
) -> tuple[list[tuple[float, float, str]], dict[str, np.ndarray]]:
    """``raw`` (pyannote's turns of ``audio``) with clusters that hold two voices split
    (``resegment.py``), and ``centroids`` for the speakers left: a new speaker gets its
    half's centroid. Unchanged when ``options.split_distance`` is None."""
    centroids = dict(centroids or {})
    if options.split_distance is None:
        return raw, centroids
    import torch

    from .resegment import resegment

    def embed(batch: np.ndarray) -> np.ndarray:
        return np.asarray(pipeline._embedding(torch.from_numpy(batch)[:, None]))

    duration = audio.size / SAMPLE_RATE
    raw = [(max(s, 0.0), min(e, duration), label) for s, e, label in raw if min(e, duration) > max(s, 0.0)]
    bound = options.num_speakers or options.max_speakers
    turns, report = resegment(audio, raw, embed, options.split_distance, bound, cancel)
    kept = {label for _, _, label in turns}
    return turns, {k: v for k, v in {**centroids, **report.centroids}.items() if k in kept}


def _annotation(output: Any, options: DiarizationOptions) -> Any:
    if hasattr(output, "speaker_diarization"):
        return output.exclusive_speaker_diarization if options.exclusive else output.speaker_diarization
    return output  # legacy pipelines return the Annotation itself
