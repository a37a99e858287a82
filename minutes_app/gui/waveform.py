"""Min/max envelope of the session audio for drawing, computed in chunks and cached.

The envelope is kept at 10 ms resolution (8.6 MB for three hours); it is filled
chunk by chunk from the memory-mapped PCM (``compute_some``), so a long session is
never read into memory at once and the GUI stays responsive while it fills.
Zoomed in below that resolution, the visible samples are read directly.
"""

from __future__ import annotations

import numpy as np

BIN_SAMPLES = 160  # 10 ms at 16 kHz
CHUNK_SECONDS = 60


class WaveformEnvelope:
    def __init__(self, samples: np.ndarray, sample_rate: int = 16000) -> None:
        self.samples = samples
        self.sample_rate = sample_rate
        self.n_bins = -(-len(samples) // BIN_SAMPLES)
        self.mins = np.zeros(self.n_bins, np.float32)
        self.maxs = np.zeros(self.n_bins, np.float32)
        self.bins_per_chunk = CHUNK_SECONDS * sample_rate // BIN_SAMPLES
        self.n_chunks = -(-self.n_bins // self.bins_per_chunk) if self.n_bins else 0
        self.done = np.zeros(self.n_chunks, bool)
        self._next = 0

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def complete(self) -> bool:
        return bool(self.done.all())

    def _compute_chunk(self, chunk: int) -> None:
        b0 = chunk * self.bins_per_chunk
        b1 = min(b0 + self.bins_per_chunk, self.n_bins)
        data = np.asarray(self.samples[b0 * BIN_SAMPLES : b1 * BIN_SAMPLES], dtype=np.float32)
        pad = (b1 - b0) * BIN_SAMPLES - data.size
        if pad:
            data = np.concatenate([data, np.zeros(pad, np.float32)])
        frames = data.reshape(b1 - b0, BIN_SAMPLES)
        self.mins[b0:b1] = frames.min(axis=1)
        self.maxs[b0:b1] = frames.max(axis=1)
        self.done[chunk] = True

    def compute_some(self, max_chunks: int = 10) -> bool:
        """Fill up to ``max_chunks`` more chunks; True when the whole envelope is ready."""
        computed = 0
        while self._next < self.n_chunks and computed < max_chunks:
            if not self.done[self._next]:
                self._compute_chunk(self._next)
                computed += 1
            self._next += 1
        return self.complete

    def ensure(self, t0: float, t1: float) -> None:
        """Compute the chunks covering ``t0..t1`` now (what is on screen comes first)."""
        if not self.n_chunks:
            return
        per_chunk = self.bins_per_chunk * BIN_SAMPLES / self.sample_rate
        first = max(int(t0 // per_chunk), 0)
        last = min(-int(-t1 // per_chunk) - 1, self.n_chunks - 1)  # ceil: an end on a border
        for chunk in range(first, last + 1):
            if not self.done[chunk]:
                self._compute_chunk(chunk)

    def envelope(self, t0: float, t1: float, pixels: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-pixel (min, max) for ``t0..t1``; zeros outside the audio."""
        pixels = max(int(pixels), 1)
        mins = np.zeros(pixels, np.float32)
        maxs = np.zeros(pixels, np.float32)
        if t1 <= t0 or not len(self.samples):
            return mins, maxs
        per_pixel = (t1 - t0) * self.sample_rate / pixels  # samples per pixel
        edges = t0 * self.sample_rate + np.arange(pixels + 1) * per_pixel
        if per_pixel < 2 * BIN_SAMPLES:  # zoomed in: the samples themselves
            base = int(max(np.floor(edges[0]), 0))
            end = int(min(np.ceil(edges[-1]) + 1, len(self.samples)))
            lo_src = hi_src = np.asarray(self.samples[base : max(end, base)], dtype=np.float32)
            idx = np.floor(edges).astype(np.int64) - base
        else:
            self.ensure(t0, t1)
            lo_src, hi_src = self.mins, self.maxs
            idx = np.floor(edges / BIN_SAMPLES).astype(np.int64)
        size = lo_src.size
        starts = idx[:-1]
        valid = (starts >= 0) & (starts < size)
        if size == 0 or not valid.any():
            return mins, maxs
        starts = np.clip(starts, 0, size - 1)
        first = int(starts[0])
        stop = int(np.clip(idx[-1], starts[-1] + 1, size))
        # reduceat over [start_i, start_i+1); equal neighbours give the single value.
        ind = np.append(starts - first, stop - first)
        lo = np.minimum.reduceat(np.append(lo_src[first:stop], 0.0), ind)[:-1]
        hi = np.maximum.reduceat(np.append(hi_src[first:stop], 0.0), ind)[:-1]
        mins[valid] = lo[valid]
        maxs[valid] = hi[valid]
        return mins, maxs
