"""Wortprotokoll rules (hesitation cleaner, Karlsruhe-style labels, the chair's reported words)
and the Ergebnisprotokoll's rule sentences, without a model."""

from __future__ import annotations

import pytest

from minutes_app.base.types import Attendee, Segment
from minutes_app.drafting.ergebnis import LEAD, keyword_sentence, position_sentence, stance
from minutes_app.drafting.hesitation import clean_spoken
from minutes_app.drafting.speakers import contributions, draft_labels
from minutes_app.drafting.wortprotokoll import build, person_label, report_procedure


@pytest.mark.parametrize(
    ("spoken", "clean", "removed"),
    [
        ("Äh, wir stimmen zu.", "Wir stimmen zu.", 1),
        ("Wir stimmen, ähm, der Vorlage zu.", "Wir stimmen, der Vorlage zu.", 1),
        ("Das ist, äh, gut. Ähm. Danke.", "Das ist, gut. Danke.", 2),
        ("Also also wir haben das geprüft.", "Also wir haben das geprüft.", 1),
        ("Wir wir stimmen zu, hm.", "Wir stimmen zu.", 2),
        ("Äh, die die Vorlage ist gut.", "Die Vorlage ist gut.", 2),
        ("Wir haben wir haben das beantragt.", "Wir haben das beantragt.", 2),
        ("Die Ver- Verwaltung hat berichtet.", "Die Verwaltung hat berichtet.", 1),
        ("Wir- wir wollen das.", "Wir wollen das.", 1),
    ],
)
def test_hesitations_are_removed(spoken: str, clean: str, removed: int) -> None:
    result = clean_spoken(spoken)
    assert (result.text, result.removed) == (clean, removed)


@pytest.mark.parametrize(
    "spoken",
    [
        "Das ist sehr, sehr wichtig.",  # emphasis: Karlsruhe keeps „moderat, wirklich moderat“
        "Nein, nein, so war das nicht gemeint.",
        "Das dauert lange, lange Jahre.",
        "Wir können nicht noch mal aussetzen und aussetzen und aussetzen.",  # a figure of speech
        "Die Kinder, die die Horte besuchen, profitieren.",  # relative pronoun + article
        "Wir stimmen zu. Zu den Kosten nur eines.",  # across a sentence end
        "Die Beiträge für Erst- und Zweitkinder steigen.",  # suspended compound, no false start
        "Das ist eh klar.",  # „eh“ is a word, not a hesitation
    ],
)
def test_legitimate_repetitions_stay(spoken: str) -> None:
    assert clean_spoken(spoken).text == spoken and clean_spoken(spoken).removed == 0


ROSTER = [
    Attendee("Oberbürgermeister", role="Vorsitz"),
    Attendee("Stadtrat Honné", "GRÜNE", "Mitglied", "Herr", family_name="Honné"),
    Attendee("Dr. Raphael Fechler", "SPD", "Mitglied", "Stadtrat"),
    Attendee("Thomas Krüger", "", "Verwaltung (Amt für Umwelt)", "Herr"),
    Attendee("Sabine Hofmann", "FDP", "Mitglied"),
]
NAMES = {
    "S0": "Oberbürgermeister",
    "S1": "Stadtrat Honné",
    "S2": "Dr. Raphael Fechler",
    "S3": "Thomas Krüger",
    "S4": "Sabine Hofmann",
}


def test_labels_in_the_karlsruhe_form() -> None:
    by_name = {p.name: p for p in ROSTER}
    assert person_label(by_name["Stadtrat Honné"], "x") == "Stadtrat Honné (GRÜNE)"
    assert person_label(by_name["Dr. Raphael Fechler"], "x") == "Stadtrat Dr. Fechler (SPD)"
    assert person_label(by_name["Thomas Krüger"], "x") == "Herr Krüger (Amt für Umwelt)"
    # no title in the roster: the full name with Fraktion (nothing guessed)
    assert person_label(by_name["Sabine Hofmann"], "Sabine Hofmann (FDP)") == "Sabine Hofmann (FDP)"


@pytest.mark.parametrize(
    ("sentence", "reported"),
    [
        (
            "Ich rufe Tagesordnungspunkt 13 auf: Anpassung der Elternbeiträge.",
            "X ruft Tagesordnungspunkt 13 zur Behandlung auf.",
        ),
        (
            "Wir kommen zu Punkt 3 der Tagesordnung: Baumpflanzprogramm 2025.",
            "X ruft Punkt 3 zur Behandlung auf.",
        ),
        ("Wer ist dafür?", "X lässt abstimmen."),
        ("Enthaltungen?", "X lässt abstimmen."),
        ("Ich eröffne die Sitzung.", "X eröffnet die Sitzung."),
        ("Ich schließe die Sitzung.", "X schließt die Sitzung."),
        ("Das ist einstimmig.", None),  # the result stays verbatim
        ("Ich rufe dazu auf, die Vorlage abzulehnen, weil sie viel zu teuer ist.", None),
    ],
)
def test_the_chairs_procedural_words_are_reported(sentence: str, reported: str | None) -> None:
    assert report_procedure(sentence, "X") == reported


def _segments(rows: list[tuple[str, str]]) -> list[Segment]:
    return [Segment(i, i * 10.0, i * 10.0 + 9.0, t, speaker=s) for i, (s, t) in enumerate(rows)]


