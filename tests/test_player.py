"""The audio player, driven through a fake stream (no sound card needed)."""

from __future__ import annotations

import numpy as np
import pytest

from minutes_app.audio.player import NO_DEVICE_MESSAGE, Player, sounddevice_stream
from minutes_app.base.errors import UserError


class FakeStream:
    """Stands in for sounddevice.OutputStream: records the callback, pulls blocks on demand."""

    def __init__(self, samplerate: float, channels: int, dtype: str, callback, blocksize: int) -> None:
        self.samplerate, self.channels, self.callback, self.blocksize = (
            samplerate,
            channels,
            callback,
            blocksize,
        )
        self.running = False
        self.starts = 0

    def start(self) -> None:
        assert not self.running, "start() on a running stream fails in PortAudio"
        self.running = True
        self.starts += 1

    def stop(self) -> None:
        self.running = False

    def close(self) -> None:
        self.running = False

    def pull(self, frames: int | None = None) -> np.ndarray:
        out = np.full((frames or self.blocksize, 1), 9.0, np.float32)
        self.callback(out, out.shape[0], None, None)
        return out[:, 0]


@pytest.fixture
def ramp() -> np.ndarray:
    return np.arange(16000 * 3, dtype=np.float32) / 100000  # 3 s, value = sample index / 1e5


@pytest.fixture
def player(ramp):
    streams: list[FakeStream] = []

    def factory(**kwargs):
        streams.append(FakeStream(**kwargs))
        return streams[-1]

    p = Player(ramp, stream_factory=factory, blocksize=256)
    p.streams = streams  # type: ignore[attr-defined]
    return p


def test_callback_fills_samples_from_position_and_advances(player, ramp):
    heard = []
    player.add_position_hook(heard.append)
    player.play(1.0)
    stream = player.streams[0]
    assert stream.running and stream.samplerate == 16000 and stream.channels == 1
    block = stream.pull()
    np.testing.assert_array_equal(block, ramp[16000 : 16000 + 256])
    assert player.position == pytest.approx(1.0 + 256 / 16000)
    assert heard == [pytest.approx(player.position)]
    player.pause()
    assert not player.playing and not stream.running
    assert np.all(stream.pull() == 0.0)  # paused: silence, position kept
    assert player.position == pytest.approx(1.0 + 256 / 16000)


def test_seek_jump_toggle_and_end_of_audio(player, ramp):
    player.seek(2.0)
    player.jump(-5.0)
    assert player.position == 0.0
    player.jump(5.0)
    assert player.position == pytest.approx(3.0)  # clamped to the end
    player.toggle()  # at the end: starts again from the beginning
    assert player.playing and player.position == 0.0
    player.seek(3.0 - 100 / 16000)
    block = player.streams[0].pull()
    np.testing.assert_array_equal(block[:100], ramp[-100:])
    assert np.all(block[100:] == 0.0) and not player.playing
    player.toggle()  # play again after the end: the running stream is not restarted
    assert player.playing and player.streams[0].starts == 1


def test_speed_resamples(player, ramp):
    player.speed = 5.0
    assert player.speed == 2.0  # clamped to 0.5 .. 2.0
    player.play(1.0)
    block = player.streams[0].pull()
    np.testing.assert_allclose(block, ramp[16000 : 16000 + 512 : 2], rtol=1e-6)
    assert player.position == pytest.approx(1.0 + 512 / 16000)
    player.speed = 0.5
    start = player.position * 16000
    block = player.streams[0].pull()
    expected = (start + np.arange(256) * 0.5) / 100000
    np.testing.assert_allclose(block, expected, rtol=1e-5)
    assert player.position * 16000 == pytest.approx(start + 128)


def test_play_until_stops_preview(player, ramp):
    player.play(0.5, until_seconds=0.5 + 300 / 16000)
    stream = player.streams[0]
    stream.pull()
    assert player.playing
    block = stream.pull()
    assert np.all(block[44:] == 0.0) and not player.playing
    assert player.position == pytest.approx(0.5 + 300 / 16000)


def test_device_rate_other_than_16k_is_resampled(ramp):
    def factory(**kwargs):
        kwargs["samplerate"] = 32000.0  # the device refused 16 kHz
        return FakeStream(**kwargs)

    player = Player(ramp, stream_factory=factory, blocksize=64)
    player.play(0.0)
    block = player._stream.pull()
    np.testing.assert_allclose(block[::2], ramp[:32], rtol=1e-6)
    assert player.position == pytest.approx(32 / 16000)


def test_no_output_device_gives_german_error(ramp):
    import sounddevice as sd

    try:
        sd.query_devices(kind="output")
        has_device = True
    except (sd.PortAudioError, ValueError):
        has_device = False
    if has_device:
        pytest.skip("this machine has a sound card; the no-device path is not reachable here")
    with pytest.raises(UserError, match="kein Audio-Ausgabegerät"):
        sounddevice_stream(samplerate=16000, channels=1, dtype="float32", callback=lambda *a: None)
    player = Player(ramp)
    with pytest.raises(UserError) as info:
        player.play(0.0)
    assert str(info.value) == NO_DEVICE_MESSAGE and not player.playing
