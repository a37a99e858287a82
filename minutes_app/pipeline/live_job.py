"""The live job: transcription and diarization of a growing recording, in one worker process.

Why a process of its own: faster-whisper and pyannote run much of their work in Python.
In the GUI process a live thread at lowered priority that holds the GIL while the
scheduler leaves it waiting makes the recorder's audio callback and the GUI wait too
(priority inversion; ``bench/live_lag.py`` measured 0.43 s stalls of a 10 ms ticker on
a loaded machine). In its own process the live work shares no lock with the recorder,
a native crash cannot end the recording, and its memory (Whisper, torch) goes back to
the system when it ends. The GUI process only relays messages.

Inside the process: ``LiveTranscriber.run`` in a thread at nice 10 with one CTranslate2
thread; the main thread runs ``diarization.live.follow_recording`` (each block before
the stop in a fresh thread at nice 15, once the transcription passed it; the tail after
the stop at normal priority with two threads). The parent passes ``stopped`` and
``paused`` and reads ``done_seconds`` through shared memory; segments, block reports and
problems come through a queue.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken
from ..base.lifetime import start_tied
from ..base.types import Segment, Transcript

_DONE, _STOPPED, _PAUSED = 0, 1, 2  # slots of the shared array


@dataclass
class LiveSpec:
    """What the live process needs (picklable)."""

    wav_path: str
    asr_dir: str
    asr_options: Any  # ASROptions as the pipeline uses them
    partial_path: str | None = None  # asr.partial.json, written after each window (no key yet)
    window_seconds: float = 20.0
    diar_dir: str | None = None  # None: no live diarization
    diar_options: Any = None
    live_file: str | None = None  # diarization.live.json
    block_seconds: float = 300.0
    tail_threads: int = 2
    asr_nice: int = 10
    diar_nice: int = 15
    predraft: Any = None  # predraft_job.PredraftSpec: draft finished items before the stop


class _Gate:
    """``follow_recording``'s gate inside the process: [seconds transcribed, stopped]."""

    def __init__(self, live: Any, shared: Any, asr_ended: threading.Event) -> None:
        self.live, self.shared, self.asr_ended = live, shared, asr_ended

    def __getitem__(self, index: int) -> float:
        if index == 0:  # without (working) transcription the blocks need not wait
            return math.inf if self.asr_ended.is_set() else float(self.live.done_seconds)
        return float(self.shared[_STOPPED])


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"


def run_live(
    spec: LiveSpec, shared: Any, put: Callable[[str, Any], None], cancel: CancelToken
) -> dict[str, Any]:
    """The process's work (also callable in a thread, e.g. in tests); returns the summary."""
    from ..asr.live import LiveTranscriber
    from ..diarization.live import follow_recording

    live = LiveTranscriber(
        spec.asr_dir,
        spec.asr_options,
        spec.wav_path,
        window_seconds=spec.window_seconds,
        threads=1,
        partial_path=spec.partial_path,
    )
    stop, ended = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def sync() -> None:  # the parent's flags -> this process
        while not ended.is_set() or not stop.is_set():
            if shared[_STOPPED] > 0:
                stop.set()
            (live.paused.set if shared[_PAUSED] > 0 else live.paused.clear)()
            if stop.is_set() and ended.is_set():
                return
            time.sleep(0.1)

    def transcribe() -> None:
        def on_segments(segments: list[Segment]) -> None:
            put("segments", list(segments))  # dataclasses: pickled as they are

        def on_window(done: float) -> None:
            shared[_DONE] = done

        try:
            outcome["transcript"] = live.run(
                stop, on_segments, cancel, nice=spec.asr_nice, on_window=on_window
            )
            shared[_DONE] = live.done_seconds
        except Cancelled:
            outcome["cancelled"] = True
        except BaseException as exc:  # the diarization goes on; the pipeline redoes the rest
            put("problem", _message(exc))
        finally:
            ended.set()

    threads = [threading.Thread(target=f, name=f"live-{f.__name__}", daemon=True) for f in (sync, transcribe)]
    for thread in threads:
        thread.start()
    summary = None
    try:
        if spec.diar_dir is not None:
            try:
                summary = follow_recording(
                    spec.wav_path,
                    spec.live_file or str(Path(spec.wav_path).parent / "diarization.live.json"),
                    spec.diar_dir,
                    spec.diar_options,
                    _Gate(live, shared, ended),
                    spec.block_seconds,
                    spec.tail_threads,
                    report=put,
                    cancel=cancel,
                    nice=spec.diar_nice,
                )
            except Cancelled:
                raise
            except BaseException as exc:
                put("problem", _message(exc))
    finally:
        ended.wait()
        stop.set()
        for thread in threads:
            thread.join()
    if outcome.get("cancelled") or cancel.cancelled:
        raise Cancelled()
    transcript = outcome.get("transcript", live.transcript)
    windows = [(w.start, w.end, w.lag, w.compute_s) for w in live.windows]
    return {"transcript": transcript, "windows": windows, "diarization": summary}


