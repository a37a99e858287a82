"""Sign-off of the Niederschrift: Entwurf -> geprüft -> freigegeben, then locked.

Stored in ``project.json`` under ``"signoff"``::

    {"state": "entwurf" | "geprueft" | "freigegeben", "version": 1,
     "reviewed_by": "", "reviewed_at": "", "approved_by": "", "approved_at": "",
     "frozen": {"file": "minutes_v1.json", "sha256": "..."} | null,
     "history": [{"version": 1, ..., "file": "minutes_v1.json", "reason": "..."}]}

Rules (see docs/signoff.md):

- "geprüft" (Schriftführung) only when every draft item is human-reviewed, i.e. in
  state ``editing.CONFIRMED``; "freigegeben" (Vorsitz) only from "geprüft".
- An edit of draft or transcript after "geprüft" returns the document to "Entwurf".
- "freigegeben" locks the session: every SessionDoc edit raises ``LockedError`` and
  nothing is written. Release writes a frozen copy ``minutes_v<N>.json`` (never
  overwritten); ``new_version`` starts version N+1 as "Entwurf" and keeps it in history.

Functions taking a ``SessionDoc`` save its pending edits first, so the state always
refers to what is on disk. In the GUI pass the open doc (or ``doc.project``), never a
second ``Project`` loaded from the same folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..base.errors import ProjectError
from ..base.fileio import FROZEN_NAME, atomic_open, child_path
from ..base.types import Minutes
from . import audit, release_check
from .project import Project

if TYPE_CHECKING:
    from .editing import SessionDoc

ENTWURF, GEPRUEFT, FREIGEGEBEN = "entwurf", "geprueft", "freigegeben"
STATES = (ENTWURF, GEPRUEFT, FREIGEGEBEN)
LABELS = {ENTWURF: "Entwurf", GEPRUEFT: "geprüft", FREIGEGEBEN: "freigegeben"}
KEY = "signoff"
DRAFT_SEEN_KEY = "draft_seen"  # "finished" stamp of the draft stage the item states belong to
LOCKED_MESSAGE = (
    "Die Niederschrift ist freigegeben und gesperrt. Für Änderungen bitte eine neue Version anlegen."
)
_ITEM_LABELS = {"ki_entwurf": "KI-Entwurf", "bearbeitet": "bearbeitet"}


class LockedError(ProjectError):
    """An edit of a released (locked) Niederschrift."""


@dataclass(frozen=True)
class SignOff:
    state: str = ENTWURF
    version: int = 1
    reviewed_by: str = ""
    reviewed_at: str = ""
    approved_by: str = ""
    approved_at: str = ""
    frozen: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.state]


def frozen_name(version: int) -> str:
    return f"minutes_v{version}.json"


def status(project: Project) -> SignOff:
    data = project.data.get(KEY) or {}
    state = data.get("state", ENTWURF)
    if state not in STATES:
        raise ProjectError(
            f"Das Projekt „{project.folder}“ hat einen unbekannten Freigabestatus „{state}“. "
            "Bitte minutes-app aktualisieren."
        )
    return SignOff(
        state=state,
        version=int(data.get("version", 1)),
        reviewed_by=str(data.get("reviewed_by") or ""),
        reviewed_at=str(data.get("reviewed_at") or ""),
        approved_by=str(data.get("approved_by") or ""),
        approved_at=str(data.get("approved_at") or ""),
        frozen=data.get("frozen"),
        history=list(data.get("history", [])),
    )


def state(project: Project) -> str:
    return status(project).state


def is_locked(project: Project) -> bool:
    return state(project) == FREIGEGEBEN


def check_unlocked(project: Project) -> None:
    """Raise ``LockedError`` (German) if the Niederschrift is released."""
    if is_locked(project):
        raise LockedError(LOCKED_MESSAGE)


# -- used by SessionDoc: mutate project.data only, return entries to write ----------------------
def reopen_on_edit(project: Project, what: str, user: str | None = None) -> audit.AuditEntry | None:
    """An edit after "geprüft" returns the document to "Entwurf" (in memory)."""
    if state(project) != GEPRUEFT:
        return None
    data = _as_dict(status(project))
    data.update(state=ENTWURF, reviewed_by="", reviewed_at="")
    project.data[KEY] = data
    return audit.entry(
        "status_geaendert",
        "Niederschrift",
        GEPRUEFT,
        ENTWURF,
        note=f"Änderung nach der Prüfung: {what}",
        user=user,
    )


def sync_draft(
    project: Project, minutes: Minutes | None = None, user: str | None = None
) -> list[audit.AuditEntry]:
    """Notice a newly generated draft: all its items are KI-Entwurf again (in memory).

    Returns the audit entries to write ("entwurf_erzeugt", maybe "status_geaendert");
    the caller appends them and saves the project.
    """
    from .editing import AI_DRAFT

    stage = project.data.get("stages", {}).get("draft")
    if not stage or is_locked(project):
        return []
    stamp = str(stage.get("finished", ""))
    seen = project.data.get(DRAFT_SEEN_KEY)
    if seen == stamp:
        return []
    project.data[DRAFT_SEEN_KEY] = stamp
    if seen is None and project.data.get("item_states"):
        return []  # project from before the audit trail: its review states stay
    if minutes is None:
        minutes = Minutes.from_dict(project.load_result("draft"))
    n = len(minutes.agenda_items)
    project.data["item_states"] = [AI_DRAFT] * n
    entries = [
        audit.entry(
            "entwurf_erzeugt",
            "Niederschrift",
            after=f"{n} Tagesordnungspunkte",
            source=audit.AI,
            model=minutes.model,
            prompt_version=minutes.prompt_version,
            note=minutes.engine,
            user=user,
        )
    ]
    reopened = reopen_on_edit(project, "neuer KI-Entwurf", user)
    return entries + ([reopened] if reopened else [])


# -- the sign-off steps --------------------------------------------------------------------------
def open_items(target: Project | SessionDoc) -> list[str]:
    """Draft items not yet human-reviewed (state CONFIRMED), e.g. 'TOP 3 „Radweg“ (KI-Entwurf)'."""
    from .editing import is_reviewed

    project, doc = _split(target)
    if doc is not None:
        minutes, states = doc.minutes, list(doc.item_states)
    else:
        has_draft = "draft" in project.data.get("stages", {})
        minutes = Minutes.from_dict(project.load_result("draft")) if has_draft else None
        states = list(project.data.get("item_states", []))
    if minutes is None:
        raise ProjectError(
            "Für diese Sitzung gibt es noch keinen Protokollentwurf, der geprüft werden könnte."
        )
    states += ["ki_entwurf"] * (len(minutes.agenda_items) - len(states))
    return [
        f"TOP {item.number} „{item.title}“ ({_ITEM_LABELS.get(s, s)})".replace(" „“", "")
        for item, s in zip(minutes.agenda_items, states, strict=False)
        if not is_reviewed(s)
    ]


def mark_reviewed(
    target: Project | SessionDoc, user: str | None = None, signer: str | None = None
) -> SignOff:
    """Schriftführung: "Entwurf" -> "geprüft"; refused while items are not confirmed or
    placeholders, raw speaker ids or open hints remain (``release_check.ReleaseBlocked``).

    ``signer``: the name recorded as "geprüft von" (default: ``user`` when given, else the
    Schriftführung of the header or roster; never the OS login)."""
    project = _prepare(target, user)
    current = status(project)
    if current.state == GEPRUEFT:
        raise ProjectError("Die Niederschrift ist bereits als geprüft markiert.")
    missing = open_items(target)
    if missing:
        raise ProjectError(
            "Die Niederschrift kann erst als geprüft markiert werden, wenn alle Tagesordnungspunkte "
            "von Hand geprüft und bestätigt sind. Noch offen: " + "; ".join(missing) + "."
        )
    _refuse_blocked(target, "review")
    who = _signer(project, "review", signer, user)
    data = _as_dict(current) | {"state": GEPRUEFT, "reviewed_by": who, "reviewed_at": audit.now()}
    note = f"Version {current.version}, geprüft von {who}"
    audit.record(project, "geprueft", "Niederschrift", ENTWURF, GEPRUEFT, note=note, user=user or who)
    _commit(project, data)
    return status(project)


def reopen(target: Project | SessionDoc, user: str | None = None, reason: str = "") -> SignOff:
    """Withdraw "geprüft" without an edit: back to "Entwurf"."""
    project = _prepare(target, user)
    current = status(project)
    if current.state != GEPRUEFT:
        raise ProjectError("Die Niederschrift ist nicht als geprüft markiert.")
    data = _as_dict(current) | {"state": ENTWURF, "reviewed_by": "", "reviewed_at": ""}
    audit.record(project, "status_geaendert", "Niederschrift", GEPRUEFT, ENTWURF, note=reason, user=user)
    _commit(project, data)
    return status(project)


def release(target: Project | SessionDoc, user: str | None = None, signer: str | None = None) -> SignOff:
    """Vorsitz: "geprüft" -> "freigegeben"; writes the frozen copy and locks the session.

    Refused while ``release_check.blockers`` remain (``ReleaseBlocked`` lists them).
    ``signer``: the name recorded as "freigegeben von" (default: ``user`` when given, else
    the Vorsitz of the header or roster; never the OS login)."""
    project = _prepare(target, user)
    current = status(project)
    if current.state != GEPRUEFT:
        raise ProjectError(
            "Die Niederschrift kann erst freigegeben werden, wenn die Schriftführung sie als geprüft "
            f"markiert hat (aktueller Stand: {current.label})."
        )
    missing = open_items(target)
    if missing:  # cannot happen through SessionDoc; guards hand-edited project files
        raise ProjectError("Die Niederschrift enthält ungeprüfte Punkte: " + "; ".join(missing) + ".")
    _refuse_blocked(target, "release")
    who = _signer(project, "release", signer, user)
    data = _as_dict(current) | {"state": FREIGEGEBEN, "approved_by": who, "approved_at": audit.now()}
    name = frozen_name(current.version)
    sha = _write_frozen(project, name, data)
    data["frozen"] = {"file": name, "sha256": sha}
    try:
        note = f"Version {current.version}, freigegeben von {who}, {name}, sha256 {sha}"
        audit.record(
            project, "freigegeben", "Niederschrift", GEPRUEFT, FREIGEGEBEN, note=note, user=user or who
        )
        _commit(project, data)
    except BaseException:
        (project.folder / name).unlink(missing_ok=True)  # ours, just written: the release did not happen
        raise
    return status(project)


def new_version(target: Project | SessionDoc, user: str | None = None, reason: str = "") -> SignOff:
    """Start version N+1 as "Entwurf" after a release (e.g. after a council decision)."""
    project = _split(target)[0]
    current = status(project)
    if current.state != FREIGEGEBEN:
        raise ProjectError(
            "Eine neue Version kann erst angelegt werden, wenn die Niederschrift freigegeben ist."
        )
    if not reason.strip():
        raise ProjectError("Bitte einen Grund für die neue Version angeben (z. B. Ratsbeschluss vom …).")
    frozen = current.frozen if isinstance(current.frozen, dict) else {}
    name = str(frozen.get("file") or frozen_name(current.version))
    sha = str(frozen.get("sha256") or "")
    if not FROZEN_NAME.fullmatch(name):  # a crafted project.json ("../../x", "/etc/x"): never used
        name, sha = frozen_name(current.version), ""
    if not (project.folder / name).exists():  # e.g. released by hand: freeze what is locked now
        sha = _write_frozen(project, name, _as_dict(current))
    who = user or audit.current_user()
    released = {k: v for k, v in _as_dict(current).items() if k not in ("history", "frozen", "state")}
    superseded = {"superseded_at": audit.now(), "superseded_by": who, "reason": reason.strip()}
    history = [*current.history, released | {"file": name, "sha256": sha} | superseded]
    data = {
        "state": ENTWURF,
        "version": current.version + 1,
        "reviewed_by": "",
        "reviewed_at": "",
        "approved_by": "",
        "approved_at": "",
        "frozen": None,
        "history": history,
    }
    before, after = f"Version {current.version} ({FREIGEGEBEN})", f"Version {current.version + 1} ({ENTWURF})"
    note = f"{reason.strip()} (Kopie: {name})"
    audit.record(project, "neue_version", "Niederschrift", before, after, note=note, user=who)
    _commit(project, data)
    return status(project)


# -- helpers ----------------------------------------------------------------------------------------
def _refuse_blocked(target: Project | SessionDoc, step: str) -> None:
    found = release_check.blockers(target)
    if step != "release":
        found = [b for b in found if release_check.blocks_review(b)]
    if found:
        raise release_check.ReleaseBlocked(release_check.message(found, step), found)


def _signer(project: Project, step: str, signer: str | None, user: str | None) -> str:
    who = (signer or "").strip() or (user or "").strip() or release_check.signer_name(project, step)
    if not who:
        role = "des Vorsitzes" if step == "release" else "der Schriftführung"
        raise ProjectError(
            f"Bitte den Namen {role} angeben: in den Kopfdaten der Sitzung, in der Anwesenheitsliste "
            "(Rolle) oder beim Bestätigen (minutes-app signoff … --user NAME)."
        )
    return who


def _split(target: Project | SessionDoc) -> tuple[Project, SessionDoc | None]:
    if isinstance(target, Project):
        return target, None
    return target.project, target


def _prepare(target: Project | SessionDoc, user: str | None) -> Project:
    """Refuse on a locked session; save a doc's edits; notice a new draft of a bare project."""
    project, doc = _split(target)
    check_unlocked(project)
    if doc is not None:
        doc.save()
    else:
        entries = sync_draft(project, user=user)
        if entries:
            audit.append(project, entries)
            project.save()
    return project


