"""Block-wise diarization: block bounds and linking speakers across blocks by centroid."""

from __future__ import annotations

import numpy as np

from minutes_app.diarization.blocks import block_bounds, diarize_in_blocks, link_speakers


def test_block_bounds_cover_everything_in_equal_parts() -> None:
    bounds = block_bounds(16000 * 100, 16000, 30.0)
    assert len(bounds) == 4 and bounds[0][0] == 0 and bounds[-1][1] == 16000 * 100
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert block_bounds(10, 16000, 30.0) == [(0, 10)]


def _voice(seed: int, noise: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.random.default_rng(1000 + seed % 10).normal(size=192)
    return base + noise * rng.normal(size=192)


def test_link_speakers_by_voice_and_respects_counts() -> None:
    centroids = {"0:A": _voice(1), "0:B": _voice(2), "1:A": _voice(12), "1:B": _voice(11), "1:C": _voice(3)}
    mapping = link_speakers(centroids, threshold=0.7)
    assert mapping["0:A"] == mapping["1:B"]  # voice 1 in both blocks
    assert mapping["0:B"] == mapping["1:A"]  # voice 2
    assert len({mapping["0:A"], mapping["0:B"], mapping["1:C"]}) == 3
    assert len(set(link_speakers(centroids, 0.7, num_speakers=2).values())) == 2
    assert len(set(link_speakers(centroids, 0.7, max_speakers=2).values())) == 2
    zero = link_speakers({**centroids, "2:Z": np.zeros(192)}, 0.7)
    assert zero["2:Z"] not in {mapping[k] for k in centroids}  # no embedding: its own speaker


def test_diarize_in_blocks_offsets_and_relabels() -> None:
    audio = np.zeros(16000 * 60, dtype=np.float32)
    calls = []

    def run_block(samples, index):
        calls.append((index, len(samples)))
        return [(1.0, 2.0, "SPK_A")], {"SPK_A": _voice(1)}

    raw = diarize_in_blocks(audio, 16000, 20.0, run_block, threshold=0.7)
    assert [c[0] for c in calls] == [0, 1, 2]
    assert [(s, e) for s, e, _ in raw] == [(1.0, 2.0), (21.0, 22.0), (41.0, 42.0)]
    assert len({label for _, _, label in raw}) == 1  # the same voice in every block
