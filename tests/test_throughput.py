"""Throughput: device/thread/batch resolution, the chosen device reaching every stage,
batched ASR, and models kept loaded between queued jobs.

There is no GPU on the test machines: CUDA is simulated by replacing the detection
functions of ``base.hardware``; the model constructors are replaced by recorders.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from minutes_app.base import hardware, model_cache
from minutes_app.base.errors import UserError


@pytest.fixture
def cuda(monkeypatch):
    monkeypatch.setattr(hardware, "ct2_cuda_devices", lambda: 1)
    monkeypatch.setattr(hardware, "torch_cuda_available", lambda: True)


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(hardware, "ct2_cuda_devices", lambda: 0)
    monkeypatch.setattr(hardware, "torch_cuda_available", lambda: False)


@pytest.fixture(autouse=True)
def _released():
    yield
    model_cache.release()


# -- resolution ------------------------------------------------------------------------------------
def test_auto_is_cuda_float16_with_cuda(cuda):
    for backend in ("ct2", "torch"):
        assert hardware.resolve_device("auto", backend) == "cuda"
    assert hardware.resolve_compute_type("default", "cuda") == "float16"
    assert hardware.resolve_asr_batch(0, "cuda") == hardware.AUTO_ASR_BATCH["cuda"] > 1


def test_auto_is_cpu_int8_sequential_without_cuda(no_cuda):
    for backend in ("ct2", "torch"):
        assert hardware.resolve_device("auto", backend) == "cpu"
        assert hardware.resolve_device("", backend) == "cpu"
    assert hardware.resolve_compute_type("default", "cpu") == "int8"
    assert hardware.resolve_compute_type("int8_float32", "cpu") == "int8_float32"
    assert hardware.resolve_asr_batch(0, "cpu") == 1
    assert hardware.resolve_asr_batch(4, "cpu") == 4


def test_cuda_chosen_without_cuda_is_a_german_error(no_cuda):
    with pytest.raises(UserError, match="keine nutzbare CUDA-Grafikkarte"):
        hardware.resolve_device("cuda")
    with pytest.raises(UserError, match="Unbekanntes Rechengerät"):
        hardware.resolve_device("tpu")


def test_detection_imports_nothing_heavy_at_module_import():
    import subprocess
    import sys

    code = (
        "import sys, minutes_app.base.hardware; print('torch' in sys.modules, 'ctranslate2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_threads_follow_the_cpu_affinity(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert hardware.cpu_count() == 3
    assert hardware.resolve_threads(0) == 3
    assert hardware.resolve_threads(5) == 5
    from minutes_app.pipeline.run import PipelineOptions

    assert PipelineOptions().resolved_threads() == 3


@pytest.mark.parametrize("total", [1, 2, 3, 4, 8, 16])
def test_split_threads_never_oversubscribes(total):
    asr, diarization = hardware.split_threads(total)
    assert asr >= 1 and diarization >= 1
    assert asr + diarization == max(total, 2)
    assert asr >= diarization


# -- the chosen device reaches each stage's constructor ----------------------------------------
class FakeWhisperModel:
    made: list[dict] = []

    def __init__(self, path, **kwargs):
        FakeWhisperModel.made.append(kwargs)


@pytest.fixture
def fake_whisper(monkeypatch, tmp_path):
    import faster_whisper

    FakeWhisperModel.made = []
    monkeypatch.setattr(faster_whisper, "WhisperModel", FakeWhisperModel)
    (tmp_path / "model.bin").write_bytes(b"")
    return tmp_path


def test_whisper_gets_cuda_float16_and_batches_on_cuda(cuda, fake_whisper):
    from faster_whisper import BatchedInferencePipeline

    from minutes_app.asr.whisper import ASROptions, WhisperASR

    asr = WhisperASR(fake_whisper, ASROptions(device="auto", threads=3))
    assert FakeWhisperModel.made == [{"device": "cuda", "compute_type": "float16", "cpu_threads": 3}]
    assert asr.batch_size == hardware.AUTO_ASR_BATCH["cuda"]
    assert isinstance(asr._batched, BatchedInferencePipeline)


def test_whisper_gets_cpu_int8_sequential_without_cuda(no_cuda, fake_whisper, monkeypatch):
    from minutes_app.asr.whisper import ASROptions, WhisperASR

    monkeypatch.setattr(hardware, "cpu_count", lambda: 6)
    asr = WhisperASR(fake_whisper, ASROptions(device="auto"))
    assert FakeWhisperModel.made == [{"device": "cpu", "compute_type": "int8", "cpu_threads": 6}]
    assert asr.batch_size == 1 and asr._batched is None


def test_asr_stage_passes_batch_size_device_and_threads(monkeypatch, tmp_path):
    import minutes_app.asr.whisper as whisper
    from minutes_app.pipeline.run import PipelineOptions
    from minutes_app.pipeline.stage_asr import _asr

    seen = []

    class Recorder:
        def __init__(self, model_dir, options):
            seen.append(options)
            raise RuntimeError("stop")

    monkeypatch.setattr(whisper, "WhisperASR", Recorder)
    project = SimpleNamespace(is_done=lambda *a: False, folder=tmp_path, data={"audio": "a.wav"}, agenda=[])
    options = PipelineOptions(asr_batch_size=4, device="cuda", threads=3)
    with pytest.raises(RuntimeError, match="stop"):
        _asr(project, options, tmp_path, np.zeros(16000, np.float32), lambda *a: None, None, 2)  # type: ignore[arg-type]
    assert (seen[0].batch_size, seen[0].device, seen[0].threads) == (4, "cuda", 2)


def test_diarization_stage_gets_device_and_its_share_of_threads():
    from minutes_app.pipeline.run import PipelineOptions
    from minutes_app.pipeline.stage_diarize import _diarization_setup

    _, beside_asr = _diarization_setup(PipelineOptions(threads=8, device="auto"))
    assert (beside_asr.device, beside_asr.threads) == ("auto", hardware.split_threads(8)[1])
    _, alone = _diarization_setup(PipelineOptions(threads=8, device="cpu", parallel=False))
    assert (alone.device, alone.threads) == ("cpu", 8)


def test_diarize_moves_the_pipeline_to_cuda(cuda, monkeypatch, tmp_path):
    import torch

    from minutes_app.diarization import loader
    from minutes_app.diarization.pipeline import DiarizationOptions, diarize

    moved = []

    class FakePipeline:
        def to(self, device):
            moved.append(device)
            return self

    monkeypatch.setattr(loader, "_load_store", lambda folder, step: FakePipeline())
    cache = loader.PipelineCache()
    pipeline, store_layout = cache.get(tmp_path, 0.1, "auto")
    assert isinstance(pipeline, FakePipeline) and store_layout
    assert moved == [torch.device("cuda")]
    assert cache.get(tmp_path, 0.1, "auto")[0] is pipeline and cache.loads == 1

    # diarize() hands its options' device to the cache
    asked = []

    class Recorder:
        def get(self, model_dir, step, device):
            asked.append(device)
            raise RuntimeError("stop")

    import minutes_app.diarization.pipeline as dp

    monkeypatch.setattr(dp, "CACHE", Recorder())
    with pytest.raises(RuntimeError, match="stop"):
        diarize(np.zeros(16000, np.float32), tmp_path, DiarizationOptions(device="cuda"))
    assert asked == ["cuda"]


def test_ct2_llm_gets_cuda_float16(cuda, monkeypatch, tmp_path):
    import ctranslate2

    from minutes_app.drafting.engines import ct2, make_engine

    made = []
    monkeypatch.setattr(ctranslate2, "Generator", lambda path, **kw: made.append(kw) or object())
    monkeypatch.setattr(ct2, "ChatTokenizer", lambda folder: object())
    (tmp_path / "ct2").mkdir()
    (tmp_path / "ct2" / "model.bin").write_bytes(b"")
    engine = make_engine("ct2", tmp_path, device="auto", threads=2)
    engine._load()  # type: ignore[attr-defined]
    assert made == [{"device": "cuda", "compute_type": "float16", "intra_threads": 2}]
    make_engine("ct2", tmp_path, device="cpu", threads=2)._load()  # type: ignore[attr-defined]
    assert made[-1] == {"device": "cpu", "compute_type": "int8", "intra_threads": 2}


# -- models kept loaded between jobs ------------------------------------------------------------------
def test_asr_model_is_loaded_once_while_retained(no_cuda, fake_whisper):
    from minutes_app.asr.whisper import MODELS, ASROptions, WhisperASR

    before = MODELS.loads
    WhisperASR(fake_whisper, ASROptions(threads=1)).close()
    WhisperASR(fake_whisper, ASROptions(threads=1)).close()
    assert MODELS.loads - before == 2 and len(MODELS) == 0  # default: every job loads and frees
    model_cache.retain()
    first = WhisperASR(fake_whisper, ASROptions(threads=1, language="en"))
    second = WhisperASR(fake_whisper, ASROptions(threads=1, batch_size=4))
    assert second.model is first.model and MODELS.loads - before == 3
    WhisperASR(fake_whisper, ASROptions(threads=2))  # other threads: another model
    assert MODELS.loads - before == 4
    model_cache.release()
    assert len(MODELS) == 0 and not model_cache.retaining()


def host_info(progress, cancel, bump: bool = True) -> tuple[int, int]:
    """Worker target: this process' id and how often it ran (module state survives in a host)."""
    global _RUNS
    _RUNS = globals().get("_RUNS", 0) + int(bump)
    return os.getpid(), _RUNS


