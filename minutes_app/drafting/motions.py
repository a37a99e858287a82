"""Anträge as actually made: each with mover and content, backed by the transcript, none invented.

The rule-based recogniser (``procedure.find_procedure``) hears motions with their mover,
content and outcome; the model's list is kept only where the item's transcript contains a
motion at all, the entry names a mover (a speaker of the item, a Fraktion or a person of
the roster), has content, and every name and number in it is in the transcript, roster or
agenda. A model's motion without content ("… stellt einen Antrag.") is no entry; a motion the
recogniser heard without its content is flagged for the secretary to complete.
"""

from __future__ import annotations

import re

from ..base.text import position
from ..base.types import ProcedureEvent, Segment
from . import procedure_patterns as P
from .merge import looks_echoed
from .procedure import TO_FILL, UNHEARD
from .quality import invented, words

MOTION_KINDS = ("antrag", "aenderungsantrag")
MAX_MOTION_WORDS = 60


def motion_said(segments: list[Segment]) -> bool:
    """Somebody in the item makes (or reports) a motion."""
    return any(P.MOTION.search(s.text) or P.GO_FRAME.search(s.text) for s in segments)


def needs_model(segments: list[Segment]) -> bool:
    """The item JSON (motions, resolution, vote) can add something the rules do not find.

    Rule values win over the model's anyway; without a motion, and with the vote found by
    the recogniser (or no vote talk at all), the model's answer could only repeat them, so
    the call (most of the decode time of an item) is skipped.
    """
    from .merge import vote_talk
    from .votes import item_vote

    if motion_said(segments):
        return True
    return vote_talk(segments) and item_vote(segments)[0].is_empty()


def rule_motions(procedure: list[ProcedureEvent]) -> list[str]:
    """The recogniser's motions (its sentence with mover and outcome); one heard without its
    content with a placeholder for it (``procedure.TO_FILL``)."""
    return [p.text if p.detail.strip() else to_fill(p) for p in procedure if p.kind in MOTION_KINDS]


def to_fill(event: ProcedureEvent) -> str:
    """„X stellt einen Antrag: [Inhalt bitte aus der Aufnahme ergänzen]. Der Antrag wird …“."""
    if UNHEARD in event.text:
        return event.text.replace(UNHEARD, TO_FILL)
    return re.sub(
        r"(einen\s+(?:Änderungs)?antrag)\b(?!\s*:)", r"\1" + TO_FILL, event.text, count=1, flags=re.I
    )


def names_mover(motion: str, movers: list[str]) -> bool:
    low = motion.lower()
    for who in movers:
        parts = [
            w for w in words(who) if len(w) >= 3 and w not in ("herr", "frau", "ein", "des", "der", "die")
        ]
        if parts and any(p in words(low) for p in parts):
            return True
    return False


def check_motions(
    llm: list[str] | None,
    segments: list[Segment],
    procedure: list[ProcedureEvent],
    labels: dict[str, str],
    known: list[str],
) -> tuple[list[str], list[str]]:
    """(motions, flags) for one item."""
    flags: list[str] = []
    kept = rule_motions(procedure)
    unheard = [p for p in procedure if p.kind in MOTION_KINDS and not p.detail.strip()]
    said = motion_said(segments)
    source = " ".join(s.text for s in segments)
    # The mover is who made a motion here (name, Fraktion); its content is what they said.
    made = [s for s in segments if P.MOTION.search(s.text) or P.GO_FRAME.search(s.text)]
    movers = list(dict.fromkeys(labels.get(s.speaker or "", "") for s in made))
    said_words = {w for s in made for w in words(s.text) if len(w) >= 5}
    dropped = 0
    for motion in llm or []:
        motion = motion.strip()
        if not motion or motion in kept:
            continue
        if len(motion.split()) > MAX_MOTION_WORDS or looks_echoed(motion, segments, min_words=8):
            flags.append("Antragsliste des Sprachmodells enthielt wörtliche Redepassagen – entfernt")
            continue
        bad = invented(motion, [source, *movers, *known], ["Fraktion", "Antrag", "Verwaltung", "Ausschuss"])
        shared = len({w for w in words(motion) if len(w) >= 5} & said_words)
        if not said or bad or not names_mover(motion, movers) or len(motion.split()) < 5 or shared < 2:
            dropped += 1
            continue
        gaps = {to_fill(p) for p in unheard}
        if _same_motion(motion, [k for k in kept if k not in gaps]):
            continue
        # the content of a motion the rules heard without it: the model's entry replaces the gap
        same_mover = [p for p in unheard if p.who.strip() and names_mover(motion, [p.who])]
        if same_mover:
            kept.remove(to_fill(same_mover[0]))
            unheard.remove(same_mover[0])
        kept.append(motion)
    for p in unheard:  # still without content: the secretary adds it (the release waits for it)
        who = f" ({p.who})" if p.who.strip() else ""
        flags.append(
            f"Antrag{who} ohne erkannten Inhalt – bitte den Wortlaut aus der Aufnahme ergänzen "
            f"(ab {position(p.start)})"
        )
    if dropped:
        flags.append(
            f"{dropped} Antrag/Anträge des Sprachmodells ohne Beleg im Transkript, ohne Antragsteller "
            "oder ohne Inhalt – nicht übernommen"
        )
    return kept, flags


def _same_motion(motion: str, kept: list[str]) -> bool:
    mine = set(w for w in words(motion) if len(w) >= 5)
    for other in kept:
        theirs = set(w for w in words(other) if len(w) >= 5)
        if mine and len(mine & theirs) / len(mine) >= 0.5:
            return True
    return False
