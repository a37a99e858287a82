"""Live transcription while recording: lag behind real time, and time to the transcript after stop.

A writer thread appends the example session (decoded to 16 kHz int16) to a
growing WAV in 1 s blocks with header rewrite + fsync, at real time
(``--speed 1``), exactly like the recorder; ``LiveTranscriber.run`` follows it
in a worker thread (whisper-base, ``--threads`` 1). When the writer has
finished (file renamed to ``.wav``, as ``Recorder.stop()`` does) the stop event
is set and the rest is transcribed.

Baseline, measured in the same run: the offline ASR stage (``WhisperASR``,
600 s windows) on the same audio with 1 thread and with all cores; that is
what the user waits for after stop without live transcription.

    python bench/live_lag.py [--seconds 221] [--speed 1] [--windows 20,30] [--threads 1]

Columns: lag = seconds from a segment's last sample being on disk to its
text being handed out (mean / max over segments); ready_after_stop = seconds
from the end of the recording to the complete transcript; writer_late_ms =
worst delay of a 1 s write against its schedule, tick_stall_ms = worst
oversleep of a thread waking every 10 ms (stands in for the audio callback,
which needs the GIL): the recorder must not stall. The "writer alone" row is
the control without a transcriber.
"""

from __future__ import annotations

import argparse
import bisect
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import REPO, store_path, table

sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "resources" / "examples" / "beispielsitzung.ogg"
RATE = 16000


def feed(path: Path, pcm, speed: float, log: list, late: list) -> Path:
    """Append int16 ``pcm`` like the recorder (1 s blocks, header + fsync), then finish the file."""
    from minutes_app.audio.recovery import finish_part
    from minutes_app.audio.wavfile import GrowingWav

    wav = GrowingWav(path, RATE, 1)
    start = time.monotonic()
    for i, pos in enumerate(range(0, len(pcm), RATE)):
        due = start + i / speed
        late.append(max(time.monotonic() - due, 0.0))
        wav.append(pcm[pos : pos + RATE].tobytes())
        wav.sync()
        log.append((min(pos + RATE, len(pcm)) / RATE, time.monotonic()))
        time.sleep(max(start + (i + 1) / speed - time.monotonic(), 0.0))
    wav.close()
    return finish_part(path, RATE, 1)[0]


def truth_wer(segments, audio_s: float) -> float:
    """WER against the example's reference turns that end inside the audio."""
    import json

    from minutes_app.asr.wer import wer

    turns = json.loads(EXAMPLE.with_suffix(".json").read_text(encoding="utf-8"))["turns"]
    inside = [t for t in turns if t["end"] <= audio_s + 0.5]
    cut = max((t["end"] for t in inside), default=0.0)
    hyp = " ".join(s.text for s in segments if s.start < cut)
    return wer(" ".join(t["text"] for t in inside), hyp)


