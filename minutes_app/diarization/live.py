"""Live diarization: diarize the finished blocks of a recording while it is still recording.

The recording is cut into blocks of ``BLOCK_SECONDS`` (300 s) from its start. As soon as
a block is complete on disk, and the live transcription has passed its end (ASR keeps
priority: ``gate``), the block is diarized exactly as ``diarization.pipeline.diarize``
diarizes a block of a long recording (``BlockRunner``), and saved with its turns, its
speakers' centroid embeddings and a SHA-256 of its samples in ``diarization.live.json``
in the session folder. When the recording stops only the tail (the last, shorter block)
is left; then every block is linked across blocks by centroid (``blocks.link_blocks``).

Why 300 s: the tail left at stop is at most one block (on average half of one); at the
measured 0.3-0.6 x real time per core that is at most 1.5-3 minutes of work on one core,
about half of it with both cores free after stop. Shorter blocks give pyannote fewer
embeddings per speaker and more cross-block links (``docs/bench_live.md``).

The pipeline's diarization stage (``pipeline.stage_diarize``) calls ``diarize_reusing``: it
takes the saved blocks whose samples (digest) and parameters match the decoded
recording, diarizes only the rest in blocks of the same length, and links all blocks
with the pipeline's own speaker bounds (roster, ``--num-speakers``). A recording whose
length is a whole number of blocks gets exactly the offline block diarization
(``diarize`` with ``block_seconds`` = the live block length).

``follow_recording`` runs in the live worker process (``asr/live_job.py``) beside the
live transcription: blocks before the stop in a fresh thread at nice 15 with one torch
thread, the tail after the stop at normal priority with two.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..base import jsonio
from ..base.jobs import CancelToken, ProgressFn, no_progress, scaled
from ..base.types import Diarization
from .blocks import SAMPLE_RATE, Block, BlockRunner, audio_digest, link

LIVE_FILE = "diarization.live.json"
BLOCK_SECONDS = 300.0
FORMAT = 1
# report("block", {"index", "start_s", "end_s", "speakers"}) after each block
Report = Callable[[str, dict[str, Any]], None]


# -- saved blocks ----------------------------------------------------------------------------------
def block_params(model_dir: str | os.PathLike[str], options: Any) -> dict[str, Any]:
    """Everything but the speaker bounds that decides a block's result."""
    return {
        "format": FORMAT,
        "model": Path(model_dir).name,
        "threshold": options.clustering_threshold,
        "min_cluster_size": options.min_cluster_size,
        "min_duration_off": options.min_duration_off,
        "segmentation_step": options.segmentation_step,
        "embedding_exclude_overlap": options.embedding_exclude_overlap,
        "exclusive": options.exclusive,
    }


def save_blocks(
    path: str | os.PathLike[str], model_dir: Any, options: Any, block_seconds: float, blocks: list[Block]
) -> None:
    from ..base.fileio import write_json

    write_json(
        path,
        {
            "params": block_params(model_dir, options),
            "block_seconds": block_seconds,
            "sample_rate": SAMPLE_RATE,
            "blocks": [b.to_dict() for b in blocks],
        },
    )


