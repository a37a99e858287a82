"""Voice profiles on real speech: enrol from session 1, name the speakers of session 2.

Usage::

    python bench/profiles.py [--models DIR] [--thresholds 0.4 0.5 0.6 0.7]

Pairs of recordings in which the same people speak (real voices only):

* AMI dev00 -> dev01 and dev01 -> dev00 (MEE009, MEE012; scored part 0-30 s of each);
* pyannote's sample.wav: 0-17.95 s -> 18-30 s (speaker90, speaker91);
* Thorsten-Voice: clips 1-5 -> clips 6-10, each set joined with 1.5 s pauses (one
  speaker; reference turns: each clip's voiced part);
* nine real voices, two sessions built from them (``devdata.voice_session``): the first
  recording of each of the eight LibriSpeech readers in ``tests/data/voices`` and Thorsten's
  clips 1-5 -> their second recordings and Thorsten's clips 6-10, every utterance one turn
  in a random order, 0.4-1.5 s pauses, over the room tone of AMI dev01 (reference: the
  voiced parts, split at pauses of 0.3 s or more);
* synthetic (espeak-ng voices, each person keeps one voice): the example session
  ``resources/examples/beispielsitzung`` (5 voices) and ``sessions/ka_elternbeitraege``
  (13 voices), first half -> second half (cut at the end of the turn nearest the middle),
  diarized with the roster's size as the bound (``max_speakers``), as the app does.

Session 1 of every pair is diarized with the default options; each speaker found is
"confirmed" with the reference person who speaks most of its time (what the secretary
does) and that speech is enrolled (``diarization.profiles``). All enrolled persons form
one Gremium (a synthetic pair its own), so every other person's profile is an impostor.
Session 2 is diarized, its speakers compared with all profiles; reported per threshold:
share of the reference speaking time whose speaker carries the right name (recall; ``alone``:
of the time only one person speaks), of the
named time the share named right (precision), the best share any naming of these speakers
could reach (``oracle``: each speaker named by its majority person), speakers given a wrong
name, speaker count (after splits) against the reference. ``--pairs`` picks pairs by name.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from minutes_app.base.settings import data_dir  # noqa: E402
from minutes_app.base.types import SpeakerTurn  # noqa: E402
from minutes_app.diarization import profiles as vp  # noqa: E402
from minutes_app.diarization.devdata import (  # noqa: E402
    load_audio,
    pyannote_sample_dir,
    real_voice_sessions,
    voiced_span,
)
from minutes_app.diarization.metrics import grid, majority, named_share, read_rttm  # noqa: E402
from minutes_app.diarization.pipeline import DiarizationOptions, diarize  # noqa: E402

SR = 16000


def clip(audio: np.ndarray, ref: list[SpeakerTurn], start: float, end: float) -> tuple[np.ndarray, list]:
    part = audio[int(start * SR) : int(end * SR)]
    turns = [
        SpeakerTurn(max(t.start, start) - start, min(t.end, end) - start, t.speaker)
        for t in ref
        if t.end > start and t.start < end
    ]
    return part, turns


def pieces(fixtures: Path) -> list[tuple[str, tuple, tuple]]:
    """(name, session 1, session 2), each session (audio, reference turns)."""
    audio_dir = fixtures / "audio"
    dev = read_rttm(audio_dir / "pyannote_dev.rttm")
    d0 = clip(load_audio(audio_dir / "pyannote_dev00.wav"), dev["dev00"], 0.0, 30.0)
    d1 = clip(load_audio(audio_dir / "pyannote_dev01.wav"), dev["dev01"], 0.0, 30.0)
    sample_dir = pyannote_sample_dir()
    sample = load_audio(sample_dir / "sample.wav")
    sref = read_rttm(sample_dir / "sample.rttm")["sample"]
    clips = [load_audio(audio_dir / f"thorsten_{i}.wav") for i in (1, 2)]
    clips += [load_audio(REPO / "tests" / "data" / "audio" / f"thorsten_{i}.flac") for i in range(3, 11)]
    th1, th2 = thorsten_session(clips[:5]), thorsten_session(clips[5:])
    sessions = real_voice_sessions(fixtures, REPO / "tests" / "data")
    example = REPO / "resources" / "examples" / "beispielsitzung"
    ka = fixtures / "sessions" / "ka_elternbeitraege"
    return [
        ("AMI dev00->dev01", d0, d1),
        ("AMI dev01->dev00", d1, d0),
        ("sample 1.->2. half", clip(sample, sref, 0.0, 17.95), clip(sample, sref, 18.0, 30.0)),
        ("thorsten 1-5->6-10", th1, th2),
        ("nine voices 1->2", sessions[0], sessions[1]),
        ("synth example halves", *halves(example.with_suffix(".ogg"), example.with_suffix(".rttm"))),
        ("synth ka halves", *halves(ka.with_suffix(".flac"), ka.with_suffix(".rttm"))),
    ]


def thorsten_session(clips: list[np.ndarray], pause: float = 1.5) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """Real clips of one voice with pauses between them; the reference turns are each
    clip's voiced part (from the first to the last 10 ms frame within 30 dB of its loudest)."""
    gap = np.zeros(int(pause * SR), np.float32)
    parts, turns, position = [], [], 0.0
    for audio in clips:
        start, end = voiced_span(audio)
        turns.append(SpeakerTurn(position + start, position + end, "thorsten"))
        parts += [audio, gap]
        position += (len(audio) + len(gap)) / SR
    return np.concatenate(parts), turns


def halves(audio_path: Path, rttm: Path) -> tuple[tuple, tuple]:
    """First and second half of a recording, cut at the end of the turn nearest the middle."""
    audio = load_audio(audio_path)
    ref = next(iter(read_rttm(rttm).values()))
    middle = len(audio) / SR / 2
    cut = min((t.end for t in ref), key=lambda end: abs(end - middle))
    return clip(audio, ref, 0.0, cut), clip(audio, ref, cut, len(audio) / SR)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=data_dir() / "models" / "pyannote-campp")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures")
    parser.add_argument("--cache", type=Path, default=None, help="keep diarization/embeddings here (pickle)")
    parser.add_argument("--thresholds", type=float, nargs="*", default=[0.4, 0.5, 0.55, 0.6, 0.65, 0.7])
    parser.add_argument("--pairs", nargs="*", default=[], help="only pairs whose name contains one of these")
    parser.add_argument(
        "--enrol",
        choices=["diarized", "reference"],
        default="diarized",
        help="reference: enrol each person from their reference turns of session 1 (the secretary "
        "reassigned the segments before confirming), session 2 as before",
    )
    args = parser.parse_args()
    cached = None
    if args.cache and args.cache.is_file():
        with open(args.cache, "rb") as fh:
            cached = pickle.load(fh)
    store, tests, groups = cached or compute(args)
    if args.cache and not cached:
        with open(args.cache, "wb") as fh:
            pickle.dump((store, tests, groups), fh)
    if args.enrol == "reference":
        store, groups = enrol_reference(args, {t[0] for t in tests})
    report(store, tests, args.thresholds, groups)


def enrol_reference(args: argparse.Namespace, pairs: set[str]) -> tuple[dict, dict]:
    """Profiles from each person's reference turns of session 1 (overlapped parts left out)."""
    embedder = vp.Embedder(args.models)
    store: dict[str, tuple[np.ndarray, int]] = {}
    groups: dict[str, str] = {}
    for name, (a1, r1), _ in pieces(args.fixtures):
        if name not in pairs:
            continue
        spans = vp.windows_of(r1)
        for person in sorted({t.speaker for t in r1}):
            windows = vp.embed_windows(a1, [w for w in spans if w[2] == person], embedder)
            old = store.get(person)
            vectors = [w.vector for w in windows]
            store[person] = vp.update_mean(old[0] if old else None, old[1] if old else 0, vectors)
            groups[person] = gremium(name)
    return store, groups


def gremium(pair: str) -> str:
    """The real pairs share one Gremium (each other's persons are impostors); a synthetic pair
    is its own: the espeak-ng voices recur across the two synthetic recordings under other
    names, which no real Gremium has (two members with one voice)."""
    return pair if pair.startswith("synth") else "real"


