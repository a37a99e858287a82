"""Diarization while recording (diarization/live.py) and its reuse by the pipeline's stage.

The real pyannote + CAM++ model diarizes a 90 s clip of the example session in 30 s
blocks while a helper thread writes it like the recorder does; the pipeline's
diarization must then equal the offline block diarization of the same recording and
diarize only what the live blocks did not cover. Fake block runners check the rules
(digest, parameters, speaker bounds) without a model.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from minutes_app.audio.decode import decode_audio
from minutes_app.audio.recovery import finish_part
from minutes_app.audio.wavfile import GrowingWav
from minutes_app.base.jobs import CancelToken
from minutes_app.diarization.blocks import Block, BlockRunner, audio_digest
from minutes_app.diarization.live import (
    LIVE_FILE,
    diarize_reusing,
    follow_recording,
    load_blocks,
    save_blocks,
)
from minutes_app.diarization.metrics import diarization_error_rate
from minutes_app.diarization.pipeline import DiarizationOptions, diarize

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "beispielsitzung.ogg"
RATE = 16000
BLOCK = 30.0
CLIP = 90  # three whole blocks: the offline block diarization cuts at the same places


def write_part(path: Path, pcm: np.ndarray) -> GrowingWav:
    """The recorder's growing part file with ``pcm`` (int16) in it, not finished."""
    wav = GrowingWav(path, RATE, 1)
    for pos in range(0, len(pcm), RATE):
        wav.append(pcm[pos : pos + RATE].tobytes())
    wav.sync()
    return wav


@pytest.fixture(scope="module")
def model_dir(model_path) -> Path:
    return model_path("pyannote-campp")


@pytest.fixture(scope="module")
def pcm() -> np.ndarray:
    audio = decode_audio(EXAMPLE)[: CLIP * RATE]
    return np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def options() -> DiarizationOptions:
    return DiarizationOptions(threads=1, block_seconds=BLOCK, device="cpu")


@pytest.fixture(scope="module")
def live(tmp_path_factory, model_dir, pcm, options):
    """The live diarizer follows a recording; the gate holds blocks back until ASR passed them."""
    folder = tmp_path_factory.mktemp("live-diar")
    part = folder / "aufnahme-20250312-180000.part.wav"
    out = folder / LIVE_FILE
    wav = write_part(part, pcm[: int(2 * BLOCK * RATE) + RATE])  # two blocks and a bit on disk
    gate = [0.0, 0.0]
    result: dict = {}
    reports: list[dict] = []

    def follow():
        result["summary"] = follow_recording(
            part,
            out,
            model_dir,
            options,
            gate,
            block_seconds=BLOCK,
            tail_threads=1,
            poll_seconds=0.1,
            report=lambda kind, info: reports.append(info),
            nice=1,  # blocks before the stop in a thread of their own, as in the live process
        )

    worker = threading.Thread(target=follow)
    worker.start()
    time.sleep(2.0)
    result["before_gate"] = out.exists()  # ASR has not passed a block yet: nothing diarized
    gate[0] = BLOCK + 1.0  # ASR passed the first block
    deadline = time.monotonic() + 240
    while not reports and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    result["after_first"] = len(reports)
    for pos in range(int(2 * BLOCK * RATE) + RATE, len(pcm), RATE):  # the rest of the recording
        wav.append(pcm[pos : pos + RATE].tobytes())
    wav.close()
    wav_path = finish_part(part, RATE, 1)[0]  # Recorder.stop(): header fitted, renamed
    gate[1] = 1.0
    worker.join(timeout=600)
    assert not worker.is_alive()
    result.update(wav=wav_path, out=out, reports=reports, folder=folder)
    return result


def test_blocks_wait_for_the_transcription_then_follow(live):
    assert live["before_gate"] is False
    assert live["after_first"] == 1  # the second block was on disk but ASR had not passed it
    assert [r["index"] for r in live["reports"]] == [0, 1, 2]
    summary = live["summary"]
    assert summary["blocks"] == 3 and summary["diarized"] == 3
    assert summary["audio_s"] == pytest.approx(CLIP)


