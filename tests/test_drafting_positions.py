"""The position a Beratung summary states must be the one the speaker stated (#16): a model
summary that says „unterstütze“ where the speaker said „lehnen … ab“, or states a position
where the speaker stated none, is rejected and the rule extract takes over."""

from __future__ import annotations

import pytest

from minutes_app.base.types import Segment
from minutes_app.drafting.beratung import check, summarise_item, usable_part
from minutes_app.drafting.engines.base import LLMEngine, Messages
from minutes_app.drafting.prompts import load_prompt
from minutes_app.drafting.quality import keeps_position, position_error, positions
from minutes_app.drafting.speakers import contributions

# Karlsruhe TOP 13 (ka_elternbeitraege), as spoken
SCHNELL = (
    "Die AfD steht fest zur Einrichtung der städtischen Schülerhorte, bieten doch nur sie eine große "
    "Flexibilität der Betreuung. Daher lehnen wir jedwede Schwächung oder Verringerung der Attraktivität "
    "von Schülerhorten strikt ab."
)
HOYEM = (
    "Herr Oberbürgermeister, vielleicht sind 35.000 Euro nicht besonders viel, aber wir sind in einer "
    "schwierigen Lage und wir wollen nicht dieser Erhöhung zustimmen. Wir stimmen dagegen."
)
BIMMERLE = (
    "Wir werden dieser Erhöhung auch nicht zustimmen, aber aus anderen politischen Gründen. Wir halten "
    "dennoch den Ausbau von flexiblen Ganztagesangeboten an Ganztagesschulen für notwendig."
)
MEIER = (
    "Für die CDU-Fraktion sind die Schülerhorte ein wichtiger Teil der Betreuungsmöglichkeiten. Heute "
    "tragen wir die Erhöhung der Beiträge mit. Deswegen stimmen wir der Vorlage zu."
)
KALMBACH = "Es ist eine mäßige Erhöhung, die ist sinnvoll. Deswegen sagen wir zu."
MELCHIEN = (
    "Die Elternbeiträge für städtische Schülerhorte werden sehr stark subventioniert und sind relativ "
    "niedrig. Der Kostendeckungsgrad ist entsprechend gering, sie konnten ihn ja der Vorlage entnehmen."
)
QUESTION = "Stimmt die Verwaltung dem Antrag der Linken zu? Und wie hoch sind die Kosten für die Horte?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOYEM, {"dagegen"}),  # „nicht … zustimmen“ and „stimmen dagegen“
        (BIMMERLE, {"dagegen"}),
        (MEIER, {"dafür"}),  # „tragen … mit“, „stimmen … zu“
        (KALMBACH, {"dafür"}),  # „sagen wir zu“
        (MELCHIEN, set()),
        (QUESTION, set()),  # a question states no position
        ("X fragt, ob die Fraktion dem Antrag zustimme.", set()),
        ("Die Fraktion gebe keine Zustimmung.", {"dagegen"}),
        ("Die Fraktion stimme der Vorlage nicht zu.", {"dagegen"}),
        ("Keiner in der Fraktion könne das unterstützen.", {"dagegen"}),
        ("Die Fraktion lehne den Antrag nicht ab.", set()),  # a negated contra is no pro
        ("Die Fraktion unterstütze den Antrag nicht nur, sie begrüße ihn.", {"dafür"}),
        ("Wir enthalten uns.", {"Enthaltung"}),
        ("Die Pflege ist in den Kosten enthalten.", set()),
        ("Wir haben uns dafür eingesetzt, dass die Horte bestehen bleiben.", set()),  # pronominal adverb
        ("Die Ganztagsschule dagegen wird vom Land finanziert.", set()),
        ("Wir sind dafür.", {"dafür"}),
        ("Ich bitte Sie daher aus Fairnessgründen, dem Antrag zuzustimmen.", {"dafür"}),
        ("Aus unserer Sicht ist die Vorlage trotzdem abzulehnen.", {"dagegen"}),
        ("Das stimmt natürlich nicht, was der Herr Schnell da von sich gibt.", set()),
    ],
)
def test_positions_with_negation_and_questions(text: str, expected: set[str]) -> None:
    assert positions(text) == expected


