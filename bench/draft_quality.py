"""Quality of the draft (Beratung, Anträge) per item, new implementation against a baseline.

For the example session (``resources/examples``) and the Karlsruhe dev session
(``../shared/fixtures/sessions/ka_elternbeitraege``) the transcript comes from the real
pipeline (ASR + diarization + alignment, cached in ``out/draft_quality/<session>``; only
drafting runs again) with the roster's name suggestions accepted, as a secretary would.
``karlsruhe_ref`` is the Karlsruhe session with the spoken text of each turn (the .json)
as its transcript and the true speakers named: the drafting alone, without ASR errors;
``karlsruhe+rttm`` the pipeline's ASR of it with the reference speaker turns (no
diarization errors; ``bench/protocol_types.rttm_input``).
Both drafts run in their own process on the same input: this tree, and the baseline
commit extracted with ``git archive`` (today's implementation before issue #16).

Metrics per item with more than ~60 words of transcript (``minutes_app.drafting.quality``):
- verbatim: share of the Beratung's word 6-grams found in the item's transcript (goal <= 0.20);
- reported: share of sentences in reported speech (Konjunktiv I or a reporting verb; >= 0.70);
- length: Beratung words / transcript words (goal 3-50 %);
- invented: capitalised names and numbers in the draft found neither in the item's transcript
  nor in the roster/agenda (goal 0);
- coverage: share of each contribution's key nouns and numbers (the 5 rarest per contribution)
  that appear in the Beratung;
- raw ids: "SPEAKER_07" anywhere in the item (goal 0); motions without mover or content;
- vote unsaid: a vote count of the item that nobody said (goal 0).
Also: CPU seconds, model calls and tokens decoded of each draft, and per contribution
whether the model's summary was used and, if not, why (copied, name/number not backed,
too long, key content missing, taken from the prompt's examples, no answer, a position the speaker
did not state: „Position falsch: dafür statt dagegen“, „Position nicht gesagt: …“). ``--report FILE``
writes the side-by-side text (transcript excerpt | draft) per item.

    python bench/draft_quality.py [--sessions beispiel,karlsruhe,karlsruhe_ref] [--llm-model ID]
        [--baseline COMMIT] [--report out/draft_quality/report.txt]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from common import REPO, SHARED, table

sys.path.insert(0, str(REPO))

BASELINE = "18cbf47"  # the draft before issue #16 (JSON per item, Beratung by the model)
OUT = REPO / "out" / "draft_quality"
SESSIONS = {
    "beispiel": (
        REPO / "resources" / "examples" / "beispielsitzung.ogg",
        REPO / "resources" / "examples" / "beispielsitzung_tagesordnung.txt",
        REPO / "resources" / "examples" / "beispielsitzung_anwesende.csv",
    ),
    "karlsruhe": (SHARED / "sessions" / "ka_elternbeitraege.flac", None, None),
}


def karlsruhe_inputs() -> tuple[list, list]:
    from minutes_app.base.types import AgendaItem

    sys.path.insert(0, str(REPO / "bench"))
    from minutes_eval import reference, roster

    ref = reference()
    agenda = [
        AgendaItem(a["agenda_number"], a["agenda_title"], paper=a["paper"]) for a in ref["agenda_items"]
    ]
    return agenda, roster(ref)


def prepare_reference(target: Path) -> Path:
    """The Karlsruhe session with its spoken text per turn as the transcript (no ASR or
    diarization errors): what the drafting itself makes of real council German."""
    from dataclasses import asdict

    from minutes_app.base.types import Segment

    sys.path.insert(0, str(REPO / "bench"))
    from minutes_eval import ref_person, reference

    ref = reference()
    agenda, people = karlsruhe_inputs()
    ids: dict[str, str] = {}
    segments = []
    for i, turn in enumerate(ref["turns"]):
        sid = ids.setdefault(ref_person(turn["speaker"]), f"SPEAKER_{len(ids):02d}")
        segments.append(Segment(i, turn["start"], turn["end"], turn["text"], speaker=sid))
    data = {
        "duration_s": ref["duration_s"],
        "segments": [asdict(s) for s in segments],
        "names": {sid: name for name, sid in ids.items()},
        "speaker_ids": list(ids.values()),
        "agenda": [asdict(a) for a in agenda],
        "roster": [asdict(p) for p in people],
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def prepare(name: str) -> Path:
    """The cached draft input of a session: segments, speaker names, agenda, roster."""
    from dataclasses import asdict

    from minutes_app.agenda.roster import load_roster
    from minutes_app.agenda.text import parse_agenda_text
    from minutes_app.drafting.naming import suggest_speaker_names
    from minutes_app.pipeline.run import PipelineOptions, run_pipeline
    from minutes_app.session.project import Project

    target = OUT / name / "input.json"
    if target.exists():
        return target
    if name == "karlsruhe_ref":
        return prepare_reference(target)
    if name == "karlsruhe+rttm":  # the pipeline's ASR with the reference speaker turns
        from protocol_types import rttm_input

        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rttm_input("karlsruhe").read_text(encoding="utf-8"), encoding="utf-8")
        return target
    audio, agenda_file, roster_file = SESSIONS[name]
    if name == "karlsruhe":
        agenda, people = karlsruhe_inputs()
    else:
        agenda, people = parse_agenda_text(agenda_file), load_roster(roster_file)
    project = Project.open_or_create(OUT / name / "projekt", audio)
    project.agenda, project.attendees, project.protocol_type = agenda, people, "verlauf"
    project.save()
    options = PipelineOptions(draft=False, parallel=False, attendees=[p.name for p in people])
    result = run_pipeline(project, options)
    suggestions = suggest_speaker_names(result.segments, people)
    names = {s.speaker: s.name for s in suggestions}
    data = {
        "duration_s": result.transcript.duration,
        "segments": [asdict(s) for s in result.segments],
        "names": {s.id: names[s.id] for s in result.speakers if s.id in names},
        "speaker_ids": [s.id for s in result.speakers],
        "agenda": [asdict(a) for a in agenda],
        "roster": [asdict(p) for p in people],
    }
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


if __name__ == "__main__" and sys.argv[1:2] == ["--prepare"]:
    for session in sys.argv[2:]:
        print(prepare(session))


CHILD = r"""
import json, resource, sys, time, inspect
from minutes_app.base.types import AgendaItem, Attendee, Segment
from minutes_app.drafting.draft import DraftOptions, draft_minutes
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.models.store import ModelStore

