"""Draft while recording: the model summaries of the items the session has finished.

The Verlaufsprotokoll's costly part is one model call per piece of a substantive
contribution (``beratung.summarise_item``). Its prompt holds only the piece's text, not the
speaker's name, so it can be answered before the speakers are named and before the
recording ends: ``summarise_finished`` splits what has been transcribed and diarized so far
into items exactly as the draft does (``cues.segment_items``), and sends the
contributions of every item but the last (the one still being discussed) through the
engine, which keeps each reply by its prompt (``replies.CachedEngine``). After the stop, the
draft finds these prompts answered and asks the model only for what is new or changed (the
last item, a contribution the final diarization cut differently).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.jobs import CancelToken
from ..base.types import AgendaItem, Attendee, Segment
from .beratung import summarise_item
from .cues import segment_items
from .draft import DraftOptions, draft_templates
from .engines.base import LLMEngine
from .speakers import contributions, draft_labels, known_names


@dataclass
class PredraftResult:
    items: int = 0  # finished items whose contributions went through the engine
    pieces: int = 0  # prompts of those items (answered now or before)


def summarise_finished(
    segments: list[Segment],
    agenda: list[AgendaItem] | None,
    roster: list[Attendee] | None,
    engine: LLMEngine,
    options: DraftOptions,
    markers: list[tuple[float, str]] | None = None,
    starts: dict[str, float] | None = None,
    cancel: CancelToken | None = None,
) -> PredraftResult:
    """Send the contributions of every finished item of ``segments`` through ``engine``."""
    result = PredraftResult()
    template = next((t for t in draft_templates(options) if t.name == "contribution"), None)
    if template is None:  # Ergebnis- and Wortprotokoll: no per-contribution summaries
        return result
    ordered = sorted(segments, key=lambda s: (s.start, s.id))
    labels = draft_labels(ordered, {}, roster)
    known = known_names(agenda, roster)
    spans = segment_items(ordered, agenda, markers, starts)  # no model call to locate an item here
    for span in spans[:-1]:  # the last item may still be going on
        if cancel is not None:
            cancel.raise_if_cancelled()
        found = summarise_item(contributions(span.segments, labels), engine, template, known, cancel=cancel)
        result.items += 1
        result.pieces += found.model_calls
    return result
