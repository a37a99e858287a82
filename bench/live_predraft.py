"""Draft ready after the stop: with the pre-draft while recording, and without (baseline).

Live mode transcribes and diarizes in 5-minute blocks while the session records
(``pipeline/live_job.py``); the pre-draft (``pipeline/predraft_job.py``) sends the finished
items' contributions through the model after each block. What is left after the stop is
the tail: the last block's diarization, linking, aligning, and the draft of what the
pre-draft could not do (the last item, contributions cut differently, the item JSON calls
whose prompts hold the speakers' names). This benchmark replays a session as the live
files grow, block by block, each LLM part in a fresh process:

1. whisper-base over the whole recording and pyannote + CAM++ per 300-s block (the live
   job's work while recording; CPU seconds per audio second reported);
2. one pre-draft pass after each full block, on the files as they stood then;
3. after the stop: the tail block's diarization, then the draft stage as the pipeline runs
   it (``draft_request`` with the kept replies), and as baseline in the same run the same
   draft without them (a fresh replies file) = what the stop cost before.

    python bench/live_predraft.py [--audio PATH] [--llm-model ID] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, SHARED, run_child, table

sys.path.insert(0, str(REPO))

BLOCK = 300.0

PREDRAFT = r"""
import json, resource, sys, time
from minutes_app.base.jobs import CancelToken
from minutes_app.pipeline.predraft_job import PredraftSpec, PredraftState, predraft_pass
from minutes_app.drafting.engines import make_engine
from minutes_app.drafting.replies import FILE, CachedEngine, ReplyStore
from minutes_app.diarization.pipeline import DiarizationOptions
folder, diar_dir, llm_dir, stages = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5]
threads = int(sys.argv[4])
spec_args = json.loads(open(stages).read())
options = DiarizationOptions(**spec_args["diar_options"])
engine = CachedEngine(make_engine("ct2", llm_dir, threads=threads), ReplyStore(folder + "/" + FILE))
rows = []
for i, (live_file, partial) in enumerate(spec_args["stages"]):
    spec = PredraftSpec(folder, partial, live_file, diar_dir, options)
    state = PredraftState()
    c, t = time.process_time(), time.perf_counter()
    predraft_pass(spec, engine, state, CancelToken())
    rows.append({"block": i + 1, "cpu_s": time.process_time() - c, "wall_s": time.perf_counter() - t,
                 "items": state.items, "pieces": state.pieces})
