"""OParl 1.1 output: the session as a ``Meeting`` object with its ``agendaItem`` list.

Council information systems (RIS) import this to publish results: name,
start/end, ``meetingState`` "durchgeführt", ``resultsProtocol`` (a ``File``
pointing at the exported DOCX) and per agenda item number, order, name,
public, result and ``resolutionText``. Non-public items (Teil B) are left out
unless ``part`` is "gesamt" (or "nichtoeffentlich" for Teil B alone). Ids are
only set where the data came from OParl (``oparl_id``); nothing is invented.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..base.errors import OutputError
from ..base.types import MinutesItem
from .common import (
    ITEM_CONFIRMED,
    PART_NONPUBLIC,
    PART_PUBLIC,
    REVIEWED_SIGNOFF,
    ExportResult,
    check_part,
    in_part,
    item_state,
    parse_clock,
    parse_date,
    write_text_atomic,
)

OPARL = "https://schema.oparl.org/1.1/"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DRAFT_KEYWORD = "KI-Entwurf"
_SESSION_RE = re.compile(r"^\s*\d+\.\s*\S*\s*Sitzung\b", re.IGNORECASE)


def to_oparl(bundle: ExportResult, part: str = PART_PUBLIC, protocol_file: str = "") -> dict[str, Any]:
    """The session as an OParl 1.1 ``Meeting`` dict (JSON-able).

    ``protocol_file`` is the file name of the exported Niederschrift (DOCX); it
    becomes ``resultsProtocol`` (and ``verbatimProtocol`` for a Wortprotokoll).
    """
    check_part(part)
    if bundle.minutes is None:
        raise OutputError("Für den OParl-Export fehlt der Entwurf der Niederschrift.")
    info = bundle.info
    day = parse_date(info.date)
    start = _at(day, info.start_time)
    end = _at(day, info.end_time)
    if start is not None and end is not None and end < start:
        end += timedelta(days=1)  # the session ran past midnight

    meeting: dict[str, Any] = {}
    if info.oparl_id:
        meeting["id"] = info.oparl_id
    meeting["type"] = OPARL + "Meeting"
    meeting["name"] = meeting_name(bundle)
    meeting["meetingState"] = "durchgeführt"
    meeting["cancelled"] = False
    if start is not None:
        meeting["start"] = _iso(start)
    if end is not None:
        meeting["end"] = _iso(end)
    if info.location.strip():
        meeting["location"] = {"type": OPARL + "Location", "description": info.location.strip()}
    if protocol_file:
        meeting["resultsProtocol"] = _file(protocol_file, part, day)
        if bundle.minutes.protocol_type == "wort":
            meeting["verbatimProtocol"] = _file(protocol_file, part, day, verbatim=True)

    items = [(i, item) for i, item in enumerate(bundle.minutes.agenda_items) if in_part(item.public, part)]
    meeting["agendaItem"] = [_agenda_item(bundle, i, item, start) for i, item in items]
    reviewed = bundle.signoff_state in REVIEWED_SIGNOFF and all(
        item_state(bundle.item_states, i) == ITEM_CONFIRMED for i, _ in items
    )
    if not reviewed:
        meeting["keyword"] = [DRAFT_KEYWORD]
    return meeting


def write_oparl(
    path: str | os.PathLike[str], bundle: ExportResult, part: str = PART_PUBLIC, protocol_file: str = ""
) -> Path:
    """Write ``to_oparl`` as UTF-8 JSON atomically; return the path."""
    target = Path(path)
    text = json.dumps(to_oparl(bundle, part, protocol_file), ensure_ascii=False, indent=4) + "\n"
    write_text_atomic(target, text)
    return target


def meeting_name(bundle: ExportResult) -> str:
    """``4. Sitzung des Finanzausschusses`` (from the committee and session number)."""
    from .niederschrift_kopf import committee_genitive

    info = bundle.info
    committee = info.committee.strip()
    if _SESSION_RE.match(committee) or (committee and not info.session_number.strip()):
        return committee
    if info.session_number.strip():
        number = info.session_number.strip().rstrip(".")
        return f"{number}. Sitzung {committee_genitive(committee)}" if committee else f"{number}. Sitzung"
    return (info.title or "Sitzung").strip()


def item_result(item: MinutesItem) -> str | None:
    """OParl ``result`` text from the procedure and the vote outcome; None when unknown."""
    for event in item.procedure:
        if event.kind != "geschaeftsordnung":
            continue
        detail = f"{event.detail} {event.text}".lower()
        accepted = not re.search(r"abgelehnt|zurückgezogen", detail)
        if "vertag" in detail and accepted:
            return "Vertagt"
        if "absetz" in detail and accepted:
            return "Abgesetzt"
        if "verweis" in detail and accepted:
            return "Verwiesen"
    outcome = (item.vote.outcome or "").lower()
    resolution = item.resolution.lower()
    if "vertagt" in outcome:
        return "Vertagt"
    if "kenntnis" in outcome or (not outcome and "zur kenntnis" in resolution):
        return "Zur Kenntnis genommen"
    if "abgelehnt" in outcome:
        return "Abgelehnt"
    if "geändert" in outcome or "geaendert" in outcome:
        return "Geändert beschlossen"
    if re.search(r"angenommen|zugestimmt|beschlossen|einstimmig|mehrheitlich|einverstanden", outcome):
        return "Beschlossen"
    if outcome == "" and item.vote.yes is not None and item.vote.no is not None:
        return "Beschlossen" if item.vote.yes > item.vote.no else "Abgelehnt"
    return None


# ---------------------------------------------------------------------------- helpers


def _agenda_item(
    bundle: ExportResult, index: int, item: MinutesItem, start: datetime | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    oparl_id = getattr(item, "oparl_id", "") or _agenda_id(bundle, item)
    if oparl_id:
        entry["id"] = oparl_id
    entry["type"] = OPARL + "AgendaItem"
    if bundle.info.oparl_id:
        entry["meeting"] = bundle.info.oparl_id
    entry["number"] = item.number
    entry["order"] = index + 1  # position in the whole agenda (gaps where Teil B is left out)
    entry["name"] = item.title
    entry["public"] = bool(item.public)
    result = item_result(item)
    if result:
        entry["result"] = result
    if item.resolution.strip():
        entry["resolutionText"] = item.resolution.strip()
    if start is not None and item.start is not None:
        entry["start"] = _iso(start + timedelta(seconds=int(item.start)))
    if start is not None and item.end is not None:
        entry["end"] = _iso(start + timedelta(seconds=int(item.end)))
    return entry


def _agenda_id(bundle: ExportResult, item: MinutesItem) -> str:
    """The OParl id of the invitation's agenda item with the same number (and title)."""
    same = [a for a in bundle.agenda if a.oparl_id and a.number.strip() == item.number.strip()]
    exact = [a for a in same if a.title.strip() == item.title.strip()]
    chosen = exact or same
    return chosen[0].oparl_id if len(chosen) == 1 or exact else ""


def _file(file_name: str, part: str, day: date | None, *, verbatim: bool = False) -> dict[str, Any]:
    name = "Wortprotokoll" if verbatim else "Niederschrift"
    if part == PART_NONPUBLIC:
        name += " – Teil B (nichtöffentlich)"
    entry: dict[str, Any] = {
        "type": OPARL + "File",
        "name": name,
        "fileName": Path(file_name).name,
        "mimeType": DOCX_MIME,
    }
    if day is not None:
        entry["date"] = day.isoformat()
    return entry


def _at(day: date | None, clock_text: str) -> datetime | None:
    clock = parse_clock(clock_text)
    if day is None or clock is None:
        return None
    return datetime(day.year, day.month, day.day, clock[0], clock[1])


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _iso(local: datetime) -> str:
    """Local German time with its UTC offset (CET +01:00, CEST +02:00), like the OParl examples."""
    summer_start = datetime.combine(_last_sunday(local.year, 3), datetime.min.time()) + timedelta(hours=2)
    summer_end = datetime.combine(_last_sunday(local.year, 10), datetime.min.time()) + timedelta(hours=3)
    offset = "+02:00" if summer_start <= local < summer_end else "+01:00"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset
