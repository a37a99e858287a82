"""Wortprotokoll and Ergebnisprotokoll (#16 requirement 3) on real pipeline transcripts.

Input: the cached pipeline transcripts of ``bench/draft_quality.py`` (ASR + diarization +
alignment of the example session and the Karlsruhe dev session, name suggestions of the
roster accepted; ``out/draft_quality/<session>/input.json``, built by its ``prepare`` when
missing). Both protocol types are drafted with the real model (``draft_minutes``), in this
process, CPU seconds measured.

Per item (and for the whole session):
- WER of the raw ASR text of the item against the true spoken text (the session JSON's
  turns of that item);
- WER of the Wortprotokoll's spoken text: its verbatim paragraphs without the speaker
  labels; a procedural sentence it reports („Der Vorsitzende ruft … auf“) counts as the
  cleaned words it stands for. "WER strict" counts the reported sentences as written;
- WER of today's implementation before this change (``rules.verbatim_record(clean=True)``,
  labels stripped) as the baseline;
- hesitations removed (sounds, stuttered repeats, false starts);
- contributions with a name / a role (chair) / a neutral label; raw ids (must be 0);
- for the Ergebnisprotokoll: context sentences (goal 1-3), whether the model's sentence
  passed its checks, invented names/numbers (goal 0), unspoken official vote counts (0).
The hesitation row of each session adds "äh", "ähm", stuttered words and false starts to
the true text (seeded) and cleans it: what the cleaner does where the ASR keeps them.

``karlsruhe+rttm`` takes the reference speaker turns instead of the diarization (every
speaker named from the roster); the ASR is the same cached pipeline transcript.

    python bench/protocol_types.py [--sessions beispiel,karlsruhe,karlsruhe+rttm] [--llm-model ID] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path

from common import REPO, SHARED, table

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

OUT = REPO / "out" / "protocol_types"
REFERENCE = {
    "beispiel": REPO / "resources" / "examples" / "beispielsitzung.json",
    "karlsruhe": SHARED / "sessions" / "ka_elternbeitraege.json",
}
MAX_WER_LOSS = 0.02


def reference_text(session: str, number: str | None) -> str:
    data = json.loads(REFERENCE[session].read_text(encoding="utf-8"))
    turns = data["turns"]
    key = "agenda_number" if "agenda_number" in turns[0] else "agenda_item"
    return " ".join(t["text"] for t in turns if number is None or str(t.get(key, "")) == number)


RTTM = {"karlsruhe": SHARED / "sessions" / "ka_elternbeitraege.rttm"}


def rttm_input(session: str) -> Path:
    """Input with the reference speaker turns (RTTM) instead of the diarization, and the
    roster names for them: the pipeline's cached ASR (``projekt/asr.json``) as it is.
    For when the diarization of ``draft_quality.prepare`` is not cached (or to see the
    Wortprotokoll with every speaker named)."""
    from draft_quality import OUT as DQ
    from draft_quality import karlsruhe_inputs
    from minutes_eval import ref_person

    from minutes_app.base.types import Diarization, SpeakerTurn, Transcript
    from minutes_app.diarization.align import assign_speakers

    target = OUT / f"{session}_rttm_input.json"
    if target.exists():
        return target
    asr = Transcript.from_dict(
        json.loads((DQ / session / "projekt" / "asr.json").read_text(encoding="utf-8"))
    )
    turns = []
    for line in RTTM[session].read_text(encoding="utf-8").splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            label = " ".join(f[7:-2])
            turns.append(SpeakerTurn(float(f[3]), float(f[3]) + float(f[4]), label))
    segments = assign_speakers(asr.segments, Diarization(turns))
    agenda, people = karlsruhe_inputs()
    ids = {label: f"SPEAKER_{i:02d}" for i, label in enumerate(dict.fromkeys(t.speaker for t in turns))}
    for seg in segments:
        seg.speaker = ids.get(seg.speaker or "", seg.speaker)
    data = {
        "duration_s": asr.duration,
        "segments": [asdict(s) for s in segments],
        "names": {sid: ref_person(label) for label, sid in ids.items()},
        "agenda": [asdict(a) for a in agenda],
        "roster": [asdict(p) for p in people],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def session_input(session: str) -> Path:
    """``karlsruhe+rttm``: the reference speaker turns; else the cached pipeline input."""
    from draft_quality import prepare

    name, _, speakers = session.partition("+")
    return rttm_input(name) if speakers == "rttm" else prepare(name)


def draft(session: str, protocol_type: str, model: str, threads: int, reuse: bool) -> tuple[dict, float]:
    """The minutes (as dict) and the CPU seconds of drafting them (cached under ``out/``)."""
    cache = OUT / f"{session}_{protocol_type}_{model}.json"
    if reuse and cache.exists():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        return saved["minutes"], saved["cpu_s"]
    from minutes_app.base.types import AgendaItem, Attendee, Segment
    from minutes_app.drafting.draft import DraftOptions, draft_minutes
    from minutes_app.drafting.engines import EngineOptions, make_engine
    from minutes_app.models.store import ModelStore

    data = json.loads(session_input(session).read_text(encoding="utf-8"))
    segments = [Segment.from_dict(s) for s in data["segments"]]
    agenda = [AgendaItem(**a) for a in data["agenda"]]
    roster = [Attendee(**p) for p in data["roster"]]
    engine = make_engine("ct2", ModelStore.default().get(model).path, EngineOptions(threads=threads))
    engine.count_tokens("Start")  # load the model before the clock starts
    cpu0 = time.process_time()
    options = DraftOptions(protocol_type=protocol_type)
    minutes = draft_minutes(segments, data["names"], agenda, engine, options, roster=roster)
    cpu = time.process_time() - cpu0
    engine.close()
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"minutes": minutes.to_dict(), "cpu_s": cpu}, ensure_ascii=False), "utf-8")
    return minutes.to_dict(), cpu


def strip_labels(text: str, labels: list[str]) -> str:
    """Paragraphs "Label: text" -> text (the label is no spoken word)."""
    out = []
    for para in text.splitlines():
        for label in sorted(labels, key=len, reverse=True):
            if para.startswith(label + ": "):
                para = para[len(label) + 2 :]
                break
        out.append(para)
    return " ".join(out)


def hesitant(text: str, rng: random.Random) -> str:
    """The true text with hesitations a verbatim ASR keeps: „äh“, „ähm“, stutters, false starts."""
    out: list[str] = []
    for word in text.split():
        r = rng.random()
        if r < 0.04:
            out.append(rng.choice(["äh", "ähm", "äh,", "ähm,"]))
        elif r < 0.07 and word.isalpha() and word.lower() not in ("sehr", "ganz"):
            out.append(word)  # stutter: "die die"
        elif r < 0.08 and len(word) > 5 and word.isalpha():
            out.append(word[:3] + "-")  # false start: "Ver- Verwaltung"
        out.append(word)
    return " ".join(out)


def main() -> None:
    from minutes_app.asr.wer import wer
    from minutes_app.base.types import AgendaItem, Attendee, Minutes, Segment
    from minutes_app.drafting.cues import segment_items
    from minutes_app.drafting.ergebnis import LEAD
    from minutes_app.drafting.hesitation import clean_spoken
    from minutes_app.drafting.quality import RAW_ID, invented, sentences
    from minutes_app.drafting.rules import verbatim_record
    from minutes_app.drafting.speakers import draft_labels, known_names
    from minutes_app.drafting.wortprotokoll import build, wort_labels

    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", default="beispiel,karlsruhe")
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="take drafts saved by an earlier run")
    args = ap.parse_args()

    overall = []
    for session in args.sessions.split(","):
        data = json.loads(session_input(session).read_text(encoding="utf-8"))
        segments = [Segment.from_dict(s) for s in data["segments"]]
        agenda = [AgendaItem(**a) for a in data["agenda"]]
        roster = [Attendee(**p) for p in data["roster"]]
        labels = draft_labels(segments, data["names"], roster)
        shown = wort_labels(segments, labels, data["names"], roster)
        known = known_names(agenda, roster)
        wort_d, wort_cpu = draft(session, "wort", args.llm_model, args.threads, args.reuse)
        erg_d, erg_cpu = draft(session, "ergebnis", args.llm_model, args.threads, args.reuse)
        wort_m, erg_m = Minutes.from_dict(wort_d), Minutes.from_dict(erg_d)
        rows = []
        totals: dict[str, list[str]] = {"raw": [], "base": [], "wort": [], "strict": []}
        ordered = sorted(segments, key=lambda s: (s.start, s.id))
        drafted = {(i.number, i.title): i for i in wort_m.agenda_items}
        results = {(i.number, i.title): i for i in erg_m.agenda_items}
        for span in segment_items(ordered, agenda):  # the draft's item spans (by spoken cues)
            segs = span.segments
            item, erg = drafted.get((span.number, span.title)), results.get((span.number, span.title))
            if not segs or item is None or erg is None:
                continue
            built = build(segs, labels, data["names"], roster)
            ref = reference_text(session.partition("+")[0], item.number) if item.number else ""
            raw = " ".join(s.text for s in segs)
            base = strip_labels(verbatim_record(segs, labels, clean=True), list(labels.values()))
            spoken = " ".join(p.spoken for p in built.paragraphs)
            strict = " ".join(p.text for p in built.paragraphs)
            source = [raw, *known, *labels.values(), *shown.values()]
            erg_text = erg.discussion
            counts = " ".join(str(n) for n in (erg.vote.yes, erg.vote.no, erg.vote.abstain) if n is not None)
            row = {
                "TOP": item.number or "–",
                "words": len(raw.split()),
                "WER raw": wer(ref, raw) if ref else None,
                "WER base": wer(ref, base) if ref else None,
                "WER wort": wer(ref, spoken) if ref else None,
                "WER strict": wer(ref, strict) if ref else None,
                "removed": built.removed,
                "named/role/neutral": f"{built.named}/{built.role}/{built.neutral}",
                "raw ids": len(RAW_ID.findall(item.discussion + erg_text)),
                "= draft": built.text == item.discussion,  # the drafted Wortprotokoll is the rules' text
                "ctx sent.": len(sentences(erg_text)),
                "model sent.": LEAD in erg_text,
                "invented": len(invented(erg_text, source)),
                "unspoken counts": len(invented(counts, [raw])),
            }
            rows.append(row)
            for key, text in (("raw", raw), ("base", base), ("wort", spoken), ("strict", strict)):
                totals[key].append(text)  # every item, also the one before the first call
        ref_all = reference_text(session.partition("+")[0], None)
        rng = random.Random(16)
        noisy = hesitant(ref_all, rng)
        cleaned = clean_spoken(noisy)
        overall.append({
            "session": session,
            "ref words": len(ref_all.split()),
            "WER raw": wer(ref_all, " ".join(totals["raw"])),
            "WER base": wer(ref_all, " ".join(totals["base"])),
            "WER wort": wer(ref_all, " ".join(totals["wort"])),
            "WER strict": wer(ref_all, " ".join(totals["strict"])),
            "ok (<= raw+0.02)": wer(ref_all, " ".join(totals["wort"]))
            <= wer(ref_all, " ".join(totals["raw"])) + MAX_WER_LOSS,
            "injected: WER before": wer(ref_all, noisy),
            "after clean": wer(ref_all, cleaned.text),
            "removed": cleaned.removed,
            "CPU s wort": wort_cpu,
            "CPU s ergebnis": erg_cpu,
        })  # fmt: skip
        print(f"\n## {session} ({data['duration_s']:.0f} s audio, {args.llm_model}, {args.threads} threads)")
        print(table(rows, list(rows[0])))
        for item in erg_m.agenda_items:
            if item.discussion:
                print(f"\nErgebnis TOP {item.number or '–'}: {item.discussion}")
        first = next((i for i in wort_m.agenda_items if i.number and i.discussion), None)
        if first is not None:
            print(f"\nWortprotokoll TOP {first.number} (Anfang):\n" + first.discussion[:1500])
    print("\n## overall")
    print(table(overall, list(overall[0])))


if __name__ == "__main__":
    main()