def host_die(progress, cancel) -> None:
    os._exit(7)


def host_wait_for_cancel(progress, cancel) -> None:
    import time

    progress(0.1, "wartet")
    for _ in range(600):
        cancel.raise_if_cancelled()
        time.sleep(0.05)


def test_model_host_keeps_one_process_between_stages_and_restarts_after_a_crash():
    from minutes_app.base.errors import Cancelled
    from minutes_app.base.jobs import CancelToken
    from minutes_app.base.worker import HOST_STARTS, WorkerStage

    target = f"{__name__}:host_info"
    one_shot = [WorkerStage(target).wait() for _ in range(2)]
    assert one_shot[0][0] != one_shot[1][0] and one_shot[1][1] == 1  # default: a process per stage

    model_cache.retain()
    starts = HOST_STARTS[0]
    first, second = WorkerStage(target).wait(), WorkerStage(target).wait()
    assert first[0] == second[0] != os.getpid() and second[1] == first[1] + 1
    assert HOST_STARTS[0] == starts + 1

    token = CancelToken()
    stage = WorkerStage(f"{__name__}:host_wait_for_cancel")
    with pytest.raises(Cancelled):
        stage.wait(lambda f, m="": token.cancel(), token)
    assert WorkerStage(target).wait()[0] == first[0]  # a clean cancel keeps the host

    with pytest.raises(UserError, match="unerwartet beendet"):
        WorkerStage(f"{__name__}:host_die").wait()
    fresh = WorkerStage(target).wait()
    assert fresh[0] != first[0] and fresh[1] == 1 and HOST_STARTS[0] == starts + 2

    model_cache.release()  # stops the host
    assert WorkerStage(target).wait()[0] != fresh[0]


