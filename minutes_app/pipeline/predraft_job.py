"""Drafting while recording: a process beside the live job that pre-drafts finished items.

A 3-hour session drafted only after the stop keeps the secretary waiting for the draft
(0.14-0.2 x the audio on two cores, #16). While the recording runs, the live job writes
the transcript windows (``asr.partial.json``) and the diarized 5-minute blocks
(``diarization.live.json``) into the session folder. This process reads both every
``poll_s`` seconds once a new block is there, links the blocks and assigns the speakers
exactly as the pipeline will (``blocks.link``, ``align.assign_speakers``), and drafts every
item but the last with the session's agenda, roster and names as they stand
(``drafting.predraft.draft_finished``: every model call the draft after the stop makes).
The replies are kept by prompt in ``draft.replies.json`` (``drafting/replies.py``); the
pipeline's draft stage after the stop reads them and asks the model only for what is new.

It runs at the lowest priority (nice 19) so the live transcription and the recorder keep
the cores, and ends at the stop, leaving the cores to the live job's tails: a reply in
progress is dropped, every finished one is kept. It needs the LLM's memory (about 3 GB
with the default model) beside the live job; the setting ``live_draft`` turns it off.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Cancelled
from ..base.jobs import CancelToken

log = logging.getLogger(__name__)

NICE = 19


@dataclass
class PredraftSpec:
    """What the pre-draft process needs (picklable)."""

    folder: str  # the session folder: project.json (agenda, roster), the live files, the replies
    partial_path: str  # asr.partial.json of the live transcription
    live_file: str  # diarization.live.json of the live diarization
    diar_dir: str
    diar_options: Any
    request: dict[str, Any] = field(default_factory=dict)  # stage_draft.engine_request
    protocol_type: str = "verlauf"
    poll_s: float = 20.0


@dataclass
class PredraftState:
    seen: tuple[float, int] = (0.0, 0)  # (diarized seconds, transcript segments) of the last pass
    items: int = 0
    pieces: int = 0


@dataclass
class SessionInputs:
    """What the draft after the stop takes from ``project.json`` (as it stands now)."""

    agenda: list[Any] = field(default_factory=list)
    roster: list[Any] = field(default_factory=list)
    markers: list[tuple[float, str]] = field(default_factory=list)
    starts: dict[str, float] = field(default_factory=dict)
    protocol_type: str = ""
    names: dict[str, str] = field(default_factory=dict)  # speaker id -> name given
    objected: frozenset[str] = frozenset()  # speakers left out of the draft (privacy.excluded_segments)


def session_inputs(folder: str) -> SessionInputs:
    """The session's draft inputs, if it exists yet (else empty: drafted without them)."""
    from ..base.errors import UserError
    from ..session.privacy import objected
    from ..session.project import Project

    try:
        project = Project.load(Path(folder))
    except (UserError, OSError, ValueError):
        return SessionInputs()
    return SessionInputs(
        project.agenda,
        project.attendees,
        project.markers,
        project.item_starts,
        project.protocol_type or "",
        project.speaker_names,
        frozenset(objected(project)),
    )


def predraft_pass(spec: PredraftSpec, engine: Any, state: PredraftState, cancel: CancelToken) -> bool:
    """One look at the live files; True when it drafted (something new was diarized)."""
    from ..base import jsonio
    from ..base.types import Transcript
    from ..diarization.align import assign_speakers
    from ..diarization.blocks import SAMPLE_RATE, link
    from ..diarization.live import blocks_from_start, load_blocks
    from ..drafting.draft import DraftOptions
    from ..drafting.predraft import draft_finished

    blocks = blocks_from_start(load_blocks(spec.live_file, spec.diar_dir, spec.diar_options)[1])
    if not blocks:
        return False
    try:
        data = jsonio.loads(jsonio.read_bytes(spec.partial_path))
        transcript = Transcript.from_dict(data["transcript"])
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no window yet, or being replaced: next time
    until = blocks[-1].end / SAMPLE_RATE
    segments = [s for s in transcript.segments if s.end <= until]
    if (until, len(segments)) == state.seen or not segments:
        return False
    state.seen = (until, len(segments))
    diarization = link(blocks, spec.diar_options, until, Path(spec.diar_dir).name)
    aligned = assign_speakers(segments, diarization)
    given = session_inputs(spec.folder)  # as the draft stage after the stop takes them
    aligned = [s for s in aligned if s.speaker not in given.objected]
    options = DraftOptions(protocol_type=given.protocol_type or spec.protocol_type)
    found = draft_finished(
        aligned, given.names, given.agenda, given.roster, engine, options, given.markers, given.starts, cancel
    )
    state.items, state.pieces = found.items, found.pieces
    log.info("pre-draft up to %.0f s: %d finished items, %d pieces", until, found.items, found.pieces)
    return True


