"""Diarization saves every finished block; an interrupted run loses at most the block it was in.

Real pyannote + CAM++ (test model) on the first 30 s of the example session in 10 s blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minutes_app.audio.decode import decode_audio
from minutes_app.base.errors import Cancelled
from minutes_app.base.jobs import CancelToken
from minutes_app.diarization.blocks import SavedBlocks
from minutes_app.diarization.pipeline import DiarizationOptions, diarize

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
KEY = {"model": "pyannote-campp", "audio": "beispielsitzung.ogg"}


@pytest.fixture(scope="module")
def audio():
    return decode_audio(EXAMPLES / "beispielsitzung.ogg")[: 30 * 16000]


def test_a_cancelled_diarization_resumes_after_its_last_finished_block(audio, model_path, tmp_path):
    model = model_path("pyannote-campp")
    options = DiarizationOptions(block_seconds=10.0, threads=2)
    partial = tmp_path / "diarization.partial.json"
    token = CancelToken()
    first = SavedBlocks(partial, KEY)

    def cancel_after_first_block(fraction: float, message: str = "") -> None:
        if first.blocks:  # block 1 is saved, block 2 is running
            token.cancel()

    with pytest.raises(Cancelled):
        diarize(audio, model, options, progress=cancel_after_first_block, cancel=token, saved=first)
    saved = json.loads(partial.read_text(encoding="utf-8"))
    assert saved["key"] == KEY and [b["start"] for b in saved["blocks"]] == [0]

    fractions: list[float] = []
    again = SavedBlocks(partial, KEY)
    resumed = diarize(audio, model, options, progress=lambda f, m="": fractions.append(f), saved=again)
    assert again.reused == 1  # block 1 was taken, not diarized again
    assert min(f for f in fractions if f > 0) >= 1 / 3 - 1e-6  # no progress inside block 1
    assert len(again.blocks) == 3

    whole = diarize(audio, model, options)  # uninterrupted, nothing saved
    assert resumed.turns == whole.turns

    other = SavedBlocks(partial, {**KEY, "audio": "andere.ogg"})  # another recording: nothing taken
    assert other.blocks == {}
