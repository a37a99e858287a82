"""Procedure recogniser: GO-Anträge, Anträge, Befangenheit, namentliche Abstimmung, Unterbrechung …"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minutes_app.base.types import PROCEDURE_KINDS, Evidence, Segment
from minutes_app.drafting.procedure import find_procedure

LABELS = {"S0": "Vorsitz", "S1": "Stadtrat Meier (CDU)"}


def run(*texts: str, speakers: str = "1") -> list:
    """``speakers`` "10": S1, S0, S1, … in turn."""
    segs = [
        Segment(i, i * 10.0, i * 10.0 + 9.0, t, speaker="S" + speakers[i % len(speakers)])
        for i, t in enumerate(texts)
    ]
    return find_procedure(segs, LABELS)


@pytest.mark.parametrize(
    ("text", "kind", "detail", "who"),
    [
        (
            "Ich stelle einen Antrag zur Geschäftsordnung: Ich beantrage die Vertagung.",
            "geschaeftsordnung",
            "Vertagung",
            "Stadtrat Meier (CDU)",
        ),
        ("Die CDU-Fraktion beantragt die Vertagung.", "geschaeftsordnung", "Vertagung", "Fraktion CDU"),
        (
            "Wir beantragen die Absetzung von der Tagesordnung.",
            "geschaeftsordnung",
            "Absetzung von der Tagesordnung",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Ich beantrage, die Vorlage in den Bauausschuss zu verweisen.",
            "geschaeftsordnung",
            "Verweisung in den Bauausschuss",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Ich beantrage die Verweisung in den Ausschuss für Umwelt und Verkehr.",
            "geschaeftsordnung",
            "Verweisung in den Ausschuss für Umwelt und Verkehr",
            "Stadtrat Meier (CDU)",
        ),
        ("Antrag zur Geschäftsordnung: Schluss der Debatte!", "geschaeftsordnung", "Schluss der Debatte", ""),
        (
            "Ich beantrage Schluss der Rednerliste.",
            "geschaeftsordnung",
            "Schluss der Rednerliste",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Die Fraktion der Grünen beantragt eine Unterbrechung der Sitzung.",
            "geschaeftsordnung",
            "Unterbrechung der Sitzung",
            "Fraktion GRÜNE",
        ),
        ("Wir beantragen Nichtbefassung.", "geschaeftsordnung", "Nichtbefassung", "Stadtrat Meier (CDU)"),
        (
            "Ein Geschäftsordnungsantrag des Herrn Fostiropoulos, bitte sehr.",
            "geschaeftsordnung",
            "Antrag zur Geschäftsordnung",
            "Herr Fostiropoulos",
        ),
        (
            "Wir beantragen, dass die Stadt zehn Bäume pflanzt.",
            "antrag",
            "dass die Stadt zehn Bäume pflanzt",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Ich stelle den Antrag, die Gebühren nicht zu erhöhen.",
            "antrag",
            "die Gebühren nicht zu erhöhen",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Zum Antrag der SPD-Fraktion zur Einrichtung einer Fahrradstraße.",
            "antrag",
            "Einrichtung einer Fahrradstraße",
            "Fraktion SPD",
        ),
        (
            "Wir stellen folgenden Änderungsantrag: In Ziffer 2 wird 2025 durch 2026 ersetzt.",
            "aenderungsantrag",
            "In Ziffer 2 wird 2025 durch 2026 ersetzt",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Wir beantragen, den Beschlussvorschlag um einen Satz zu ergänzen.",
            "aenderungsantrag",
            "den Beschlussvorschlag um einen Satz zu ergänzen",
            "Stadtrat Meier (CDU)",
        ),
        ("Ich erkläre mich für befangen.", "befangenheit", "", "Stadtrat Meier (CDU)"),
        ("Ich bin bei diesem Punkt befangen.", "befangenheit", "", "Stadtrat Meier (CDU)"),
        ("Herr Meier ist befangen und nimmt an der Beratung nicht teil.", "befangenheit", "", "Herr Meier"),
        ("Wegen Befangenheit verlässt Frau Schulz den Sitzungstisch.", "befangenheit", "", "Frau Schulz"),
        (
            "Ich beantrage namentliche Abstimmung.",
            "namentliche_abstimmung",
            "beantragt",
            "Stadtrat Meier (CDU)",
        ),
        ("Wir stimmen namentlich ab.", "namentliche_abstimmung", "durchgeführt", ""),
        (
            "Ich gebe zu Protokoll: Wir lehnen das ab.",
            "protokollerklaerung",
            "Wir lehnen das ab",
            "Stadtrat Meier (CDU)",
        ),
        (
            "Protokollerklärung der Fraktion Die Linke: Wir bleiben dabei.",
            "protokollerklaerung",
            "Wir bleiben dabei",
            "Fraktion DIE LINKE",
        ),
    ],
)
def test_recognised(text: str, kind: str, detail: str, who: str) -> None:
    events = run(text)
    assert [(e.kind, e.detail, e.who) for e in events] == [(kind, detail, who)]
    event = events[0]
    assert event.kind in PROCEDURE_KINDS and event.text.endswith(".")
    assert event.evidence == [Evidence(0.0, 9.0, [0])]
    assert 0.0 <= event.start <= event.end <= 9.0


@pytest.mark.parametrize(
    "text",
    [
        "Wie der Antrag von letzter Woche zeigt, ist das sinnvoll.",
        "Wir haben damals vertagt.",
        "Wollen wir vertagen?",
        "Ich bin nicht befangen.",
        "Es liegt keine Befangenheit vor.",
        "Gibt es Befangenheiten?",
        "Wer befangen ist, muss den Sitzungstisch verlassen.",
        "Ich weise auf die Befangenheitsregeln hin.",
        "Wir haben im letzten Jahr namentlich abgestimmt.",
        "Wollen wir namentlich abstimmen?",
        "Ich möchte Sie nicht unterbrechen.",
        "Bitte unterbrechen Sie mich nicht.",
        "Wir unterstützen diesen Antrag.",
        "Die Genehmigung des Protokolls der letzten Sitzung steht an.",
        "Der Vorsitzende verweist auf die Vorlage.",
        "Das haben wir in der Sommerpause besprochen.",
    ],
)
def test_mentions_are_no_events(text: str) -> None:
    assert run(text) == []


def test_texts_for_the_minutes() -> None:
    texts = {
        e.kind: e.text
        for e in run(
            "Die CDU-Fraktion beantragt die Vertagung.",
            "Herr Meier ist befangen.",
            "Protokollerklärung der Fraktion Die Linke: Wir bleiben dabei.",
        )
    }
    assert texts == {
        "geschaeftsordnung": "Die Fraktion CDU stellt einen Antrag zur Geschäftsordnung auf Vertagung.",
        "befangenheit": (
            "Ratsmitglied Meier erklärt sich für befangen und nimmt an Beratung und Abstimmung nicht teil."
        ),
        "protokollerklaerung": "Die Fraktion DIE LINKE gibt eine Erklärung zu Protokoll: Wir bleiben dabei.",
    }


def test_outcome_only_when_said() -> None:
    moved = run(
        "Ich beantrage die Vertagung.",
        "Wer ist dafür? Das ist die Mehrheit. Damit ist der Punkt vertagt.",
        speakers="10",
    )
    assert moved[0].text == (
        "Stadtrat Meier (CDU) stellt einen Antrag zur Geschäftsordnung auf Vertagung."
        " Der Antrag wird angenommen."
    )
    assert [e.segment_ids for e in moved[0].evidence] == [[0], [1]]
    rejected = run(
        "Ich beantrage Schluss der Debatte.",
        "Gegenrede? Keine. Dann stimmen wir ab. Damit ist der Antrag abgelehnt.",
        speakers="10",
    )
    assert rejected[0].text.endswith("Der Antrag wird abgelehnt.")
    silent = run("Ich beantrage die Vertagung.", "Dann hören wir Herrn Schulz.", speakers="10")
    assert "Antrag wird" not in silent[0].text


def test_go_frame_then_detail_is_one_event() -> None:
    events = run(
        "Ich habe einen Antrag zur Geschäftsordnung.",
        "Ich beantrage die Vertagung des Punktes.",
        speakers="1",
    )
    assert [(e.kind, e.detail) for e in events] == [("geschaeftsordnung", "Vertagung")]


def test_interruption_times_and_duration() -> None:
    segs = [
        Segment(0, 100.0, 104.0, "Ich unterbreche die Sitzung für zehn Minuten.", speaker="S0"),
        Segment(1, 105.0, 107.0, "Gemurmel.", speaker="S1"),
        Segment(2, 700.0, 704.0, "Ich eröffne die Sitzung wieder.", speaker="S0"),
    ]
    (event,) = find_procedure(segs, LABELS)
    assert (event.kind, event.detail, event.start, event.end) == ("unterbrechung", "10 Minuten", 100.0, 700.0)
    assert event.text == "Die Sitzung wird für 10 Minuten unterbrochen und anschließend fortgesetzt."
    assert [e.segment_ids for e in event.evidence] == [[0], [2]]
    (open_ended,) = find_procedure(segs[:2], LABELS)
    assert open_ended.end == open_ended.start == 100.0 and "nicht erkannt" in open_ended.text
    (pause,) = run("Wir machen jetzt eine kurze Pause bis 19.30 Uhr.", "Wir setzen die Sitzung fort.")
    assert pause.detail == "bis 19:30 Uhr" and pause.end == 10.0


def test_karlsruhe_session(shared_fixtures: Path) -> None:
    data = json.loads((shared_fixtures / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))
    segs = [
        Segment(i, t["start"], t["end"], t["text"], speaker=t["speaker"]) for i, t in enumerate(data["turns"])
    ]
    events = find_procedure(segs)
    assert [(e.kind, e.who) for e in events] == [
        ("aenderungsantrag", "Fraktion DIE LINKE"),
        ("geschaeftsordnung", "Herr Fostiropoulos"),
    ]
    amendment = events[0]
    assert amendment.detail.startswith("die Aufstockung der Redezeit")
    assert amendment.text.endswith("Der Antrag wird abgelehnt.")
    assert 15 in amendment.evidence[-1].segment_ids
    assert "Antrag wird" not in events[1].text


CALL_LABELS = {"S0": "die Sitzungsleitung", "S1": "Dr. Aylin Demir (GRÜNE)", "S2": "Markus Brandt (CDU)"}


@pytest.mark.parametrize(
    "call",
    [
        "Wir stimmen über den Geschäftsordnungsantrag auf Vertagung ab.",
        "Ich lasse über den Geschäftsordnungsantrag von Herrn Brandt auf Vertagung abstimmen.",
        "Wir kommen zur Abstimmung über den Antrag zur Geschäftsordnung auf Vertagung.",
    ],
)
def test_the_chair_putting_a_go_motion_to_the_vote_makes_no_second_one(call: str) -> None:
    segs = [
        Segment(0, 0, 10, "Ich beantrage Vertagung des Tagesordnungspunktes.", speaker="S2"),
        Segment(
            1,
            10,
            20,
            call + " Wer ist dafür? Das ist die Mehrheit. Damit ist der Punkt vertagt.",
            speaker="S0",
        ),
    ]
    events = find_procedure(segs, CALL_LABELS)
    assert [(e.kind, e.who) for e in events] == [("geschaeftsordnung", "Markus Brandt (CDU)")]
    assert events[0].text.endswith("Der Antrag wird angenommen.")


def test_a_vote_call_names_the_motion_heard_and_its_result_goes_to_it() -> None:
    """Two motions, then the chair calls the first by its faction and the second without a
    name: each gets its own result, and no third motion „der GRÜNEN“ appears."""
    segs = [
        Segment(0, 0, 10, "Wir stellen einen Antrag: Die Verwaltung soll Querungen prüfen.", speaker="S1"),
        Segment(1, 10, 20, "Wir beantragen, die Mittel zu verdoppeln.", speaker="S2"),
        Segment(
            2, 20, 30, "Ich lasse über den Antrag der GRÜNEN abstimmen. Wer ist dafür? Damit ist der Antrag "
            "angenommen.", speaker="S0"
        ),
        Segment(
            3, 30, 40, "Wir stimmen über den Antrag ab. Wer ist dafür? Damit ist der Antrag abgelehnt.",
            speaker="S0",
        ),
    ]  # fmt: skip
    events = find_procedure(segs, CALL_LABELS)
    assert [(e.who, e.text.rsplit(" ", 1)[-1]) for e in events] == [
        ("Dr. Aylin Demir (GRÜNE)", "angenommen."),
        ("Markus Brandt (CDU)", "abgelehnt."),
    ]
    # the mover named as a person („von Herrn Brandt“) finds Markus Brandt's motion
    call = "Ich lasse über den Antrag von Herrn Brandt abstimmen. Damit ist der Antrag angenommen."
    by_name = [*segs[:2], Segment(2, 20, 30, call, speaker="S0")]
    assert [e.text.endswith("angenommen.") for e in find_procedure(by_name, CALL_LABELS)] == [False, True]
    # with no motion heard before, the call still records the faction's motion
    alone = find_procedure(segs[2:3], CALL_LABELS)
    assert [(e.kind, e.who) for e in alone] == [("antrag", "Fraktion GRÜNE")]
