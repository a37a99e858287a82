"""Rule-based vote recogniser and the number check."""

from __future__ import annotations

import pytest

from minutes_app.base.types import Evidence, Segment, Vote
from minutes_app.drafting.numbers import number_to_word, numbers_in_text, parse_number_word
from minutes_app.drafting.verify import is_verbatim, verify_vote
from minutes_app.drafting.votes import find_votes, item_vote


def one(text: str) -> Vote:
    events = find_votes([Segment(0, 0.0, 5.0, text)])
    assert len(events) == 1, events
    return events[0].vote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Das ist einstimmig.", Vote("einstimmig zugestimmt")),
        ("Damit einstimmig abgelehnt.", Vote("einstimmig abgelehnt")),
        ("Das ist mehrheitlich angenommen.", Vote("mehrheitlich zugestimmt")),
        ("Das ist mehrheitlich abgelehnt.", Vote("mehrheitlich abgelehnt")),
        ("Der Vorlage wurde mehrheitlich zugestimmt.", Vote("mehrheitlich zugestimmt")),
        ("Das ist eine Mehrheit.", Vote("mehrheitlich zugestimmt")),
        ("Das ist eine deutliche Mehrheit.", Vote("mehrheitlich zugestimmt")),
        ("Das ist eine Mehrheit. Das Programm ist beschlossen.", Vote("mehrheitlich zugestimmt")),
        ("Das Programm ist beschlossen. Das ist einstimmig.", Vote("einstimmig zugestimmt")),
        ("Ich bitte um Ihr Votum - das ist eine mehrheitliche Zustimmung.", Vote("mehrheitlich zugestimmt")),
        ("Der Antrag hat keine Mehrheit gefunden.", Vote("abgelehnt")),
        ("Damit ist der Antrag abgelehnt.", Vote("abgelehnt")),
        ("Bei 2 Enthaltungen mehrheitlich angenommen.", Vote("mehrheitlich zugestimmt", abstain=2)),
        ("Mehrheitlich angenommen bei zwei Enthaltungen.", Vote("mehrheitlich zugestimmt", abstain=2)),
        ("Bei einer Enthaltung einstimmig beschlossen.", Vote("einstimmig zugestimmt", abstain=1)),
        ("20 Ja-Stimmen, 11 Nein-Stimmen.", Vote("mehrheitlich zugestimmt", 20, 11)),
        (
            "Da gibt es 12 Nein-Stimmen, 4 Enthaltungen und 27 Ja-Stimmen.",
            Vote("mehrheitlich zugestimmt", 27, 12, 4),
        ),
        ("Ja: 20, Nein: 11, Enthaltungen: 1.", Vote("mehrheitlich zugestimmt", 20, 11, 1)),
        (
            "Wer ist dafür? – 20. Wer ist dagegen? – 11. Enthaltungen? – Keine.",
            Vote("mehrheitlich zugestimmt", 20, 11, 0),
        ),
        ("Einstimmig ohne Enthaltungen so beschlossen.", Vote("einstimmig zugestimmt", abstain=0)),
        ("Mit zehn Ja-Stimmen und zwölf Nein-Stimmen ist der Antrag abgelehnt.", Vote("abgelehnt", 10, 12)),
        (
            "Einundzwanzig Ja-Stimmen, drei Gegenstimmen, damit angenommen.",
            Vote("mehrheitlich zugestimmt", 21, 3),
        ),
    ],
)
def test_vote_phrases(text: str, expected: Vote) -> None:
    assert one(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Wir haben 35.000 Euro ausgegeben und 3 Kitas gebaut.",
        "Die Mehrheit der Bürger wünscht sich mehr Radwege.",
        "Wir stimmen der Vorlage zu.",
    ],
)
def test_no_vote_in_speech(text: str) -> None:
    assert find_votes([Segment(0, 0.0, 5.0, text)]) == []


def test_two_votes_and_evidence() -> None:
    segments = [
        Segment(
            3, 10.0, 20.0, "Über den Änderungsantrag bitte ich abzustimmen. Damit ist der Antrag abgelehnt."
        ),
        Segment(4, 20.0, 30.0, "Jetzt zur Vorlage."),
        Segment(5, 30.0, 40.0, "Da gibt es 12 Nein-Stimmen, 4 Enthaltungen und 27 Ja-Stimmen."),
    ]
    vote, evidence, events = item_vote(segments)
    assert [e.vote.outcome for e in events] == ["abgelehnt", "mehrheitlich zugestimmt"]
    assert vote == Vote("mehrheitlich zugestimmt", 27, 12, 4)
    assert evidence == [Evidence(30.0, 40.0, [5])]
    assert events[0].evidence.segment_ids == [3]


def test_numbers() -> None:
    assert [
        parse_number_word(w) for w in ("zwei", "zwölf", "einundzwanzig", "dreißig", "hundertzwei", "x")
    ] == [2, 12, 21, 30, 102, None]
    for n in range(0, 300):
        assert parse_number_word(number_to_word(n)) == n
    assert numbers_in_text("35.000 Euro für 2015/16, vierunddreißig Stimmen") == {35000, 2015, 16, 34}


def test_verify_drops_unspoken_counts() -> None:
    segments = [
        Segment(1, 0.0, 5.0, "Das ist eine Mehrheit bei zwei Enthaltungen."),
        Segment(2, 5.0, 9.0, "Für 34 Kinder gibt es Plätze."),
    ]
    vote, flags = verify_vote(Vote("mehrheitlich zugestimmt", 34, 12, 2), [Evidence(0.0, 5.0, [1])], segments)
    assert vote == Vote("mehrheitlich zugestimmt", None, None, 2)
    assert flags == [
        "Ja-Stimmen (34) nicht im Transkript belegt – entfernt",
        "Nein-Stimmen (12) nicht im Transkript belegt – entfernt",
    ]


