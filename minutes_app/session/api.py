"""The one session API: every change of a session goes through ``Session``.

Modelled on Anki's collection operations: a Qt-free method per change that returns
what changed (``Change``); the GUI wraps it in a few lines, the CLI calls it directly.
Each method, before it changes anything:

1. refuses a released (locked) Niederschrift (``signoff.LockedError``, nothing written,
   no file created), except ``new_version`` and the data-protection deletions;
2. holds the inter-process lock of the session folder (session/lock.py) and re-reads
   ``project.json``, so a change racing another program sees what that one wrote;
3. returns a "geprüft" Niederschrift to "Entwurf" on any content change;
4. appends the audit entries and saves, in that order, under the same lock.

Nothing else writes ``project.json`` or the stage files of a processed session: the
editors (``SessionDoc``) save through ``save_doc``, the pipeline writes only results
of its own stages. ``docs/architecture.md`` lists the methods.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import ProjectError
from ..base.text import clean_line, cleaned
from ..base.types import AgendaItem, Attendee, SessionInfo
from . import audit, consent, signoff
from .change import Change, agenda_text, clock, is_reopen, write_doc
from .lock import folder_lock
from .project import Project

if TYPE_CHECKING:
    from ..base.settings import Settings
    from .editing import SessionDoc


class Session:
    """One session folder; ``user`` is the name in audit entries (None: the OS login name)."""

    def __init__(self, project: Project | str | os.PathLike[str], user: str | None = None) -> None:
        self.project = project if isinstance(project, Project) else Project.load(project)
        self.user = user
        self.doc: SessionDoc | None = None  # the open editor, saved before any other operation
        self.written: list[audit.AuditEntry] = []  # every entry this object's operations wrote

    @property
    def folder(self) -> Path:
        return self.project.folder

    @property
    def state(self) -> str:
        return signoff.state(self.project)

    # -- the transaction ------------------------------------------------------------------------
    def _reload(self) -> None:
        self.project.data = Project.load(self.folder).data

    @contextlib.contextmanager
    def _locked(self, allow_locked: bool = False) -> Iterator[None]:
        """Lock check (no file touched on a released session), folder lock, fresh data."""
        if not allow_locked:
            signoff.check_unlocked(self.project)
        with folder_lock(self.folder):
            self._reload()
            if not allow_locked:
                signoff.check_unlocked(self.project)
            try:
                yield
            except BaseException:
                with contextlib.suppress(ProjectError):
                    self._reload()  # memory = disk again
                raise

    def _change(
        self,
        operation: str,
        apply: Callable[[], list[audit.AuditEntry]],
        what: str,
        content: bool | Callable[[], bool] = True,
    ) -> Change:
        """Run ``apply`` (mutates ``project.data``, returns its entries) as one locked step.

        ``content`` (or its value after ``apply``): the change reopens a "geprüft" review.
        """
        self._flush_doc()
        with self._locked():
            entries = apply()
            if entries and (content() if callable(content) else content):
                reopened = signoff.reopen_on_edit(self.project, what, self.user)
                entries += [reopened] if reopened else []
            if entries:
                audit.append(self.project, entries)
                self.project.save()
                self.written += entries
            return Change(operation, tuple(entries), self.state)

    def _external(
        self, operation: str, run: Callable[[], Any], allow_locked: bool = False
    ) -> tuple[Change, Any]:
        """A step of signoff/privacy that writes its own entries: run it under the lock."""
        self._flush_doc()
        with self._locked(allow_locked):
            before = len(audit.read(self.project))
            value = run()
            entries = tuple(audit.read(self.project)[before:])
            self.written += entries
        messages = tuple(value) if isinstance(value, list) else ()
        return Change(operation, entries, self.state, messages), value

    def _entry(self, action: str, target: str, before: Any, after: Any, **fields: Any) -> audit.AuditEntry:
        return audit.entry(action, target, before, after, user=self.user, **fields)

    def _flush_doc(self) -> None:
        if self.doc is not None and self.doc.dirty and not signoff.is_locked(self.project):
            self.save_doc(self.doc)

    # -- header, agenda, attendees, recording ------------------------------------------------------
    def set_header(
        self, info: SessionInfo | None = None, *, name: str | None = None, protocol_type: str | None = None
    ) -> Change:
        """Kopfdaten (``SessionInfo``), display name and Protokollart; only what differs is written."""
        info = cleaned(info, single_line=True)  # no control characters in the DOCX header

        def apply() -> list[audit.AuditEntry]:
            entries: list[audit.AuditEntry] = []
            project = self.project
            if info is not None and info != project.info:
                old = dataclasses.asdict(project.info)
                new = dataclasses.asdict(info)
                diff = [k for k in new if old.get(k) != new[k]]
                before = [f"{k}: {old.get(k, '')}" for k in diff]
                after = [f"{k}: {new[k]}" for k in diff]
                entries.append(self._entry("kopf_geaendert", "Kopfdaten", before, after))
                project.info = info
            if name is not None and name.strip() != project.data.get("name", ""):
                entries.append(
                    self._entry("kopf_geaendert", "Name", project.data.get("name", ""), name.strip())
                )
                project.name = name
            if protocol_type is not None and protocol_type != project.protocol_type:
                entries.append(
                    self._entry("kopf_geaendert", "Protokollart", project.protocol_type, protocol_type)
                )
                project.protocol_type = protocol_type
            return entries

        return self._change("header", apply, "Kopfdaten")

    def set_agenda(self, items: list[AgendaItem]) -> Change:
        items = cleaned(items)  # no control characters in the DOCX

        def apply() -> list[audit.AuditEntry]:
            old = self.project.agenda
            if old == items:
                return []
            self.project.agenda = items
            return [
                self._entry("tagesordnung_geaendert", "Tagesordnung", agenda_text(old), agenda_text(items))
            ]

        return self._change("agenda", apply, "Tagesordnung")

    def set_attendees(self, people: list[Attendee]) -> Change:
        people = cleaned(people, single_line=True)  # no control characters in the DOCX

        def apply() -> list[audit.AuditEntry]:
            old = self.project.attendees
            if old == people:
                return []
            self.project.attendees = people
            return [
                self._entry(
                    "anwesenheit_geaendert",
                    "Anwesenheitsliste",
                    [a.name for a in old],
                    [a.name for a in people],
                )
            ]

        return self._change("attendees", apply, "Anwesenheitsliste")

    def attach_audio(self, audio: Path, markers: list[dict[str, Any]] | None = None) -> Change:
        """A recording (and its markers) for the session (``Project.sync_audio``).

        Other content: every result is redone (the earlier ones kept as a version), a
        "geprüft" Niederschrift returns to Entwurf. The same content from another place is
        noted without touching the review; the same file again changes nothing.
        ``Change.messages`` holds what the user should be told.
        """
        outcome: list[Any] = []

        def apply() -> list[audit.AuditEntry]:
            project = self.project
            old = str(project.data.get("audio", {}).get("path", "")) or None
            change = project.sync_audio(Path(audio))  # saves; the entry follows under the same lock
            outcome.append(change)
            marked = markers is not None and markers != project.data.get("markers")
            if marked:
                project.data["markers"] = markers
            if change.kind == "gleich" and not marked:
                return []
            new = str(Path(audio).resolve())
            return [self._entry("aufnahme_zugeordnet", "Aufnahme", old, new, note=change.message)]

        def content() -> bool:  # a moved copy of the same recording changes no content
            return not outcome or outcome[0].kind != "verschoben" or markers is not None

        result = self._change("audio", apply, "Aufnahme", content=content)
        message = outcome[0].message if outcome else ""
        return dataclasses.replace(result, messages=(message,) if message else ())

    # -- speakers and item starts ---------------------------------------------------------------------
    def rename_speaker(self, speaker_id: str, name: str, voices: Any = None) -> Change:
        """Display name of a speaker everywhere ("" removes it).

        ``voices`` (a ``profiles.ProfileStore``, given when voice profiles are enabled): the
        name is confirmed, so the profiles follow it (``enrol_voice``).
        """
        from .editing import rename_in

        name = clean_line(name)  # no control characters in the DOCX

        def apply() -> list[audit.AuditEntry]:
            names = self.project.data.setdefault("speaker_names", {})
            change = rename_in(names, speaker_id, name)
            return [self._entry("sprecher_umbenannt", f"Sprecher {speaker_id}", *change)] if change else []

        change = self._change("speaker", apply, f"Sprecher {speaker_id}")
        if voices is None:
            return change
        enrolled = self.enrol_voice(speaker_id, voices)
        return dataclasses.replace(
            change, entries=change.entries + enrolled.entries, messages=change.messages + enrolled.messages
        )

    def enrol_voice(
        self, speaker_id: str, voices: Any, model_dir: Path | None = None, cancel: Any = None
    ) -> Change:
        """The voice profiles follow the name ``speaker_id`` has now (``session/voices.py``): a
        part of this speaker in another person's profile is taken back; the confirmed speech
        updates the named roster person's profile, only with recorded consent. Audited in the
        session's trail and beside the profile store. Nothing changes otherwise."""
        from .voices import sync_speaker

        self._flush_doc()
        signoff.check_unlocked(self.project)
        done = sync_speaker(self.project, speaker_id, voices, model_dir, cancel)
        return self._voice_change({speaker_id: done})

    def sync_voices(
        self, speakers: list[str], voices: Any, model_dir: Path | None = None, cancel: Any = None
    ) -> Change:
        """Segments moved between ``speakers``: the part of each one that ``voices.followed_speakers``
        names is learned again from its speech now, or taken back when it has none left; moving
        speech never confirms a name. Audited like ``enrol_voice``."""
        from .voices import followed_speakers, sync_speaker

        self._flush_doc()
        signoff.check_unlocked(self.project)
        followed = set(speakers) & followed_speakers(self.project, voices)
        done = {s: sync_speaker(self.project, s, voices, model_dir, cancel, True) for s in sorted(followed)}
        return self._voice_change(done)

    def _voice_change(self, done: dict[str, list[Any]]) -> Change:
        """The session's audit entries of profile changes (``voices.VoiceChange`` per speaker)."""
        rows = [(f"Sprecher {speaker}", d) for speaker, changes in done.items() for d in changes]
        if not rows:
            return Change("voice", (), self.state)

        def apply() -> list[audit.AuditEntry]:
            return [self._entry(d.action, target, None, d.person, note=d.message) for target, d in rows]

        change = self._change("voice", apply, rows[0][0], content=False)
        return dataclasses.replace(change, messages=tuple(d.message for _, d in rows))

    # -- consent to voice profiles (session/consent.py; noted in this session's trail, also released) --
    def record_voice_consent(self, voices: Any, gremium: str, person: str, by: str, basis: str) -> Change:
        """``person``'s consent (``ProfileStore.record_consent``) given from this session: also
        ``einwilligung_erfasst`` in its trail; allowed when released (consent is no content)."""
        return self._trail(lambda: consent.record(voices, gremium, person, by, basis))

    def withdraw_voice_consent(self, voices: Any, gremium: str, person: str, reason: str = "") -> Change:
        """Consent withdrawn: the profile is deleted at once, first (also when released, a data-protection
        deletion), then ``einwilligung_widerrufen`` is noted in the trail (nothing without a profile)."""
        return self._trail(consent.delete(voices, gremium, person, reason, withdrawn=True))

    def delete_voice_profile(self, voices: Any, gremium: str, person: str, reason: str = "") -> Change:
        """The profile deleted at once, like ``withdraw_voice_consent``, noted ``stimmprofil_geloescht``."""
        return self._trail(consent.delete(voices, gremium, person, reason))

    def _trail(self, step: consent.ProfileStep | Callable[[], consent.ProfileStep] | None) -> Change:
        """A profile-store step (done, or done here under the lock) noted in the trail; None: nothing."""
        if step is None:
            return Change("consent", (), self.state)
        self._flush_doc()
        with self._locked(allow_locked=True):
            done = step if isinstance(step, consent.ProfileStep) else step()
            entries = [self._entry(done.action, done.target, done.before, done.after, note=done.note)]
            audit.append(self.project, entries)
            self.written += entries
            return Change("consent", tuple(entries), self.state, (done.message,))

    def set_item_start(self, number: str, seconds: float | None) -> Change:
        """Start of a TOP set by hand (None: found automatically again); the next run re-drafts."""

        def apply() -> list[audit.AuditEntry]:
            old = self.project.item_starts.get(number)
            self.project.set_item_start(number, seconds)
            new = self.project.item_starts.get(number)
            if old == new:
                return []
            after = "automatisch" if new is None else clock(new)
            before = None if old is None else clock(old)
            return [self._entry("feld_bearbeitet", f"TOP {number} Beginn", before, after)]

        return self._change("item_start", apply, f"TOP {number} Beginn")

    # -- transcript and draft (the editor's operations, one locked step each) ----------------------
    def edit(self, operation: Callable[[SessionDoc], Any], voices: Any = None) -> Change:
        """Open the processed session, apply ``operation`` to it and save it as one step; with
        ``voices`` (a ``ProfileStore``) the profile parts of speech it moved follow (``sync_voices``)."""
        from .editing import SessionDoc
        from .result import load_session
        from .voices import moved_speakers, speech_layout

        self._flush_doc()
        with self._locked():
            doc = SessionDoc(self.project, load_session(self.project), user=self.user)
            before = speech_layout(doc.segments)
            operation(doc)
            moved = moved_speakers(before, speech_layout(doc.segments))
            change = self.save_doc(doc)
        if voices is None or not moved:
            return change
        synced = self.sync_voices(moved, voices)
        return dataclasses.replace(
            change, entries=change.entries + synced.entries, messages=change.messages + synced.messages
        )

    def set_segment_text(self, segment_id: int, text: str) -> Change:
        return self.edit(lambda d: d.set_text(segment_id, text))

    def split_segment(self, segment_id: int, word_index: int, voices: Any = None) -> Change:
        return self.edit(lambda d: d.split(segment_id, word_index), voices)

    def merge_segments(self, segment_id: int, voices: Any = None) -> Change:
        return self.edit(lambda d: d.merge_with_next(segment_id), voices)

    def set_segment_speaker(self, segment_id: int, speaker_id: str, voices: Any = None) -> Change:
        return self.edit(lambda d: d.set_speaker(segment_id, speaker_id), voices)

    def merge_speaker(self, speaker_id: str, into: str, voices: Any = None) -> Change:
        """Every segment of ``speaker_id`` goes to ``into`` (one speaker was split in two)."""

        def move(doc: SessionDoc) -> None:
            for seg in [s for s in doc.segments if s.speaker == speaker_id]:
                doc.set_speaker(seg.id, into)

        return self.edit(move, voices)

    def set_item_field(self, index: int, name: str, value: Any) -> Change:
        return self.edit(lambda d: d.set_item_field(index, name, value))

    def set_item_state(self, index: int, state: str) -> Change:
        return self.edit(lambda d: d.set_item_state(index, state))

    def save_doc(self, doc: SessionDoc) -> Change:
        """Write an editor's pending edits (audit entries first) under the folder lock.

        Re-reads ``project.json`` first: a session released meanwhile by another program
        refuses the edits (``LockedError``); names, objections and headers set meanwhile
        are kept. The review is reopened against the state on disk, not the one in memory.
        """
        if not doc.dirty or signoff.is_locked(self.project):  # a locked doc refused every edit
            doc.discard()
            return Change("save", (), self.state)
        with folder_lock(self.folder):
            self._reload()
            if signoff.is_locked(self.project):
                doc.discard()
                raise signoff.LockedError(signoff.LOCKED_MESSAGE)
            entries = [e for e in doc.pending_audit if not is_reopen(e)]
            if entries:
                reopened = signoff.reopen_on_edit(self.project, entries[-1].target or "Bearbeitung", doc.user)
                entries += [reopened] if reopened else []
            audit.append(self.project, entries)
            write_doc(doc)  # stage files, names, item states; then project.json
            self.project.save()
            self.written += entries
            return Change("save", tuple(entries), self.state)

    # -- sign-off ---------------------------------------------------------------------------------------
    def mark_reviewed(self, signer: str | None = None) -> Change:
        """Schriftführung: "geprüft" (``signer``: the name recorded, see ``signoff.mark_reviewed``)."""
        run = lambda: signoff.mark_reviewed(self.project, self.user, signer)  # noqa: E731
        return self._external("geprueft", run)[0]

    def reopen(self, reason: str = "") -> Change:
        return self._external("entwurf", lambda: signoff.reopen(self.project, self.user, reason))[0]

    def release(self, signer: str | None = None) -> Change:
        """Vorsitz: "freigegeben", frozen copy written, session locked."""
        run = lambda: signoff.release(self.project, self.user, signer)  # noqa: E731
        return self._external("freigegeben", run)[0]

    def new_version(self, reason: str) -> Change:
        run = lambda: signoff.new_version(self.project, self.user, reason)  # noqa: E731
        return self._external("neue_version", run, allow_locked=True)[0]

    # -- privacy ----------------------------------------------------------------------------------------
    def set_objection(self, speaker_id: str, objects: bool) -> Change:
        from . import privacy

        run = lambda: privacy.set_objection(self.project, speaker_id, objects, user=self.user)  # noqa: E731
        return self._external("widerspruch", run)[0]

    def apply_retention(self, settings: Settings, now: Any = None) -> Change:
        """Retention (data protection): allowed on a released session, it deletes, never edits."""
        from . import privacy

        run = lambda: privacy.apply_retention(self.project, settings, now=now, user=self.user)  # noqa: E731
        return self._external("aufbewahrung", run, allow_locked=True)[0]

    # -- Teil B: a draft older than the agenda ----------------------------------------------------------
    def confirm_draft_for_agenda(self) -> Change:
        """The user checked a draft made before the agenda changed: exports may use it."""
        from .teilb import AGENDA_CONFIRMED_KEY, agenda_digest, stale_draft

        if not stale_draft(self.project):
            return Change("draft_confirmed", (), self.state)  # nothing to confirm (also when released)

        def apply() -> list[audit.AuditEntry]:
            if not stale_draft(self.project):
                return []
            self.project.data[AGENDA_CONFIRMED_KEY] = agenda_digest(self.project)
            note = "Entwurf trotz geänderter Tagesordnung für den Export bestätigt"
            return [self._entry("entwurf_bestaetigt", "Tagesordnung", None, None, note=note)]

        return self._change("draft_confirmed", apply, "Tagesordnung")
