"""Bad-input catalogue, part 3: option values, special files as inputs, non-finite samples.

Option values are checked before any model is looked up: every case runs against an EMPTY model
store, so a check that came after the model lookup would answer exit 3 "nicht installiert"
instead of exit 2 with the allowed values. Special files (FIFO, device, socket, folder) given as
inputs are refused before they are opened (a FIFO used to block forever). A float WAV with NaN or
infinite samples is repaired (a few) or refused (many), never a silent empty transcript.
"""

from __future__ import annotations

import os
import re
import socket
import struct
from pathlib import Path

import numpy as np
import pytest
from test_bad_input_media import encode, run_cli

from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.roster import load_roster
from minutes_app.audio.decode import SAMPLE_RATE, decode_audio, decode_to_file, probe_audio
from minutes_app.base.errors import AgendaError, InvalidAudioError
from minutes_app.cli.main import main

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "audio"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Own config and data folders and an empty model store."""
    for name, sub in (("MINUTES_APP_CONFIG", "config"), ("MINUTES_APP_DATA", "data")):
        monkeypatch.setenv(name, str(tmp_path / sub))
    (tmp_path / "leer_modelle").mkdir()
    monkeypatch.setenv("MINUTES_APP_MODELS", str(tmp_path / "leer_modelle"))
    monkeypatch.setenv("MINUTES_APP_SYSTEM_SETTINGS", str(tmp_path / "system.json"))
    monkeypatch.delenv("MINUTES_APP_THREADS", raising=False)
    return tmp_path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit code and stderr of the CLI run in this process (argparse errors exit via SystemExit)."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    return code, err


def assert_refused(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert "Fehler: " in err and "Interner Fehler" not in err and "Traceback" not in err, err
    for word in words:
        assert word in err, err


# -- option values ---------------------------------------------------------------------------------
ALLOWED_LANGUAGES = "de (Deutsch), en (Englisch)"


@pytest.mark.parametrize(
    ("command", "flags", "words"),
    [
        ("run", ["--language", "xx"], ["--language: „xx“ ist nicht erlaubt", ALLOWED_LANGUAGES]),
        ("transcribe", ["--language", "klingonisch"], ["Möglich sind", "auto (automatisch erkennen)"]),
        ("run", ["--threads", "-3"], ["--threads", "von 0 bis 1024"]),
        ("transcribe", ["--threads", "100000"], ["--threads", "von 0 bis 1024"]),
        ("run", ["--threads", "vier"], ["--threads: „vier“ ist keine Zahl"]),
        ("run", ["--num-speakers", "0"], ["--num-speakers"]),
        ("diarize", ["--max-speakers", "100000"], ["--max-speakers", "von 1 bis 200"]),
        ("run", ["--min-speakers", "5", "--max-speakers", "2"], ["größer als --max-speakers"]),
        ("diarize", ["--num-speakers", "9", "--max-speakers", "3"], ["liegt nicht zwischen"]),
        (
            "run",
            ["--engine", "gpt"],
            ["--engine: „gpt“ ist nicht erlaubt", "ct2, llamacpp, transformers, openai"],
        ),
        ("run", ["--protocol-type", "kurz"], ["--protocol-type", "verlauf, ergebnis, wort"]),
        ("run", ["--asr-model", "../../etc"], ["keine gültige Modell-ID"]),
        ("transcribe", ["--model", "a b"], ["keine gültige Modell-ID"]),
        ("diarize", ["--model", ""], []),  # empty: the setting's model is used (and is missing: 3)
    ],
)
def test_option_values_are_refused_before_any_model(
    isolated: Path, capsys: pytest.CaptureFixture[str], command: str, flags: list[str], words: list[str]
) -> None:
    audio = encode(isolated / "rat.wav", "pcm_s16le")
    out = isolated / "ausgabe.docx"
    target = ["--rttm", str(out)] if command == "diarize" else ["-o", str(out)]
    extra = ["--project", str(isolated / "projekt")] if command == "run" else []
    code, err = cli(capsys, command, str(audio), *target, *extra, *flags)
    if not words:
        assert code == 3 and "nicht installiert" in err, err
        return
    assert_refused(code, err, *words)
    assert not out.exists() and not (isolated / "projekt").exists()


@pytest.mark.parametrize(
    ("settings", "env", "command", "words"),
    [
        ({"threads": -2}, {}, "run", ["Einstellung threads", "von 0 bis 1024"]),
        ({}, {"MINUTES_APP_THREADS": "-8"}, "transcribe", ["Einstellung threads"]),
        ({"asr_batch_size": 100000}, {}, "run", ["asr_batch_size", "von 0 bis 256"]),
        ({"llm_engine": "openai"}, {}, "run", ["llm_server_url", "keine Server-Adresse"]),
        ({"llm_engine": "openai", "llm_server_url": "ftp://x"}, {}, "run", ["muss mit http://"]),
        ({"asr_engine": "server"}, {}, "transcribe", []),  # transcribe always runs locally: model missing
        ({"asr_engine": "server", "asr_server_url": "nirgends"}, {}, "run", ["asr_server_url"]),
        ({"language": "xx"}, {}, "run", ["language", "Möglich sind"]),
        ({"llm_model": "../weg"}, {}, "run", ["Einstellung llm_model", "keine gültige Modell-ID"]),
    ],
)
def test_setting_values_are_refused_before_any_model(
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: dict,
    env: dict,
    command: str,
    words: list[str],
) -> None:
    import json

    (isolated / "config").mkdir()
    (isolated / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    audio = encode(isolated / "rat.wav", "pcm_s16le")
    out = isolated / "ausgabe.docx"
    code, err = cli(capsys, command, str(audio), "-o", str(out), "--project", str(isolated / "p"))
    if command == "transcribe" and "--project" in err:  # transcribe has no --project
        code, err = cli(capsys, command, str(audio), "-o", str(out))
    if not words:
        assert code == 3 and "nicht installiert" in err, err
        return
    assert_refused(code, err, *words)
    assert not out.exists() and not (isolated / "p").exists()


def test_retention_days_setting_is_checked(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated / "config").mkdir()
    (isolated / "config" / "settings.json").write_text('{"retention_days": -5}', encoding="utf-8")
    code, err = cli(capsys, "retention", "--library", str(isolated / "sitzungen"))
    assert_refused(code, err, "retention_days", "von 0 bis 36500")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["export", "p", "--format", "pdf", "-o", "x"], ["--format: „pdf“ ist nicht erlaubt", "docx, txt"]),
        (["export", "p", "--format", "docx", "-o", "x", "--part", "halb"], ["--part", "oeffentlich"]),
        (["transcribe", "a.wav"], ["Es fehlen Angaben: -o/--output"]),
        (["run", "a.wav", "-o", "x.docx", "--gibtsnicht"], ["Unbekannte Angaben: --gibtsnicht"]),
        (["models", "install", "--profile", "riesig"], ["--profile: „riesig“ ist nicht erlaubt"]),
        (["signoff", "p", "--pruefen", "--freigeben"], ["schließen sich aus"]),
    ],
)
def test_argparse_complaints_are_german(
    isolated: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: list[str]
) -> None:
    code, err = cli(capsys, *args)
    assert_refused(code, err, *words)
    assert "invalid choice" not in err and "error:" not in err


def test_header_fields_lose_control_characters(isolated: Path) -> None:
    """--gremium/--datum/--ort reach the DOCX header: cleaned when the command line is checked."""
    from minutes_app.cli.main import build_parser
    from minutes_app.cli.validate import check_args

    audio = encode(isolated / "rat.wav", "pcm_s16le")
    args = build_parser().parse_args(
        ["run", str(audio), "-o", str(isolated / "e.docx"), "--gremium", "Rat\x00 der\x1b Stadt"]
        + ["--ort", "Saal\x0c 1\nOst", "--datum", "1.2.2025\x7f"]
    )
    check_args(args)
    assert (args.gremium, args.ort, args.datum) == ("Rat der Stadt", "Saal 1 Ost", "1.2.2025")
    args = build_parser().parse_args(["signoff", str(isolated / "p"), "--user", "Anna\x07 Berg\n"])
    check_args(args)
    assert args.user == "Anna Berg"  # the signer's name is printed in the Niederschrift


# -- special files as inputs -----------------------------------------------------------------------
def _special(tmp_path: Path, kind: str) -> str:
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.wav")
        return str(tmp_path / "pipe.wav")
    if kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp_path / "sock.wav"))
        return str(tmp_path / "sock.wav")
    if kind == "device":
        return "/dev/zero"
    (tmp_path / "ordner.wav").mkdir()
    return str(tmp_path / "ordner.wav")


WORDS = {
    "fifo": "benannte Pipe (FIFO)",
    "socket": "ein Socket",
    "device": "ein Gerät",
    "folder": "ein Ordner",
}


@pytest.mark.parametrize("kind", list(WORDS))
def test_special_files_as_recording(tmp_path: Path, kind: str) -> None:
    path = _special(tmp_path, kind)
    for read in (probe_audio, decode_audio, lambda p: decode_to_file(p, tmp_path / "a.pcm")):
        with pytest.raises(InvalidAudioError, match=r"Ordner|keine Datei"):
            read(path)
    assert not (tmp_path / "a.pcm").exists()


@pytest.mark.parametrize("kind", ["fifo", "device", "socket"])
def test_special_files_as_agenda_and_roster(tmp_path: Path, kind: str) -> None:
    path = _special(tmp_path, kind)
    with pytest.raises(AgendaError, match=re.escape(WORDS[kind])):
        load_agenda(path)
    with pytest.raises(AgendaError, match=re.escape(WORDS[kind])):
        load_roster(path)


@pytest.mark.parametrize(
    ("flag", "kind"),
    [("audio", "fifo"), ("--agenda", "fifo"), ("--attendees", "device"), ("audio", "socket")],
)
def test_cli_special_input_files_do_not_block(
    isolated: Path, capsys: pytest.CaptureFixture[str], flag: str, kind: str
) -> None:
    path = _special(isolated, kind)
    audio = str(encode(isolated / "rat.wav", "pcm_s16le")) if flag != "audio" else path
    extra = [flag, path] if flag != "audio" else []
    code, err = cli(
        capsys, "run", audio, "-o", str(isolated / "e.docx"), "--project", str(isolated / "p"), *extra
    )
    assert_refused(code, err, WORDS[kind], "keine Datei")
    assert not (isolated / "p").exists()


def test_cli_fifo_template_and_bundle_are_refused(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = _special(isolated, "fifo")
    code, err = cli(
        capsys,
        "export",
        str(isolated),
        "--format",
        "docx",
        "-o",
        str(isolated / "x.docx"),
        "--template",
        fifo,
    )
    assert_refused(code, err, "Die Word-Vorlage", "benannte Pipe")
    code, err = cli(capsys, "models", "install", "--from", fifo)
    assert_refused(code, err, "Das Modellpaket", "benannte Pipe")


def test_fifo_given_as_input_in_a_subprocess_ends_quickly(tmp_path: Path) -> None:
    """The original report: a FIFO as the recording blocked ``transcribe`` forever."""
    fifo = _special(tmp_path, "fifo")
    proc = run_cli("transcribe", fifo, "-o", str(tmp_path / "t.json"), cwd=tmp_path)  # timeout 180 s
    assert proc.returncode == 2 and "benannte Pipe (FIFO)" in proc.stderr, proc.stderr


# -- non-finite samples ----------------------------------------------------------------------------
def write_float_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """A mono IEEE-float WAV, which can hold NaN and infinity (encoders refuse to write them)."""
    data = np.asarray(samples, "<f4").tobytes()
    fmt = struct.pack("<IHHIIHH", 16, 3, 1, rate, rate * 4, 4, 32)
    path.write_bytes(
        b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + fmt + b"data"
        + struct.pack("<I", len(data)) + data
    )  # fmt: skip
    return path


def _tone(seconds: float = 2.0, rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.5 * np.sin(2 * np.pi * 440 * t)


@pytest.mark.parametrize("rate", [16000, 44100])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_few_non_finite_samples_are_set_to_zero(tmp_path: Path, rate: int, bad: float) -> None:
    samples = _tone(rate=rate)
    samples[1000:1010] = bad
    samples[rate] = bad
    audio = decode_audio(write_float_wav(tmp_path / "kaputt.wav", samples, rate))
    assert np.isfinite(audio).all() and audio.size == 2 * SAMPLE_RATE
    assert 0.4 < float(np.abs(audio).max()) <= 0.6  # the tone is still there


@pytest.mark.parametrize(
    ("fill", "words"),
    [("all_nan", "100 % der Abtastwerte sind ungültig"), ("half_inf", "50 % der Abtastwerte"),
     ("nan_and_zero", "ungültig")],
)  # fmt: skip
def test_mostly_non_finite_recordings_are_refused(tmp_path: Path, fill: str, words: str) -> None:
    samples = _tone()
    if fill == "all_nan":
        samples[:] = np.nan
    elif fill == "half_inf":
        samples[::2] = np.inf
    else:
        samples[:] = 0.0
        samples[: samples.size // 10] = np.nan
    path = write_float_wav(tmp_path / "kaputt.wav", samples)
    with pytest.raises(InvalidAudioError, match=words):
        decode_to_file(path, tmp_path / "a.pcm")
    assert not (tmp_path / "a.pcm").exists()


def test_cli_nan_recording_is_refused_or_transcribed(tmp_path: Path) -> None:
    """All NaN: exit 2, nothing written. A few NaN in real speech: repaired, said, transcribed."""
    out = tmp_path / "t.json"
    proc = run_cli(
        "transcribe",
        str(write_float_wav(tmp_path / "nan.wav", np.full(32000, np.nan))),
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "ungültig (NaN oder unendlich)" in proc.stderr, proc.stderr
    assert not out.exists()
    speech = decode_audio(FIXTURES / "thorsten_1.wav").astype(np.float64)
    speech[8000:8040] = np.nan
    speech[30000] = np.inf
    proc = run_cli(
        "transcribe", str(write_float_wav(tmp_path / "rede.wav", speech)), "-o", str(out), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "ungültige Abtastwerte (NaN oder unendlich) auf 0 gesetzt" in proc.stderr
    import json

    text = " ".join(s["text"] for s in json.loads(out.read_text(encoding="utf-8"))["segments"])
    assert "Sitzung" in text and "Stunde" in text, text


# -- JSON readers ----------------------------------------------------------------------------------
def test_every_json_reader_goes_through_jsonio() -> None:
    """No module parses JSON from a file or a reply by itself (only jsonio has the bounds)."""
    import re as regex

    package = Path(__file__).resolve().parents[1] / "minutes_app"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "jsonio.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(r"\bjson\.loads?\((?!json\.dumps\()", line):
                offenders.append(f"{path.relative_to(package)}:{number}")
    assert offenders == []


@pytest.mark.parametrize(
    ("stage", "content", "words"),
    [
        ("asr", {"language": "de", "duration": 5.0, "segments": "alle"}, "„segments“ ist keine Liste"),
        ("asr", {"language": "de", "duration": "lang"}, "„duration“ ist keine Zahl"),
        ("align", {"segments": [{"id": "eins", "start": 0, "end": 1, "text": "x"}]}, "„segments[0].id“"),
        (
            "diarization",
            {"turns": [{"start": 0, "end": 1, "speaker": 7}]},
            "„turns[0].speaker“ ist kein Text",
        ),
        ("draft", {"agenda_items": [{"number": [], "title": "x"}]}, "„agenda_items[0].number“"),
        (
            "draft",
            {"agenda_items": [{"number": "1", "vote": {"yes": "viele"}}]},
            "„agenda_items[0].vote.yes“",
        ),
        ("draft", [1, 2], "der Inhalt ist kein Objekt"),
        ("asr", "[" * 5000 + "]" * 5000, "zu tief verschachtelt"),
    ],
)
def test_wrong_typed_stage_files_are_damaged_not_internal(
    isolated: Path, capsys: pytest.CaptureFixture[str], stage: str, content: object, words: str
) -> None:
    import json

    from support.sessions import processed_project

    project = processed_project(isolated)
    raw = content if isinstance(content, str) else json.dumps(content)
    project.stage_file(stage).write_text(raw, encoding="utf-8")
    before = project.stage_file(stage).read_bytes()
    out = isolated / "t.txt"
    code, err = cli(capsys, "export", str(project.folder), "--format", "txt", "-o", str(out))
    assert_refused(code, err, f"„{stage}.json“ ist beschädigt", words, "--force")
    assert project.stage_file(stage).read_bytes() == before and not out.exists()
