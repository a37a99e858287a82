"""``minutes-app``: the command line on the same core as the GUI.

Exit codes: 0 ok, 2 bad input, 3 model missing/corrupt, 1 internal error,
130 cancelled (Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from ..base.errors import Cancelled, UserError
from ..base.offline import ensure_offline
from ..base.settings import setting
from . import commands
from .progress import CANCELLED_TEXT
from .validate import GermanArgumentParser, check_args


def _choice_help(key: str) -> str:
    """ "verlauf = Verlaufsprotokoll, …" from the setting's declared choices."""
    return ", ".join(f"{value} = {label}" for value, label in setting(key).choices)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("muss mindestens 1 sein")
    return value


def _add_speaker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--num-speakers", type=_positive_int, help="genaue Zahl der Sprecher")
    p.add_argument("--min-speakers", type=_positive_int, help="mindestens so viele Sprecher")
    p.add_argument("--max-speakers", type=_positive_int, help="höchstens so viele Sprecher")


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--agenda",
        help="Tagesordnung: Text-, Word- oder PDF-Einladung, OParl-JSON oder URL einer OParl-Sitzung",
    )
    p.add_argument(
        "--attendees",
        help="Anwesenheitsliste: CSV (Name;Fraktion;Rolle), Textdatei (ein Name je Zeile) oder OParl-JSON",
    )
    p.add_argument("--project", help="Projektordner (Zwischenergebnisse, Fortsetzen nach Abbruch)")
    p.add_argument("--json", dest="json_out", help="zusätzlich alles als JSON schreiben")
    p.add_argument("--language", default=None, help="Sprache (Standard: de; 'auto' erkennt sie)")
    p.add_argument("--asr-model", help="Spracherkennungsmodell (ID im Modellspeicher)")
    p.add_argument("--llm-model", help="Sprachmodell für den Entwurf (ID im Modellspeicher)")
    p.add_argument(
        "--engine",
        choices=setting("llm_engine").choice_values(),
        help="wo der Entwurf rechnet: " + _choice_help("llm_engine"),
    )
    p.add_argument("--no-draft", action="store_true", help="nur Transkript, kein Protokollentwurf")
    p.add_argument(
        "--protocol-type",
        choices=setting("protocol_type").choice_values(),
        help="Protokollart: " + _choice_help("protocol_type") + " (Standard: Einstellung protocol_type)",
    )
    p.add_argument("--force", action="store_true", help="fertige Schritte neu berechnen")
    p.add_argument("--threads", type=int, help="Rechen-Threads (0: alle Kerne)")
    p.add_argument("--gremium", help="Gremium für den Kopf der Niederschrift")
    p.add_argument("--datum", help="Sitzungsdatum für den Kopf")
    p.add_argument("--ort", help="Sitzungsort für den Kopf")
    _add_speaker_args(p)


def _cmd_gui(args: argparse.Namespace) -> int:
    from ..gui.app import main as gui_main  # PySide6 only when the GUI is asked for

    return gui_main([])


def build_parser() -> argparse.ArgumentParser:
    parser = GermanArgumentParser(
        prog="minutes-app",
        description="Offline-Protokollentwürfe (Niederschrift) aus Sitzungsaufnahmen.",
    )
    parser.add_argument("--debug", action="store_true", help="bei internen Fehlern den Traceback zeigen")
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")

    p = sub.add_parser("transcribe", help="Aufnahme transkribieren (JSON mit Wortzeiten)")
    p.add_argument("audio")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--model", help="Spracherkennungsmodell (ID)")
    p.add_argument("--language", default=None, help="Sprache (Standard: de; 'auto' erkennt sie)")
    p.add_argument("--threads", type=int)
    p.set_defaults(func=commands.cmd_transcribe)

    p = sub.add_parser("diarize", help="Sprecherwechsel erkennen (RTTM)")
    p.add_argument("audio")
    p.add_argument("--rttm", required=True)
    p.add_argument("--model", help="Sprechererkennungsmodell (ID)")
    _add_speaker_args(p)
    p.set_defaults(func=commands.cmd_diarize)

    p = sub.add_parser("run", help="ganze Verarbeitung: Transkript, Sprecher, Entwurf als DOCX")
    p.add_argument("audio")
    p.add_argument("-o", "--output", required=True, help="DOCX-Datei des Entwurfs")
    _add_run_args(p)
    p.set_defaults(func=commands.cmd_run)

    p = sub.add_parser("export", help="Projekt exportieren (docx, txt, srt, vtt, json, oparl)")
    p.add_argument("project")
    p.add_argument("--format", required=True, choices=["docx", "txt", "srt", "vtt", "json", "oparl"])
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--template", help="Word-Vorlage (.docx/.dotx)")
    p.add_argument(
        "--part",
        choices=["oeffentlich", "nichtoeffentlich", "gesamt"],
        help="nur diesen Teil schreiben (Standard DOCX: öffentlicher Teil, Teil B als eigene Datei daneben)",
    )
    p.add_argument(
        "--entwurf-bestaetigen",
        action="store_true",
        help="einen Entwurf exportieren, der vor der letzten Änderung der Tagesordnung entstand "
        "(nach Prüfung; wird im Änderungsprotokoll vermerkt)",
    )
    p.set_defaults(func=commands.cmd_export)

    p = sub.add_parser("speakers", help="Sprecher eines Projekts anzeigen oder benennen")
    p.add_argument("project")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ID=NAME",
        help="Anzeigenamen setzen, z. B. SPEAKER_00='Peter Lindner'",
    )
    p.add_argument(
        "--move",
        action="append",
        default=[],
        metavar="SEGMENT=ID",
        help="ein Segment einem anderen Sprecher zuweisen, z. B. 12=SPEAKER_01",
    )
    p.add_argument(
        "--merge",
        action="append",
        default=[],
        metavar="VON=NACH",
        help="alle Segmente eines Sprechers einem anderen geben, z. B. SPEAKER_02=SPEAKER_00",
    )
    p.set_defaults(func=commands.cmd_speakers)

    p = sub.add_parser("demo", help="Beispielsitzung verarbeiten")
    p.add_argument("--output-dir", default="minutes-demo", help="Zielordner (Standard: ./minutes-demo)")
    p.add_argument("--llm-model", help="Sprachmodell für den Entwurf (ID)")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=commands.cmd_demo)

    p = sub.add_parser("gui", help="Desktop-Anwendung starten")
    p.set_defaults(func=_cmd_gui)

    from .models_cmd import register
    from .profiles_cmd import register as register_profiles
    from .server_cmd import register as register_server
    from .session_cmd import register as register_session

    register(sub)
    register_session(sub)
    register_server(sub)
    register_profiles(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    ensure_offline()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_args(args)  # every option value, before any file is read or model loaded
        return int(args.func(args) or 0)
    except Cancelled:
        print(CANCELLED_TEXT, file=sys.stderr)
        return 130
    except UserError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nAbgebrochen.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, details only on request
        if args.debug:
            traceback.print_exc()
        print(
            f"Interner Fehler ({type(exc).__name__}: {exc}). Ihre Daten wurden nicht verändert. "
            "Bitte mit --debug erneut ausführen und die Ausgabe an die IT weitergeben.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
