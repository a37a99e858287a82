"""Real inference servers on 127.0.0.1 for the server tests and the server benchmark.

- ``faster-whisper-server`` (pinned in requirements.lock) serves the CTranslate2
  Whisper folder of the model store at ``/v1/audio/transcriptions``; it is started with
  a config file so that it runs like the local engine (int8, VAD, no conditioning on
  the previous text) and under the name ``whisper-1``.
- ``transformers serve`` serves an HF folder of the 0.5B Qwen at ``/v1/chat/completions``.
  The folder is made once from the store's GGUF (``minutes_app.models.convert.gguf_to_hf``,
  float32, about 2.5 GB, two minutes) into ``<data dir>/cache/server-tests`` and reused.

Both run offline (``HF_HUB_OFFLINE=1``); each gets a free port, is waited for with a
timeout (the failure names the server's last log lines) and is stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LLM_NAME = "qwen2.5-coder-0.5b"  # store id, HF folder name and the name the server answers to
DONE_MARK = ".converted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port_url() -> str:
    """A URL where nothing listens (the port was free a moment ago)."""
    return f"http://127.0.0.1:{free_port()}/v1"


def server_env(threads: int = 2) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1")
    env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    env.pop("NETBLOCK_LOG", None)
    return env


class ServerProcess:
    def __init__(self, name: str, cmd: list[str], port: int, log: Path, cwd: Path | None = None) -> None:
        self.name, self.cmd, self.port, self.log, self.cwd = name, cmd, port, log, cwd
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, ready_timeout: float = 600.0, threads: int = 2) -> ServerProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                self.cmd, stdout=out, stderr=subprocess.STDOUT, env=server_env(threads), cwd=self.cwd
            )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} ended at start (exit {self.proc.returncode}):\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} not ready within {ready_timeout:.0f} s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


def whisper_server(model_dir: Path, workdir: Path, threads: int = 2) -> ServerProcess:
    """faster-whisper-server on ``model_dir`` (a CTranslate2 Whisper folder), not started yet."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "fws.yaml"
    config.write_text(
        "models:\n"
        "  - name: whisper-1\n"
        f"    path: {model_dir}\n"
        "    model_options: {device: cpu, compute_type: int8, cpu_threads: %d}\n"
        "    transcribe_options: {beam_size: 5, vad_filter: true, condition_on_previous_text: false}\n"
        % threads,
        encoding="utf-8",
    )
    port = free_port()
    cmd = [str(BIN / "python"), "-m", "faster_whisper_server", "--config", str(config)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
    return ServerProcess("faster-whisper-server", cmd, port, workdir / "fws.log")


def cache_root() -> Path:
    from minutes_app.base.settings import data_dir

    return data_dir() / "cache" / "server-tests"


def hf_llm_dir(store_root: Path, name: str = LLM_NAME) -> Path:
    """``<cache>/<name>``: HF folder of the store's GGUF, converted once (in a child process)."""
    target = cache_root() / name
    if (target / DONE_MARK).is_file():
        return target
    gguf = store_root / name / "model.gguf"
    if not gguf.is_file():
        raise RuntimeError(f"{gguf} missing: run `minutes-app models install --profile test`")
    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.parent.mkdir(parents=True, exist_ok=True)
    code = (
        "import sys; from pathlib import Path; from minutes_app.models.convert import gguf_to_hf; "
        "gguf_to_hf(Path(sys.argv[1]), Path(sys.argv[2]), dtype='float32')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(gguf), str(work)],
        capture_output=True,
        text=True,
        env=server_env(),
        cwd=REPO,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"GGUF -> HF conversion failed:\n{proc.stderr[-3000:]}")
    (work / DONE_MARK).write_text("ok\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    return target


def llm_server(hf_dir: Path, workdir: Path, threads: int = 2) -> ServerProcess:
    """``transformers serve`` pinned to ``hf_dir``, answering to the folder's name (not started).

    It runs in the folder's parent so the relative name resolves to the local folder
    (never to the Hub): requests then name the model as the store does.
    """
    port = free_port()
    cmd = [str(BIN / "transformers"), "serve", hf_dir.name, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--device", "cpu", "--log-level", "info"]
    return ServerProcess(
        "transformers serve", cmd, port, workdir / "transformers-serve.log", cwd=hf_dir.parent
    )
