"""Decode speed per CPU-second of the LLM engines on the same GGUF model and the same prompt.

Rows: CTranslate2 int8 (batch sizes from ``--batch``), llama.cpp (llama-cpp-python, where
``make llamacpp`` installed it), and, each from the Python of its own venv, OpenVINO GenAI
(``--ov-python``), gpt4all (``--g4a-python``) and onnxruntime-genai int4 (``--ort-python`` with
``--ort-model``, a folder its model builder made from the dequantised GGUF). The prompt is the
contribution prompt of the Verlaufsprotokoll over a turn of the Karlsruhe session; greedy,
1 thread by default. CPU seconds (not wall time) are counted, so the figures hold on a
machine shared with other work; still, run it on an idle machine for the record.

    python bench/llm_decode_cpu.py [--model-id ID] [--threads 1] [--batch 1,4]
        [--ov-python P] [--g4a-python P] [--ort-python P --ort-model DIR]
        [--ct2-isa native,AVX2] [--rounds 2]

``--ct2-isa AVX2`` limits CTranslate2 and its oneDNN GEMM to AVX2, as on an office PC without
AVX-512 (the llama.cpp row is always the portable AVX2 build of ``make llamacpp``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, SHARED, store_path, table

OV_CHILD = r"""
import json, resource, sys, time
import openvino_genai as ov
prompt = open(sys.argv[1], encoding="utf-8").read()
gguf, threads, max_new = sys.argv[2], sys.argv[3], int(sys.argv[4])
c0 = time.process_time()
pipe = ov.LLMPipeline(gguf, "CPU", INFERENCE_NUM_THREADS=int(threads))
load = time.process_time() - c0
cfg = ov.GenerationConfig()
cfg.max_new_tokens = max_new
cfg.apply_chat_template = False
pipe.generate(prompt, cfg)  # warm-up
marks = []
def streamer(piece):
    marks.append(time.process_time())
    return ov.StreamingStatus.RUNNING
