"""Word order after „dass“, „ob“, „weil“ … in the reported speech of the Beratung (#16).

The sentences are the model's replies on the Karlsruhe session (``ka_elternbeitraege``)
after the rules' shift, and the reported speech of the real Karlsruhe minutes, which must
keep their order."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from minutes_app.drafting.clauses import verb_final
from minutes_app.drafting.condense import extract
from minutes_app.drafting.quality import sentences
from minutes_app.drafting.reported import indirect_question, shift_unreported, to_reported

X = "Stadtrat Cramer (KAL/DIE PARTEI)"
MINUTES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "minutes"


def shifted(reply: str) -> str:
    """A model reply as the Beratung prints it: label, rules' shift, then the word order."""
    return verb_final(shift_unreported(reply.replace("NN", X), X))


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # main-clause order after „dass“: the finite verb goes to the end
        (
            "NN erklärt, dass seine Fraktion unterstützt den Antrag.",
            "dass seine Fraktion den Antrag unterstütze.",
        ),
        ("NN erklärt, dass die Fraktion lehnt den Antrag ab.", "dass die Fraktion den Antrag ablehne."),
        ("NN erklärt, dass die Fraktion stimmt der Vorlage zu.", "dass die Fraktion der Vorlage zustimme."),
        ("NN erklärt, dass sie will das morgen prüfen.", "dass sie das morgen prüfen wolle."),
        (
            "NN erklärt, dass die Erhöhung der Beiträge ist moderat.",
            "dass die Erhöhung der Beiträge moderat sei.",
        ),
        (
            "NN erklärt, dass die Verwaltung hat die Redezeit erhöht.",
            "dass die Verwaltung die Redezeit erhöht habe.",
        ),
        (
            "NN erklärt, dass die AfD befürwortet die städtischen Schülerhorte.",
            "dass die AfD die städtischen Schülerhorte befürworte.",
        ),
        ("NN fragt, ob die Verwaltung hat das geprüft.", "ob die Verwaltung das geprüft habe."),
        ("NN erklärt, dass ihr Antrag ist gut begründet.", "dass ihr Antrag gut begründet sei."),
        ("NN erklärt, dass es gibt keine Lösung.", "dass es keine Lösung gebe."),
        (
            "NN erklärt, die Fraktion lehne den Antrag ab, weil die Kosten sind zu hoch.",
            "weil die Kosten zu hoch seien.",
        ),
        (
            "NN erklärt, dass die Fraktion muss die Kosten weitergeben, damit die Horte bleiben.",
            "dass die Fraktion die Kosten weitergeben müsse, damit die Horte bleiben.",
        ),
        # verb already at the end: only Konjunktiv I
        (
            "NN erklärt, dass die Fraktion nicht zustimmt, aber aus anderen Gründen.",
            "dass die Fraktion nicht zustimme,",
        ),
        (
            "NN berichtet, dass die Fraktion in einer schwierigen Lage ist und nicht der Erhöhung zustimmt.",
            "dass die Fraktion in einer schwierigen Lage sei und nicht der Erhöhung zustimme.",
        ),
        (
            "NN erklärt, dass die letzte Erhöhung ausgesetzt wurde und die Schere weiter auseinander geht.",
            "dass die letzte Erhöhung ausgesetzt worden sei und die Schere weiter auseinander gehe.",
        ),
        (
            "NN erklärt, dass die AfD die städtischen Horte einrichtet, aber eine Flexibilität bietet.",
            "dass die AfD die städtischen Horte einrichte,",
        ),
        # too complex to reorder (a second finite verb): Konjunktiv I without „dass“
        (
            "NN erklärt, dass seine Fraktion unterstützt den Antrag und sieht es so, dass es in der Logik "
            "hier überhaupt nicht stimmt.",
            f"{X} erklärt, seine Fraktion unterstütze den Antrag und sehe es so, dass es in der Logik hier "
            "überhaupt nicht stimme.",
        ),
        # „fragt, dass“ is a request
        (
            "NN fragt, dass die Gruppen 15 Minuten mehr bekommen, um sich beteiligen zu können.",
            "bittet darum, dass die Gruppen 15 Minuten mehr bekommen, um sich beteiligen zu können.",
        ),
    ],
)
def test_subordinate_clauses_end_in_the_finite_verb(reply: str, expected: str) -> None:
    assert expected in shifted(reply)


