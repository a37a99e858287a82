"""Processing survives SIGKILL and Ctrl-C in every long stage and resumes where it stopped.

One chain of real ``minutes-app run`` processes (test models: Whisper base, pyannote +
CAM++, the 0.5B LLM) on the bundled 3:41 example session, each interrupted at a
deterministic point found by polling the project folder:

1. SIGKILL in ASR after the first window is saved (``asr.partial.json``)
2. Ctrl-C (SIGINT to the process group) in ASR after the next window -> exit 130
3. SIGKILL in diarization (ASR finished, diarization not)
4. Ctrl-C in diarization -> exit 130
5. SIGKILL in drafting after the first item is saved (``draft.partial.json``)
6. Ctrl-C in drafting after the next item -> exit 130
7. a run to the end

The ASR window is shortened to 60 s (the example would be one 600 s window) and the
windows transcribed and items drafted are logged by a ``sitecustomize`` harness,
also inside the worker processes, so the tests can count what each run recomputed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"
CHUNK_S = 60.0

HARNESS = r"""
import os

_LOG = os.environ.get("RELIABILITY_LOG")


def _note(line):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{os.environ.get('RELIABILITY_RUN', '?')} {line}\n")


if _LOG:
    from minutes_app.asr import whisper as _whisper
    from minutes_app.drafting import draft as _draft

    _init, _window, _span = (
        _whisper.WhisperASR.__init__, _whisper.WhisperASR._transcribe_window, _draft._Drafter.draft_span
    )

    def _patched_init(self, model_dir, options=None):
        _init(self, model_dir, options)
        self.options.chunk_seconds = float(os.environ["RELIABILITY_ASR_CHUNK"])

    def _patched_window(self, window, offset, *args, **kwargs):
        _note(f"asr_window {offset + self.options.lead_in_seconds:.3f}")
        return _window(self, window, offset, *args, **kwargs)

    def _patched_span(self, span):
        _note(f"draft_item {span.number or span.title}")
        return _span(self, span)

    _whisper.WhisperASR.__init__ = _patched_init
    _whisper.WhisperASR._transcribe_window = _patched_window
    _draft._Drafter.draft_span = _patched_span