# -- batched ASR on the real model -------------------------------------------------------------------
def _thorsten(shared: Path) -> tuple[dict[str, str], np.ndarray, np.ndarray]:
    from minutes_app.audio.decode import decode_audio

    refs = dict(line.split("\t", 1) for line in (shared / "audio" / "thorsten.tsv").read_text().splitlines())
    return (
        refs,
        decode_audio(shared / "audio" / "thorsten_1.wav"),
        decode_audio(shared / "audio" / "thorsten_2.wav"),
    )


def test_batched_segments_are_split_into_sentences():
    from minutes_app.asr.whisper import _sentences
    from minutes_app.base.types import Word

    text = " Ich rufe TOP 3. auf. Gibt es Fragen? Herr Dr. Weber, bitte!« Danke"
    words = [Word(float(i), i + 0.5, " " + w, 0.9) for i, w in enumerate(text.split())]
    pieces = ["".join(w.word for w in piece).strip() for piece in _sentences(words)]
    assert pieces == ["Ich rufe TOP 3. auf.", "Gibt es Fragen?", "Herr Dr. Weber, bitte!«", "Danke"]


def test_batched_asr_keeps_words_windows_and_resume(model_path, shared_fixtures):
    from minutes_app.asr.wer import wer
    from minutes_app.asr.whisper import SAMPLE_RATE, ASROptions, WhisperASR

    refs, a, b = _thorsten(shared_fixtures)
    asr = WhisperASR(model_path("whisper-base"), ASROptions(threads=2, batch_size=4, chunk_seconds=8.0))
    assert asr._batched is not None
    audio = np.concatenate([a, np.zeros(SAMPLE_RATE, np.float32), b])
    partials = []
    try:
        full = asr.transcribe(audio, on_chunk=lambda t, done: partials.append(t))
        resumed = asr.transcribe(audio, resume=partials[0])
        asr.options.vad_filter = False  # batched without VAD: fixed clips
        plain = asr.transcribe(a)
    finally:
        asr.close()
    text = " ".join(s.text for s in full.segments)
    assert wer(refs["thorsten_1.wav"] + " " + refs["thorsten_2.wav"], text) < 0.3
    assert len(partials) >= 2
    assert [s.text for s in resumed.segments] == [s.text for s in full.segments]
    words = [w for s in full.segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= len(audio) / SAMPLE_RATE + 0.1 for w in words)
    assert full.segments[-1].start > 6.0  # the second window's times are offset
    assert wer(refs["thorsten_1.wav"], " ".join(s.text for s in plain.segments)) < 0.3


