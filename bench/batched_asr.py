"""Batched vs sequential Whisper decoding on the German fixtures: time, RTF, WER, first sentence.

Every variant (batch size 1 = sequential, the baseline, then the batched ones) runs
in its own fresh process on the same audio in the same run, through the ASR stage's
``WhisperASR`` (1 s lead-in, windows, VAD), and the table gives its ratios against
sequential. "first" counts the fixtures whose first spoken sentence is in the
transcript (its first three words among the transcript's first ten).

Fixtures: ``thorsten_1/2`` (real German voice, speech from 0 s), both clips back to
back with the first starting at 0.0 s, the example session (221 s, speech from
0.0 s) and the first ``--ka-seconds`` of the synthetic Karlsruhe session.

    python bench/batched_asr.py [--batches 1,4,8] [--threads 2] [--ka-seconds 240] [--device cpu]
"""

from __future__ import annotations

import argparse
import json

from common import REPO, SHARED, run_child, store_path, table

CODE = r"""
import json, sys, time
import numpy as np
from minutes_app.audio.decode import decode_audio
from minutes_app.asr.whisper import ASROptions, WhisperASR
model, batch, threads, device = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
clips = json.loads(sys.argv[5])
t = time.perf_counter()
asr = WhisperASR(model, ASROptions(language="de", threads=threads, batch_size=batch, device=device))
load = time.perf_counter() - t
out = {"load_s": load, "clips": {}}
for name, spec in clips.items():
    parts = []
    for path, start, seconds in spec:
        audio = decode_audio(path)
        if start == "speech":  # cut away any leading silence: speech at 0.0 s
            audio = audio[int(np.argmax(np.abs(audio) > 0.02)):]
        if seconds:
            audio = audio[: int(seconds * 16000)]
        parts += [audio, np.zeros(8000, np.float32)]
    audio = np.concatenate(parts[:-1])
    t = time.perf_counter()
    result = asr.transcribe(audio)
    out["clips"][name] = {"seconds": time.perf_counter() - t, "duration": len(audio) / 16000,
                          "text": " ".join(s.text for s in result.segments),
                          "segments": len(result.segments)}
asr.close()
print(json.dumps(out))
"""


def references(ka_seconds: float) -> dict[str, tuple[list, str]]:
    """fixture -> (audio spec for the child, reference text)."""
    audio = SHARED / "audio"
    tsv = dict(
        line.split("\t", 1) for line in (audio / "thorsten.tsv").read_text(encoding="utf-8").splitlines()
    )
    example = json.loads((REPO / "resources/examples/beispielsitzung.json").read_text(encoding="utf-8"))
    ka = json.loads((SHARED / "sessions/ka_elternbeitraege.json").read_text(encoding="utf-8"))
    ka_turns = [t["text"] for t in ka["turns"] if t["end"] <= ka_seconds]
    ka_cut = max(t["end"] for t in ka["turns"] if t["end"] <= ka_seconds) + 0.2
    return {
        "thorsten_1": ([(str(audio / "thorsten_1.wav"), 0, 0)], tsv["thorsten_1.wav"]),
        "thorsten_2": ([(str(audio / "thorsten_2.wav"), 0, 0)], tsv["thorsten_2.wav"]),
        "thorsten_2+1 from 0 s": (
            [(str(audio / "thorsten_2.wav"), "speech", 0), (str(audio / "thorsten_1.wav"), 0, 0)],
            tsv["thorsten_2.wav"] + " " + tsv["thorsten_1.wav"],
        ),
        "beispielsitzung": (
            [(str(REPO / "resources/examples/beispielsitzung.ogg"), 0, 0)],
            " ".join(t["text"] for t in example["turns"]),
        ),
        f"ka_elternbeitraege {ka_cut:.0f} s": (
            [(str(SHARED / "sessions/ka_elternbeitraege.flac"), 0, ka_cut)],
            " ".join(ka_turns),
        ),
    }


def first_kept(reference: str, hypothesis: str) -> bool:
    """The reference's first three words appear, in order, among the hypothesis' first ten."""
    from minutes_app.asr.wer import words

    ref, hyp = words(reference)[:3], words(hypothesis)[:10]
    pos = 0
    for w in ref:
        if w not in hyp[pos:]:
            return False
        pos = hyp.index(w, pos) + 1
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="1,4,8")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ka-seconds", type=float, default=240.0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--model", default="whisper-base")
    ap.add_argument("--details", action="store_true", help="also print every fixture per variant")
    args = ap.parse_args()
    from minutes_app.asr.wer import wer, words

    batches = [int(b) for b in args.batches.split(",")]
    if batches[0] != 1:
        batches.insert(0, 1)  # sequential is the baseline of the same run
    model = str(store_path(args.model))
    refs = references(args.ka_seconds)
    spec = json.dumps({name: audio for name, (audio, _) in refs.items()})
    runs = {b: run_child(CODE, model, str(b), str(args.threads), args.device, spec) for b in batches}

    rows, details = [], []
    base = runs[1]
    for b, run in runs.items():
        clips = run["clips"]
        seconds = sum(c["seconds"] for c in clips.values())
        audio_s = sum(c["duration"] for c in clips.values())
        errors = sum(wer(refs[n][1], c["text"]) * len(words(refs[n][1])) for n, c in clips.items())
        ref_words = sum(len(words(r)) for _, r in refs.values())
        kept = sum(first_kept(refs[n][1], c["text"]) for n, c in clips.items())
        base_s = sum(c["seconds"] for c in base["clips"].values())
        rows.append(
            {
                "variant": "sequential" if b == 1 else f"batched {b}",
                "transcribe_s": seconds,
                "RTF": seconds / audio_s,
                "time ratio": seconds / base_s,
                "speed-up": base_s / seconds,
                "WER": errors / ref_words,
                "first kept": f"{kept}/{len(clips)}",
                "segments": sum(c["segments"] for c in clips.values()),
                "load_s": run["load_s"],
            }
        )
        for n, c in clips.items():
            details.append(
                {
                    "variant": rows[-1]["variant"],
                    "fixture": n,
                    "audio_s": c["duration"],
                    "seconds": c["seconds"],
                    "WER": wer(refs[n][1], c["text"]),
                    "first kept": "yes" if first_kept(refs[n][1], c["text"]) else "NO",
                    "segments": c["segments"],
                }
            )
    audio_total = sum(c["duration"] for c in base["clips"].values())
    print(
        f"Batched vs sequential ASR, {args.model} on {args.device} "
        f"({'int8' if args.device == 'cpu' else 'default compute type'}), {args.threads} threads, "
        f"{len(refs)} German fixtures, {audio_total:.0f} s audio, one run each in a fresh process"
    )
    print(table(rows, list(rows[0])))
    if args.details:
        print()
        print(table(details, list(details[0])))
    best = min(rows[1:], key=lambda r: r["transcribe_s"], default=None)
    if best is not None:
        worse = best["WER"] - rows[0]["WER"]
        print(
            f"fastest batched: {best['variant']}, {best['speed-up']:.2f}x sequential, "
            f"WER {worse:+.3f} against sequential, first sentence kept {best['first kept']} "
            f"(sequential {rows[0]['first kept']})"
        )


if __name__ == "__main__":
    main()
