"""The whole pipeline on a real session: seconds and real-time factor per stage, peak RSS.

Runs `run_pipeline` in a fresh child process on a fresh project folder and
compares the whole-pipeline RTF and peak RSS against the targets
(RTF <= 0.5 on 2 cores with the default models, peak RSS <= 4 GB).

    python bench/pipeline.py [--audio PATH] [--llm-model ID] [--threads N] [--engine auto|ct2|llamacpp]
"""

from __future__ import annotations

import argparse
import tempfile

from common import SHARED, run_child, table

CODE = r"""
import json, resource, sys, time
from pathlib import Path
from minutes_app.audio.decode import probe_audio
from minutes_app.pipeline.run import PipelineOptions, run_pipeline
from minutes_app.session.project import Project
audio, folder, llm, threads = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
engine = sys.argv[5]
project = Project.open_or_create(folder, audio)
ref = audio.with_suffix(".json")
if ref.is_file():  # a fixture session: its agenda and roster, as the secretary would enter them
    sys.path.insert(0, "bench")
    from minutes_eval import roster
    from minutes_app.base.types import AgendaItem
    data = json.loads(ref.read_text(encoding="utf-8"))
    project.agenda = [AgendaItem(a["agenda_number"], a["agenda_title"], paper=a["paper"])
                      for a in data["agenda_items"]]
    project.attendees = roster(data)
    project.save()
t = time.perf_counter()
c = time.process_time()
result = run_pipeline(project, PipelineOptions(llm_model=llm, threads=threads, llm_engine=engine))
total = time.perf_counter() - t
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
print(json.dumps({"duration": probe_audio(audio), "timings": result.timings, "total": total, "cpu_s": cpu,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "speakers": len(result.speakers), "items": len(result.minutes.agenda_items)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audio", default=str(SHARED / "sessions" / "ka_elternbeitraege.flac"))
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", default="auto", help="llm_engine: auto (the default), ct2, llamacpp")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = run_child(CODE, args.audio, tmp + "/projekt", args.llm_model, str(args.threads), args.engine)
    duration = r["duration"]
    rows = [{"stage": k, "seconds": v, "RTF": v / duration} for k, v in r["timings"].items()]
    rows.append({"stage": "total (incl. model loads)", "seconds": r["total"], "RTF": r["total"] / duration})
    print(
        f"Pipeline on {args.audio} ({duration:.0f} s audio), {args.llm_model}, engine {args.engine}, "
        f"{args.threads} threads"
    )
    print(table(rows, ["stage", "seconds", "RTF"]))
    rtf = r["total"] / duration
    peak = max(r["rss_mb"], r["workers_rss_mb"])
    print(f"peak RSS: main process {r['rss_mb']:.0f} MB, largest worker process {r['workers_rss_mb']:.0f} MB")
    print(f"largest process {peak:.0f} MB (target <= 4096): {'OK' if peak <= 4096 else 'OVER TARGET'}")
    print(f"whole-pipeline RTF {rtf:.3f} (target <= 0.5): {'OK' if rtf <= 0.5 else 'OVER TARGET'}")
    print(f"speakers found: {r['speakers']}, agenda items: {r['items']}")
    cores = max(1, args.threads)
    print(
        f"CPU seconds (this process and its workers): {r['cpu_s']:.0f}; on {cores} cores of its own "
        f"no less than {r['cpu_s'] / cores:.0f} s wall, RTF >= {r['cpu_s'] / cores / duration:.3f}"
    )


if __name__ == "__main__":
    main()
