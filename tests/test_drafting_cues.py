"""Spoken agenda cues -> items with times and segments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minutes_app.base.types import AgendaItem, Segment, Word
from minutes_app.drafting.cues import OPENING_TITLE, find_cues, segment_items


def segs(*texts: str) -> list[Segment]:
    return [Segment(i, i * 10.0, i * 10.0 + 9.0, t, speaker="S1") for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Ich rufe Tagesordnungspunkt 5 auf.", "5"),
        ("Ich rufe den Tagesordnungspunkt 3.1 auf, Bebauungsplan Nord.", "3.1"),
        ("Wir kommen zu TOP 5.", "5"),
        ("Wir kommen jetzt zu TOP5: Bebauungsplan.", "5"),
        ("Dann kommen wir nun zum Top 7.", "7"),
        ("Punkt 5 der Tagesordnung: Anfragen.", "5"),
        ("Wir kommen zu Punkt 5 der Tagesordnung.", "5"),
        ("Ich rufe auf Tagesordnungspunkt fünf, Haushaltssatzung.", "5"),
        ("Tagesordnungspunkt zwölf. Schulen.", "12"),
        ("Wir kommen zu Tagesordnungspunkt einundzwanzig.", "21"),
        ("Wir kommen jetzt zu Tagesordnungspunkt Nummer 12 Schulen.", "12"),
        ("TOP 4, Bericht der Verwaltung.", "4"),
        ("Ich rufe Punkt 6 auf.", "6"),
        ("Weiter mit TOP 8.", "8"),
        # Whisper's garbling of espeak speech in the example session:
        ("Vielen Dank. Ich rufe Tagesorten und schunkt zwei auf, ein Hicht und eine Fahrradstraße", "2"),
        ("Damit ist der Antrag angenommen. Wir kommen zu Punkt drei", "3"),
    ],
)
def test_cue_phrasings(text: str, number: str) -> None:
    cues = find_cues(segs(text))
    assert [c.number for c in cues] == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Wie unter TOP 3 beschlossen, machen wir das so.",
        "Ich komme zu Punkt zwei meiner Ausführungen.",
        "Ich rufe Herrn Meier auf.",
        "Wir kommen zu Punkt drei des Antrags.",
        "Das haben wir im Tagesordnungspunkt 4 im letzten Jahr besprochen.",
        "Die Kosten liegen bei 35.000 Euro.",
    ],
)
def test_mentions_are_not_cues(text: str) -> None:
    assert find_cues(segs(text)) == []


def test_opening_and_items_without_agenda() -> None:
    items = segment_items(
        segs(
            "Guten Abend, ich eröffne die Sitzung und stelle die Beschlussfähigkeit fest.",
            "Ich rufe Tagesordnungspunkt 1 auf: Genehmigung der Niederschrift.",
            "Gibt es Einwände? Das ist nicht der Fall.",
            "Wir kommen zu TOP 2, Haushaltssatzung 2025.",
            "Der Kämmerer erläutert den Entwurf.",
        )
    )
    assert [(i.number, i.title) for i in items] == [
        ("", OPENING_TITLE),
        ("1", "Genehmigung der Niederschrift"),
        ("2", "Haushaltssatzung 2025"),
    ]
    assert [[s.id for s in i.segments] for i in items] == [[0], [1, 2], [3, 4]]
    assert items[1].start == 10.0 and items[1].end == 29.0


def test_next_item_cue_and_title_from_words() -> None:
    items = segment_items(
        segs("Ich rufe TOP 3 auf.", "Text.", "Wir kommen zum nächsten Tagesordnungspunkt.", "Mehr.")
    )
    assert [i.number for i in items] == ["3", "4"]


def test_with_agenda_numbers_titles_and_unmentioned_items() -> None:
    agenda = [
        AgendaItem("Ö 1", "Genehmigung der Niederschrift"),
        AgendaItem("Ö 2", "Haushaltssatzung 2025"),
        AgendaItem("Ö 3", "Bebauungsplan Nordstadt"),
        AgendaItem("Ö 4", "Verschiedenes"),
    ]
    items = segment_items(
        segs(
            "Ich eröffne die Sitzung.",
            "Tagesordnungspunkt eins.",
            "Keine Einwände.",
            "Ich rufe auf: Bebauungsplan Nordstadt.",
            "Der Plan liegt vor.",
            "Wir kommen zu TOP 2.",
            "Der Haushalt.",
            "Wir kommen zu TOP 9, Sonderpunkt.",
        ),
        agenda,
    )
    by_number = {i.number: i for i in items}
    assert items[0].title == OPENING_TITLE
    assert [s.id for s in by_number["Ö 1"].segments] == [1, 2] and by_number["Ö 1"].matched_by == "nummer"
    assert [s.id for s in by_number["Ö 3"].segments] == [3, 4] and by_number["Ö 3"].matched_by == "titel"
    assert [s.id for s in by_number["Ö 2"].segments] == [5, 6]
    assert by_number["Ö 4"].segments == [] and by_number["Ö 4"].start is None and by_number["Ö 4"].end is None
    assert by_number["9"].in_agenda is False and [s.id for s in by_number["9"].segments] == [7]
    # agenda order is kept, extras come last
    assert [i.number for i in items] == ["", "Ö 1", "Ö 2", "Ö 3", "Ö 4", "9"]


def test_opening_goes_to_an_opening_agenda_item() -> None:
    agenda = [AgendaItem("1", "Eröffnung und Feststellung der Tagesordnung"), AgendaItem("2", "Radweg")]
    items = segment_items(
        segs(
            "Guten Abend, ich eröffne die Sitzung.",
            "Das ist einstimmig.",
            "Ich rufe Tagesordnungspunkt 2 auf.",
        ),
        agenda,
    )
    assert [(i.number, [s.id for s in i.segments], i.matched_by) for i in items] == [
        ("1", [0, 1], "eröffnung"),
        ("2", [2], "nummer"),
    ]
    other = segment_items(
        segs("Guten Abend.", "Ich rufe Tagesordnungspunkt 2 auf."),
        [AgendaItem("1", "Haushalt"), AgendaItem("2", "Radweg")],
    )
    assert [(i.number, i.title) for i in other] == [("", OPENING_TITLE), ("1", "Haushalt"), ("2", "Radweg")]


def test_cue_in_the_middle_splits_segment_with_word_times() -> None:
    text = "Damit ist das einstimmig beschlossen. Ich rufe Tagesordnungspunkt 5 auf."
    words = [Word(100.0 + i, 100.5 + i, w) for i, w in enumerate(text.split())]
    seg = Segment(7, 100.0, 100.0 + len(words), text, words=words, speaker="VS")
    items = segment_items([Segment(6, 90.0, 99.0, "Wir kommen zu TOP 4."), seg])
    top4, top5 = items
    assert top4.segments[-1].text == "Damit ist das einstimmig beschlossen."
    assert top5.segments[0].text == "Ich rufe Tagesordnungspunkt 5 auf."
    assert top5.segments[0].id == 7 and top5.start == 105.0 and top4.end == 105.0


def test_fixture_session(shared_fixtures: Path) -> None:
    data = json.loads((shared_fixtures / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))
    segments = [
        Segment(i, t["start"], t["end"], t["text"], speaker=t["speaker"]) for i, t in enumerate(data["turns"])
    ]
    agenda = [AgendaItem(a["agenda_number"], a["agenda_title"]) for a in data["agenda_items"]]
    items = segment_items(segments, agenda)
    for item in items:
        truth = {
            t["agenda_number"]
            for t, s in zip(data["turns"], segments, strict=True)
            if s.id in {x.id for x in item.segments}
        }
        assert truth == {item.number}
    assert [i.number for i in items] == ["13", "3"]
