"""Read a Tagesordnung from a plain-text file, one item per line.

Accepted line forms (case-insensitive, ``:``, ``-``, ``–``, ``.`` or ``)`` after the number optional)::

    TOP 3: Haushaltssatzung 2025        Tagesordnungspunkt 3 Haushaltssatzung
    3. Haushaltssatzung 2025            3.1 Bebauungsplan Nord
    Ö 5 Anfragen                        N 2 Grundstücksangelegenheiten

Blank lines and comments (``#`` or ``//``) are ignored, as are header lines
without a number ("Tagesordnung"). "Öffentlicher Teil" / "Nichtöffentlicher Teil"
set ``public``, "Vorlage: 2020/1191" sets ``paper`` and a "Beschlussvorschlag:"
paragraph sets ``proposal`` of the item above (see ``lines.py``). An indented
line right after an item continues its title. UTF-8 (with or without BOM) and
Windows-1252 are read.
"""

from __future__ import annotations

from pathlib import Path

from ..base.errors import AgendaError, os_reason
from ..base.types import AgendaItem
from .lines import parse_lines

EXPECTED = (
    "Erwartet wird eine Textdatei mit einem Tagesordnungspunkt je Zeile, z. B. "
    "„TOP 3: Haushaltssatzung 2025“, „3. Haushaltssatzung 2025“, „3.1 Bebauungsplan Nord“, "
    "„Ö 5 Anfragen“ oder „N 2 Grundstücksangelegenheiten“."
)


def _decode(raw: bytes, path: Path) -> str:
    if not raw.strip():
        raise AgendaError(f"Die Tagesordnung „{path}“ ist leer. {EXPECTED}")
    if b"\x00" in raw[:4096]:
        raise AgendaError(f"Die Datei „{path}“ ist keine Textdatei. {EXPECTED}")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AgendaError(f"Die Datei „{path}“ ist weder in UTF-8 noch in Windows-1252 lesbar. {EXPECTED}")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(2, len(text) // 100):
        raise AgendaError(f"Die Datei „{path}“ ist keine Textdatei. {EXPECTED}")
    return text


def parse_agenda_lines(text: str) -> list[AgendaItem]:
    """Items found in ``text`` (possibly none); sections, Vorlagen and Beschlussvorschläge included."""
    return parse_lines(text.splitlines())


def decode_agenda_text(raw: bytes, name: str | Path) -> str:
    """The text of an agenda file (UTF-8 or Windows-1252); AgendaError for binary or empty data."""
    return _decode(raw, Path(name))


def parse_agenda_text(path: str | Path) -> list[AgendaItem]:
    """Read the agenda file at ``path``; raise ``AgendaError`` if it holds no items."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AgendaError(
            f"Die Tagesordnung „{p}“ kann nicht gelesen werden ({os_reason(exc)}). {EXPECTED}"
        ) from exc
    items = parse_agenda_lines(_decode(raw, p))
    if not items:
        raise AgendaError(f"In der Datei „{p}“ wurden keine Tagesordnungspunkte gefunden. {EXPECTED}")
    return items
