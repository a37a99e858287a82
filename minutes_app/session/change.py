"""What one session operation changed (``Change``) and the helpers ``api.Session`` writes with:
the doc's edits into the project (``write_doc``) and the texts of audit entries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..base.fileio import write_json
from ..base.types import AgendaItem
from . import audit, signoff

if TYPE_CHECKING:
    from .editing import SessionDoc


@dataclass(frozen=True)
class Change:
    """What one operation changed: its audit entries (none: nothing changed) and the state after."""

    operation: str
    entries: tuple[audit.AuditEntry, ...] = ()
    state: str = signoff.ENTWURF
    messages: tuple[str, ...] = ()  # German lines for the user (e.g. files removed)

    @property
    def changed(self) -> bool:
        return bool(self.entries)

    @property
    def reopened(self) -> bool:
        """The change returned a "geprüft" Niederschrift to "Entwurf"."""
        return any(is_reopen(e) for e in self.entries)


def is_reopen(entry: audit.AuditEntry) -> bool:
    return (
        entry.action == "status_geaendert"
        and entry.target == "Niederschrift"
        and entry.before == signoff.GEPRUEFT
        and entry.after == signoff.ENTWURF
        and entry.note.startswith("Änderung nach der Prüfung")
    )


def write_doc(doc: SessionDoc) -> None:
    """Put a doc's edits into its project (re-read by the caller) and write its stage files.

    Called only by ``Session.save_doc``, under the folder lock, after the audit entries;
    the caller saves ``project.json``.
    """
    from .editing import rename_in

    project = doc.project
    names = project.data.setdefault("speaker_names", {})
    for speaker_id, name in doc.renamed.items():
        rename_in(names, speaker_id, name or "")
    stages = project.data["stages"]
    if "align" in stages:
        write_json(project.stage_file("align"), {"segments": [dataclasses.asdict(s) for s in doc.segments]})
        if doc.minutes is not None and "draft" in stages:
            write_json(project.stage_file("draft"), doc.minutes.to_dict())
    project.data["item_states"] = doc.item_states
    if doc.draft_seen is not None:
        project.data[signoff.DRAFT_SEEN_KEY] = doc.draft_seen
    doc.discard()


def clock(seconds: float) -> str:
    """``02:03,4`` (``1:02:03,4`` from an hour on), as the editors show a position."""
    whole = int(max(seconds, 0.0))
    h, rest = divmod(whole, 3600)
    m, sec = divmod(rest, 60)
    return (f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}") + f",{int((seconds - whole) * 10)}"


def agenda_text(items: list[AgendaItem]) -> list[str]:
    return [f"TOP {a.number} {a.title}" + ("" if a.public else " (nichtöffentlich)") for a in items]