def load_blocks(path: str | os.PathLike[str], model_dir: Any, options: Any) -> tuple[float, list[Block]]:
    """(block length, blocks) saved for these parameters; (0, []) when none fit or the file is unreadable."""
    try:
        data = jsonio.loads(jsonio.read_bytes(path))
        if data.get("params") != block_params(model_dir, options) or data.get("sample_rate") != SAMPLE_RATE:
            return 0.0, []
        return float(data["block_seconds"]), [Block.from_dict(b) for b in data["blocks"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0.0, []


# -- the pipeline: reuse the live blocks -----------------------------------------------------------
def blocks_from_start(saved: list[Block], fits: Callable[[Block], bool] | None = None) -> list[Block]:
    """The saved blocks that follow one another from sample 0 on, up to the first gap, empty
    block or block that ``fits`` refuses."""
    done: list[Block] = []
    for block in sorted(saved, key=lambda b: b.start):
        pos = done[-1].end if done else 0
        if block.start != pos or block.end <= block.start or (fits is not None and not fits(block)):
            break
        done.append(block)
    return done


def reusable_blocks(audio: np.ndarray, path: Path, model_dir: Any, options: Any) -> tuple[float, list[Block]]:
    """(block length, the saved blocks from the start of ``audio`` that fit it exactly)."""
    block_seconds, saved = load_blocks(path, model_dir, options)

    def fits(block: Block) -> bool:
        if block.end > audio.size or not block.usable_with(options):
            return False
        return audio_digest(audio[block.start : block.end]) == block.digest

    return block_seconds, blocks_from_start(saved, fits)


def diarize_reusing(
    audio: np.ndarray,
    model_dir: str | os.PathLike[str],
    options: Any,
    live_file: str | os.PathLike[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    runner: BlockRunner | None = None,
) -> Diarization | None:
    """Diarization of ``audio`` from the live blocks plus the rest; None when no block fits."""
    options.validate()
    block_seconds, blocks = reusable_blocks(audio, Path(live_file), model_dir, options)
    if not blocks:
        return None
    runner = runner or BlockRunner(model_dir, options)
    size = max(int(block_seconds * SAMPLE_RATE), SAMPLE_RATE)
    rest = list(range(blocks[-1].end, audio.size, size))
    for i, start in enumerate(rest):
        if cancel is not None:
            cancel.raise_if_cancelled()
        part = scaled(progress, i / len(rest), (i + 1) / len(rest))
        blocks.append(runner(np.asarray(audio[start : start + size]), start, part, cancel))
    progress(1.0, "Sprechererkennung abgeschlossen")
    return link(blocks, options, audio.size / SAMPLE_RATE, Path(model_dir).name)


# -- while recording -------------------------------------------------------------------------------
def follow_recording(
    wav_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    model_dir: str | os.PathLike[str],
    options: Any,
    gate: Any,
    block_seconds: float = BLOCK_SECONDS,
    tail_threads: int = 2,
    poll_seconds: float = 0.5,
    report: Report | None = None,
    cancel: CancelToken | None = None,
    nice: int = 0,
) -> dict[str, Any]:
    """Diarize each finished block of the growing ``wav_path`` into ``out_path``; returns a summary.

    ``gate[0]``: seconds the live transcription has done (a block waits until it passed
    the block's end); ``gate[1]`` > 0: the recording stopped and the file is complete,
    so the rest is diarized at once (the tail with ``tail_threads``) and this returns.
    Blocks already in ``out_path`` with the same samples are kept, not diarized again.
    ``nice``: blocks before the stop run in a fresh thread of that lower priority (Linux:
    per thread, and not undone), those after it in the calling thread, at its priority.
    """
    from ..audio.live_source import GrowingWavReader

    reader = GrowingWavReader(wav_path)
    size = max(int(block_seconds * SAMPLE_RATE), SAMPLE_RATE)
    earlier = {(b.start, b.digest): b for b in load_blocks(out_path, model_dir, options)[1]}
    runner = BlockRunner(model_dir, options)
    blocks: list[Block] = []
    buf = np.zeros(0, np.float32)
    pos = 0
    stopped_at: float | None = None

    def run(samples: np.ndarray, tail: bool) -> None:
        old = earlier.get((pos, audio_digest(samples)))
        block = old if old is not None and old.usable_with(options) else None
        if block is None:
            threads = tail_threads if tail else None
            block = _in_thread(
                lambda: runner(samples, pos, cancel=cancel, threads=threads), 0 if tail else nice
            )
        blocks.append(block)
        save_blocks(out_path, model_dir, options, block_seconds, blocks)
        if report is not None:
            info = {"index": len(blocks) - 1, "start_s": block.start / SAMPLE_RATE}
            report("block", info | {"end_s": block.end / SAMPLE_RATE, "speakers": block.speakers})

    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        stopped = gate[1] > 0
        if stopped and stopped_at is None:
            stopped_at = time.perf_counter()
        if len(buf) < size:
            buf = np.concatenate([buf, reader.read(size - len(buf))])
        if len(buf) >= size and (stopped or gate[0] >= (pos + size) / SAMPLE_RATE):
            run(buf[:size], tail=stopped)  # after stop the recorder needs no core any more
            pos += size
            buf = buf[size:].copy()
            continue
        if stopped:
            buf = np.concatenate([buf, reader.read(), reader.flush()])
            if len(buf) >= size:
                continue
            if len(buf):
                run(buf, tail=True)
                pos += len(buf)
            break
        time.sleep(poll_seconds)
    return {
        "blocks": len(blocks),
        "audio_s": pos / SAMPLE_RATE,
        "diarized": runner.runs,
        "compute_s": sum(b.compute_s for b in blocks),
        "after_stop_s": time.perf_counter() - stopped_at if stopped_at is not None else 0.0,
    }


def _in_thread(work: Callable[[], Block], nice: int) -> Block:
    """``work()`` in a new thread with lowered priority (its torch threads inherit it)."""
    if nice <= 0:
        return work()
    from ..base.hardware import lower_thread_priority

    box: dict[str, Any] = {}

    def target() -> None:
        lower_thread_priority(nice)
        try:
            box["block"] = work()
        except BaseException as exc:  # raised again in the calling thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="live-diarization-block")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    block: Block = box["block"]
    return block
