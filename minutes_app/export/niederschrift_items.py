"""The agenda part of the Niederschrift: overview, Regularien, one section per TOP, Teil B."""

from __future__ import annotations

from typing import Any

from ..base.types import MinutesItem, ProcedureEvent, Vote
from .common import PART_ALL, PART_NONPUBLIC, fmt_clock, label_for, speaker_labels
from .docx_base import (
    ITEM_MARK,
    MISSING,
    PART_A_HEADING,
    PART_B_HEADING,
    DocContext,
    bullets,
    heading,
    labelled,
    mark_run,
    page_break,
    para,
    small,
)

# Anträge and Änderungsanträge are the item's ``motions`` (the draft puts the recogniser's there,
# the secretary edits them); of the procedure only the GO-Anträge are added.
LISTED_PROCEDURE = ("geschaeftsordnung",)
PROPOSAL_NOTE = "laut Beschlussvorschlag – bitte prüfen"
NO_VOTE = "[Kein Abstimmungsergebnis erkannt – bitte prüfen]"
ROLL_CALL = "Namentliche Abstimmung"


def top_title(item: MinutesItem) -> str:
    if not item.number.strip():
        return item.title or "Regularien"
    return f"TOP {item.number}: {item.title}".rstrip(": ")


def vote_lines(vote: Vote) -> list[str]:
    """German lines for the Abstimmungsergebnis; counts appear only when present."""
    lines = [ROLL_CALL] if vote.roll_call else []
    if vote.is_empty():
        return [*lines, NO_VOTE]
    if vote.outcome:
        text = vote.outcome.strip()
        lines.append(text[:1].upper() + text[1:])
    counts = [
        f"{label}: {value}"
        for label, value in (("Ja", vote.yes), ("Nein", vote.no), ("Enthaltungen", vote.abstain))
        if value is not None
    ]
    if counts:
        lines.append(", ".join(counts))
    return lines


def event_line(event: ProcedureEvent) -> str:
    """``Antrag zur Geschäftsordnung (Vertagung) – Herr Schnell: …``."""
    return event.line()


def listed_motions(item: MinutesItem) -> list[str]:
    """The Anträge the Niederschrift lists: the item's motions, then its GO-Anträge (each once)."""
    motions = [m.strip() for m in item.motions if m.strip()]
    listed = set(motions)
    return motions + [
        event_line(e) for e in item.procedure if e.kind in LISTED_PROCEDURE and e.text.strip() not in listed
    ]


def bias_line(event: ProcedureEvent) -> str:
    if event.text.strip():
        return event.text.strip()
    who = event.who.strip() or MISSING
    return f"{who} erklärt sich für befangen und nimmt an Beratung und Abstimmung nicht teil."


# ---------------------------------------------------------------------------- document parts


def agenda_part(doc: Any, ctx: DocContext) -> None:
    """Overview, Regularien, Teil A items and (for ``gesamt``) Teil B after a page break."""
    if ctx.part == PART_NONPUBLIC:
        heading(doc, PART_B_HEADING, 1)
        items = ctx.items(public=False)
        _overview(doc, [item for _, item in items])
        if not items:
            para(doc, "Keine nichtöffentlichen Tagesordnungspunkte.")
        _items(doc, ctx, items)
        return
    public = ctx.items(public=True)
    nonpublic = ctx.items(public=False) if ctx.part == PART_ALL else []
    _overview(doc, [item for _, item in public], [item for _, item in nonpublic])
    if nonpublic:
        heading(doc, PART_A_HEADING, 1)
    _items(doc, ctx, public)
    if nonpublic:
        page_break(doc)
        heading(doc, PART_B_HEADING, 1)
        _items(doc, ctx, nonpublic)


def _overview(doc: Any, items: list[MinutesItem], part_b: list[MinutesItem] | None = None) -> None:
    tops = [item for item in items if item.number.strip()]
    if not tops and not part_b:
        return
    heading(doc, "Tagesordnung", 1)
    for item in tops:
        para(doc, top_title(item))
    if part_b:
        para(doc, "Teil B – nichtöffentlich", bold=True)
        for item in part_b:
            para(doc, top_title(item))


def _items(doc: Any, ctx: DocContext, items: list[tuple[int, MinutesItem]]) -> None:
    # The opening item (number "") is the Regularien section before the TOPs.
    for index, item in [(i, it) for i, it in items if not it.number.strip()]:
        item_section(doc, ctx, index, item, regularien=True)
    for index, item in [(i, it) for i, it in items if it.number.strip()]:
        item_section(doc, ctx, index, item)


