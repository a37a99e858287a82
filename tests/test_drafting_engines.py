"""Real engines on the 0.5B test model: CTranslate2, transformers (GGUF), OpenAI-compatible server.

The OpenAI engine is tested against a real HTTP server on 127.0.0.1 whose answers come
from the CTranslate2 engine, not from canned text.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from minutes_app.base.errors import Cancelled, EngineError, ModelMissingError
from minutes_app.base.jobs import CancelToken
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.drafting.engines.ct2 import CT2Engine
from minutes_app.drafting.engines.hf import TransformersEngine
from minutes_app.drafting.engines.openai import OpenAIEngine

pytestmark = pytest.mark.slow
MODEL = "qwen2.5-coder-0.5b"
MESSAGES = [
    {"role": "system", "content": "Du antwortest kurz auf Deutsch."},
    {"role": "user", "content": "Nenne drei Farben."},
]


@pytest.fixture(scope="session")
def ct2_engine(model_path) -> CT2Engine:
    engine = make_engine("ct2", model_path(MODEL), EngineOptions(threads=2))
    assert isinstance(engine, CT2Engine)
    return engine


def test_ct2_streams_and_is_deterministic(ct2_engine: CT2Engine) -> None:
    pieces: list[str] = []
    text = ct2_engine.generate(MESSAGES, 24, on_token=pieces.append)
    assert text.strip() and "<|im_end|>" not in text
    assert "".join(pieces) == text
    assert ct2_engine.generate(MESSAGES, 24) == text
    assert ct2_engine.model_id == MODEL and ct2_engine.name == "ct2"
    assert 5 < ct2_engine.count_tokens("Das ist eine deutliche Mehrheit.") < 20


def test_ct2_cancel_mid_generation(ct2_engine: CT2Engine) -> None:
    token = CancelToken()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        ct2_engine.generate(
            [{"role": "user", "content": "Zähle von 1 bis 100."}], 200, cancel=token, on_token=on_token
        )
    assert len(pieces) == 3


def test_ct2_missing_model(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="CTranslate2"):
        make_engine("ct2", tmp_path)
    with pytest.raises(EngineError, match="Unbekannte LLM-Engine"):
        make_engine("llama", tmp_path)


def test_transformers_engine_on_gguf(model_path) -> None:
    engine = make_engine("transformers", model_path(MODEL) / "model.gguf", EngineOptions(device="auto"))
    assert isinstance(engine, TransformersEngine) and engine.gguf_file == "model.gguf"
    pieces: list[str] = []
    text = engine.generate(MESSAGES, 16, on_token=pieces.append)
    assert text.strip() and "<|im_end|>" not in text
    assert "".join(pieces) == text
    engine.close()


class _Handler(BaseHTTPRequestHandler):
    engine: CT2Engine
    api_key = "geheim"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        if self.headers.get("Authorization") != f"Bearer {self.api_key}":
            self.send_response(401)
            self.end_headers()
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        args = (body["messages"], int(body["max_tokens"]), float(body.get("temperature", 0.0)))
        if self.path.startswith("/json/") or not body.get("stream"):
            text = self.engine.generate(*args)
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

        def send(piece: str) -> None:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        self.engine.generate(*args, on_token=send)
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture()
def server(ct2_engine: CT2Engine) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"engine": ct2_engine})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_openai_engine_against_local_server(server: str, ct2_engine: CT2Engine) -> None:
    expected = ct2_engine.generate(MESSAGES, 20)
    engine = make_engine("openai", None, EngineOptions(base_url=server, api_key="geheim", model="qwen"))
    assert isinstance(engine, OpenAIEngine)
    pieces: list[str] = []
    assert engine.generate(MESSAGES, 20, on_token=pieces.append) == expected
    assert "".join(pieces) == expected
    plain = OpenAIEngine(server + "/json/v1", api_key="geheim")
    assert plain.generate(MESSAGES, 20) == expected
    with pytest.raises(EngineError, match="API-Schlüssel"):
        OpenAIEngine(server, api_key="falsch").generate(MESSAGES, 20)


def test_openai_engine_server_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = make_engine("openai", None, server_url=f"http://127.0.0.1:{port}", api_key="k", model_id="m")
    assert isinstance(engine, OpenAIEngine) and engine.model_id == "m"
    with pytest.raises(EngineError, match="nicht erreichbar"):
        engine.generate(MESSAGES, 10)
    with pytest.raises(EngineError, match="keine Server-Adresse"):
        make_engine("openai", None, EngineOptions())


def test_ct2_static_prefix_is_the_shared_instructions(model_path, ct2_engine: CT2Engine) -> None:
    """The instructions and examples of the contribution prompt are evaluated once and cached."""
    from minutes_app.drafting.engines.ct2 import split_static
    from minutes_app.drafting.engines.tokenizer import ChatTokenizer
    from minutes_app.drafting.prompts import load_prompt

    tok = ChatTokenizer(model_path(MODEL) / "ct2")
    prompt = load_prompt("contribution", protocol_type="verlauf")
    one = prompt.render(contribution="Wir unterstützen die Vorlage, weil die Horte gebraucht werden.")
    two = prompt.render(contribution="Ich frage, wer die Kosten der Sanierung trägt.")
    head1, rest1 = split_static(tok, one, tok.prompt_ids(one))
    head2, rest2 = split_static(tok, two, tok.prompt_ids(two))
    assert head1 == head2 and len(head1) > 300  # the same cached state for every contribution
    assert head1 + rest1 == tok.prompt_ids(one)
    assert "Wir unterstützen" in tok.decode(rest1) and "Wir unterstützen" not in tok.decode(head1)
    assert split_static(tok, MESSAGES[1:], tok.prompt_ids(MESSAGES[1:])) == ([], tok.prompt_ids(MESSAGES[1:]))
    first = ct2_engine.generate(one, 24)
    assert first.strip() and ct2_engine.generate(one, 24) == first  # cached state, same greedy answer
    # on CPU one after another with the cached instructions (bench/llm_batch_memory.py): the same replies
    assert ct2_engine.generate_many([one, two], 24) == [first, ct2_engine.generate(two, 24)]
