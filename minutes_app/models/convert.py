"""GGUF -> CTranslate2 int8 conversion, run as a child process.

Usage: ``python -m minutes_app.models.convert GGUF_FILE OUT_DIR [--work DIR]``
(or ``... HF_DIR OUT_DIR --from-hf``). The parent side is ``run_conversion``.

The GGUF weights are de-quantized by transformers into a temporary HF folder
(float32/float16 in RAM: several GB for 1.5B parameters), which CTranslate2
then converts to int8. Running this in its own process returns that memory to
the system afterwards. Progress goes to stdout as ``PROGRESS <fraction> <text>``
lines; the last line is ``DONE <seconds> <peak_rss_kib>``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..base import jsonio
from ..base.errors import EngineError
from ..base.jobs import CancelToken, ProgressFn, no_progress

# Files (if present) copied from the HF tokenizer output into the ct2 folder.
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "generation_config.json",
    "vocab.json",
    "merges.txt",
)

# GGUF ``general.architecture`` -> HF architecture class name.
_ARCHITECTURES = {
    "qwen2": "Qwen2ForCausalLM",
    "llama": "LlamaForCausalLM",
    "mistral": "MistralForCausalLM",
    "gemma2": "Gemma2ForCausalLM",
    "phi3": "Phi3ForCausalLM",
}


def _say(fraction: float, text: str) -> None:
    print(f"PROGRESS {fraction:.3f} {text}", flush=True)


def gguf_to_hf(gguf_file: Path, hf_dir: Path, dtype: str = "float16") -> None:
    """De-quantize a GGUF file into a plain (serialisable) HF checkpoint folder."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    src = gguf_file.parent
    tok = AutoTokenizer.from_pretrained(src, gguf_file=gguf_file.name)
    _say(0.05, "Gewichte werden entpackt")
    # dequantize=True: plain dense tensors, never packed GGUF blocks (those cannot be saved).
    model = AutoModelForCausalLM.from_pretrained(
        src,
        gguf_file=gguf_file.name,
        dtype=getattr(torch, dtype),
        quantization_config=GgufConfig(gguf_file=str(gguf_file), dequantize=True),
    )
    _say(0.45, "Zwischenformat wird geschrieben")
    # The weights are already de-quantized; drop the GGUF quantizer so the
    # model can be saved as an ordinary checkpoint.
    model.hf_quantizer = None  # type: ignore[assignment]
    cfg = model.config
    if hasattr(cfg, "quantization_config"):
        delattr(cfg, "quantization_config")
    arch = _ARCHITECTURES.get(str(getattr(cfg, "model_type", "")), type(model).__name__)
    cfg.architectures = [arch]
    model.save_pretrained(hf_dir)
    tok.save_pretrained(hf_dir)
    del model


def hf_to_ct2(hf_dir: Path, out_dir: Path, quantization: str = "int8") -> None:
    import ctranslate2.converters as converters

    copy = [name for name in TOKENIZER_FILES if (hf_dir / name).is_file()]
    converters.TransformersConverter(str(hf_dir), copy_files=copy, low_cpu_mem_usage=True).convert(
        str(out_dir), quantization=quantization, force=True
    )
    # Keep the chat template both in chat_template.jinja (transformers 5) and
    # inline in tokenizer_config.json (older loaders, plain ``tokenizers`` users).
    cfg_path = out_dir / "tokenizer_config.json"
    jinja = out_dir / "chat_template.jinja"
    try:
        cfg = jsonio.loads(jsonio.read_bytes(cfg_path), dict) if cfg_path.is_file() else None
    except (OSError, ValueError):  # a damaged tokenizer config: the template stays as it is
        cfg = None
    if cfg is not None:
        template = cfg.get("chat_template")
        if isinstance(template, str) and not jinja.is_file():
            jinja.write_text(template, encoding="utf-8")
        elif template is None and jinja.is_file():
            cfg["chat_template"] = jinja.read_text(encoding="utf-8")
            cfg_path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def convert(gguf_file: Path, out_dir: Path, work: Path | None = None, dtype: str = "float16") -> None:
    tmp = Path(tempfile.mkdtemp(prefix="minutes-convert-", dir=work))
    try:
        hf_dir = tmp / "hf"
        gguf_to_hf(gguf_file, hf_dir, dtype=dtype)
        _say(0.6, "Umwandlung nach CTranslate2 (int8)")
        hf_to_ct2(hf_dir, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minutes_app.models.convert")
    parser.add_argument("gguf", type=Path, help="GGUF file (or HF folder with --from-hf)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--work", type=Path, default=None, help="folder for the temporary HF checkpoint")
    parser.add_argument("--from-hf", action="store_true", help="input is an HF checkpoint folder")
    parser.add_argument("--dtype", default="float16", choices=["float16", "bfloat16", "float32"])
    args = parser.parse_args(argv)
    start = time.monotonic()
    _say(0.0, "Sprachmodell wird geladen")
    if args.from_hf:
        hf_to_ct2(args.gguf, args.out)
    else:
        convert(args.gguf, args.out, args.work, args.dtype)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"DONE {time.monotonic() - start:.1f} {peak}", flush=True)
    return 0


@dataclass(frozen=True)
class ConversionStats:
    seconds: float
    peak_rss_kib: int


def run_conversion(
    src: Path,
    out: Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    work: Path | None = None,
    from_hf: bool = False,
) -> ConversionStats:
    """Run the conversion in a child process; kill it on cancel; German error on failure."""
    cancel = cancel or CancelToken()
    cmd = [sys.executable, "-m", "minutes_app.models.convert", str(src), str(out)]
    if work is not None:
        cmd += ["--work", str(work)]
    if from_hf:
        cmd.append("--from-hf")
    # The child must find this package even when it is not installed (run from a checkout).
    package_root = str(Path(__file__).resolve().parents[2])
    pythonpath = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false", "PYTHONPATH": pythonpath}
    lines: queue.Queue[str | None] = queue.Queue()
    log: list[str] = []
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=env
    )

    def reader() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    stats = ConversionStats(0.0, 0)
    try:
        while True:
            if cancel.cancelled:
                proc.kill()
                proc.wait()
                cancel.raise_if_cancelled()
            try:
                raw = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if raw is None:
                break
            for line in raw.replace("\r", "\n").splitlines():
                if line.startswith("PROGRESS "):
                    _, frac, *text = line.split(" ", 2)
                    progress(float(frac), text[0] if text else "")
                elif line.startswith("DONE "):
                    _, secs, rss = line.split()
                    stats = ConversionStats(float(secs), int(rss))
                elif line.strip():
                    log = (log + [line.strip()])[-20:]
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        if proc.returncode in (-9, 137):
            reason = "vermutlich zu wenig Arbeitsspeicher (für 1,5 Mrd. Parameter werden etwa 8 GB benötigt)"
        else:
            reason = log[-1] if log else f"Exit-Code {proc.returncode}"
        raise EngineError(f"Die Umwandlung des Sprachmodells „{src.name}“ ist fehlgeschlagen: {reason}.")
    progress(1.0, "Umwandlung abgeschlossen")
    return stats


if __name__ == "__main__":
    sys.exit(main())