print(json.dumps({"rows": rows, "replies": len(engine.store.replies),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FINAL = r"""
import json, resource, sys, time
from minutes_app.base.jobs import CancelToken, no_progress
from minutes_app.base.types import AgendaItem, Attendee, Segment
from minutes_app.drafting.draft import DraftOptions, draft_request
data = json.loads(open(sys.argv[1]).read())
llm_dir, threads, replies = sys.argv[2], int(sys.argv[3]), sys.argv[4]
segments = [Segment.from_dict(s) for s in data["segments"]]
c, t = time.process_time(), time.perf_counter()
agenda = [AgendaItem(**a) for a in data["agenda"]]
roster = [Attendee(**p) for p in data["roster"]]
options = DraftOptions(protocol_type="verlauf")
minutes = draft_request(segments, {}, agenda, "ct2", llm_dir, {"threads": threads}, options, no_progress,
                        CancelToken(), roster=roster, replies_path=replies)
after = json.loads(open(replies).read())["replies"]
print(json.dumps({"cpu_s": time.process_time() - c, "wall_s": time.perf_counter() - t,
                  "asked": len(after) - data["kept"].get(replies, 0),
                  "beratung": [i.discussion for i in minutes.agenda_items],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def karlsruhe_inputs(audio: Path) -> tuple[list, list]:
    from minutes_eval import roster

    from minutes_app.base.types import AgendaItem

    ref = audio.with_suffix(".json")
    if not ref.is_file():
        return [], []
    data = json.loads(ref.read_text(encoding="utf-8"))
    agenda = [
        AgendaItem(a["agenda_number"], a["agenda_title"], paper=a["paper"]) for a in data["agenda_items"]
    ]
    return agenda, roster(data)


def main() -> None:
    from dataclasses import asdict

    import numpy as np

    from minutes_app.asr.whisper import ASROptions, WhisperASR
    from minutes_app.audio.decode import decode_audio
    from minutes_app.base.fileio import write_json
    from minutes_app.base.types import Transcript
    from minutes_app.diarization.align import assign_speakers
    from minutes_app.diarization.blocks import SAMPLE_RATE, BlockRunner, link
    from minutes_app.diarization.live import save_blocks
    from minutes_app.diarization.pipeline import DiarizationOptions
    from minutes_app.models.store import ModelStore

    ap = argparse.ArgumentParser()
    ap.add_argument("--audio", default=str(SHARED / "sessions" / "ka_elternbeitraege.flac"))
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    store = ModelStore.default()
    audio_path = Path(args.audio)
    agenda, people = karlsruhe_inputs(audio_path)
    audio = decode_audio(audio_path)
    duration = audio.size / SAMPLE_RATE
    folder = Path(tempfile.mkdtemp(prefix="live_predraft_"))
    rows: list[dict] = []

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    c, t = cpu(), time.perf_counter()
    asr = WhisperASR(store.get("whisper-base").path, ASROptions(threads=1))  # live: one thread
    transcript = asr.transcribe(audio)
    asr.close()
    rows.append(
        {"step": "while recording: ASR (1 thread)", "wall_s": time.perf_counter() - t, "cpu_s": cpu() - c}
    )
    diar_dir = store.get("pyannote-campp").path
    options = DiarizationOptions(
        threads=1, block_seconds=BLOCK, device="cpu", max_speakers=len(people) or None
    )
    runner = BlockRunner(diar_dir, options)
    size = int(BLOCK * SAMPLE_RATE)
    starts = list(range(0, audio.size, size))
    blocks, stages = [], []
    c, t = cpu(), time.perf_counter()
    for start in starts[:-1]:  # the full blocks, diarized while recording
        blocks.append(runner(np.asarray(audio[start : start + size]), start))
        until = blocks[-1].end / SAMPLE_RATE
        live_file, partial = folder / f"live{len(blocks)}.json", folder / f"partial{len(blocks)}.json"
        save_blocks(live_file, diar_dir, options, BLOCK, list(blocks))
        part = Transcript(transcript.language, until, [s for s in transcript.segments if s.end <= until])
        write_json(partial, {"key": {}, "transcript": part.to_dict()})
        stages.append((str(live_file), str(partial)))
    rows.append(
        {
            "step": "while recording: diarization of the full blocks",
            "wall_s": time.perf_counter() - t,
            "cpu_s": cpu() - c,
        }
    )
    from minutes_app.session.project import Project

    project = Project.open_or_create(folder / "sitzung", audio_path)
    project.agenda, project.attendees, project.protocol_type = agenda, people, "verlauf"
    project.save()
    spec = folder / "stages.json"
    spec.write_text(json.dumps({"stages": stages, "diar_options": asdict(options)}), encoding="utf-8")
    llm_dir = str(store.get(args.llm_model).path)
    pre = run_child(PREDRAFT, str(project.folder), str(diar_dir), llm_dir, str(args.threads), str(spec))
    for r in pre["rows"]:
        rows.append({"step": f"while recording: pre-draft after block {r['block']}", **r})
    # the stop: the tail block, linking, aligning, then the draft stage
    c, t = cpu(), time.perf_counter()
    if starts:
        tail_block = runner(
            np.asarray(audio[starts[-1] :]), starts[-1], threads=args.threads
        )  # both cores free
        blocks.append(tail_block)
    segments = assign_speakers(transcript.segments, link(blocks, options, duration, diar_dir.name))
    tail = {"wall_s": time.perf_counter() - t, "cpu_s": cpu() - c}
    rows.append({"step": "after the stop: tail block, link, align", **tail})
    kept_file = project.folder / "draft.replies.json"
    fresh = folder / "fresh.replies.json"
    write_json(fresh, {"format": 1, "replies": {}})
    kept = {str(kept_file): pre["replies"], str(fresh): 0}
    data = {"segments": [asdict(s) for s in segments], "agenda": [asdict(a) for a in agenda],
            "roster": [asdict(p) for p in people], "kept": kept}  # fmt: skip
    (folder / "final.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    final = {}
    for name, replies in (("with the pre-draft", kept_file), ("baseline: without it", fresh)):
        r = run_child(FINAL, str(folder / "final.json"), llm_dir, str(args.threads), str(replies))
        final[name] = r
        step = f"after the stop: draft stage, {name}"
        rows.append({"step": step, "wall_s": r["wall_s"], "cpu_s": r["cpu_s"], "pieces": r["asked"]})
    print(f"{audio_path.name}: {duration:.0f} s, {len(blocks)} blocks of {BLOCK:.0f} s, {args.llm_model}, "
          f"{args.threads} threads")  # fmt: skip
    print(table(rows, ["step", "wall_s", "cpu_s", "items", "pieces"]))
    same = final["with the pre-draft"]["beratung"] == final["baseline: without it"]["beratung"]
    ready = tail["wall_s"] + final["with the pre-draft"]["wall_s"]
    base = tail["wall_s"] + final["baseline: without it"]["wall_s"]
    live_cpu = sum(r["cpu_s"] for r in rows if r["step"].startswith("while recording"))
    print(
        f"draft ready after the stop: {ready:.0f} s with the pre-draft, {base:.0f} s without "
        f"(same Beratung: {same})"
    )
    print(f"CPU while recording (ASR, diarization, pre-draft): {live_cpu / duration:.2f} CPU-s/audio-s "
          f"(2 cores give 2.0)")  # fmt: skip
    print(f"peak RSS: pre-draft process {pre['rss_mb']:.0f} MB, draft stage "
          f"{max(r['rss_mb'] for r in final.values()):.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
