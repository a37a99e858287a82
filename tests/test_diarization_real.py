"""Real-model diarization tests (pyannote segmentation + CAM++), fully offline.

Bounds were measured with bench/diarization_der.py (defaults): sample.wav
DER 7.7 % (collar 0; 5.6 % without the overlap prior: false overlap); with collar 0.25
inside the UEM (first 30 s) dev00 5.7 % and
dev01 13.8 % (16.2 % without the prior for overlapped speech; before re-segmentation
30.4 % and 42.7 %: both bounds fail then); with
the true count given 5.7 % and 18.3 % (split distance 0.50; before the halves were grouped 30.4 % and
50.7 %); each bound adds a margin.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from minutes_app.base.errors import Cancelled, ModelCorruptError, ModelMissingError
from minutes_app.base.jobs import CancelToken
from minutes_app.diarization.devdata import dev_files, load_audio
from minutes_app.diarization.loader import CACHE
from minutes_app.diarization.metrics import der_from_files
from minutes_app.diarization.pipeline import DiarizationOptions, diarize

pytestmark = pytest.mark.slow

MODEL_ID = "pyannote-campp"
SAMPLE_DER_MAX = 0.10
DEV00_DER_MAX = 0.15  # collar 0.25
DEV01_DER_MAX = 0.28  # collar 0.25


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access is blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def store(model_path) -> Path:
    return model_path(MODEL_ID)


@pytest.fixture(scope="module")
def files(shared_fixtures: Path) -> dict:
    return {f.name: f for f in dev_files(shared_fixtures)}


@pytest.fixture(scope="module")
def sample_audio(files) -> np.ndarray:
    return load_audio(files["sample"].audio)


def _check_shape(result, duration: float) -> None:
    starts = [(t.start, t.end) for t in result.turns]
    assert starts == sorted(starts)
    assert all(0.0 <= t.start < t.end <= duration + 0.5 for t in result.turns)
    first_seen: list[str] = []
    for turn in result.turns:
        if turn.speaker not in first_seen:
            first_seen.append(turn.speaker)
    assert first_seen == [f"SPEAKER_{i:02d}" for i in range(len(first_seen))]


def test_sample_der_from_memmap(store, files, sample_audio, tmp_path) -> None:
    raw = tmp_path / "sample.f32"
    sample_audio.tofile(raw)
    audio = np.memmap(raw, dtype=np.float32, mode="r")
    seen: list[float] = []
    result = diarize(audio, store, progress=lambda fraction, message="": seen.append(fraction))
    _check_shape(result, len(audio) / 16000)
    score = der_from_files(result, files["sample"].rttm, "sample")
    assert score.der < SAMPLE_DER_MAX, score
    assert len(result.speakers) == 2
    assert result.model == MODEL_ID
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize(("name", "bound"), [("dev00", DEV00_DER_MAX), ("dev01", DEV01_DER_MAX)])
def test_ami_der_in_uem(store, files, name: str, bound: float) -> None:
    """Real meeting speech (AMI): clusters that hold two voices are re-segmented."""
    dev = files[name]
    audio = load_audio(dev.audio)
    result = diarize(audio, store)
    _check_shape(result, len(audio) / 16000)
    score = der_from_files(result, dev.rttm, dev.uri, dev.uem, collar=0.25)
    assert score.der < bound, score
    assert abs(score.num_hypothesis_speakers - score.num_reference_speakers) <= 1, score


@pytest.mark.parametrize(("name", "bound"), [("dev00", DEV00_DER_MAX), ("dev01", DEV01_DER_MAX)])
def test_ami_with_the_true_count_given(store, files, name: str, bound: float) -> None:
    """``--num-speakers 2`` on real meeting speech: pyannote held to the count puts both
    voices into one cluster; the split goes past the count and the nearest speakers are
    merged back, so the count given helps instead of costing (before: 30 % / 51 % DER)."""
    dev = files[name]
    audio = load_audio(dev.audio)
    result = diarize(audio, store, DiarizationOptions(num_speakers=2))
    _check_shape(result, len(audio) / 16000)
    score = der_from_files(result, dev.rttm, dev.uri, dev.uem, collar=0.25)
    assert score.der < bound, score
    assert len(result.speakers) == 2


def test_num_and_max_speakers_honoured(store, sample_audio) -> None:
    three = diarize(sample_audio, store, DiarizationOptions(num_speakers=3))
    assert len(three.speakers) == 3
    one = diarize(sample_audio, store, DiarizationOptions(max_speakers=1))
    assert one.speakers == ["SPEAKER_00"]


def test_silence_and_empty_input(store) -> None:
    assert diarize(np.zeros(16000 * 12, dtype=np.float32), store).turns == []
    assert diarize(np.zeros(0, dtype=np.float32), store).turns == []
    assert diarize(np.zeros(100, dtype=np.float32), store).turns == []


def test_cancel_raises_cancelled(store, sample_audio) -> None:
    token = CancelToken()

    def progress(fraction: float, message: str = "") -> None:
        if fraction > 0.0:  # first report from inside the pipeline
            token.cancel()

    with pytest.raises(Cancelled):
        diarize(sample_audio, store, progress=progress, cancel=token)


def test_explicit_pipeline_folder(store, files, sample_audio, tmp_path) -> None:
    folder = tmp_path / "admin-pipeline"
    folder.mkdir()
    (folder / "segmentation").symlink_to(store / "segmentation", target_is_directory=True)
    (folder / "embedding").symlink_to(store / "embedding", target_is_directory=True)
    (folder / "config.yaml").write_text(
        "pipeline:\n"
        "  name: minutes_app.diarization.loader.OfflineSpeakerDiarization\n"
        "  params:\n"
        "    segmentation: $model/segmentation\n"
        "    embedding: $model/embedding\n"
        "    clustering: AgglomerativeClustering\n"
        "params:\n"
        "  segmentation:\n"
        "    min_duration_off: 0.0\n"
        "  clustering:\n"
        "    method: centroid\n"
        "    min_cluster_size: 12\n"
        "    threshold: 0.7\n",
        encoding="utf-8",
    )
    pipeline, store_layout = CACHE.get(folder)
    assert not store_layout
    assert pipeline.clustering.threshold == pytest.approx(0.7)
    result = diarize(sample_audio, folder)
    assert result.model == "admin-pipeline"
    score = der_from_files(result, files["sample"].rttm, "sample")
    assert score.der < SAMPLE_DER_MAX, score


def test_missing_and_corrupt_models(store, tmp_path) -> None:
    audio = np.zeros(16000, dtype=np.float32)
    with pytest.raises(ModelMissingError):
        diarize(audio, tmp_path / "does-not-exist")
    partial = tmp_path / "partial"
    (partial / "segmentation").mkdir(parents=True)
    with pytest.raises(ModelMissingError) as missing:
        diarize(audio, partial)
    assert "fehlt" in str(missing.value)
    corrupt = tmp_path / "corrupt"
    (corrupt / "embedding").mkdir(parents=True)
    (corrupt / "segmentation").symlink_to(store / "segmentation", target_is_directory=True)
    (corrupt / "embedding" / "campplus_cn_en_common.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelCorruptError):
        diarize(audio, corrupt)


def test_long_recordings_are_diarized_in_linked_blocks(store) -> None:
    """The example session (3:41, five voices) in two blocks: speakers linked across blocks."""
    from minutes_app.audio.decode import decode_audio
    from minutes_app.diarization.metrics import diarization_error_rate, read_rttm

    examples = Path(__file__).resolve().parent.parent / "resources" / "examples"
    audio = decode_audio(examples / "beispielsitzung.ogg")
    reference = next(iter(read_rttm(examples / "beispielsitzung.rttm").values()))
    seconds = len(audio) / 16000
    whole = diarize(audio, store)
    seen: list[float] = []
    blocked = diarize(
        audio,
        store,
        DiarizationOptions(block_seconds=seconds / 2 + 0.1),
        progress=lambda fraction, message="": seen.append(fraction),
    )
    _check_shape(blocked, seconds)
    score = diarization_error_rate(reference, blocked.turns)
    baseline = diarization_error_rate(reference, whole.turns)
    assert score.der < baseline.der + 0.10, (score, baseline)
    assert abs(len(blocked.speakers) - len(whole.speakers)) <= 1  # one label per person across blocks
    assert seen == sorted(seen) and seen[-1] == 1.0


def _overlapped_seconds(turns, start: float, end: float) -> float:
    frames = np.arange(start, end, 0.01)
    active = sum(((t.start <= frames) & (frames < t.end)).astype(int) for t in turns)
    return float((np.asarray(active) >= 2).sum()) * 0.01


def test_the_overlap_prior_keeps_a_second_voice(store, files) -> None:
    """AMI dev01, 16.4-17.6 s: MEE012 speaks into MEE009's turn. pyannote's own choice of
    classes gives one speaker there, so MEE012's words went to nobody; with the prior for
    overlapped speech (the default, calibrated on other material: diarization/overlap.py)
    both voices are kept and DER falls (bench: 16.2 -> 13.8 %)."""
    dev = files["dev01"]
    audio = load_audio(dev.audio)
    plain = diarize(audio, store, DiarizationOptions(overlap_prior=0.0))
    prior = diarize(audio, store)
    assert _overlapped_seconds(prior.turns, 16.4, 17.6) > _overlapped_seconds(plain.turns, 16.4, 17.6) + 0.3
    scores = [der_from_files(r, dev.rttm, dev.uri, dev.uem, collar=0.25) for r in (plain, prior)]
    assert scores[1].der < scores[0].der, scores
    assert scores[1].der <= 0.20, scores  # issue #17: DER <= 20 % on real meeting speech


def test_the_overlap_prior_is_set_per_run_not_stacked() -> None:
    import torch
    from pyannote.audio.utils.powerset import Powerset

    from minutes_app.diarization.overlap import set_overlap_prior

    class Inference:
        conversion = Powerset(3, 2)

    class Pipeline:
        _segmentation = Inference()

    pipeline = Pipeline()
    own = pipeline._segmentation.conversion
    scores = torch.log(torch.tensor([[[0.05, 0.50, 0.05, 0.0, 0.40, 0.0, 0.0]]]) + 1e-9)
    assert own(scores).tolist() == [[[1.0, 0.0, 0.0]]]  # pyannote: one speaker
    set_overlap_prior(pipeline, 1.0)
    set_overlap_prior(pipeline, 1.0)
    assert pipeline._segmentation.conversion(scores).tolist() == [[[1.0, 1.0, 0.0]]]  # the pair
    assert pipeline._segmentation.conversion.prior.max().item() == 1.0  # not 2.0: not stacked
    set_overlap_prior(pipeline, 0.0)
    assert pipeline._segmentation.conversion is own

    # a pipeline moved to another device (CUDA on a GPU PC): the prior's buffers follow it
    pipeline._segmentation = Inference()
    pipeline._segmentation.conversion = Powerset(3, 2).to("meta")
    set_overlap_prior(pipeline, 1.0)
    prior = pipeline._segmentation.conversion
    assert {b.device.type for b in prior.buffers()} == {"meta"}
