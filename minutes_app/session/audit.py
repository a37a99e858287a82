"""Append-only audit trail of a session: who changed what, AI or human text.

One JSON object per line in ``<project>/audit.jsonl``. Every append is flushed
and fsync'ed; nothing is ever rewritten or deleted. A line torn by a crash (the
last one, without its newline) is skipped when reading and never breaks loading;
the next append starts on a fresh line.

Entry fields (see docs/signoff.md): ``time`` (ISO 8601, local time with offset),
``user`` (OS login name unless given), ``action``, ``target``, ``before`` /
``after`` (text, shortened to ``MAX_TEXT`` characters), ``source`` ("ki" or
"mensch"), ``model`` and ``prompt_version`` (for AI text) and a free ``note``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import getpass
import io
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.errors import OutputError, ProjectError, os_reason
from ..base.fileio import atomic_open, open_append, write_json
from .project import Project

AUDIT_FILE = "audit.jsonl"
MAX_TEXT = 2000
AI, HUMAN = "ki", "mensch"
SOURCES = (AI, HUMAN)

# Actions written by the core (others may be added; readers must accept unknown ones).
ACTIONS = {
    "text_bearbeitet": "Text bearbeitet",
    "segment_geteilt": "Segment geteilt",
    "segmente_zusammengefuehrt": "Segmente zusammengeführt",
    "sprecher_zugewiesen": "Sprecher zugewiesen",
    "sprecher_umbenannt": "Sprecher umbenannt",
    "text_ersetzt": "Suchen und Ersetzen",
    "rueckgaengig": "Rückgängig gemacht",
    "feld_bearbeitet": "Feld bearbeitet",
    "status_geaendert": "Status geändert",
    "entwurf_erzeugt": "KI-Entwurf erzeugt",
    "punkt_neu_erzeugt": "TOP neu erzeugt (KI)",
    "geprueft": "Als geprüft markiert",
    "freigegeben": "Freigegeben",
    "neue_version": "Neue Version angelegt",
    "export": "Exportiert",
    "geloescht": "Gelöscht",
    "widerspruch": "Widerspruch gegen Aufzeichnung",
    "lokal_statt_server": "Server nicht erreichbar, auf diesem PC gerechnet",
    "kopf_geaendert": "Kopfdaten geändert",
    "tagesordnung_geaendert": "Tagesordnung geändert",
    "anwesenheit_geaendert": "Anwesenheitsliste geändert",
    "aufnahme_zugeordnet": "Aufnahme zugeordnet",
    "entwurf_bestaetigt": "Entwurf für geänderte Tagesordnung bestätigt",
    "stimmprofil_aktualisiert": "Stimmprofil aktualisiert",
    "stimmprofil_zurueckgenommen": "Stimmprofil: Abschnitte zurückgenommen",
    "stimmprofil_verwendet": "Stimmprofile verglichen",
    "einwilligung_erfasst": "Einwilligung (Stimmprofil) erfasst",
    "einwilligung_widerrufen": "Einwilligung (Stimmprofil) widerrufen, Profil gelöscht",
    "stimmprofil_geloescht": "Stimmprofil gelöscht",
}

# CSV column headers (German: the file is opened by people, e.g. in Excel).
CSV_HEADERS = {
    "time": "Zeit",
    "user": "Benutzer",
    "action": "Aktion",
    "target": "Ziel",
    "before": "Vorher",
    "after": "Nachher",
    "source": "Quelle",
    "model": "Modell",
    "prompt_version": "Prompt-Version",
    "note": "Hinweis",
}

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditEntry:
    time: str
    user: str
    action: str
    target: str = ""
    before: str | None = None
    after: str | None = None
    source: str = HUMAN
    model: str = ""
    prompt_version: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> AuditEntry:
        def text(key: str) -> str:
            value = d.get(key)
            return "" if value is None else str(value)

        def optional(key: str) -> str | None:
            value = d.get(key)
            return None if value is None else str(value)

        return AuditEntry(
            time=text("time"),
            user=text("user"),
            action=text("action"),
            target=text("target"),
            before=optional("before"),
            after=optional("after"),
            source=text("source") or HUMAN,
            model=text("model"),
            prompt_version=text("prompt_version"),
            note=text("note"),
        )


def current_user() -> str:
    """The OS login name (the default ``user`` of an entry)."""
    try:
        return getpass.getuser() or "unbekannt"
    except (OSError, KeyError, ImportError):
        return "unbekannt"


def now() -> str:
    """Local time with UTC offset, e.g. ``2025-03-04T19:12:05+01:00``."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def as_text(value: Any) -> str | None:
    """A before/after value as readable text (lists one per line), shortened to MAX_TEXT."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, list | tuple):
        text = "\n".join(t for v in value if (t := as_text(v)) is not None)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        text = json.dumps(dataclasses.asdict(value), ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def excerpt(before: str, after: str, context: int = 200) -> tuple[str, str]:
    """Long texts: keep the changed part with ``context`` characters around it."""
    if max(len(before), len(after)) <= MAX_TEXT:
        return before, after
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    start = max(prefix - context, 0)
    head = "…" if start else ""

    def cut(text: str) -> str:
        end = len(text) - max(suffix - context, 0)
        return head + text[start:end] + ("…" if end < len(text) else "")

    return cut(before), cut(after)


def entry(
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    *,
    source: str = HUMAN,
    model: str = "",
    prompt_version: str = "",
    note: str = "",
    user: str | None = None,
) -> AuditEntry:
    """Build an entry (time and user filled in) without writing it."""
    if source not in SOURCES:
        raise ValueError(f"unknown audit source {source!r}")
    if isinstance(before, str) and isinstance(after, str):
        before, after = excerpt(before, after)
    return AuditEntry(
        time=now(),
        user=user or current_user(),
        action=action,
        target=target,
        before=as_text(before),
        after=as_text(after),
        source=source,
        model=model,
        prompt_version=prompt_version,
        note=as_text(note) or "",
    )


def path_of(project: Project) -> Path:
    return project.folder / AUDIT_FILE


def append(project: Project, entries: Iterable[AuditEntry]) -> None:
    """Append entries to the trail; flushed and fsync'ed before returning."""
    lines = [json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in entries]
    if not lines:
        return
    path = path_of(project)
    try:
        with open_append(path) as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":  # torn last line from a crash: start a fresh one
                    fh.write(b"\n")
            fh.write("".join(lines).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(
            f"Das Änderungsprotokoll „{path}“ kann nicht geschrieben werden ({os_reason(exc)}). "
            "Die Änderung wurde nicht gespeichert."
        ) from exc


def record(
    project: Project,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    **fields: Any,
) -> AuditEntry:
    """Build one entry and append it now (``fields``: source, model, prompt_version, note, user)."""
    item = entry(action, target, before, after, **fields)
    append(project, [item])
    return item


def read(project: Project) -> list[AuditEntry]:
    """All entries, oldest first; unreadable lines (a torn last line) are skipped."""
    path = path_of(project)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ProjectError(
            f"Das Änderungsprotokoll „{path}“ kann nicht gelesen werden ({exc.strerror or exc})."
        ) from exc
    entries: list[AuditEntry] = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            data = jsonio.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            _log.warning("audit trail %s: line %d unreadable, skipped", path, number)
            continue
        entries.append(AuditEntry.from_dict(data))
    return entries


def _cell(value: str | None) -> str:
    text = value or ""
    # Spreadsheets run cells starting like a formula; the JSON export keeps the raw text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_audit(
    project: Project, path: str | os.PathLike[str], fmt: str = "csv", user: str | None = None
) -> int:
    """Write the trail to ``path`` (atomically) as CSV (``;``, UTF-8 with BOM) or JSON.

    Returns the number of entries written; the export itself is recorded afterwards
    (not on a released session: its files are never changed). ``path`` goes through the one
    output check first (never the trail itself, a session file, a link or a special file).
    """
    from .outputs import check_export_targets

    check_export_targets([(fmt, path, None)], [], project.folder)
    if fmt not in ("csv", "json"):
        raise OutputError(f"Das Format „{fmt}“ wird nicht unterstützt (csv oder json).")
    entries = read(project)
    from ..base.keep import replacing
    from .export import registry

    # a file of the user's at that name (the last export, edited in Excel) is kept beside it
    with replacing([path], registry()) as kept:
        if fmt == "json":
            write_json(path, [e.to_dict() for e in entries])
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
            writer.writerow(CSV_HEADERS.values())
            for e in entries:
                row = e.to_dict()
                writer.writerow(_cell(row[key]) for key in CSV_HEADERS)
            with atomic_open(path, "wb") as fh:
                fh.write(buffer.getvalue().encode("utf-8-sig"))
    from .signoff import is_locked

    if not is_locked(project):  # a released session's files stay byte-identical
        note = f"{fmt}: {Path(path).name}"
        if kept:
            note += f"; vorige Datei aufbewahrt als {kept[0][1].name}"
        record(project, "export", "Änderungsprotokoll", note=note, user=user)
    return len(entries)