def _write_wav(path: Path, audio: np.ndarray) -> None:
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def test_queued_jobs_reuse_every_model_with_identical_results(model_path, shared_fixtures, tmp_path):
    """Two sessions one after another with keep_models_loaded: the second loads nothing
    (ASR here, diarization and LLM in the kept worker process) and gets the same results
    as the first, which loaded every model; the queue's last run hands them back."""
    from minutes_app.asr.whisper import MODELS
    from minutes_app.base import worker
    from minutes_app.models.store import ModelStore
    from minutes_app.pipeline.run import PipelineOptions, run_pipeline
    from minutes_app.session.project import Project

    _, a, b = _thorsten(shared_fixtures)
    wav = tmp_path / "sitzung.wav"
    _write_wav(wav, np.concatenate([a, np.zeros(16000, np.float32), b]))
    options = dict(llm_model="qwen2.5-coder-0.5b", threads=2, keep_models_loaded=True)
    store = ModelStore.default()

    def job(name: str, **extra):
        project = Project.open_or_create(tmp_path / name, wav)
        return run_pipeline(project, PipelineOptions(**{**options, **extra}), store)

    first = job("eins")
    host_loads = worker.WorkerStage("minutes_app.base.model_cache:loads_report").wait()
    asr_loads, starts = MODELS.loads, worker.HOST_STARTS[0]
    llm_loads = host_loads.get("llm", 0) + host_loads.get("llm-gguf", 0)  # ct2 or llama.cpp („auto“)
    assert host_loads["diarization"] >= 1 and llm_loads >= 1
    second = job("zwei")
    assert MODELS.loads == asr_loads and worker.HOST_STARTS[0] == starts
    assert worker.WorkerStage("minutes_app.base.model_cache:loads_report").wait() == host_loads
    assert second.transcript.to_dict()["segments"] == first.transcript.to_dict()["segments"]
    assert second.diarization.to_dict()["turns"] == first.diarization.to_dict()["turns"]
    assert first.minutes is not None and second.minutes is not None
    assert second.minutes.to_dict() == first.minutes.to_dict()

    job("zwei", keep_models_loaded=False)  # all done already; the queue's last run releases
    assert not model_cache.retaining() and len(MODELS) == 0 and worker._shared_host is None
