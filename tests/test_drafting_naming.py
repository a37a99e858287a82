"""Speaker naming suggestions from the chair's calls, self-introductions and the chair's role."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from minutes_app.base.types import Attendee, Segment
from minutes_app.drafting.naming import faction_keys, fold, suggest_speaker_names

ROSTER = [
    Attendee("Dr. Frank Mentrup", role="Oberbürgermeister (Vorsitz)"),
    Attendee("Anna Schnell", faction="AfD"),
    Attendee("Petra Meier-Augenstein", faction="CDU"),
    Attendee("Tom Høyem", faction="FDP"),
    Attendee("Karl Bauer", faction="Bündnis 90/Die Grünen"),
    Attendee("Eva Lisbach", faction="GRÜNE"),
    Attendee("Niko Fostiropoulos", faction="DIE LINKE"),
    Attendee("Jürgen Wenzel", faction="Freie Wähler"),
    Attendee("Ute Melchien", faction="SPD"),
]


def dialogue(*turns: tuple[str, str]) -> list[Segment]:
    return [Segment(i, i * 10.0, i * 10.0 + 9.0, text, speaker=spk) for i, (spk, text) in enumerate(turns)]


def named(segments: list[Segment], roster: list[Attendee] = ROSTER) -> dict[str, str]:
    return {s.speaker: s.name for s in suggest_speaker_names(segments, roster)}


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ("Herr Schnell, bitte.", "Anna Schnell"),
        ("Das Wort hat Frau Meier-Augenstein.", "Petra Meier-Augenstein"),
        ("Stadtrat Bauer, Sie haben das Wort.", "Karl Bauer"),
        ("Danke. Als Nächstes Frau Lisbach.", "Eva Lisbach"),
        ("Bitte schön, Herr Høyem.", "Tom Høyem"),
        ("Bitte schön, Herr Hoyem.", "Tom Høyem"),  # ASR without the ø
        ("Ich erteile Herrn Fostiropulos das Wort.", "Niko Fostiropoulos"),  # ASR spelling
        ("Dann Frau Meier Augenstein.", "Petra Meier-Augenstein"),
        ("Ein Geschäftsordnungsantrag des Herrn Fostiropoulos, bitte sehr.", "Niko Fostiropoulos"),
        ("Frau Stadträtin Melchien, bitte schön.", "Ute Melchien"),
    ],
)
def test_chair_gives_the_floor(call: str, name: str) -> None:
    segs = dialogue(("S0", call), ("S1", "Vielen Dank, meine Damen und Herren."))
    assert named(segs).get("S1") == name
    suggestion = next(s for s in suggest_speaker_names(segs, ROSTER) if s.speaker == "S1")
    assert re.match(r"(?:Vom Vorsitz|Von S0) aufgerufen: „.+“ \(00:00\)$", suggestion.reasons[0])
    assert suggestion.evidence[0].segment_ids == [0, 1]
    assert 0.5 <= suggestion.score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Das stimmt natürlich nicht, was der Herr Schnell da von sich gibt.",
        "Frau Lisbach hat recht, das sehen wir auch so.",
        "Wie Herr Fostiropoulos dies vorher gesagt hat, brauchen wir Zeit.",
        "Herr Schnell, bitte hören Sie doch einmal zu!",
        "Ich gehe schnell zum Bauer.",
    ],
)
def test_third_person_mentions_suggest_nobody(text: str) -> None:
    segs = dialogue(("S1", text), ("S2", "Das sehe ich anders."), ("S1", "Gut."))
    assert named(segs) == {}


def test_mention_vetoes_a_faction_match() -> None:
    segs = dialogue(("S1", "Für die CDU-Fraktion sage ich: Frau Meier-Augenstein hat recht."))
    assert named(segs) == {}
    assert named(dialogue(("S1", "Für die CDU-Fraktion sage ich: Das ist richtig."))) == {
        "S1": "Petra Meier-Augenstein"
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mein Name ist Anna Schnell, ich spreche zum Haushalt.", "Anna Schnell"),
        ("Für die CDU-Fraktion sind die Horte wichtig.", "Petra Meier-Augenstein"),
        ("Namens der Grünen möchte ich sagen: wir stimmen zu.", None),  # two Green members
        ("Wir stehen als SPD-Fraktion zu dieser Vorlage.", "Ute Melchien"),
        ("Ich bin Stadtrat von der FDP und sage dazu nur eins.", "Tom Høyem"),
        ("Im Namen der Freien Wähler: Wir stimmen zu.", "Jürgen Wenzel"),
        ("Für die Linke ist das ein wichtiges Signal.", "Niko Fostiropoulos"),
        ("Für die Stadt ist das ein wichtiges Signal.", None),
        ("Die CDU hat das immer abgelehnt.", None),
    ],
)
def test_self_introductions(text: str, name: str | None) -> None:
    result = named(dialogue(("S1", text)))
    assert result.get("S1") == name


def test_faction_normalisation() -> None:
    assert (
        faction_keys("Bündnis 90/Die Grünen") == faction_keys("GRÜNE") == faction_keys("Grünen") == {"GRÜNE"}
    )
    assert faction_keys("DIE LINKE") == faction_keys("Linke") == {"LINKE"}
    assert faction_keys("Freie Wähler") == faction_keys("FW") == {"FW"}
    assert "FW" in faction_keys("FW|FÜR")
    assert fold("Høyem") == fold("Hoeyem") == "hoeyem" and fold("Müller") == "mueller"


def test_chair_role_and_one_to_one() -> None:
    segs = dialogue(
        ("S0", "Ich rufe Tagesordnungspunkt 3 auf: Redezeiten."),
        ("S0", "Herr Schnell, bitte."),
        ("S1", "Wir lehnen das ab, Herr Oberbürgermeister."),
        ("S0", "Das Wort hat Herr Schnell."),  # a second call of the same person: to S2 this time
        ("S2", "Ich sehe das anders."),
        ("S0", "Wer ist dafür? Das ist die Mehrheit."),
    )
    result = suggest_speaker_names(segs, ROSTER)
    by_speaker = {s.speaker: s for s in result}
    assert by_speaker["S0"].name == "Dr. Frank Mentrup"
    assert by_speaker["S0"].reasons[0].startswith("Leitet die Sitzung")
    assert by_speaker["S1"].reasons[0].startswith("Vom Vorsitz aufgerufen")
    names = [s.name for s in result]
    assert len(names) == len(set(names))  # one speaker per person
    assert names.count("Anna Schnell") == 1


def test_the_addressed_chair_is_not_the_speaker() -> None:
    segs = dialogue(
        ("S1", "Herr Oberbürgermeister, wir stimmen dagegen."), ("S1", "Wer ist dafür? Das ist einstimmig.")
    )
    assert named(segs) == {}


def test_absent_and_ambiguous_people_are_not_suggested() -> None:
    roster = [Attendee("Max Cramer", faction="KULT"), Attendee("Eva Cramer", faction="KAL"), *ROSTER]
    segs = dialogue(("S0", "Herr Cramer, bitte."), ("S1", "Danke."))
    assert named(segs, roster) == {}
    absent = [Attendee("Anna Schnell", faction="AfD", present=False)]
    assert named(dialogue(("S0", "Herr Schnell, bitte."), ("S1", "Danke.")), absent) == {}


# --- the Karlsruhe session: 18 turns, 13 true speakers --------------------------------------------------


def _karlsruhe(shared: Path) -> tuple[dict, list[Attendee], dict[str, str]]:
    data = json.loads((shared / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))
    roster = [_attendee(label) for label in data["speakers"]]
    ids = {label: f"SPEAKER_{i:02d}" for i, label in enumerate(sorted({t["speaker"] for t in data["turns"]}))}
    return data, roster, ids


def _attendee(label: str) -> Attendee:
    m = re.match(r"(Stadtr\w+)\s+(.+?)\s+\((.+)\)$", label)
    if m:
        return Attendee(m.group(2), faction=m.group(3), form_of_address=m.group(1), role="Mitglied")
    return Attendee(label, role="Vorsitz")


def _score(suggestions, roster, ids) -> tuple[int, int]:
    truth = {ids[label]: _attendee(label) for label in ids}
    correct = 0
    for s in suggestions:
        person = truth[s.speaker]
        correct += (person.name, person.faction) in {
            (a.name, a.faction) for a in roster if a.name == s.name
        } and (person.name == s.name)
    return correct, len(suggestions)


def test_karlsruhe_turns_precision(shared_fixtures: Path) -> None:
    data, roster, ids = _karlsruhe(shared_fixtures)
    segs = [
        Segment(i, t["start"], t["end"], t["text"], speaker=ids[t["speaker"]])
        for i, t in enumerate(data["turns"])
    ]
    result = suggest_speaker_names(segs, roster)
    correct, made = _score(result, roster, ids)
    assert made == correct  # precision 1.0
    assert {s.name for s in result} == {"Vorsitz", "Fostiropoulos", "Meier-Augenstein", "Melchien"}
    # third-person mentions ("was der Herr Schnell da von sich gibt") give nobody a wrong name
    assert all(s.name != "Schnell" for s in result)


def test_karlsruhe_with_the_chair_calling_each_speaker(shared_fixtures: Path) -> None:
    """The published debate with a floor call (varied phrasings) before each speech."""
    data, roster, ids = _karlsruhe(shared_fixtures)
    calls = [
        "Herr {s}, bitte.",
        "Das Wort hat {t} {s}.",
        "{t} {s}, Sie haben das Wort.",
        "Als Nächstes {t} {s}.",
        "Bitte schön, {h} {s}.",
        "Vielen Dank. Ich erteile {h2} {s} das Wort.",
        "Dann {h} {s}.",
        "{h} {s}, bitte schön.",
    ]
    segs: list[Segment] = []
    for k, turn in enumerate(data["turns"]):
        if turn["speaker"] != "Vorsitz":
            a = _attendee(turn["speaker"])
            fem = a.form_of_address.endswith("in")
            h, h2 = ("Frau", "Frau") if fem else ("Herr", "Herrn")
            call = calls[k % len(calls)].format(s=a.surname, t=a.form_of_address, h=h, h2=h2)
            call = re.sub(r"^Herr ", f"{h} ", call)
            segs.append(Segment(len(segs), turn["start"] - 0.5, turn["start"], call, speaker=ids["Vorsitz"]))
        segs.append(
            Segment(len(segs), turn["start"], turn["end"], turn["text"], speaker=ids[turn["speaker"]])
        )
    result = suggest_speaker_names(segs, roster)
    correct, made = _score(result, roster, ids)
    assert made == correct == 11  # the two "Stadtrat Cramer" stay open: same surname
    assert "Cramer" not in {s.name for s in result}
