"""The shared inference server as a deployment (docs/server.md), against real servers.

The happy paths run against real OpenAI-compatible servers started on 127.0.0.1:
faster-whisper-server for ``/v1/audio/transcriptions`` and ``transformers serve`` for
``/v1/chat/completions`` (``tests/support/servers.py``). Only the error paths a real
server cannot be made to produce on demand (HTTP 401, 500, a hanging answer, a server
that rejects an optional field) use a small stdlib server inside this file.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from support.servers import LLM_NAME, closed_port_url, hf_llm_dir, llm_server, whisper_server

from minutes_app.asr.server import ESTIMATED_PROBABILITY, ESTIMATED_SUFFIX, ServerASR, ServerASROptions
from minutes_app.asr.wer import wer
from minutes_app.asr.whisper import SAMPLE_RATE, ASROptions, WhisperASR
from minutes_app.audio.decode import decode_audio
from minutes_app.base.errors import Cancelled, EngineError, ServerUnavailable
from minutes_app.base.jobs import CancelToken
from minutes_app.base.types import AgendaItem
from minutes_app.drafting.engines import make_engine
from minutes_app.drafting.engines.fallback import FallbackEngine
from minutes_app.drafting.engines.openai import OpenAIEngine
from minutes_app.pipeline.run import PipelineOptions, run_pipeline
from minutes_app.session import audit
from minutes_app.session.project import Project

pytestmark = pytest.mark.slow
MESSAGES = [{"role": "user", "content": "Nenne eine Farbe."}]
SILENCE = np.zeros(SAMPLE_RATE, np.float32)


@pytest.fixture(scope="session")
def asr_url(model_path, tmp_path_factory) -> Iterator[str]:
    server = whisper_server(model_path("whisper-base"), tmp_path_factory.mktemp("fws"))
    server.start(ready_timeout=120)
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def llm_url(model_path, tmp_path_factory) -> Iterator[str]:
    hf_dir = hf_llm_dir(model_path(LLM_NAME).parent)
    server = llm_server(hf_dir, tmp_path_factory.mktemp("tserve"))
    server.start(ready_timeout=600)  # loads the model before /health answers
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def local_asr(model_path) -> Iterator[WhisperASR]:
    asr = WhisperASR(model_path("whisper-base"), ASROptions(threads=2, device="cpu", batch_size=1))
    yield asr
    asr.close()


def _refs(shared_fixtures: Path) -> dict[str, str]:
    lines = (shared_fixtures / "audio" / "thorsten.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines)


# -- real servers: the happy paths ---------------------------------------------------------


@pytest.mark.parametrize("clip", ["thorsten_1.wav", "thorsten_2.wav"])
def test_server_transcript_is_as_good_as_local(asr_url, local_asr, shared_fixtures, clip):
    audio = decode_audio(shared_fixtures / "audio" / clip)
    reference = _refs(shared_fixtures)[clip]
    served = ServerASR(ServerASROptions(asr_url, retries=0)).transcribe(audio)
    local = local_asr.transcribe(audio)
    server_wer = wer(reference, " ".join(s.text for s in served.segments))
    local_wer = wer(reference, " ".join(s.text for s in local.segments))
    assert server_wer < 0.25 and server_wer <= local_wer + 0.1, (server_wer, local_wer)
    # faster-whisper-server sends segments without words: their times are spread and marked.
    words = [w for s in served.segments for w in s.words]
    assert words and all(w.probability == ESTIMATED_PROBABILITY for w in words)
    assert all(0.0 <= w.start <= w.end <= len(audio) / SAMPLE_RATE + 0.01 for w in words)
    assert served.model == "server:whisper-1" + ESTIMATED_SUFFIX and served.language == "de"


def test_server_windows_shift_times_and_resume(asr_url, shared_fixtures):
    a = decode_audio(shared_fixtures / "audio" / "thorsten_1.wav")
    b = decode_audio(shared_fixtures / "audio" / "thorsten_2.wav")
    audio = np.concatenate([a, np.zeros(SAMPLE_RATE, np.float32), b])
    asr = ServerASR(ServerASROptions(asr_url, retries=0, window_seconds=8.0))
    partials, seen = [], []
    full = asr.transcribe(
        audio, progress=lambda f, m="": seen.append(f), on_chunk=lambda t, d: partials.append(t)
    )
    assert len(partials) >= 2 and seen[-1] == 1.0
    text = " ".join(s.text for s in full.segments).lower()
    assert "sitzungen" in text and "türen" in text
    second = next(s for s in full.segments if "türen" in s.text.lower())
    assert second.start > 5.0  # the second window's times are shifted by its offset
    resumed = asr.transcribe(audio, resume=partials[0])
    assert [s.text for s in resumed.segments] == [s.text for s in full.segments]


def _project(tmp_path: Path, shared_fixtures: Path) -> Project:
    project = Project.open_or_create(tmp_path / "sitzung", shared_fixtures / "audio" / "thorsten_1.wav")
    project.agenda = [AgendaItem("1", "Bericht aus den Sitzungen")]
    project.set_item_start("1", 0.0)  # one item from the start: one model call
    project.save()
    return project


def test_pipeline_on_the_servers_makes_a_draft(asr_url, llm_url, tmp_path, shared_fixtures):
    project = _project(tmp_path, shared_fixtures)
    options = PipelineOptions(
        asr_engine="server",
        asr_server_url=asr_url,
        llm_engine="openai",
        llm_server_url=llm_url,
        llm_model=LLM_NAME,  # the name transformers serve answers to
        threads=2,
        device="cpu",
    )
    result = run_pipeline(project, options)
    assert result.transcript.model.startswith("server:")
    assert "sitzungen" in " ".join(s.text for s in result.transcript.segments).lower()
    assert result.minutes is not None and [i.number for i in result.minutes.agenda_items] == ["1"]
    assert result.minutes.engine == "openai" and result.minutes.model == LLM_NAME
    stages = Project.load(project.folder).data["stages"]
    assert stages["asr"]["engine"] == "server" and "fallback" not in stages["asr"]
    assert stages["asr"]["key"]["engine"] == "server"
    assert not [e for e in audit.read(project) if e.action == "lokal_statt_server"]


def test_server_check_command(asr_url, llm_url, tmp_path, monkeypatch, capsys):
    """The admin's settings file sets both servers for every user (locked)."""
    from minutes_app.cli.main import main

    system = tmp_path / "system.json"
    defaults = {"llm_engine": "openai", "llm_server_url": llm_url, "llm_model": LLM_NAME}
    defaults |= {"asr_engine": "server", "asr_server_url": asr_url}
    system.write_text(json.dumps({"defaults": defaults, "locked": sorted(defaults)}), encoding="utf-8")
    monkeypatch.setenv("MINUTES_APP_SYSTEM_SETTINGS", str(system))
    monkeypatch.setenv("MINUTES_APP_CONFIG", str(tmp_path / "config"))
    assert main(["server", "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("OK ") == 4 and "FEHLER" not in out, out
    assert LLM_NAME in out  # transformers serve lists its model
    defaults["asr_server_url"] = closed_port_url()
    system.write_text(json.dumps({"defaults": defaults, "locked": sorted(defaults)}), encoding="utf-8")
    assert main(["server", "check"]) == 1
    out = capsys.readouterr().out
    assert "FEHLER  Transkriptionsserver" in out and "nicht erreichbar" in out


# -- the server is down --------------------------------------------------------------------


def test_server_down_retries_then_says_so_in_german():
    retries: list[str] = []
    asr = ServerASR(ServerASROptions(closed_port_url(), retries=2), on_retry=retries.append)
    started = time.perf_counter()
    with pytest.raises(
        ServerUnavailable, match=r"Transkriptionsserver unter .* ist nicht erreichbar"
    ) as info:
        asr.transcribe(SILENCE)
    assert "Verbindung abgelehnt; 3 Versuche" in str(info.value)
    assert len(retries) == 2 and "neuer Versuch 2 von 3" in retries[0]
    assert 1.0 < time.perf_counter() - started < 10  # backoff 0.5 s + 1 s, nothing more
    engine = make_engine("openai", None, server_url=closed_port_url(), retries=1)
    with pytest.raises(ServerUnavailable, match="Sprachmodell-Server .* nicht erreichbar"):
        engine.generate(MESSAGES, 5)


def test_pipeline_falls_back_to_local_and_records_it(tmp_path, shared_fixtures):
    project = _project(tmp_path, shared_fixtures)
    options = PipelineOptions(
        asr_engine="server",
        asr_server_url=closed_port_url(),
        llm_engine="openai",
        llm_server_url=closed_port_url(),
        llm_model=LLM_NAME,  # also in the local store: the fallback takes it
        server_retries=1,
        threads=2,
        device="cpu",
    )
    result = run_pipeline(project, options)
    assert result.transcript.model == "whisper-base"
    assert "sitzungen" in " ".join(s.text for s in result.transcript.segments).lower()
    stage = Project.load(project.folder).data["stages"]["asr"]
    assert stage["engine"] == "local" and "nicht erreichbar" in stage["fallback"]
    assert result.minutes is not None and result.minutes.model == LLM_NAME
    assert result.minutes.engine.startswith("ct2 (lokal")
    entries = audit.read(project)
    fallback = [e for e in entries if e.action == "lokal_statt_server"]
    assert len(fallback) == 1 and fallback[0].target == "Spracherkennung"
    assert "nicht erreichbar" in (fallback[0].note or "")
    drafted = [e for e in entries if e.action == "entwurf_erzeugt"]
    assert drafted and "lokal" in (drafted[-1].note or "")


def test_cli_without_fallback_fails_with_german_message(tmp_path, shared_fixtures, monkeypatch):
    from test_cli_e2e import run_cli

    config = tmp_path / "config"
    config.mkdir()
    settings = {"settings_version": 1, "asr_engine": "server", "asr_server_url": closed_port_url()}
    settings |= {"server_fallback_local": False, "server_retries": 1}
    (config / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("MINUTES_APP_CONFIG", str(config))
    audio = shared_fixtures / "audio" / "thorsten_1.wav"
    out = tmp_path / "x.docx"
    proc = run_cli(
        "run", str(audio), "--no-draft", "--project", str(tmp_path / "p"), "-o", str(out), timeout=600
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Transkriptionsserver unter" in proc.stderr and "server_fallback_local" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


# -- error paths a real server does not produce on demand ------------------------------------


class _Fake(BaseHTTPRequestHandler):
    mode = "401"
    hits: list[dict[str, object]]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may have given up (timeout test)
            self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.hits.append({"auth": self.headers.get("Authorization"), "body": raw})
        if self.mode == "401":
            self._answer(401, {"error": {"message": "invalid api key"}})
        elif self.mode == "500":
            self._answer(500, {"error": "boom"})
        elif self.mode == "slow":
            time.sleep(3)
            self._answer(200, {"text": "zu spät"})
        elif self.mode == "strict":  # like transformers serve: no "timestamp_granularities[]", text only
            if b"timestamp_granularities[]" in raw:
                self._answer(
                    422, {"detail": "Unexpected fields in the request: {'timestamp_granularities[]'}"}
                )
            else:
                self._answer(200, {"text": "Guten Abend, meine Damen und Herren."})


@pytest.fixture()
def fake() -> Iterator[tuple[str, type[_Fake]]]:
    handler = type("Handler", (_Fake,), {"hits": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", handler
    httpd.shutdown()
    httpd.server_close()


def test_wrong_api_key_is_a_clear_message_and_not_retried(fake):
    url, handler = fake
    with pytest.raises(EngineError, match="lehnt den Zugriff ab \\(HTTP 401\\).*API-Schlüssel") as info:
        ServerASR(ServerASROptions(url, api_key="falsch", retries=2)).transcribe(
            np.zeros(SAMPLE_RATE, np.float32)
        )
    assert not isinstance(info.value, ServerUnavailable)
    assert len(handler.hits) == 1 and handler.hits[0]["auth"] == "Bearer falsch"
    # A wrong key is not "server down": no silent fallback to this PC either.
    engine = make_engine("openai", None, server_url=url, api_key="falsch", fallback_local=True)
    assert isinstance(engine, FallbackEngine)
    with pytest.raises(EngineError, match="API-Schlüssel"):
        engine.generate(MESSAGES, 5)
    assert engine.local is None


def test_server_errors_are_retried_then_unavailable(fake):
    url, handler = fake
    handler.mode = "500"
    engine = OpenAIEngine(url, retries=2)
    with pytest.raises(ServerUnavailable, match=r"nicht verfügbar \(HTTP 500: boom; 3 Versuche\)"):
        engine.generate(MESSAGES, 5)
    assert len(handler.hits) == 3


def test_timeout_and_cancel_while_waiting(fake):
    url, handler = fake
    handler.mode = "slow"
    asr = ServerASR(ServerASROptions(url, timeout_s=1, retries=1))
    with pytest.raises(ServerUnavailable, match="keine Antwort innerhalb von 1 Sekunden; 2 Versuche"):
        asr.transcribe(SILENCE)
    assert len(handler.hits) == 2
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        ServerASR(ServerASROptions(url, timeout_s=30)).transcribe(
            np.zeros(SAMPLE_RATE, np.float32), cancel=token
        )
    assert time.perf_counter() - started < 1.5


def test_server_without_optional_fields_and_words(fake):
    url, handler = fake
    handler.mode = "strict"
    audio = np.zeros(3 * SAMPLE_RATE, np.float32)
    result = ServerASR(ServerASROptions(url, model="whisper-large", prompt="Rat")).transcribe(audio)
    assert len(handler.hits) == 2  # once with every field, once without the optional ones
    second = handler.hits[1]["body"]
    assert (
        isinstance(second, bytes) and b"timestamp_granularities" not in second and b"whisper-large" in second
    )
    [segment] = result.segments
    assert segment.text == "Guten Abend, meine Damen und Herren." and segment.start == 0.0
    assert [w.word for w in segment.words][:2] == [" Guten", " Abend,"]
    assert segment.words[-1].end == pytest.approx(3.0, abs=0.01)
    assert all(w.probability == ESTIMATED_PROBABILITY for w in segment.words)