def test_wortprotokoll_of_an_item() -> None:
    segs = _segments(
        [
            ("S0", "Ich rufe Tagesordnungspunkt 25 auf: Windenergie."),
            ("S1", "Ähm, diese Vorlage hat hat eine ziemliche Historie."),
            ("S2", "Im Gegensatz zum Kollegen Honné sehen wir das anders."),
            ("S9", "Ich habe nur eine Frage."),
            ("S0", "Wer ist dafür? Wer ist dagegen? Enthaltungen? Das ist eine große Mehrheit."),
        ]
    )
    labels = draft_labels(segs, NAMES, ROSTER)
    result = build(segs, labels, NAMES, ROSTER)
    assert result.text.splitlines() == [
        "Der Vorsitzende ruft Tagesordnungspunkt 25 zur Behandlung auf.",
        "Stadtrat Honné (GRÜNE): Diese Vorlage hat eine ziemliche Historie.",
        "Stadtrat Dr. Fechler (SPD): Im Gegensatz zum Kollegen Honné sehen wir das anders.",
        "Ein Mitglied des Gremiums: Ich habe nur eine Frage.",
        "Der Vorsitzende lässt abstimmen.",
        "Der Vorsitzende: Das ist eine große Mehrheit.",
    ]
    assert (result.removed, result.named, result.role, result.neutral) == (2, 2, 2, 1)
    # what each paragraph stands for: the cleaned spoken words (the benchmark's WER)
    assert result.paragraphs[-2].spoken == "Wer ist dafür? Wer ist dagegen? Enthaltungen?"


def test_an_unnamed_chair_without_roster_is_the_sitzungsleitung() -> None:
    segs = _segments(
        [("A", "Ich rufe Tagesordnungspunkt 2 auf."), ("A", "Wer ist dafür? Das ist einstimmig.")]
    )
    labels = draft_labels(segs, {}, [])
    text = build(segs, labels).text
    assert text.startswith("Die Sitzungsleitung ruft Tagesordnungspunkt 2 zur Behandlung auf.")


def test_positions_by_rules() -> None:
    assert stance("Deswegen stimmen wir der Vorlage zu.") == "dafür"
    assert stance("Heute tragen wir die Erhöhung der Beiträge mit.") == "dafür"
    assert stance("Wir wollen nicht dieser Erhöhung zustimmen. Wir stimmen dagegen.") == "dagegen"
    assert stance("Wir werden dieser Erhöhung auch nicht zustimmen.") == "dagegen"
    assert stance("Daher lehnen wir jedwede Schwächung der Horte strikt ab.") == ""  # not the Vorlage
    assert stance("Stimmen Sie zu?") == ""
    segs = _segments(
        [
            ("S0", "Ich rufe Tagesordnungspunkt 13 auf."),
            ("S1", "Die Erhöhung ist moderat, deswegen stimmen wir der Vorlage zu."),
            ("S2", "Wir sind in einer schwierigen Lage, wir stimmen dagegen."),
        ]
    )
    labels = draft_labels(segs, NAMES, ROSTER)
    sentence = position_sentence(contributions(segs, labels))
    assert sentence == (
        "In der Aussprache kündigt Stadtrat Honné (GRÜNE) Zustimmung an; "
        "Dr. Raphael Fechler (SPD) lehnt die Vorlage ab."
    )
    unnamed = _segments(
        [("A", "Wir stimmen der Vorlage zu, sie ist gut."), ("B", "Wir stimmen der Vorlage zu.")]
    )
    sentence = position_sentence(contributions(unnamed, draft_labels(unnamed, {}, [])))
    assert (
        sentence == "In der Aussprache kündigen mehrere Mitglieder Zustimmung an."
    )  # two speakers, no names


def test_the_models_keywords_are_checked() -> None:
    source = (
        "Die Elternbeiträge für die Schülerhorte steigen, die Kosten sind gering. Wir stimmen zu. "
        "Die Kosten der Schülerhorte trägt die Stadt, die Elternbeiträge sind gering. Herr Schmodt dankt."
    )
    title = "Anpassung der Elternbeiträge"
    sentence, rejected = keyword_sentence("geringe Kosten, Schülerhort\nmehr", source, [], title)
    assert sentence == f"{LEAD} geringe Kosten und Schülerhort."  # endings may change
    assert rejected == []
    reply = "Kosten von 34 Millionen, Sportplätze, Herr Schmodt, wir stimmen zu, Elternbeiträge, Kosten"
    sentence, rejected = keyword_sentence(reply, source, [], title)
    assert sentence == f"{LEAD} Kosten."  # only the keyword said (more than once) and not the title
    assert [r.split(" (")[1] for r in rejected] == [
        "nicht im Transkript)",  # 34 Millionen
        "nicht im Transkript)",
        "nur einmal genannt)",  # an ASR slip or a name said once
        "kein Stichwort)",
        "schon im Titel)",
    ]
    assert keyword_sentence('{"motions": []}', source, [])[0] == ""
    assert keyword_sentence("Vorlage, Kosten", source + " Vorlage Vorlage", [], title)[0] == f"{LEAD} Kosten."
    twice = "Kosten der Schülerhorte, Kosten der Schülerhort, Kosten"  # one point, once
    assert keyword_sentence(twice, source, [], title)[0] == f"{LEAD} Kosten der Schülerhorte."
    people = ["Stadtrat Schmodt (CDU)", "ein Mitglied des Gremiums"]
    reply = "CDU-Fraktion, Schmodt, Kosten"  # persons and Fraktionen are no topics
    assert (
        keyword_sentence(reply, source + " CDU-Fraktion CDU-Fraktion", [], title, people)[0]
        == f"{LEAD} Kosten."
    )
