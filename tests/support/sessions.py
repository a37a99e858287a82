"""A small processed session on disk (transcript, alignment, draft) for editing-level tests."""

from __future__ import annotations

from pathlib import Path

from minutes_app.base.types import Diarization, Minutes, MinutesItem, Segment, Transcript, Word
from minutes_app.session.project import Project


def processed_project(folder: Path, minutes: Minutes | None = None) -> Project:
    """``folder/p``: two segments of two speakers and a one-item AI draft (or ``minutes``)."""
    audio = folder / "a.wav"
    audio.write_bytes(b"RIFF")
    project = Project.open_or_create(folder / "p", audio)
    words = [Word(0.0, 0.5, " Guten"), Word(0.5, 1.0, " Abend."), Word(1.2, 1.6, " Danke.")]
    segs = [
        Segment(0, 0.0, 1.6, "Guten Abend. Danke.", words, "SPEAKER_00"),
        Segment(1, 2.0, 3.0, "Ich rufe TOP 2 auf.", [], "SPEAKER_01"),
    ]
    project.save_result("asr", {}, Transcript("de", 3.0, segs).to_dict())
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result(
        "align", {}, {"segments": [s.__dict__ | {"words": [w.__dict__ for w in s.words]} for s in segs]}
    )
    minutes = minutes or Minutes([MinutesItem("2", "Radweg", discussion="KI-Text")])
    project.save_result("draft", {}, minutes.to_dict())
    return project
