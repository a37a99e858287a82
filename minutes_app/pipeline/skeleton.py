"""The Niederschrift without a draft (``run --no-draft``): the skeleton with the transcript per item.

Items come from the agenda and the boundaries the drafting stage would find without the LLM
(markers, starts set by hand, spoken cues, titles: ``drafting.cues.segment_items``); each
item holds the transcript of its part of the session, plainly marked as not being a draft.
Non-public items keep their status, so Teil B goes to its own file as with a draft; speakers
who objected to the recording are left out.
"""

from __future__ import annotations

from ..base.types import Minutes, MinutesItem, Segment, Speaker
from ..session.project import Project

NO_DRAFT_ENGINE = "ohne Entwurf"
NO_DRAFT_FLAG = (
    "Ohne Protokollentwurf erstellt (--no-draft): Der Text ist das automatische Transkript dieses "
    "Tagesordnungspunkts. Beratung, Anträge, Beschluss und Abstimmung bitte von Hand eintragen."
)
NOT_HEARD = "Im Transkript nicht gefunden."


def transcript_skeleton(project: Project, segments: list[Segment], speakers: list[Speaker]) -> Minutes:
    """Minutes with one item per agenda item (and the opening), each holding its transcript."""
    from ..drafting.cues import segment_items
    from ..session.privacy import excluded_segments

    kept, _ = excluded_segments(project, segments)
    ordered = sorted(kept, key=lambda s: (s.start, s.id))
    markers = [(float(m["time"]), str(m.get("label", ""))) for m in project.data.get("markers", [])]
    agenda = project.agenda
    spans = segment_items(ordered, agenda or None, markers, project.item_starts)
    labels = {s.id: s.label for s in speakers}
    by_number = {a.number: a for a in agenda}
    items: list[MinutesItem] = []
    for span in spans:
        lines = [
            f"{labels.get(seg.speaker or '', seg.speaker or 'Unbekannt')}: {seg.text.strip()}"
            for seg in span.segments
            if seg.text.strip()
        ]
        item = MinutesItem(
            span.number, span.title, span.start, span.end, discussion="\n".join(lines) or NOT_HEARD
        )
        item.flags = [NO_DRAFT_FLAG]
        given = by_number.get(span.number) if span.in_agenda else None
        if given is not None:  # what the invitation says about the item, Teil B included
            item.public, item.paper, item.proposal = given.public, given.paper, given.proposal
        items.append(item)
    return Minutes(items, engine=NO_DRAFT_ENGINE, protocol_type=project.protocol_type)
