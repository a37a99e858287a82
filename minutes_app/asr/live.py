"""Live transcription while recording: follow the recorder's growing WAV.

``LiveTranscriber`` reads only what the recorder has already written
(``live_source.GrowingWavReader``) and transcribes a window as soon as more
than ``window_seconds`` of new audio is on disk. The window ends at the
quietest 0.5 s of its second half (``whisper._cut_point``, as in the offline
stage), so no word is cut, and gets the same 1 s lead-in. It uses one thread
by default, so the recorder and the GUI keep the other core.

Windows of 20 s (cut between 10 and 20 s): on the example session the text
trails the audio by 13.5 s on average (21 s at most) with whisper-base on one
thread, and the complete transcript is there 1.8 s after stop (offline: 30 s);
WER against the reference 0.315 (offline 0.293, 30 s windows 0.312 with a mean
lag of 21 s). See ``bench/live_lag.py``.

Every finished window goes into ``asr.partial.json`` in the pipeline's format
(``{"key": ..., "transcript": ...}``, see ``pipeline/run.py::_asr``). The key
includes the project's audio entry, which exists only after the recording was
attached (``Project.set_audio``): call ``save_partial(key=pipeline_partial_key(
project, options))`` then, and ``run_pipeline`` resumes after the last live
window instead of transcribing the recording again.

Typical use (worker thread)::

    live = LiveTranscriber(model_dir, options, recorder.part_path,
                           partial_path=project.folder / "asr.partial.json")
    transcript = live.run(stop_event, on_segments, cancel)  # returns after stop_event, tail included

The GUI runs it with the live diarization in a worker process (``live_job.py``). While
the recording is paused (``paused`` set) the window that is not full yet is transcribed too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..audio.live_source import SAMPLE_RATE, GrowingWavReader
from ..audio.recovery import RecordingError
from ..base.errors import ModelMissingError, UserError
from ..base.hardware import lower_thread_priority
from ..base.jobs import CancelToken, ProgressFn, no_progress
from ..base.types import Segment, Transcript, Word
from .whisper import ASROptions, _cut_point

PARTIAL_FILE = "asr.partial.json"  # pipeline/run.py PARTIAL_FILES[0]
SegmentsFn = Callable[[list[Segment]], None]
KeyType = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass
class WindowStat:
    """One transcribed window: audio span (s) and when it was on disk / transcribed (clock s)."""

    start: float
    end: float
    on_disk_at: float
    done_at: float
    compute_s: float

    @property
    def lag(self) -> float:
        """Seconds from the window's last sample on disk to its text."""
        return self.done_at - self.on_disk_at


