"""Kill `minutes-app run` with SIGKILL at points spread over the whole run, then re-run it.

1. A full run on a fresh project (the baseline of this run), its timeline taken from the
   project folder (decode, ASR windows, diarization blocks, ASR, diarization, each draft
   item, draft, exit), polled every 0.1 s.
2. For every kill point: a fresh project, `run` killed with SIGKILL at the point (its
   process only, as the OOM killer or Task Manager would: the workers must end by
   themselves), then the same `run` again, timed. "saved at" is when the last result the
   re-run could take was written before the kill; goal: re-run <= full - 0.8 x saved at.
   "children gone s": how long the killed run's processes lived on after it (bound: 2 s).
3. Cancel under load (--load): two busy processes on both cores, Ctrl-C (SIGINT to the
   process group, as a terminal sends it) during ASR, diarization and drafting of `run`
   and during `transcribe`; and the GUI path (run_pipeline in a thread, the token set as
   "Abbrechen" sets it): seconds until the work has ended.

    nice -n 10 python bench/kill_resume.py [--audio A] [--agenda T] [--load] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import REPO, table

EXAMPLES = REPO / "resources" / "examples"


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _state(project: Path) -> dict[str, Any]:
    """What a re-run could take from the project folder now."""
    stages = (_json(project / "project.json") or {}).get("stages", {})
    asr = ((_json(project / "asr.partial.json") or {}).get("transcript") or {}).get("duration", 0.0)
    blocks = len((_json(project / "diarization.partial.json") or {}).get("blocks", []))
    items = len((_json(project / "draft.partial.json") or {}).get("items", {}))
    return {
        "stages": tuple(s for s in ("decode", "asr", "diarization", "align", "draft") if s in stages),
        "asr_s": round(float(asr), 1),
        "blocks": blocks,
        "items": items,
    }


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z":
                alive.add(pid)
        except OSError:
            continue
    return alive


class Runner:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args, self.root = args, root

    def command(self, project: Path, name: str = "run") -> list[str]:
        cmd = [sys.executable, "-m", "minutes_app", "run", str(self.args.audio), "--project", str(project)]
        if self.args.agenda:
            cmd += ["--agenda", str(self.args.agenda)]
        if self.args.attendees:
            cmd += ["--attendees", str(self.args.attendees)]
        return [*cmd, "--llm-model", self.args.llm_model, "-o", str(self.root / f"{name}.docx")]

    def run(self, project: Path, until: Any = None, sig: int = signal.SIGKILL) -> dict[str, Any]:
        """Run to the end (timeline) or until ``until(elapsed, state, timeline)`` holds, then ``sig``."""
        started = time.monotonic()
        proc = subprocess.Popen(
            self.command(project),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.root,
            start_new_session=True,
        )
        timeline: list[tuple[float, dict[str, Any]]] = []
        last = None
        children: set[int] = set()
        try:
            while proc.poll() is None:
                now = time.monotonic() - started
                state = _state(project)
                if state != last:
                    timeline.append((now, state))
                    last = state
                children |= _children(proc.pid)
                if until is not None and until(now, state, timeline):
                    killed = time.monotonic()
                    if sig == signal.SIGKILL:
                        os.kill(proc.pid, sig)  # the parent only
                    else:
                        os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole group
                    proc.wait(timeout=120)
                    exited = time.monotonic()
                    ended = exited - killed
                    while _alive(children) and time.monotonic() - exited < 10:
                        time.sleep(0.02)  # the children end by themselves (base/lifetime.py)
                    return {
                        "killed_at": now,
                        "exit_s": ended,
                        "code": proc.returncode,
                        "orphans_s": time.monotonic() - exited,
                        "left": len(_alive(children)),
                        "timeline": timeline,
                        "state": _state(project),
                    }
                time.sleep(0.1)
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if proc.returncode != 0:
                raise RuntimeError(f"run failed ({proc.returncode}): {err[-2000:]}")
            timeline.append((time.monotonic() - started, {**_state(project), "exit": True}))
            return {"s": time.monotonic() - started, "timeline": timeline}
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            for pid in _alive(children):
                os.kill(pid, signal.SIGKILL)


def _saved_at(kill: dict[str, Any]) -> float:
    """When the killed run wrote the last state the re-run can take (its timeline)."""
    final = kill["state"]
    for at, state in kill["timeline"]:
        if state == final:
            return at
    return 0.0


def _first(timeline: list[tuple[float, dict[str, Any]]], test: Any) -> float:
    return next((at for at, state in timeline if test(state)), timeline[-1][0])


def kill_points(timeline: list[tuple[float, dict[str, Any]]]) -> list[tuple[str, Any]]:
    """(name, until) for the kill points, placed by the full run's timeline."""
    end = timeline[-1][0]
    t_decode = _first(timeline, lambda s: "decode" in s["stages"])
    t_asr = _first(timeline, lambda s: "asr" in s["stages"])
    t_diar = _first(timeline, lambda s: "diarization" in s["stages"])
    t_align = _first(timeline, lambda s: "align" in s["stages"])
    items = max(s["items"] for _, s in timeline)
    t_items = [_first(timeline, lambda s, k=k: s["items"] >= k) for k in range(1, items + 1)]
    t_draft = _first(timeline, lambda s: "draft" in s["stages"])

    def at(seconds: float) -> Any:
        return lambda now, state, tl: now >= seconds

    def after(test: Any, delay: float) -> Any:
        seen: list[float] = []

        def until(now: float, state: dict[str, Any], tl: Any) -> bool:
            if not seen and test(state):
                seen.append(now)
            return bool(seen) and now >= seen[0] + delay

        return until

    points = [("decode", at(t_decode * 0.6))]
    both = max(t_asr, t_diar)
    for share in (1 / 3, 2 / 3):
        points.append((f"ASR+diarization {share:.0%}", at(t_decode + (both - t_decode) * share)))
    first, second = ("asr", "diarization") if t_asr <= t_diar else ("diarization", "asr")
    gap = (both - min(t_asr, t_diar)) / 2
    points.append((f"{first} done, {second} running", after(lambda s: first in s["stages"], gap)))
    starts = [t_align, *t_items]
    for k in range(min(items, 3)):
        half = (starts[k + 1] - starts[k]) / 2 if k + 1 < len(starts) else 1.0
        points.append(
            (f"draft item {k + 1}", after(lambda s, k=k: "align" in s["stages"] and s["items"] >= k, half))
        )
    points.append(("export", after(lambda s: "draft" in s["stages"], max(0.2, (end - t_draft) / 3))))
    return points


