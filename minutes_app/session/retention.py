"""When a session's recording is due for deletion, and how to say it (German; Qt-free).

Settings (``base/settings.py``): ``retention_on_release`` (delete after the release at all),
``retention_release_days`` (how many days after the release, default 30: the council
approves the minutes at its next session and objections need the audio; 0 deletes at the
release), ``retention_days`` (after so many days since the audio was added, 0: off).
``due`` is the earlier of the two dates; ``privacy.apply_retention`` deletes once it has
passed (at start-up in the GUI, ``minutes-app retention``, and after ``signoff --freigeben``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..base.settings import Settings
from . import signoff
from .project import Project

PRIVACY_KEY = "privacy"  # project.json: {"audio_deleted": {"time", "reason"}, ...}


def _parse(stamp: Any) -> _dt.datetime | None:
    try:
        value = _dt.datetime.fromisoformat(str(stamp))
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=_dt.UTC)


def _aware(now: _dt.datetime | None) -> _dt.datetime:
    if now is None:
        return _dt.datetime.now(_dt.UTC)
    return now if now.tzinfo is not None else now.astimezone()


def german_date(when: _dt.datetime) -> str:
    return when.astimezone().strftime("%d.%m.%Y")


def release_days(settings: Settings) -> int:
    return max(0, int(settings.get("retention_release_days") or 0))


def due(project: Project, settings: Settings) -> tuple[_dt.datetime, str] | None:
    """When the session's audio is due for deletion and why (German), or None (kept)."""
    found: list[tuple[_dt.datetime, str]] = []
    if settings.get("retention_on_release") and signoff.state(project) == signoff.FREIGEGEBEN:
        approved = _parse(signoff.status(project).approved_at)
        if approved is not None:
            days = release_days(settings)
            reason = f"Niederschrift freigegeben am {german_date(approved)}"
            if days:
                reason += f", Aufbewahrung {days} Tage nach der Freigabe abgelaufen"
            found.append((approved + _dt.timedelta(days=days), reason))
    days = int(settings.get("retention_days") or 0)
    if days > 0:
        stamps = (project.data.get("created"), project.data.get("audio", {}).get("added"))
        since = max((t for t in map(_parse, stamps) if t is not None), default=None)
        if since is not None:
            reason = f"Aufbewahrungsfrist von {days} Tagen abgelaufen (seit {since.date().isoformat()})"
            found.append((since + _dt.timedelta(days=days), reason))
    return min(found, key=lambda f: f[0]) if found else None


def reason_now(project: Project, settings: Settings, now: _dt.datetime | None = None) -> str | None:
    """Why the audio is due for deletion now, or None while it is kept."""
    when = due(project, settings)
    return when[1] if when is not None and _aware(now) >= when[0] else None


def due_label(project: Project, settings: Settings) -> str:
    """For the session list: "Audio wird am 06.04.2025 gelöscht" (empty when nothing is due)."""
    when = due(project, settings)
    if when is None or not project.has_audio:
        return ""
    return f"Audio wird am {german_date(when[0])} gelöscht"


def release_plan(settings: Settings, now: _dt.datetime | None = None) -> str:
    """What a release now does to the recording (German, for the confirmation dialog)."""
    if not settings.get("retention_on_release"):
        text = "Die Aufnahme wird bei der Freigabe nicht gelöscht."
    else:
        days = release_days(settings)
        if days == 0:
            text = "Die Aufnahme wird bei der Freigabe sofort gelöscht."
        else:
            date = german_date(_aware(now) + _dt.timedelta(days=days))
            text = (
                f"Die Aufnahme bleibt bis zum {date} ({days} Tage) für Rückfragen und Einwände "
                "erhalten und wird dann gelöscht."
            )
        if settings.get("retention_delete_transcript"):
            text += " Mit der Aufnahme wird auch das Transkript gelöscht."
    return text


def audio_gone(project: Project) -> str | None:
    """Why the editors cannot play (German), or None while the recording is there."""
    mark = (project.data.get(PRIVACY_KEY) or {}).get("audio_deleted")
    if mark:
        when = _parse(mark.get("time"))
        date = f" am {german_date(when)}" if when else ""
        reason = str(mark.get("reason") or "Aufbewahrungsfrist")
        return f"Die Aufnahme wurde{date} gelöscht ({reason}). Abspielen ist nicht mehr möglich."
    if not project.pcm_path.exists():
        return "Die Aufnahme dieser Sitzung ist nicht (mehr) vorhanden; Abspielen ist nicht möglich."
    return None
