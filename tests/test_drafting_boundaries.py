"""Item boundaries: manual starts > recording markers > spoken cues > title > LLM."""

from __future__ import annotations

from minutes_app.base.types import AgendaItem, Segment, Word
from minutes_app.drafting.boundaries import label_number
from minutes_app.drafting.cues import ItemSpan, segment_items

AGENDA = [
    AgendaItem("1", "Eröffnung und Regularien"),
    AgendaItem("2", "Radverkehrskonzept Innenstadt"),
    AgendaItem("3", "Haushaltssatzung 2026"),
    AgendaItem("4", "Anfragen"),
]


def segs(*texts: str) -> list[Segment]:
    return [Segment(i, i * 10.0, i * 10.0 + 9.0, t, speaker="S1") for i, t in enumerate(texts)]


def starts_of(items: list[ItemSpan]) -> dict[str, tuple[float | None, str]]:
    return {i.number: (i.start, i.matched_by) for i in items}


def test_label_numbers() -> None:
    assert label_number("TOP 5") == "5"
    assert label_number("Tagesordnungspunkt 3.1") == "3.1"
    assert label_number("7") == "7"
    assert label_number("Nächster Tagesordnungspunkt") is None


def test_markers_alone_split_items_in_agenda_order() -> None:
    # Nobody says a TOP number (a quiet chair); the secretary pressed F9 three times.
    segments = segs(
        "Guten Abend, ich eröffne die Sitzung.",
        "Wir sprechen über das Konzept für Radwege.",
        "Das Konzept ist gut.",
        "Jetzt der Haushalt.",
        "Der Haushalt ist knapp.",
        "Gibt es Anfragen?",
    )
    markers = [(10.0, "Nächster Tagesordnungspunkt"), (30.0, "Nächster Tagesordnungspunkt"), (50.0, "")]
    got = starts_of(segment_items(segments, AGENDA, markers=markers))
    assert got["1"] == (0.0, "eröffnung")
    assert got["2"] == (10.0, "marke")
    assert got["3"] == (30.0, "marke")
    assert got["4"] == (50.0, "marke")


def test_a_late_marker_snaps_to_the_spoken_cue_and_keeps_its_number() -> None:
    # F9 pressed 15 s after the chair called TOP 3: the marker must not open TOP 4.
    segments = segs(
        "Ich eröffne die Sitzung.",
        "Ich rufe Tagesordnungspunkt 3 auf, Haushaltssatzung.",
        "Der Kämmerer erläutert den Entwurf.",
        "Weitere Wortmeldungen?",
    )
    got = starts_of(segment_items(segments, AGENDA, markers=[(25.0, "Nächster Tagesordnungspunkt")]))
    assert got["3"] == (10.0, "nummer")
    assert got["4"] == (None, "")


def test_a_labelled_marker_names_its_item() -> None:
    segments = segs("Ich eröffne die Sitzung.", "Zu den Anfragen.", "Frage eins.")
    got = starts_of(segment_items(segments, AGENDA, markers=[(10.0, "TOP 4")]))
    assert got["4"] == (10.0, "marke")
    assert got["2"] == (None, "")


def test_marker_inside_a_segment_splits_it_at_the_word() -> None:
    words = [Word(20.0 + i, 20.5 + i, f" w{i}") for i in range(8)]
    seg = Segment(2, 20.0, 28.0, " ".join(w.word.strip() for w in words), words, "S1")
    segments = [*segs("Ich eröffne die Sitzung.", "Begrüßung."), seg]
    items = segment_items(segments, AGENDA, markers=[(24.0, "Nächster Tagesordnungspunkt")])
    opening, second = items[0], items[1]
    assert opening.segments[-1].text.endswith("w3")
    assert second.start == 24.0 and second.segments[0].text.startswith("w4")


def test_manual_start_beats_marker_and_cue() -> None:
    segments = segs(
        "Ich eröffne die Sitzung.",
        "Ich rufe Tagesordnungspunkt 2 auf.",
        "Radwege sind wichtig.",
        "Noch eine Anmerkung zum Radweg.",
        "Jetzt der Haushalt.",
    )
    items = segment_items(segments, AGENDA, markers=[(40.0, "")], starts={"2": 20.0, "3": 35.0})
    got = starts_of(items)
    assert got["2"] == (20.0, "manuell")
    assert got["3"] == (30.0, "manuell")  # inside a segment without word times: at its start
    assert items[0].segments[-1].id == 1  # the text before the manual start stays with the opening


def test_title_sentence_finds_an_item_nobody_called() -> None:
    segments = segs(
        "Ich rufe Tagesordnungspunkt 2 auf.",
        "Radwege sind wichtig.",
        "Wir beraten nun die Haushaltssatzung 2026.",
        "Der Haushalt ist knapp.",
        "Ich rufe Tagesordnungspunkt 4 auf.",
    )
    got = starts_of(segment_items(segments, AGENDA))
    assert got["3"] == (20.0, "titel")
    assert got["2"] == (0.0, "nummer")


def test_llm_locator_is_the_last_resort() -> None:
    segments = segs(
        "Ich rufe Tagesordnungspunkt 2 auf.",
        "Radwege sind wichtig.",
        "So, dann das Geld.",
        "Der Kämmerer spricht.",
        "Ich rufe Tagesordnungspunkt 4 auf.",
    )
    asked: list[tuple[str, str]] = []

    def locate(previous: ItemSpan, missing: ItemSpan) -> int | None:
        asked.append((previous.number, missing.number))
        return 2

    got = starts_of(segment_items(segments, AGENDA, locate=locate))
    assert asked == [("2", "3")]
    assert got["3"] == (20.0, "llm")
    # An out-of-range answer changes nothing.
    got = starts_of(segment_items(segments, AGENDA, locate=lambda p, m: 99))
    assert got["3"] == (None, "")
