"""Council-minutes quality on the Karlsruhe session: items, boundaries, outcomes, names, numbers.

Runs the whole pipeline (``run_pipeline``: ASR, diarization, alignment, draft
with the default LLM) on ``../shared/fixtures/sessions/ka_elternbeitraege.flac``
with its agenda and roster, applies the speaker-name suggestions as a secretary
who accepts them all would, and compares the result with the session JSON:

- agenda items found, and their start/end (seconds off the reference turns);
- outcome per item (the official minutes' "mehrheitlich zugestimmt");
- speakers named correctly (share of reference speech time whose speaker got
  the right name; wrong names counted separately: a wrong name is worse than none);
- unspoken numbers printed: numbers anywhere in the draft that nobody said
  (the official vote counts 34/12 were never spoken) — must be 0.

The same run also evaluates a baseline: the rule-based draft without the LLM
(spoken cues, vote recogniser), so the table shows what the model adds.
The project folder caches ASR and diarization between runs (``--project``).

    python bench/minutes_eval.py [--project DIR] [--llm-model ID] [--protocol-type verlauf]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from common import REPO, SHARED, table

sys.path.insert(0, str(REPO))

SESSION = SHARED / "sessions" / "ka_elternbeitraege"


def reference() -> dict:
    return json.loads(SESSION.with_suffix(".json").read_text(encoding="utf-8"))


def roster(ref: dict) -> list:
    from minutes_app.base.types import Attendee

    people = []
    for label in ref["speakers"]:
        if label == "Vorsitz":
            people.append(Attendee("Oberbürgermeister", role="Vorsitz"))
            continue
        m = re.match(r"(Stadtrat|Stadträtin)\s+(.+?)\s*\((.+)\)", label)
        if not m:
            continue
        address = "Frau" if m.group(1) == "Stadträtin" else "Herr"
        name = f"{m.group(1)} {m.group(2)}"
        if any(p.name == name for p in people):
            continue  # Cramer spoke for two factions in the two meetings
        people.append(Attendee(name, m.group(3), "Mitglied", address, family_name=m.group(2)))
    return people


def ref_person(label: str) -> str:
    """Reference speaker label -> the roster name it should get."""
    return "Oberbürgermeister" if label == "Vorsitz" else re.sub(r"\s*\(.*\)$", "", label)


def item_spans(ref: dict) -> dict[str, tuple[float, float]]:
    spans: dict[str, tuple[float, float]] = {}
    for t in ref["turns"]:
        n = t["agenda_number"]
        s, e = spans.get(n, (t["start"], t["end"]))
        spans[n] = (min(s, t["start"]), max(e, t["end"]))
    return spans


def minutes_numbers(minutes) -> set[int]:
    from minutes_app.drafting.numbers import numbers_in_text

    found: set[int] = set()
    for item in minutes.agenda_items:
        texts = [item.discussion, item.resolution, *item.motions, *(p.text for p in item.procedure)]
        for text in texts:
            found |= numbers_in_text(text, include_ambiguous=False)
        found |= {v for v in (item.vote.yes, item.vote.no, item.vote.abstain) if v is not None}
    return found


def spoken_numbers(ref: dict, agenda: list) -> set[int]:
    from minutes_app.drafting.numbers import numbers_in_text

    said: set[int] = set()
    for t in ref["turns"]:
        said |= numbers_in_text(t["text"])
    for a in agenda:  # the agenda's own numbers (TOP 13, "2015/16") may be printed
        said |= numbers_in_text(f"{a.number} {a.title} {a.paper}")
    return said


def named_share(ref: dict, segments: list, names: dict[str, str]) -> tuple[float, int, int]:
    """(share of reference speech time with the right name, wrong-name seconds, speakers named)."""
    right = wrong = total = 0.0
    for t in ref["turns"]:
        overlap: dict[str, float] = {}
        for s in segments:
            o = min(s.end, t["end"]) - max(s.start, t["start"])
            if o > 0 and s.speaker:
                overlap[s.speaker] = overlap.get(s.speaker, 0.0) + o
        dur = t["end"] - t["start"]
        total += dur
        if not overlap:
            continue
        spk = max(overlap, key=lambda k: overlap[k])
        if spk in names:
            if names[spk] == ref_person(t["speaker"]):
                right += dur
            else:
                wrong += dur
    return right / total, int(wrong), len(names)


def evaluate(label: str, minutes, ref: dict, agenda: list, segments: list, names: dict[str, str]) -> dict:
    spans = item_spans(ref)
    by_number = {i.number: i for i in minutes.agenda_items}
    found = off_start = off_end = outcomes = 0
    for a in agenda:
        item = by_number.get(a.number)
        if item is None or item.start is None:
            continue
        found += 1
        s, e = spans[a.number]
        off_start = max(off_start, abs(item.start - s))
        off_end = max(off_end, abs((item.end or 0) - e))
        want = next(r for r in ref["agenda_items"] if r["agenda_number"] == a.number)
        outcome = (item.vote.outcome or "").lower()
        if "mehrheitlich zugestimmt" in want["vote_result_in_official_minutes"] and "zugestimmt" in outcome:
            outcomes += 1
    unspoken = sorted(minutes_numbers(minutes) - spoken_numbers(ref, agenda))
    share, wrong_s, named = named_share(ref, segments, names)
    return {
        "draft": label,
        "items found": f"{found}/{len(agenda)}",
        "max start off s": round(off_start, 1),
        "max end off s": round(off_end, 1),
        "outcomes right": f"{outcomes}/{len(agenda)}",
        "speech named right": f"{share:.0%}",
        "wrongly named s": wrong_s,
        "speakers named": named,
        "unspoken numbers": len(unspoken) if not unspoken else f"{len(unspoken)} {unspoken}",
    }


def rules_only(segments: list, names: dict[str, str], agenda: list):
    """Baseline: the draft without any LLM (cues, vote recogniser, resolution sentences)."""
    from minutes_app.base.types import Minutes
    from minutes_app.drafting.cues import segment_items
    from minutes_app.drafting.draft import _item_from_span

    spans = segment_items(sorted(segments, key=lambda s: (s.start, s.id)), agenda)
    return Minutes([_item_from_span(s, None, names, "ergebnis") for s in spans], engine="regeln")


def main() -> None:
    from minutes_app.base.types import AgendaItem
    from minutes_app.drafting.naming import suggest_speaker_names
    from minutes_app.pipeline.run import PipelineOptions, run_pipeline
    from minutes_app.session.project import Project

    ap = argparse.ArgumentParser()
    ap.add_argument("--project", default=str(REPO / "out" / "minutes_eval" / "projekt"))
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--protocol-type", default="verlauf", choices=["verlauf", "ergebnis", "wort"])
    args = ap.parse_args()

    ref = reference()
    agenda = [
        AgendaItem(a["agenda_number"], a["agenda_title"], paper=a["paper"]) for a in ref["agenda_items"]
    ]
    people = roster(ref)
    project = Project.open_or_create(Path(args.project), SESSION.with_suffix(".flac"))
    project.agenda, project.attendees, project.protocol_type = agenda, people, args.protocol_type
    project.save()
    started = time.perf_counter()
    # As the CLI does: the roster bounds the number of speakers diarization may find.
    names = [p.name for p in people]
    options = PipelineOptions(llm_model=args.llm_model, protocol_type=args.protocol_type, attendees=names)
    result = run_pipeline(project, options)
    seconds = time.perf_counter() - started
    suggestions = suggest_speaker_names(result.segments, people)
    names = {s.speaker: s.name for s in suggestions}
    labels = {s.id: names.get(s.id, s.id) for s in result.speakers}
    rows = [
        evaluate("regelbasiert (ohne LLM)", rules_only(result.segments, labels, agenda), ref, agenda,
                 result.segments, names),
        evaluate(f"Pipeline ({args.llm_model}, {args.protocol_type})", result.minutes, ref, agenda,
                 result.segments, names),
    ]  # fmt: skip
    cols = list(rows[0])
    voices = len(ref["speakers"])
    print(f"Karlsruhe session ({ref['duration_s']:.0f} s, {voices} voices), pipeline {seconds:.0f} s")
    print(f"diarization found {len(result.speakers)} speakers; {len(suggestions)} name suggestions")
    print(table(rows, cols))
    for s in suggestions:
        print(f"  {s.speaker} -> {s.name} ({s.score:.2f}): {'; '.join(s.reasons)[:140]}")
    bad = [r for r in rows if r["unspoken numbers"] != 0]
    print("unspoken numbers printed: " + ("0 (OK)" if not bad else "FOUND – see table"))


if __name__ == "__main__":
    main()
