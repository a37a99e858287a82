"""ASR on the real Whisper base model and real recordings."""

from __future__ import annotations

import numpy as np
import pytest

from minutes_app.asr.wer import wer
from minutes_app.asr.whisper import SAMPLE_RATE, ASROptions, WhisperASR, _cut_point, build_prompt
from minutes_app.audio.decode import decode_audio
from minutes_app.base.errors import Cancelled, ModelMissingError
from minutes_app.base.jobs import CancelToken


@pytest.fixture(scope="module")
def asr(model_path):
    return WhisperASR(model_path("whisper-base"), ASROptions(threads=2))


def test_english_jfk(asr, shared_fixtures):
    audio = decode_audio(shared_fixtures / "audio" / "jfk.flac")
    asr.options.language = "en"
    try:
        result = asr.transcribe(audio)
    finally:
        asr.options.language = "de"
    text = " ".join(s.text for s in result.segments)
    reference = (shared_fixtures / "audio" / "jfk.txt").read_text()
    assert wer(reference, text) < 0.15
    assert result.language == "en"
    words = [w for s in result.segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= 11.1 for w in words)
    assert all(0.0 <= w.probability <= 1.0 for w in words)


@pytest.mark.parametrize("clip", ["thorsten_1.wav", "thorsten_2.wav"])
def test_german_thorsten_including_first_words(asr, shared_fixtures, clip):
    refs = dict(
        line.split("\t", 1) for line in (shared_fixtures / "audio" / "thorsten.tsv").read_text().splitlines()
    )
    audio = decode_audio(shared_fixtures / "audio" / clip)
    result = asr.transcribe(audio)
    text = " ".join(s.text for s in result.segments)
    assert wer(refs[clip], text) < 0.25
    # The first word must not be lost even though speech starts at once.
    assert text.split()[0].lower().strip(",.") == refs[clip].split()[0].lower()


def test_speech_at_zero_after_concatenation_keeps_first_sentence(asr, shared_fixtures):
    """Two clips back to back, the first starting at 0.0 s: both sentences appear."""
    a = decode_audio(shared_fixtures / "audio" / "thorsten_2.wav")
    b = decode_audio(shared_fixtures / "audio" / "thorsten_1.wav")
    start = int(np.argmax(np.abs(a) > 0.02))  # cut away any leading silence
    audio = np.concatenate([a[start:], np.zeros(SAMPLE_RATE // 2, np.float32), b])
    text = " ".join(s.text for s in asr.transcribe(audio).segments).lower()
    assert "dort sieht es aus" in text
    assert "sitzungen" in text


def test_windows_and_resume_give_same_words(asr, shared_fixtures):
    a = decode_audio(shared_fixtures / "audio" / "thorsten_1.wav")
    b = decode_audio(shared_fixtures / "audio" / "thorsten_2.wav")
    gap = np.zeros(SAMPLE_RATE, np.float32)
    audio = np.concatenate([a, gap, b])
    asr.options.chunk_seconds = 8.0
    partials = []
    try:
        full = asr.transcribe(audio, on_chunk=lambda t, done: partials.append(t))
        assert len(partials) >= 2
        resumed = asr.transcribe(audio, resume=partials[0])
    finally:
        asr.options.chunk_seconds = 600.0
    assert [s.text for s in resumed.segments] == [s.text for s in full.segments]
    assert full.segments[-1].start > 6.0  # second clip's times are offset correctly


def test_progress_and_cancel(asr, shared_fixtures):
    audio = decode_audio(shared_fixtures / "audio" / "thorsten_1.wav")
    seen = []
    asr.transcribe(audio, progress=lambda f, m="": seen.append(f))
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        asr.transcribe(audio, cancel=token)


def test_missing_model_message(tmp_path):
    with pytest.raises(ModelMissingError, match="minutes-app models install"):
        WhisperASR(tmp_path)


def test_cut_point_prefers_silence():
    audio = np.ones(SAMPLE_RATE * 60, np.float32) * 0.3
    audio[SAMPLE_RATE * 50 : SAMPLE_RATE * 51] = 0.0
    cut = _cut_point(audio, 0, SAMPLE_RATE * 58)
    assert SAMPLE_RATE * 50 <= cut <= SAMPLE_RATE * 51
    assert _cut_point(audio, 0, len(audio) + 5) == len(audio)


def test_prompt_from_names_and_terms():
    prompt = build_prompt(["Frau Öztürk", "Herr Schnell"], ["Haushaltssatzung 2026"])
    assert "Öztürk" in prompt and "Haushaltssatzung" in prompt
    assert build_prompt() is None
