"""Teil B (nichtöffentlicher Teil) of a session: public status fails closed, stale drafts are refused.

- An item is public only when both the draft and the session's agenda say so
  (``effective_minutes``): a TOP the agenda marks nichtöffentlich after drafting never
  reaches a public export, whatever the older draft says.
- A draft made for another agenda than the current one (the agenda changed after
  drafting, e.g. a TOP became nichtöffentlich) is refused for export (``check_export``)
  until it is drafted again (``minutes-app run``) or the user confirms it
  (``api.Session.confirm_draft_for_agenda``, CLI ``export --entwurf-bestaetigen``).
- Public status itself is a typed boolean (``base.types``): only JSON ``true`` is public.
"""

from __future__ import annotations

import copy
import hashlib
import json

from ..base.errors import ProjectError
from ..base.types import Minutes
from .project import Project

AGENDA_CONFIRMED_KEY = "draft_agenda_confirmed"  # digest of the agenda an older draft was confirmed for


def agenda_digest(project: Project) -> str:
    raw = json.dumps(project.data.get("agenda", []), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def nonpublic_numbers(project: Project) -> set[str]:
    """TOP numbers the agenda marks nichtöffentlich."""
    return {a.number for a in project.agenda if not a.public}


def effective_minutes(project: Project, minutes: Minutes) -> Minutes:
    """``minutes`` with every item the agenda marks nichtöffentlich non-public (a copy if changed)."""
    hidden = nonpublic_numbers(project)
    if not any(item.public and item.number in hidden for item in minutes.agenda_items):
        return minutes
    result = copy.deepcopy(minutes)
    for item in result.agenda_items:
        if item.number in hidden:
            item.public = False
    return result


def stale_draft(project: Project) -> str | None:
    """Why the draft does not fit the current agenda (German), or None when it does or is confirmed."""
    stage = project.stage_entry("draft")
    if stage is None or not project.stage_file("draft").exists():
        return None
    if project.data.get(AGENDA_CONFIRMED_KEY) == agenda_digest(project):
        return None
    key = stage.get("key")
    drafted_for = key.get("agenda") if isinstance(key, dict) else None
    if drafted_for is not None and drafted_for != project.data.get("agenda", []):
        return "Die Tagesordnung wurde nach dem Erstellen des Entwurfs geändert"
    hidden = nonpublic_numbers(project)
    minutes = Minutes.from_dict(project.load_result("draft"))
    moved = [item.number for item in minutes.agenda_items if item.public and item.number in hidden]
    if moved:
        return "Laut Tagesordnung nichtöffentlich, im Entwurf aber öffentlich: TOP " + ", ".join(moved)
    return None


def check_export(project: Project) -> None:
    """Refuse an export while the draft is older than the agenda (German ``ProjectError``)."""
    reason = stale_draft(project)
    if reason:
        raise ProjectError(
            f"{reason}. Der Entwurf passt nicht mehr zur Tagesordnung (z. B. öffentlicher und "
            "nichtöffentlicher Teil). Bitte den Entwurf neu erstellen („minutes-app run … --project "
            f"{project.folder}“) oder ihn nach Prüfung bestätigen („minutes-app export … "
            "--entwurf-bestaetigen“)."
        )
