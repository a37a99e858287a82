"""Live transcription while recording: lag behind real time, and time to the transcript after stop.

A writer thread appends the example session (decoded to 16 kHz int16) to a
growing WAV in 1 s blocks with header rewrite + fsync, at real time
(``--speed 1``), exactly like the recorder; the GUI's live process
(``asr.live_job.LiveJob``: whisper-base on one thread at nice 10) follows it.
When the writer has finished (file renamed to ``.wav``, as ``Recorder.stop()``
does) the job is told to stop and transcribes the rest.

Baseline, measured in the same run: the offline ASR stage (``WhisperASR``,
600 s windows) on the same audio with ``--threads`` threads and with all cores;
that is what the user waits for after stop without live transcription.
``--thread-row`` adds the earlier design (``LiveTranscriber.run`` in a thread of
this process) to compare the stalls of this process.

    python bench/live_lag.py [--seconds 221] [--speed 1] [--windows 20,30] [--threads 1] [--thread-row]
    python bench/live_lag.py --long [--long-seconds 0] [--block 300]   # + diarization, >= 10 min

``--long`` (after the rows above, same run): the Karlsruhe session (11 min) and the
example session concatenated (14.7 min, German), written in real time; the live
process with live diarization (``diarization.live``: 300 s blocks, each after the
transcription passed it) as the GUI runs it. After the stop: the ASR tail and the
diarization tail, then the pipeline (decode, ASR resumed from the live windows,
diarization reusing the live blocks, align; no draft) = transcript with speakers
ready. Baseline in the same run: the pipeline (no draft, 2 threads, diarization
beside ASR) on the finished recording. From the measured per-minute costs it prints
a projection for a 1-hour session (a projection, not a measurement).

Columns: lag = seconds from a segment's last sample being on disk to its
text being handed out (mean / max over segments); ready_after_stop = seconds
from the end of the recording to the complete transcript; writer_late_ms =
worst delay of a 1 s write against its schedule, tick_stall_ms = worst
oversleep of a thread of this process waking every 10 ms (stands in for the
recorder's audio callback, which needs this process's GIL): the recorder must
not stall. The "writer alone" row is
the control without a transcriber.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import REPO, SHARED, store_path, table

sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "resources" / "examples" / "beispielsitzung.ogg"
KARLSRUHE = SHARED / "sessions" / "ka_elternbeitraege.flac"
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


def run_live_job(spec, part: Path, pcm, speed: float) -> dict:
    """The GUI's live process (``asr.live_job.LiveJob``) on ``pcm`` written at ``speed``."""
    from minutes_app.pipeline.live_job import LiveJob

    log: list[tuple[float, float]] = []
    late: list[float] = []
    got: list[tuple[float, float]] = []  # (segment end s, clock when it reached this process)
    blocks: list[tuple[float, float, float]] = []  # (block end s, clock when reported, length s)
    job = LiveJob(spec)
    out: dict = {}

    def on_segments(segments) -> None:
        got.extend((s.end, time.monotonic()) for s in segments)

    def on_block(info) -> None:
        blocks.append((info["end_s"], time.monotonic(), info["end_s"] - info["start_s"]))

    feeder = threading.Thread(target=lambda: out.update(wav=feed(part, pcm, speed, log, late)))
    waiter = threading.Thread(target=lambda: out.update(r=job.wait(on_segments, on_block, print)))
    ticker = Ticker()
    feeder.start()
    waiter.start()
    feeder.join()
    stopped = time.monotonic()
    job.stop()
    asr_done = None
    while waiter.is_alive():
        waiter.join(0.05)
        if asr_done is None and job.done_seconds >= len(pcm) / RATE - 0.01:
            asr_done = time.monotonic() - stopped
    ready = time.monotonic() - stopped
    written = [w for w, _ in log]

    def lag_of(end: float, at: float) -> float:
        i = min(bisect.bisect_left(written, min(end, written[-1])), len(log) - 1)
        return at - log[i][1]

    lags = [lag_of(end, at) for end, at in got if at <= stopped]
    return {
        "result": out["r"],
        "wav": out["wav"],
        "lags": lags,
        "block_lags": [lag_of(end, at) for end, at, _ in blocks if at <= stopped],
        "after_stop_audio_s": sum(length for _, at, length in blocks if at > stopped),
        "blocks_before_stop": sum(1 for _, at, _ in blocks if at <= stopped),
        "asr_ready_s": asr_done if asr_done is not None else ready,
        "ready_s": ready,
        "writer_late_ms": 1000 * max(late, default=0.0),
        "tick_stall_ms": ticker.stop(),
    }