data = json.loads(open(sys.argv[1], encoding="utf-8").read())
segments = [Segment.from_dict(s) for s in data["segments"]]
agenda = [AgendaItem(**a) for a in data["agenda"]]
roster = [Attendee(**p) for p in data["roster"]]
path = ModelStore.default().get(sys.argv[2]).path
engine = make_engine(sys.argv[4], path, EngineOptions(threads=int(sys.argv[3])))
import logging
decisions = []
class Collect(logging.Handler):
    def emit(self, record):
        d = getattr(record, "decision", None)
        if d is not None:
            decisions.append({"label": d.label, "words": d.words, "reason": d.reason, "reply": d.reply,
                              "dropped": getattr(d, "dropped", "")})
logging.getLogger("minutes_app.drafting.beratung").addHandler(Collect())
logging.getLogger("minutes_app.drafting.beratung").setLevel(logging.INFO)
decoded = [0, 0]
inside = [0]  # generate_many may call generate (ct2 on CPU): count each prompt once
gen = engine.generate
def counted(messages, *a, **k):
    out = gen(messages, *a, **k)
    if not inside[0]:
        decoded[0] += engine.count_tokens(out) if out else 0
        decoded[1] += 1
    return out
engine.generate = counted
many = getattr(engine, "generate_many", None)
if many is not None:
    def counted_many(batch, *a, **k):
        inside[0] += 1
        try:
            outs = many(batch, *a, **k)
        finally:
            inside[0] -= 1
        decoded[0] += sum(engine.count_tokens(o) for o in outs if o)
        decoded[1] += len(batch)
        return outs
    engine.generate_many = counted_many
