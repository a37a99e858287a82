"""``minutes-app models ...``: install, list, verify, import and bundle models.

``register(subparsers)`` adds the ``models`` command; each handler returns an
exit code. UserErrors propagate to the caller (the main CLI prints them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..base.jobs import ProgressFn, no_progress
from ..models.registry import PROFILES
from ..models.store import ModelStore
from .paths import check_bundle_output, write_keeping
from .progress import ProgressBar, run_cancellable


def _store(args: argparse.Namespace) -> ModelStore:
    root = getattr(args, "models_dir", None)
    return ModelStore(root) if root else ModelStore.default()


def _run_with_bar(args: argparse.Namespace) -> tuple[ProgressBar, ProgressFn]:
    bar = ProgressBar()
    return bar, (bar if not getattr(args, "quiet", False) else no_progress)


def cmd_install(args: argparse.Namespace) -> int:
    if args.from_bundle:
        return _install_bundle(args)
    if getattr(sys, "frozen", False):  # the installed app has no pip to download with
        from ..base.errors import UserError

        raise UserError(
            "Das installierte Programm lädt keine Modelle herunter. Bitte ein Modellpaket installieren: "
            "minutes-app models install --from MODELLE.zip (erstellt mit „minutes-app models bundle“)."
        )
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


def _install_bundle(args: argparse.Namespace) -> int:
    from ..models.bundle import install_bundle

    if args.profile:
        from ..base.errors import UserError

        raise UserError("--profile und --from schließen sich aus: das Modellpaket bestimmt die Modelle.")
    store = _store(args)
    bar, progress = _run_with_bar(args)
    try:
        results = run_cancellable(
            lambda cancel: install_bundle(store, Path(args.from_bundle), args.ids or None, progress, cancel)
        )
    finally:
        bar.finish()
    for r in results:
        print(f"{r.id}: {'installiert' if r.installed else 'bereits installiert'} in {r.path}")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from ..models.bundle import create_bundle

    store = _store(args)
    out = Path(args.output)
    check_bundle_output(out, store.root)  # before any work: no folder, link, special file, store file
    bar, progress = _run_with_bar(args)
    index: dict = {}

    def write() -> None:
        try:
            index.update(
                run_cancellable(
                    lambda cancel: create_bundle(store, out, args.ids or None, args.profile, progress, cancel)
                )
            )
        finally:
            bar.finish()

    write_keeping(out, write)  # a file of other content at that name is kept beside it
    size = out.stat().st_size
    ids = ", ".join(m["id"] for m in index["models"])
    print(f"Modellpaket gespeichert: {out} ({size / 1e6:.1f} MB; {ids})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = _store(args)
    statuses = store.list()
    if args.json:
        json.dump([s.to_dict() for s in statuses], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for s in statuses:
        state = ("installiert" if s.verified else "beschädigt") if s.installed else "nicht installiert"
        size = f"{s.size / 1e6:8.1f} MB" if s.installed else " " * 11
        where = "  (gemeinsamer Ordner)" if s.installed and s.path.parent != store.root else ""
        print(f"{s.id:24} {s.kind:12} {size}  {state}{where}")
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

    p = sub.add_parser(
        "install", help="Modelle aus den festgelegten Paketen oder einem Modellpaket installieren"
    )
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--profile", choices=sorted(PROFILES), default=None)
    p.add_argument(
        "--from",
        dest="from_bundle",
        metavar="MODELLE.zip",
        help="aus einem Modellpaket installieren (offline; Prüfsummen werden geprüft)",
    )
    p.add_argument("--quiet", action="store_true", help="keinen Fortschritt anzeigen")
    p.set_defaults(func=cmd_install)

    p = sub.add_parser("list", help="Modelle und ihren Zustand anzeigen")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("verify", help="Prüfsummen der installierten Modelle prüfen")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("bundle", help="Installierte Modelle als Modellpaket (ZIP) für PCs ohne Internet")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--profile", choices=sorted(PROFILES), default=None)
    p.add_argument("-o", "--output", required=True, metavar="MODELLE.zip")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_bundle)

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
    from ..base.errors import UserError

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
