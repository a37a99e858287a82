"""Draft while recording: the items the session has finished, before the stop.

Every model call of the draft (the item JSON of an item with motions or votes, the
Verlaufsprotokoll's summary of each contribution, the Ergebnisprotokoll's context, the
locating of an item whose call was not heard) depends only on the item's transcript, its
speakers' labels, agenda and roster. ``draft_finished`` drafts every item but the last (the
one still being discussed) exactly as the draft after the stop will (``draft_minutes`` with
``finished_only``), through an engine that keeps each reply by its prompt
(``replies.CachedEngine``); the drafts themselves are dropped. After the stop, the draft
finds these prompts answered and asks the model only for what is new or changed: the last
item, an item the final diarization cut differently, an item whose speakers were named
meanwhile (a contribution's prompt holds no name and stays valid; the item JSON's does).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.jobs import CancelToken
from ..base.types import AgendaItem, Attendee, Segment
from .draft import DraftOptions, draft_minutes
from .replies import CachedEngine


@dataclass
class PredraftResult:
    items: int = 0  # finished items drafted (their model calls answered now or before)
    pieces: int = 0  # prompts of those items (answered now or before)


def draft_finished(
    segments: list[Segment],
    names: dict[str, str],
    agenda: list[AgendaItem] | None,
    roster: list[Attendee] | None,
    engine: CachedEngine,
    options: DraftOptions,
    markers: list[tuple[float, str]] | None = None,
    starts: dict[str, float] | None = None,
    cancel: CancelToken | None = None,
) -> PredraftResult:
    """Draft every finished item of ``segments`` through ``engine`` (its replies are kept)."""
    before = engine.prompts
    minutes = draft_minutes(
        segments,
        names,
        agenda,
        engine,
        options,
        cancel=cancel,
        markers=markers,
        starts=starts,
        roster=roster,
        finished_only=True,
    )
    return PredraftResult(items=len(minutes.agenda_items), pieces=engine.prompts - before)
