"""A processed session's saved results: what the editors and every export read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base.errors import ProjectError
from ..base.types import Diarization, Minutes, Segment, Speaker, Transcript
from .project import Project


@dataclass
class SessionResult:
    transcript: Transcript
    diarization: Diarization
    segments: list[Segment]
    speakers: list[Speaker]
    minutes: Minutes | None
    project: Project
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage run now

    def aligned_transcript(self) -> Transcript:
        """The transcript with segments split by speaker (what every export shows), without
        the segments of speakers who objected to the recording."""
        from .privacy import excluded_segments

        t = self.transcript
        kept, _ = excluded_segments(self.project, self.segments)
        return Transcript(t.language, t.duration, kept, t.model)

    def export_bundle(self) -> Any:
        from ..export.common import ExportResult
        from . import signoff
        from .editing import AI_DRAFT
        from .teilb import effective_minutes

        project = self.project
        n = len(self.minutes.agenda_items) if self.minutes else 0
        states = project.item_states
        stage = project.stage_entry("draft") or {}
        if project.data.get(signoff.DRAFT_SEEN_KEY) not in (None, str(stage.get("finished", ""))):
            states = []  # the states belong to an older draft: the new one is unreviewed
        objected = set(project.objected_speakers)
        return ExportResult(
            project.info,
            [s for s in self.speakers if s.id not in objected],
            self.aligned_transcript(),
            effective_minutes(project, self.minutes) if self.minutes else None,  # agenda's Teil B wins
            attendees=project.attendees,
            item_states=(states + [AI_DRAFT] * n)[:n],
            signoff_state=signoff.state(project),
            agenda=project.agenda,
        )


def load_session(project: Project) -> SessionResult:
    """Load the saved results of a processed project (for export and the GUI)."""
    from ..diarization.align import speakers_in_order

    if project.stage_entry("align") is None or not project.stage_file("align").exists():
        raise ProjectError(
            f"Das Projekt „{project.folder}“ ist noch nicht fertig verarbeitet. "
            "Bitte zuerst „minutes-app run“ ausführen."
        )
    transcript = Transcript.from_dict(project.load_result("asr"))
    diarization = Diarization.from_dict(project.load_result("diarization"))
    segments = [Segment.from_dict(s) for s in project.load_result("align")["segments"]]
    minutes = Minutes.from_dict(project.load_result("draft")) if project.stage_entry("draft") else None
    speakers = speakers_in_order(segments, project.speaker_names)
    return SessionResult(transcript, diarization, segments, speakers, minutes, project)
