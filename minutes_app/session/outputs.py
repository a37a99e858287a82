"""Where a command may write: every output is checked here before any work (issue 15, item 3).

``base.fileio.check_output`` is the one check of a path (folder, link, special file, input of
the same command, file of a session); this module knows which files an export writes (DOCX:
Teil B beside the file) and which files belong to a session folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..base.fileio import SESSION_FILE_NAMES, check_outputs

Target = tuple[str, "str | os.PathLike[str]", "str | None"]  # (format, output, part)


def planned_outputs(fmt: str, output: str | os.PathLike[str], part: str | None = None) -> list[Path]:
    """Every file an export of ``fmt`` to ``output`` may write (DOCX without part: Teil B too)."""
    if fmt == "docx" and part is None:
        from ..export.docx import niederschrift_paths

        return list(niederschrift_paths(output, as_file=True).values())
    return [Path(output)]


def session_paths(folder: str | os.PathLike[str] | None) -> list[Path]:
    """The fixed files of a session folder (also before it exists: a new project's place)."""
    if folder is None:
        return []
    return [Path(folder) / name for name in sorted(SESSION_FILE_NAMES)]


def check_export_targets(
    targets: Iterable[Target],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    project_folder: str | os.PathLike[str] | None = None,
) -> None:
    """Refuse (``OutputError``, German) before any work if an output would destroy something.

    ``targets``: (format, output, part) of each export the command will write; ``inputs``:
    every file the command reads; ``project_folder``: the session the command works on.
    """
    paths = [path for fmt, output, part in targets for path in planned_outputs(fmt, output, part)]
    protected: list[Path] = session_paths(project_folder)
    if project_folder is not None:
        from .project import PROJECT_FILE, Project

        if (Path(project_folder) / PROJECT_FILE).is_file():
            from ..base.errors import UserError

            try:
                project = Project.load(project_folder)
            except UserError:
                project = None
            if project is not None:
                protected += project.own_files()
                if project.has_audio:
                    protected.append(project.audio_path)
    check_outputs(paths, inputs, protected)