@pytest.mark.parametrize(
    "sentence",
    [
        f"{X} erklärt, dass die Schülerhorte für die CDU-Fraktion eine wichtige Betreuungsmöglichkeit seien.",
        f"{X} erklärt, dass sich die Fraktion dafür eingesetzt habe, dass die Horte bestehen bleiben.",
        f"{X} erklärt, dass die 2er Gruppierungen fair und gerecht behandelt werden sollten.",
        f"{X} erklärt, dass er sich überrascht finde, auch wenn er es schon 16 Jahre kenne, und fragt, ob es "
        "für Kleinigkeiten kleinkariert sei.",
        f"{X} erklärt, sie könnten ihre Toleranz daran ermessen, dass sie geredet haben, obwohl sie an der "
        "Debatte teilgenommen hätten.",
        f"{X} erklärt, die Fraktion sei der Meinung, dass es richtig sei, dass eine 2er Gruppe nicht "
        "30 Minuten haben könne.",
        f"{X} erklärt, dass es für eine 2er Konstellation in der Logik nicht stimme.",
        f"{X} erklärt, da gebe es 12 Nein-Stimmen.",
        f"{X} erklärt, die Fraktion stimme zu, wenn die Verwaltung die Kosten prüfe.",
        f"{X} fragt, ob es dafür einen Zuschuss vom Bund gebe.",
        f"{X} erklärt, dass die Horte von der Stadt, aber die Ganztagsschulen vom Land finanziert würden.",
    ],
)
def test_correct_clauses_stay_unchanged(sentence: str) -> None:
    assert verb_final(sentence) == sentence


@pytest.mark.skipif(not MINUTES.is_dir(), reason="shared fixtures not present")
def test_the_real_minutes_keep_their_word_order() -> None:
    """Every sentence of the Karlsruhe minutes with a subordinate clause keeps its order; at
    most a clause-final indicative becomes Konjunktiv I („weiterführt“ -> „weiterführe“)."""
    seen = 0
    for path in sorted(MINUTES.glob("karlsruhe_*.txt")):
        text = re.sub(r"\s+", " ", re.sub(r"-\n(?=[a-zäöü])", "", path.read_text(encoding="utf-8")))
        for sent in sentences(text):
            if not re.search(r", (?:dass|ob|weil|wenn|da|obwohl|damit) ", sent):
                continue
            seen += 1
            before, after = sent.split(), verb_final(sent).split()
            ops = [op for op in SequenceMatcher(None, before, after).get_opcodes() if op[0] != "equal"]
            assert len(ops) <= 2, (sent, verb_final(sent))
            for (
                _,
                i1,
                i2,
                j1,
                j2,
            ) in ops:  # a clause-final verb in another form („wurden,“ -> „worden seien,“)
                assert i2 - i1 == 1 and 1 <= j2 - j1 <= 2, (sent, verb_final(sent))
                assert before[i1][-1] in ",.;:" and before[i1].islower(), (sent, verb_final(sent))
    assert seen >= 40


def test_questions_put_the_verb_last_with_its_prefix() -> None:
    assert (
        indirect_question("Stimmt die Fraktion dem Antrag zu?", "X")
        == "X fragt, ob die Fraktion dem Antrag zustimme."
    )
    assert (
        indirect_question("Warum lehnt die Verwaltung das ab?", "X")
        == "X fragt, warum die Verwaltung das ablehne."
    )
    assert indirect_question("Wie viel kostet das?", "X") == "X fragt, wie viel das koste."
    assert (
        indirect_question("Wie viele Plätze gibt es in der Kita?", "X")
        == "X fragt, wie viele Plätze es in der Kita gebe."
    )
    assert indirect_question("Wurde das geprüft?", "X") == "X fragt, ob das geprüft worden sei."
    assert indirect_question("Wie hoch sind die Kosten?", "X") == "X fragt, wie hoch die Kosten seien."


