"""Read a Tagesordnung from a plain-text file, one item per line.

Accepted line forms (case-insensitive, ``:``, ``-``, ``–``, ``.`` or ``)`` after the number optional)::

    TOP 3: Haushaltssatzung 2025        Tagesordnungspunkt 3 Haushaltssatzung
    3. Haushaltssatzung 2025            3.1 Bebauungsplan Nord
    Ö 5 Anfragen                        N 2 Grundstücksangelegenheiten

Blank lines and comments (``#`` or ``//``) are ignored, as are header lines
without a number ("Tagesordnung", "Öffentlicher Teil"). An indented line right
after an item continues its title. UTF-8 (with or without BOM) and
Windows-1252 are read.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import AgendaError
from ..core.types import AgendaItem

EXPECTED = (
    "Erwartet wird eine Textdatei mit einem Tagesordnungspunkt je Zeile, z. B. "
    "„TOP 3: Haushaltssatzung 2025“, „3. Haushaltssatzung 2025“, „3.1 Bebauungsplan Nord“, "
    "„Ö 5 Anfragen“ oder „N 2 Grundstücksangelegenheiten“."
)

_NUM = r"\d{1,3}(?:\.\d{1,3})*[a-z]?"
_SEP = r"(?:\s*[:.)\-–—]\s*|\s+)"
_LINE = re.compile(
    rf"""^\s*
    (?:
        (?P<kw>TOP|Top|top|Tagesordnungspunkt|TO-Punkt|Punkt)\s*(?P<n1>{_NUM})\.?
      | (?P<part>[ÖöNn]|NÖ|nö)\s*(?P<n2>{_NUM})\.?
      | (?P<n3>{_NUM})(?=[.)\s:])\.?
    )
    {_SEP}(?P<title>\S.*?)\s*$""",
    re.VERBOSE,
)
_TITLE_ONLY_NUMBER = re.compile(rf"^\s*(?:TOP|Top)\s*(?P<n>{_NUM})\.?\s*$")


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


def _number(m: re.Match[str]) -> str:
    if m.group("n2"):
        part = m.group("part").upper()
        return f"{part} {m.group('n2').rstrip('.')}"
    return (m.group("n1") or m.group("n3") or "").rstrip(".")


def parse_agenda_lines(text: str) -> list[AgendaItem]:
    """Items found in ``text`` (possibly none)."""
    items: list[AgendaItem] = []
    last_was_item = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            last_was_item = False
            continue
        m = _LINE.match(line)
        if m and m.group("title"):
            title = m.group("title").strip().strip("\"'„“”")
            items.append(AgendaItem(number=_number(m), title=title))
            last_was_item = True
        elif last_was_item and line[:1] in (" ", "\t") and items:
            items[-1].title = f"{items[-1].title} {stripped}"
        else:
            m2 = _TITLE_ONLY_NUMBER.match(line)
            if m2:
                items.append(AgendaItem(number=m2.group("n").rstrip("."), title=""))
                last_was_item = True
            else:
                last_was_item = False
    return items


def parse_agenda_text(path: str | Path) -> list[AgendaItem]:
    """Read the agenda file at ``path``; raise ``AgendaError`` if it holds no items."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AgendaError(
            f"Die Tagesordnung „{p}“ kann nicht gelesen werden ({exc.strerror or exc}). {EXPECTED}"
        ) from exc
    items = parse_agenda_lines(_decode(raw, p))
    if not items:
        raise AgendaError(f"In der Datei „{p}“ wurden keine Tagesordnungspunkte gefunden. {EXPECTED}")
    return items