class LiveTranscriber:
    """Transcribe a recording while it is being written; see the module doc.

    ``asr``: an already loaded ``WhisperASR`` to use (it is not closed here);
    otherwise the model in ``model_dir`` is loaded on first use, in the thread
    that works (so its native threads inherit ``run``'s lower priority).
    ``partial_key``: the key saved with each window, a dict or a function
    called at each save.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike[str],
        options: ASROptions | None,
        wav_path: str | os.PathLike[str],
        *,
        samplerate: int | None = None,
        channels: int | None = None,
        window_seconds: float = 20.0,
        threads: int = 1,
        partial_path: str | os.PathLike[str] | None = None,
        partial_key: KeyType | None = None,
        asr: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model_dir = Path(model_dir)
        base = options or ASROptions()
        # One call per window: the wrapper must not split it again.
        self.options = dataclasses.replace(base, threads=threads, chunk_seconds=window_seconds + 1.0)
        if asr is None and not (self.model_dir / "model.bin").is_file():
            raise ModelMissingError(
                f"Das Spracherkennungsmodell in „{self.model_dir}“ fehlt oder ist unvollständig. "
                "Installieren mit: minutes-app models install"
            )
        self.reader = GrowingWavReader(wav_path, samplerate, channels)
        self.window = max(int(window_seconds * SAMPLE_RATE), SAMPLE_RATE)
        self.partial_path = Path(partial_path) if partial_path is not None else None
        self.partial_key = partial_key
        self.clock = clock
        self.segments: list[Segment] = []
        self.windows: list[WindowStat] = []
        self.finished = False
        self._asr = asr
        self._own_asr = asr is None
        self._language: str | None = None
        self._pos = 0  # 16 kHz samples transcribed
        self._buf = np.zeros(0, np.float32)  # audio from _pos on, read but not transcribed
        self._seen: deque[tuple[int, float]] = deque()  # (samples on disk, clock) per read
        self._lock = threading.Lock()  # step/finish from one thread at a time
        # Set while the recording is paused: ``run`` then also transcribes a window that is
        # not full (the pause is a cut in the audio anyway), so the text catches up.
        self.paused = threading.Event()
        self._still: tuple[int, float] = (-1, 0.0)  # (frames on disk, since when) for the pause

    # -- state -------------------------------------------------------------------------
    @property
    def done_seconds(self) -> float:
        """Audio transcribed so far (s from the start of the recording)."""
        return self._pos / SAMPLE_RATE

    @property
    def behind_seconds(self) -> float:
        """Audio on disk that has no text yet (s): how far the live text trails."""
        return max(self.reader.seconds_on_disk() - self.done_seconds, 0.0)

    @property
    def language(self) -> str:
        return self._language or ""

    @property
    def transcript(self) -> Transcript:
        """What is transcribed so far (``duration``: the audio covered)."""
        model = getattr(self._asr, "model_dir", self.model_dir)
        return Transcript(self.language, self.done_seconds, list(self.segments), Path(model).name)

    def follow(self, path: str | os.PathLike[str]) -> None:
        """The recording was finished under ``path`` (e.g. ``Recorder.stop()``'s result)."""
        self.reader.follow(path)

    # -- work --------------------------------------------------------------------------
    def step(self, cancel: CancelToken | None = None, max_windows: int | None = None) -> list[Segment]:
        """Transcribe every window that is complete on disk; returns the new segments."""
        with self._lock:
            new: list[Segment] = []
            done = 0
            while max_windows is None or done < max_windows:
                self._fill()
                if len(self._buf) <= self.window:
                    break
                new += self._transcribe(_cut_point(self._buf, 0, self.window), cancel)
                done += 1
            return new

    def finish(
        self,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
        on_segments: SegmentsFn | None = None,
    ) -> Transcript:
        """After the recording stopped: transcribe the rest; returns the whole transcript."""
        with self._lock:
            if self.reader.locate() is None and self.reader.frames_read == 0:
                raise RecordingError(
                    f"Die Aufnahme „{self.reader.path.name}“ wurde nicht gefunden; "
                    "die Live-Mitschrift kann nicht abgeschlossen werden."
                )
            total = max(self._pos + len(self._buf) + self.reader.pending_samples(), 1)
            progress(self._pos / total, "Live-Mitschrift wird abgeschlossen")
            tail_read = False
            while True:
                self._fill()
                if len(self._buf) <= self.window and not tail_read:
                    self._buf = np.concatenate([self._buf, self.reader.flush()])
                    tail_read = True
                if len(self._buf) == 0:
                    break
                new = self._transcribe(_cut_point(self._buf, 0, self.window), cancel)
                if new and on_segments is not None:
                    on_segments(new)
                progress(min(self._pos / total, 1.0), "Live-Mitschrift wird abgeschlossen")
            self.finished = True
            self.save_partial()
            progress(1.0, "Live-Mitschrift wird abgeschlossen")
            return self.transcript

    def run(
        self,
        stop_event: threading.Event,
        on_segments: SegmentsFn | None = None,
        cancel: CancelToken | None = None,
        poll_seconds: float = 0.5,
        finish: bool = True,
        nice: int = 10,
        on_window: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Worker-thread loop: transcribe while recording until ``stop_event`` is set.

        Set ``stop_event`` after ``Recorder.stop()`` returned (the file is then complete;
        pass its path to ``follow`` first if it is not ``<stem>.wav``). With ``finish``
        the rest is transcribed too; otherwise it is left to the pipeline.
        ``on_segments`` gets each window's new segments (from this thread); ``on_window``
        the seconds transcribed after each look at the file (e.g. to let diarization follow).
        Raises ``Cancelled`` when ``cancel`` is set; the model is freed on return.
        ``nice``: on Linux the calling thread's priority is lowered for good (so run
        this in its own ``threading.Thread``, not a pool thread reused later).
        """
        lower_thread_priority(nice)
        try:
            while not stop_event.is_set():
                if cancel is not None:
                    cancel.raise_if_cancelled()
                new = self.step(cancel, max_windows=1)
                if not new and self.paused.is_set():
                    new = self._drain(cancel)
                if new and on_segments is not None:
                    on_segments(new)
                if on_window is not None:
                    on_window(self.done_seconds)
                if len(self._buf) + self.reader.pending_samples() <= self.window:
                    stop_event.wait(poll_seconds)  # nothing ready: wait for the recorder
            if cancel is not None:
                cancel.raise_if_cancelled()
            return self.finish(cancel, on_segments=on_segments) if finish else self.transcript
        finally:
            self.close()

    def save_partial(
        self, path: str | os.PathLike[str] | None = None, key: KeyType | None = None
    ) -> Path | None:
        """Write the finished windows for the pipeline's resume; returns the file (None: nothing to save)."""
        from ..base.fileio import write_json

        target = Path(path) if path is not None else self.partial_path
        key = key if key is not None else self.partial_key
        if target is None or self._pos == 0 or not self._language:
            return None
        resolved = key() if callable(key) else (key or {})
        write_json(target, {"key": resolved, "transcript": self.transcript.to_dict()})
        return target

    def close(self) -> None:
        """Free the model (only one this object loaded); safe to call twice."""
        if self._own_asr and self._asr is not None:
            self._asr.close()
            self._asr = None

    # -- internals ---------------------------------------------------------------------
    def _model(self) -> Any:
        if self._asr is None:
            from .whisper import WhisperASR

            self._asr = WhisperASR(self.model_dir, self.options)
            self._own_asr = True
        return self._asr

    def _fill(self) -> None:
        """Read from disk until two windows are buffered (bounded memory when behind)."""
        room = 2 * self.window - len(self._buf)
        if room <= 0:
            return
        audio = self.reader.read(room)
        if len(audio):
            self._buf = np.concatenate([self._buf, audio])
            self._seen.append((self.reader.samples_out, self.clock()))

    def _drain(self, cancel: CancelToken | None) -> list[Segment]:
        """Paused: transcribe the rest on disk once the file stopped growing for a second."""
        with self._lock:
            frames = self.reader.frames_on_disk()
            if frames != self._still[0]:
                self._still = (frames, self.clock())
                return []
            self._fill()
            if self.clock() - self._still[1] < 1.0 or not SAMPLE_RATE <= len(self._buf) <= self.window:
                return []
            return self._transcribe(len(self._buf), cancel)

    def _on_disk_at(self, sample: int) -> float:
        while len(self._seen) > 1 and self._seen[1][0] < sample:
            self._seen.popleft()  # earlier reads covered less than this window
        for total, at in self._seen:
            if total >= sample:
                return at
        return self.clock()

    def _transcribe(self, end: int, cancel: CancelToken | None) -> list[Segment]:
        """Transcribe ``_buf[:end]`` (one window) and move on; nothing changes on Cancelled."""
        if cancel is not None:
            cancel.raise_if_cancelled()
        asr = self._model()
        start_s = self._pos / SAMPLE_RATE
        on_disk = self._on_disk_at(self._pos + end)
        started = self.clock()
        resume = Transcript(self._language, 0.0, []) if self._language else None
        result = asr.transcribe(self._buf[:end], cancel=cancel, resume=resume)
        self._language = self._language or result.language or None
        new = []
        for seg in result.segments:
            new.append(self._shift(seg, start_s))
            self.segments.append(new[-1])
        self._pos += end
        self._buf = self._buf[end:].copy()
        done = self.clock()
        self.windows.append(WindowStat(start_s, self._pos / SAMPLE_RATE, on_disk, done, done - started))
        with contextlib.suppress(UserError, OSError):  # a full disk must not stop the live text
            self.save_partial()
        return new

    def _shift(self, seg: Segment, offset: float) -> Segment:
        """Window time -> recording time; never before the previous segment's end."""
        floor = self.segments[-1].end if self.segments else 0.0
        start = round(max(seg.start + offset, floor), 3)
        end = round(max(seg.end + offset, start), 3)
        words = [
            Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, w.probability)
            for w in seg.words
        ]
        return Segment(len(self.segments), start, end, seg.text, words, seg.speaker)
