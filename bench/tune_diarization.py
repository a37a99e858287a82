"""Tune the diarization hyper-parameters on the dev material; print DER per file per setting.

Segmentation and embeddings are computed once per file and segmentation step
(pyannote's training-mode cache); only clustering and reconstruction rerun
for each setting, so a grid of dozens of settings takes seconds per file.

Usage::

    python bench/tune_diarization.py [--models .models/pyannote-campp] [--steps 0.1 0.2]
        [--thresholds 0.55 0.6 ...] [--split-distances 0 0.5] [--files sample dev00 ...]

``--split-distances``: re-segmentation (``diarization/resegment.py``) after each
setting; 0 = none. Its window embeddings are computed per setting (seconds per file).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from minutes_app.base.settings import data_dir  # noqa: E402
from minutes_app.base.types import Diarization  # noqa: E402
from minutes_app.diarization.devdata import dev_files, load_audio  # noqa: E402
from minutes_app.diarization.loader import CACHE  # noqa: E402
from minutes_app.diarization.metrics import diarization_error_rate, read_rttm, read_uem  # noqa: E402
from minutes_app.diarization.pipeline import (  # noqa: E402
    DiarizationOptions,
    _to_turns,
    _torch_settings,
    configure_store_pipeline,
)
from minutes_app.diarization.resegment import resegment  # noqa: E402


def run_setting(
    pipeline, file: dict, options: DiarizationOptions, speakers: dict, split: float = 0.0
) -> Diarization:
    configure_store_pipeline(pipeline, options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = pipeline(file, **speakers)
    annotation = output.exclusive_speaker_diarization if options.exclusive else output.speaker_diarization
    if not split:
        return Diarization(turns=_to_turns(annotation))
    import numpy as np
    import torch

    audio = file["waveform"][0].numpy()
    duration = audio.size / 16000
    raw = [
        (max(seg.start, 0.0), min(seg.end, duration), str(label))
        for seg, _, label in annotation.itertracks(yield_label=True)
        if min(seg.end, duration) > max(seg.start, 0.0)
    ]

    def embed(batch):
        return np.asarray(pipeline._embedding(torch.from_numpy(batch)[:, None]))

    bound = speakers.get("num_speakers") or speakers.get("max_speakers")
    turns, _ = resegment(audio, raw, embed, split, bound)
    annotation = type(annotation)()
    from pyannote.core import Segment

    for i, (start, end, label) in enumerate(turns):
        annotation[Segment(start, end), i] = label
    return Diarization(turns=_to_turns(annotation))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    store = Path(os.environ.get("MINUTES_APP_MODELS") or data_dir() / "models")
    parser.add_argument("--models", type=Path, default=store / "pyannote-campp")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--steps", type=float, nargs="+", default=[0.1])
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs="+",
        default=[0.5, 0.55, 0.58, 0.6, 0.62, 0.64, 0.66, 0.68, 0.7045, 0.75],
    )
    parser.add_argument("--min-cluster-sizes", type=int, nargs="+", default=[12])
    parser.add_argument("--min-duration-offs", type=float, nargs="+", default=[0.0])
    parser.add_argument("--exclude-overlap", type=int, nargs="+", default=[0], help="0 and/or 1")
    parser.add_argument("--exclusive", type=int, nargs="+", default=[0], help="0 and/or 1")
    parser.add_argument("--split-distances", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--files", nargs="*", default=["sample", "dev00", "dev01"])
    parser.add_argument("--collar", type=float, default=0.25)
    args = parser.parse_args()

    files = [f for f in dev_files(args.fixtures) if not args.files or f.name in args.files]
    grid = list(
        itertools.product(
            args.thresholds,
            args.min_cluster_sizes,
            args.min_duration_offs,
            args.exclusive,
            args.split_distances,
        )
    )
    results: dict[tuple, dict[str, float]] = {}
    counts: dict[tuple, dict[str, str]] = {}
    for step, exclude in itertools.product(args.steps, args.exclude_overlap):
        pipeline, _ = CACHE.get(args.models, step)
        pipeline.training = True  # cache segmentation + embeddings in the file dict
        for devfile in files:
            audio = load_audio(devfile.audio)
            reference = read_rttm(devfile.rttm)[devfile.uri]
            uem = read_uem(devfile.uem)[devfile.uri] if devfile.uem else None
            n_true = len({t.speaker for t in reference})
            import torch

            file = {"waveform": torch.from_numpy(audio)[None], "sample_rate": 16000, "uri": devfile.uri}
            with _torch_settings(1):
                t0 = time.perf_counter()
                run_setting(pipeline, file, DiarizationOptions(embedding_exclude_overlap=bool(exclude)), {})
                elapsed = time.perf_counter() - t0
                print(
                    f"# {devfile.name}: step {step} excl {exclude}: features in {elapsed:.1f} s "
                    f"(RTF {elapsed / (len(audio) / 16000):.3f})",
                    flush=True,
                )
                modes = {"auto": {}, "num": {"num_speakers": n_true}, "max": {"max_speakers": n_true + 2}}
                for (thr, mcs, mdo, excl, split), (mode, speakers) in itertools.product(grid, modes.items()):
                    options = DiarizationOptions(
                        clustering_threshold=thr,
                        min_cluster_size=mcs,
                        min_duration_off=mdo,
                        embedding_exclude_overlap=bool(exclude),
                        exclusive=bool(excl),
                    )
                    hyp = run_setting(pipeline, file, options, speakers, split)
                    score = diarization_error_rate(reference, hyp, uem=uem, collar=args.collar)
                    key = (step, exclude, thr, mcs, mdo, excl, split, mode)
                    results.setdefault(key, {})[devfile.name] = score.der
                    counts.setdefault(key, {})[devfile.name] = (
                        f"{score.num_hypothesis_speakers}/{score.num_reference_speakers}"
                    )
        pipeline.training = False

    names = [f.name for f in files]
    header = (
        f"{'step':>5} {'excl':>4} {'thr':>7} {'mcs':>4} {'mdo':>4} {'exc':>3} {'split':>5} {'mode':>5} | "
        + " | ".join(f"{n[:14]:>14} spk" for n in names)
        + " | mean(real) | mean(all)"
    )
    print(header)
    print("-" * len(header))
    real = [f.name for f in files if not f.synthetic]
    for key in sorted(results):
        row = results[key]
        cells = " | ".join(f"{100 * row[n]:13.1f}% {counts[key][n]:>5}" for n in names)
        mean_real = sum(row[n] for n in real) / max(len(real), 1)
        mean_all = sum(row.values()) / len(row)
        step, exclude, thr, mcs, mdo, excl, split, mode = key
        print(
            f"{step:5.2f} {exclude:4d} {thr:7.4f} {mcs:4d} {mdo:4.1f} {excl:3d} {split:5.2f} {mode:>5} | "
            f"{cells} | "
            f"{100 * mean_real:9.1f}% | {100 * mean_all:8.1f}%"
        )


if __name__ == "__main__":
    main()
