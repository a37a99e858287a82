"""Development material for diarization tests and benchmarks (not used by the app).

Lists the scored dev files (audio, RTTM reference, optional UEM), decodes them to
16 kHz mono float32 with PyAV, and builds sessions from real voices
(``voice_session``): the recordings of several real people, who speak again in a
second session, as turns over the room tone of a real meeting room.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..base.types import SpeakerTurn

SAMPLE_RATE = 16000
# Non-speech of AMI dev01 by its RTTM (s): the room tone of a real meeting room.
ROOM_TONE = [(0.0, 4.2), (11.9, 15.0), (24.0, 29.0)]


@dataclass(frozen=True)
class DevFile:
    name: str
    audio: Path
    rttm: Path
    uri: str
    uem: Path | None = None
    synthetic: bool = False


def pyannote_sample_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pyannote.audio")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("pyannote.audio is not installed")
    return Path(spec.origin).parent / "sample"


def dev_files(shared_fixtures: Path) -> list[DevFile]:
    audio = shared_fixtures / "audio"
    sessions = shared_fixtures / "sessions"
    sample = pyannote_sample_dir()
    uem = audio / "pyannote_dev.uem"
    return [
        DevFile("sample", sample / "sample.wav", sample / "sample.rttm", "sample"),
        DevFile("dev00", audio / "pyannote_dev00.wav", audio / "pyannote_dev.rttm", "dev00", uem),
        DevFile("dev01", audio / "pyannote_dev01.wav", audio / "pyannote_dev.rttm", "dev01", uem),
        DevFile(
            "ka_elternbeitraege",
            sessions / "ka_elternbeitraege.flac",
            sessions / "ka_elternbeitraege.rttm",
            "ka_elternbeitraege",
            synthetic=True,
        ),
    ]


def load_audio(path: Path) -> np.ndarray:
    """Decode any file PyAV reads to 16 kHz mono float32."""
    import av

    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)


def room_tone(shared_fixtures: Path, seconds: float) -> np.ndarray:
    """The AMI room's non-speech at its recorded level, looped with 0.5 s cross-fades."""
    dev01 = load_audio(shared_fixtures / "audio" / "pyannote_dev01.wav")
    pieces = [dev01[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in ROOM_TONE]
    fade = SAMPLE_RATE // 2
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    out = pieces[0].copy()
    i = 1
    while out.size < seconds * SAMPLE_RATE:
        piece = pieces[i % len(pieces)]
        out[-fade:] = out[-fade:] * ramp[::-1] + piece[:fade] * ramp
        out = np.concatenate([out, piece[fade:]])
        i += 1
    return out[: int(seconds * SAMPLE_RATE)]


def voiced_segments(
    audio: np.ndarray, floor_db: float = 30.0, pause: float = 0.3
) -> list[tuple[float, float]]:
    """Voiced parts (s) of a clean recording: 10 ms frames within ``floor_db`` of the
    loudest frame, joined across pauses shorter than ``pause`` s (0.3 s: the NIST RT rule
    for speaker reference segments)."""
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    if frames.size == 0:
        return []
    level = 10 * np.log10((frames.astype(np.float64) ** 2).mean(axis=1) + 1e-12)
    out: list[list[int]] = []
    for i in np.flatnonzero(level > level.max() - floor_db):
        if out and i - out[-1][1] < pause * 100:
            out[-1][1] = int(i) + 1
        else:
            out.append([int(i), int(i) + 1])
    return [(a / 100, b / 100) for a, b in out]


def voiced_span(audio: np.ndarray, floor_db: float = 30.0) -> tuple[float, float]:
    """Start and end (s) of the voiced part: the first to the last 10 ms frame within
    ``floor_db`` of the loudest frame."""
    parts = voiced_segments(audio, floor_db, pause=float("inf"))
    return parts[0] if parts else (0.0, 0.0)


def utterances(audio: np.ndarray, gap: float = 0.15) -> list[np.ndarray]:
    """A recording cut at its runs of digital silence of at least ``gap`` s (the joins
    of ``tests/data/voices``); a recording without such runs is one utterance."""
    silent = np.concatenate([[0], (audio == 0.0).astype(np.int8), [0]])
    edges = np.diff(silent)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out, position = [], 0
    for start, end in zip(starts, ends, strict=True):
        if end - start >= gap * SAMPLE_RATE:
            if start > position:
                out.append(audio[position:start])
            position = end
    if position < audio.size:
        out.append(audio[position:])
    return [u for u in out if u.size >= SAMPLE_RATE // 2]


def voice_session(
    voices: dict[str, list[np.ndarray]],
    seed: int = 0,
    background: np.ndarray | None = None,
    pause: tuple[float, float] = (0.4, 1.5),
    overlap: float = 0.0,
) -> tuple[np.ndarray, list[SpeakerTurn]]:
    """One session from real voices: each person's recordings cut into utterances, every
    utterance one turn, the turns in a random order (``seed``) in which nobody follows
    themselves, with pauses of ``pause`` s between them, over ``background`` (looped room
    tone at its level; none: digital silence). With ``overlap`` > 0 that share of the turns
    starts 0.3-1.5 s before the previous turn ends (someone speaks in). The reference turns
    are the voiced parts of each utterance (``voiced_segments``: split at pauses of 0.3 s or
    more), named by the ``voices`` key."""
    rng = np.random.default_rng(seed)
    queue = {person: [u for clip in clips for u in utterances(clip)] for person, clips in voices.items()}
    left = {person: len(us) for person, us in queue.items()}
    order: list[str] = []
    while any(left.values()):
        choices = [p for p, n in left.items() if n and (not order or p != order[-1])]
        if not choices:  # only the last speaker has utterances left: they go on speaking
            choices = [p for p, n in left.items() if n]
        weights = np.array([left[p] for p in choices], dtype=float)
        person = choices[int(rng.choice(len(choices), p=weights / weights.sum()))]
        order.append(person)
        left[person] -= 1
    gaps = rng.uniform(pause[0], pause[1], len(order) + 1)
    into = rng.uniform(0.3, 1.5, len(order) + 1) * (rng.random(len(order) + 1) < overlap)
    total = float(gaps.sum()) + sum(u.size for us in queue.values() for u in us) / SAMPLE_RATE
    size = int(total * SAMPLE_RATE) + SAMPLE_RATE
    audio = (
        np.zeros(size, np.float32) if background is None else np.resize(background, size).astype(np.float32)
    )
    turns, position, last = [], float(gaps[0]), 0
    for person, gap, early in zip(order, gaps[1:], into[1:], strict=True):
        utterance = queue[person].pop(0)
        start = int(position * SAMPLE_RATE)
        audio[start : start + utterance.size] += utterance
        last = max(last, start + utterance.size)
        for begin, end in voiced_segments(utterance):
            turns.append(SpeakerTurn(round(position + begin, 3), round(position + end, 3), person))
        position += utterance.size / SAMPLE_RATE + (-float(early) if early else float(gap))
    return audio[: max(last, int(position * SAMPLE_RATE))], turns


def real_voice_sessions(
    shared_fixtures: Path, repo_data: Path, readers: list[str] | None = None, overlap: float = 0.0
) -> list[tuple[np.ndarray, list[SpeakerTurn]]]:
    """Two sessions in which the same real people speak: the LibriSpeech readers of
    ``repo_data/voices`` (all eight, or ``readers``; recording 1, then recording 2) and
    Thorsten (clips 1-5, then 6-10 of ``shared_fixtures/audio`` and ``repo_data/audio``),
    over AMI dev01's room tone; ``overlap``: the share of turns spoken into the previous one."""
    voices = repo_data / "voices"
    people = readers or sorted({f.stem.rsplit("_", 1)[0] for f in voices.glob("*.flac")})
    thorsten = [load_audio(shared_fixtures / "audio" / f"thorsten_{i}.wav") for i in (1, 2)]
    thorsten += [load_audio(repo_data / "audio" / f"thorsten_{i}.flac") for i in range(3, 11)]
    tone = room_tone(shared_fixtures, 600.0)
    sessions = []
    for k, mine in ((1, thorsten[:5]), (2, thorsten[5:])):
        persons = {p: [load_audio(voices / f"{p}_{k}.flac")] for p in people}
        sessions.append(
            voice_session({**persons, "thorsten": mine}, seed=k, background=tone, overlap=overlap)
        )
    return sessions
