"""Verlaufsprotokoll with the real 0.5B model (CTranslate2): the structural rules hold whatever it writes.

No raw speaker id anywhere, nothing invented in the Beratung and the Anträge, every
substantive contribution reported with its speaker, motions with mover and content.
The quality thresholds (verbatim share, reported speech, length) live in
``bench/draft_quality.py``; the 0.5B model is for plumbing only.
"""

from __future__ import annotations

import pytest

from minutes_app.base.types import AgendaItem, Attendee, Segment
from minutes_app.drafting import DraftOptions, draft_minutes
from minutes_app.drafting.beratung import COMMON, MAX_SUMMARY_WORDS
from minutes_app.drafting.condense import EXTRACT_WORDS
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.drafting.motions import names_mover
from minutes_app.drafting.quality import RAW_ID, invented, is_reported, verbatim_share
from minutes_app.drafting.speakers import CHAIR_LABEL, MEMBER_LABEL

pytestmark = pytest.mark.slow

ROSTER = [
    Attendee("Peter Lindner", "SPD", "Vorsitz"),
    Attendee("Markus Brandt", "CDU", "Mitglied"),
    Attendee("Dr. Aylin Demir", "GRÜNE", "Mitglied"),
]
NAMES = {"SPEAKER_00": "Peter Lindner", "SPEAKER_02": "Dr. Aylin Demir"}  # SPEAKER_01 not named
AGENDA = [AgendaItem("2", "Einrichtung einer Fahrradstraße in der Lindenallee")]
ROWS = [
    ("SPEAKER_00", "Ich rufe Tagesordnungspunkt 2 auf: Einrichtung einer Fahrradstraße in der Lindenallee."),
    (
        "SPEAKER_01",
        "Wir unterstützen den Radverkehr grundsätzlich. Aber die Anwohner brauchen weiterhin Parkplätze. "
        "Solange nicht geklärt ist, wie viele Stellplätze wegfallen, sehen wir die Fahrradstraße kritisch.",
    ),
    (
        "SPEAKER_02",
        "Wir begrüßen die Vorlage ausdrücklich. Wir stellen aber einen Antrag: Die Verwaltung soll "
        "zusätzlich prüfen, ob an beiden Enden der Lindenallee sichere Querungen für den Radverkehr "
        "eingerichtet werden "
        "können, und dem Ausschuss bis zum Herbst berichten.",
    ),
    (
        "SPEAKER_00",
        "Wer ist dafür? Wer ist dagegen? Bei 7 Ja-Stimmen, 2 Nein-Stimmen und einer Enthaltung ist der "
        "Antrag angenommen.",
    ),
]


def test_beratung_structure_on_the_real_model(model_path) -> None:
    segments = [Segment(i, i * 20.0, i * 20.0 + 18.0, t, speaker=s) for i, (s, t) in enumerate(ROWS)]
    engine = make_engine("ct2", model_path("qwen2.5-coder-0.5b"), EngineOptions(threads=2))
    minutes = draft_minutes(
        segments, NAMES, AGENDA, engine, DraftOptions(max_new_tokens=160, context_tokens=2048), roster=ROSTER
    )
    item = next(i for i in minutes.agenda_items if i.number == "2")
    everything = " ".join(
        [item.discussion, *item.motions, *item.flags, *(p.text for p in item.procedure), item.resolution]
    )
    assert not RAW_ID.search(everything)
    print(item.discussion, item.motions, item.flags, sep="\n")
    source = [
        " ".join(t for _, t in ROWS),
        *(f"{p.name} {p.faction} {p.role}" for p in ROSTER),
        AGENDA[0].title,
    ]
    source += [MEMBER_LABEL, CHAIR_LABEL]
    assert invented(" ".join([item.discussion, *item.motions]), source, COMMON.split()) == []
    paragraphs = item.discussion.splitlines()
    assert len(paragraphs) == 2  # the two members' contributions, in the order spoken; the chair only ran it
    assert paragraphs[0].startswith("Ein Mitglied des Gremiums")  # unnamed: a neutral label
    assert paragraphs[1].startswith("Dr. Aylin Demir (GRÜNE)")
    assert all(is_reported(p) for p in paragraphs)
    # one or two sentences per contribution, model or rule extract: never the transcript again
    assert all(len(p.split()) <= max(MAX_SUMMARY_WORDS, EXTRACT_WORDS) + 8 for p in paragraphs)
    assert all(verbatim_share(p, source[0]) <= 0.5 for p in paragraphs)
    assert item.motions, "the motion that was made is listed"
    movers = ["Dr. Aylin Demir (GRÜNE)", "GRÜNE", "Fraktion"]
    assert all(names_mover(m, movers) and len(m.split()) >= 5 for m in item.motions)
    assert item.vote.yes == 7 and item.vote.no == 2 and item.vote.abstain == 1