def resume_table(args: argparse.Namespace, root: Path) -> list[dict[str, Any]]:
    runner = Runner(args, root)
    if args.full_json:  # the full run of an earlier invocation (points split over two runs)
        full = json.loads(args.full_json.read_text(encoding="utf-8"))
    else:
        full = runner.run(root / "full")
    print(json.dumps({"full": full}, default=list), flush=True)
    rows = []
    for index, (name, until) in enumerate(kill_points(full["timeline"])):
        if args.points and index not in args.points:
            continue
        project = root / f"kill{index}"
        kill = runner.run(project, until)
        rerun = runner.run(project)
        saved = _saved_at(kill)
        row = {
            "point": name,
            "killed at s": kill["killed_at"],
            "saved": _describe(kill["state"]),
            "saved at s": saved,
            "children gone s": kill["orphans_s"],
            "re-run s": rerun["s"],
            "full s": full["s"],
            "goal s": full["s"] - 0.8 * saved,
        }
        row["met"] = "yes" if row["re-run s"] <= row["goal s"] else "no"
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def _describe(state: dict[str, Any]) -> str:
    parts = list(state["stages"])
    if "asr" not in parts and state["asr_s"]:
        parts.append(f"ASR to {state['asr_s']:.0f} s")
    if "diarization" not in parts and state["blocks"]:
        parts.append(f"{state['blocks']} diarization blocks")
    if "draft" not in parts and state["items"]:
        parts.append(f"{state['items']} items")
    return ", ".join(parts) or "nothing"


