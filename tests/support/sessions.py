"""A small processed session on disk (transcript, alignment, draft) for editing-level tests."""

from __future__ import annotations

from pathlib import Path

from minutes_app.base.types import (
    Attendee,
    Diarization,
    Minutes,
    MinutesItem,
    Segment,
    SessionInfo,
    Transcript,
    Word,
)
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
    minutes = minutes or Minutes(
        [MinutesItem("2", "Radweg", discussion="KI-Text", resolution="Beschlossen.")]
    )
    project.save_result("draft", {}, minutes.to_dict())
    return with_header(project)


def with_header(project: Project) -> Project:
    """Header data and a roster (Vorsitz, Schriftführung), as release needs them (no „[bitte ergänzen]“)."""
    project.info = SessionInfo(
        committee="Ausschuss für Umwelt",
        session_number="3",
        date="04.03.2025",
        location="Ratssaal",
        start_time="18:00",
        end_time="20:15",
    )
    project.attendees = [
        Attendee("Peter Lindner", "SPD", "Vorsitz"),
        Attendee("Anna Berg", "CDU", "Mitglied"),
        Attendee("Julia Neumann", "", "Schriftführung"),
    ]
    project.save()
    return project
