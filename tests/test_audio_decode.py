"""Decoding real files, and every kind of bad audio input."""

from __future__ import annotations

import subprocess
import sys
import wave

import numpy as np
import pytest

from minutes_app.audio.decode import SAMPLE_RATE, decode_audio, decode_to_file, open_pcm
from minutes_app.base.errors import Cancelled, InvalidAudioError
from minutes_app.base.jobs import CancelToken


def _write_wav(path, samples: np.ndarray, rate: int = SAMPLE_RATE, channels: int = 1) -> None:
    data = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


def test_decodes_flac_to_16k_mono_float32(shared_fixtures):
    audio = decode_audio(shared_fixtures / "audio" / "jfk.flac")
    assert audio.dtype == np.float32
    assert abs(len(audio) / SAMPLE_RATE - 11.0) < 0.05
    assert 0.1 < np.abs(audio).max() < 1.5  # resampling may overshoot slightly


def test_resamples_and_downmixes(tmp_path):
    t = np.arange(44100 * 2) / 44100
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([tone, tone], axis=1).reshape(-1)
    _write_wav(tmp_path / "stereo.wav", stereo, rate=44100, channels=2)
    audio = decode_audio(tmp_path / "stereo.wav")
    assert abs(len(audio) - 2 * SAMPLE_RATE) < 200
    spectrum = np.abs(np.fft.rfft(audio[:SAMPLE_RATE]))
    assert abs(np.argmax(spectrum) - 440) <= 2  # 1 Hz bins over one second


def test_stream_to_file_matches_in_memory(tmp_path, shared_fixtures):
    src = shared_fixtures / "audio" / "thorsten_1.wav"
    n = decode_to_file(src, tmp_path / "a.pcm")
    mapped = open_pcm(tmp_path / "a.pcm")
    assert n == len(mapped)
    np.testing.assert_array_equal(np.asarray(mapped), decode_audio(src))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("leer.wav", b"", "leer"),
        (
            "zufall.mp3",
            bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8)),
            "keine lesbare",
        ),
        ("text.mp3", b"Das ist keine Audiodatei, sondern Text.\n" * 100, "keine lesbare"),
    ],
)
def test_bad_files_give_german_message(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidAudioError, match=expected):
        decode_audio(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InvalidAudioError, match="nicht gefunden"):
        decode_audio(tmp_path / "fehlt.wav")
    with pytest.raises(InvalidAudioError, match="Ordner"):
        decode_audio(tmp_path)


def test_only_silence_is_refused_and_no_file_left(tmp_path):
    _write_wav(tmp_path / "still.wav", np.zeros(SAMPLE_RATE * 3))
    with pytest.raises(InvalidAudioError, match="nur Stille"):
        decode_audio(tmp_path / "still.wav")
    with pytest.raises(InvalidAudioError, match="nur Stille"):
        decode_to_file(tmp_path / "still.wav", tmp_path / "out.pcm")
    assert not (tmp_path / "out.pcm").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["still.wav"]


def test_truncated_flac_is_reported_or_decoded_partially(tmp_path, shared_fixtures):
    data = (shared_fixtures / "audio" / "jfk.flac").read_bytes()
    (tmp_path / "kaputt.flac").write_bytes(data[: len(data) // 2])
    try:
        audio = decode_audio(tmp_path / "kaputt.flac")
    except InvalidAudioError as exc:
        assert "beschädigt" in str(exc) or "lesbar" in str(exc)
    else:  # FLAC frames are independent: what is there must decode, not more
        assert 3.0 < len(audio) / SAMPLE_RATE < 8.0


def test_video_container_with_audio(tmp_path, shared_fixtures):
    import av

    src = decode_audio(shared_fixtures / "audio" / "thorsten_1.wav")
    out = tmp_path / "clip.mp4"
    with av.open(str(out), "w") as container:
        stream = container.add_stream("aac", rate=SAMPLE_RATE)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(src.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    audio = decode_audio(out)
    assert abs(len(audio) - len(src)) < SAMPLE_RATE * 0.2


def test_cancel_stops_decoding(shared_fixtures):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        decode_audio(shared_fixtures / "sessions" / "ka_elternbeitraege.flac", cancel=token)


def test_no_traceback_in_cli_for_text_file(tmp_path):
    bad = tmp_path / "notiz.mp3"
    bad.write_text("kein Audio")
    proc = subprocess.run(
        [sys.executable, "-m", "minutes_app", "transcribe", str(bad), "-o", str(tmp_path / "o.json")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "keine lesbare Audio" in proc.stderr
    assert not (tmp_path / "o.json").exists()
