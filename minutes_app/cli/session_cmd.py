"""``minutes-app items``, ``names`` and ``signoff``: check and sign off what the draft assumed.

``items``: each agenda item's start/end and how it was found (marker, spoken
call, title, LLM, set by hand); ``--start 5=00:12:30`` sets a start by hand
(the next ``run`` re-drafts; ASR and diarization stay cached).
``names``: speaker-name suggestions from the roster and the transcript
("Herr Schnell, bitte"); ``--accept`` takes them over as speaker names.
``signoff``: Entwurf -> geprüft -> freigegeben (locked), new versions, audit export.
"""

from __future__ import annotations

import argparse
import re

from ..base.errors import UserError
from ..session import audit, signoff
from ..session.api import Session
from ..session.project import Project
from ..session.result import load_session
from .paths import check_command_outputs

_SOURCES = {
    "nummer": "Aufruf mit Nummer",
    "titel": "Titel erkannt",
    "folge": "„nächster Punkt“",
    "marke": "Marke (F9)",
    "manuell": "von Hand gesetzt",
    "llm": "vom Sprachmodell geschätzt",
    "eröffnung": "Text vor dem ersten Aufruf",
}


def parse_clock(text: str) -> float:
    """``"754"``, ``"12:34"`` or ``"1:02:03"`` -> seconds."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"[0-9]{1,6}(?:[.,][0-9]{1,3})?", p) for p in parts):
        raise UserError(f"„{text}“ ist keine Zeitangabe (erwartet: Sekunden, MM:SS oder HH:MM:SS).")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part.replace(",", "."))
    if seconds > 48 * 3600:
        raise UserError(f"„{text}“ liegt nach dem Ende jeder Sitzung (mehr als 48 Stunden).")
    return seconds


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(seconds)
    return f"{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def cmd_items(args: argparse.Namespace) -> int:
    project = Project.load(args.project)
    if args.start or args.clear:
        signoff.check_unlocked(project)
    numbers = {a.number for a in project.agenda}
    starts: list[tuple[str, float | None]] = []
    for assignment in args.start:  # every value checked before the first is saved
        number, sep, when = assignment.partition("=")
        if not sep or number.strip() not in numbers:
            raise UserError(
                f"„{assignment}“: erwartet NUMMER=ZEIT mit einer TOP-Nummer der Tagesordnung "
                f"({', '.join(sorted(numbers)) or 'keine Tagesordnung gesetzt'})."
            )
        starts.append((number.strip(), parse_clock(when)))
    starts += [(number.strip(), None) for number in args.clear]
    session = Session(project)
    for number, seconds in starts:
        session.set_item_start(number, seconds)
    if args.start or args.clear:
        print(
            "Beginn gespeichert. Der Entwurf wird beim nächsten „minutes-app run … --project "
            f"{project.folder}“ neu erstellt (Transkript und Sprecher bleiben erhalten)."
        )
    minutes = load_session(project).minutes if project.stage_entry("align") else None
    if minutes is None:
        print("Noch kein Entwurf vorhanden.")
        return 0
    starts = project.item_starts
    for item in minutes.agenda_items:
        how = "von Hand gesetzt" if item.number in starts else _matched(item.flags, item.start)
        label = f"TOP {item.number}" if item.number else item.title
        print(f"{label}\t{_clock(item.start)}\t{_clock(item.end)}\t{how}\t{item.title}")
    return 0


def _matched(flags: list[str], start: float | None) -> str:
    if start is None:
        return "nicht gefunden"
    for flag in flags:
        if "Titel" in flag:
            return _SOURCES["titel"]
        if "Sprachmodell geschätzt" in flag:
            return _SOURCES["llm"]
        if "nächster Tagesordnungspunkt" in flag:
            return _SOURCES["folge"]
    return "Aufruf oder Marke"


def cmd_names(args: argparse.Namespace) -> int:
    from ..drafting.naming import suggest_speaker_names

    project = Project.load(args.project)
    people = project.attendees
    if not people:
        raise UserError(
            "Für diese Sitzung ist keine Anwesenheitsliste gesetzt (minutes-app run … --attendees DATEI)."
        )
    from ..base.settings import Settings
    from ..session.profiles import ProfileStore, load_matches

    result = load_session(project)
    suggestions = suggest_speaker_names(result.segments, people, load_matches(project.folder))
    voices = ProfileStore.from_settings(Settings.load())  # None unless voice profiles are enabled
    current = project.speaker_names
    wanted = set(args.accept)
    unknown_ids = wanted - {"all"} - {s.speaker for s in suggestions}
    if unknown_ids:
        unknown = ", ".join(sorted(unknown_ids))
        raise UserError(f"Für {unknown} gibt es keinen Namensvorschlag.")
    if wanted:
        signoff.check_unlocked(project)
    session = Session(project)
    for s in suggestions:
        accept = "all" in wanted or s.speaker in wanted
        if accept:
            for line in session.rename_speaker(s.speaker, s.name, voices).messages:
                print(line)
        mark = "übernommen" if accept else ("bestätigt" if current.get(s.speaker) == s.name else "Vorschlag")
        print(f"{s.speaker}\t{s.name}\t{s.score:.2f}\t{mark}\t{'; '.join(s.reasons)}")
    if not suggestions:
        print("Keine Namensvorschläge: im Transkript wurden keine Namen der Anwesenheitsliste erkannt.")
    return 0


def cmd_signoff(args: argparse.Namespace) -> int:
    project = Project.load(args.project)
    if args.audit:  # checked before any step (the trail itself, a session file, a special file: refused)
        check_command_outputs([("audit", args.audit, None)], [], args.project)
    user = args.user or None
    session = Session(project, user)
    if args.pruefen:
        session.mark_reviewed()
    elif args.freigeben:
        session.release()
        from ..base.settings import Settings
        from ..session import retention

        rules = Settings.load()
        for line in session.apply_retention(rules).messages:
            print(line)
        if due := retention.due_label(Project.load(project.folder), rules):
            print(f"{due} (Aufbewahrung nach der Freigabe, Einstellung retention_release_days).")
    elif args.neue_version is not None:
        session.new_version(args.neue_version)
    if args.audit:
        fmt = "json" if args.audit.endswith(".json") else "csv"
        count = audit.export_audit(project, args.audit, fmt, user)
        print(f"Änderungsprotokoll mit {count} Einträgen gespeichert: {args.audit}")
    current = signoff.status(project)
    print(f"Status: {current.label} (Version {current.version})")
    if current.reviewed_by:
        print(f"geprüft von {current.reviewed_by} am {current.reviewed_at}")
    if current.approved_by:
        print(f"freigegeben von {current.approved_by} am {current.approved_at}")
    still_open = signoff.open_items(project)
    if still_open and current.state == signoff.ENTWURF:
        print("Noch nicht geprüft: " + ", ".join(still_open))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from ..base.settings import Settings
    from ..session import privacy
    from ..session.profiles import ProfileStore

    project = Project.load(args.project)
    if not args.yes:
        raise UserError(
            f"„{project.name}“ würde mit Aufnahme, Transkript und Entwurf endgültig gelöscht. "
            "Zum Bestätigen --yes angeben."
        )
    # the parts this session taught voice profiles go with it (also with the feature off)
    for line in privacy.delete_session(project, ProfileStore.of_settings(Settings.load())):
        print(line)
    if project.folder.exists():  # only the session's own files are deleted
        print(f"Dateien, die nicht von minutes-app angelegt wurden, bleiben in „{project.folder}“ erhalten.")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..base.settings import Settings, data_dir
    from ..session import privacy

    library = Path(args.library) if args.library else data_dir() / "sessions"
    removed = privacy.sweep(library, Settings.load())
    for folder, lines in removed.items():
        for line in lines:
            print(f"{folder}: {line}")
    if not removed:
        print("Nichts zu löschen.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("items", help="Tagesordnungspunkte mit Beginn/Ende anzeigen oder Beginn setzen")
    p.add_argument("project")
    p.add_argument(
        "--start", action="append", default=[], metavar="NR=ZEIT", help="Beginn von Hand, z. B. 5=00:12:30"
    )
    p.add_argument(
        "--clear", action="append", default=[], metavar="NR", help="von Hand gesetzten Beginn löschen"
    )
    p.set_defaults(func=cmd_items)

    p = sub.add_parser("names", help="Namensvorschläge für Sprecher aus der Anwesenheitsliste")
    p.add_argument("project")
    p.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="ID",
        help="Vorschlag übernehmen (SPEAKER_03) oder alle (all)",
    )
    p.set_defaults(func=cmd_names)

    p = sub.add_parser("signoff", help="Status der Niederschrift: prüfen, freigeben, neue Version, Protokoll")
    p.add_argument("project")
    step = p.add_mutually_exclusive_group()
    step.add_argument("--pruefen", action="store_true", help="als geprüft markieren (Schriftführung)")
    step.add_argument("--freigeben", action="store_true", help="freigeben und sperren (Vorsitz)")
    step.add_argument("--neue-version", metavar="GRUND", help="nach der Freigabe eine neue Version beginnen")
    p.add_argument(
        "--user",
        help="Name der unterzeichnenden Person (Standard: Vorsitz bzw. Schriftführung der Kopfdaten)",
    )
    p.add_argument("--audit", metavar="DATEI", help="Änderungsprotokoll exportieren (.csv oder .json)")
    p.set_defaults(func=cmd_signoff)

    p = sub.add_parser("delete", help="Sitzung mit allen Dateien endgültig löschen")
    p.add_argument("project")
    p.add_argument("--yes", action="store_true", help="Löschen bestätigen")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("retention", help="Aufbewahrungsregeln auf alle Sitzungen anwenden")
    p.add_argument("--library", help="Ordner der Sitzungen (Standard: Benutzerordner)")
    p.set_defaults(func=cmd_retention)
