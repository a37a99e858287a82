"""Diarization benchmark: DER per dev file and variant, baseline in the same run.

Usage::

    python bench/diarization_der.py [--models <store>/pyannote-campp] [--threads 1]
        [--files sample dev00 dev01 voices1 voices2 ka_elternbeitraege] [--variants baseline default ...]

Variants: ``baseline`` is the code before re-segmentation (pyannote's clusters as
they are, ``split_distance=None``), ``default`` today's ``DiarizationOptions()``,
``exclusive`` the default with one speaker at a time, ``no-prior`` the default without
the prior for overlapped speech (``diarization/overlap.py``); ``count`` / ``count-baseline`` the
same with the reference's speaker count given (``--num-speakers``).

``voices1`` / ``voices2``: the two sessions of nine real voices
(``devdata.real_voice_sessions``: eight LibriSpeech readers and Thorsten, every utterance
a turn, over the room tone of AMI dev01; reference: the voiced parts); ``voices1-overlap``
/ ``voices2-overlap`` the same with 30 % of the turns spoken into the previous one.

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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from minutes_app.base.settings import data_dir  # noqa: E402
from minutes_app.diarization.devdata import dev_files, load_audio, real_voice_sessions  # noqa: E402
from minutes_app.diarization.loader import CACHE  # noqa: E402
from minutes_app.diarization.metrics import diarization_error_rate, read_rttm, read_uem  # noqa: E402
from minutes_app.diarization.pipeline import DiarizationOptions, diarize  # noqa: E402

VARIANTS = {
    "baseline": {"split_distance": None},
    "default": {},
    "exclusive": {"exclusive": True},
    # the default without the prior for overlapped speech (pyannote's own choice of classes)
    "no-prior": {"overlap_prior": 0.0},
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
    parser.add_argument("--files", nargs="*", default=["sample", "dev00", "dev01", "voices1", "voices2"])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()

    t0 = time.perf_counter()
    CACHE.get(args.models)
    print(f"load: {time.perf_counter() - t0:.1f} s, RSS {peak_rss_mb():.0f} MB", flush=True)
    rows = []
    for name, audio, reference, uem in recordings(args.fixtures, args.files):
        duration = len(audio) / 16000
        for variant in args.variants:
            settings = dict(VARIANTS[variant])
            if settings.get("num_speakers") == "reference":
                settings["num_speakers"] = len({t.speaker for t in reference})
            options = DiarizationOptions(threads=args.threads, **settings)
            t0 = time.perf_counter()
            result = diarize(audio, args.models, options)
            elapsed = time.perf_counter() - t0
            scores = [diarization_error_rate(reference, result, uem, c) for c in (0.25, 0.0)]
            rows.append((name, variant, duration, scores, elapsed / duration, peak_rss_mb()))
            print(f"  {name} {variant}: done in {elapsed:.1f} s", flush=True)

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


def recordings(fixtures: Path, wanted: list[str]) -> list[tuple[str, Any, list, Any]]:
    """(name, audio, reference turns, UEM regions or None) of the wanted recordings."""
    out: list[tuple[str, Any, list, Any]] = []
    for devfile in dev_files(fixtures):
        if devfile.name in wanted:
            reference = read_rttm(devfile.rttm)[devfile.uri]
            uem = read_uem(devfile.uem).get(devfile.uri) if devfile.uem else None
            out.append((devfile.name, load_audio(devfile.audio), reference, uem))
    for overlap, suffix in ((0.0, ""), (0.3, "-overlap")):
        names = [f"voices{k}{suffix}" for k in (1, 2)]
        if set(names) & set(wanted):
            sessions = real_voice_sessions(fixtures, REPO / "tests" / "data", overlap=overlap)
            for name, (audio, reference) in zip(names, sessions, strict=True):
                if name in wanted:
                    out.append((name, audio, reference, None))
    return out


if __name__ == "__main__":
    main()
