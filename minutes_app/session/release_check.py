"""What must be done before the Niederschrift can be checked (geprüft) or released (Qt-free).

``blockers`` lists, each with where it is (``Blocker.item``/``field``/``hint``/``speaker``):

- placeholders: a header field or a Beschluss the DOCX would print as „[bitte ergänzen]“,
  and bracketed placeholders typed or generated into the draft text („[bitte ergänzen]“,
  „[Name]“, „[…]“);
- raw speaker ids („SPEAKER_03“) in the draft text, and unnamed speakers where the
  document shows speaker labels (Wortprotokoll, or no attendee list);
- open „Hinweise zur Prüfung“ (``MinutesItem.flags``; ``SessionDoc.resolve_hint`` clears one).

``signoff.mark_reviewed`` refuses on what is in the draft text (placeholders, raw ids) and
open hints (``blocks_review``); ``signoff.release`` on all of them. The GUI turns each blocker into a link
to its place, the CLI (``signoff --freigeben``) prints the list and exits with 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..base.errors import ProjectError
from ..base.types import Attendee, Minutes, MinutesItem, SessionInfo
from .project import Project

if TYPE_CHECKING:
    from .editing import SessionDoc

PLACEHOLDER, SPEAKER_ID, HINT, HEADER = "platzhalter", "sprecher", "hinweis", "kopf"
_PLACEHOLDER = re.compile(
    r"\[(?:[^\[\]\n]{0,80}\b(?:bitte|ergänzen|einfügen|Name|Zahl|unklar|unverständlich|TODO)\b[^\[\]\n]{0,80}"
    r"|\s*(?:…|\.\.\.|\?+|x+)\s*)\]",
    re.IGNORECASE,
)
_RAW_SPEAKER = re.compile(r"\bSPEAKER_\d+\b")
# Session header fields the Niederschrift prints (SessionInfo field, German label).
HEADER_FIELDS = (
    ("committee", "Gremium"),
    ("session_number", "Sitzungsnummer"),
    ("date", "Datum"),
    ("location", "Ort"),
    ("start_time", "Beginn"),
    ("end_time", "Ende"),
    ("chair", "Vorsitz"),
    ("recorder", "Schriftführung"),
)
ITEM_FIELD_LABELS = {
    "title": "Titel",
    "discussion": "Beratung",
    "motions": "Anträge",
    "resolution": "Beschluss",
    "vote": "Abstimmung",
    "procedure": "Verfahren",
}


@dataclass(frozen=True)
class Blocker:
    kind: str  # PLACEHOLDER, SPEAKER_ID, HINT or HEADER
    text: str  # German, one line
    item: int | None = None  # index of the draft item
    field: str = ""  # item field (ITEM_FIELD_LABELS) or header field (HEADER_FIELDS)
    hint: int | None = None  # index into the item's flags
    speaker: str = ""  # a raw speaker id
    match: str = ""  # the placeholder or id as it stands in the text


class ReleaseBlocked(ProjectError):
    """A sign-off step refused while ``blockers`` remain (the message lists them)."""

    def __init__(self, message: str, blockers: list[Blocker]) -> None:
        super().__init__(message)
        self.blockers = blockers


def blocks_review(blocker: Blocker) -> bool:
    """Whether ``blocker`` also stops „geprüft“: text in the draft and open hints (the Schriftführung's
    part); missing header data, Beschlüsse and names block only the release."""
    return blocker.kind == HINT or (bool(blocker.match) and blocker.item is not None)


def role_names(attendees: list[Attendee], word: str) -> list[str]:
    return [a.name for a in attendees if word in a.role.lower() and a.name.strip()]


def signer_name(project: Project, step: str) -> str:
    """The configured signer: Vorsitz (release) or Schriftführung (review) of the header or roster."""
    info = project.info
    if step == "release":
        return info.chair.strip() or ", ".join(role_names(project.attendees, "vorsitz"))
    return info.recorder.strip() or ", ".join(role_names(project.attendees, "schrift"))


def _item_name(item: MinutesItem) -> str:
    head = f"TOP {item.number}" if item.number.strip() else "Regularien"
    return f"{head} „{item.title}“" if item.title.strip() else head


def _texts(item: MinutesItem) -> list[tuple[str, str]]:
    out = [
        ("title", item.title),
        ("discussion", item.discussion),
        ("motions", "\n".join(item.motions)),
        ("resolution", item.resolution),
        ("vote", item.vote.outcome or ""),
    ]
    out += [("procedure", f"{e.who}\n{e.detail}\n{e.text}") for e in item.procedure]
    return out


def _header(info: SessionInfo, attendees: list[Attendee]) -> list[Blocker]:
    found = []
    for key, label in HEADER_FIELDS:
        value = str(getattr(info, key, "") or "").strip()
        if key == "chair":
            value = value or ", ".join(role_names(attendees, "vorsitz"))
        elif key == "recorder":
            value = value or ", ".join(role_names(attendees, "schrift"))
        elif key == "session_number" and (
            re.match(r"^\s*\d+\.", info.committee) or info.title.strip().lower() not in ("", "niederschrift")
        ):
            continue  # the title says it already
        if not value:
            found.append(Blocker(HEADER, f"Kopfdaten: {label} fehlt („[bitte ergänzen]“)", field=key))
    return found


def _item(index: int, item: MinutesItem, names: dict[str, str]) -> list[Blocker]:
    where = _item_name(item)
    found = []
    for key, text in _texts(item):
        label = ITEM_FIELD_LABELS[key]
        for m in dict.fromkeys(x.group(0) for x in _PLACEHOLDER.finditer(text)):
            found.append(Blocker(PLACEHOLDER, f"{where}, {label}: Platzhalter {m}", index, key, match=m))
        for m in dict.fromkeys(_RAW_SPEAKER.findall(text)):
            now = f" (benannt: {names[m]})" if names.get(m) else ""
            found.append(
                Blocker(
                    SPEAKER_ID, f"{where}, {label}: Sprecherkennung {m}{now}", index, key, speaker=m, match=m
                )
            )
    no_result = not (item.resolution.strip() or item.proposal.strip())
    if item.number.strip() and no_result:
        text = f"{where}: Beschluss fehlt („[bitte ergänzen]“; z. B. „Kenntnisnahme“ eintragen)"
        found.append(Blocker(PLACEHOLDER, text, index, "resolution"))
    for e in item.procedure:
        if e.kind == "befangenheit" and not (e.who.strip() or e.text.strip()):
            found.append(Blocker(PLACEHOLDER, f"{where}: Befangenheit ohne Namen", index, "procedure"))
    for number, flag in enumerate(item.flags):
        found.append(Blocker(HINT, f"{where}: Hinweis „{flag}“", index, "flags", hint=number))
    return found


def check(
    minutes: Minutes,
    info: SessionInfo,
    attendees: list[Attendee],
    speakers: list[Any],
    segments: list[Any],
) -> list[Blocker]:
    """The blockers of a draft with its header, roster, speakers (``id``, ``name``) and segments."""
    names = {s.id: s.name for s in speakers if getattr(s, "name", "")}
    found = _header(info, attendees)
    for index, item in enumerate(minutes.agenda_items):
        found += _item(index, item, names)
    labels_shown = (minutes.protocol_type or "").strip().lower() == "wort" or not any(
        a.name.strip() for a in attendees
    )
    if labels_shown:
        spoken = dict.fromkeys(s.speaker for s in segments if s.speaker)
        for speaker in spoken:
            if not names.get(speaker):
                text = (
                    f"Sprecher {speaker} hat keinen Namen "
                    "(die Niederschrift nennt ihn nur neutral, z. B. „Ein Mitglied des Gremiums“)"
                )
                found.append(Blocker(SPEAKER_ID, text, speaker=speaker, match=speaker))
    return found


def blockers(target: Project | SessionDoc) -> list[Blocker]:
    """``check`` for a session (the open ``SessionDoc`` or a project on disk)."""
    if isinstance(target, Project):
        from .result import load_session

        if "draft" not in target.data.get("stages", {}):
            return []
        result = load_session(target)
        project, minutes, speakers, segments = target, result.minutes, result.speakers, result.segments
    else:
        project, minutes, speakers, segments = (
            target.project,
            target.minutes,
            target.speakers,
            target.segments,
        )
    if minutes is None:
        return []
    from .privacy import excluded_segments

    kept, _ = excluded_segments(project, segments)
    return check(minutes, project.info, project.attendees, speakers, kept)


def message(found: list[Blocker], step: str) -> str:
    """German refusal listing ``found`` (at most 30 lines)."""
    what = "freigegeben" if step == "release" else "als geprüft markiert"
    lines = [f"• {b.text}" for b in found[:30]]
    if len(found) > 30:
        lines.append(f"• … und {len(found) - 30} weitere")
    return f"Die Niederschrift kann noch nicht {what} werden. Bitte zuerst erledigen:\n" + "\n".join(lines)
