"""A prior for overlapped speech in pyannote's powerset segmentation.

The segmentation model scores, for every frame of a 10 s chunk, the classes "nobody",
each of its three local speakers alone, and each pair of them at once; pyannote takes the
best class. On real meetings it rarely chooses a pair: in AMI dev00/dev01 and in sessions
of real voices where someone speaks into a turn it finds about half of the overlapped
speech, and the second speaker's words are lost to the naming. Adding ``bias`` to the
log-probability of the pair classes (a prior) before the choice makes overlap likelier.

Calibrated on the two sessions of nine real voices with 30 % of the turns spoken into the
previous one (``devdata.real_voice_sessions(overlap=0.3)``), not on AMI: overlap F1 0.70 /
0.59 at 0, 0.76 / 0.64 at 1.0, 0.75 / 0.65 at 1.5 (precision falling to 0.76), DER flat
(pooled 7.6 % at 0, 7.4 % at 0.5-1.5). Checked on the AMI and pyannote clips
(docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

_BASE = "minutes_base_conversion"  # the pipeline's own conversion, kept beside ours


def set_overlap_prior(pipeline: Any, bias: float) -> None:
    """Let ``pipeline``'s segmentation add ``bias`` to its pair classes (0: pyannote's own
    choice). Re-settable per run; a segmentation without powerset output is left alone."""
    inference = getattr(pipeline, "_segmentation", None)
    base = getattr(inference, _BASE, None)
    if base is None:
        base = getattr(inference, "conversion", None)
    if base is None or not hasattr(base, "mapping"):
        return
    setattr(inference, _BASE, base)
    # on the device the pipeline was moved to (CUDA on a GPU PC), as the conversion it replaces
    inference.conversion = base if bias == 0 else _prior_class()(base, bias).to(base.mapping.device)


def _prior_class() -> type:
    global _PRIOR_CLASS
    if _PRIOR_CLASS is not None:
        return _PRIOR_CLASS
    from pyannote.audio.utils.powerset import Powerset

    class OverlapPrior(Powerset):  # type: ignore[misc]
        """Powerset-to-multilabel conversion with a prior for the classes of two speakers."""

        def __init__(self, base: Any, bias: float) -> None:
            super().__init__(base.num_classes, base.max_set_size)
            self.register_buffer("prior", bias * (self.cardinality >= 2).float(), persistent=False)

        def forward(self, powerset: Any, soft: bool = False) -> Any:
            return self.to_multilabel(powerset + self.prior, soft=soft)

    _PRIOR_CLASS = OverlapPrior
    return OverlapPrior


_PRIOR_CLASS: type | None = None
