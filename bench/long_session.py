"""Memory against session length: peak RSS per stage at 10 min, 1 h and 3 h of audio.

Synthesises a long session by repeating the bundled example session (3:41, five
voices) with a second of silence between the copies, writes it as a 16 kHz mono
WAV, and runs each stage in a fresh child process on it:

- ``decode``: the file -> the project's raw 16 kHz float32 file (streamed);
- ``asr``: faster-whisper in windows (``WhisperASR`` as the pipeline runs it);
- ``diarization``: the pyannote pipeline on the memory-mapped audio.

It prints peak RSS per stage and length and the ratio of each length to the
shortest one (target for 3 h: <= 1.1 x the 10-minute value). ASR on 3 h takes
about an hour on 2 cores; ``--lengths`` and ``--stages`` choose what to run.

    python bench/long_session.py [--lengths 600,3600,10800] [--stages decode,diarization,asr]
"""

from __future__ import annotations

import argparse
import tempfile
import wave
from pathlib import Path

import numpy as np
from common import REPO, run_child, store_path, table

EXAMPLE = REPO / "resources" / "examples" / "beispielsitzung.ogg"

CODE = r"""
import json, resource, sys, time
from pathlib import Path
stage, wav, work, model = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
t = time.perf_counter()
from minutes_app.audio.decode import decode_to_file, open_pcm
pcm = work / "audio.f32"
if stage == "decode":
    decode_to_file(wav, pcm)
elif stage == "diarization":
    from minutes_app.diarization.pipeline import diarize
    result = diarize(open_pcm(pcm), Path(model))
elif stage == "asr":
    from minutes_app.asr.whisper import ASROptions, WhisperASR
    result = WhisperASR(Path(model), ASROptions(language="de", threads=2)).transcribe(open_pcm(pcm))
print(json.dumps({"seconds": time.perf_counter() - t,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def synthesise(seconds: int, target: Path) -> None:
    """A WAV of ``seconds`` made of copies of the example session, written in blocks."""
    import sys

    sys.path.insert(0, str(REPO))
    from minutes_app.audio.decode import decode_audio

    one = (np.clip(decode_audio(EXAMPLE), -1, 1) * 32767).astype(np.int16)
    gap = np.zeros(16000, dtype=np.int16)
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        left = seconds * 16000
        while left > 0:
            block = np.concatenate([one, gap])[:left]
            out.writeframes(block.tobytes())
            left -= len(block)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lengths", default="600,3600,10800", help="seconds, comma-separated")
    ap.add_argument("--stages", default="decode,diarization,asr")
    args = ap.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    stages = args.stages.split(",")
    models = {"decode": "", "diarization": str(store_path("pyannote-campp")), "asr": ""}
    if "asr" in stages:
        models["asr"] = str(store_path("whisper-base"))
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seconds in lengths:
            work = Path(tmp) / f"s{seconds}"
            work.mkdir()
            wav = work / "session.wav"
            synthesise(seconds, wav)
            for stage in ["decode", *[s for s in stages if s != "decode"]]:
                r = run_child(CODE, stage, str(wav), str(work), models[stage])
                rows.append({"stage": stage, "audio min": seconds / 60, **r, "RTF": r["seconds"] / seconds})
                done = f"{r['seconds']:.0f} s, peak {r['rss_mb']:.0f} MB"
                print(f"  {stage} {seconds / 60:.0f} min: {done}", flush=True)
            wav.unlink()
    for row in rows:
        base = next(r for r in rows if r["stage"] == row["stage"])
        row["RSS vs shortest"] = row["rss_mb"] / base["rss_mb"]
    print(table(rows, ["stage", "audio min", "seconds", "RTF", "rss_mb", "RSS vs shortest"]))
    for stage in stages:
        mine = [r for r in rows if r["stage"] == stage]
        ok = mine[-1]["RSS vs shortest"] <= 1.1
        print(f"{stage}: longest/shortest peak RSS {mine[-1]['RSS vs shortest']:.2f} (target <= 1.1): "
              f"{'OK' if ok else 'GROWS WITH LENGTH'}")  # fmt: skip


if __name__ == "__main__":
    main()
