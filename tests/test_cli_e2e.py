"""The CLI end to end on the bundled example session, with the network blocked.

Runs the real models of the test profile (Whisper base, pyannote + CAM++, the
0.5B LLM: it only proves the plumbing here; `make demo` uses the 1.5B).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"
SUPPORT = Path(__file__).resolve().parent / "support"


def run_cli(
    *args: str, netlog: Path | None = None, timeout: int = 900, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    paths = [str(REPO), env.get("PYTHONPATH", "")]
    if netlog is not None:
        paths.insert(0, str(SUPPORT))
        env["NETBLOCK_LOG"] = str(netlog)
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return subprocess.run(
        [sys.executable, "-m", "minutes_app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def session_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e")
    netlog = out / "net.log"
    proc = run_cli(
        "run",
        str(EXAMPLES / "beispielsitzung.ogg"),
        "--agenda",
        str(EXAMPLES / "beispielsitzung_tagesordnung.txt"),
        "--attendees",
        str(EXAMPLES / "beispielsitzung_anwesende.csv"),
        "--project",
        str(out / "projekt"),
        "--llm-model",
        "qwen2.5-coder-0.5b",
        "-o",
        str(out / "entwurf.docx"),
        "--json",
        str(out / "ergebnis.json"),
        netlog=netlog,
    )
    return out, proc, netlog


def test_run_succeeds_offline_without_any_socket(session_run):
    out, proc, netlog = session_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert not netlog.exists() or netlog.read_text() == "", netlog.read_text()
    assert "Entwurf gespeichert" in proc.stdout


def test_json_output_has_documented_shape(session_run):
    out, proc, _ = session_run
    assert proc.returncode == 0
    data = json.loads((out / "ergebnis.json").read_text())
    assert {"speakers", "segments", "minutes"} <= set(data)
    assert len(data["speakers"]) >= 2
    seg = data["segments"][0]
    assert {"start", "end", "speaker", "text", "words"} <= set(seg)
    assert {"start", "end", "word", "probability"} <= set(seg["words"][0])
    items = data["minutes"]["agenda_items"]
    agenda_lines = [
        line
        for line in (EXAMPLES / "beispielsitzung_tagesordnung.txt").read_text().splitlines()
        if line.strip()
    ]
    assert len(items) == len(agenda_lines)
    for item in items:
        assert {"number", "title", "discussion", "resolution", "vote", "evidence"} <= set(item)
        assert {"outcome", "yes", "no", "abstain"} <= set(item["vote"])
        assert {"start", "end", "public", "paper", "procedure"} <= set(item)
    by_number = {i["number"]: i for i in items}
    assert by_number["2"]["paper"] == "2025/014"  # the Vorlage, kept apart from the title
    assert by_number["2"]["start"] < by_number["3"]["start"] < by_number["4"]["start"]
    assert data["minutes"]["protocol_type"] == "verlauf"
    # The first words of the session (speech starts at 0.0 s) are transcribed.
    assert data["segments"][0]["start"] < 2.0


def test_docx_is_readable_and_marked_as_draft(session_run):
    out, proc, _ = session_run
    assert proc.returncode == 0
    doc = Document(str(out / "entwurf.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "KI-Entwurf" in text
    assert "Niederschrift" in text
    assert "TOP 2" in text


def test_rerun_skips_finished_stages_and_exports_every_format(session_run):
    out, proc, _ = session_run
    assert proc.returncode == 0
    before = json.loads((out / "projekt" / "project.json").read_text())["stages"]
    again = run_cli(
        "run",
        str(EXAMPLES / "beispielsitzung.ogg"),
        "--project",
        str(out / "projekt"),
        "--llm-model",
        "qwen2.5-coder-0.5b",
        "-o",
        str(out / "entwurf2.docx"),
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    after = json.loads((out / "projekt" / "project.json").read_text())["stages"]
    assert after == before  # nothing was recomputed
    for fmt in ("txt", "srt", "vtt", "json", "docx"):
        target = out / f"export.{fmt}"
        res = run_cli("export", str(out / "projekt"), "--format", fmt, "-o", str(target), timeout=120)
        assert res.returncode == 0, res.stderr
        assert target.stat().st_size > 100
    assert (out / "export.srt").read_text().startswith("1\n")
    assert (out / "export.vtt").read_text().startswith("WEBVTT")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["run", "fehlt.wav", "-o", "x.docx"], 2, "nicht gefunden"),
        (["export", "kein_projekt", "--format", "txt", "-o", "x.txt"], 2, "kein Sitzungsprojekt"),
        (
            ["transcribe", str(EXAMPLES / "beispielsitzung.ogg"), "-o", "/proc/x/y.json"],
            2,
            "nicht geschrieben",
        ),
        (
            ["transcribe", str(EXAMPLES / "beispielsitzung.ogg"), "-o", "o.json", "--model", "gibtsnicht"],
            3,
            "gibtsnicht",
        ),
    ],
)
def test_bad_input_messages(tmp_path, args, code, message):
    proc = run_cli(*args, cwd=tmp_path, timeout=120)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unparseable_agenda_leaves_nothing(tmp_path):
    agenda = tmp_path / "tagesordnung.txt"
    agenda.write_bytes(bytes(range(256)) * 10)
    proc = run_cli(
        "run",
        str(EXAMPLES / "beispielsitzung.ogg"),
        "--agenda",
        str(agenda),
        "--project",
        str(tmp_path / "p"),
        "-o",
        str(tmp_path / "o.docx"),
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Tagesordnung" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o.docx").exists()
    assert not (tmp_path / "p").exists()


def test_ctrl_c_cancels_cleanly_with_exit_130(tmp_path, shared_fixtures):
    import signal
    import time

    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = tmp_path / "t.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "minutes_app",
            "transcribe",
            str(shared_fixtures / "sessions" / "ka_elternbeitraege.flac"),
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a test run started in the background of a shell inherits SIGINT ignored: Ctrl-C as a user's
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    # Wait until transcription has really started (the progress bar is drawn).
    seen = ""
    while time.monotonic() < deadline and "Spracherkennung" not in seen:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, seen + err
    assert "Abgebrochen" in err and "Traceback" not in err
    assert not out.exists()


def test_council_commands_items_names_signoff_and_oparl(session_run):
    out, proc, _ = session_run
    assert proc.returncode == 0
    project = str(out / "projekt")
    items = run_cli("items", project, timeout=120)
    assert items.returncode == 0, items.stderr
    assert "TOP 3" in items.stdout and "Baumpflanzprogramm" in items.stdout
    moved = run_cli("items", project, "--start", "3=1:30", timeout=120)
    assert moved.returncode == 0, moved.stderr
    assert json.loads((out / "projekt" / "project.json").read_text())["item_starts"] == {"3": 90.0}
    wrong = run_cli("items", project, "--start", "9=1:30", timeout=120)
    assert wrong.returncode == 2 and "TOP-Nummer" in wrong.stderr

    names = run_cli("names", project, "--accept", "all", timeout=120)
    assert names.returncode == 0, names.stderr
    for line in names.stdout.splitlines():  # every suggestion names someone on the roster
        if line.startswith("SPEAKER_"):
            assert line.split("\t")[1] in (EXAMPLES / "beispielsitzung_anwesende.csv").read_text()

    status = run_cli("signoff", project, timeout=120)
    assert status.returncode == 0 and "Status: Entwurf" in status.stdout
    refused = run_cli("signoff", project, "--pruefen", timeout=120)
    assert refused.returncode == 2 and "TOP" in refused.stderr and "Traceback" not in refused.stderr
    trail = run_cli("signoff", project, "--audit", str(out / "audit.csv"), timeout=120)
    assert trail.returncode == 0, trail.stderr
    text = (out / "audit.csv").read_text(encoding="utf-8-sig")
    assert "entwurf_erzeugt" in text or "Entwurf erzeugt" in text

    oparl = run_cli("export", project, "--format", "oparl", "-o", str(out / "oparl.json"), timeout=120)
    assert oparl.returncode == 0, oparl.stderr
    meeting = json.loads((out / "oparl.json").read_text())
    assert meeting["type"].endswith("/Meeting")
    assert [a["number"] for a in meeting["agendaItem"]][-3:] == ["2", "3", "4"]


def test_roster_of_the_cli_equals_the_session_form(session_run, qtbot, tmp_path):
    """Issue 14 B1: ``run --attendees`` and the session form's text box give the same people."""
    import dataclasses

    from minutes_app.gui.session_form import SessionForm
    from minutes_app.session.project import Project

    out, proc, _ = session_run
    assert proc.returncode == 0
    cli = Project.load(out / "projekt").attendees
    form = SessionForm(tmp_path / "lib")
    qtbot.addWidget(form)
    assert form.import_attendees_file(EXAMPLES / "beispielsitzung_anwesende.csv")
    form.attendees_edit.setPlainText(form.attendees_edit.toPlainText())  # as if typed
    form.name_edit.setText("Umweltausschuss")
    folders = form.submit(process=False)
    assert folders
    typed = Project.load(folders[0]).attendees
    assert [dataclasses.asdict(a) for a in typed] == [dataclasses.asdict(a) for a in cli]
    assert [a.faction for a in cli if a.name in ("Thomas Krüger", "Julia Neumann")] == ["", ""]
