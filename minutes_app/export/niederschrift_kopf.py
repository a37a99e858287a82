"""Frame of the Niederschrift: Kopf, Anwesenheit and Schluss with the signature lines."""

from __future__ import annotations

import re
from typing import Any

from ..base.errors import OutputError
from ..base.types import Attendee, ProcedureEvent, Speaker
from .common import PART_ALL, PART_NONPUBLIC, ExportResult, clock_after, fmt_clock, part_bundle, plain_clock
from .docx_base import (
    DRAFT_MARK,
    MISSING,
    DocContext,
    bullets,
    heading,
    labelled,
    para,
    role_key,
    small,
)

_FEMININE = (
    "vertretung",
    "versammlung",
    "kommission",
    "konferenz",
    "kammer",
    "runde",
    "gruppe",
    "deputation",
)
_SESSION_RE = re.compile(r"^\s*\d+\.\s*(öffentliche\s+|nichtöffentliche\s+)?Sitzung\b", re.IGNORECASE)


def committee_genitive(committee: str) -> str:
    """``Hauptausschuss`` -> ``des Hauptausschusses``, ``Rat der Stadt X`` -> ``des Rates der Stadt X``.

    A light heuristic for the usual names of councils and committees; anything
    unknown keeps its form after ``des``.
    """
    name = " ".join(committee.split())
    if not name:
        return f"des Gremiums {MISSING}"
    if re.match(r"^(des|der)\s", name, re.IGNORECASE):
        return name
    head, _, rest = name.partition(" ")
    low = head.lower()
    if low.endswith(_FEMININE):
        return f"der {name}"
    if low.endswith(("ausschuss", "rat", "tag")):
        head += "es"
    return " ".join(p for p in ("des", head, rest) if p)


def kopf_title(ctx: DocContext) -> str:
    """``Niederschrift über die 3. Sitzung des Hauptausschusses`` (gaps shown as ``MISSING``)."""
    info = ctx.info
    word = (info.title or "").strip() or "Niederschrift"
    if word.lower() != "niederschrift":
        return word  # a title set by the user is kept as given
    if _SESSION_RE.match(info.committee):
        return f"{word} über die {info.committee.strip()}"
    number = info.session_number.strip().rstrip(".") or MISSING
    return f"{word} über die {number}. Sitzung {committee_genitive(info.committee)}"


def session_kind(ctx: DocContext) -> str:
    if ctx.part == PART_NONPUBLIC:
        return "nichtöffentliche Sitzung (Teil B)"
    kind = ctx.info.public.strip() or "öffentliche Sitzung"
    if ctx.part == PART_ALL and ctx.items(public=False) and "nicht" not in kind:
        return "öffentliche und nichtöffentliche Sitzung"
    return kind


def interruptions(ctx: DocContext) -> str:
    """``18:05 – 18:20 Uhr`` per interruption; recording offsets when the start time is unknown."""
    events: list[ProcedureEvent] = [e for e in ctx.minutes.events if e.kind == "unterbrechung"]
    if not events:
        return "keine erfasst"
    parts = []
    for event in sorted(events, key=lambda e: e.start):
        start = clock_after(ctx.info.start_time, event.start)
        end = clock_after(ctx.info.start_time, event.end)
        if start and end:
            parts.append(f"{start} – {end} Uhr")
        else:
            parts.append(f"Aufnahme {fmt_clock(event.start)} – {fmt_clock(event.end)} (Uhrzeit {MISSING})")
    return "; ".join(parts)


def kopf(doc: Any, ctx: DocContext) -> None:
    heading(doc, kopf_title(ctx), 0)
    info = ctx.info
    for label, value in (
        ("Gremium", info.committee),
        ("Datum", info.date),
        ("Ort", info.location),
        ("Sitzungsart", session_kind(ctx)),
        ("Beginn", info.start_time),
        ("Unterbrechungen", interruptions(ctx)),
        ("Ende", info.end_time),
    ):
        labelled(doc, label, value)


# ---------------------------------------------------------------------------- Anwesenheit


def _times(person: Attendee) -> str:
    spans = []
    if person.arrived.strip():
        spans.append(f"ab {plain_clock(person.arrived)} Uhr")
    if person.left.strip():
        spans.append(f"bis {plain_clock(person.left)} Uhr")
    return ", ".join(spans)


def attendee_line(person: Attendee, *, with_faction: bool = False) -> str:
    """``Dr. Anna Schnell (i. V. für Peter Lang, ab 18:40 Uhr)``."""
    extra = []
    if with_faction and person.faction.strip():
        extra.append(person.faction.strip())
    if person.substitute_for.strip():
        extra.append(f"i. V. für {person.substitute_for.strip()}")
    if times := _times(person):
        extra.append(times)
    return person.name.strip() + (f" ({', '.join(extra)})" if extra else "")


