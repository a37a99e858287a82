"""Wortprotokoll and Ergebnisprotokoll with the real 0.5B model (CTranslate2) on real files.

Input: the Karlsruhe dev session (``../shared/fixtures/sessions/ka_elternbeitraege.json``:
the spoken text per turn of a real council debate, TOP 13 of the published minutes) as
the transcript, with raw diarization ids, the roster's names for all but one speaker, and
hesitations a verbatim transcript keeps („äh“, „ähm“, stuttered words) put into it.
The structural rules hold whatever the model writes: no raw id, no hesitation, names in
the Karlsruhe form; 1-3 context sentences, nothing invented, no unspoken vote count.
The quality figures (WER) live in ``bench/protocol_types.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from minutes_app.base.types import AgendaItem, Attendee, Segment
from minutes_app.drafting import DraftOptions, draft_minutes
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.drafting.quality import RAW_ID, invented, sentences
from minutes_app.drafting.speakers import known_names

pytestmark = pytest.mark.slow

HESITATION = re.compile(r"\b(?:äh|ähm|öhm|hm)\b", re.IGNORECASE)
KARLSRUHE_FORM = re.compile(
    r"^(?:(?:Stadtrat|Stadträtin) [\w-]+ \([^)]+\)|Der Vorsitzende|Ein Mitglied des Gremiums): \S"
)
REPORTED = re.compile(r"^Der Vorsitzende (?:ruft .+ zur Behandlung auf|lässt abstimmen)\.$")


def _session(shared: Path) -> tuple[list[Segment], dict[str, str], list[Attendee], list[AgendaItem]]:
    ref = json.loads((shared / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))
    turns = [t for t in ref["turns"] if t["agenda_number"] == "13"]
    ids: dict[str, str] = {}
    roster = [Attendee("Oberbürgermeister", role="Vorsitz")]
    names: dict[str, str] = {}
    segments = []
    for i, turn in enumerate(turns):
        label = turn["speaker"]
        sid = ids.setdefault(label, f"SPEAKER_{len(ids):02d}")
        m = re.match(r"(Stadtrat|Stadträtin)\s+(.+?)\s*\((.+)\)", label)
        if m and not any(p.name == f"{m.group(1)} {m.group(2)}" for p in roster):
            address = "Frau" if m.group(1) == "Stadträtin" else "Herr"
            roster.append(
                Attendee(
                    f"{m.group(1)} {m.group(2)}", m.group(3), "Mitglied", address, family_name=m.group(2)
                )
            )
        if label == "Vorsitz":
            names[sid] = "Oberbürgermeister"
        elif m and "Bimmerle" not in label:  # one speaker stays unnamed
            names[sid] = f"{m.group(1)} {m.group(2)}"
        words = turn["text"].split()
        if i % 2:  # a verbatim transcript keeps hesitations
            words[1:1] = ["äh,"]
            words[4:4] = [words[4].rstrip(".,?!")]  # a stuttered word
            words.insert(len(words) // 2, "ähm")
        segments.append(Segment(i, turn["start"], turn["end"], " ".join(words), speaker=sid))
    agenda = [
        AgendaItem(a["agenda_number"], a["agenda_title"], paper=a["paper"]) for a in ref["agenda_items"]
    ]
    return segments, names, roster, agenda[:1]


@pytest.fixture(scope="module")
def engine(model_path):
    eng = make_engine("ct2", model_path("qwen2.5-coder-0.5b"), EngineOptions(threads=2))
    yield eng
    eng.close()


def test_wortprotokoll_on_the_real_model(engine, shared_fixtures) -> None:
    segments, names, roster, agenda = _session(shared_fixtures)
    options = DraftOptions(protocol_type="wort", max_new_tokens=160, context_tokens=2048)
    minutes = draft_minutes(segments, names, agenda, engine, options, roster=roster)
    item = next(i for i in minutes.agenda_items if i.number == "13")
    paragraphs = item.discussion.splitlines()
    print(item.discussion)
    assert not RAW_ID.search(item.discussion + " ".join(item.flags))
    assert not HESITATION.search(item.discussion)
    assert paragraphs[0] == "Der Vorsitzende ruft Tagesordnungspunkt 13 zur Behandlung auf."
    assert all(KARLSRUHE_FORM.match(p) or REPORTED.match(p) for p in paragraphs), paragraphs
    assert "Stadtrat Schnell (AfD): Die AfD steht fest zur Einrichtung" in item.discussion
    assert "Ein Mitglied des Gremiums: " in item.discussion  # the unnamed speaker: a neutral label
    assert "Stadträtin Meier-Augenstein (CDU): " in item.discussion
    # the speech itself is kept word for word (only hesitations went)
    assert "Wir stimmen dagegen." in item.discussion
    assert "Das waren alle Wortbeiträge. Damit steht" in item.discussion  # the stutter went


def test_ergebnisprotokoll_on_the_real_model(engine, shared_fixtures) -> None:
    segments, names, roster, agenda = _session(shared_fixtures)
    options = DraftOptions(protocol_type="ergebnis", max_new_tokens=160, context_tokens=2048)
    minutes = draft_minutes(segments, names, agenda, engine, options, roster=roster)
    item = next(i for i in minutes.agenda_items if i.number == "13")
    print(item.discussion, item.vote, sep="\n")
    assert 1 <= len(sentences(item.discussion)) <= 3
    assert item.discussion.startswith(
        "Beraten wird „Anpassung der Elternbeiträge für städtische Schülerhorte“."
    )
    transcript = " ".join(s.text for s in segments)
    labels = [*names.values(), *(f"{p.name} ({p.faction})" for p in roster), "Mitglied"]
    assert invented(item.discussion, [transcript, *known_names(agenda, roster), *labels]) == []
    assert not RAW_ID.search(item.discussion)
    # the official counts (34 yes, 12 no) were never spoken: they appear nowhere
    assert "34" not in item.discussion and item.vote.yes is None and item.vote.no is None
    assert item.vote.outcome.startswith("mehrheitlich")
