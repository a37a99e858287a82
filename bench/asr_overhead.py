"""ASR stage vs raw faster-whisper: same model, same audio, same settings, same run.

Each variant runs in its own fresh process (so neither warms the other's
caches), alternating raw/stage, and the best of the repeats counts.
Target: stage / raw <= 1.05.

    python bench/asr_overhead.py [--seconds 180] [--repeats 2] [--threads 2]
"""

from __future__ import annotations

import argparse

from common import SHARED, run_child, store_path, table

VARIANTS = ("raw", "stage", "stage-no-lead-in")

CODE = r"""
import json, sys, time
from minutes_app.audio.decode import decode_audio
variant, model, path = sys.argv[1:4]
seconds, threads = float(sys.argv[4]), int(sys.argv[5])
audio = decode_audio(path)[: int(seconds * 16000)]
if variant == "raw":
    from faster_whisper import WhisperModel
    m = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=threads)
    t = time.perf_counter()
    segs, info = m.transcribe(audio, language="de", beam_size=5, vad_filter=True, word_timestamps=True,
                              condition_on_previous_text=False)
    text = " ".join(s.text.strip() for s in segs)
else:
    from minutes_app.asr.whisper import ASROptions, WhisperASR
    lead = 0.0 if variant == "stage-no-lead-in" else 1.0
    asr = WhisperASR(model, ASROptions(threads=threads, lead_in_seconds=lead))
    t = time.perf_counter()
    text = " ".join(s.text for s in asr.transcribe(audio).segments)
print(json.dumps({"seconds": time.perf_counter() - t, "words": len(text.split())}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    model = str(store_path("whisper-base"))
    audio = str(SHARED / "sessions" / "ka_elternbeitraege.flac")
    best: dict[str, dict] = {}
    for _ in range(args.repeats):
        for variant in VARIANTS:
            r = run_child(CODE, variant, model, audio, str(args.seconds), str(args.threads))
            if variant not in best or r["seconds"] < best[variant]["seconds"]:
                best[variant] = r
    rows = [
        {
            "variant": v,
            "transcribe_s": best[v]["seconds"],
            "RTF": best[v]["seconds"] / args.seconds,
            "words": best[v]["words"],
        }
        for v in VARIANTS
    ]
    ratio = best["stage"]["seconds"] / best["raw"]["seconds"]
    ratio_plain = best["stage-no-lead-in"]["seconds"] / best["raw"]["seconds"]
    print(
        f"ASR overhead on {args.seconds:.0f} s of ka_elternbeitraege.flac, whisper-base int8, "
        f"{args.threads} threads, best of {args.repeats}"
    )
    print(table(rows, ["variant", "transcribe_s", "RTF", "words"]))
    print(f"ratio stage/raw = {ratio:.3f} (target <= 1.05): {'OK' if ratio <= 1.05 else 'OVER TARGET'}")
    print(f"ratio stage-no-lead-in/raw = {ratio_plain:.3f} (the wrapper alone, same decoding as raw)")


if __name__ == "__main__":
    main()
