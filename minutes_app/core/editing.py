"""Editing a processed session: the operations behind the GUI's editors.

Qt-free and undo-friendly: every operation returns what is needed to undo it
(the GUI wraps them in QUndoCommands). ``SessionDoc.save()`` writes the edited
transcript and draft atomically into the project folder; the GUI calls it a few
seconds after each edit (autosave).

Segment ids stay stable: a split gives the new half a fresh id, a merge keeps
the first id, so evidence links in the draft keep pointing at the right text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .errors import ProjectError
from .pipeline import SessionResult, load_session
from .project import Project
from .types import Minutes, MinutesItem, Segment, Speaker, Word

# Review state of a draft item (shown in the GUI, printed in the DOCX).
AI_DRAFT = "ki_entwurf"
EDITED = "bearbeitet"
CONFIRMED = "bestaetigt"
ITEM_FIELDS = ("discussion", "resolution", "motions", "vote", "title")


@dataclass
class SegmentEdit:
    """Enough to undo one operation on the segment list: the list before it."""

    before: list[Segment]


class SessionDoc:
    """The editable state of one processed session."""

    def __init__(self, project: Project, result: SessionResult) -> None:
        self.project = project
        self.result = result
        self.segments: list[Segment] = [dataclasses.replace(s, words=list(s.words)) for s in result.segments]
        self.minutes: Minutes | None = result.minutes
        self.item_states: list[str] = list(project.data.get("item_states", []))
        if self.minutes is not None:
            n = len(self.minutes.agenda_items)
            self.item_states = (self.item_states + [AI_DRAFT] * n)[:n]
        self.dirty = False

    @classmethod
    def open(cls, folder: Any) -> SessionDoc:
        project = Project.load(folder)
        return cls(project, load_session(project))

    # -- lookups ---------------------------------------------------------------
    def index_of(self, segment_id: int) -> int:
        for i, seg in enumerate(self.segments):
            if seg.id == segment_id:
                return i
        raise ProjectError(f"Segment {segment_id} gibt es nicht (mehr).")

    @property
    def speakers(self) -> list[Speaker]:
        names = self.project.speaker_names
        seen: dict[str, Speaker] = {}
        for seg in self.segments:
            if seg.speaker and seg.speaker not in seen:
                seen[seg.speaker] = Speaker(seg.speaker, names.get(seg.speaker))
        return list(seen.values())

    def speaking_time(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for seg in self.segments:
            if seg.speaker:
                totals[seg.speaker] = totals.get(seg.speaker, 0.0) + max(seg.end - seg.start, 0.0)
        return totals

    def segment_at(self, seconds: float) -> Segment | None:
        for seg in self.segments:
            if seg.start <= seconds < seg.end:
                return seg
        return None

    # -- transcript edits (each returns an undo record) -----------------------
    def _snapshot(self) -> SegmentEdit:
        return SegmentEdit([dataclasses.replace(s, words=list(s.words)) for s in self.segments])

    def restore(self, edit: SegmentEdit) -> None:
        self.segments = edit.before
        self.dirty = True

    def set_text(self, segment_id: int, text: str) -> SegmentEdit:
        undo = self._snapshot()
        _apply_text(self.segments[self.index_of(segment_id)], text)
        self.dirty = True
        return undo

    def split(self, segment_id: int, word_index: int) -> SegmentEdit:
        """Split before word ``word_index`` (needs word timings)."""
        undo = self._snapshot()
        i = self.index_of(segment_id)
        seg = self.segments[i]
        if not 0 < word_index < len(seg.words):
            raise ProjectError("Ein Segment kann nur zwischen zwei Wörtern geteilt werden.")
        first, second = seg.words[:word_index], seg.words[word_index:]
        new_id = max(s.id for s in self.segments) + 1
        self.segments[i : i + 1] = [
            Segment(seg.id, first[0].start, first[-1].end, _join(first), first, seg.speaker),
            Segment(new_id, second[0].start, second[-1].end, _join(second), second, seg.speaker),
        ]
        self.dirty = True
        return undo

    def merge_with_next(self, segment_id: int) -> SegmentEdit:
        undo = self._snapshot()
        i = self.index_of(segment_id)
        if i + 1 >= len(self.segments):
            raise ProjectError("Das letzte Segment hat keinen Nachfolger zum Zusammenführen.")
        a, b = self.segments[i], self.segments[i + 1]
        words: list[Word] = a.words + b.words
        self.segments[i : i + 2] = [
            Segment(a.id, a.start, max(a.end, b.end), f"{a.text} {b.text}".strip(), words, a.speaker)
        ]
        self.dirty = True
        return undo

    def set_speaker(self, segment_id: int, speaker_id: str) -> SegmentEdit:
        undo = self._snapshot()
        self.segments[self.index_of(segment_id)].speaker = speaker_id
        self.dirty = True
        return undo

    def rename_speaker(self, speaker_id: str, name: str) -> str | None:
        """Set a display name everywhere; returns the previous name (for undo)."""
        previous = self.project.speaker_names.get(speaker_id)
        names = self.project.data.setdefault("speaker_names", {})
        if name.strip():
            names[speaker_id] = name.strip()
        else:
            names.pop(speaker_id, None)
        self.dirty = True
        return previous

    def replace_all(self, find: str, replace: str) -> SegmentEdit:
        undo = self._snapshot()
        if find:
            for seg in self.segments:
                if find in seg.text:
                    _apply_text(seg, seg.text.replace(find, replace))
        self.dirty = True
        return undo

    # -- draft edits -------------------------------------------------------------
    def item(self, index: int) -> MinutesItem:
        if self.minutes is None:
            raise ProjectError("Für diese Sitzung gibt es noch keinen Protokollentwurf.")
        return self.minutes.agenda_items[index]

    def set_item_field(self, index: int, name: str, value: Any) -> tuple[Any, str]:
        """Human edit of a draft field; returns (old value, old state) for undo."""
        if name not in ITEM_FIELDS:
            raise ProjectError(f"Das Feld „{name}“ kann nicht bearbeitet werden.")
        item = self.item(index)
        old = getattr(item, name)
        old_state = self.item_states[index]
        setattr(item, name, value)
        self.item_states[index] = EDITED
        self.dirty = True
        return old, old_state

    def set_item_state(self, index: int, state: str) -> str:
        self.item(index)
        old = self.item_states[index]
        self.item_states[index] = state
        self.dirty = True
        return old

    def replace_item(self, index: int, item: MinutesItem) -> tuple[MinutesItem, str]:
        """A regenerated item (LLM) replaces the old one and is AI text again."""
        if self.minutes is None:
            raise ProjectError("Für diese Sitzung gibt es noch keinen Protokollentwurf.")
        old = self.minutes.agenda_items[index]
        old_state = self.item_states[index]
        self.minutes.agenda_items[index] = item
        self.item_states[index] = AI_DRAFT
        self.dirty = True
        return old, old_state

    # -- saving ----------------------------------------------------------------
    def save(self) -> None:
        """Write edits atomically: segments, draft, names and item states."""
        stages = self.project.data["stages"]
        if "align" in stages:
            from .fileio import write_json

            write_json(
                self.project.stage_file("align"), {"segments": [dataclasses.asdict(s) for s in self.segments]}
            )
            if self.minutes is not None and "draft" in stages:
                write_json(self.project.stage_file("draft"), self.minutes.to_dict())
        self.project.data["item_states"] = self.item_states
        self.project.save()
        self.dirty = False

    def as_result(self) -> SessionResult:
        """The edited session, ready for export."""
        return dataclasses.replace(
            self.result, segments=self.segments, speakers=self.speakers, minutes=self.minutes
        )


def _apply_text(seg: Segment, text: str) -> None:
    if text.strip() != seg.text.strip():
        seg.text = text.strip()
        # Word timings no longer match edited text; keep them only if the words agree.
        if [w.word.strip() for w in seg.words] != seg.text.split():
            seg.words = []


def _join(words: list[Word]) -> str:
    return "".join(w.word for w in words).strip()
