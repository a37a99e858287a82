"""OParl 1.1 objects -> agenda items, session header and attendees.

A ``Resolver`` turns a reference into an object: embedded objects are used as they
are; URL strings are fetched only when the import came from a server URL (and only
from that server). Linked data that cannot be had (a file import, a failed fetch)
is left out, except the agenda items themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..base.errors import AgendaError
from ..base.text import clean_line, clean_text
from ..base.types import AgendaItem, Attendee, SessionInfo
from .fetch import OParlClient
from .lines import MAX_ITEMS
from .names import split_name

MAX_PAGES = 50
_TYPE_NAMES = {
    "System": "ein OParl-System (der Einstiegspunkt eines Servers)",
    "Body": "eine Körperschaft (OParl „Body“)",
    "Organization": "ein Gremium (OParl „Organization“)",
    "Person": "eine Person (OParl „Person“)",
    "Membership": "eine Mitgliedschaft (OParl „Membership“)",
    "Paper": "eine Drucksache (OParl „Paper“)",
    "Consultation": "eine Beratung (OParl „Consultation“)",
    "AgendaItem": "ein einzelner Tagesordnungspunkt (OParl „AgendaItem“)",
    "File": "eine Datei (OParl „File“)",
    "Location": "ein Ort (OParl „Location“)",
    "LegislativeTerm": "eine Wahlperiode (OParl „LegislativeTerm“)",
}
NOT_A_MEETING = (
    "Erwartet wird eine Sitzung (OParl „Meeting“), z. B. https://ris.example.de/oparl/meeting/281."
)


def type_name(obj: Any) -> str:
    """ "Meeting" for an OParl Meeting object, "" for anything else."""
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        return ""
    kind = obj["type"]
    return kind.rstrip("/").rsplit("/", 1)[-1] if "oparl" in kind.lower() else ""


def is_page(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("data"), list)
        and ("links" in obj or "pagination" in obj)
    )


def describe(obj: Any) -> str:
    """German words for what ``obj`` is (for error messages)."""
    if is_page(obj):
        return f"eine OParl-Liste (eine Seite mit {len(obj['data'])} Objekten)"
    kind = type_name(obj)
    if kind:
        return _TYPE_NAMES.get(kind, f"ein OParl-Objekt vom Typ „{kind}“")
    if isinstance(obj, list):
        return "eine JSON-Liste"
    return "JSON ohne OParl-Typangabe („type“)"


def _text(value: Any) -> str:
    """A one-line text field of a server's object (control characters and breaks removed)."""
    return clean_line(value) if isinstance(value, str) else ""


def _paragraph(value: Any) -> str:
    """A multi-line text field (line breaks kept, control characters removed)."""
    return clean_text(value).strip() if isinstance(value, str) else ""


