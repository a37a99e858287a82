"""Diarization error rate (DER) against an RTTM reference, optionally inside a UEM, and
how much of a reference's speaking time carries the right name (voice profiles).

RTTM speaker names may contain spaces (``Stadtrat Bauer (GRÜNE)``): a line is
read as 7 fixed fields, the name, and 2 trailing ``<NA>`` fields. pyannote is
imported only when a score is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..base.offline import ensure_offline
from ..base.types import Diarization, SpeakerTurn


@dataclass
class DERResult:
    der: float
    false_alarm: float  # seconds
    missed: float  # seconds
    confusion: float  # seconds
    total: float  # seconds of reference speech scored
    num_reference_speakers: int
    num_hypothesis_speakers: int


def read_rttm(path: Path) -> dict[str, list[SpeakerTurn]]:
    """Reference turns per file id (``uri``)."""
    turns: dict[str, list[SpeakerTurn]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 10 or fields[0] != "SPEAKER":
            continue
        uri, start, duration = fields[1], float(fields[3]), float(fields[4])
        name = " ".join(fields[7:-2])
        turns.setdefault(uri, []).append(SpeakerTurn(start=start, end=start + duration, speaker=name))
    return turns


def read_uem(path: Path) -> dict[str, list[tuple[float, float]]]:
    """Scored regions per file id."""
    regions: dict[str, list[tuple[float, float]]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 4:
            regions.setdefault(fields[0], []).append((float(fields[2]), float(fields[3])))
    return regions


def _annotation(turns: list[SpeakerTurn], uri: str) -> Any:  # pyannote.core.Annotation
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=uri)
    for i, turn in enumerate(turns):
        if turn.end > turn.start:
            annotation[Segment(turn.start, turn.end), i] = turn.speaker
    return annotation


def diarization_error_rate(
    reference: list[SpeakerTurn],
    hypothesis: Diarization | list[SpeakerTurn],
    uem: list[tuple[float, float]] | None = None,
    collar: float = 0.0,
    skip_overlap: bool = False,
) -> DERResult:
    """DER of ``hypothesis`` against ``reference`` (optimal speaker mapping).

    Without ``uem`` the scored region is the extent of reference and hypothesis.
    """
    ensure_offline()
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    hyp_turns = hypothesis.turns if isinstance(hypothesis, Diarization) else hypothesis
    ref = _annotation(reference, "file")
    hyp = _annotation(hyp_turns, "file")
    metric = DiarizationErrorRate(collar=collar, skip_overlap=skip_overlap)
    timeline = None
    if uem is not None:
        timeline = Timeline([Segment(s, e) for s, e in uem], uri="file")
    else:
        extent = ref.get_timeline().union(hyp.get_timeline())
        if extent:
            timeline = Timeline([extent.extent()], uri="file")
    if timeline is None:  # nothing anywhere
        return DERResult(0.0, 0.0, 0.0, 0.0, 0.0, 0, 0)
    detail = metric(ref, hyp, uem=timeline, detailed=True)
    total = float(detail["total"])
    errors = detail["false alarm"] + detail["missed detection"] + detail["confusion"]
    return DERResult(
        der=float(errors / total) if total > 0 else (0.0 if errors == 0 else 1.0),
        false_alarm=float(detail["false alarm"]),
        missed=float(detail["missed detection"]),
        confusion=float(detail["confusion"]),
        total=total,
        num_reference_speakers=len(ref.crop(timeline).labels()),
        num_hypothesis_speakers=len(hyp.crop(timeline).labels()),
    )


def der_from_files(
    hypothesis: Diarization,
    rttm: Path,
    uri: str,
    uem: Path | None = None,
    collar: float = 0.0,
) -> DERResult:
    """DER of ``hypothesis`` against file ``uri`` of ``rttm``, scored inside ``uem`` if given."""
    reference = read_rttm(rttm).get(uri)
    if reference is None:
        raise KeyError(f"{uri!r} not in {rttm}")
    regions = read_uem(uem).get(uri) if uem is not None else None
    return diarization_error_rate(reference, hypothesis, uem=regions, collar=collar)


def grid(turns: list[SpeakerTurn], duration: float) -> dict[str, np.ndarray]:
    """Per speaker, the 10 ms frames of ``duration`` in which they speak."""
    n = int(duration * 100) + 1
    out: dict[str, np.ndarray] = {}
    for t in turns:
        mask = out.setdefault(t.speaker, np.zeros(n, bool))
        mask[int(t.start * 100) : int(t.end * 100)] = True
    return out


def majority(hyp: list[SpeakerTurn], ref: list[SpeakerTurn], duration: float) -> dict[str, str]:
    """Hypothesis speaker -> reference person speaking most of its time."""
    h, r = grid(hyp, duration), grid(ref, duration)
    out = {}
    for spk, mask in h.items():
        best = max(r.items(), key=lambda kv: int((mask & kv[1]).sum()), default=None)
        if best is not None and (mask & best[1]).sum() > 0:
            out[spk] = best[0]
    return out


def named_share(
    hyp: list[SpeakerTurn],
    names: dict[str, str],
    ref: list[SpeakerTurn],
    duration: float,
    single: bool = False,
) -> float:
    """Share of the reference speaking time whose speaker carries the right name (``single``:
    only the time where one person speaks alone)."""
    h, r = grid(hyp, duration), grid(ref, duration)
    alone = sum(m.astype(int) for m in r.values()) == 1 if r else None
    total = right = 0
    for person, mask in r.items():
        if single:
            mask = mask & alone
        total += int(mask.sum())
        ok = np.zeros_like(mask)
        for spk, hmask in h.items():
            if names.get(spk) == person:
                ok |= hmask
        right += int((mask & ok).sum())
    return right / max(total, 1)