def _as_dict(current: SignOff) -> dict[str, Any]:
    return {
        "state": current.state,
        "version": current.version,
        "reviewed_by": current.reviewed_by,
        "reviewed_at": current.reviewed_at,
        "approved_by": current.approved_by,
        "approved_at": current.approved_at,
        "frozen": current.frozen,
        "history": list(current.history),
    }


def _commit(project: Project, data: dict[str, Any]) -> None:
    """Store the new sign-off data; on a failed save the in-memory data is restored."""
    old = project.data.get(KEY)
    project.data[KEY] = data
    try:
        project.save()
    except BaseException:
        if old is None:
            project.data.pop(KEY, None)
        else:
            project.data[KEY] = old
        raise


def _write_frozen(project: Project, name: str, signoff: dict[str, Any]) -> str:
    """Write the released minutes to ``name`` (refused if it exists); returns its sha256."""
    path = child_path(project.folder, name)  # inside the session folder, whatever project.json says
    if path.exists() or path.is_symlink():
        raise ProjectError(
            f"Die freigegebene Fassung „{path}“ liegt bereits vor und wird nicht überschrieben. "
            "Bitte die Datei prüfen."
        )
    content = {
        "format": "minutes-app/freigegebene-niederschrift",
        "version": signoff["version"],
        "signoff": {k: signoff[k] for k in ("reviewed_by", "reviewed_at", "approved_by", "approved_at")},
        "name": project.name,
        "info": project.data.get("info", {}),
        "agenda": project.data.get("agenda", []),
        "attendees": project.data.get("attendees", []),
        "speaker_names": project.data.get("speaker_names", {}),
        "protocol_type": project.data.get("protocol_type", ""),
        "item_states": project.data.get("item_states", []),
        "minutes": project.load_result("draft"),
    }
    raw = (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    with atomic_open(path, "wb") as fh:
        fh.write(raw)
    return hashlib.sha256(raw).hexdigest()
