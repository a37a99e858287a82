"""Output checks of the CLI commands, before any work (issue 15, items 3 and 8).

Every command that writes calls ``check_command_outputs`` (one check, ``base.fileio.check_output``
underneath): an output that is an input of the same command, a file of a session, a folder, a
link or a special file is refused with a German message (exit 2) before a model loads.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..session.outputs import Target, check_export_targets
from ..session.recording import check_new_folder


def check_command_outputs(
    targets: list[Target],
    inputs: list[str | os.PathLike[str] | None],
    project_folder: str | os.PathLike[str] | None = None,
) -> None:
    """Refuse before any work what an output would destroy (see the module docstring)."""
    check_export_targets(targets, inputs, project_folder)


def check_run_outputs(args: argparse.Namespace, folder: Path, template: str | None) -> None:
    """``run``: the DOCX (and Teil B beside it), the JSON, and the project folder."""
    if not (folder / "project.json").is_file():
        check_new_folder(folder)  # a folder with other files is never made a project
    targets: list[Target] = [("docx", args.output, None)]
    if args.json_out:
        targets.append(("json", args.json_out, None))
    inputs = [args.audio, args.agenda, args.attendees, template]
    check_command_outputs(targets, inputs, folder)


def with_transcript_skeleton(result: Any) -> Any:
    """A result without a draft (``--no-draft``) gets the Niederschrift skeleton with the
    transcript per item, so the DOCX is written; with a draft it is returned as it is."""
    if result.minutes is not None:
        return result
    from ..pipeline.skeleton import transcript_skeleton

    return dataclasses.replace(
        result, minutes=transcript_skeleton(result.project, result.segments, result.speakers)
    )


def check_bundle_output(output: str | os.PathLike[str], store_root: str | os.PathLike[str]) -> None:
    """``models bundle -o``: the one output check, and never a file inside the model store."""
    from ..base.errors import OutputError
    from ..base.fileio import is_inside

    if is_inside(Path(output).parent, store_root):
        raise OutputError(
            f"„{output}“ liegt im Modellspeicher „{store_root}“; das Modellpaket wird dort nicht "
            "gespeichert. Bitte einen anderen Speicherort wählen."
        )
    check_command_outputs([("zip", output, None)], [])


def write_keeping(path: str | os.PathLike[str], write: Callable[[], None]) -> None:
    """Write one output of a command with ``write()``; a file at ``path`` that holds
    anything the program did not write there is kept beside it first (``base.keep``), and
    the command says under which name."""
    from ..base.keep import replacing
    from ..session.export import registry

    with replacing([path], registry()) as kept:
        write()
    say_kept(kept)


def say_kept(kept: list[tuple[Path, Path]]) -> None:
    """Tell under which name each file found at an output was kept (``base.keep``)."""
    for old, copy in kept:
        print(f"Die vorhandene Datei „{old.name}“ bleibt als „{copy.name}“ erhalten.")