kwargs = {"roster": roster} if "roster" in inspect.signature(draft_minutes).parameters else {}
engine.count_tokens("Start")  # load the model before the clock starts
cpu0, wall0 = time.process_time(), time.perf_counter()
options = DraftOptions(protocol_type="verlauf")
minutes = draft_minutes(segments, data["names"], agenda, engine, options, **kwargs)
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
print(json.dumps({"minutes": minutes.to_dict(), "cpu_s": cpu, "wall_s": wall, "decoded": decoded[0],
                  "calls": decoded[1], "decisions": decisions,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def baseline_tree(commit: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="draft_baseline_"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "minutes_app", "prompts"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def run_draft(root: Path, input_json: Path, model: str, threads: int, engine: str = "ct2") -> dict:
    env = dict(
        os.environ, PYTHONPATH=str(root), HF_HUB_OFFLINE="1", MINUTES_APP_PROMPTS=str(root / "prompts" / "v1")
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(input_json), model, str(threads), engine],
        capture_output=True, text=True, env=env, cwd=root, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def item_segments(item, segments: list) -> list:
    if item.start is None or item.end is None:
        return []
    return [s for s in segments if item.start - 0.01 <= s.start and s.end <= item.end + 0.01]


def item_metrics(item, segs: list, labels: dict[str, str], known: list[str]) -> dict:
    from minutes_app.drafting import quality as Q
    from minutes_app.drafting.beratung import COMMON
    from minutes_app.drafting.motions import names_mover
    from minutes_app.drafting.numbers import numbers_in_text
    from minutes_app.drafting.speakers import contributions, is_substantive

    source = " ".join(s.text for s in segs)
    said, vote = numbers_in_text(source), item.vote
    disc = item.discussion
    contribs = [c for c in contributions(segs, labels) if is_substantive(c)]
    covers = [Q.coverage(disc, Q.key_terms(c.text)) for c in contribs]
    everything = " ".join([disc, *item.motions, *(p.text for p in item.procedure), *item.flags])
    movers = [labels.get(s.speaker or "", "") for s in segs] + known
    return {
        "TOP": item.number or "–",
        "words": len(source.split()),
        "verbatim": Q.verbatim_share(disc, source),
        "reported": Q.reported_share(disc),
        "length": len(disc.split()) / max(1, len(source.split())),
        "invented": len(
            Q.invented(" ".join([disc, *item.motions]), [source, *known, *labels.values()], COMMON.split())
        ),
        "coverage": sum(covers) / len(covers) if covers else None,
        "raw ids": len(Q.RAW_ID.findall(everything)),
        "motions": len(item.motions),
        "motions w/o mover": sum(1 for m in item.motions if not names_mover(m, movers) or len(m.split()) < 5),
        # vote counts in the draft that nobody said (Karlsruhe TOP 13: the official counts are not spoken)
        "vote unsaid": sum(1 for n in (vote.yes, vote.no, vote.abstain) if n and n not in said),
        "flags": len(item.flags),
    }


def reason_class(reason: str) -> str:
    """The class of a rejection: copied, name, number, no speaker/empty, too long."""
    if not reason:
        return "angenommen"
    return reason.split(":")[0]


def print_decisions(decisions: list[dict]) -> None:
    """Per contribution: was the model summary used, and if not, why."""
    if not decisions:
        return
    counts: dict[str, int] = {}
    for d in decisions:
        counts[reason_class(d["reason"])] = counts.get(reason_class(d["reason"]), 0) + 1
        state = "REJ " if d["reason"] else ("ok- " if d.get("dropped") else "ok  ")
        reply = d["reply"].replace("\n", " ")[:150]
        why = d["reason"] or (f"(2. Satz: {d['dropped']})" if d.get("dropped") else "")
        print(f"  {state}{d['label'][:34]:34} {d['words']:4} W  {why[:40]:40} | {reply}")
    print("  summaries: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), flush=True)


def side_by_side(left: str, right: str, width: int = 70) -> str:
    a = textwrap.wrap(left, width) or [""]
    b = [line for para in right.splitlines() for line in (textwrap.wrap(para, width) or [""])] or [""]
    rows = max(len(a), len(b))
    a += [""] * (rows - len(a))
    b += [""] * (rows - len(b))
    return "\n".join(f"{x.ljust(width)} | {y}" for x, y in zip(a, b, strict=True))


def main() -> None:
    from minutes_app.base.types import Attendee, Minutes, Segment
    from minutes_app.drafting.speakers import draft_labels, known_names

    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", default="beispiel,karlsruhe")
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--baseline", default=BASELINE)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--skip-new", action="store_true", help="only the baseline (e.g. in a second process)")
    ap.add_argument("--reuse", action="store_true", help="take drafts saved by an earlier run")
    ap.add_argument("--report", default=str(OUT / "report.txt"))
    ap.add_argument(
        "--engines", default="ct2", help="this tree's draft with each engine, e.g. ct2,llamacpp (same run)"
    )
    args = ap.parse_args()

    drafts: dict[str, tuple[Path, str]] = {}
    if not args.skip_new:
        for name in args.engines.split(","):
            drafts["neu" if name == "ct2" else f"neu-{name}"] = (REPO, name)
    if not args.no_baseline:
        drafts[f"Basis {args.baseline}"] = (baseline_tree(args.baseline), "ct2")
    report: list[str] = []
    for session in args.sessions.split(","):
        input_json = prepare(session)
        data = json.loads(input_json.read_text(encoding="utf-8"))
        from minutes_app.base.types import AgendaItem

        segments = [Segment.from_dict(s) for s in data["segments"]]
        agenda = [AgendaItem(**a) for a in data["agenda"]]
        roster = [Attendee(**p) for p in data["roster"]]
        labels = draft_labels(segments, data["names"], roster)
        known = known_names(agenda, roster)
        rows, overall, results = [], [], {}
        for label, (root, engine) in drafts.items():
            cache = OUT / session / f"draft_{label.split()[0]}_{args.llm_model}.json"
            if args.reuse and cache.exists():  # a finished draft of an earlier run (--reuse)
                res = json.loads(cache.read_text(encoding="utf-8"))
            else:
                res = run_draft(root, input_json, args.llm_model, args.threads, engine)
                cache.write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
            print(f"{session}: {label} drafted in {res['cpu_s']:.0f} CPU s", flush=True)
            print_decisions(res.get("decisions") or [])
            minutes = Minutes.from_dict(res["minutes"])
            results[label] = minutes
            per = []
            for item in minutes.agenda_items:
                m = item_metrics(item, item_segments(item, segments), labels, known)
                if m["words"] > 60:
                    per.append(m)
                    rows.append({"draft": label, **m})
            cov = [m["coverage"] for m in per if m["coverage"] is not None]
            overall.append({
                "draft": label,
                "items": len(per),
                "verbatim": sum(m["verbatim"] for m in per) / max(1, len(per)),
                "reported": sum(m["reported"] for m in per) / max(1, len(per)),
                "length": sum(m["length"] for m in per) / max(1, len(per)),
                "invented": sum(m["invented"] for m in per),
                "coverage": sum(cov) / len(cov) if cov else None,
                "raw ids": sum(m["raw ids"] for m in per),
                "motions": sum(m["motions"] for m in per),
                "motions w/o mover": sum(m["motions w/o mover"] for m in per),
                "vote unsaid": sum(m["vote unsaid"] for m in per),
                "flags": sum(m["flags"] for m in per),
                "CPU s": res["cpu_s"],
                "wall s": res["wall_s"],
                "x audio": res["wall_s"] / data["duration_s"],
                "calls": res["calls"],
                "decoded tok": res["decoded"],
                "RSS MB": res["rss_mb"],
            })  # fmt: skip
        print(f"\n## {session} ({data['duration_s']:.0f} s audio, {args.llm_model}, {args.threads} threads)")
        print(table(rows, list(rows[0])) if rows else "(no item over 60 words)")
        print()
        print(table(overall, list(overall[0])))
        report.append(f"=== {session} ===")
        first = next(iter(results.values()))
        for idx, item in enumerate(first.agenda_items):
            segs = item_segments(item, segments)
            excerpt = " ".join(f"[{labels.get(s.speaker or '', '?')}] {s.text}" for s in segs)
            report.append(f"\n--- TOP {item.number or '–'} {item.title} ---")
            for label, minutes in results.items():
                other = minutes.agenda_items[idx] if idx < len(minutes.agenda_items) else None
                text = "(fehlt)"
                if other is not None:
                    motions, flags = " | ".join(other.motions), " | ".join(other.flags)
                    text = f"{other.discussion}\nANTRÄGE: {motions}\nHINWEISE: {flags}"
                report.append(f"\n[Transkript | Entwurf {label}]")
                report.append(side_by_side(excerpt[:2500], text))
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"\nside-by-side report: {args.report}")


if __name__ == "__main__" and sys.argv[1:2] != ["--prepare"]:
    main()
