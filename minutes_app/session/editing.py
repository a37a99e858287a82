"""Editing a processed session: the operations behind the GUI's editors.

Qt-free and undo-friendly: every operation returns what is needed to undo it
(the GUI wraps them in QUndoCommands). ``SessionDoc.save()`` writes the edited
transcript and draft atomically into the project folder; the GUI calls it a few
seconds after each edit (autosave).

Segment ids stay stable: a split gives the new half a fresh id, a merge keeps
the first id, so evidence links in the draft keep pointing at the right text.

Sign-off and audit (docs/signoff.md): every edit first checks the lock (a released
Niederschrift raises ``signoff.LockedError`` and changes nothing), returns a
"geprüft" document to "Entwurf", and notes an audit entry. Entries wait in
``pending_audit`` (typing in one field or segment becomes one entry); ``save()``
goes through the session API (``api.Session.save_doc``): under the folder lock it
re-reads the project, refuses if another program released it meanwhile, appends the
entries to ``audit.jsonl`` and then writes the edits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..base.errors import ProjectError
from ..base.types import Minutes, MinutesItem, Segment, Speaker, Word
from . import audit, signoff
from .project import Project
from .result import SessionResult, load_session

if TYPE_CHECKING:
    from .api import Session

# Review state of a draft item (shown in the GUI, printed in the DOCX).
AI_DRAFT = "ki_entwurf"
EDITED = "bearbeitet"
CONFIRMED = "bestaetigt"
ITEM_STATES = (AI_DRAFT, EDITED, CONFIRMED)
ITEM_FIELDS = ("discussion", "resolution", "motions", "vote", "title")
# Repeated edits of one target in a row (typing) become one audit entry.
_MERGED_ACTIONS = ("text_bearbeitet", "feld_bearbeitet")


def is_reviewed(state: str) -> bool:
    """The KI-Entwurf rule: an item counts as human-reviewed only when CONFIRMED.

    AI text (AI_DRAFT) and edited text (EDITED) both still need a confirming look;
    only then may the Niederschrift be marked "geprüft" (session/signoff.py).
    """
    return state == CONFIRMED


@dataclass
class SegmentEdit:
    """Enough to undo one operation on the segment list: the list before it."""

    before: list[Segment]


class SessionDoc:
    """The editable state of one processed session."""

    def __init__(self, project: Project, result: SessionResult, user: str | None = None) -> None:
        self.project = project
        self.result = result
        self.user = user  # name in audit entries (None: the OS login name)
        self.renamed: dict[str, str | None] = {}  # speaker names set here, not yet saved
        self.segments: list[Segment] = [dataclasses.replace(s, words=list(s.words)) for s in result.segments]
        self.minutes: Minutes | None = result.minutes
        # A newly generated draft starts as KI-Entwurf throughout ("entwurf_erzeugt").
        self.pending_audit: list[audit.AuditEntry] = signoff.sync_draft(project, self.minutes)
        self._merge: tuple[str, str, Any] | None = None  # (action, target, first before) of the last entry
        self.draft_seen = project.data.get(signoff.DRAFT_SEEN_KEY)
        self.item_states: list[str] = list(project.data.get("item_states", []))
        if self.minutes is not None:
            n = len(self.minutes.agenda_items)
            self.item_states = (self.item_states + [AI_DRAFT] * n)[:n]
        self.dirty = bool(self.pending_audit)

    @classmethod
    def open(cls, folder: Any) -> SessionDoc:
        project = Project.load(folder)
        return cls(project, load_session(project))

    @property
    def session(self) -> Session:
        """The session API for this doc's folder; its operations save this doc's edits first."""
        from .api import Session

        session = Session(self.project, self.user)
        session.doc = self
        return session

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

    # -- sign-off and audit -----------------------------------------------------
    @property
    def locked(self) -> bool:
        return signoff.is_locked(self.project)

    def _guard(self) -> None:
        """Before any change: a released Niederschrift is locked."""
        signoff.check_unlocked(self.project)

    def _note(self, action: str, target: str, before: Any, after: Any, **fields: Any) -> None:
        """Note an audit entry for a change and return a "geprüft" document to "Entwurf"."""
        key = (action, target)
        if action in _MERGED_ACTIONS and self._merge and self._merge[:2] == key and self.pending_audit:
            self.pending_audit[-1] = audit.entry(
                action, target, self._merge[2], after, user=self.user, **fields
            )
        else:
            self.pending_audit.append(audit.entry(action, target, before, after, user=self.user, **fields))
            self._merge = (action, target, before)
        reopened = signoff.reopen_on_edit(self.project, f"{target}", self.user)
        if reopened is not None:
            self.pending_audit.append(reopened)
            self._merge = None
        self.dirty = True

    def _item_target(self, index: int, name: str = "") -> str:
        number = self.item(index).number
        return (f"TOP {number}" if number else f"Punkt {index + 1}") + (f" {name}" if name else "")

    # -- transcript edits (each returns an undo record) -----------------------
    def _snapshot(self) -> SegmentEdit:
        return SegmentEdit([dataclasses.replace(s, words=list(s.words)) for s in self.segments])

    def restore(self, edit: SegmentEdit) -> None:
        self._guard()
        before, after = _segment_diff(self.segments, edit.before)
        self.segments = edit.before
        self.dirty = True
        if before or after:
            self._note("rueckgaengig", "Transkript", before, after)

    def set_text(self, segment_id: int, text: str) -> SegmentEdit:
        self._guard()
        undo = self._snapshot()
        seg = self.segments[self.index_of(segment_id)]
        old = seg.text
        _apply_text(seg, text)
        self.dirty = True
        if seg.text != old:
            self._note("text_bearbeitet", f"Segment {segment_id}", old, seg.text)
        return undo

    def split(self, segment_id: int, word_index: int) -> SegmentEdit:
        """Split before word ``word_index`` (needs word timings)."""
        self._guard()
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
        parts = self.segments[i : i + 2]
        self._note("segment_geteilt", f"Segment {seg.id}", seg.text, [f"{s.id}: {s.text}" for s in parts])
        return undo

    def merge_with_next(self, segment_id: int) -> SegmentEdit:
        self._guard()
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
        self._note(
            "segmente_zusammengefuehrt",
            f"Segment {a.id} + {b.id}",
            [f"{a.id}: {a.text}", f"{b.id}: {b.text}"],
            self.segments[i].text,
        )
        return undo

    def set_speaker(self, segment_id: int, speaker_id: str) -> SegmentEdit:
        self._guard()
        undo = self._snapshot()
        seg = self.segments[self.index_of(segment_id)]
        old = seg.speaker
        seg.speaker = speaker_id
        self.dirty = True
        if old != speaker_id:
            self._note("sprecher_zugewiesen", f"Segment {segment_id}", old, speaker_id)
        return undo

    def rename_speaker(self, speaker_id: str, name: str) -> str | None:
        """Set a display name everywhere; returns the previous name (for undo)."""
        self._guard()
        previous = self.project.speaker_names.get(speaker_id)
        change = rename_in(self.project.data.setdefault("speaker_names", {}), speaker_id, name)
        self.dirty = True
        if change:
            self.renamed[speaker_id] = change[1]
            self._note("sprecher_umbenannt", f"Sprecher {speaker_id}", *change)
        return previous

    def replace_all(self, find: str, replace: str) -> SegmentEdit:
        self._guard()
        undo = self._snapshot()
        changed = 0
        if find:
            for seg in self.segments:
                if find in seg.text:
                    _apply_text(seg, seg.text.replace(find, replace))
                    changed += 1
        self.dirty = True
        if changed:
            self._note("text_ersetzt", f"Transkript ({changed} Segmente)", find, replace)
        return undo

    # -- draft edits -------------------------------------------------------------
    def item(self, index: int) -> MinutesItem:
        if self.minutes is None:
            raise ProjectError("Für diese Sitzung gibt es noch keinen Protokollentwurf.")
        return self.minutes.agenda_items[index]

    def set_item_field(self, index: int, name: str, value: Any) -> tuple[Any, str]:
        """Human edit of a draft field; returns (old value, old state) for undo."""
        self._guard()
        if name not in ITEM_FIELDS:
            raise ProjectError(f"Das Feld „{name}“ kann nicht bearbeitet werden.")
        item = self.item(index)
        old = getattr(item, name)
        old_state = self.item_states[index]
        setattr(item, name, value)
        self.item_states[index] = EDITED
        self.dirty = True
        if old != value or old_state != EDITED:
            self._note("feld_bearbeitet", self._item_target(index, name), old, value)
        return old, old_state

    def set_item_state(self, index: int, state: str) -> str:
        self._guard()
        if state not in ITEM_STATES:
            raise ProjectError(f"Den Prüfstatus „{state}“ gibt es nicht.")
        self.item(index)
        old = self.item_states[index]
        self.item_states[index] = state
        self.dirty = True
        if old != state:
            self._note("status_geaendert", self._item_target(index), old, state)
        return old

    def set_hints(self, index: int, flags: list[str]) -> list[str]:
        """The item's open „Hinweise zur Prüfung“ (one removed: dealt with); returns the old ones.

        Release is blocked while hints remain (``release_check``); the item's state stays."""
        self._guard()
        item = self.item(index)
        old = list(item.flags)
        item.flags = list(flags)
        self.dirty = True
        if old != item.flags:
            target = self._item_target(index, "Hinweise")
            self._note("hinweis_erledigt", target, "\n".join(old), "\n".join(flags))
        return old

    def replace_item(
        self,
        index: int,
        item: MinutesItem,
        *,
        source: str = audit.AI,
        model: str | None = None,
        prompt_version: str | None = None,
    ) -> tuple[MinutesItem, str]:
        """A regenerated item (LLM) replaces the old one and is AI text again.

        ``source="mensch"`` for putting a previous item back (undo); ``model`` and
        ``prompt_version`` default to the draft's.
        """
        self._guard()
        if self.minutes is None:
            raise ProjectError("Für diese Sitzung gibt es noch keinen Protokollentwurf.")
        old = self.minutes.agenda_items[index]
        old_state = self.item_states[index]
        self.minutes.agenda_items[index] = item
        self.item_states[index] = AI_DRAFT
        self.dirty = True
        ai = source == audit.AI
        self._note(
            "punkt_neu_erzeugt" if ai else "rueckgaengig",
            self._item_target(index),
            _item_text(old),
            _item_text(item),
            source=source,
            model=(self.minutes.model if model is None else model) if ai else "",
            prompt_version=(self.minutes.prompt_version if prompt_version is None else prompt_version)
            if ai
            else "",
        )
        return old, old_state

    # -- saving ----------------------------------------------------------------
    def save(self) -> None:
        """Write the edits through the session API (folder lock, audit entries first).

        A released (locked) session is never written.
        """
        self.session.save_doc(self)

    def discard(self) -> None:
        """Forget pending edits (the session was released: they can no longer be saved)."""
        self.pending_audit, self.renamed, self._merge, self.dirty = [], {}, None, False

    def as_result(self) -> SessionResult:
        """The edited session, ready for export."""
        return dataclasses.replace(
            self.result, segments=self.segments, speakers=self.speakers, minutes=self.minutes
        )