def follow(
    spec: PredraftSpec, stop: Any, cancel: CancelToken, report: Callable[[str, Any], None] | None = None
) -> PredraftState:
    """Pre-draft until ``stop`` (an Event) is set; the engine is loaded at the first new block.

    ``report("predraft", {"items", "until_s"})`` after each pass that drafted."""
    from ..drafting.engines import make_engine
    from ..drafting.replies import FILE, CachedEngine, ReplyStore

    state = PredraftState()
    engine: Any = None
    request = spec.request
    try:
        while not stop.is_set():
            if engine is None and Path(spec.live_file).exists():
                llm_dir = Path(request["llm_dir"]) if request.get("llm_dir") else None
                inner = make_engine(request["engine_kind"], llm_dir, **request["engine_args"])
                engine = CachedEngine(inner, ReplyStore(Path(spec.folder) / FILE))
            if engine is not None and predraft_pass(spec, engine, state, cancel) and report is not None:
                report("predraft", {"items": state.items, "until_s": state.seen[0]})
            stop.wait(spec.poll_s)
    finally:
        if engine is not None:
            engine.close()
    return state


class _StopToken(CancelToken):
    """Cancelled when the recording stops (or the live job is cancelled)."""

    def __init__(self, *events: Any) -> None:
        self.events = events

    @property
    def cancelled(self) -> bool:
        return any(e.is_set() for e in self.events)

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled()


def _child(spec: PredraftSpec, stop: Any, cancel_event: Any, parent_pid: int, out: Any) -> None:
    from ..base.lifetime import tie_to_parent
    from ..base.offline import ensure_offline

    tie_to_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ensure_offline()
    from ..base.hardware import lower_thread_priority

    lower_thread_priority(NICE)  # after the recorder, the live transcription and the diarization
    try:
        follow(spec, stop, _StopToken(stop, cancel_event), lambda kind, info: out.put((kind, info)))
    except Cancelled:
        pass
    except Exception:  # the draft after the stop does the work instead
        log.exception("pre-draft ended early")


class Predraft:
    """The pre-draft process, parent side (started and ended by ``live_job.LiveJob``)."""

    def __init__(self, spec: PredraftSpec, cancel_event: Any, out: Any = None) -> None:
        """``out``: a queue (of the spawn context) for ``("predraft", info)`` reports."""
        from ..base.lifetime import start_tied

        ctx = multiprocessing.get_context("spawn")
        self.stop_event = ctx.Event()
        out = out if out is not None else ctx.Queue()
        self.process = ctx.Process(
            target=_child,
            args=(spec, self.stop_event, cancel_event, os.getpid(), out),
            daemon=True,
            name="predraft",
        )
        start_tied(self.process)

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float = 30.0) -> None:
        from ..base.worker import end_process

        self.stop_event.set()
        self.process.join(timeout)
        end_process(self.process)


def predraft_spec(
    options: Any,
    store: Any,
    folder: Path,
    live_file: str,
    partial_path: str,
    diar_dir: str,
    diar_options: Any,
) -> PredraftSpec | None:
    """The pre-draft of a live recording with ``options`` (PipelineOptions) and the model
    ``store`` the pipeline will use, or None when off: the setting, no draft, or the language
    model not installed (the draft after the stop says so; the recording is not disturbed)."""
    from ..base.errors import UserError
    from .stage_draft import engine_request

    if not (options.live_draft and options.draft):
        return None
    llm_dir = None
    if options.llm_engine != "openai":
        try:
            llm_dir = store.get(options.llm_model).path
        except UserError as exc:
            log.info("no pre-draft while recording: %s", exc)
            return None
    return PredraftSpec(
        folder=str(folder),
        partial_path=partial_path,
        live_file=live_file,
        diar_dir=diar_dir,
        diar_options=diar_options,
        request=engine_request(options, llm_dir),
        protocol_type=options.protocol_type,
    )
