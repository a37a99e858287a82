"""Diarization benchmark: DER, real-time factor and peak RSS per dev file (default options).

Usage::

    python bench/diarization_der.py [--models .models/pyannote-campp] [--threads 1]
        [--files sample dev00 dev01 ka_elternbeitraege]

DER is scored inside the UEM where the file has one (dev00/dev01: first 30 s),
otherwise over the whole file; collar 0, overlap scored. RTF = processing time /
audio duration; the first file also pays the model load (shown as "load").
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from minutes_app.diarization.devdata import dev_files, load_audio  # noqa: E402
from minutes_app.diarization.loader import CACHE  # noqa: E402
from minutes_app.diarization.metrics import der_from_files  # noqa: E402
from minutes_app.diarization.pipeline import DiarizationOptions, diarize  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=REPO / ".models" / "pyannote-campp")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--files", nargs="*", default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    CACHE.get(args.models)
    print(f"load: {time.perf_counter() - t0:.1f} s, RSS {peak_rss_mb():.0f} MB", flush=True)
    options = DiarizationOptions(threads=args.threads)
    rows = []
    for devfile in dev_files(args.fixtures):
        if args.files and devfile.name not in args.files:
            continue
        audio = load_audio(devfile.audio)
        duration = len(audio) / 16000
        t0 = time.perf_counter()
        result = diarize(audio, args.models, options)
        elapsed = time.perf_counter() - t0
        score = der_from_files(result, devfile.rttm, devfile.uri, devfile.uem)
        rows.append((devfile.name, duration, score, elapsed / duration, peak_rss_mb()))
        print(f"  {devfile.name}: done in {elapsed:.1f} s", flush=True)

    print(
        f"{'file':<20} {'dur s':>7} {'DER':>7} {'FA':>6} {'miss':>6} {'conf':>6} {'spk':>6} "
        f"{'RTF':>6} {'RSS MB':>7}"
    )
    for name, duration, s, rtf, rss in rows:
        spk = f"{s.num_hypothesis_speakers}/{s.num_reference_speakers}"
        print(
            f"{name:<20} {duration:7.1f} {100 * s.der:6.1f}% {s.false_alarm:6.1f} {s.missed:6.1f} "
            f"{s.confusion:6.1f} {spk:>6} {rtf:6.3f} {rss:7.0f}"
        )


if __name__ == "__main__":
    main()