def test_saved_blocks_cover_the_recording(live, model_dir, options):
    block_seconds, blocks = load_blocks(live["out"], model_dir, options)
    assert block_seconds == BLOCK
    assert [(b.start, b.end) for b in blocks] == [(i * 30 * RATE, (i + 1) * 30 * RATE) for i in range(3)]
    assert all(b.centroids and b.turns for b in blocks)
    other = dataclasses.replace(options, clustering_threshold=0.6)
    assert load_blocks(live["out"], model_dir, other) == (0.0, [])  # other parameters: not reused


def test_pipeline_result_equals_the_offline_block_diarization(live, model_dir, options):
    from minutes_app.audio.decode import decode_to_file, open_pcm

    pcm_path = live["folder"] / "audio.pcm"
    decode_to_file(live["wav"], pcm_path, lambda *a: None, CancelToken())  # the pipeline's decode
    audio = open_pcm(pcm_path)
    runner = BlockRunner(model_dir, options)
    reused = diarize_reusing(audio, model_dir, options, live["out"], runner=runner)
    assert reused is not None and runner.runs == 0  # every block came from the recording time
    offline = diarize(np.array(audio), model_dir, options)  # 3 x 30 s blocks, linked by centroid
    assert len(offline.speakers) >= 2
    assert reused.speakers == offline.speakers
    assert reused.turns == offline.turns


def test_pipeline_diarizes_only_what_the_live_blocks_left(live, model_dir, options, tmp_path):
    audio = decode_audio(live["wav"])
    block_seconds, blocks = load_blocks(live["out"], model_dir, options)
    partial = tmp_path / LIVE_FILE
    save_blocks(partial, model_dir, options, block_seconds, blocks[:2])  # stopped before the tail
    runner = BlockRunner(model_dir, options)
    result = diarize_reusing(audio, model_dir, options, partial, runner=runner)
    assert runner.runs == 1  # only the last block
    full = diarize_reusing(audio, model_dir, options, live["out"])
    assert result is not None and full is not None
    assert diarization_error_rate(full.turns, result).der < 0.02


# -- rules, with a fake block runner (no model) -----------------------------------------------------
class FakeRunner:
    def __init__(self) -> None:
        self.runs = 0
        self.starts: list[int] = []

    def __call__(self, samples, start, progress=None, cancel=None, threads=None) -> Block:
        self.runs += 1
        self.starts.append(start)
        voice = np.ones(4) if samples.mean() > 0 else np.array([1.0, -1.0, 1.0, -1.0])
        turns = [(0.0, samples.size / RATE, "A")]
        return Block(start, start + samples.size, audio_digest(samples), None, None, turns, {"A": voice})


def _audio(seconds: int) -> np.ndarray:
    t = np.arange(seconds * RATE)
    return (np.where((t // (10 * RATE)) % 2 == 0, 0.1, -0.1) + 0.01 * np.sin(t)).astype(np.float32)


def test_reuse_checks_the_samples_and_the_speaker_bounds(tmp_path, monkeypatch):
    audio = _audio(50)
    options = DiarizationOptions()
    fake = FakeRunner()
    blocks = [fake(audio[: 20 * RATE], 0), fake(audio[20 * RATE : 40 * RATE], 20 * RATE)]
    path = tmp_path / LIVE_FILE
    save_blocks(path, "pyannote-campp", options, 20.0, blocks)
    runner = FakeRunner()
    result = diarize_reusing(audio, "pyannote-campp", options, path, runner=runner)  # type: ignore[arg-type]
    assert runner.starts == [40 * RATE] and result is not None  # only the rest
    assert result.turns[-1].end == pytest.approx(50.0)

    changed = audio.copy()
    changed[25 * RATE] += 0.5  # another recording from the second block on: only the first is reused
    runner = FakeRunner()
    diarize_reusing(changed, "pyannote-campp", options, path, runner=runner)  # type: ignore[arg-type]
    assert runner.starts == [20 * RATE, 40 * RATE]
    changed[0] += 0.5
    assert diarize_reusing(changed, "pyannote-campp", options, path, runner=FakeRunner()) is None  # type: ignore[arg-type]

    # diarized without a bound: fine for a roster of 5 people, not for a bound of 1 or a minimum
    assert blocks[0].usable_with(dataclasses.replace(options, max_speakers=5))
    assert not blocks[0].usable_with(dataclasses.replace(options, max_speakers=1))
    assert not blocks[0].usable_with(dataclasses.replace(options, min_speakers=2))
    assert blocks[0].usable_with(dataclasses.replace(options, num_speakers=4))
