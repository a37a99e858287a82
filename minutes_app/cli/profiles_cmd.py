"""``minutes-app profiles``: voice profiles (Stimmprofile) with consent (docs/speakers.md).

``list`` / ``show`` / ``delete`` / ``withdraw`` / ``export`` (Art. 15 copy as JSON) work also
when the feature is switched off, so stored data can always be seen and removed; ``consent``
(records a person's consent, the profile exists from then on) needs the setting
``voice_profiles``. ``withdraw`` (or ``delete``) is the withdrawal of consent: the profile is
gone at once. ``roster --project DIR`` shows the consent of each person on a session's roster;
with ``--project`` the Gremium is the session's and the person must be on its roster, and
``consent`` / ``withdraw`` / ``delete`` go through the session API, so the session's audit trail
notes them (``einwilligung_erfasst`` / ``einwilligung_widerrufen`` / ``stimmprofil_geloescht``)
besides the store's log.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..base.errors import UserError
from ..base.fileio import check_output, write_json
from ..base.settings import Settings
from ..session import consent
from ..session.api import Session
from ..session.profiles import FOLDER, ProfileStore, VoiceProfile
from .paths import write_keeping

DISABLED = (
    "Stimmprofile sind ausgeschaltet. Die IT kann sie mit der Einstellung „voice_profiles“ "
    "einschalten (docs/speakers.md)."
)


def _store(args: argparse.Namespace) -> tuple[ProfileStore, bool]:
    settings = Settings.load()
    folder = str(settings.get("voice_profiles_dir") or "").strip()
    store = ProfileStore(Path(folder) / FOLDER if folder else None, getattr(args, "user", None) or None)
    return store, bool(settings.get("voice_profiles"))


def _one(store: ProfileStore, args: argparse.Namespace) -> VoiceProfile:
    profile = store.get(args.gremium, args.person)
    if profile is None:
        raise UserError(f"Für „{args.person}“ ({args.gremium}) ist kein Stimmprofil gespeichert.")
    return profile


def _state(profile: VoiceProfile) -> str:
    return f"{profile.count} Abschnitte" if profile.enrolled else "Einwilligung, noch nicht angelernt"


def _from_project(args: argparse.Namespace, store: ProfileStore) -> None:
    """``--project``: the session's Gremium; the person must be on its roster (``roster`` lists it)."""
    from ..session.project import Project
    from ..session.voices import roster_consent

    project = Project.load(args.project)
    if not project.info.committee.strip():
        raise UserError("Im Kopf dieser Sitzung ist kein Gremium eingetragen.")
    args.gremium = args.gremium or project.info.committee.strip()
    rows = roster_consent(project, store)
    if args.action == "roster":
        if not rows:
            print("Für diese Sitzung ist keine Anwesenheitsliste gesetzt.")
        for row in rows:
            print(f"{row.person}\t{row.text}")
    elif args.person and args.person not in {r.person for r in rows}:
        raise UserError(f"„{args.person}“ steht nicht in der Anwesenheitsliste dieser Sitzung.")


def cmd_profiles(args: argparse.Namespace) -> int:
    store, enabled = _store(args)
    if args.project:
        if args.action == "roster" and not enabled:
            print(DISABLED)
        _from_project(args, store)
    elif args.action == "roster":
        raise UserError("Bitte mit --project die Sitzung angeben, deren Anwesenheitsliste gezeigt wird.")
    if args.action == "roster":
        return 0
    if args.action == "list":
        profiles = store.profiles(args.gremium or None)
        if not enabled:
            print(DISABLED)
        for p in profiles:
            print(f"{p.gremium}\t{p.person}\t{_state(p)}\t{p.updated}")
        if not profiles:
            print("Keine Stimmprofile gespeichert.")
        return 0
    if not args.gremium or not args.person:
        raise UserError("Bitte --gremium und --person angeben.")
    if args.action == "consent":
        if not enabled:
            raise UserError(DISABLED)
        if not args.recorded_by or not args.basis:
            raise UserError("Bitte --erfasst-von und --grundlage der Einwilligung angeben.")
        if args.project:  # through the session API: the session's trail notes it too
            Session(args.project, store.user).record_voice_consent(
                store, args.gremium, args.person, args.recorded_by, args.basis
            )
        else:
            store.record_consent(args.gremium, args.person, args.recorded_by, args.basis)
        print(f"Einwilligung von {args.person} ({args.gremium}) erfasst.")
    elif args.action == "show":
        profile = _one(store, args)
        info: dict[str, Any] = {k: v for k, v in profile.to_dict().items() if k not in ("vector", "parts")}
        info["teile"] = [{k: v for k, v in x.items() if k != "vector"} for x in profile.parts]
        info["stand"] = _state(profile)
        print(json.dumps(info, ensure_ascii=False, indent=2))
    elif args.action in ("delete", "withdraw"):
        _one(store, args)
        withdrawn = args.action == "withdraw"
        if args.project:  # through the session API: deleted at once, then noted in the trail
            session = Session(args.project, store.user)
            if withdrawn:
                session.withdraw_voice_consent(store, args.gremium, args.person, args.reason)
            else:
                session.delete_voice_profile(store, args.gremium, args.person, args.reason)
        else:
            consent.delete(store, args.gremium, args.person, args.reason, withdrawn=withdrawn)
        print(f"Stimmprofil von {args.person} ({args.gremium}) gelöscht.")
    elif args.action == "export":
        if not args.output:
            raise UserError("Bitte mit --output die Zieldatei (JSON) angeben.")
        target = check_output(args.output, protected=[store.path, store.audit_path])
        _one(store, args)
        data = store.export(args.gremium, args.person)
        write_keeping(target, lambda: write_json(target, data))
        print(f"Auskunft (Art. 15 DSGVO) geschrieben: {target}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("profiles", help="Stimmprofile (mit Einwilligung) anzeigen, löschen, ausgeben")
    p.add_argument("action", choices=["list", "show", "consent", "withdraw", "delete", "export", "roster"])
    p.add_argument("--project", help="Sitzung: ihr Gremium, ihre Anwesenheitsliste (roster, consent)")
    p.add_argument("--gremium", default="", help="Gremium (wie im Kopf der Niederschrift)")
    p.add_argument("--person", default="", help="Name der Person wie in der Anwesenheitsliste")
    p.add_argument("--erfasst-von", dest="recorded_by", default="", help="wer die Einwilligung erfasst")
    p.add_argument("--grundlage", dest="basis", default="", help="Grundlage, z. B. „schriftlich, 03.12.2026“")
    p.add_argument("--grund", dest="reason", default="", help="Löschgrund, z. B. „Einwilligung widerrufen“")
    p.add_argument("--output", help="Zieldatei der Auskunft (export)")
    p.add_argument("--user", help="Name im Protokoll der Stimmprofile (Standard: Anmeldename)")
    p.set_defaults(func=cmd_profiles)
