"""Word-to-speaker alignment with small hand-made inputs."""

from __future__ import annotations

from minutes_app.base.types import Diarization, Segment, SpeakerTurn, Word
from minutes_app.diarization.align import assign_speakers, speakers_in_order


def _seg(words: list[tuple[float, float, str]], sid: int = 0) -> Segment:
    ws = [Word(s, e, " " + t, 0.9) for s, e, t in words]
    return Segment(sid, ws[0].start, ws[-1].end, "".join(w.word for w in ws).strip(), ws)


def test_split_at_speaker_change():
    seg = _seg([(0.0, 0.4, "Guten"), (0.4, 0.8, "Morgen."), (1.0, 1.4, "Danke"), (1.4, 1.9, "sehr.")])
    dia = Diarization([SpeakerTurn(0.0, 0.9, "SPEAKER_00"), SpeakerTurn(0.9, 2.0, "SPEAKER_01")])
    out = assign_speakers([seg], dia)
    assert [(s.speaker, s.text) for s in out] == [
        ("SPEAKER_00", "Guten Morgen."),
        ("SPEAKER_01", "Danke sehr."),
    ]
    assert [s.id for s in out] == [0, 1]
    assert out[1].start == 1.0 and out[1].end == 1.9


def test_single_word_blip_is_smoothed():
    seg = _seg(
        [(0.0, 0.3, "Ich"), (0.3, 0.5, "rufe"), (0.5, 0.7, "Punkt"), (0.7, 1.0, "drei"), (1.0, 1.3, "auf.")]
    )
    dia = Diarization(
        [
            SpeakerTurn(0.0, 0.5, "SPEAKER_00"),
            SpeakerTurn(0.5, 0.7, "SPEAKER_01"),
            SpeakerTurn(0.7, 1.3, "SPEAKER_00"),
        ]
    )
    out = assign_speakers([seg], dia)
    assert len(out) == 1 and out[0].speaker == "SPEAKER_00"


def test_words_outside_turns_get_nearest_speaker():
    seg = _seg([(5.0, 5.5, "Hallo")])
    dia = Diarization([SpeakerTurn(0.0, 1.0, "SPEAKER_00"), SpeakerTurn(5.8, 7.0, "SPEAKER_01")])
    assert assign_speakers([seg], dia)[0].speaker == "SPEAKER_01"


def test_no_turns_leaves_speaker_empty_and_segments_without_words():
    seg = Segment(0, 0.0, 1.0, "Text ohne Wörter")
    assert assign_speakers([seg], Diarization())[0].speaker is None
    dia = Diarization([SpeakerTurn(0.0, 2.0, "SPEAKER_03")])
    assert assign_speakers([seg], dia)[0].speaker == "SPEAKER_03"


def test_speakers_in_order_with_names():
    segs = [Segment(0, 0, 1, "a", [], "SPEAKER_01"), Segment(1, 1, 2, "b", [], "SPEAKER_00")]
    speakers = speakers_in_order(segs, {"SPEAKER_00": "Frau Weber"})
    assert [(s.id, s.label) for s in speakers] == [("SPEAKER_01", "SPEAKER_01"), ("SPEAKER_00", "Frau Weber")]
