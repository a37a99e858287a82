"""Drafting while recording (drafting/predraft.py, pipeline/predraft_job.py, drafting/replies.py).

Real parts throughout: the example session transcribed by whisper-base, diarized in
60-second blocks by pyannote + CAM++ and saved as the live job saves them, the
contribution summaries by the real Qwen2.5-Coder-0.5B (CTranslate2; plumbing model).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from minutes_app.asr.live import PARTIAL_FILE
from minutes_app.asr.whisper import ASROptions, WhisperASR
from minutes_app.audio.decode import decode_audio
from minutes_app.base.jobs import CancelToken
from minutes_app.base.types import Transcript
from minutes_app.diarization.align import assign_speakers
from minutes_app.diarization.blocks import SAMPLE_RATE, BlockRunner, link
from minutes_app.diarization.live import LIVE_FILE, save_blocks
from minutes_app.diarization.pipeline import DiarizationOptions
from minutes_app.drafting import DraftOptions, draft_minutes
from minutes_app.drafting.cues import segment_items
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.drafting.replies import FILE, CachedEngine, ReplyStore
from minutes_app.pipeline.predraft_job import Predraft, PredraftSpec, PredraftState, predraft_pass
from minutes_app.pipeline.stage_draft import engine_request
from minutes_app.session.project import Project

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
BLOCK = 60.0
LLM = "qwen2.5-coder-0.5b"


class Counting(CachedEngine):
    """Counts the prompts that reach the model (those not answered from the kept replies)."""

    def __init__(self, engine, store: ReplyStore) -> None:
        super().__init__(engine, store)
        self.asked = 0
        put = store.put

        def counted(items: dict[str, str]) -> None:
            self.asked += len(items)
            put(items)

        store.put = counted  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def session(tmp_path_factory, model_path):
    """A session folder as the live job leaves it after the whole recording: the transcript
    windows, the diarized blocks, the agenda and roster the secretary entered."""
    from minutes_app.agenda.roster import load_roster
    from minutes_app.agenda.text import parse_agenda_text

    folder = tmp_path_factory.mktemp("predraft")
    audio = decode_audio(EXAMPLES / "beispielsitzung.ogg")
    asr = WhisperASR(model_path("whisper-base"), ASROptions(threads=2))
    try:
        transcript = asr.transcribe(audio)
    finally:
        asr.close()
    diar_dir = model_path("pyannote-campp")
    options = DiarizationOptions(threads=2, block_seconds=BLOCK, device="cpu")
    runner = BlockRunner(diar_dir, options)
    size = int(BLOCK * SAMPLE_RATE)
    blocks = [runner(np.asarray(audio[s : s + size]), s) for s in range(0, audio.size, size)]
    project = Project.open_or_create(folder / "sitzung", EXAMPLES / "beispielsitzung.ogg")
    project.agenda = parse_agenda_text(EXAMPLES / "beispielsitzung_tagesordnung.txt")
    project.attendees = load_roster(EXAMPLES / "beispielsitzung_anwesende.csv")
    project.protocol_type = "verlauf"
    project.save()
    return {
        "folder": project.folder,
        "transcript": transcript,
        "blocks": blocks,
        "diar_dir": diar_dir,
        "options": options,
        "project": project,
    }


def write_live(session, blocks: int, seconds: float) -> PredraftSpec:
    """The live files as they stand ``seconds`` into the recording (``blocks`` diarized)."""
    folder = session["folder"]
    t: Transcript = session["transcript"]
    part = Transcript(t.language, seconds, [s for s in t.segments if s.end <= seconds], t.model)
    data = {"key": {}, "transcript": part.to_dict()}
    (folder / PARTIAL_FILE).write_text(json.dumps(data), encoding="utf-8")
    diarized = session["blocks"][:blocks]
    save_blocks(folder / LIVE_FILE, session["diar_dir"], session["options"], BLOCK, diarized)
    return PredraftSpec(
        folder=str(folder),
        partial_path=str(folder / PARTIAL_FILE),
        live_file=str(folder / LIVE_FILE),
        diar_dir=str(session["diar_dir"]),
        diar_options=session["options"],
        poll_s=0.2,
    )


def final_segments(session):
    """What the pipeline aligns after the stop: every block linked, the whole transcript."""
    duration = session["blocks"][-1].end / SAMPLE_RATE
    diarization = link(session["blocks"], session["options"], duration, Path(session["diar_dir"]).name)
    return assign_speakers(session["transcript"].segments, diarization)


def test_finished_items_are_drafted_before_the_stop_and_reused_after_it(session, model_path):
    folder: Path = session["folder"]
    (folder / FILE).unlink(missing_ok=True)
    engine = make_engine("ct2", model_path(LLM), EngineOptions(threads=2))
    try:
        # Two minutes in: two blocks diarized; TOP 1 and 2 are over, TOP 3 is going on.
        spec = write_live(session, 2, 2 * BLOCK)
        pre = Counting(engine, ReplyStore(folder / FILE))
        state = PredraftState()
        assert predraft_pass(spec, pre, state, CancelToken())
        assert state.items >= 1 and state.pieces >= 1 and 1 <= pre.asked <= state.pieces
        assert not predraft_pass(spec, pre, state, CancelToken())  # nothing new diarized: no work
        kept = len(json.loads((folder / FILE).read_text(encoding="utf-8"))["replies"])
        assert kept == pre.asked
        if os.name == "posix":
            assert (folder / FILE).stat().st_mode & 0o777 == 0o600
        # After the stop: the draft stage finds those prompts answered.
        project = session["project"]
        segments = final_segments(session)
        options = DraftOptions(protocol_type="verlauf")
        after = Counting(engine, ReplyStore(folder / FILE))
        minutes = draft_minutes(segments, {}, project.agenda, after, options, roster=project.attendees)
        assert after.store.hits >= 1
        fresh = Counting(engine, ReplyStore(folder / "elsewhere.json"))
        again = draft_minutes(segments, {}, project.agenda, fresh, options, roster=project.attendees)
        assert after.asked + after.store.hits == fresh.asked  # every summary prompt, asked or kept
        assert after.asked < fresh.asked  # the pre-drafted ones were not asked again
        # and the minutes are those of a draft without kept replies
        assert [i.discussion for i in minutes.agenda_items] == [i.discussion for i in again.agenda_items]
    finally:
        engine.close()


def test_every_model_call_of_a_finished_item_is_answered_before_the_stop(session, model_path, tmp_path):
    """Ergebnisprotokoll, one speaker named meanwhile: the item JSON and context calls of every
    finished item are answered before the stop; after it only the last item's are asked,
    and the minutes are those of a draft without kept replies."""
    from dataclasses import asdict

    from minutes_app.drafting.predraft import draft_finished

    project = session["project"]
    segments = final_segments(session)
    first = next(s.speaker for s in segments if s.speaker)
    names = {first: project.attendees[0].name}
    options = DraftOptions(protocol_type="ergebnis")
    engine = make_engine("ct2", model_path(LLM), EngineOptions(threads=2))
    try:
        pre = Counting(engine, ReplyStore(tmp_path / "kept.json"))
        found = draft_finished(segments, names, project.agenda, project.attendees, pre, options)
        assert found.items >= 1 and 1 <= pre.asked <= found.pieces == pre.prompts
        after = Counting(engine, ReplyStore(tmp_path / "kept.json"))
        minutes = draft_minutes(segments, names, project.agenda, after, options, roster=project.attendees)
        fresh = Counting(engine, ReplyStore(tmp_path / "fresh.json"))
        again = draft_minutes(segments, names, project.agenda, fresh, options, roster=project.attendees)
        assert after.asked + pre.asked == fresh.asked  # nothing of a finished item asked twice
        assert after.asked >= 1  # the last item was still going on
        assert [asdict(i) for i in minutes.agenda_items] == [asdict(i) for i in again.agenda_items]
        ordered = sorted(segments, key=lambda s: (s.start, s.id))
        said = [s for s in segment_items(ordered, project.agenda) if s.segments]
        assert found.items == len(said) - 1  # every item with speech but the last
    finally:
        engine.close()


def test_the_item_still_being_discussed_is_not_predrafted(session, model_path, tmp_path):
    """Two minutes in, TOP 2 is going on and TOP 3 and 4 are not reached yet: only TOP 1 is
    drafted (neither the item holding the latest speech nor the agenda items still ahead)."""
    project = session["project"]
    segments = [s for s in final_segments(session) if s.end <= 2 * BLOCK]
    engine = make_engine("ct2", model_path(LLM), EngineOptions(threads=2))
    try:
        cached = Counting(engine, ReplyStore(tmp_path / FILE))
        options = DraftOptions(protocol_type="verlauf")
        minutes = draft_minutes(
            segments, {}, project.agenda, cached, options, roster=project.attendees, finished_only=True
        )
        assert [i.number for i in minutes.agenda_items] == ["1"]
    finally:
        engine.close()


def test_a_changed_prompt_or_budget_is_never_answered_from_an_old_reply(tmp_path, model_path):
    engine = make_engine("ct2", model_path(LLM), EngineOptions(threads=2))
    try:
        cached = Counting(engine, ReplyStore(tmp_path / FILE))
        one = [{"role": "user", "content": "Sag nur: Ja."}]
        two = [{"role": "user", "content": "Sag nur: Nein."}]
        first = cached.generate(one, 8)
        assert cached.generate(one, 8) == first and cached.store.hits == 1
        cached.generate(two, 8)
        cached.generate(one, 9)
        assert cached.store.hits == 1 and len(cached.store.replies) == 3
        (tmp_path / FILE).write_text("{kaputt", encoding="utf-8")  # a damaged file: start empty
        assert ReplyStore(tmp_path / FILE).replies == {}
    finally:
        engine.close()


def test_the_process_drafts_while_recording_and_ends_at_the_stop(session, model_path):
    folder: Path = session["folder"]
    (folder / FILE).unlink(missing_ok=True)
    spec = write_live(session, 2, 2 * BLOCK)
    from minutes_app.pipeline.run import PipelineOptions

    options = PipelineOptions(llm_model=LLM, threads=2)
    spec.request = engine_request(options, model_path(LLM))
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    cancel, reports = ctx.Event(), ctx.Queue()
    job = Predraft(spec, cancel, reports)
    try:
        kind, info = reports.get(timeout=300)  # the pass after the new block
        assert kind == "predraft" and info["items"] >= 1 and info["until_s"] == 2 * BLOCK
        assert (folder / FILE).exists()  # its replies are kept while "recording"
        stopped = time.monotonic()
        job.stop()
        job.process.join(60)
        assert not job.process.is_alive() and time.monotonic() - stopped < 60
        assert job.process.exitcode == 0
    finally:
        job.join(5)


def test_no_predraft_without_its_model_or_when_off(tmp_path, model_path):
    """A missing language model must not disturb the recording: no pre-draft, no message."""
    from minutes_app.models.store import ModelStore
    from minutes_app.pipeline.predraft_job import predraft_spec
    from minutes_app.pipeline.run import PipelineOptions

    model_path(LLM)  # installed (skips where the test models are absent)
    store = ModelStore.default()
    args = (store, tmp_path, str(tmp_path / LIVE_FILE), str(tmp_path / PARTIAL_FILE), "diar", None)
    assert predraft_spec(PipelineOptions(llm_model=LLM), *args) is not None
    assert predraft_spec(PipelineOptions(llm_model="nicht-installiert"), *args) is None
    for kind in ("ergebnis", "wort"):  # every model call of every protocol type is pre-drafted
        assert predraft_spec(PipelineOptions(llm_model=LLM, protocol_type=kind), *args) is not None
    assert predraft_spec(PipelineOptions(llm_model=LLM, live_draft=False), *args) is None