def live_row(model: Path, pcm, window: float, speed: float, reference: str) -> dict:
    """Live transcription alone, in the live process as the GUI runs it."""
    from minutes_app.asr.wer import wer
    from minutes_app.asr.whisper import ASROptions
    from minutes_app.pipeline.live_job import LiveSpec

    folder = Path(tempfile.mkdtemp(prefix="live-lag-"))
    part = folder / "aufnahme-bench.part.wav"
    spec = LiveSpec(str(part), str(model), ASROptions(), window_seconds=window)
    run = run_live_job(spec, part, pcm, speed)
    transcript = run["result"]["transcript"]
    audio_s = len(pcm) / RATE
    compute = sum(w[3] for w in run["result"]["windows"])
    return {
        "variant": f"live, {window:.0f} s windows, 1 thread (process)",
        "audio_s": audio_s,
        "mean_lag_s": sum(run["lags"]) / max(len(run["lags"]), 1),
        "max_lag_s": max(run["lags"], default=0.0),
        "ready_after_stop_s": run["ready_s"],
        "asr_compute_s": compute,
        "RTF": compute / audio_s,
        "segments": len(transcript.segments),
        "WER_vs_offline": wer(reference, " ".join(s.text for s in transcript.segments)),
        "WER_vs_truth": truth_wer(transcript.segments, audio_s),
        "writer_late_ms": run["writer_late_ms"],
        "tick_stall_ms": run["tick_stall_ms"],
    }


def thread_row(model: Path, pcm, window: float, speed: float) -> dict:
    """The earlier design for comparison: ``LiveTranscriber.run`` in a thread of this process."""
    from minutes_app.asr.live import LiveTranscriber
    from minutes_app.asr.whisper import ASROptions

    folder = Path(tempfile.mkdtemp(prefix="live-lag-"))
    part = folder / "aufnahme-bench.part.wav"
    late: list[float] = []
    live = LiveTranscriber(model, ASROptions(), part, window_seconds=window, threads=1)
    stop = threading.Event()
    worker = threading.Thread(target=lambda: live.run(stop))
    feeder = threading.Thread(target=lambda: feed(part, pcm, speed, [], late))
    ticker = Ticker()
    feeder.start()
    worker.start()
    feeder.join()
    stop.set()
    worker.join()
    return {
        "variant": f"live, {window:.0f} s windows, thread in this process (earlier design)",
        "audio_s": len(pcm) / RATE,
        "max_lag_s": max((w.lag for w in live.windows), default=0.0),
        "writer_late_ms": 1000 * max(late, default=0.0),
        "tick_stall_ms": ticker.stop(),
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


# -- --long: live transcription + live diarization on a longer recording ------------------------------
def long_recording(seconds: float):
    """Karlsruhe session + example session, 16 kHz int16 (>= 10 minutes)."""
    import numpy as np

    from minutes_app.audio.decode import decode_audio

    audio = np.concatenate([decode_audio(KARLSRUHE), decode_audio(EXAMPLE)])
    if seconds:
        audio = audio[: int(seconds * RATE)]
    return np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)


def write_wav(path: Path, pcm) -> Path:
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return path


def pipeline_seconds(project, threads: int) -> tuple[float, dict]:
    """Decode, ASR, diarization and align (no draft) as the GUI's processing runs them."""
    from minutes_app.models.store import ModelStore
    from minutes_app.pipeline.run import PipelineOptions, run_pipeline

    options = PipelineOptions(draft=False, threads=threads, device="cpu")
    started = time.perf_counter()
    result = run_pipeline(project, options, ModelStore.default())
    return time.perf_counter() - started, {k: round(v, 1) for k, v in result.timings.items()}


def live_long(pcm, block: float, speed: float, threads: int) -> dict:
    """The GUI's live job with diarization on a recording written at ``speed``; then the pipeline."""
    from minutes_app.asr.live import PARTIAL_FILE
    from minutes_app.asr.whisper import ASROptions
    from minutes_app.diarization.live import LIVE_FILE
    from minutes_app.diarization.pipeline import DiarizationOptions
    from minutes_app.pipeline.live_job import LiveSpec, pipeline_partial_key, save_partial
    from minutes_app.pipeline.run import PipelineOptions
    from minutes_app.session.project import Project

    folder = Path(tempfile.mkdtemp(prefix="live-long-")) / "sitzung"
    project = Project.create(folder)
    part = folder / "aufnahme-bench.part.wav"
    spec = LiveSpec(
        str(part),
        str(store_path("whisper-base")),
        ASROptions(),
        partial_path=str(folder / PARTIAL_FILE),
        diar_dir=str(store_path("pyannote-campp")),
        diar_options=DiarizationOptions(),
        live_file=str(folder / LIVE_FILE),
        block_seconds=block,
    )
    run = run_live_job(spec, part, pcm, speed)
    result = run["result"]
    project.set_audio(run["wav"])  # what the main window does after the stop
    key = pipeline_partial_key(project, PipelineOptions())
    save_partial(folder / PARTIAL_FILE, key, result["transcript"])
    after, timings = pipeline_seconds(project, threads)
    audio_s = len(pcm) / RATE
    asr_compute = sum(w[3] for w in result["windows"])
    diar_blocks = json.loads((folder / LIVE_FILE).read_text(encoding="utf-8"))["blocks"]
    recording_time = diar_blocks[: run["blocks_before_stop"]]  # diarized while recording
    before_stop = sum(b["compute_s"] for b in recording_time)
    before_stop_audio = sum(b["end"] - b["start"] for b in recording_time) / RATE
    summary = result["diarization"] or {}
    return {
        "variant": f"live + live diarization, {block:.0f} s blocks",
        "audio_s": audio_s,
        "mean_lag_s": sum(run["lags"]) / max(len(run["lags"]), 1),
        "max_lag_s": max(run["lags"], default=0.0),
        "diar_block_lag_max_s": max(run["block_lags"], default=0.0),
        "asr_tail_s": run["asr_ready_s"],
        "diar_tail_s": summary.get("after_stop_s"),
        "live_done_after_stop_s": run["ready_s"],
        "pipeline_after_live_s": after,
        "ready_after_stop_s": run["ready_s"] + after,
        "asr_compute_per_min_s": 60 * asr_compute / audio_s,
        "diar_compute_per_min_s": 60 * before_stop / max(before_stop_audio, 1.0),
        "diarized_after_stop_s": run["after_stop_audio_s"],  # audio, s
        "pipeline_timings": timings,
        "writer_late_ms": run["writer_late_ms"],
        "tick_stall_ms": run["tick_stall_ms"],
    }


