"""Word error rate for tests and benchmarks (case and punctuation ignored)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[\wäöüß]+", re.IGNORECASE)


def words(text: str) -> list[str]:
    return [w.lower() for w in _TOKEN.findall(text)]


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)
