"""Attendee list (Anwesenheitsliste): CSV, plain text or OParl, detected by content.

* CSV with a header row: ``Name`` (or ``Vorname`` / ``Nachname``), ``Fraktion``, ``Rolle``,
  ``Anrede``, ``Titel``, ``Vertretung`` / ``i. V. für``, ``Status`` / ``anwesend``
  (values like "entschuldigt" mean absent), ``Ankunft`` / ``gegangen``; ``;``, ``,`` or tab
  separated; UTF-8 (with or without BOM) or Windows-1252.
* Plain text, one person per line: "Herr Dr. Max Schnell (CDU)", "Anna Berg (SPD, i. V. für
  Max Schnell)", "Eva Roth (Grüne) – entschuldigt", or "Name; Fraktion; Rolle".
* OParl JSON (file or http(s) URL): a Person, a list of Persons, or a Meeting's participants.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ..base.errors import AgendaError
from ..base.text import clean_fields, clean_text
from ..base.types import Attendee
from .fetch import is_url
from .load import load_oparl_url, parse_json, read_limited
from .names import split_name
from .oparl import Resolver, describe, is_page, meeting_import, person_attendee, type_name

MAX_PEOPLE = 5000
EXPECTED = (
    "Erwartet wird eine CSV-Datei mit Spalte „Name“ (oder „Vorname“/„Nachname“), eine Textdatei mit "
    "einem Namen je Zeile, z. B. „Herr Dr. Max Schnell (CDU)“, oder OParl-Personen (JSON)."
)

__all__ = [
    "Attendee",
    "attendees_from_text",
    "load_roster",
    "parse_attendee_line",
    "parse_attendees",
    "parse_roster_text",
    "roster_to_text",
]

_COLUMNS = {
    "name": ("name", "teilnehmer", "teilnehmerin", "mitglied", "person", "vollständigername"),
    "given_name": ("vorname",),
    "family_name": ("nachname", "familienname", "zuname"),
    "form_of_address": ("anrede",),
    "title": ("titel", "akadtitel"),
    "faction": ("fraktion", "partei", "gruppe", "fraktiongruppe", "faction"),
    "role": ("rolle", "funktion", "role"),
    "substitute_for": (
        "vertretung",
        "vertretungfür",
        "ivfür",
        "invertretungfür",
        "stellvertretungfür",
        "vertritt",
    ),
    "status": ("status", "anwesend", "anwesenheit", "teilnahme"),
    "arrived": ("ankunft", "gekommen", "anwesendab", "erschienen"),
    "left": ("gegangen", "abgang", "anwesendbis", "verlassen"),
}
_ABSENT = ("entschuldigt", "abwesend", "fehlt", "nicht anwesend", "unentschuldigt", "verhindert", "krank")
_NO = ("nein", "n", "0", "false", "-", "–", "no")
_ROLE_WORDS = {
    "vorsitz": "Vorsitz", "vorsitzende": "Vorsitz", "vorsitzender": "Vorsitz",
    "schriftführung": "Schriftführung", "schriftführer": "Schriftführung",
    "schriftführerin": "Schriftführung",
    "verwaltung": "Verwaltung", "gast": "Gast", "mitglied": "Mitglied",
    "beratendes mitglied": "beratendes Mitglied", "sachkundiger bürger": "beratendes Mitglied",
    "sachkundige bürgerin": "beratendes Mitglied",
}  # fmt: skip
_SUBSTITUTE = re.compile(
    r"(?:^|[\s,;(])(?:i\.\s*V\.|in\s+Vertretung|Vertretung|Vertreter(?:in)?)\s+(?:für|von)\s+(?P<who>[^(),;]+)",
    re.I,
)
_ABSENT_MARK = re.compile(r"\s*(?:[-–—,;:]\s*|\()\s*(?:entschuldigt|abwesend|fehlt)\s*\)?\s*$", re.I)


def _key(header: str) -> str:
    return re.sub(r"[^a-zäöüß]", "", header.lower())


def _present(value: str) -> bool:
    low = value.strip().lower()
    return not (any(word in low for word in _ABSENT) or low in _NO)


def _person(fields: dict[str, str]) -> Attendee | None:
    name = fields.get("name", "")
    parts = split_name(name) if name else None
    given = fields.get("given_name") or (parts.given_name if parts else "")
    family = fields.get("family_name") or (parts.family_name if parts else "")
    if not name:
        name = " ".join(p for p in (fields.get("title", ""), given, family) if p)
    elif parts and (parts.form_of_address or "," in name):
        name = parts.display or name
    if not name:
        return None
    status = fields.get("status", "")
    return Attendee(
        name=name,
        faction=fields.get("faction", ""),
        role=_ROLE_WORDS.get(fields.get("role", "").lower(), fields.get("role", "")),
        form_of_address=fields.get("form_of_address") or (parts.form_of_address if parts else ""),
        given_name=given,
        family_name=family,
        substitute_for=fields.get("substitute_for", ""),
        present=_present(status) if status else True,
        arrived=fields.get("arrived", ""),
        left=fields.get("left", ""),
    )


def _columns(header: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, head in enumerate(header):
        key = _key(head)
        for field, aliases in _COLUMNS.items():
            if key in aliases and field not in found.values():
                found[index] = field
                break
    return found


def parse_attendee_line(line: str) -> Attendee | None:
    """One roster line ("Herr Dr. Max Schnell (CDU)", "Name; Fraktion; Rolle"); None for blank."""
    text = line.strip().strip("\"'")
    if not text or text.startswith("#"):
        return None
    if ";" in text:  # "Name; Fraktion; Rolle" (empty columns stay empty, quoting as in CSV)
        parts = [p.strip() for p in next(csv.reader([line.strip()], delimiter=";"))] + ["", ""]
        person = parse_attendee_line(parts[0]) if ";" not in parts[0] else _person({"name": parts[0]})
        if person is not None:
            person.faction = parts[1] or person.faction
            person.role = _ROLE_WORDS.get(parts[2].lower(), parts[2]) or person.role
        return person
    present = True
    if _ABSENT_MARK.search(text):
        text, present = _ABSENT_MARK.sub("", text), False
    substitute = ""
    m = _SUBSTITUTE.search(text)
    if m:
        substitute = m.group("who").strip()
        text = (text[: m.start()] + text[m.end() :]).strip()
    extras: list[str] = []
    for inner in re.findall(r"\(([^()]*)\)", text):
        extras.extend(p.strip() for p in re.split(r"[,;/]", inner) if p.strip())
    text = re.sub(r"\s*\([^()]*\)\s*", " ", text).strip(" ,;-–")
    fields = {"name": text, "substitute_for": substitute, "status": "" if present else "entschuldigt"}
    for extra in extras:
        low = extra.lower()
        if low in _ROLE_WORDS or low.startswith(("beratend", "sachkundig", "stellv")):
            fields["role"] = fields.get("role") or _ROLE_WORDS.get(low, extra)
        elif any(word in low for word in _ABSENT):
            fields["status"] = "entschuldigt"
        elif not fields.get("faction"):
            fields["faction"] = extra
    return _person(fields)


def _from_csv(text: str, lines: list[str], name: str) -> list[Attendee] | None:
    header = lines[0]
    delimiter = max(";,\t", key=header.count)
    if not header.count(delimiter):
        return None
    columns = _columns([h.strip().strip("\"'") for h in next(csv.reader([header], delimiter=delimiter))])
    if not ({"name", "family_name"} & set(columns.values())):
        return None
    people = []
    reader = csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=delimiter)
    for row in reader:
        fields = {f: row[i].strip() for i, f in columns.items() if i < len(row) and row[i].strip()}
        person = _person(fields)
        if person is not None:
            people.append(person)
    return people


def _from_text(data: bytes, name: str) -> list[Attendee]:
    if b"\x00" in data[:4096]:
        raise AgendaError(f"„{name}“ ist keine Anwesenheitsliste. {EXPECTED}")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AgendaError(
            f"„{name}“ hat eine unbekannte Zeichenkodierung (UTF-8 oder Windows-1252 erwartet)."
        )
    if sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\r\n\t\f") > 10:
        raise AgendaError(f"„{name}“ ist keine Anwesenheitsliste. {EXPECTED}")
    return parse_roster_text(text)


def parse_roster_text(text: str) -> list[Attendee]:
    """The people in roster text: CSV with a header row, else one person per line.

    The one parser of typed and imported lists (session form, ``run --attendees``);
    ``roster_to_text`` writes text it reads back unchanged.
    """
    text = clean_text(text)  # control characters would break every DOCX (and split lines)
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return []
    people = _from_csv(text, lines, "")
    if people is None:
        people = [p for line in lines if (p := parse_attendee_line(line[:500])) is not None]
    clean_fields(people, single_line=True)  # control characters would break every DOCX export
    return [p for p in people if p.name]


# (column header, Attendee field) written by roster_to_text; the first three always.
_TEXT_COLUMNS = (
    ("Name", "name"),
    ("Fraktion", "faction"),
    ("Rolle", "role"),
    ("Anrede", "form_of_address"),
    ("Vertretung", "substitute_for"),
    ("Status", "present"),
    ("Ankunft", "arrived"),
    ("Gegangen", "left"),
)


def roster_to_text(people: list[Attendee]) -> str:
    """The roster as CSV text with a header row (``;``), read back whole by ``parse_roster_text``:
    empty columns stay empty, names with ``;`` or quotes are quoted; Anrede, Vertretung, Status,
    Ankunft and Gegangen only when someone has them."""
    if not people:
        return ""
    columns = [
        (head, attr)
        for index, (head, attr) in enumerate(_TEXT_COLUMNS)
        if index < 3 or any((not p.present) if attr == "present" else getattr(p, attr) for p in people)
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([head for head, _ in columns])
    for person in people:
        row = [getattr(person, attr) for _, attr in columns]
        writer.writerow(
            [("anwesend" if v else "entschuldigt") if isinstance(v, bool) else v.strip() for v in row]
        )
    return out.getvalue().rstrip("\n")


def attendees_from_text(text: str, known: list[Attendee] | None = None) -> list[Attendee]:
    """People from roster text; for names still there, what an import knew beyond the text
    (given and family name from own columns, OParl id) is kept from ``known``."""
    by_name = {a.name: a for a in known or []}
    people = parse_roster_text(text)
    for person in people:
        before = by_name.get(person.name)
        if before is not None:
            person.given_name = before.given_name or person.given_name
            person.family_name = before.family_name or person.family_name
            person.oparl_id = before.oparl_id
    return people


def _from_oparl(obj: Any, name: str, resolver: Resolver) -> list[Attendee]:
    if type_name(obj) == "Meeting":
        return meeting_import(obj, resolver)[2]
    if type_name(obj) == "Person":
        return [person_attendee(obj, resolver)]
    objects = obj["data"] if is_page(obj) else obj if isinstance(obj, list) else None
    if objects is not None:
        people = [o for o in objects if type_name(o) == "Person" and not o.get("deleted")]
        if people or not objects:
            return [person_attendee(p, resolver) for p in people[:MAX_PEOPLE]]
        what = "eine Liste ohne OParl-Personen"
    else:
        what = describe(obj)
    raise AgendaError(
        f"„{name}“ enthält {what}, keine Personen. Erwartet wird eine OParl-Person, eine Liste von "
        "Personen oder eine Sitzung (Meeting) mit Teilnehmenden."
    )


def load_roster(source: str | Path) -> list[Attendee]:
    """The attendees at ``source`` (path or http(s) URL of OParl data); AgendaError if unusable."""
    if isinstance(source, str) and is_url(source):
        obj, resolver = load_oparl_url(source)
        people = _from_oparl(obj, source.strip(), resolver)
        name = source.strip()
    else:
        path = Path(source)
        name = path.name
        data = read_limited(path, "Die Anwesenheitsliste", EXPECTED)
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            people = _from_oparl(parse_json(data, name, EXPECTED), name, Resolver())
        else:
            people = _from_text(data, name)
    clean_fields(people, single_line=True)  # control characters would break every DOCX export
    people = [p for p in people if p.name.strip()]  # an OParl Person without a usable name
    if not people:
        raise AgendaError(f"Die Anwesenheitsliste „{name}“ enthält keine Namen. {EXPECTED}")
    if len(people) > MAX_PEOPLE:
        raise AgendaError(
            f"„{name}“ enthält mehr als {MAX_PEOPLE} Personen; das ist keine Anwesenheitsliste."
        )
    return people


def parse_attendees(path: str | Path) -> list[Attendee]:
    """The attendees in the file at ``path`` (CSV, text or OParl JSON)."""
    return load_roster(Path(path))