"""


class Chain:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "projekt"
        self.log = root / "harness.log"
        (root / "harness").mkdir()
        (root / "harness" / "sitecustomize.py").write_text(HARNESS, encoding="utf-8")
        self.runs: dict[int, dict[str, Any]] = {}
        self.snapshots: dict[str, Any] = {}

    def start(self, run: int) -> subprocess.Popen[str]:
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(self.root / "harness"), str(REPO)]),
            RELIABILITY_LOG=str(self.log),
            RELIABILITY_RUN=str(run),
            RELIABILITY_ASR_CHUNK=str(CHUNK_S),
        )
        args = ["run", str(EXAMPLES / "beispielsitzung.ogg"), "--project", str(self.project)]
        args += ["--agenda", str(EXAMPLES / "beispielsitzung_tagesordnung.txt")]
        args += ["--attendees", str(EXAMPLES / "beispielsitzung_anwesende.csv")]
        args += ["--llm-model", "qwen2.5-coder-0.5b", "-o", str(self.root / "entwurf.docx")]
        return subprocess.Popen(
            [sys.executable, "-m", "minutes_app", *args],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / f"run{run}.err").open("w"),
            text=True,
            env=env,
            start_new_session=True,  # its own process group: the workers get the signal too
            # a test run started in the background of a shell inherits SIGINT ignored
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )

    def interrupt(self, run: int, when: Callable[[], bool], sig: int, timeout: float = 600) -> dict[str, Any]:
        """Start run ``run``, send ``sig`` to its process group once ``when()`` holds."""
        started = time.monotonic()
        proc = self.start(run)
        try:
            while not when():
                if proc.poll() is not None:
                    raise AssertionError(
                        f"run {run} ended ({proc.returncode}) before the interrupt: {self.err(run)}"
                    )
                if time.monotonic() - started > timeout:
                    raise AssertionError(f"run {run}: interrupt point not reached in {timeout} s")
                time.sleep(0.05)
            sent = time.monotonic()
            os.killpg(proc.pid, sig)
            code = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        info = {"code": code, "at_s": sent - started, "exit_s": time.monotonic() - sent}
        self.runs[run] = info
        return info

    def finish(self, run: int, timeout: float = 900) -> dict[str, Any]:
        started = time.monotonic()
        proc = self.start(run)
        try:
            code = proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.runs[run] = {"code": code, "s": time.monotonic() - started}
        return self.runs[run]

    def err(self, run: int) -> str:
        return (self.root / f"run{run}.err").read_text(encoding="utf-8", errors="replace")[-3000:]

    def events(self, run: int, kind: str) -> list[str]:
        if not self.log.exists():
            return []
        rows = [line.split(" ", 2) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [r[2] for r in rows if len(r) == 3 and r[0] == str(run) and r[1] == kind]

    def json(self, name: str) -> Any:
        try:
            return json.loads((self.project / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def stages(self) -> dict[str, Any]:
        return (self.json("project.json") or {}).get("stages", {})

    def partial_seconds(self) -> float:
        return float(((self.json("asr.partial.json") or {}).get("transcript") or {}).get("duration", 0.0))

    def draft_items(self) -> dict[str, Any]:
        return (self.json("draft.partial.json") or {}).get("items", {})

    def check_clean(self, stage_file: str) -> None:
        """No temp file of the atomic writer, no result taken as finished for the stopped stage."""
        temps = [p.name for p in self.project.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]
        assert temps == [], temps
        stages = self.stages()
        assert stage_file.removesuffix(".json") not in stages
        assert not (self.project / stage_file).exists()
        for stage in stages:  # every stage recorded as finished has its complete result
            if stage != "decode":
                assert self.json(f"{stage}.json") is not None, stage


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> Chain:
    c = Chain(tmp_path_factory.mktemp("reliability"))
    # 1. SIGKILL in ASR as soon as the first window is saved
    c.interrupt(1, lambda: c.partial_seconds() > 0, signal.SIGKILL)
    c.snapshots["asr1"] = c.json("asr.partial.json")
    # 2. Ctrl-C in ASR once the next window is saved
    first = c.partial_seconds()
    c.interrupt(2, lambda: c.partial_seconds() > first, signal.SIGINT)
    c.snapshots["asr2"] = c.json("asr.partial.json")
    c.snapshots["clean2"] = _clean(c, "asr.json")
    # 3. SIGKILL in diarization: ASR finished, diarization not
    c.interrupt(3, lambda: "asr" in c.stages() and "diarization" not in c.stages(), signal.SIGKILL)
    c.snapshots["asr_done"] = ((c.project / "asr.json").read_bytes(), c.stages()["asr"])
    # 4. Ctrl-C in diarization (it starts again from the beginning)
    started = time.monotonic()
    c.interrupt(4, lambda: time.monotonic() - started > 15, signal.SIGINT)
    c.snapshots["clean4"] = _clean(c, "diarization.json")
    # 5. SIGKILL in drafting as soon as the first item is saved
    c.interrupt(5, lambda: len(c.draft_items()) > 0, signal.SIGKILL)
    c.snapshots["draft5"] = c.json("draft.partial.json")
    # 6. Ctrl-C in drafting once the next item is saved
    done = len(c.draft_items())
    c.interrupt(6, lambda: len(c.draft_items()) > done, signal.SIGINT)
    c.snapshots["draft6"] = c.json("draft.partial.json")
    c.snapshots["clean6"] = _clean(c, "draft.json")
    # 7. to the end
    c.finish(7)
    return c


def _clean(c: Chain, stage_file: str) -> str:
    try:
        c.check_clean(stage_file)
    except AssertionError as exc:
        return f"nicht sauber: {exc}"
    return ""


def _windows(pcm: Path) -> list[float]:
    """Window starts of an uninterrupted run (the cut points depend on the audio only)."""
    from minutes_app.asr.whisper import SAMPLE_RATE, _cut_point

    audio = np.memmap(pcm, dtype=np.float32, mode="r")
    starts, pos = [], 0
    while pos < len(audio):
        starts.append(round(pos / SAMPLE_RATE, 3))
        pos = _cut_point(audio, pos, pos + int(CHUNK_S * SAMPLE_RATE))
    return starts


def _report(c: Chain) -> None:
    print("\nruns:", json.dumps(c.runs, indent=1))
    for run in sorted(c.runs):
        print(run, "asr windows", c.events(run, "asr_window"), "draft items", c.events(run, "draft_item"))


@pytest.mark.slow
def test_asr_resumes_at_the_last_finished_window(chain):
    c = chain
    _report(c)
    assert c.runs[1]["code"] == -signal.SIGKILL
    assert "Abgebrochen" in c.err(2)  # run 2: Ctrl-C; its exit code: test_ctrl_c_in_asr_exits_130
    first, second = c.snapshots["asr1"], c.snapshots["asr2"]
    d1, d2 = first["transcript"]["duration"], second["transcript"]["duration"]
    assert 0 < d1 < d2
    expected = _windows(c.project / "audio.pcm")
    assert len(expected) >= 4
    # Each run starts at the resume point: no finished window is transcribed again.
    assert [float(x) for x in c.events(2, "asr_window")][0] == pytest.approx(d1, abs=0.01)
    run3 = [float(x) for x in c.events(3, "asr_window")]
    assert run3[0] == pytest.approx(d2, abs=0.01)
    assert [float(x) for x in c.events(4, "asr_window")] == []  # ASR finished: skipped
    # Together the finished windows are exactly those of an uninterrupted run, each once; only the
    # window running at each interrupt was started twice.
    run1, run2 = ([float(x) for x in c.events(run, "asr_window")] for run in (1, 2))
    finished = [x for x in run1 if x < d1] + [x for x in run2 if d1 <= x < d2] + run3
    assert finished == pytest.approx(expected, abs=0.01)
    # The finished windows' segments are kept as they were, the whole has one numbering.
    final = json.loads((c.project / "asr.json").read_text(encoding="utf-8"))
    assert final["duration"] == pytest.approx(len(np.memmap(c.project / "audio.pcm", np.float32)) / 16000)
    assert final["segments"][: len(second["transcript"]["segments"])] == second["transcript"]["segments"]
    assert (
        second["transcript"]["segments"][: len(first["transcript"]["segments"])]
        == (first["transcript"]["segments"])
    )
    assert [s["id"] for s in final["segments"]] == list(range(len(final["segments"])))
    starts = [s["start"] for s in final["segments"]]
    assert starts == sorted(starts) and final["segments"][-1]["end"] <= final["duration"] + 1.0
    assert not (c.project / "asr.partial.json").exists()  # resume point gone with the result


@pytest.mark.slow
def test_asr_windows_match_an_uninterrupted_run(chain, model_path):
    """The first window, transcribed without interruption here, has the same segments."""
    from minutes_app.asr.whisper import SAMPLE_RATE, ASROptions, WhisperASR

    c = chain
    d1 = c.snapshots["asr1"]["transcript"]["duration"]
    audio = np.memmap(c.project / "audio.pcm", dtype=np.float32, mode="r")[: int(round(d1 * SAMPLE_RATE))]
    asr = WhisperASR(model_path("whisper-base"), ASROptions(language="de", threads=1, chunk_seconds=CHUNK_S))
    reference = asr.transcribe(audio)
    resumed = c.snapshots["asr1"]["transcript"]["segments"]  # the first window, kept in asr.json
    print(f"\nfirst window: {len(reference.segments)} segments uninterrupted, {len(resumed)} resumed")
    assert abs(len(resumed) - len(reference.segments)) <= 1  # ± ASR nondeterminism
    for ref, got in zip(reference.segments, resumed, strict=False):
        assert got["start"] == pytest.approx(ref.start, abs=0.5)
        assert got["end"] == pytest.approx(ref.end, abs=0.5)


@pytest.mark.slow
def test_diarization_is_redone_without_recomputing_asr(chain):
    c = chain
    assert c.runs[3]["code"] == -signal.SIGKILL
    assert c.runs[4]["code"] == 130, c.err(4)
    asr_bytes, asr_stage = c.snapshots["asr_done"]
    assert (c.project / "asr.json").read_bytes() == asr_bytes  # ASR kept, not recomputed
    assert c.stages()["asr"] == asr_stage
    for run in (4, 5, 6, 7):
        assert c.events(run, "asr_window") == []
    assert "diarization" in c.stages() and c.json("diarization.json")["turns"]


@pytest.mark.slow
def test_cancel_leaves_no_half_written_files(chain):
    c = chain
    assert (c.snapshots["clean4"], c.snapshots["clean6"]) == ("", "")
    for run in (4, 6):
        assert c.runs[run]["code"] == 130 and "Traceback" not in c.err(run), c.err(run)
        assert c.runs[run]["exit_s"] < 60  # the running step ends promptly


@pytest.mark.slow
def test_draft_resumes_per_agenda_item(chain):
    c = chain
    assert c.runs[5]["code"] == -signal.SIGKILL
    assert c.runs[6]["code"] == 130, c.err(6)
    assert c.runs[7]["code"] == 0, c.err(7)
    kept5, kept6 = c.snapshots["draft5"]["items"], c.snapshots["draft6"]["items"]
    assert 0 < len(kept5) < len(kept6)
    assert all(kept6[k] == v for k, v in kept5.items())  # run 6 kept run 5's items
    numbers = {k: v["number"] or v["title"] for k, v in kept6.items()}
    drafted6 = c.events(6, "draft_item")
    drafted7 = c.events(7, "draft_item")
    # The re-runs draft only the remaining items.
    assert not set(drafted6) & {numbers[k] for k in kept5}
    assert not set(drafted7) & set(numbers.values())
    minutes = c.json("draft.json")
    assert minutes is not None and not (c.project / "draft.partial.json").exists()
    final = {i["number"] or i["title"]: i for i in minutes["agenda_items"]}
    for item in kept6.values():
        got = final[item["number"] or item["title"]]
        for field in ("discussion", "resolution", "motions", "vote", "evidence", "flags", "start", "end"):
            assert got[field] == item[field], field
    agenda_lines = [x for x in (EXAMPLES / "beispielsitzung_tagesordnung.txt").read_text().splitlines() if x]
    assert len(minutes["agenda_items"]) >= len(agenda_lines)
    assert (c.root / "entwurf.docx").stat().st_size > 1000


# -- the draft's resume logic, fast (scripted engine, no model) ---------------------------


def _scripted():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import test_drafting_draft as t

    reply = json.dumps({"discussion": "Der Rat berät den Punkt ausführlich und sachlich.", "resolution": ""})
    return t, t.ScriptedEngine(lambda messages: reply)


def test_draft_reuses_saved_items_and_saves_each_new_one(tmp_path):
    from minutes_app.base.errors import Cancelled
    from minutes_app.base.jobs import CancelToken
    from minutes_app.drafting.draft import draft_minutes, load_partial, partial_saver

    t, engine = _scripted()
    path, key = tmp_path / "draft.partial.json", {"model": "scripted", "input": "abc"}
    token = CancelToken()
    saved: list[str] = []
    saver = partial_saver(path, key, {})

    def on_item(span_key, item):  # type: ignore[no-untyped-def]
        saver(span_key, item)
        saved.append(span_key)
        if len(saved) == 2:
            token.cancel()  # "killed" after the second item

    with pytest.raises(Cancelled):
        draft_minutes(t.session(), t.SPEAKERS, t.AGENDA, engine, cancel=token, on_item=on_item)
    calls_first = len(engine.prompts)
    done = load_partial(path, key)
    assert list(done) == saved and len(done) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    engine.prompts.clear()
    resumed = draft_minutes(
        t.session(), t.SPEAKERS, t.AGENDA, engine, done=done, on_item=partial_saver(path, key, done)
    )
    full_engine = t.ScriptedEngine(engine.reply)
    full = draft_minutes(t.session(), t.SPEAKERS, t.AGENDA, full_engine)
    assert resumed.to_dict() == full.to_dict()  # same minutes as an uninterrupted run
    # The resumed run asks the model exactly what the killed run had not asked yet (items
    # without a motion or unread vote need no call at all, so the saved ones may have needed none).
    assert len(engine.prompts) > 0 and calls_first + len(engine.prompts) == len(full_engine.prompts)
    assert len(load_partial(path, key)) == len(full.agenda_items)
    # Another key (other model, prompts or an edited transcript): nothing is reused.
    assert load_partial(path, {**key, "input": "edited"}) == {}
    path.write_text("{ kaputt", encoding="utf-8")
    assert load_partial(path, key) == {}


@pytest.mark.slow
def test_ctrl_c_in_asr_exits_130(chain):
    c = chain
    assert c.snapshots["clean2"] == ""
    assert c.runs[2]["code"] == 130, c.err(2)
    assert "Traceback" not in c.err(2) and "terminate called" not in c.err(2)
