"""A 3-hour session recorded in live mode: draft ready after the stop, peak memory (#16 (5)).

The session is synthesised from the dev material: eleven copies of the Karlsruhe dev
session (682 s, two items with debate, a motion and votes) and the example session
(221 s, three items) at the end, each padded with silence to 900 s (three 5-minute live
blocks, as if the council paused between items): 12 x 900 s = 3 h, 25 agenda items. In
each copy the chair's calls name the copy's own TOP numbers (the transcript's
„Tagesordnungspunkt 13“ becomes the copy's number, and the agenda lists every copy's
items), so each copy is new items to the draft.

Shortcuts, and what they leave out: the copies repeat the same audio, so each distinct
5-minute block is diarized once (pyannote + CAM++, 1 thread, as the live job) and its
result placed at the other copies' offsets (a block's result depends only on its samples),
and the transcript is each recording's whisper-base transcript shifted in time. The
contribution prompts of the later Karlsruhe copies repeat the first copy's word for word,
so the pre-draft answers them from the kept replies: the pre-draft's own CPU while
recording is therefore lower here than in a real session (it is measured per audio second
on real, non-repeating material by ``bench/live_predraft.py``). The item JSON prompts
differ per copy (number, speakers' labels) and are computed each time. The last items
(the example session) are new text, so the work after the stop is what a real session
leaves: the tail block's diarization, linking all 36 blocks, aligning, and the draft stage
with the kept replies, which drafts the last item and re-runs the rules over all 3 hours.

    python bench/live_3h.py [--llm-model ID] [--threads 2] [--baseline]

``--baseline`` also drafts the whole 3 hours without the kept replies (what the stop
costs without the pre-draft; about half an hour on two cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, SHARED, run_child, table
from live_predraft import FINAL, PREDRAFT, karlsruhe_inputs

sys.path.insert(0, str(REPO))

BLOCK = 300.0
COPY_S = 900.0  # each recording padded to three blocks
KARLSRUHE_COPIES = 11
EXAMPLES = REPO / "resources" / "examples"
CACHE = REPO / "out" / "live_3h"
# the word before an item's number, as whisper-base writes it („Tageordnungspunkt 3“ too)
CALL = r"(?:\w*[Pp]unkt|TOP)"
# and the number, also as a word („Punkt drei“ in the example session)
_SPELLED = "eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn"
WORDS = {word: i for i, word in enumerate(_SPELLED.split(), start=1)}
NUMBER = r"(\d+|" + "|".join(WORDS) + r")"


def as_digits(number: str) -> str:
    return str(WORDS.get(number.lower(), number))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def transcript_of(audio, name: str, model_dir: Path):
    """whisper-base transcript of ``audio`` (cached in out/live_3h: the live job's text)."""
    from minutes_app.asr.whisper import ASROptions, WhisperASR
    from minutes_app.base.types import Transcript

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.transcript.json"
    if path.is_file():
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8"))), 0.0
    c = cpu()
    asr = WhisperASR(model_dir, ASROptions(threads=1))
    try:
        transcript = asr.transcribe(audio)
    finally:
        asr.close()
    path.write_text(json.dumps(transcript.to_dict(), ensure_ascii=False), encoding="utf-8")
    return transcript, cpu() - c


def renumber(text: str, numbers: dict[str, str]) -> str:
    """The chair's calls with the copy's TOP numbers („Tagesordnungspunkt 13“ -> „… 5“)."""

    def swap(m: re.Match[str]) -> str:
        return m.group(1) + numbers.get(as_digits(m.group(2)), m.group(2))

    return re.sub(rf"\b({CALL}\s+){NUMBER}\b", swap, text, flags=re.IGNORECASE)


def renumber_words(words: list, numbers: dict[str, str]) -> list:
    """The same for the words (aligning the speakers rebuilds the text from them)."""
    out = list(words)
    for i in range(1, len(out)):
        if re.fullmatch(rf"\s*{CALL}", out[i - 1].word):
            m = re.fullmatch(rf"(\s*){NUMBER}(\W*)", out[i].word, flags=re.IGNORECASE)
            if m and as_digits(m.group(2)) in numbers:
                word = m.group(1) + numbers[as_digits(m.group(2))] + m.group(3)
                out[i] = dataclasses.replace(out[i], word=word)
    return out


def main() -> None:
    import numpy as np

    from minutes_app.agenda.roster import load_roster
    from minutes_app.agenda.text import parse_agenda_text
    from minutes_app.audio.decode import decode_audio
    from minutes_app.base.fileio import write_json
    from minutes_app.base.types import AgendaItem, Transcript
    from minutes_app.diarization.align import assign_speakers
    from minutes_app.diarization.blocks import SAMPLE_RATE, BlockRunner, link
    from minutes_app.diarization.live import save_blocks
    from minutes_app.diarization.pipeline import DiarizationOptions
    from minutes_app.drafting.cues import segment_items
    from minutes_app.models.store import ModelStore
    from minutes_app.session.project import Project

    ap = argparse.ArgumentParser()
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--baseline", action="store_true", help="also draft without the kept replies")
    args = ap.parse_args()
    store = ModelStore.default()
    ka_path = SHARED / "sessions" / "ka_elternbeitraege.flac"
    ka_agenda, ka_people = karlsruhe_inputs(ka_path)
    ex_agenda = parse_agenda_text(EXAMPLES / "beispielsitzung_tagesordnung.txt")
    ex_people = load_roster(EXAMPLES / "beispielsitzung_anwesende.csv")
    size, copy_n = int(BLOCK * SAMPLE_RATE), int(COPY_S * SAMPLE_RATE)
    recordings = []  # (name, padded audio, transcript)
    rows: list[dict] = []
    whisper = store.get("whisper-base").path
    for name, path in (("karlsruhe", ka_path), ("beispiel", EXAMPLES / "beispielsitzung.ogg")):
        audio = decode_audio(path)
        padded = np.zeros(copy_n, dtype=np.float32)
        # Karlsruhe: silence after it; the example: before it, so the last block holds speech
        lead = 0 if name == "karlsruhe" else copy_n - audio.size
        padded[lead : lead + audio.size] = audio[:copy_n]
        transcript, asr_cpu = transcript_of(audio, name, whisper)
        recordings.append((name, padded, transcript, lead / SAMPLE_RATE))
        if asr_cpu:
            rows.append({"step": f"while recording: ASR of {name} (1 thread)", "cpu_s": asr_cpu})
    diar_dir = store.get("pyannote-campp").path
    people = ka_people + [p for p in ex_people if p.name not in {q.name for q in ka_people}]
    options = DiarizationOptions(threads=1, block_seconds=BLOCK, device="cpu", max_speakers=len(people))
    runner = BlockRunner(diar_dir, options)
    # the distinct blocks, diarized once (1 thread, as the live job); the tail is done after the stop
    c = cpu()
    distinct = {
        (name, k): runner(np.asarray(padded[k * size : (k + 1) * size]), k * size)
        for name, padded, _, _ in recordings
        for k in range(3)
        if (name, k) != ("beispiel", 2)
    }
    rows.append({"step": "while recording: diarization of 5 distinct blocks (1 thread)", "cpu_s": cpu() - c})
    plan = ["karlsruhe"] * KARLSRUHE_COPIES + ["beispiel"]
    agenda: list[AgendaItem] = []
    segments = []
    number = 0
    for copy, name in enumerate(plan):
        offset = copy * COPY_S
        items = ka_agenda if name == "karlsruhe" else ex_agenda
        numbers = {}
        for a in items:
            number += 1
            numbers[a.number] = str(number)
            agenda.append(dataclasses.replace(a, number=str(number)))
        transcript, lead = next((t, lead) for n, _, t, lead in recordings if n == name)
        shift = offset + lead
        for s in transcript.segments:
            words = renumber_words(s.words, numbers)
            words = [dataclasses.replace(w, start=w.start + shift, end=w.end + shift) for w in words]
            text = renumber(s.text, numbers)
            segments.append(
                dataclasses.replace(
                    s, id=len(segments), start=s.start + shift, end=s.end + shift, text=text, words=words
                )
            )
    duration = len(plan) * COPY_S
    full = Transcript(recordings[0][2].language, duration, segments)
    early = [x.number for x in segment_items(segments, agenda) if x.segments and x.matched_by == "nummer"]
    print(f"items found by their call in the transcript: {len(early)} of {len(agenda)}: {early}", flush=True)
    blocks = [
        dataclasses.replace(distinct[(name, k)], start=(copy * 3 + k) * size, end=(copy * 3 + k + 1) * size)
        for copy, name in enumerate(plan)
        for k in range(3)
        if (copy, k) != (len(plan) - 1, 2)
    ]
    folder = Path(tempfile.mkdtemp(prefix="live_3h_"))
    project = Project.open_or_create(folder / "sitzung", ka_path)
    project.agenda, project.attendees, project.protocol_type = agenda, people, "verlauf"
    project.save()
    stages = []
    for i in range(1, len(blocks) + 1):  # the live files after each full block
        until = blocks[i - 1].end / SAMPLE_RATE
        live_file, partial = folder / f"live{i}.json", folder / f"partial{i}.json"
        save_blocks(live_file, diar_dir, options, BLOCK, blocks[:i])
        part = Transcript(full.language, until, [s for s in full.segments if s.end <= until])
        write_json(partial, {"key": {}, "transcript": part.to_dict()})
        stages.append((str(live_file), str(partial)))
    spec = folder / "stages.json"
    spec.write_text(
        json.dumps({"stages": stages, "diar_options": dataclasses.asdict(options)}), encoding="utf-8"
    )
    llm_dir = str(store.get(args.llm_model).path)
    t = time.perf_counter()
    pre = run_child(PREDRAFT, str(project.folder), str(diar_dir), llm_dir, str(args.threads), str(spec))
    pre_wall = time.perf_counter() - t
    passes = pre["rows"]
    rows.append(
        {
            "step": f"while recording: pre-draft, {len(passes)} passes",
            "cpu_s": sum(r["cpu_s"] for r in passes),
            "wall_s": pre_wall,
            "items": passes[-1]["items"],
            "pieces": passes[-1]["pieces"],
        }
    )
    for r in (passes[0], passes[len(passes) // 2], passes[-1]):
        rows.append({"step": f"  pass after block {r['block']}", **r})
    slowest = max(passes, key=lambda r: r["wall_s"])
    rows.append({"step": f"  slowest pass (block {slowest['block']})", **slowest})
    # the stop: the tail block with both cores, linking all blocks, aligning, then the draft
    c, t = cpu(), time.perf_counter()
    last = recordings[1][1]  # the example, padded before it
    blocks.append(runner(np.asarray(last[2 * size :]), (len(plan) * 3 - 1) * size, threads=args.threads))
    aligned = assign_speakers(full.segments, link(blocks, options, duration, diar_dir.name))
    tail = {"wall_s": time.perf_counter() - t, "cpu_s": cpu() - c}
    rows.append({"step": "after the stop: tail block, link 36 blocks, align", **tail})
    spans = segment_items(sorted(aligned, key=lambda s: (s.start, s.id)), agenda)
    kept_file = project.folder / "draft.replies.json"
    fresh = folder / "fresh.replies.json"
    write_json(fresh, {"format": 1, "replies": {}})
    data = {
        "segments": [dataclasses.asdict(s) for s in aligned],
        "agenda": [dataclasses.asdict(a) for a in agenda],
        "roster": [dataclasses.asdict(p) for p in people],
        "kept": {str(kept_file): pre["replies"], str(fresh): 0},
    }
    (folder / "final.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    runs = [("with the pre-draft", kept_file)] + ([("baseline: without it", fresh)] if args.baseline else [])
    final = {}
    for name, replies in runs:
        r = run_child(FINAL, str(folder / "final.json"), llm_dir, str(args.threads), str(replies))
        final[name] = r
        rows.append(
            {
                "step": f"after the stop: draft stage, {name}",
                "wall_s": r["wall_s"],
                "cpu_s": r["cpu_s"],
                "pieces": r["asked"],
                "rss_mb": r["rss_mb"],
            }
        )
    found = [s.number for s in spans if s.number and s.segments and s.matched_by == "nummer"]
    print(
        f"synthetic 3-hour session: {duration:.0f} s, {len(blocks)} blocks of {BLOCK:.0f} s, "
        f"{len(agenda)} agenda items, {len(found)} of them found by their call in the aligned transcript, "
        f"{args.llm_model}, {args.threads} threads"
    )
    print(table(rows, ["step", "wall_s", "cpu_s", "items", "pieces", "rss_mb"]))
    ready = tail["wall_s"] + final["with the pre-draft"]["wall_s"]
    print(f"draft ready after the stop: {ready:.0f} s ({ready / 60:.1f} min) with the pre-draft")
    if args.baseline:
        base = tail["wall_s"] + final["baseline: without it"]["wall_s"]
        same = final["with the pre-draft"]["beratung"] == final["baseline: without it"]["beratung"]
        print(f"without it: {base:.0f} s ({base / 60:.1f} min); same Beratung: {same}")
    print(
        f"peak RSS: pre-draft process {pre['rss_mb']:.0f} MB, draft stage "
        f"{max(r['rss_mb'] for r in final.values()):.0f} MB, this process (diarization, linking) "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
