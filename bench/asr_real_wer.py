"""ASR stage against plain faster-whisper on real speech: WER per clip and variant.

Usage::

    python bench/asr_real_wer.py [--model DIR] [--threads 2] [--parts clips session vocabulary]

Real speech only (issue #17 (1): no default is tuned on synthetic voices):

* ``clips``: every real German clip the project has (``thorsten_1/2`` of the shared
  fixtures, ``thorsten_3`` … ``thorsten_10`` in ``tests/data/audio/``, one voice,
  CC0), their concatenation with 2 s pauses plus a repeat of the first (conditioning on
  the previous text and windowing matter there) and ``jfk.flac`` (English).
* ``session``: a long recording as a session gives it: the ten German clips spread
  over ~6 minutes with pauses of 5-60 s, once over digital silence and once over the
  room tone of a real meeting room (the non-speech of the AMI clip ``pyannote_dev01``,
  at its recorded level, under the speech too). Besides WER it counts the words placed
  more than 1 s away from any spoken clip (*invented*: what Whisper writes into
  silence) and the seconds it took. This decides ``vad_filter``.
* ``vocabulary``: the stage with the agenda terms as vocabulary (``build_prompt``:
  each clip's rarest words as a "Tagesordnung" plus six council names as the
  attendance, the names also as hotwords), against no vocabulary, per clip and
  on the long recording. This decides ``asr_vocabulary``.

Variants: ``plain`` is ``WhisperModel.transcribe`` with beam 5, VAD on, faster-whisper's
other defaults (``condition_on_previous_text=True``), no lead-in; ``plain no VAD`` the
same with faster-whisper's own default (VAD off); ``stage`` is ``asr.whisper.WhisperASR``
with its defaults (sequential decoding), then the stage with one default changed: no
lead-in, conditioning on, VAD off, 60 s windows instead of 600 s (``chunk_seconds``: the
long recording is then cut at pauses into six windows). WER against the reference text
(``asr/wer.py``: lower case, punctuation removed).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from minutes_app.asr.wer import wer  # noqa: E402
from minutes_app.asr.whisper import ASROptions, WhisperASR, build_prompt  # noqa: E402
from minutes_app.base.settings import data_dir  # noqa: E402
from minutes_app.diarization.devdata import load_audio, room_tone  # noqa: E402

SR = 16000
# An agenda and attendance as a secretary enters them (names not spoken in the clips).
ROSTER = [
    "Dr. Petra Wiedemann",
    "Jörg Kalinowski",
    "Ayşe Demir",
    "Hans-Peter Brandt",
    "Ute Schnell",
    "Malte Honné",
]
# The words of each clip a general model is least likely to know: what an agenda title
# would carry (one or two per clip).
TERMS = {
    "thorsten_1": ["Sitzungen", "feuchtfröhlich"],
    "thorsten_2": ["Auenland"],
    "thorsten_3": ["Desinfektionsmittel"],
    "thorsten_4": ["Ursache für den Ausfall", "Software"],
    "thorsten_5": ["geografische Isolation"],
    "thorsten_6": ["Kommentator", "Headset"],
    "thorsten_7": ["Schoko-Bonbons"],
    "thorsten_8": ["Tröte"],
    "thorsten_9": ["Eurasien"],
    "thorsten_10": ["Plan"],
}


def german_clips(fixtures: Path) -> list[tuple[str, np.ndarray, str]]:
    """(name, audio, reference text) of every real German clip, in a fixed order."""
    out = []
    for folder in (fixtures / "audio", REPO / "tests" / "data" / "audio"):
        for line in (folder / "thorsten.tsv").read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                name, text = line.split("\t", 1)
                out.append((Path(name).stem, load_audio(folder / name), text.strip()))
    return out


def clips(fixtures: Path) -> list[tuple[str, np.ndarray, str, str]]:
    """(name, audio, reference text, language)."""
    german = german_clips(fixtures)
    out = [(name, audio, text, "de") for name, audio, text in german]
    pause = np.zeros(2 * SR, np.float32)
    seq = german + german[:1]  # a repeated sentence: conditioning may copy or drop it
    joined = np.concatenate([p for _, a, _ in seq for p in (a, pause)])
    out.append(("thorsten_concat", joined, " ".join(t for _, _, t in seq), "de"))
    jfk = fixtures / "audio" / "jfk.flac"
    out.append(
        (
            "jfk (en)",
            load_audio(jfk),
            (fixtures / "audio" / "jfk.txt").read_text(encoding="utf-8").strip(),
            "en",
        )
    )
    return out


def session(fixtures: Path, background: str) -> tuple[np.ndarray, str, list[tuple[float, float]]]:
    """The long recording: audio, reference text, spans of speech (s)."""
    rng = np.random.default_rng(17)
    german = german_clips(fixtures)
    pauses = rng.uniform(5.0, 60.0, len(german) + 1)
    total = float(pauses.sum()) + sum(a.size for _, a, _ in german) / SR
    audio = np.zeros(int(total * SR) + SR, np.float32)
    if background == "room tone":
        audio += room_tone(fixtures, audio.size / SR + 1)[: audio.size]
    spans = []
    position = pauses[0]
    for (_, clip, _), pause in zip(german, pauses[1:], strict=True):
        start = int(position * SR)
        audio[start : start + clip.size] += clip
        spans.append((position, position + clip.size / SR))
        position += clip.size / SR + pause
    return audio, " ".join(t for _, _, t in german), spans


def invented(words: list[tuple[float, float, str]], spans: list[tuple[float, float]]) -> int:
    """Words whose middle lies more than 1 s from every spoken clip."""
    return sum(
        1
        for start, end, _ in words
        if all(abs((start + end) / 2 - min(max((start + end) / 2, a), b)) > 1.0 for a, b in spans)
    )


Words = list[tuple[float, float, str]]


def plain(model: object, audio: np.ndarray, language: str, vad: bool = True) -> Words:
    segments, _ = model.transcribe(  # type: ignore[attr-defined]
        audio, language=language, beam_size=5, vad_filter=vad, word_timestamps=True
    )
    return [(w.start, w.end, w.word) for s in segments for w in (s.words or [])]


def stage(model_dir: Path, options: ASROptions, audio: np.ndarray, language: str) -> Words:
    asr = WhisperASR(model_dir, dataclasses.replace(options, language=language))
    return [(w.start, w.end, w.word) for s in asr.transcribe(audio).segments for w in s.words]


def text(words: Words) -> str:
    return " ".join(w for _, _, w in words)


def with_vocabulary(options: ASROptions, terms: list[str]) -> ASROptions:
    """What the app passes with ``asr_vocabulary`` on (pipeline/options.py)."""
    return dataclasses.replace(options, initial_prompt=build_prompt(ROSTER, terms), hotwords=list(ROSTER))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=data_dir() / "models" / "whisper-base")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parts", nargs="*", default=["clips", "session", "vocabulary"])
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
        "60 s windows": dataclasses.replace(base, chunk_seconds=60.0),
    }

    def run_all(audio: np.ndarray, language: str) -> dict[str, tuple[Words, float]]:
        out = {}
        for name, call in [
            ("plain", lambda: plain(model, audio, language)),
            ("plain no VAD", lambda: plain(model, audio, language, vad=False)),
            *[(n, lambda o=o: stage(args.model, o, audio, language)) for n, o in variants.items()],
        ]:
            t0 = time.perf_counter()
            words = call()
            out[name] = (words, time.perf_counter() - t0)
        return out

    names = ["plain", "plain no VAD", *variants]
    if "clips" in args.parts:
        print("## clips: WER\n")
        print("| clip | s | " + " | ".join(names) + " |\n|" + "---|" * (len(names) + 2), flush=True)
        totals: dict[str, list[float]] = {n: [] for n in names}
        for name, audio, ref, language in clips(args.fixtures):
            results = run_all(audio, language)
            for n in names:
                totals[n].append(wer(ref, text(results[n][0])))
            row = " | ".join(f"{totals[n][-1]:.3f}" for n in names)
            print(f"| {name} | {len(audio) / SR:.1f} | {row} |", flush=True)
        print("| mean | | " + " | ".join(f"{np.mean(totals[n]):.3f}" for n in names) + " |\n", flush=True)

    if "session" in args.parts:
        print("## session: WER / invented words / seconds\n")
        print("| background | s | " + " | ".join(names) + " |\n|" + "---|" * (len(names) + 2), flush=True)
        for background in ("silence", "room tone"):
            audio, ref, spans = session(args.fixtures, background)
            results = run_all(audio, "de")
            cells = [(wer(ref, text(r[0])), invented(r[0], spans), r[1]) for r in map(results.get, names)]
            row = " | ".join(f"{w:.3f} / {k} / {s:.0f}" for w, k, s in cells)
            print(f"| {background} | {audio.size / SR:.0f} | {row} |", flush=True)
            for n in names:
                extra = [w for w in results[n][0] if invented([w], spans)]
                if extra:
                    print(f"  {n} invented: {text(extra)[:300]}", flush=True)
        print(flush=True)

    if "vocabulary" in args.parts:
        print("## vocabulary: WER (invented words) per prompt, stage defaults otherwise\n")
        kinds = ["none", "names + terms", "prompt only", "terms", "other agenda"]
        print("| clip | " + " | ".join(kinds) + " |\n|" + "---|" * (len(kinds) + 1), flush=True)
        other = agenda_titles(args.fixtures)
        rows = []
        for name, audio, ref in german_clips(args.fixtures):
            prompts = vocabularies(base, TERMS[name], other)
            rows.append([wer(ref, text(stage(args.model, prompts[k], audio, "de"))) for k in kinds])
            print(f"| {name} | " + " | ".join(f"{w:.3f}" for w in rows[-1]) + " |", flush=True)
        print("| mean of the clips | " + " | ".join(f"{w:.3f}" for w in np.mean(rows, axis=0)) + " |")
        every = [t for terms in TERMS.values() for t in terms]
        for background in ("silence", "room tone"):
            audio, ref, spans = session(args.fixtures, background)
            prompts = vocabularies(base, every, other)
            cells = []
            for k in kinds:
                words = stage(args.model, prompts[k], audio, "de")
                cells.append(f"{wer(ref, text(words)):.3f} ({invented(words, spans)})")
            print(f"| long recording ({background}), all terms | " + " | ".join(cells) + " |", flush=True)


def agenda_titles(fixtures: Path) -> list[str]:
    """The agenda of another session (the Karlsruhe fixture): terms that are not spoken."""
    import json

    data = json.loads((fixtures / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))
    return [str(item["agenda_title"]) for item in data["agenda_items"]]


def vocabularies(base: ASROptions, terms: list[str], other: list[str]) -> dict[str, ASROptions]:
    """The prompt variants: the ``asr_vocabulary`` of before (names as prompt and hotwords,
    agenda terms as prompt), names and terms as prompt without hotwords, the agenda terms
    alone, another session's agenda alone."""
    return {
        "none": base,
        "names + terms": with_vocabulary(base, terms),
        "prompt only": dataclasses.replace(with_vocabulary(base, terms), hotwords=[]),
        "terms": dataclasses.replace(base, initial_prompt=build_prompt([], terms)),
        "other agenda": dataclasses.replace(base, initial_prompt=build_prompt([], other)),
    }


if __name__ == "__main__":
    main()
