"""Development material for diarization tests and benchmarks (not used by the app).

Lists the scored dev files (audio, RTTM reference, optional UEM) and decodes
them to 16 kHz mono float32 with PyAV.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


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
