"""Bad-input catalogue, part 1: recordings (docs/reliability.md).

Every file is generated here with PyAV/numpy (a few seconds, a few kB). Good input in every
supported container must decode to 16 kHz mono with the right duration; bad input gives one
German sentence (library, CLI stderr with exit 2/3, GUI message box) and leaves the user's files
as they were. The CLI cases fail in the probe or before a model is loaded, so they stay cheap.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from minutes_app.audio import decode as decode_module
from minutes_app.audio.decode import SAMPLE_RATE, decode_audio, decode_to_file, probe_audio
from minutes_app.base.errors import InvalidAudioError

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}
SUPPORTED = "Unterstützt werden z. B. WAV, FLAC, MP3, M4A, OGG/Opus, MP4 und WebM."
DAMAGED = "beschädigt oder unvollständig"


def tone(seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return amplitude * np.sin(2 * np.pi * 440 * t)


def encode(
    path: Path,
    codec: str,
    rate: int = SAMPLE_RATE,
    seconds: float = 2.0,
    channels: int = 1,
    video: str | None = None,
    signal: np.ndarray | None = None,
) -> Path:
    """Write ``signal`` (default: a 440 Hz tone) with ``codec``; ``video`` adds a small video track."""
    layout = LAYOUTS[channels]
    samples = tone(seconds, rate) if signal is None else signal
    data = np.tile(np.asarray(samples, np.float32), (channels, 1))
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = layout
        if codec == "vorbis":  # FFmpeg's own Vorbis encoder is "experimental"
            stream.codec_context.options = {"strict": "experimental"}
        vstream = None
        if video:
            vstream = container.add_stream(video, rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        for start in range(0, data.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(data[:, start : start + 1024]), format="fltp", layout=layout
            )
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if vstream is not None:
            for i in range(int(seconds * 10)):
                picture = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
                picture.pts = i
                for packet in vstream.encode(picture):
                    container.mux(packet)
            for packet in vstream.encode(None):
                container.mux(packet)
    return path


def video_only(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            picture = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            picture.pts = i
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def refused(path: Path) -> str:
    """The German message for ``path`` (decode_audio opens the file like probe_audio does)."""
    with pytest.raises(InvalidAudioError) as probe_info:
        decode_audio(path)
    message = str(probe_info.value)
    assert "Traceback" not in message and "Error" not in message
    return message


# -- good input: every supported container decodes ----------------------------------------------
@pytest.mark.parametrize(
    ("name", "codec", "options"),
    [
        ("sitzung.wav", "pcm_s16le", {}),
        ("sitzung.flac", "flac", {}),
        ("sitzung.mp3", "mp3", {}),
        ("sitzung.m4a", "aac", {}),
        ("sitzung.ogg", "vorbis", {"channels": 2}),
        ("sitzung.opus", "libopus", {"rate": 48000}),
        ("sitzung.mp4", "aac", {"video": "mpeg4"}),
        ("sitzung.webm", "libopus", {"rate": 48000, "video": "libvpx"}),
    ],
)
def test_supported_formats_decode(tmp_path: Path, name: str, codec: str, options: dict) -> None:
    path = encode(tmp_path / name, codec, seconds=2.0, **options)
    assert abs(probe_audio(path) - 2.0) < 0.05
    audio = decode_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) / SAMPLE_RATE - 2.0) < 0.1  # AAC adds up to one frame of padding
    spectrum = np.abs(np.fft.rfft(audio[SAMPLE_RATE // 2 : SAMPLE_RATE // 2 + SAMPLE_RATE]))
    assert abs(int(np.argmax(spectrum)) - 440) <= 2  # the tone survives, at the right pitch


@pytest.mark.parametrize(
    ("rate", "channels", "name", "codec"),
    [
        (48000, 6, "5_1.wav", "pcm_s16le"),
        (8000, 1, "telefon.wav", "pcm_s16le"),
        (96000, 1, "hd.flac", "flac"),
    ],
)
def test_multichannel_and_odd_rates_become_16k_mono(tmp_path: Path, rate, channels, name, codec) -> None:
    path = encode(tmp_path / name, codec, rate=rate, channels=channels)
    audio = decode_audio(path)
    assert abs(len(audio) - 2 * SAMPLE_RATE) <= 2 * SAMPLE_RATE // 1000
    assert np.abs(audio).max() > 0.1
    # A 5.1 downmix of the same signal on every channel may exceed 1.0 (documented, not clipped).
    assert np.isfinite(audio).all()


def test_heavy_clipping_is_good_input(tmp_path: Path) -> None:
    clipped = np.clip(5 * tone(2.0, SAMPLE_RATE), -1, 1)
    audio = decode_audio(encode(tmp_path / "uebersteuert.wav", "pcm_s16le", signal=clipped))
    assert len(audio) == 2 * SAMPLE_RATE and np.abs(audio).max() > 0.99


def test_very_short_file_is_decoded(tmp_path: Path) -> None:
    audio = decode_audio(encode(tmp_path / "kurz.wav", "pcm_s16le", seconds=0.2))
    assert len(audio) == int(0.2 * SAMPLE_RATE)


def test_long_name_and_umlauts_and_spaces_in_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "Sitzung Ä ß"
    folder.mkdir()
    umlauts = encode(folder / "Rat 2025.wav", "pcm_s16le")
    long_name = encode(
        tmp_path / ("Ratssitzung Öffentlicher Teil " * 8)[:236].strip().__add__(".wav"), "flac"
    )
    assert len(long_name.name) >= 230
    for path in (umlauts, long_name):
        assert abs(probe_audio(path) - 2.0) < 0.01 and len(decode_audio(path)) == 2 * SAMPLE_RATE


# -- bad input ------------------------------------------------------------------------------------
def test_video_without_audio_track(tmp_path: Path) -> None:
    assert refused(video_only(tmp_path / "nur_bild.mp4")) == "„nur_bild.mp4“ enthält keine Tonspur."


def test_zero_length_file(tmp_path: Path) -> None:
    (tmp_path / "leer.mp3").write_bytes(b"")
    assert refused(tmp_path / "leer.mp3") == "Die Datei „leer.mp3“ ist leer (0 Bytes)."


@pytest.mark.parametrize(
    ("ext", "codec", "options"),
    [
        ("wav", "pcm_s16le", {}),
        ("mp3", "mp3", {}),
        ("m4a", "aac", {}),
        ("ogg", "vorbis", {"channels": 2}),
        ("opus", "libopus", {"rate": 48000}),
        ("webm", "libopus", {"rate": 48000, "video": "libvpx"}),
        ("mp4", "aac", {"video": "mpeg4"}),
    ],
)
def test_truncated_files(tmp_path: Path, ext: str, codec: str, options: dict) -> None:
    """Header only: "beschädigt oder unvollständig". Cut in the middle: either that message or
    (WAV, MP3, Opus, WebM, whose frames stand alone) a decode of what is there, never more."""
    data = encode(tmp_path / f"ganz.{ext}", codec, seconds=3.0, **options).read_bytes()
    head = tmp_path / f"kopf.{ext}"
    head.write_bytes(data[: 44 if ext == "wav" else 200])
    assert DAMAGED in refused(head) and "erneut kopieren" in refused(head)
    half = tmp_path / f"halb.{ext}"
    half.write_bytes(data[: len(data) // 2])
    try:
        audio = decode_audio(half)
    except InvalidAudioError as exc:
        assert DAMAGED in str(exc) or "ab Minute" in str(exc)
    else:
        assert 0.5 < len(audio) / SAMPLE_RATE < 2.5


@pytest.mark.parametrize("name", ["zufall.wav", "zufall.mp3"])
def test_random_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(np.random.default_rng(7).integers(0, 256, 40_000, dtype=np.uint8)))
    assert refused(path) == f"„{name}“ ist keine lesbare Audio- oder Videodatei. {SUPPORTED}"


def test_text_file_renamed_to_mp3(tmp_path: Path) -> None:
    path = tmp_path / "protokoll.mp3"
    path.write_text("Niederschrift der Sitzung vom 3. März – Entwurf\n" * 50, encoding="utf-8")
    assert refused(path) == (
        f"„protokoll.mp3“ ist keine lesbare Audio- oder Videodatei, sondern eine Textdatei. {SUPPORTED}"
    )


def test_only_silence_writes_nothing(tmp_path: Path) -> None:
    path = encode(tmp_path / "still.flac", "flac", signal=np.zeros(3 * SAMPLE_RATE))
    assert probe_audio(path) > 2.9  # the probe accepts it; decoding refuses it
    assert "enthält nur Stille" in refused(path)
    with pytest.raises(InvalidAudioError, match="nur Stille"):
        decode_to_file(path, tmp_path / "audio.pcm")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["still.flac"]


def test_name_longer_than_the_file_system_allows(tmp_path: Path) -> None:
    message = refused(tmp_path / ("Ä" * 200 + ".wav"))  # 400 bytes: more than 255
    assert "kann nicht geöffnet werden (der Dateiname oder Pfad ist zu lang)" in message


def test_unreadable_file_says_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = encode(tmp_path / "gesperrt.wav", "pcm_s16le")

    def denied(*args, **kwargs):  # chmod does not stop root, so the open is refused here
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(av, "open", denied)
    assert refused(path) == "Die Datei „gesperrt.wav“ kann nicht gelesen werden (keine Berechtigung)."
    assert decode_module.os_reason(OSError(errno.EACCES, "x")) == "keine Berechtigung"


# -- the same through the CLI: exit 2/3, German stderr, no traceback, nothing overwritten ---------------
def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "minutes_app", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
        cwd=cwd,
    )


def _bad_media(tmp_path: Path, kind: str) -> Path:
    if kind == "leer":
        (tmp_path / "leer.wav").write_bytes(b"")
        return tmp_path / "leer.wav"
    if kind == "text":
        (tmp_path / "notiz.mp3").write_text("Bitte Raum 2 buchen.\n" * 20, encoding="utf-8")
        return tmp_path / "notiz.mp3"
    if kind == "video":
        return video_only(tmp_path / "nur_bild.mp4")
    if kind == "abgeschnitten":
        data = encode(tmp_path / "voll.m4a", "aac", seconds=3.0).read_bytes()
        (tmp_path / "voll.m4a").unlink()
        (tmp_path / "kopie.m4a").write_bytes(data[: len(data) // 2])
        return tmp_path / "kopie.m4a"
    return encode(tmp_path / "still.wav", "pcm_s16le", signal=np.zeros(2 * SAMPLE_RATE))


@pytest.mark.parametrize(
    ("kind", "command", "message"),
    [
        ("leer", "transcribe", "ist leer (0 Bytes)"),
        ("text", "run", "sondern eine Textdatei"),
        ("video", "run", "enthält keine Tonspur"),
        ("abgeschnitten", "run", DAMAGED),
        ("still", "transcribe", "enthält nur Stille"),
    ],
)
def test_cli_bad_recordings_keep_existing_output(
    tmp_path: Path, kind: str, command: str, message: str
) -> None:
    audio = _bad_media(tmp_path, kind)
    out = tmp_path / ("entwurf.docx" if command == "run" else "transkript.json")
    out.write_bytes(b"Version vom Vortag")
    args = (
        ["run", str(audio), "--no-draft", "--project", str(tmp_path / "projekt")]
        if command == "run"
        else [
            "transcribe",
            str(audio),
        ]
    )
    proc = run_cli(*args, "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr and proc.stderr.startswith("Fehler: ")
    assert out.read_bytes() == b"Version vom Vortag"
    assert not (tmp_path / "projekt").exists()  # refused before a project folder is made


def test_cli_umlaut_path_is_read_and_missing_model_is_exit_3(tmp_path: Path) -> None:
    folder = tmp_path / "Sitzung Ä ß"
    folder.mkdir()
    audio = encode(folder / "Rat 2025.wav", "pcm_s16le")
    empty_store = tmp_path / "modelle"
    empty_store.mkdir()
    out = folder / "Rat 2025.json"
    proc = run_cli(
        "transcribe", str(audio), "-o", str(out), cwd=tmp_path, env={"MINUTES_APP_MODELS": str(empty_store)}
    )
    assert proc.returncode == 3, proc.stderr
    assert "Das Modell „whisper-base“ ist nicht installiert" in proc.stderr
    assert "minutes-app models install whisper-base" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


# -- the same through the GUI import (dialog and drag and drop share add_audio_files) -----------------
def test_gui_import_refuses_bad_recordings_and_keeps_good_ones(qtbot, monkeypatch, tmp_path: Path) -> None:
    pytest.importorskip("pytestqt")
    from PySide6.QtWidgets import QMessageBox

    from minutes_app.gui.session_form import SessionForm

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    folder = tmp_path / "Sitzung Ä ß"
    folder.mkdir()
    good = encode(folder / "Rat 2025.wav", "pcm_s16le")
    form = SessionForm(tmp_path / "bibliothek")
    qtbot.addWidget(form)
    form.agenda_edit.setPlainText("TOP 1: Eröffnung")
    assert form.add_audio_files([good])
    bad = [_bad_media(tmp_path, kind) for kind in ("leer", "text", "video", "abgeschnitten")]
    assert not form.add_audio_files(bad)
    assert form.audio_files == [good]  # the good file stays, no bad one is queued
    assert form.agenda_edit.toPlainText() == "TOP 1: Eröffnung"
    assert len(shown) == 1
    text = shown[0]
    assert text.startswith("Diese Dateien wurden nicht übernommen:")
    for expected in (
        "leer.wav: Die Datei „leer.wav“ ist leer",
        "sondern eine Textdatei",
        "keine Tonspur",
        DAMAGED,
    ):
        assert expected in text
    assert "Die bisherigen Eingaben sind unverändert." in text and "Traceback" not in text