def test_verify_zero_and_words() -> None:
    segments = [Segment(1, 0.0, 5.0, "Einundzwanzig dafür, keine Gegenstimmen.")]
    vote, flags = verify_vote(Vote("zugestimmt", 21, 0, None), [Evidence(0.0, 5.0, [1])], segments)
    assert vote == Vote("zugestimmt", 21, 0, None) and flags == []
    vote, flags = verify_vote(Vote("zugestimmt", 21, None, None), [], segments)
    assert vote.yes is None and flags


def test_verbatim_check() -> None:
    segments = [Segment(1, 0.0, 5.0, "Der Rat beschließt die Erhöhung der Beiträge zum 1. Januar 2021.")]
    assert is_verbatim("Der Rat beschließt die Erhöhung der Beiträge zum 1. Januar 2021", segments)
    assert not is_verbatim("Der Rat lehnt die Senkung der Gebühren ab", segments)


def test_debate_is_not_a_resolution_and_garbled_yes_votes_count():
    from minutes_app.base.types import Segment as Seg
    from minutes_app.drafting.merge import looks_like_resolution
    from minutes_app.drafting.verify import number_is_evidenced
    from minutes_app.drafting.votes import item_vote

    assert not looks_like_resolution("Ich stelle fest, dass der Ausschuss beschlussfähig ist.")
    assert looks_like_resolution("Der Ausschuss beschließt die Einrichtung der Fahrradstraße.")
    vote = item_vote(
        [Seg(0, 0, 1, "Bei sieben Jahrstimmen und einer Enthaltung ist der Antrag angenommen.")]
    )[0]
    assert (vote.yes, vote.abstain, vote.outcome) == (7, 1, "angenommen")
    assert not number_is_evidenced(1, "Das ist eine Mehrheit.")
    assert number_is_evidenced(1, "bei einer Enthaltung")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Das ist einstimmig so beschlossen.", Vote("einstimmig zugestimmt")),
        (
            "Bei zwei Gegenstimmen und drei Enthaltungen angenommen.",
            Vote("mehrheitlich zugestimmt", no=2, abstain=3),
        ),
        ("Bei einer Gegenstimme abgelehnt.", Vote("abgelehnt", no=1)),
        ("Das ist die Mehrheit, damit abgelehnt.", Vote("mehrheitlich abgelehnt")),
        ("Wer ist dagegen? Das ist die Mehrheit. Damit abgelehnt.", Vote("mehrheitlich abgelehnt")),
        ("Gegenprobe? – Enthaltungen? – Dann ist das einstimmig.", Vote("einstimmig zugestimmt")),
        ("Mit 20 zu 11 Stimmen bei einer Enthaltung.", Vote("mehrheitlich zugestimmt", 20, 11, 1)),
        ("Der Antrag ist mit 20 zu 11 Stimmen abgelehnt.", Vote("abgelehnt", 11, 20)),
        ("Mit großer Mehrheit abgelehnt.", Vote("mehrheitlich abgelehnt")),
        ("Mit großer Mehrheit beschlossen.", Vote("mehrheitlich zugestimmt")),
        ("Das ist nicht die Mehrheit.", Vote("abgelehnt")),
        ("Gegenstimmen? – Keine. Enthaltungen? – Zwei. Damit angenommen.", Vote("angenommen", None, 0, 2)),
        ("Wer enthält sich? – Drei. Das ist eine Mehrheit.", Vote("mehrheitlich zugestimmt", abstain=3)),
        ("Dann ist das so angenommen.", Vote("angenommen")),
    ],
)
def test_more_vote_phrasings(text: str, expected: Vote) -> None:
    assert one(text) == expected


def test_roll_call_sets_the_flag() -> None:
    segments = [
        Segment(0, 0.0, 5.0, "Es ist namentliche Abstimmung beantragt. Wir stimmen namentlich ab."),
        Segment(1, 5.0, 60.0, "Frau Albers? Ja. Herr Bauer? Nein."),
        Segment(2, 60.0, 65.0, "Ja: 20, Nein: 11, Enthaltungen: 1."),
    ]
    vote, _, events = item_vote(segments)
    assert vote == Vote("mehrheitlich zugestimmt", 20, 11, 1, roll_call=True)
    before = [Segment(9, 0.0, 5.0, "Das ist einstimmig."), *segments]
    assert [e.vote.roll_call for e in find_votes(before)] == [False, True]
    assert item_vote([Segment(0, 0.0, 5.0, "Wir stimmen namentlich ab.")])[0] == Vote(roll_call=True)
    for text in (
        "Wollen wir namentlich abstimmen? Das ist einstimmig.",
        "Keine namentliche Abstimmung. Das ist einstimmig.",
    ):
        assert item_vote([Segment(0, 0.0, 5.0, text)])[0].roll_call is False


@pytest.mark.parametrize(
    "text",
    [
        "Die Fraktion hat mit 20 Mitgliedern zu tun.",
        "Wir sind zu zweit gekommen.",
        "Das Angebot wurde angenommen, sagt die Presse?",
    ],
)
def test_no_invented_counts(text: str) -> None:
    for event in find_votes([Segment(0, 0.0, 5.0, text)]):
        assert event.vote.yes is None and event.vote.no is None and event.vote.abstain is None
