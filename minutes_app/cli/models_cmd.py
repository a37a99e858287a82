"""``minutes-app models ...``: install, list, verify and import models.

``register(subparsers)`` adds the ``models`` command; each handler returns an
exit code. UserErrors propagate to the caller (the main CLI prints them).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..core.jobs import ProgressFn, no_progress
from ..models.registry import PROFILES
from ..models.store import ModelStore
from .progress import ProgressBar, run_cancellable


def _store(args: argparse.Namespace) -> ModelStore:
    root = getattr(args, "models_dir", None)
    return ModelStore(root) if root else ModelStore.default()


def _run_with_bar(args: argparse.Namespace) -> tuple[ProgressBar, ProgressFn]:
    bar = ProgressBar()
    return bar, (bar if not getattr(args, "quiet", False) else no_progress)


def cmd_install(args: argparse.Namespace) -> int:
    store = _store(args)
    bar, progress = _run_with_bar(args)
    try:
        installed = run_cancellable(
            lambda cancel: store.install(args.ids or None, args.profile, progress, cancel)
        )
    finally:
        bar.finish()
    for model in installed:
        print(f"{model.id}: installiert in {model.path}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    statuses = _store(args).list()
    if args.json:
        json.dump([s.to_dict() for s in statuses], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for s in statuses:
        state = ("installiert" if s.verified else "beschädigt") if s.installed else "nicht installiert"
        size = f"{s.size / 1e6:8.1f} MB" if s.installed else " " * 11
        print(f"{s.id:24} {s.kind:12} {size}  {state}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    store = _store(args)
    bar, progress = _run_with_bar(args)
    try:
        results = run_cancellable(lambda cancel: store.verify(args.ids or None, progress, cancel))
    finally:
        bar.finish()
    if not results:
        print("Es sind keine Modelle installiert.")
    for r in results:
        print(f"{r.id}: {r.message}")
    return 0 if all(r.ok for r in results) else 3


def cmd_import(args: argparse.Namespace) -> int:
    store = _store(args)
    bar, progress = _run_with_bar(args)
    try:
        model = run_cancellable(
            lambda cancel: store.import_dir(
                args.dir, args.id, progress, cancel, convert=not args.no_convert, replace=args.replace
            )
        )
    finally:
        bar.finish()
    print(f"{model.id}: importiert als {model.kind}/{model.format} in {model.path}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("models", help="Modelle installieren, anzeigen, prüfen, importieren")
    parser.add_argument("--models-dir", help="Modellspeicher (Standard: Einstellung models_dir)")
    sub = parser.add_subparsers(dest="models_command", required=True)

    p = sub.add_parser("install", help="Modelle aus den festgelegten Paketen installieren")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--profile", choices=sorted(PROFILES), default=None)
    p.add_argument("--quiet", action="store_true", help="keinen Fortschritt anzeigen")
    p.set_defaults(func=cmd_install)

    p = sub.add_parser("list", help="Modelle und ihren Zustand anzeigen")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("verify", help="Prüfsummen der installierten Modelle prüfen")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("import", help="Einen Modellordner (oder eine .gguf-Datei) übernehmen")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--id", default=None)
    p.add_argument("--replace", action="store_true", help="ein vorhandenes Modell gleicher ID ersetzen")
    p.add_argument("--no-convert", action="store_true", help="Sprachmodell nicht nach CTranslate2 umwandeln")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry for tests: ``python -m minutes_app.cli.models_cmd models list``."""
    from ..core.errors import UserError

    parser = argparse.ArgumentParser(prog="minutes-app")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
