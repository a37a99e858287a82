"""Diarization benchmark: DER per dev file and variant, baseline in the same run.

Usage::

    python bench/diarization_der.py [--models <store>/pyannote-campp] [--threads 1]
        [--files sample dev00 dev01 ka_elternbeitraege] [--variants baseline default ...]

Variants: ``baseline`` is the code before re-segmentation (pyannote's clusters as
they are, ``split_distance=None``), ``default`` today's ``DiarizationOptions()``,
``exclusive`` the default with one speaker at a time; ``count`` / ``count-baseline`` the
same with the reference's speaker count given (``--num-speakers``).

DER is scored inside the UEM where the file has one (dev00/dev01: first 30 s;
the reference's speakers all speak inside it), otherwise over the whole file;
overlapped speech is scored. Each row gives collar 0.25 s (the issue's measure)
and collar 0, with false alarm, missed speech and confusion in seconds (collar
0.25). RTF = processing time / audio duration; the model load is paid before.
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

from minutes_app.base.settings import data_dir  # noqa: E402
from minutes_app.diarization.devdata import dev_files, load_audio  # noqa: E402
from minutes_app.diarization.loader import CACHE  # noqa: E402
from minutes_app.diarization.metrics import der_from_files, read_rttm  # noqa: E402
from minutes_app.diarization.pipeline import DiarizationOptions, diarize  # noqa: E402

VARIANTS = {
    "baseline": {"split_distance": None},
    "default": {},
    "exclusive": {"exclusive": True},
    # the true speaker count given (``--num-speakers``), before and with re-segmentation
    "count-baseline": {"split_distance": None, "num_speakers": "reference"},
    "count": {"num_speakers": "reference"},
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    store = Path(os.environ.get("MINUTES_APP_MODELS") or data_dir() / "models")
    parser.add_argument("--models", type=Path, default=store / "pyannote-campp")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--files", nargs="*", default=["sample", "dev00", "dev01"])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()

    t0 = time.perf_counter()
    CACHE.get(args.models)
    print(f"load: {time.perf_counter() - t0:.1f} s, RSS {peak_rss_mb():.0f} MB", flush=True)
    rows = []
    for devfile in dev_files(args.fixtures):
        if args.files and devfile.name not in args.files:
            continue
        audio = load_audio(devfile.audio)
        duration = len(audio) / 16000
        for variant in args.variants:
            settings = dict(VARIANTS[variant])
            if settings.get("num_speakers") == "reference":
                settings["num_speakers"] = len({t.speaker for t in read_rttm(devfile.rttm)[devfile.uri]})
            options = DiarizationOptions(threads=args.threads, **settings)
            t0 = time.perf_counter()
            result = diarize(audio, args.models, options)
            elapsed = time.perf_counter() - t0
            scores = [der_from_files(result, devfile.rttm, devfile.uri, devfile.uem, c) for c in (0.25, 0.0)]
            rows.append((devfile.name, variant, duration, scores, elapsed / duration, peak_rss_mb()))
            print(f"  {devfile.name} {variant}: done in {elapsed:.1f} s", flush=True)

    columns = ["file", "variant", "dur s", "DER c0.25", "FA s", "miss s", "conf s", "DER c0", "speakers"]
    columns += ["RTF", "RSS MB"]
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    totals: dict[str, list[float]] = {}
    for name, variant, duration, (s, s0), rtf, rss in rows:
        spk = f"{s.num_hypothesis_speakers}/{s.num_reference_speakers}"
        print(
            f"| {name} | {variant} | {duration:.1f} | {100 * s.der:.1f} % | {s.false_alarm:.1f} | "
            f"{s.missed:.1f} | {s.confusion:.1f} | {100 * s0.der:.1f} % | {spk} | {rtf:.3f} | {rss:.0f} |"
        )
        total = totals.setdefault(variant, [0.0, 0.0])
        total[0] += s.false_alarm + s.missed + s.confusion
        total[1] += s.total
    for variant, (errors, scored) in totals.items():
        print(f"{variant}: pooled DER (collar 0.25) {100 * errors / max(scored, 1e-9):.1f} %")


if __name__ == "__main__":
    main()
