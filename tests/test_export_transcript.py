"""Transcript exports: TXT, SRT, WebVTT, JSON (round trip) and the dispatcher."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from minutes_app.base.errors import OutputError, ProjectError
from minutes_app.base.types import (
    Evidence,
    Minutes,
    MinutesItem,
    Segment,
    SessionInfo,
    Speaker,
    Transcript,
    Vote,
    Word,
)
from minutes_app.export.common import ExportResult, fmt_clock, fmt_srt_time, fmt_vtt_time
from minutes_app.export.transcript import (
    MAX_CUE_CHARS,
    SCHEMA_VERSION,
    from_json,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
    write_export,
)

SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3}"
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3}"


def _words(text: str, start: float, step: float) -> list[Word]:
    return [
        Word(round(start + i * step, 3), round(start + (i + 1) * step, 3), " " + w, 0.9)
        for i, w in enumerate(text.split())
    ]


def _transcript() -> Transcript:
    long_text = (
        "Die Verwaltung schlägt vor, die Lindenallee zur Fahrradstraße zu machen. Autos dürfen "
        "weiter hineinfahren, aber höchstens mit 30 Kilometern pro Stunde."
    )
    opening = "Ich rufe Tagesordnungspunkt 2 auf."
    return Transcript(
        language="de",
        duration=3725.5,
        model="whisper-base",
        segments=[
            Segment(0, 0.0, 3.25, opening, _words(opening, 0.0, 0.6), "SPEAKER_00"),
            Segment(1, 3.25, 4.1, "Bitte, Herr Krüger.", [], "SPEAKER_00"),
            Segment(2, 4.6, 16.6, long_text, _words(long_text, 4.6, 0.6), "SPEAKER_01"),
            Segment(3, 3600.0, 3605.123, "Fragen & Antworten <später>.", [], "SPEAKER_02"),
            Segment(4, 3724.0, 3725.0, "Danke.", [], None),
        ],
    )


def _speakers() -> list[Speaker]:
    # SPEAKER_01 was renamed by the user; SPEAKER_02 keeps its id.
    return [
        Speaker("SPEAKER_00", "Petra Lindner"),
        Speaker("SPEAKER_01", "Thomas Krüger"),
        Speaker("SPEAKER_02"),
    ]


def _result() -> ExportResult:
    minutes = Minutes(
        agenda_items=[
            MinutesItem(
                number="2",
                title="Fahrradstraße Lindenallee",
                start=0.0,
                end=16.6,
                discussion="Herr Krüger erläutert die Vorlage.",
                motions=["Antrag der GRÜNE"],
                resolution="Beschlossen wie Vorlage.",
                vote=Vote("angenommen", 7, 2, 1),
                evidence=[Evidence(0.0, 3.25, [0, 1])],
                flags=["Zahlen prüfen"],
            )
        ],
        model="qwen2.5-1.5b-instruct",
        prompt_version="minutes-v1",
        engine="ct2",
    )
    info = SessionInfo(
        committee="Ausschuss für Umwelt und Mobilität",
        date="12.03.2025",
        location="Rathaus",
        start_time="17:00",
        end_time="18:02",
    )
    return ExportResult(info=info, speakers=_speakers(), transcript=_transcript(), minutes=minutes)


def test_time_formats() -> None:
    assert fmt_srt_time(3725.5) == "01:02:05,500"
    assert fmt_vtt_time(0.0004) == "00:00:00.000"
    assert fmt_vtt_time(59.9996) == "00:01:00.000"
    assert fmt_clock(3725.9) == "01:02:05"


def test_txt() -> None:
    text = to_txt(_transcript(), _speakers())
    paragraphs = text.strip().split("\n\n")
    # The two consecutive segments of SPEAKER_00 form one paragraph.
    assert paragraphs[0] == "[00:00:00] Petra Lindner: Ich rufe Tagesordnungspunkt 2 auf. Bitte, Herr Krüger."
    assert paragraphs[1].startswith("[00:00:04] Thomas Krüger: Die Verwaltung")
    assert paragraphs[2] == "[01:00:00] SPEAKER_02: Fragen & Antworten <später>."
    assert paragraphs[3] == "[01:02:04] Danke."
    assert "SPEAKER_01" not in text


def _parse_srt(text: str) -> list[tuple[int, str, str, str]]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        match = re.fullmatch(rf"({SRT_TIME}) --> ({SRT_TIME})", lines[1])
        assert match, lines[1]
        assert len(lines) == 3
        cues.append((int(lines[0]), match.group(1), match.group(2), lines[2]))
    return cues


def _seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_srt() -> None:
    cues = _parse_srt(to_srt(_transcript(), _speakers()))
    assert [c[0] for c in cues] == list(range(1, len(cues) + 1))
    first = ("00:00:00,000", "00:00:03,250", "Petra Lindner: Ich rufe Tagesordnungspunkt 2 auf.")
    assert cues[0][1:] == first
    # The long segment was split at word boundaries into several cues, each labelled.
    krueger = [c for c in cues if c[3].startswith("Thomas Krüger: ")]
    assert len(krueger) >= 2
    assert all(len(c[3]) - len("Thomas Krüger: ") <= MAX_CUE_CHARS for c in krueger)
    joined = " ".join(c[3].removeprefix("Thomas Krüger: ") for c in krueger)
    assert joined == " ".join(_transcript().segments[2].text.split())
    assert cues[-2][1:] == ("01:00:00,000", "01:00:05,123", "SPEAKER_02: Fragen & Antworten <später>.")
    assert cues[-1][3] == "Danke."
    starts_ends = [(_seconds(c[1]), _seconds(c[2])) for c in cues]
    assert all(s < e for s, e in starts_ends)
    assert all(starts_ends[i][1] <= starts_ends[i + 1][0] for i in range(len(cues) - 1))


def test_vtt() -> None:
    text = to_vtt(_transcript(), _speakers())
    assert text.startswith("WEBVTT\n\n")
    blocks = text.strip().split("\n\n")[1:]
    assert len(blocks) == len(_parse_srt(to_srt(_transcript(), _speakers())))
    for block in blocks:
        lines = block.split("\n")
        assert re.fullmatch(rf"{VTT_TIME} --> {VTT_TIME}", lines[1]), lines[1]
    assert blocks[0].split("\n")[2] == "<v Petra Lindner>Ich rufe Tagesordnungspunkt 2 auf."
    assert "<v SPEAKER_02>Fragen &amp; Antworten &lt;später&gt;." in text
    assert blocks[-1].split("\n")[2] == "Danke."
    assert "01:00:00.000 --> 01:00:05.123" in text


def test_json_schema_and_round_trip(tmp_path: Path) -> None:
    result = _result()
    data = to_json(result)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["language"] == "de" and data["duration"] == 3725.5
    assert data["session"]["committee"] == "Ausschuss für Umwelt und Mobilität"
    assert data["speakers"][1] == {"id": "SPEAKER_01", "name": "Thomas Krüger", "label": "Thomas Krüger"}
    assert data["speakers"][2] == {"id": "SPEAKER_02", "name": None, "label": "SPEAKER_02"}
    seg = data["segments"][2]
    assert set(seg) >= {"id", "start", "end", "speaker", "text", "words"}
    assert seg["speaker"] == "SPEAKER_01" and seg["speaker_name"] == "Thomas Krüger"
    assert set(seg["words"][0]) == {"start", "end", "word", "probability"}
    item = data["minutes"]["agenda_items"][0]
    assert set(item) >= {
        "number",
        "title",
        "start",
        "end",
        "discussion",
        "motions",
        "resolution",
        "vote",
        "evidence",
        "flags",
    }
    assert item["vote"] == {"outcome": "angenommen", "yes": 7, "no": 2, "abstain": 1, "roll_call": False}
    assert item["evidence"] == [{"start": 0.0, "end": 3.25, "segment_ids": [0, 1]}]
    assert data["minutes"]["model"] == "qwen2.5-1.5b-instruct"
    assert data["minutes"]["prompt_version"] == "minutes-v1"

    out = write_export("json", tmp_path / "ergebnis.json", result)
    loaded = json.loads(out.read_text(encoding="utf-8"))
    assert loaded == data
    assert from_json(loaded) == result


def test_json_without_minutes_or_transcript() -> None:
    data = to_json(ExportResult(info=SessionInfo(), speakers=[]))
    assert data["minutes"] is None and data["segments"] == [] and data["language"] is None
    back = from_json(json.loads(json.dumps(data)))
    assert back.transcript is None and back.minutes is None


def test_from_json_rejects_bad_input() -> None:
    with pytest.raises(ProjectError):
        from_json({"schema_version": SCHEMA_VERSION + 1})
    with pytest.raises(ProjectError):
        from_json({"schema_version": 1, "language": "de", "segments": [{"start": 0}]})


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json", "docx"])
def test_write_export_all_formats(tmp_path: Path, fmt: str) -> None:
    out = write_export(fmt, tmp_path / f"export.{fmt}", _result())
    assert out.exists() and out.stat().st_size > 0
    if fmt != "docx":
        text = out.read_text(encoding="utf-8")
        assert "Thomas Krüger" in text  # renamed speaker carried into every format
    assert [p.name for p in tmp_path.iterdir()] == [f"export.{fmt}"]


def test_write_export_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        write_export("pdf", tmp_path / "x.pdf", _result())
    with pytest.raises(OutputError):
        write_export("srt", tmp_path / "x.srt", ExportResult())
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    for fmt in ("txt", "json"):
        with pytest.raises(OutputError):
            write_export(fmt, blocker / f"x.{fmt}", _result())
    with pytest.raises(OutputError):
        write_export("txt", tmp_path, _result())  # a folder, not a file
    assert [p.name for p in tmp_path.iterdir()] == ["datei"]