def _refs(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


class Resolver:
    def __init__(self, client: OParlClient | None = None) -> None:
        self.client = client

    def obj(self, ref: Any, required: bool = False) -> dict[str, Any] | None:
        """The object ``ref`` names (embedded or fetched), else None (AgendaError if ``required``)."""
        if isinstance(ref, dict):
            return ref
        if not isinstance(ref, str) or not ref:
            return None
        if self.client is None or not self.client.same_server(ref):
            if required:
                raise AgendaError(
                    f"Die Sitzung verweist auf „{ref}“, das nicht in der Datei enthalten ist. "
                    "Bitte die Sitzung über die URL des OParl-Servers laden."
                )
            return None
        try:
            value = self.client.get(ref)
        except AgendaError:
            if required:
                raise
            return None
        return value if isinstance(value, dict) else None

    def objects(self, ref: Any, required: bool = False) -> list[dict[str, Any]]:
        """The objects of a list of references, or of a (paged) list URL."""
        if isinstance(ref, list):
            found = [self.obj(r, required) for r in ref]
            return [o for o in found if o is not None and not o.get("deleted")]
        result: list[dict[str, Any]] = []
        page = self.obj(ref, required)
        for _ in range(MAX_PAGES):
            if page is None:
                break
            if not is_page(page):
                return [page]
            result.extend(o for o in page["data"] if isinstance(o, dict) and not o.get("deleted"))
            page = self.obj((page.get("links") or {}).get("next"), required)
        return result

    def name(self, ref: Any, short: bool = False) -> str:
        obj = self.obj(ref)
        if not obj:
            return ""
        return (
            _text(obj.get("shortName")) if short and _text(obj.get("shortName")) else _text(obj.get("name"))
        )


def _paper(item: dict[str, Any], resolver: Resolver) -> str:
    for ref in _refs(item.get("consultation")):
        consultation = resolver.obj(ref)
        paper = resolver.obj(consultation.get("paper")) if consultation else None
        if paper:
            return _text(paper.get("reference")) or _text(paper.get("name"))
    return ""


def agenda_item(obj: dict[str, Any], resolver: Resolver, index: int = 0) -> AgendaItem:
    number = _text(obj.get("number")) or (str(obj["order"]) if isinstance(obj.get("order"), int) else "")
    return AgendaItem(
        number=number or str(index + 1),
        title=_text(obj.get("name")),
        public=obj.get("public") is True,  # fail closed: missing, null, "true", 1 = nichtöffentlich
        paper=_paper(obj, resolver),
        proposal=_paragraph(obj.get("resolutionText")),
        oparl_id=_text(obj.get("id")),
    )


def _time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _location(ref: Any, resolver: Resolver) -> str:
    loc = resolver.obj(ref)
    if not loc:
        return ""
    description = _text(loc.get("description"))
    if not description:
        city = " ".join(p for p in (_text(loc.get("postalCode")), _text(loc.get("locality"))) if p)
        description = ", ".join(p for p in (_text(loc.get("streetAddress")), city) if p)
    room = _text(loc.get("room"))
    if room and room not in description:
        description = f"{description}, {room}" if description else room
    return description


def session_info(meeting: dict[str, Any], items: list[AgendaItem], resolver: Resolver) -> SessionInfo:
    name = _text(meeting.get("name"))
    committee = next((n for ref in _refs(meeting.get("organization")) if (n := resolver.name(ref))), "")
    start, end = _time(meeting.get("start")), _time(meeting.get("end"))
    number = re.match(r"^\s*(\d+)\.\s*(?:\w+)?[Ss]itzung", name)
    public = [i.public for i in items]
    info = SessionInfo(
        title="Niederschrift",
        committee=committee or name,
        date=start.strftime("%d.%m.%Y") if start else "",
        start_time=start.strftime("%H:%M") if start else "",
        end_time=end.strftime("%H:%M") if end else "",
        location=_location(meeting.get("location"), resolver),
        session_number=number.group(1) if number else "",
        oparl_id=_text(meeting.get("id")),
    )
    if public and not any(public):
        info.public = "nichtöffentliche Sitzung"
    elif not all(public):
        info.public = "öffentliche und nichtöffentliche Sitzung"
    return info


def _role(role: str) -> str:
    low = role.lower()
    if low.startswith("vorsitz"):
        return "Vorsitz"
    if low.startswith(("mitglied", "ordentliches mitglied", "ratsmitglied")):
        return "Mitglied"
    if low.startswith(("sachkundig", "beratend")):
        return "beratendes Mitglied"
    if low.startswith("schriftf"):
        return "Schriftführung"
    return role


def _current(membership: dict[str, Any], day: str) -> bool:
    end, start = _text(membership.get("endDate")), _text(membership.get("startDate"))
    return not membership.get("deleted") and not (end and end < day) and not (start and start > day)


def person_attendee(
    person: dict[str, Any], resolver: Resolver, organizations: set[str] | None = None, day: str = ""
) -> Attendee:
    """An Attendee from an OParl Person; ``organizations``: ids of the meeting's Gremien."""
    titles = [t for t in _refs(person.get("title")) if isinstance(t, str)]
    given, family = _text(person.get("givenName")), _text(person.get("familyName"))
    name = _text(person.get("name")) or " ".join(p for p in (*titles, given, family) if p)
    if not family:
        parts = split_name(name)
        family, given = parts.family_name, given or parts.given_name
    attendee = Attendee(
        name=name,
        form_of_address=_text(person.get("formOfAddress")),
        given_name=given,
        family_name=family,
        oparl_id=_text(person.get("id")),
    )
    day = day or dt.date.today().isoformat()
    memberships = [m for m in resolver.objects(_refs(person.get("membership"))[:50]) if _current(m, day)]
    for membership in memberships:
        org_ref = membership.get("organization")
        org_id = org_ref.get("id") if isinstance(org_ref, dict) else org_ref
        if not attendee.faction and membership.get("onBehalfOf"):
            attendee.faction = resolver.name(membership["onBehalfOf"], short=True)
        in_meeting = not organizations or org_id in organizations
        if in_meeting and not attendee.role and _text(membership.get("role")):
            attendee.role = _role(_text(membership["role"]))
        if not attendee.faction and org_ref is not None:
            org = resolver.obj(org_ref)
            kind = f"{_text((org or {}).get('organizationType'))} {_text((org or {}).get('classification'))}"
            if org and "fraktion" in kind.lower():
                attendee.faction = _text(org.get("shortName")) or _text(org.get("name"))
    return attendee


def meeting_import(
    meeting: dict[str, Any], resolver: Resolver
) -> tuple[list[AgendaItem], SessionInfo, list[Attendee]]:
    """Items, header and participants of an OParl Meeting."""
    refs = meeting.get("agendaItem")
    if isinstance(refs, list) and len(refs) > MAX_ITEMS:
        raise AgendaError(f"Die Sitzung hat mehr als {MAX_ITEMS} Tagesordnungspunkte.")
    objs = resolver.objects(refs, required=True) if refs else []
    objs = [o for o in objs if type_name(o) in ("AgendaItem", "") and not o.get("deleted")]
    if objs and all(isinstance(o.get("order"), int) for o in objs):
        objs.sort(key=lambda o: o["order"])
    items = [agenda_item(o, resolver, i) for i, o in enumerate(objs[:MAX_ITEMS])]
    info = session_info(meeting, items, resolver)
    start = _time(meeting.get("start"))
    org_refs = [r.get("id") if isinstance(r, dict) else r for r in _refs(meeting.get("organization"))]
    organizations = {r for r in org_refs if isinstance(r, str)}
    day = start.date().isoformat() if start else ""
    people = resolver.objects(_refs(meeting.get("participant"))[:1000])
    attendees = [
        person_attendee(p, resolver, organizations, day) for p in people if type_name(p) in ("Person", "")
    ]
    return items, info, [a for a in attendees if a.name.strip()]
