"""``minutes-app server check``: can this PC use the configured inference servers?

For the IT (docs/server.md). Contacts the LLM server (``llm_server_url``) and the
transcription server (``asr_server_url``) as configured in the settings, asks each
for its models (``GET /v1/models``, else ``/health``) and sends one tiny request
(one token of chat; one second of silence to transcribe). Prints one German status
line per step; exit 0 if every configured server answered, 1 otherwise.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from ..base.errors import UserError
from ..base.remote import Server, ServerRejected, check_url

PROBE_TIMEOUT_S = 30.0


def register(sub: Any) -> None:
    p = sub.add_parser("server", help="gemeinsamen Inferenz-Server prüfen (für die IT)")
    server_sub = p.add_subparsers(dest="server_command", required=True, metavar="AKTION")
    check = server_sub.add_parser("check", help="Sprachmodell- und Transkriptionsserver testen")
    check.add_argument(
        "--timeout", type=float, default=PROBE_TIMEOUT_S, help="Wartezeit je Anfrage in Sekunden"
    )
    check.set_defaults(func=cmd_check)


def _step(label: str, work: Callable[[], str]) -> bool:
    started = time.perf_counter()
    try:
        detail = work()
    except UserError as exc:
        print(f"FEHLER  {label}: {exc}")
        return False
    print(f"OK      {label}: {detail} ({time.perf_counter() - started:.1f} s)")
    return True


def _models(server: Server) -> str:
    try:
        data = server.get_json("/models")
    except ServerRejected as exc:
        if exc.status != 404:
            raise
        server.get_json("//health")  # e.g. faster-whisper-server: no model list, a health check
        return "erreichbar (keine Modellliste, /health antwortet)"
    ids = (
        [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]
        if isinstance(data, dict)
        else []
    )
    return "erreichbar, Modelle: " + (", ".join(ids) if ids else "keine genannt")


def check_llm(settings: Any, timeout: float) -> bool:
    from ..drafting.engines.openai import WHAT, OpenAIEngine

    url = str(settings.get("llm_server_url"))
    try:
        check_url(url, "llm_server_url", WHAT)
    except UserError as exc:
        print(f"FEHLER  {WHAT}: {exc}")
        return False
    key, model = str(settings.get("llm_api_key")), str(settings.get("llm_model"))
    server = Server(url, WHAT, key, timeout, retries=0)
    if not _step(f"{WHAT} {server.base}", lambda: _models(server)):
        return False
    engine = OpenAIEngine(url, key, model, timeout, retries=0)
    messages = [{"role": "user", "content": "Antworte nur mit: OK"}]
    return _step(
        f"{WHAT}, Probe-Anfrage an Modell „{model or '(Standard des Servers)'}“",
        lambda: f"Antwort „{engine.generate(messages, 3).strip()[:40]}“",
    )


def check_asr(settings: Any, timeout: float) -> bool:
    import numpy as np

    from ..asr.server import ENDPOINT, WHAT, ServerASR, ServerASROptions

    url = str(settings.get("asr_server_url"))
    try:
        check_url(url, "asr_server_url", WHAT)
    except UserError as exc:
        print(f"FEHLER  {WHAT}: {exc}")
        return False
    key = str(settings.get("asr_api_key") or settings.get("llm_api_key"))
    server = Server(url, WHAT, key, timeout, retries=0)
    if not _step(f"{WHAT} {server.base}", lambda: _models(server)):
        return False
    options = ServerASROptions(url, str(settings.get("asr_server_model")), key, timeout_s=timeout, retries=0)
    asr = ServerASR(options)

    def probe() -> str:
        asr.transcribe(np.zeros(16000, np.float32))
        return f"{ENDPOINT} antwortet"

    return _step(f"{WHAT}, Probe-Transkription (1 s Stille, Modell „{asr.model_name}“)", probe)


def cmd_check(args: argparse.Namespace) -> int:
    from ..base.settings import Settings

    settings = Settings.load()
    llm = settings.get("llm_engine") == "openai" or bool(str(settings.get("llm_server_url")).strip())
    asr = settings.get("asr_engine") == "server" or bool(str(settings.get("asr_server_url")).strip())
    if not llm and not asr:
        print(
            "Es ist kein Server eingestellt (llm_engine und asr_engine rechnen auf diesem PC). "
            "Einrichtung: docs/server.md."
        )
        return 1
    results = []
    if llm:
        results.append(check_llm(settings, args.timeout))
    if asr:
        results.append(check_asr(settings, args.timeout))
    fallback = "an" if settings.get("server_fallback_local") else "aus"
    print(f"Ausweichen auf diesen PC bei Serverausfall (server_fallback_local): {fallback}")
    return 0 if all(results) else 1
