"""Read-only facts of a draft item shown by the item editor: Vorlage, Teil B, times, procedure.

Qt-free text helpers (rich text for QLabels; links carry the second to seek to).
"""

from __future__ import annotations

from ..base.types import PROCEDURE_KINDS, MinutesItem, ProcedureEvent
from .format import format_time
from .strings import tr


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def times_text(item: MinutesItem, manual_start: float | None) -> str:
    """``00:00–00:05 · Beginn von Hand gesetzt: 00:12`` (plain text)."""
    if item.start is None:
        span = tr("draft.times.unknown")
    elif item.end is None:
        span = format_time(item.start) + "–"
    else:
        span = tr("draft.times.value", start=format_time(item.start), end=format_time(item.end))
    if manual_start is not None:
        span += " · " + tr("draft.times.manual", time=format_time(manual_start))
    return span


def procedure_entry(event: ProcedureEvent) -> str:
    """One event as rich text: a link on its time, then kind, who and the sentence."""
    kind = PROCEDURE_KINDS.get(event.kind, event.kind)
    if event.detail:
        kind += f" ({event.detail})"
    parts = [f"<a href='{event.start}'>{format_time(event.start)}</a>", f"<b>{escape(kind)}</b>"]
    if event.who:
        parts.append(escape(event.who))
    head = " · ".join(parts)
    return f"{head}: {escape(event.text)}" if event.text else head


def procedure_html(item: MinutesItem) -> str:
    if not item.procedure:
        return tr("draft.procedure.none")
    return "<br>".join(procedure_entry(e) for e in item.procedure)
