"""The llama.cpp engine on the real 0.5B GGUF: streaming, determinism, cancel, prefix reuse, drafting.

llama.cpp is optional (``make llamacpp`` builds llama-cpp-python from its pinned sdist);
where it is not installed these tests are skipped and the CLI refuses ``--engine llamacpp``
with a German message (tested here too, without the package).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from minutes_app.base.errors import Cancelled, ModelMissingError
from minutes_app.base.jobs import CancelToken
from minutes_app.base.types import AgendaItem, Attendee, Segment
from minutes_app.drafting import DraftOptions, draft_minutes
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.drafting.quality import RAW_ID

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
needs_llama = pytest.mark.skipif(not HAVE_LLAMA, reason="llama-cpp-python not built here (make llamacpp)")
MODEL = "qwen2.5-coder-0.5b"
MESSAGES = [
    {"role": "system", "content": "Du antwortest kurz auf Deutsch."},
    {"role": "user", "content": "Nenne drei Farben."},
]


def test_missing_gguf_is_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="GGUF"):
        make_engine("llamacpp", tmp_path)


@pytest.mark.skipif(HAVE_LLAMA, reason="only where llama-cpp-python is not installed")
def test_cli_refuses_the_engine_when_not_built(tmp_path: Path) -> None:
    import subprocess
    import sys

    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "minutes_app",
            "run",
            str(wav),
            "--engine",
            "llamacpp",
            "-o",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "llamacpp" in proc.stderr and "Traceback" not in proc.stderr


@needs_llama
@pytest.mark.slow
def test_streams_deterministic_and_same_prompt_ids_as_ct2(model_path) -> None:
    engine = make_engine("llamacpp", model_path(MODEL), EngineOptions(threads=2))
    assert engine.name == "llamacpp" and engine.model_id == MODEL
    pieces: list[str] = []
    text = engine.generate(MESSAGES, 24, on_token=pieces.append)
    assert text.strip() and "<|im_end|>" not in text
    assert "".join(pieces) == text
    assert engine.generate(MESSAGES, 24) == text  # greedy; the cached prefix changes nothing
    assert engine.generate_many([MESSAGES, MESSAGES], 24) == [text, text]
    # the admin's own GGUF file given directly works the same way
    direct = make_engine("llamacpp", model_path(MODEL) / "model.gguf", EngineOptions(threads=2))
    assert direct.generate(MESSAGES, 24) == text
    assert 5 < engine.count_tokens("Das ist eine deutliche Mehrheit.") < 20


@needs_llama
@pytest.mark.slow
def test_cancel_mid_generation(model_path) -> None:
    engine = make_engine("llamacpp", model_path(MODEL), EngineOptions(threads=2))
    token = CancelToken()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        engine.generate(
            [{"role": "user", "content": "Zähle von 1 bis 100."}], 200, cancel=token, on_token=on_token
        )
    assert len(pieces) == 3
    assert engine.generate(MESSAGES, 8)  # the context is usable after a cancel


@needs_llama
@pytest.mark.slow
def test_draft_through_the_llamacpp_engine(model_path) -> None:
    rows = [
        ("SPEAKER_00", "Ich rufe Tagesordnungspunkt 2 auf: Sanierung der Turnhalle."),
        (
            "SPEAKER_01",
            "Wir halten die Sanierung für dringend. Das Dach ist undicht "
            "und die Heizung fällt im Winter aus. "
            "Wir bitten die Verwaltung, die Kosten bis zur nächsten Sitzung vorzulegen.",
        ),
        ("SPEAKER_00", "Wer ist dafür? Das ist einstimmig. Der Beschluss ist gefasst."),
    ]
    segments = [Segment(i, i * 20.0, i * 20.0 + 18.0, t, speaker=s) for i, (s, t) in enumerate(rows)]
    engine = make_engine("llamacpp", model_path(MODEL), EngineOptions(threads=2))
    minutes = draft_minutes(
        segments,
        {"SPEAKER_00": "Peter Lindner"},
        [AgendaItem("2", "Sanierung der Turnhalle")],
        engine,
        DraftOptions(max_new_tokens=160, context_tokens=2048),
        roster=[Attendee("Peter Lindner", "SPD", "Vorsitz"), Attendee("Markus Brandt", "CDU", "Mitglied")],
    )
    item = next(i for i in minutes.agenda_items if i.number == "2")
    text = " ".join([item.discussion, *item.motions, *item.flags, item.resolution])
    assert item.discussion.strip()
    assert not RAW_ID.search(text)
    assert "Turnhalle" in item.title