def compute(args: argparse.Namespace) -> tuple[dict, list, dict]:
    embedder = vp.Embedder(args.models)
    store: dict[str, tuple[np.ndarray, int]] = {}
    groups: dict[str, str] = {}  # person -> Gremium
    tests = []
    t0 = time.perf_counter()
    done: dict[bytes, Any] = {}  # the same clip is diarized once

    def run(audio: np.ndarray) -> Any:
        key = audio[:: SR // 10].tobytes() + bytes(str(len(audio)), "ascii")
        if key not in done:
            done[key] = diarize(audio, args.models, options)
        return done[key]

    options = DiarizationOptions(threads=1)

    for name, (a1, r1), (a2, r2) in pieces(args.fixtures):
        if args.pairs and not any(want in name for want in args.pairs):
            continue
        print(f"  {name} ...", flush=True)
        if name.startswith(("synth", "nine")):  # the roster bounds the count, as in the app
            options = DiarizationOptions(threads=1, max_speakers=len({t.speaker for t in r1 + r2}))
        else:
            options = DiarizationOptions(threads=1)
        d1 = run(a1)
        confirmed = majority(d1.turns, r1, len(a1) / SR)
        for spk, person in confirmed.items():
            spans = [(t.start, t.end) for t in d1.turns if t.speaker == spk]
            vectors = vp.speech_vectors(a1, spans, embedder)
            old = store.get(person)
            store[person] = vp.update_mean(old[0] if old else None, old[1] if old else 0, vectors)
            groups[person] = gremium(name)
        d2 = run(a2)
        windows = vp.embed_windows(a2, vp.windows_of(d2.turns), embedder)
        tests.append((name, a2, r2, d2, windows))
    print(f"diarization + embeddings: {time.perf_counter() - t0:.0f} s")
    return store, tests, groups


def report(store: dict, tests: list, thresholds: list[float], groups: dict[str, str]) -> None:
    print(f"enrolled {len(store)} persons: {', '.join(f'{p} ({c} windows)' for p, (_, c) in store.items())}")

    def of(pair: str) -> dict[str, np.ndarray]:
        """The enrolled profiles of the pair's Gremium."""
        return {p: v for p, (v, n) in store.items() if n > 0 and groups.get(p, "real") == gremium(pair)}

    print("\nsimilarity of session-2 speakers (no split) to each profile of the Gremium; * = true person")
    for name, a2, r2, d2, windows in tests:
        truth = majority(d2.turns, r2, len(a2) / SR)
        profiles = of(name)
        for spk in d2.speakers:
            vec = vp.mean_vector(w.vector for w in windows if w.speaker == spk)
            if vec is None:
                continue
            cells = [
                f"{p}{'*' if truth.get(spk) == p else ''} {vp.similarity(vec, v):.2f}"
                for p, v in profiles.items()
            ]
            print(f"  {name:<18} {spk}: " + "  ".join(cells))

    print(
        f"\n{'threshold':>9} {'pair':<20} {'named':>6} {'alone':>6} {'prec':>6} {'oracle':>6} "
        f"{'wrong':>5} {'names':>5} {'spk':>5} {'split':>5}"
    )
    for threshold in thresholds:
        totals = [0, 0]  # wrong names, names suggested
        for name, a2, r2, d2, windows in tests:
            duration = len(a2) / SR
            res = vp.match_profiles(d2, windows, of(name), threshold)
            names = {m.speaker: m.person for m in res.matches}
            truth = majority(res.diarization.turns, r2, duration)
            wrong = sum(1 for spk, person in names.items() if truth.get(spk) != person)
            share = named_share(res.diarization.turns, names, r2, duration)
            alone = named_share(res.diarization.turns, names, r2, duration, single=True)
            precision = named_precision(res.diarization.turns, names, r2, duration)
            oracle = named_share(res.diarization.turns, truth, r2, duration)
            n_ref = len({t.speaker for t in r2})
            spk = f"{len(res.diarization.speakers)}/{n_ref}"
            totals[0] += wrong
            totals[1] += len(names)
            print(
                f"{threshold:9.2f} {name:<20} {100 * share:5.1f}% {100 * alone:5.1f}% "
                f"{100 * precision:5.1f}% {100 * oracle:5.1f}% {wrong:5d} {len(names):5d} {spk:>5} "
                f"{len(res.split):5d}"
            )
        print(f"{threshold:9.2f} {'all':<20} wrong names {totals[0]} of {totals[1]} suggested")

    print("\nreference time of session 2 no naming can get right (diarization), seconds")
    for name, a2, r2, d2, _ in tests:
        total = sum(t.end - t.start for t in r2)
        gaps = unnamed(d2.turns, r2, len(a2) / SR)
        print(f"  {name:<20} of {total:6.1f}: " + ", ".join(f"{k} {v:.1f}" for k, v in gaps.items()))


def unnamed(hyp: list[SpeakerTurn], ref: list[SpeakerTurn], duration: float) -> dict[str, float]:
    """Reference time (s) no naming of ``hyp`` can get right: missed speech, overlapped speech
    given to the other speaker only, and single-speaker time in another speaker's turns."""
    h, r = grid(hyp, duration), grid(ref, duration)
    truth = majority(hyp, ref, duration)
    heard = np.zeros(int(duration * 100) + 1, bool)
    for mask in h.values():
        heard |= mask
    overlap = sum(m.astype(int) for m in r.values()) >= 2 if r else heard
    out = {"missed": 0.0, "overlap": 0.0, "confusion": 0.0}
    for person, mask in r.items():
        ok = np.zeros_like(mask)
        for spk, hmask in h.items():
            if truth.get(spk) == person:
                ok |= hmask
        wrong = mask & heard & ~ok
        out["missed"] += (mask & ~heard).sum() / 100
        out["overlap"] += (wrong & overlap).sum() / 100
        out["confusion"] += (wrong & ~overlap).sum() / 100
    return out


def named_precision(
    hyp: list[SpeakerTurn], names: dict[str, str], ref: list[SpeakerTurn], duration: float
) -> float:
    """Of the time a speaker carries a name, the share in which that person really speaks."""
    h, r = grid(hyp, duration), grid(ref, duration)
    named = right = 0
    for spk, mask in h.items():
        person = names.get(spk)
        if person is None:
            continue
        named += int(mask.sum())
        right += int((mask & r.get(person, np.zeros_like(mask))).sum())
    return right / max(named, 1)


if __name__ == "__main__":
    main()
