"""Live transcription of a growing recording (asr/live.py), with the real whisper-base.

A helper thread writes the example session into a growing WAV the way the
recorder does (``GrowingWav``: append, header + fsync every second, rename on
stop), faster than real time; no sound device is needed.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from minutes_app.asr.live import PARTIAL_FILE, LiveTranscriber
from minutes_app.asr.wer import wer
from minutes_app.asr.whisper import ASROptions, WhisperASR
from minutes_app.audio.decode import decode_audio
from minutes_app.audio.live_source import GrowingWavReader
from minutes_app.audio.recovery import finish_part, new_sidecar, write_sidecar
from minutes_app.audio.wavfile import GrowingWav, wav_header
from minutes_app.base.errors import Cancelled
from minutes_app.base.jobs import CancelToken
from minutes_app.pipeline.live_job import pipeline_partial_key

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "beispielsitzung.ogg"
CLIP_SECONDS = 80
SPEED = 4.0  # times real time: the live loop must still see the file grow
RATE = 16000


def feed(path: Path, pcm: np.ndarray, speed: float, log: list[tuple[float, float]]) -> Path:
    """Append ``pcm`` (int16) in 1 s blocks with header + fsync, like the recorder; then finish."""
    wav = GrowingWav(path, RATE, 1)
    start = time.monotonic()
    for i, pos in enumerate(range(0, len(pcm), RATE)):
        wav.append(pcm[pos : pos + RATE].tobytes())
        wav.sync()
        log.append((min(pos + RATE, len(pcm)) / RATE, time.monotonic()))
        time.sleep(max(start + (i + 1) / speed - time.monotonic(), 0.0))
    wav.close()
    return finish_part(path, RATE, 1)[0]


def text(segments) -> str:
    return " ".join(s.text for s in segments)


@pytest.fixture(scope="module")
def model_dir(model_path) -> Path:
    return model_path("whisper-base")


@pytest.fixture(scope="module")
def clip() -> np.ndarray:
    audio = decode_audio(EXAMPLE)[: CLIP_SECONDS * RATE]
    return np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def asr(model_dir):
    model = WhisperASR(model_dir, ASROptions(threads=2))
    yield model
    model.close()


@pytest.fixture(scope="module")
def offline(asr, clip):
    return asr.transcribe(clip.astype(np.float32) / 32768.0)


@pytest.fixture(scope="module")
def finished_wav(tmp_path_factory, clip) -> Path:
    path = tmp_path_factory.mktemp("wav") / "aufnahme.part.wav"
    return feed(path, clip, speed=1e9, log=[])


@pytest.fixture(scope="module")
def live_run(tmp_path_factory, model_dir, clip):
    folder = tmp_path_factory.mktemp("live")
    part = folder / "aufnahme-20250312-180000.part.wav"
    log: list[tuple[float, float]] = []
    feeder = threading.Thread(target=lambda: result.update(wav=feed(part, clip, SPEED, log)))
    result: dict = {"events": []}
    live = LiveTranscriber(
        model_dir, ASROptions(), part, partial_path=folder / PARTIAL_FILE, partial_key={"live": 1}
    )
    stop = threading.Event()

    def on_segments(segments):
        written = log[-1][0] if log else 0.0
        result["events"].append((time.monotonic(), written, feeder.is_alive(), list(segments)))

    def work():
        result["transcript"] = live.run(stop, on_segments)

    worker = threading.Thread(target=work)
    feeder.start()
    worker.start()
    feeder.join()
    stopped = time.monotonic()
    stop.set()
    worker.join(timeout=120)
    assert not worker.is_alive()
    result.update(live=live, folder=folder, ready_after_stop=time.monotonic() - stopped, log=log)
    return result


def test_segments_appear_while_the_file_grows(live_run):
    growing = [e for e in live_run["events"] if e[2]]
    assert growing, "no text before the recording stopped"
    first_written = growing[0][1]
    assert first_written < CLIP_SECONDS - 20, first_written
    assert sum(len(e[3]) for e in growing) >= 5
    assert live_run["live"].reader.path.name.endswith(".wav")  # followed the rename
    assert not live_run["live"].reader.path.name.endswith(".part.wav")


def test_segments_are_in_order_and_inside_the_audio(live_run):
    segments = live_run["transcript"].segments
    assert [s.id for s in segments] == list(range(len(segments)))
    for prev, seg in zip(segments, segments[1:], strict=False):
        assert seg.start >= prev.end, (prev, seg)
    assert all(0 <= s.start <= s.end <= CLIP_SECONDS + 0.5 for s in segments)
    # the events handed out exactly the final segments, in order
    handed = [s for e in live_run["events"] for s in e[3]]
    assert [(s.start, s.text) for s in handed] == [(s.start, s.text) for s in segments]


def test_final_transcript_matches_offline(live_run, offline):
    transcript = live_run["transcript"]
    assert transcript.duration == pytest.approx(CLIP_SECONDS, abs=0.01)
    assert transcript.language == "de"
    score = wer(text(offline.segments), text(transcript.segments))
    assert score < 0.25, score
    assert live_run["ready_after_stop"] < 30


def test_windows_are_saved_in_the_pipelines_partial_format(live_run):
    import json

    data = json.loads((live_run["folder"] / PARTIAL_FILE).read_text(encoding="utf-8"))
    assert data["key"] == {"live": 1}
    assert data["transcript"]["duration"] == pytest.approx(CLIP_SECONDS, abs=0.01)
    assert len(data["transcript"]["segments"]) == len(live_run["transcript"].segments)


def test_pipeline_resumes_after_the_live_windows(tmp_path, finished_wav, model_dir, asr, monkeypatch):
    from minutes_app.pipeline import run as pipeline
    from minutes_app.session.project import Project

    project = Project.create(tmp_path / "projekt", audio=finished_wav)
    options = pipeline.PipelineOptions(threads=1)
    live = LiveTranscriber(model_dir, ASROptions(), finished_wav, asr=asr)
    live.step()  # the recording "stopped" before the tail was transcribed
    assert 0 < live.done_seconds < CLIP_SECONDS - 5
    assert live.save_partial(project.folder / PARTIAL_FILE, pipeline_partial_key(project, options))

    seen = {}
    real = WhisperASR.transcribe

    def spy(self, audio, progress=None, cancel=None, resume=None, on_chunk=None):
        seen["resume"] = resume
        return real(self, audio, progress or (lambda *a: None), cancel, resume=resume, on_chunk=on_chunk)

    monkeypatch.setattr(WhisperASR, "transcribe", spy)
    audio = decode_audio(finished_wav)
    result = pipeline._asr(project, options, model_dir, audio, lambda *a: None, CancelToken(), threads=1)
    assert seen["resume"] is not None, "the pipeline did not take the live windows"
    assert seen["resume"].duration == pytest.approx(live.done_seconds)
    n = len(live.segments)
    assert [s.text for s in result.segments[:n]] == [s.text for s in live.segments]
    assert len(result.segments) > n  # the tail was transcribed by the pipeline
    assert result.segments[n].start >= live.done_seconds - 1.0
    assert not (project.folder / PARTIAL_FILE).exists()
    assert project.is_done("asr", pipeline.asr_key(options, project.agenda))


def test_cancel_stops_the_worker(finished_wav, model_dir, asr):
    live = LiveTranscriber(model_dir, ASROptions(), finished_wav, asr=asr)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        live.run(threading.Event(), cancel=cancel)
    assert live.segments == [] and live.done_seconds == 0

    live = LiveTranscriber(model_dir, ASROptions(), finished_wav, asr=asr)
    cancel = CancelToken()
    outcome: dict = {}

    def work():
        try:
            live.run(threading.Event(), cancel=cancel)  # never stopped: only cancel ends it
        except Cancelled:
            outcome["cancelled"] = time.monotonic()

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(1.5)
    cancel.cancel()
    asked = time.monotonic()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert outcome["cancelled"] - asked < 15
    assert all(w.done_at <= asked for w in live.windows)  # nothing finished after the cancel


def test_torn_header_is_tolerated(tmp_path, clip, model_dir, asr):
    path = tmp_path / "aufnahme.part.wav"
    pcm = clip[: 25 * RATE]
    path.write_bytes(b"RIFF\0\0" + b"\0" * 38 + pcm.tobytes())  # header torn, data all there
    live = LiveTranscriber(model_dir, ASROptions(), path, asr=asr)
    transcript = live.finish()
    assert transcript.duration == pytest.approx(25.0, abs=0.01)
    assert transcript.segments, "no text from a file with a torn header"
    reference = asr.transcribe(pcm.astype(np.float32) / 32768.0)
    assert wer(text(reference.segments), text(transcript.segments)) < 0.25


def test_reader_uses_the_file_size_not_a_lagging_header(tmp_path):
    path = tmp_path / "a.part.wav"
    path.write_bytes(wav_header(RATE, 1, 0)[:20])  # header not even complete yet
    reader = GrowingWavReader(path)
    assert len(reader.read()) == 0 and reader.frames_on_disk() == 0
    data = (np.arange(RATE, dtype=np.int16) % 100).tobytes()
    path.write_bytes(wav_header(RATE, 1, 0) + data + b"\x01")  # size field stale, torn last frame
    out = reader.read()
    assert len(out) == RATE
    assert np.allclose(out * 32768.0, np.arange(RATE) % 100)
    with path.open("ab") as fh:
        fh.write(b"\x00" + b"\x00\x00" * 9)  # the torn frame completes, 9 more follow
    assert len(reader.read()) == 10
    assert reader.read().size == 0


def test_reader_format_from_sidecar_and_resampling(tmp_path):
    path = tmp_path / "aufnahme.part.wav"
    write_sidecar(path, new_sidecar(48000, 2, "Testgerät"))
    t = np.arange(48000 * 3) / 48000
    tone = (np.sin(2 * np.pi * 1000 * t) * 12000).astype(np.int16)
    stereo = np.stack([tone, tone], axis=1).reshape(-1)
    with path.open("wb") as fh:
        fh.write(b"\0" * 44 + stereo.tobytes())  # a torn header: the sidecar says 48 kHz stereo
    reader = GrowingWavReader(path)
    parts = [reader.read(4000) for _ in range(20)] + [reader.flush()]
    out = np.concatenate(parts)
    assert reader.format == (48000, 2)
    assert abs(len(out) - 3 * RATE) < 50
    spectrum = np.abs(np.fft.rfft(out[1000:-1000]))
    peak = np.argmax(spectrum) * RATE / len(out[1000:-1000])
    assert abs(peak - 1000) < 10