def test_a_summary_must_state_the_speakers_position() -> None:
    label = "Stadtrat Høyem (FDP)"
    # the opposite, both directions
    assert position_error(f"{label} erklärt, die Fraktion stimme der Erhöhung zu.", HOYEM) == (
        "Position falsch: dafür statt dagegen"
    )
    assert position_error("X erklärt, die Fraktion lehne die Vorlage ab.", MEIER) == (
        "Position falsch: dagegen statt dafür"
    )
    assert position_error("X erklärt, die Fraktion werde sich enthalten.", MEIER).startswith(
        "Position falsch"
    )
    # a negated position is the opposite one
    assert position_error("X erklärt, die Fraktion werde nicht zustimmen.", MEIER).startswith(
        "Position falsch"
    )
    assert position_error("X erklärt, die Fraktion gebe keine Zustimmung.", KALMBACH).startswith(
        "Position falsch"
    )
    # a position where the speaker stated none
    assert (
        position_error("X erklärt, die SPD unterstütze die Vorlage.", MELCHIEN)
        == "Position nicht gesagt: dafür"
    )
    # the same position, in other words, or none at all: fine
    assert position_error(f"{label} erklärt, die Fraktion stimme nicht zu.", HOYEM) == ""
    assert position_error("X erklärt, die Fraktion sei dagegen.", BIMMERLE) == ""
    assert position_error("X erklärt, die Fraktion trage die Erhöhung mit.", MEIER) == ""
    assert position_error("X erklärt, die Beiträge seien stark subventioniert.", MELCHIEN) == ""
    assert position_error("X fragt, ob die Verwaltung dem Antrag zustimme.", QUESTION) == ""
    # a speaker with two positions (for the Horte, against weakening them): either is his
    assert positions(SCHNELL) == {"dafür", "dagegen"}
    assert keeps_position("X erklärt, die Fraktion lehne jede Schwächung der Horte ab.", SCHNELL)


def test_the_check_rejects_a_wrong_position_and_drops_a_wrong_later_sentence() -> None:
    label = "Stadtrat Bimmerle (DIE LINKE)"
    wrong = f"{label} erklärt, die Fraktion unterstütze die Erhöhung."
    assert check(wrong, BIMMERLE, [label], label) == "Position falsch: dafür statt dagegen"
    good = f"{label} erklärt, die Fraktion stimme der Erhöhung nicht zu."
    kept, why, dropped = usable_part(f"{good} Sie unterstütze die Erhöhung.", BIMMERLE, [label], label)
    assert (kept, why, dropped) == (good, "", "Position falsch: dafür statt dagegen")


class Replies(LLMEngine):
    name = "scripted"
    model_id = "scripted"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)

    def generate(
        self, messages: Messages, max_new_tokens: int, temperature: float = 0.0, cancel=None, on_token=None
    ):  # type: ignore[no-untyped-def] # noqa: E501
        return self.replies.pop(0)


def test_a_wrong_position_falls_back_to_the_rule_extract_with_its_reason() -> None:
    template = load_prompt("contribution", protocol_type="verlauf")
    label = "Stadtrat Høyem (FDP)"
    contribs = contributions([Segment(0, 0, 20, HOYEM, speaker="S1")], {"S1": label})
    result = summarise_item(
        contribs, Replies("NN erklärt, die Fraktion stimme der Erhöhung zu."), template, []
    )
    assert [d.reason for d in result.decisions] == ["Position falsch: dafür statt dagegen"]
    assert result.fallbacks == [label]
    assert "dagegen" in result.paragraphs[0] and positions(result.paragraphs[0]) == {"dagegen"}
