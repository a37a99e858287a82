"""ASR stage against plain faster-whisper on real speech: WER per clip and variant.

Usage::

    python bench/asr_real_wer.py [--model DIR] [--threads 2]

Clips: every real German clip of the shared fixtures (``thorsten_*.wav`` with
``thorsten.tsv``), a concatenation of them with 2 s pauses (so conditioning on the
previous text and windowing matter) and ``jfk.flac`` (English). Variants, same model:

* ``plain``: ``WhisperModel.transcribe`` with beam 5, VAD on, faster-whisper's other
  defaults (``condition_on_previous_text=True``), no lead-in;
* ``stage``: ``asr.whisper.WhisperASR`` with its defaults (sequential decoding);
* ``stage`` with one default changed: no lead-in, conditioning on, VAD off.

WER against the reference text (``asr/wer.py``: lower case, punctuation removed).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from minutes_app.asr.wer import wer  # noqa: E402
from minutes_app.asr.whisper import ASROptions, WhisperASR  # noqa: E402
from minutes_app.base.settings import data_dir  # noqa: E402
from minutes_app.diarization.devdata import load_audio  # noqa: E402

SR = 16000


def clips(audio_dir: Path) -> list[tuple[str, np.ndarray, str, str]]:
    """(name, audio, reference text, language)."""
    out = []
    german = []
    for line in (audio_dir / "thorsten.tsv").read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        name, text = line.split("\t", 1)
        audio = load_audio(audio_dir / name)
        german.append((audio, text.strip()))
        out.append((Path(name).stem, audio, text.strip(), "de"))
    pause = np.zeros(2 * SR, np.float32)
    seq = german + german[:1]  # a repeated sentence: conditioning may copy or drop it
    joined = np.concatenate([p for a, _ in seq for p in (a, pause)])
    out.append(("thorsten_concat", joined, " ".join(t for _, t in seq), "de"))
    jfk = audio_dir / "jfk.flac"
    jfk_text = (audio_dir / "jfk.txt").read_text(encoding="utf-8").strip()
    out.append(("jfk (en)", load_audio(jfk), jfk_text, "en"))
    return out


def plain(model: object, audio: np.ndarray, language: str) -> str:
    segments, _ = model.transcribe(audio, language=language, beam_size=5, vad_filter=True)  # type: ignore[attr-defined]
    return " ".join(s.text.strip() for s in segments)


def stage(model_dir: Path, options: ASROptions, audio: np.ndarray, language: str) -> str:
    asr = WhisperASR(model_dir, dataclasses.replace(options, language=language))
    return " ".join(s.text for s in asr.transcribe(audio).segments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=data_dir() / "models" / "whisper-base")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    model = WhisperModel(str(args.model), device="cpu", compute_type="int8", cpu_threads=args.threads)
    base = ASROptions(threads=args.threads, device="cpu", batch_size=1)
    variants = {
        "stage": base,
        "no lead-in": dataclasses.replace(base, lead_in_seconds=0.0),
        "conditioning": dataclasses.replace(base, condition_on_previous_text=True),
        "no VAD": dataclasses.replace(base, vad_filter=False),
    }
    names = ["plain", *variants]
    print(f"{'clip':<18} {'s':>5} " + " ".join(f"{n:>12}" for n in names), flush=True)
    totals = {n: [] for n in names}
    for name, audio, ref, language in clips(args.fixtures / "audio"):
        scores = {"plain": wer(ref, plain(model, audio, language))}
        for variant, options in variants.items():
            scores[variant] = wer(ref, stage(args.model, options, audio, language))
        for n in names:
            totals[n].append(scores[n])
        row = " ".join(f"{scores[n]:12.3f}" for n in names)
        print(f"{name:<18} {len(audio) / SR:5.1f} {row}", flush=True)
    print(f"{'mean':<18} {'':>5} " + " ".join(f"{np.mean(totals[n]):12.3f}" for n in names))


if __name__ == "__main__":
    main()