def item_section(
    doc: Any, ctx: DocContext, index: int, item: MinutesItem, *, regularien: bool = False
) -> None:
    confirmed = ctx.confirmed(index)
    heading(doc, "Regularien" if regularien else top_title(item), 1)
    if regularien and item.title.strip() and item.title.strip() != "Eröffnung/Regularien":
        para(doc, item.title.strip(), italic=True)
    if regularien and ctx.cosigner.strip():
        para(doc, f"Zur Mitunterzeichnung der Niederschrift wird {ctx.cosigner.strip()} bestimmt.")
    if not confirmed:
        mark_run(para(doc), ITEM_MARK)
        if item.start is not None or item.end is not None:
            start = fmt_clock(item.start) if item.start is not None else "?"
            end = fmt_clock(item.end) if item.end is not None else "?"
            small(doc, f"Aufnahme {start} – {end}")
    if item.paper.strip():
        labelled(doc, "Vorlage", item.paper.strip())

    motions = listed_motions(item)
    if motions:
        heading(doc, "Anträge", 2)
        bullets(doc, motions)

    _beratung(doc, ctx, item)

    has_result = bool(item.resolution.strip() or item.proposal.strip() or not item.vote.is_empty())
    if not regularien or has_result:
        _beschluss(doc, item)
        heading(doc, "Abstimmungsergebnis", 2)
        for line in vote_lines(item.vote):
            para(doc, line)
        roll_calls = [e for e in item.procedure if e.kind == "namentliche_abstimmung" and e.text.strip()]
        for event in roll_calls:
            para(doc, event.text.strip())

    bias = [bias_line(e) for e in item.procedure if e.kind == "befangenheit"]
    if bias:
        heading(doc, "Befangenheit", 2)
        bullets(doc, bias)
    statements = [e for e in item.procedure if e.kind == "protokollerklaerung"]
    if statements:
        heading(doc, "Protokollerklärungen", 2)
        for event in statements:
            who = event.who.strip()
            para(doc, f"{who}: {event.text.strip()}" if who else event.text.strip())

    if not confirmed:
        if item.flags:
            heading(doc, "Hinweise zur Prüfung", 2)
            bullets(doc, item.flags, highlight=True)
        if item.evidence:
            spans = ", ".join(f"{fmt_clock(e.start)}–{fmt_clock(e.end)}" for e in item.evidence)
            small(doc, f"Belegstellen in der Aufnahme: {spans}")


def _beratung(doc: Any, ctx: DocContext, item: MinutesItem) -> None:
    kind = (ctx.minutes.protocol_type or "verlauf").strip().lower()
    paragraphs = [p.strip() for p in item.discussion.splitlines() if p.strip()]
    if kind == "ergebnis":  # decisions; at most the drafted context sentences (Gegenstand, Positionen)
        if paragraphs:
            heading(doc, "Erläuterung", 2)
            for text in paragraphs:
                para(doc, text)
        return
    heading(doc, "Beratung", 2)
    if kind == "wort" and not paragraphs:  # a draft without its Wortprotokoll: the transcript's turns
        turns = verbatim_turns(ctx, item)
        if turns:
            small(doc, "Wortlaut nach der Aufnahme")
            for text in turns:
                para(doc, text)
            return
    if kind == "wort" and paragraphs:
        small(doc, "Wortlaut nach der Aufnahme, bereinigt um Füllwörter und Wiederholungen")
    for text in paragraphs or ["Keine Beratung erfasst."]:
        para(doc, text)


def verbatim_turns(ctx: DocContext, item: MinutesItem) -> list[str]:
    """``Name: text`` per speaker turn of the transcript inside the item's time span."""
    if ctx.transcript is None or item.start is None or item.end is None:
        return []
    labels = speaker_labels(ctx.speakers)
    turns: list[tuple[str | None, list[str]]] = []
    for seg in ctx.transcript.segments:
        text = " ".join(seg.text.split())
        if not text or seg.start < item.start or seg.start >= item.end:
            continue
        if turns and turns[-1][0] == seg.speaker:
            turns[-1][1].append(text)
        else:
            turns.append((seg.speaker, [text]))
    lines = []
    for speaker, texts in turns:
        label = label_for(speaker, labels)
        lines.append((f"{label}: " if label else "") + " ".join(texts))
    return lines


def _beschluss(doc: Any, item: MinutesItem) -> None:
    heading(doc, "Beschluss", 2)
    if item.resolution.strip():
        for line in item.resolution.strip().splitlines():
            if line.strip():
                para(doc, line.strip())
    elif item.proposal.strip():
        para(doc, f"({PROPOSAL_NOTE})", italic=True, bold=True)
        for line in item.proposal.strip().splitlines():
            if line.strip():
                para(doc, line.strip())
    else:
        para(doc, MISSING)
