"""Decode speed per CPU-second: CTranslate2 int8 (single and batched) vs OpenVINO GenAI on the GGUF.

Same model, same German prompt (the contribution prompt of the Verlaufsprotokoll over a
turn of the Karlsruhe session), greedy, 1 thread by default. CPU seconds (not wall time)
are counted, so the figures hold on a machine shared with other work. OpenVINO GenAI is
not a dependency: give the Python of a separate venv that has it
(``python -m venv /tmp/ov && /tmp/ov/bin/pip install openvino-genai``).

    python bench/llm_decode_cpu.py [--model-id ID] [--threads 1] [--ov-python /tmp/ov/bin/python]
"""

from __future__ import annotations

import argparse
import json
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


def prompt_text(model_dir: Path) -> str:
    sys.path.insert(0, str(REPO))
    from minutes_app.drafting.engines.tokenizer import ChatTokenizer
    from minutes_app.drafting.prompts import load_prompt

    turns = json.loads((SHARED / "sessions" / "ka_elternbeitraege.json").read_text(encoding="utf-8"))["turns"]
    messages = load_prompt("contribution", protocol_type="verlauf").render(contribution=turns[1]["text"])
    tok = ChatTokenizer(model_dir / "ct2")
    return str(tok.tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


def run(cmd: list[str]) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
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
    args = ap.parse_args()
    model = store_path(args.model_id)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(prompt_text(model))
    common = [str(args.threads), str(args.max_new_tokens)]
    rows = [
        run([sys.executable, "-c", CT2_CHILD, f.name, str(model / "ct2"), *common, str(REPO), b])
        for b in args.batch.split(",")
    ]
    if args.ov_python:
        try:
            rows.append(run([args.ov_python, "-c", OV_CHILD, f.name, str(model / "model.gguf"), *common]))
        except RuntimeError as exc:  # e.g. a GGUF quantisation the preview reader does not know
            print(f"openvino-genai failed: {str(exc).strip().splitlines()[-1]}")
    cols = ["engine", "prompt_tok", "new_tok", "prompt tok/CPU-s", "decode tok/CPU-s", "load_cpu_s", "rss_mb"]
    print(f"model {args.model_id}, {args.threads} thread(s), greedy, {args.max_new_tokens} new tokens max")
    print(table(rows, cols))
    for r in rows:
        print(f"{r['engine']}: {r['text']!r}")


if __name__ == "__main__":
    main()
