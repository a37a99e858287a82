"""Peak memory of one drafting call against its prompt length (CTranslate2 on CPU).

Each length runs in a fresh process: the model is loaded, then one prompt of about N tokens
of real council German (the Karlsruhe session's spoken text) is answered with 16 new
tokens. CTranslate2 keeps the logits of every prompt position during the prefill (152k
vocabulary x 4 bytes = 0.6 MB per token, plus activations), so the peak grows with the
prompt, not with the answer; ``DraftOptions.context_tokens`` bounds the prompt.

    python bench/llm_prefill_memory.py [--lengths 1000 2000 2300 3300 4000] [--llm-model ID] [--threads 2]
"""

from __future__ import annotations

import argparse

from common import run_child, table

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, "bench")
from minutes_eval import reference
from minutes_app.drafting.engines import EngineOptions, make_engine
from minutes_app.models.store import ModelStore

n, model, threads = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
engine = make_engine("ct2", ModelStore.default().get(model).path, EngineOptions(threads=threads))
engine.count_tokens("x")
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
words = " ".join(t["text"] for t in reference()["turns"]).split() * 2  # ~5900 tokens
lo, hi = 0, len(words)
while lo < hi:  # the number of words that gives about n tokens
    mid = (lo + hi) // 2
    if engine.count_tokens(" ".join(words[:mid])) < n:
        lo = mid + 1
    else:
        hi = mid
messages = [{"role": "system", "content": "Fasse den Redebeitrag zusammen."},
            {"role": "user", "content": " ".join(words[:lo])}]
cpu = time.process_time()
engine.generate(messages, 16)
print(json.dumps({"prompt_tokens": sum(engine.count_tokens(m["content"]) for m in messages),
                  "model_mb": loaded, "cpu_s": time.process_time() - cpu,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lengths", type=int, nargs="*", default=[1000, 2000, 2300, 3300, 4000])
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    rows = []
    for n in args.lengths:
        r = run_child(CHILD, str(n), args.llm_model, str(args.threads))
        r["above_model_mb"] = r["rss_mb"] - r["model_mb"]
        rows.append(r)
        print(f"  {n} tokens: peak {r['rss_mb']:.0f} MB", flush=True)
    print(table(rows, ["prompt_tokens", "model_mb", "rss_mb", "above_model_mb", "cpu_s"]))


if __name__ == "__main__":
    main()
