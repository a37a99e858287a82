"""Regenerate the draft of one agenda item with the LLM (Qt-free; runs in a job).

``prepare`` copies what the job needs in the GUI thread (the item's segments and the
speaker names), so the background work never reads the document while it is edited.
The item is drafted by the same code as a whole session (``drafting.draft``): LLM
reply, repair, rule-based fallbacks and the check that vote counts were said.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..base.errors import ProjectError
from ..base.jobs import CancelToken, ProgressFn
from ..base.types import MinutesItem, Segment
from ..session.editing import SessionDoc

# Hints about how the item was found in the transcript: a regeneration cannot
# re-derive them (it only sees the item's own segments), so they are carried over.
_ASSIGNMENT_HINTS = ("wurde aufgerufen", "Kein Aufruf gehört", "Zuordnung über", "Sprachmodell geschätzt")


@dataclass
class RegenRequest:
    index: int
    number: str
    title: str
    segments: list[Segment]
    speakers: dict[str, str]
    kept_flags: list[str] = field(default_factory=list)
    protocol_type: str = ""
    public: bool = True
    paper: str = ""
    proposal: str = ""
    roster: list[Any] = field(default_factory=list)  # Attendees: Fraktion/role beside names


def item_segments(doc: SessionDoc, index: int) -> list[Segment]:
    """The segments inside the item's time span (start <= segment start < end)."""
    item = doc.item(index)
    if item.start is None or item.end is None:
        raise ProjectError(
            f"TOP {item.number or item.title} ist im Transkript keinem Abschnitt zugeordnet; "
            "ein Entwurf kann nicht neu erzeugt werden."
        )
    return [
        dataclasses.replace(s, words=list(s.words))
        for s in doc.segments
        if item.start <= s.start < item.end or (s.start < item.start < s.end)
    ]


def prepare(doc: SessionDoc, index: int) -> RegenRequest:
    item = doc.item(index)
    segments = item_segments(doc, index)
    if not segments:
        raise ProjectError(f"Im Zeitraum von TOP {item.number} liegt kein Text; nichts neu zu erzeugen.")
    return RegenRequest(
        index=index,
        number=item.number,
        title=item.title,
        segments=segments,
        speakers={s.id: s.label for s in doc.speakers},
        kept_flags=[f for f in item.flags if any(h in f for h in _ASSIGNMENT_HINTS)],
        protocol_type=doc.project.protocol_type or (doc.minutes.protocol_type if doc.minutes else ""),
        public=item.public,
        paper=item.paper,
        proposal=item.proposal,
        roster=doc.project.attendees,
    )


def make_engine_from_settings(settings: Any) -> Any:
    """The LLM engine configured in the settings (model from the model store)."""
    from ..drafting.engines import make_engine
    from ..models.store import ModelStore, local_llm_dir

    kind = str(settings.get("llm_engine"))
    model_id = str(settings.get("llm_model"))
    model_dir = None if kind == "openai" else ModelStore.default(settings).get(model_id).path
    return make_engine(
        kind,
        model_dir,
        threads=int(settings.get("threads")),
        device=str(settings.get("device")),
        server_url=str(settings.get("llm_server_url")),
        api_key=str(settings.get("llm_api_key")),
        model_id=model_id,
        fallback_local=bool(settings.get("server_fallback_local")),
        fallback_dir=local_llm_dir(model_id) if kind == "openai" else None,
    )


def regenerate(request: RegenRequest, engine: Any, progress: ProgressFn, cancel: CancelToken) -> MinutesItem:
    """Draft ``request``'s item again; the result is AI text (``doc.replace_item``)."""
    from ..drafting.cues import ItemSpan
    from ..drafting.draft import DraftOptions, redraft_item

    options = DraftOptions(protocol_type=request.protocol_type or "verlauf")
    span = ItemSpan(request.number, request.title, request.segments, matched_by="nummer")
    progress(0.05, f"TOP {request.number} wird neu entworfen …")
    item = redraft_item(span, request.speakers, engine, options, cancel, request.roster)
    cancel.raise_if_cancelled()
    item.flags = list(dict.fromkeys(request.kept_flags + item.flags))
    item.public, item.paper, item.proposal = request.public, request.paper, request.proposal
    progress(1.0, "Entwurf fertig")
    return item
