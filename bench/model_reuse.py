"""A queue of short sessions with and without keeping the models loaded between jobs.

Both variants run the same queue (``--jobs`` short German clips, whole pipeline with
the draft) in their own fresh process, in the same run: "load per job" is the
default of a single job (every stage loads its model and frees it); "kept" is what
the GUI queue does (``keep_models_loaded`` while more sessions wait, the last one
hands the models back). Reported: seconds per job, the total, the ratio kept / load
per job, and how often each model was loaded.

    python bench/model_reuse.py [--jobs 3] [--seconds 20] [--llm-model qwen2.5-coder-0.5b] [--threads 2]
"""

from __future__ import annotations

import argparse
import tempfile

from common import REPO, SHARED, run_child, table

CODE = r"""
import json, sys, time
from pathlib import Path
import wave
import numpy as np
from minutes_app.audio.decode import decode_audio
from minutes_app.asr.whisper import MODELS
from minutes_app.base import worker
from minutes_app.pipeline.run import PipelineOptions, run_pipeline
from minutes_app.session.project import Project
variant, folder, llm = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
threads, seconds = int(sys.argv[4]), float(sys.argv[5])
sources = json.loads(sys.argv[6])
out = {"jobs": [], "host_loads": None}
t0 = time.perf_counter()
for i, src in enumerate(sources):
    wav = folder / f"job{i}.wav"
    samples = np.clip(decode_audio(src)[: int(seconds * 16000)], -1, 1)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    project = Project.open_or_create(folder / f"job{i}", wav)
    keep = variant == "kept" and i < len(sources) - 1
    t = time.perf_counter()
    result = run_pipeline(project, PipelineOptions(llm_model=llm, threads=threads, keep_models_loaded=keep))
    out["jobs"].append({"seconds": time.perf_counter() - t, "timings": result.timings})
    if keep and i == len(sources) - 2:  # before the last job: what the kept worker loaded so far
        out["host_loads"] = worker.WorkerStage("minutes_app.base.model_cache:loads_report").wait()
out["total"] = time.perf_counter() - t0
out["asr_loads"] = MODELS.loads
out["hosts"] = worker.HOST_STARTS[0]
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--llm-model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    clips = [
        REPO / "resources/examples/beispielsitzung.ogg",
        SHARED / "sessions/ka_elternbeitraege.flac",
        SHARED / "audio/thorsten_1.wav",
    ]
    sources = [str(clips[i % len(clips)]) for i in range(args.jobs)]
    import json

    runs = {}
    for variant in ("load per job", "kept"):
        with tempfile.TemporaryDirectory() as tmp:
            runs[variant] = run_child(
                CODE,
                variant.split()[0],
                tmp,
                args.llm_model,
                str(args.threads),
                str(args.seconds),
                json.dumps(sources),
            )
    rows = []
    for variant, r in runs.items():
        row: dict = {"variant": variant}
        for i, job in enumerate(r["jobs"], 1):
            row[f"job {i} s"] = job["seconds"]
        row["total s"] = r["total"]
        row["ratio"] = r["total"] / runs["load per job"]["total"]
        kept = variant == "kept"
        host = r.get("host_loads") or {}
        row["ASR loads"] = r["asr_loads"]
        row["diarization loads"] = host.get("diarization", "") if kept else args.jobs
        row["LLM loads"] = host.get("llm", "") if kept else args.jobs
        row["worker processes"] = r["hosts"] if kept else f"{2 * args.jobs} (one per stage)"
        rows.append(row)
    print(
        f"Model reuse: {args.jobs} queued sessions of {args.seconds:.0f} s each (whole pipeline with draft, "
        f"{args.llm_model}, {args.threads} threads), each variant in a fresh process, same run"
    )
    print(table(rows, list(rows[0])))
    stage_rows = []
    for variant, r in runs.items():
        later_jobs = r["jobs"][1:] or r["jobs"]
        stage_rows.append(
            {"variant": variant}
            | {
                f"{stage} s": sum(j["timings"].get(stage, 0.0) for j in later_jobs) / len(later_jobs)
                for stage in ("decode", "asr", "diarization", "align", "draft")
            }
        )
    print(f"\nper stage, mean of jobs 2..{args.jobs} (model loads and worker start-up included):")
    print(table(stage_rows, list(stage_rows[0])))
    later = [
        sum(j["seconds"] for j in runs[v]["jobs"][1:]) / max(args.jobs - 1, 1)
        for v in ("load per job", "kept")
    ]
    print(
        f"total kept / load per job = {rows[1]['ratio']:.3f}; jobs 2..{args.jobs} on average "
        f"{later[0]:.1f} s -> {later[1]:.1f} s ({later[1] / later[0]:.3f})"
    )
    print("(diarization/LLM loads of 'kept' counted in the kept worker before the last job)")


if __name__ == "__main__":
    main()