GUI_CANCEL = r"""
import json, sys, threading, time
from pathlib import Path
from minutes_app.base.errors import Cancelled
from minutes_app.base.jobs import CancelToken
from minutes_app.pipeline.run import PipelineOptions, run_pipeline
from minutes_app.session.project import Project
project = Project.open_or_create(Path(sys.argv[1]), Path(sys.argv[2]))
token, ended, seen = CancelToken(), [], []
def progress(fraction, message=""):
    seen.append(message)
def work():
    try:
        run_pipeline(project, PipelineOptions(llm_model=sys.argv[3], draft=False), None, progress, token)
    except Cancelled:
        ended.append(time.monotonic())
thread = threading.Thread(target=work, daemon=True)
thread.start()
while "Spracherkennung" not in seen:
    time.sleep(0.05)
time.sleep(float(sys.argv[4]))
cancelled = time.monotonic()
token.cancel()
while not ended:
    time.sleep(0.01)
print(json.dumps({"answer_s": ended[0] - cancelled}))
os_exit = __import__("os")._exit
os_exit(0)
"""


def cancel_table(args: argparse.Namespace, root: Path, full_project: Path) -> list[dict[str, Any]]:
    """Ctrl-C / Abbrechen under load: two busy processes on both cores."""
    from minutes_app.session.project import Project

    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(2)
    ]
    rows = []
    try:
        runner = Runner(args, root)
        for stage in ("asr", "diarization", "draft"):
            project = root / f"cancel-{stage}"
            if stage == "asr":
                until = _after_seconds(lambda s: "decode" in s["stages"], 8.0)
            else:
                shutil.copytree(full_project, project)
                loaded = Project.load(project)
                loaded.invalidate(stage)
                loaded.save()
                until = _after_seconds(lambda s: True, 12.0)
            out = runner.run(project, until, signal.SIGINT)
            rows.append(
                {
                    "what": f"run, Ctrl-C in {stage}",
                    "answer s": out["exit_s"],
                    "exit": out["code"],
                    "children gone s": out["orphans_s"],
                }
            )
            print(json.dumps(rows[-1]), flush=True)
        proc = subprocess.Popen(
            [sys.executable, "-m", "minutes_app", "transcribe", str(args.audio), "-o", str(root / "t.json")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(15.0)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=120)
        rows.append(
            {"what": "transcribe, Ctrl-C", "answer s": time.monotonic() - sent, "exit": proc.returncode}
        )
        print(json.dumps(rows[-1]), flush=True)
        gui = subprocess.run(
            [
                sys.executable,
                "-c",
                GUI_CANCEL,
                str(root / "cancel-gui"),
                str(args.audio),
                args.llm_model,
                "8",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        answer = json.loads(gui.stdout.strip().splitlines()[-1])["answer_s"]
        rows.append({"what": "run_pipeline (GUI path), Abbrechen in ASR", "answer s": answer})
        print(json.dumps(rows[-1]), flush=True)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    return rows


def _after_seconds(test: Any, delay: float) -> Any:
    seen: list[float] = []

    def until(now: float, state: dict[str, Any], tl: Any) -> bool:
        if not seen and test(state):
            seen.append(now)
        return bool(seen) and now >= seen[0] + delay

    return until


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audio", type=Path, default=EXAMPLES / "beispielsitzung.ogg")
    parser.add_argument("--agenda", type=Path, default=EXAMPLES / "beispielsitzung_tagesordnung.txt")
    parser.add_argument("--attendees", type=Path, default=EXAMPLES / "beispielsitzung_anwesende.csv")
    parser.add_argument("--llm-model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--load", action="store_true", help="also measure cancelling under load")
    parser.add_argument("--only-cancel", action="store_true")
    parser.add_argument("--full-project", type=Path, help="a finished project of --audio (cancel table)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--full-json", type=Path, help='{"s": ..., "timeline": ...} of a full run')
    parser.add_argument("--points", type=lambda t: {int(i) for i in t.split(",")}, help="e.g. 5,6,7")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    root = Path(tempfile.mkdtemp(prefix="kill_resume-"))
    result: dict[str, Any] = {}
    try:
        if not args.only_cancel:
            rows = resume_table(args, root)
            result["resume"] = rows
            print(table(rows, list(rows[0])), flush=True)
        if args.load or args.only_cancel:
            full = args.full_project or root / "full"
            if not (full / "draft.json").exists():
                Runner(args, root).run(full)
            rows = cancel_table(args, root, full)
            result["cancel"] = rows
            print(table(rows, ["what", "answer s", "exit", "children gone s"]), flush=True)
    finally:
        if args.json:
            args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
