"""Import a Tagesordnung from any supported source, detected by its content.

``load_agenda`` accepts a path or an http(s) URL of an OParl server:

* plain text (UTF-8 or Windows-1252), one item per line (``text.py``)
* a Word invitation (.docx), table or paragraphs (``docx.py``)
* a PDF invitation with a text layer (``pdf.py``)
* an OParl 1.1 ``Meeting`` as JSON file or URL, with header data and participants (``oparl.py``)

The file name's extension is not looked at. Anything unusable raises ``AgendaError``
with a German message that says what was found and what is expected.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.errors import AgendaError, os_reason
from ..base.inputs import refuse_special
from ..base.text import clean_fields
from ..base.types import AgendaItem, Attendee, SessionInfo
from . import text as text_format
from .fetch import OParlClient, check_url, is_url
from .oparl import NOT_A_MEETING, Resolver, describe, meeting_import, type_name

MAX_FILE_BYTES = 20_000_000
EXPECTED = (
    "Erwartet wird eine Tagesordnung als Textdatei (ein Punkt je Zeile), als Word-Einladung (.docx), "
    "als PDF mit Textebene oder als OParl-Sitzung (JSON-Datei oder URL eines OParl-Servers)."
)


@dataclass
class AgendaImport:
    items: list[AgendaItem]
    kind: str  # "text" | "docx" | "pdf" | "oparl"
    info: SessionInfo | None = None
    attendees: list[Attendee] = field(default_factory=list)


def read_limited(path: Path, what: str = "Die Tagesordnung", expected: str = EXPECTED) -> bytes:
    """The bytes of ``path``; AgendaError if unreadable, empty or larger than 20 MB."""
    refuse_special(path, what, AgendaError)  # a FIFO would block, a device never end
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AgendaError(
                f"„{path.name}“ ist mit {size / 1_000_000:.0f} MB zu groß (höchstens "
                f"{MAX_FILE_BYTES // 1_000_000} MB). {expected}"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AgendaError(f"{what} „{path}“ kann nicht gelesen werden ({os_reason(exc)}).") from exc
    if len(data) > MAX_FILE_BYTES:
        raise AgendaError(f"„{path.name}“ ist zu groß (höchstens {MAX_FILE_BYTES // 1_000_000} MB).")
    if not data.strip():
        raise AgendaError(f"{what} „{path.name}“ ist leer. {expected}")
    return data


_UNSUPPORTED = (
    (
        b"\xd0\xcf\x11\xe0",
        "ein Dokument im alten Office-Format (.doc/.xls); bitte als .docx oder PDF speichern",
    ),
    (b"{\\rtf", "ein RTF-Dokument; bitte als .docx oder PDF speichern"),
    (b"\x89PNG", "ein Bild (PNG)"),
    (b"\xff\xd8\xff", "ein Bild (JPEG)"),
    (b"GIF8", "ein Bild (GIF)"),
)


def sniff(data: bytes, name: str = "Die Datei") -> str:
    """ "pdf", "docx", "json" or "text"; AgendaError naming a format that is not an agenda."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data, name)
    for magic, what in _UNSUPPORTED:
        if head.startswith(magic):
            raise AgendaError(f"„{name}“ ist {what}, keine Tagesordnung. {EXPECTED}")
    if head.startswith((b"{", b"[")):
        return "json"
    return "text"


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise AgendaError(f"„{name}“ ist ein beschädigtes ZIP- oder Word-Archiv. {EXPECTED}") from exc
    if "word/document.xml" in names:
        return "docx"
    if b"opendocument" in mimetype:
        raise AgendaError(
            f"„{name}“ ist ein OpenDocument (.odt/.ods); bitte als .docx oder PDF speichern. {EXPECTED}"
        )
    if "xl/workbook.xml" in names:
        raise AgendaError(f"„{name}“ ist eine Excel-Tabelle, keine Einladung. {EXPECTED}")
    raise AgendaError(f"„{name}“ ist ein ZIP-Archiv, aber kein Word-Dokument (.docx). {EXPECTED}")


def parse_json(data: bytes, name: str, expected: str = EXPECTED) -> Any:
    """The JSON in ``data`` (``base.jsonio``: size and depth bounds); AgendaError naming
    ``expected`` (the agenda's or the roster's formats)."""
    try:
        return jsonio.loads(data, max_bytes=MAX_FILE_BYTES)
    except jsonio.BadJSON as exc:
        reason = exc.reason
        if reason == "kein Text in UTF-8":
            raise AgendaError(f"„{name}“ ist keine JSON-Datei in UTF-8. {expected}") from exc
        if reason.startswith("kein gültiges JSON: "):
            where = reason.removeprefix("kein gültiges JSON: ")
            raise AgendaError(f"„{name}“ ist kein gültiges JSON ({where}). {expected}") from exc
        raise AgendaError(f"„{name}“ ist kein gültiges JSON (beschädigt: {reason}). {expected}") from exc


def _from_oparl(obj: Any, name: str, resolver: Resolver) -> AgendaImport:
    if type_name(obj) != "Meeting":
        if describe(obj).startswith("JSON"):
            raise AgendaError(f"„{name}“ ist JSON, aber kein OParl-Objekt. {NOT_A_MEETING}")
        raise AgendaError(f"„{name}“ enthält {describe(obj)}, keine Sitzung. {NOT_A_MEETING}")
    items, info, attendees = meeting_import(obj, resolver)
    if not items:
        title = info.committee or name
        raise AgendaError(f"Die OParl-Sitzung „{title}“ enthält keine Tagesordnungspunkte.")
    return AgendaImport(items=items, kind="oparl", info=info, attendees=attendees)


def load_oparl_url(url: str) -> tuple[Any, Resolver]:
    """The JSON object at ``url`` and a resolver for its links (same server only)."""
    client = OParlClient(check_url(url))
    return client.get(url.strip()), Resolver(client)


def load_agenda(source: str | Path) -> AgendaImport:
    """The agenda at ``source`` (path or http(s) URL of an OParl Meeting); AgendaError if unusable.

    Control characters (which a DOCX cannot hold) are removed from every text taken in."""
    imported = _load_agenda(source)
    clean_fields(imported.items)
    clean_fields(imported.info, single_line=True)
    clean_fields(imported.attendees, single_line=True)
    return imported


def _load_agenda(source: str | Path) -> AgendaImport:
    if isinstance(source, str) and "://" in source[:16]:
        if not is_url(source):
            check_url(source)  # raises: only http and https
        obj, resolver = load_oparl_url(source)
        return _from_oparl(obj, source.strip(), resolver)
    path = Path(source)
    data = read_limited(path)
    name = path.name
    kind = sniff(data, name)
    if kind == "json":
        try:
            obj = jsonio.loads(data, max_bytes=MAX_FILE_BYTES)
        except jsonio.BadJSON:
            if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
                parse_json(data, name)  # raises with the position of the error
            kind = "text"  # "[1] Eröffnung" is text
        else:
            return _from_oparl(obj, name, Resolver())
    if kind == "pdf":
        from .pdf import EXPECTED as expected
        from .pdf import parse_pdf

        items = parse_pdf(data, name)
    elif kind == "docx":
        from .docx import EXPECTED as expected
        from .docx import parse_docx

        items = parse_docx(data, name)
    else:
        expected = text_format.EXPECTED
        items = text_format.parse_agenda_lines(text_format.decode_agenda_text(data, path))
    if not items:
        raise AgendaError(f"In „{name}“ wurden keine Tagesordnungspunkte gefunden. {expected}")
    return AgendaImport(items=items, kind=kind)