def _child(spec: LiveSpec, shared: Any, out: Any, cancel_event: Any, parent_pid: int) -> None:
    from ..base.lifetime import tie_to_parent
    from ..base.offline import ensure_offline

    tie_to_parent(parent_pid)  # the app was killed: this process ends with it (base/lifetime.py)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cancels through the event
    ensure_offline()

    class Token(CancelToken):
        @property
        def cancelled(self) -> bool:
            return bool(cancel_event.is_set())

        def raise_if_cancelled(self) -> None:
            if cancel_event.is_set():
                raise Cancelled()

    try:
        result = run_live(spec, shared, lambda kind, payload: out.put((kind, payload)), Token())
    except Cancelled:
        out.put(("cancelled", None))
    except UserError as exc:
        out.put(("error", exc))
    except BaseException as exc:
        out.put(("error", RuntimeError(_message(exc))))
    else:
        out.put(("result", result))


class LiveJob:
    """The live process, parent side: start it, tell it pause/stop, relay its reports."""

    def __init__(self, spec: LiveSpec) -> None:
        ctx = multiprocessing.get_context("spawn")  # no forked Qt/torch state
        self.shared = ctx.RawArray("d", 3)  # inherited at spawn
        self._queue = ctx.Queue()
        self._cancel = ctx.Event()
        self._process = ctx.Process(
            target=_child,
            args=(spec, self.shared, self._queue, self._cancel, os.getpid()),
            daemon=True,
            name="live",
        )
        start_tied(self._process)
        self.predraft: Any = None
        if spec.predraft is not None and spec.diar_dir is not None:
            from .predraft_job import Predraft

            self.predraft = Predraft(spec.predraft, self._cancel, self._queue)  # reports come here too

    @property
    def done_seconds(self) -> float:
        """Audio transcribed so far (s)."""
        return float(self.shared[_DONE])

    def set_paused(self, paused: bool) -> None:
        self.shared[_PAUSED] = 1.0 if paused else 0.0

    def stop(self) -> None:
        """After ``Recorder.stop()`` returned: finish the tails (the pre-draft ends: the
        cores go to the tails, the draft stage asks the model for the rest)."""
        self.shared[_STOPPED] = 1.0
        if self.predraft is not None:
            self.predraft.stop()

    def wait(
        self,
        on_segments: Callable[[list[Segment]], None] | None = None,
        on_block: Callable[[dict[str, Any]], None] | None = None,
        on_problem: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
        on_predraft: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Until the process ends: its summary, with ``transcript`` a ``Transcript``."""
        try:
            while True:
                if cancel is not None and cancel.cancelled:
                    self._cancel.set()
                try:
                    kind, payload = self._queue.get(timeout=0.2)
                except queue.Empty:
                    if not self._process.is_alive():
                        if self._cancel.is_set():
                            raise Cancelled() from None
                        raise UserError(
                            "Die Live-Mitschrift wurde unerwartet beendet "
                            f"(Prozess-Ende {self._process.exitcode}); die Verarbeitung holt sie nach."
                        ) from None
                    continue
                if kind == "segments" and on_segments is not None:
                    on_segments(payload)
                elif kind == "block" and on_block is not None:
                    on_block(payload)
                elif kind == "problem" and on_problem is not None:
                    on_problem(str(payload))
                elif kind == "predraft" and on_predraft is not None:
                    on_predraft(payload)
                elif kind == "result":
                    return dict(payload)
                elif kind == "cancelled":
                    raise Cancelled()
                elif kind == "error":
                    raise payload
        finally:
            self.close()

    def close(self) -> None:
        from ..base.worker import stop_process

        stop_process(self._process, self._cancel)
        if self.predraft is not None:
            self.predraft.join()


def save_partial(path: str | os.PathLike[str], key: dict[str, Any], transcript: Transcript) -> Path | None:
    """``asr.partial.json`` as the pipeline resumes from it (``pipeline/stage_asr``); None: nothing done."""
    from ..base.fileio import write_json

    if transcript.duration <= 0 or not transcript.language:
        return None
    write_json(path, {"key": key, "transcript": transcript.to_dict()})
    return Path(path)


def pipeline_partial_key(project: Any, options: Any) -> dict[str, Any]:
    """The key ``run_pipeline`` expects in ``asr.partial.json`` for ``project``'s audio.

    Valid only after ``project.set_audio(<finished wav>)``.
    """
    from .stage_asr import asr_key

    return {**asr_key(options, project.agenda), "audio": project.data["audio"]}


def pipeline_asr_options(project: Any, options: Any) -> Any:
    """ASR settings as the pipeline uses them (so live windows equal what it would make)."""
    from ..asr.whisper import ASROptions, build_prompt

    vocabulary = options.asr_vocabulary
    return ASROptions(
        language=options.language,
        device=options.device,
        initial_prompt=build_prompt(options.attendees, [a.title for a in project.agenda])
        if vocabulary
        else None,
    )