def rename_in(names: dict[str, str], speaker_id: str, name: str) -> tuple[str | None, str | None] | None:
    """The one speaker rename: set (or with "" remove) a display name in ``names``.

    Returns (before, after), or None when nothing changed.
    """
    previous = names.get(speaker_id)
    if name.strip():
        names[speaker_id] = name.strip()
    else:
        names.pop(speaker_id, None)
    return None if names.get(speaker_id) == previous else (previous, names.get(speaker_id))


def _apply_text(seg: Segment, text: str) -> None:
    if text.strip() != seg.text.strip():
        seg.text = text.strip()
        # Word timings no longer match edited text; keep them only if the words agree.
        if [w.word.strip() for w in seg.words] != seg.text.split():
            seg.words = []


def _join(words: list[Word]) -> str:
    return "".join(w.word for w in words).strip()


def _segment_diff(old: list[Segment], new: list[Segment]) -> tuple[list[str], list[str]]:
    """The segments that differ between two lists, as 'id: text' lines (before, after)."""
    a, b = {s.id: s for s in old}, {s.id: s for s in new}

    def line(s: Segment) -> str:
        return f"{s.id} [{s.speaker or '?'}]: {s.text}"

    before: list[str] = []
    after: list[str] = []
    for sid in sorted(a.keys() | b.keys()):
        sa, sb = a.get(sid), b.get(sid)
        if (
            sa is None
            or sb is None
            or (sa.text, sa.speaker, sa.start, sa.end)
            != (
                sb.text,
                sb.speaker,
                sb.start,
                sb.end,
            )
        ):
            before += [line(sa)] if sa else []
            after += [line(sb)] if sb else []
    return before, after


def _item_text(item: MinutesItem) -> str:
    """A draft item as readable text for the audit trail."""
    parts = [
        item.title,
        item.discussion,
        "\n".join(item.motions),
        f"Beschluss: {item.resolution}" if item.resolution else "",
        f"Abstimmung: {item.vote.outcome}" if item.vote.outcome else "",
    ]
    return "\n".join(p for p in parts if p)