c0 = time.process_time()
res = pipe.generate(prompt, cfg, streamer)
end = time.process_time()
tok = pipe.get_tokenizer()
n_prompt = int(tok.encode(prompt).input_ids.get_shape()[1])
text = str(res)
n_new = int(tok.encode(text).input_ids.get_shape()[1])
print(json.dumps({"engine": "openvino-genai (GGUF)", "load_cpu_s": load, "prompt_tok": n_prompt,
    "new_tok": n_new, "prefill_cpu_s": marks[0] - c0, "decode_cpu_s": end - marks[0],
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": text[:120]}))
"""

CT2_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[5])
import ctranslate2
from minutes_app.drafting.engines.tokenizer import ChatTokenizer
prompt = open(sys.argv[1], encoding="utf-8").read()
ct2, threads, max_new, batch = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[6])
tok = ChatTokenizer(ct2)
ids = tok.tok(prompt, add_special_tokens=False)["input_ids"]
c0 = time.process_time()
gen = ctranslate2.Generator(ct2, device="cpu", compute_type="int8", intra_threads=threads)
load = time.process_time() - c0
tokens = tok.ids_to_tokens(ids)
kw = dict(max_length=max_new, end_token=tok.end_tokens, sampling_topk=1, include_prompt_in_result=False)
gen.generate_batch([tokens], max_length=1, include_prompt_in_result=False)  # warm-up
c0 = time.process_time()
gen.generate_batch([tokens], max_length=1, include_prompt_in_result=False)
prefill = time.process_time() - c0
c0 = time.process_time()
res = gen.generate_batch([tokens] * batch, **kw)
total = time.process_time() - c0
n_new = sum(len(r.sequences_ids[0]) for r in res)
print(json.dumps({"engine": f"ctranslate2 int8 (batch {batch})", "load_cpu_s": load, "prompt_tok": len(ids),
    "new_tok": n_new, "prefill_cpu_s": prefill, "decode_cpu_s": max(1e-9, total - prefill),
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "text": tok.decode(list(res[0].sequences_ids[0]))[:120]}))
"""


G4A_CHILD = r"""
import json, os, resource, sys, time
from gpt4all import GPT4All
prompt = open(sys.argv[1], encoding="utf-8").read()
gguf, threads, max_new = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c0 = time.process_time()
m = GPT4All(os.path.basename(gguf), model_path=os.path.dirname(gguf), allow_download=False,
            device="cpu", n_threads=threads, n_ctx=4096, verbose=False)
load = time.process_time() - c0
m.generate(prompt, max_tokens=1, temp=0, n_batch=512)  # warm-up
marks = []
c0 = time.process_time()
pieces = []
for piece in m.generate(prompt, max_tokens=max_new, temp=0, n_batch=512, streaming=True):
    marks.append(time.process_time())
    pieces.append(piece)
end = time.process_time()
text = "".join(pieces)
n_prompt = int(sys.argv[5])  # same prompt and tokenizer as the CTranslate2 row
print(json.dumps({"engine": "gpt4all 2.8.2 (llama.cpp, GGUF)", "load_cpu_s": load, "prompt_tok": n_prompt,
    "new_tok": len(pieces), "prefill_cpu_s": marks[0] - c0, "decode_cpu_s": end - marks[0],
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": text[:120]}))
"""


ORT_CHILD = r"""
import json, resource, sys, time
import onnxruntime_genai as og
prompt = open(sys.argv[1], encoding="utf-8").read()
folder, threads, max_new = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c0 = time.process_time()
cfg = og.Config(folder)
cfg.clear_providers()
cfg.overlay(json.dumps({"model": {"decoder": {"session_options": {"intra_op_num_threads": threads,
    "inter_op_num_threads": 1}}}}))
model = og.Model(cfg)
tok = og.Tokenizer(model)
load = time.process_time() - c0
ids = tok.encode(prompt)
def gen(n):
    p = og.GeneratorParams(model)
    p.set_search_options(max_length=len(ids) + n, do_sample=False)
    g = og.Generator(model, p)
    g.append_tokens(ids)
    t_prefill = time.process_time()
    out = []
    while not g.is_done() and len(out) < n:
        g.generate_next_token()
        out.append(int(g.get_next_tokens()[0]))
    return t_prefill, out
gen(1)  # warm-up
c0 = time.process_time()
t_prefill, out = gen(max_new)
end = time.process_time()
print(json.dumps({"engine": "onnxruntime-genai int4 (from the GGUF)", "load_cpu_s": load,
    "prompt_tok": len(ids),
    "new_tok": len(out), "prefill_cpu_s": t_prefill - c0, "decode_cpu_s": end - t_prefill,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": tok.decode(out)[:120]}))
"""


LCPP_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[5])
import llama_cpp
from minutes_app.drafting.engines.tokenizer import ChatTokenizer
prompt = open(sys.argv[1], encoding="utf-8").read()
gguf, threads, max_new = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tok = ChatTokenizer(sys.argv[6])  # the same token ids as the CTranslate2 row
ids = tok.tok(prompt, add_special_tokens=False)["input_ids"]
c0 = time.process_time()
llm = llama_cpp.Llama(model_path=gguf, n_ctx=4096, n_batch=512, n_threads=threads, n_threads_batch=threads,
    verbose=False)
load = time.process_time() - c0
def gen(n):
    llm.reset()
    out, t_first = [], None
    c0 = time.process_time()
    for t in llm.generate(ids, temp=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0):
        if t_first is None:
            t_first = time.process_time()
        if t in tok.end_ids or len(out) >= n:
            break
        out.append(int(t))
    return c0, t_first, out
gen(1)  # warm-up
c0, t_first, out = gen(max_new)
end = time.process_time()
print(json.dumps({"engine": "llama.cpp (llama-cpp-python, GGUF Q4_K_M)", "load_cpu_s": load,
    "prompt_tok": len(ids),
    "new_tok": len(out), "prefill_cpu_s": t_first - c0, "decode_cpu_s": end - t_first,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": tok.decode(out)[:120]}))
"""


def prompt_text(model_dir: Path) -> str:
    sys.path.insert(0, str(REPO))
    from minutes_app.drafting.engines.tokenizer import ChatTokenizer
    from minutes_app.drafting.prompts import load_prompt

    turns = json.loads((SHARED / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))["turns"]
    messages = load_prompt("contribution", protocol_type="verlauf").render(contribution=turns[1]["text"])
    tok = ChatTokenizer(model_dir / "ct2")
    return str(tok.tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


def isa_env(isa: str) -> dict[str, str] | None:
    """The environment that limits CTranslate2 to ``isa``: its own kernels (CT2_FORCE_CPU_ISA)
    and oneDNN's GEMM (ONEDNN_MAX_CPU_ISA), as on an office PC without AVX-512."""
    if isa == "native":
        return None
    return {**os.environ, "CT2_FORCE_CPU_ISA": isa, "ONEDNN_MAX_CPU_ISA": isa, "DNNL_MAX_CPU_ISA": isa}


def run(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(proc.stderr[-2000:])
    r = json.loads(lines[-1])
    r["prompt tok/CPU-s"] = r["prompt_tok"] / max(1e-9, r["prefill_cpu_s"])
    r["decode tok/CPU-s"] = max(0, r["new_tok"] - 1) / r["decode_cpu_s"]
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-id", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--batch", default="1,4")
    ap.add_argument("--ov-python", default="")
    ap.add_argument("--g4a-python", default="")
    ap.add_argument("--ort-python", default="")
    ap.add_argument(
        "--lcpp-python", default="", help="a Python with llama_cpp (default: this one, if it has it)"
    )
    ap.add_argument("--ort-model", default="")
    ap.add_argument(
        "--ct2-isa",
        default="native",
        help="CTranslate2 rows per instruction set, e.g. native,AVX2 (AVX2: as on a PC without AVX-512)",
    )
    ap.add_argument("--rounds", type=int, default=1, help="run every row this often, interleaved")
    args = ap.parse_args()
    model = store_path(args.model_id)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(prompt_text(model))
    common = [str(args.threads), str(args.max_new_tokens)]
    rows: list[dict] = []
    for _ in range(args.rounds):
        rows += ct2_rows(args, f.name, model, common)
        rows += other_rows(args, f.name, model, common, rows)
    cols = ["engine", "prompt_tok", "new_tok", "prompt tok/CPU-s", "decode tok/CPU-s", "load_cpu_s", "rss_mb"]
    print(f"model {args.model_id}, {args.threads} thread(s), greedy, {args.max_new_tokens} new tokens max")
    print(table(rows, cols))
    for r in rows:
        print(f"{r['engine']}: {r['text']!r}")


def ct2_rows(args: argparse.Namespace, prompt: str, model: Path, common: list[str]) -> list[dict]:
    rows = []
    for isa in args.ct2_isa.split(","):
        for b in args.batch.split(","):
            r = run(
                [sys.executable, "-c", CT2_CHILD, prompt, str(model / "ct2"), *common, str(REPO), b],
                isa_env(isa),
            )
            if isa != "native":
                r["engine"] += f", {isa} only"
            rows.append(r)
    return rows


def other_rows(
    args: argparse.Namespace, prompt: str, model: Path, common: list[str], done: list[dict]
) -> list[dict]:
    rows: list[dict] = []
    if args.ov_python:
        try:
            rows.append(run([args.ov_python, "-c", OV_CHILD, prompt, str(model / "model.gguf"), *common]))
        except RuntimeError as exc:  # e.g. a GGUF quantisation the preview reader does not know
            print(f"openvino-genai failed: {str(exc).strip().splitlines()[-1]}")
    if args.g4a_python:
        n_prompt = str(done[0]["prompt_tok"])
        rows.append(
            run([args.g4a_python, "-c", G4A_CHILD, prompt, str(model / "model.gguf"), *common, n_prompt])
        )
    lcpp = args.lcpp_python or (sys.executable if importlib.util.find_spec("llama_cpp") else "")
    if lcpp:
        ct2_dir = str(model / "ct2")
        rows.append(
            run([lcpp, "-c", LCPP_CHILD, prompt, str(model / "model.gguf"), *common, str(REPO), ct2_dir])
        )
    if args.ort_python:
        rows.append(run([args.ort_python, "-c", ORT_CHILD, prompt, args.ort_model, *common]))
    return rows


if __name__ == "__main__":
    main()