def anwesenheit(doc: Any, ctx: DocContext) -> None:
    roster = [a for a in ctx.attendees if a.name.strip()]
    if not roster:
        _speakers_fallback(doc, ctx)
        return
    heading(doc, "Anwesenheit", 1)
    present = [a for a in roster if a.present]
    by_role: dict[str, list[Attendee]] = {}
    for person in present:
        by_role.setdefault(role_key(person.role), []).append(person)

    _group(doc, "Vorsitz", [attendee_line(a, with_faction=True) for a in by_role.get("vorsitz", [])])
    members = by_role.get("mitglied", [])
    para(doc, "Stimmberechtigte Mitglieder", bold=True)
    if not members:
        para(doc, MISSING)
    factions: dict[str, list[Attendee]] = {}
    for person in members:
        factions.setdefault(person.faction.strip() or "ohne Fraktionszugehörigkeit", []).append(person)
    for faction, people in factions.items():
        para(doc, faction, italic=True)
        bullets(doc, [attendee_line(a) for a in people])
    for key, label in (
        ("beratend", "Beratende Mitglieder"),
        ("verwaltung", "Von der Verwaltung"),
        ("gast", "Gäste"),
    ):
        _group(doc, label, [attendee_line(a, with_faction=True) for a in by_role.get(key, [])])
    absent = [a for a in roster if not a.present]
    _group(doc, "Entschuldigt fehlen", [attendee_line(a, with_faction=True) for a in absent])
    _group(doc, "Schriftführung", [attendee_line(a) for a in by_role.get("schrift", [])])
    moving = [a for a in present if _times(a)]
    _group(doc, "Zeitweise anwesend", [f"{a.name.strip()}: {_times(a)}" for a in moving])
    voting = len(members) + len(by_role.get("vorsitz", []))
    small(
        doc,
        f"Anwesend laut Anwesenheitsliste: {voting} stimmberechtigt (einschließlich Vorsitz); "
        f"entschuldigt: {len(absent)}.",
    )


def _group(doc: Any, label: str, lines: list[str]) -> None:
    if not lines:
        return
    para(doc, label, bold=True)
    bullets(doc, lines)


def _speakers_fallback(doc: Any, ctx: DocContext) -> None:
    heading(doc, "Anwesende", 1)
    small(
        doc,
        "In der Aufnahme erkannte Sprecherinnen und Sprecher; bitte mit der Anwesenheitsliste abgleichen.",
    )
    speakers = _speakers_of_part(ctx)
    if speakers:
        bullets(doc, [s.label for s in speakers])
    else:
        para(doc, MISSING)


def _speakers_of_part(ctx: DocContext) -> list[Speaker]:
    """The speakers heard in this part: one heard only in Teil B is not named in Teil A."""
    if ctx.part == PART_ALL or all(item.public for item in ctx.minutes.agenda_items):
        return ctx.speakers
    bundle = ExportResult(ctx.info, ctx.speakers, ctx.transcript, ctx.minutes)
    try:
        return part_bundle(bundle, ctx.part).speakers
    except OutputError:  # Teil B cannot be located in the recording: name nobody (fail closed)
        return []


# ---------------------------------------------------------------------------- Schluss


def schluss(doc: Any, ctx: DocContext) -> None:
    heading(doc, "Schluss", 1)
    para(doc, f"Ende der Sitzung: {ctx.info.end_time or MISSING}")
    para(doc)
    signers = [("Vorsitz", ctx.chair), ("Schriftführung", ctx.recorder)]
    if ctx.cosigner.strip():
        signers.append(("Mitunterzeichnung", ctx.cosigner.strip()))
    table = doc.add_table(rows=4, cols=len(signers))
    for col, (role, name) in enumerate(signers):
        table.cell(0, col).text = ""
        table.cell(1, col).text = "_" * 30
        table.cell(2, col).text = name or MISSING
        table.cell(3, col).text = role
    para(doc)
    minutes = ctx.minutes
    origin = "; ".join(
        o
        for o in (
            f"Modell: {minutes.model}" if minutes.model else "",
            f"Prompt-Version: {minutes.prompt_version}" if minutes.prompt_version else "",
        )
        if o
    )
    if ctx.is_draft:
        text = f"{DRAFT_MARK}." + (f" {origin}." if origin else "")
    else:
        text = "Mit Unterstützung eines KI-Systems erstellt und von der Schriftführung geprüft." + (
            f" {origin}." if origin else ""
        )
    para(doc, text, italic=True, size=8)