def long_main(args) -> None:
    import os

    from minutes_app.session.project import Project

    pcm = long_recording(args.long_seconds)
    audio_s = len(pcm) / RATE
    folder = Path(tempfile.mkdtemp(prefix="offline-long-"))
    wav = write_wav(folder / "aufnahme.wav", pcm)
    base_s, base_timings = pipeline_seconds(Project.create(folder / "sitzung", audio=wav), 2)
    offline = {
        "variant": "offline after stop (baseline): pipeline, 2 threads",
        "audio_s": audio_s,
        "ready_after_stop_s": base_s,
        "pipeline_timings": base_timings,
    }
    live = live_long(pcm, args.block, args.speed, 2)
    print(f"\n--long: {audio_s / 60:.1f} min, speed {args.speed:g}x, load average {os.getloadavg()}")
    print(table([offline, live], ["variant", "audio_s", "ready_after_stop_s", "pipeline_timings"]))
    columns = [
        "mean_lag_s",
        "max_lag_s",
        "diar_block_lag_max_s",
        "asr_tail_s",
        "diar_tail_s",
        "live_done_after_stop_s",
        "pipeline_after_live_s",
        "asr_compute_per_min_s",
        "diar_compute_per_min_s",
        "diarized_after_stop_s",
        "writer_late_ms",
        "tick_stall_ms",
    ]
    print(table([live], columns))
    print(json.dumps({"offline": offline, "live": live}, default=str))
    # Projection for 60 minutes from the per-minute costs measured above (not a measurement).
    minutes = 60.0
    # After the stop between 0 and one block (+ the transcription's lag) is left to
    # diarize, at the rate measured after the stop; the rest scales with the length.
    tail_rate = (live["diar_tail_s"] or 0.0) / max(live["diarized_after_stop_s"], 1.0)
    fixed = live["pipeline_after_live_s"] * minutes / (audio_s / 60)  # decode, digests, link, align
    rows = []
    for label, tail_s in (("mean tail (block/2)", args.block / 2), ("worst tail (one block)", args.block)):
        ready = max(live["asr_tail_s"], tail_s * tail_rate) + fixed
        rows.append(
            {"projection_60_min": label, "diar_tail_s": tail_s * tail_rate, "ready_after_stop_s": ready}
        )
    rows.append(
        {
            "projection_60_min": "offline baseline (scaled)",
            "ready_after_stop_s": base_s * minutes / (audio_s / 60),
        }
    )
    print(table(rows, ["projection_60_min", "diar_tail_s", "ready_after_stop_s"]))


def main() -> None:
    import numpy as np

    from minutes_app.audio.decode import decode_audio

    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=0.0, help="audio length (0: the whole example)")
    ap.add_argument("--speed", type=float, default=1.0, help="writing speed, times real time")
    ap.add_argument("--windows", default="20,30", help="live window lengths in s, comma-separated")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--long", action="store_true", help="also live diarization on a >= 10 min recording")
    ap.add_argument("--thread-row", action="store_true", help="also the earlier in-process thread design")
    ap.add_argument("--long-seconds", type=float, default=0.0, help="cut the long recording (0: 14.7 min)")
    ap.add_argument("--block", type=float, default=300.0, help="live diarization block length, s")
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
        rows.append(live_row(model, pcm, window, args.speed, reference))
    if args.thread_row:
        rows.append(thread_row(model, pcm, 20.0, args.speed))
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
    if args.long:
        long_main(args)


if __name__ == "__main__":
    main()