class Ticker:
    """Stands in for the recorder's audio callback: wakes every 10 ms; keeps the worst oversleep."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.monotonic()
            time.sleep(0.01)
            self.worst = max(self.worst, time.monotonic() - start - 0.01)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return 1000 * self.worst


def live_row(model: Path, pcm, window: float, speed: float, threads: int, reference: str) -> dict:
    from minutes_app.asr.live import LiveTranscriber
    from minutes_app.asr.wer import wer
    from minutes_app.asr.whisper import ASROptions

    folder = Path(tempfile.mkdtemp(prefix="live-lag-"))
    part = folder / "aufnahme-bench.part.wav"
    log: list[tuple[float, float]] = []
    late: list[float] = []
    got: list[tuple[float, float]] = []  # (segment end s, clock when handed out)
    live = LiveTranscriber(
        model, ASROptions(), part, window_seconds=window, threads=threads, partial_path=folder / "p.json"
    )
    stop = threading.Event()
    out: dict = {}

    def on_segments(segments) -> None:
        now = time.monotonic()
        got.extend((s.end, now) for s in segments)

    worker = threading.Thread(target=lambda: out.update(t=live.run(stop, on_segments)))
    feeder = threading.Thread(target=lambda: feed(part, pcm, speed, log, late))
    ticker = Ticker()
    feeder.start()
    worker.start()
    feeder.join()
    stopped = time.monotonic()
    stop.set()
    worker.join()
    ready = time.monotonic() - stopped
    stall = ticker.stop()
    written = [w for w, _ in log]
    lags = []
    for end, at in got:
        i = min(bisect.bisect_left(written, min(end, written[-1])), len(log) - 1)
        lags.append(at - log[i][1])
    before_stop = [lag for (end, at), lag in zip(got, lags, strict=True) if at <= stopped]
    transcript = out["t"]
    audio_s = len(pcm) / RATE
    compute = sum(w.compute_s for w in live.windows)
    return {
        "variant": f"live, {window:.0f} s windows, {threads} thread",
        "audio_s": audio_s,
        "mean_lag_s": sum(before_stop) / max(len(before_stop), 1),
        "max_lag_s": max(before_stop, default=0.0),
        "ready_after_stop_s": ready,
        "asr_compute_s": compute,
        "RTF": compute / audio_s,
        "segments": len(transcript.segments),
        "WER_vs_offline": wer(reference, " ".join(s.text for s in transcript.segments)),
        "WER_vs_truth": truth_wer(transcript.segments, audio_s),
        "writer_late_ms": 1000 * max(late, default=0.0),
        "tick_stall_ms": stall,
    }


def offline_row(model: Path, audio, threads: int) -> tuple[dict, str]:
    from minutes_app.asr.whisper import ASROptions, WhisperASR

    asr = WhisperASR(model, ASROptions(threads=threads))
    started = time.perf_counter()
    transcript = asr.transcribe(audio)
    seconds = time.perf_counter() - started
    asr.close()
    audio_s = len(audio) / RATE
    label = "all cores" if threads == 0 else f"{threads} thread"
    row = {
        "variant": f"offline after stop (baseline), {label}",
        "audio_s": audio_s,
        "ready_after_stop_s": seconds,
        "asr_compute_s": seconds,
        "RTF": seconds / audio_s,
        "segments": len(transcript.segments),
        "WER_vs_truth": truth_wer(transcript.segments, audio_s),
    }
    return row, " ".join(s.text for s in transcript.segments)


def main() -> None:
    import numpy as np

    from minutes_app.audio.decode import decode_audio

    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=0.0, help="audio length (0: the whole example)")
    ap.add_argument("--speed", type=float, default=1.0, help="writing speed, times real time")
    ap.add_argument("--windows", default="20,30", help="live window lengths in s, comma-separated")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    model = store_path("whisper-base")
    audio = decode_audio(EXAMPLE)
    if args.seconds:
        audio = audio[: int(args.seconds * RATE)]
    pcm = np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)
    audio = pcm.astype(np.float32) / 32768.0  # exactly what the live side reads
    rows = []
    base, reference = offline_row(model, audio, args.threads)
    rows.append(base)
    rows.append(offline_row(model, audio, 0)[0])
    late: list[float] = []  # control: the writer alone (no transcriber), 30 s at the same speed
    ticker = Ticker()
    with tempfile.TemporaryDirectory() as tmp:
        feed(Path(tmp) / "control.part.wav", pcm[: 30 * RATE], args.speed, [], late)
    rows.append(
        {
            "variant": "writer alone (control, 30 s)",
            "writer_late_ms": 1000 * max(late),
            "tick_stall_ms": ticker.stop(),
        }
    )
    for window in (float(w) for w in args.windows.split(",")):
        rows.append(live_row(model, pcm, window, args.speed, args.threads, reference))
    columns = [
        "variant",
        "audio_s",
        "mean_lag_s",
        "max_lag_s",
        "ready_after_stop_s",
        "asr_compute_s",
        "RTF",
        "segments",
        "WER_vs_offline",
        "WER_vs_truth",
        "writer_late_ms",
        "tick_stall_ms",
    ]
    print(f"speed {args.speed:g}x real time")
    print(table(rows, columns))


if __name__ == "__main__":
    main()
