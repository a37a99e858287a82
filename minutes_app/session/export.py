"""Export one processed session (CLI and GUI share this): write, list the files, note it in the audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import UserError
from . import audit


@dataclass
class Exported:
    """The files an export wrote, and the files it found there with other content, kept
    under a new name (``base.keep``: „protokoll (vorher).docx“) before writing."""

    written: list[Path]
    kept: list[tuple[Path, Path]] = field(default_factory=list)  # (path, kept as)


def registry() -> Path:
    """Where the checksums of what the program exported are recorded (``base.keep``)."""
    from ..base.settings import data_dir

    return data_dir() / "exports.json"


def export_session(
    result: Any,
    fmt: str,
    output: Path,
    template: Path | None = None,
    include_transcript: bool = False,
    part: str | None = None,
) -> Exported:
    """Write ``result`` (a ``SessionResult``) as ``fmt``; return every file written.

    A file already at a target that holds anything this program did not write there (the
    earlier export edited in Word, a file of the user's) is kept beside it first
    (``base.keep``); the program's own untouched earlier export is replaced.

    DOCX without ``part``: the public Niederschrift at ``output`` and, when there
    are non-public items, Teil B in its own file beside it. TXT, SRT, VTT and JSON
    with ``part`` hold only that part's items, speech and speakers (export/common.py
    ``part_bundle``). Refused while the draft is older than the agenda (session/teilb.py).
    The export is noted in the audit trail, except on a released (locked) session,
    whose files are never changed.
    """
    from ..base.keep import replacing
    from ..export.docx import niederschrift_paths
    from ..export.transcript import write_export
    from . import signoff
    from .teilb import check_export

    if fmt in ("docx", "oparl") and result.minutes is None:
        raise UserError("Für dieses Projekt gibt es noch keinen Protokollentwurf (mit --no-draft erstellt?).")
    check_export(result.project)  # a draft older than the agenda is refused (Teil B)
    bundle = result.export_bundle()
    docx = fmt == "docx"
    targets = [Path(output)]
    if docx and part is None and any(not i.public for i in bundle.minutes.agenda_items):
        targets.append(niederschrift_paths(output, as_file=True)["nichtoeffentlich"])
    with replacing(targets, registry()) as kept:
        write_export(
            fmt,
            output,
            bundle,
            template=template if docx else None,
            include_transcript=include_transcript and docx,
            part=part,
        )
    if not signoff.is_locked(result.project):  # a released session's files stay byte-identical
        note = f"{fmt}: {', '.join(p.name for p in targets)}"
        if kept:
            note += "; vorige Dateien aufbewahrt: " + ", ".join(copy.name for _, copy in kept)
        audit.record(result.project, "export", "Niederschrift", note=note)
    return Exported(targets, kept)
