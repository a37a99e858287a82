"""Attendee list: a text file with one name per line, or a CSV with a ``Name`` column.

CSV: ``;`` or ``,`` separated, UTF-8 or Windows-1252.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..core.errors import AgendaError
from ..core.types import Attendee

MAX_BYTES = 2_000_000


__all__ = ["Attendee", "parse_attendees"]


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AgendaError(
            f"Die Anwesenheitsliste „{path}“ kann nicht gelesen werden ({exc.strerror})."
        ) from exc
    if len(raw) > MAX_BYTES or b"\x00" in raw[:4096]:
        raise AgendaError(
            f"„{path.name}“ ist keine Anwesenheitsliste (Textdatei oder CSV mit Spalte „Name“ erwartet)."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AgendaError(
        f"„{path.name}“ hat eine unbekannte Zeichenkodierung (UTF-8 oder Windows-1252 erwartet)."
    )


def parse_attendees(path: str | Path) -> list[Attendee]:
    path = Path(path)
    text = _read_text(path)
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise AgendaError(f"Die Anwesenheitsliste „{path.name}“ enthält keine Namen.")
    header = lines[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    fields = [h.strip().lower() for h in header.split(delimiter)]
    if "name" in fields:
        reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
        people = []
        for row in reader:
            low = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if low.get("name"):
                people.append(Attendee(low["name"], low.get("fraktion", ""), low.get("rolle", "")))
    else:
        people = [Attendee(line.strip()) for line in lines]
    if not people:
        raise AgendaError(f"Die Anwesenheitsliste „{path.name}“ enthält keine Namen.")
    return people