def test_an_infinitive_after_zu_is_no_finite_verb() -> None:
    assert to_reported("Wir wollen uns beteiligen zu können.", "X").endswith("beteiligen zu können.")


def test_the_rule_extract_keeps_subordinate_order() -> None:
    said = (
        "Wir haben uns vehement dafür eingesetzt, dass die Horte bestehen bleiben. Deswegen stimmen wir der "
        "Vorlage zu, weil die Erhöhung moderat ist."
    )
    out = extract(said, "Stadträtin Meier-Augenstein (CDU)")
    assert "weil die Erhöhung moderat sei" in out and "stimme die Fraktion der Vorlage zu" in out


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        # „wir“ in a subordinate clause: „die Fraktion“ with its clause-final verb in Konjunktiv I
        (
            "Ich bitte darum, dass wir uns entsprechend beteiligen können.",
            "dass die Fraktion sich entsprechend beteiligen könne.",
        ),
        (
            "Deshalb haben wir diskutiert, ob wir dem Rechnung tragen müssen.",
            "ob die Fraktion dem Rechnung tragen müsse.",
        ),
        (
            "Wir haben verzichtet, weil wir damals ein Zeichen setzen wollten.",
            "weil die Fraktion damals ein Zeichen setzen wollte.",
        ),
        ("Ich glaube, dass wir dort waren.", "dass die Fraktion dort gewesen sei."),
        ("Es ist gut, dass wir gewählt wurden.", "dass die Fraktion gewählt worden sei."),
        # „uns“ with „wir“ is reflexive
        (
            "Wir haben uns in den vergangenen Jahren dafür eingesetzt.",
            "die Fraktion habe sich in den vergangenen Jahren dafür eingesetzt.",
        ),
        ("Das passt für uns.", "Das passt für sie."),
        # a filler's comma stays where a clause follows
        (
            "Wir wissen ja, dass das neue Wahlgesetz Gruppen hineingetragen hat.",
            "die Fraktion wisse, dass das neue",
        ),
        ("Das ist ja, wie gesagt, teuer.", "Das sei, wie gesagt, teuer."),
        ("Wir stimmen zu und ja, Bildung sollte kostenfrei sein.", "zu und Bildung solle kostenfrei sein."),
        # a word in -en before an inserted clause is no verb
        (
            "Damit wir unserem Auftrag angemessen, wie gesagt, nachkommen.",
            "Damit sie ihrem Auftrag angemessen,",
        ),
    ],
)
def test_wir_in_subordinate_clauses(spoken: str, expected: str) -> None:
    assert expected in to_reported(spoken, "X")


def test_coordinated_main_verbs_and_participles_in_en() -> None:
    # the speaker's own „und fragt“ after a dass clause is no verb of that clause
    said = f"{X} erklärt, dass neue Bäume gepflanzt würden und fragt, wer die Pflege bezahle."
    assert verb_final(said) == said
    # a coordinated second verb: not reordered into one clause („… und erfolgt …“)
    out = verb_final(f"{X} erklärt, dass die Apparatur beauftragt und erfolgt in der nächsten Woche.")
    assert "und erfolgt in der nächsten Woche beauftrage" not in out and "Apparatur beauftrage und" in out
    # a participle in -en before „wurde“: passive perfect
    assert "eingetragen worden sei" in verb_final(f"{X} erklärt, dass es ordnungsgemäß eingetragen wurde.")
    assert "teurer geworden sei" in verb_final(f"{X} erklärt, dass es teurer wurde.")
