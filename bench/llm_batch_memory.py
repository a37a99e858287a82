"""CPU seconds and peak memory of the contribution summaries: batched or one after another.

The Verlaufsprotokoll sends each substantive contribution to the model with the same
instructions and examples (the contribution prompt, ``prompts/v1/verlauf``). This compares,
each in a fresh process on the same prompts (real Karlsruhe turns, their spoken text):

- ``batch4`` (the ct2 engine up to commit 6d42a0c): ``generate_batch`` with
  ``max_batch_size=4`` and the instructions as a cached static prompt;
- ``batch4 no static``: the same without the static prompt;
- ``one by one``: one ``generate_batch`` call per prompt with the static prompt (what the
  engine does on CPU now).

Columns: CPU seconds of the generation, peak RSS above the loaded model (MB), tokens the
prompts hold beyond the instructions, and whether the replies equal the ``one by one`` ones.
The model's load peak is left out (it is the same for all).

    python bench/llm_batch_memory.py [--model-id qwen2.5-coder-1.5b] [--threads 2]
        [--prompts 4] [--min-words 120]
"""

from __future__ import annotations

import argparse
import json
import sys

from common import REPO, run_child, store_path, table

CHILD = r"""
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
import ctranslate2
from minutes_app.drafting.engines.tokenizer import ChatTokenizer

ct2_dir, threads, mode = sys.argv[2], int(sys.argv[3]), sys.argv[4]
batch = json.loads(open(sys.argv[5], encoding="utf-8").read())
max_new = int(sys.argv[6])


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


peak = [0.0]
def sample():
    while True:
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.01)

gen = ctranslate2.Generator(ct2_dir, device="cpu", compute_type="int8", intra_threads=threads)
tok = ChatTokenizer(__import__("pathlib").Path(ct2_dir))
prompts = [tok.prompt_ids(m) for m in batch]
head = tok.prompt_ids(batch[0][:-1], answer=False)
assert all(p[: len(head)] == head for p in prompts)
loaded = rss_mb()
threading.Thread(target=sample, daemon=True).start()
time.sleep(0.05)
peak[0] = 0.0
common = dict(max_length=max_new, sampling_topk=1, include_prompt_in_result=False, end_token=tok.end_tokens)
cpu0 = time.process_time()
if mode == "one by one":
    out = []
    for p in prompts:
        own = [tok.ids_to_tokens(p[len(head):])]
        r = gen.generate_batch(own, static_prompt=tok.ids_to_tokens(head), **common)
        out.append(list(r[0].sequences_ids[0]))
elif mode == "batch4":
    r = gen.generate_batch([tok.ids_to_tokens(p[len(head):]) for p in prompts], max_batch_size=4,
                           static_prompt=tok.ids_to_tokens(head), **common)
    out = [list(x.sequences_ids[0]) for x in r]
else:
    r = gen.generate_batch([tok.ids_to_tokens(p) for p in prompts], max_batch_size=4, **common)
    out = [list(x.sequences_ids[0]) for x in r]
cpu = time.process_time() - cpu0
time.sleep(0.05)
print(json.dumps({"cpu_s": cpu, "peak_above_load_mb": max(0.0, peak[0] - loaded), "loaded_mb": loaded,
                  "instructions": len(head), "own_tokens": sum(len(p) - len(head) for p in prompts),
                  "new_tokens": sum(len(o) for o in out), "replies": [tok.decode(o) for o in out]}))
"""


def contribution_prompts(count: int, min_words: int) -> list[list[dict[str, str]]]:
    """The contribution prompt over the first ``count`` Karlsruhe turns of at least ``min_words``."""
    sys.path.insert(0, str(REPO))
    from minutes_eval import reference

    from minutes_app.drafting.beratung import MAX_INPUT_WORDS
    from minutes_app.drafting.draft import DraftOptions, draft_templates
    from minutes_app.drafting.transcript import sanitize

    template = next(t for t in draft_templates(DraftOptions()) if t.name == "contribution")
    texts = [t["text"] for t in reference()["turns"] if len(t["text"].split()) >= min_words]
    pieces = [" ".join(t.split()[:MAX_INPUT_WORDS]) for t in texts[:count]]
    return [template.render(contribution=sanitize(p)) for p in pieces]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-id", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--min-words", type=int, default=120)
    ap.add_argument("--max-new", type=int, default=56)
    args = ap.parse_args()
    from tempfile import NamedTemporaryFile

    batch = contribution_prompts(args.prompts, args.min_words)
    with NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(batch, f, ensure_ascii=False)
    ct2_dir = str(store_path(args.model_id) / "ct2")
    rows, replies = [], {}
    for mode in ("one by one", "batch4", "batch4 no static"):
        r = run_child(CHILD, str(REPO), ct2_dir, str(args.threads), mode, f.name, str(args.max_new))
        replies[mode] = r["replies"]
        rows.append({"mode": mode, **{k: v for k, v in r.items() if k != "replies"}})
    for row in rows:
        same = sum(a == b for a, b in zip(replies[row["mode"]], replies["one by one"], strict=True))
        row["same replies"] = f"{same}/{len(batch)}"
    cols = ["mode", "cpu_s", "peak_above_load_mb", "loaded_mb", "instructions", "own_tokens", "new_tokens"]
    print(table(rows, [*cols, "same replies"]))


if __name__ == "__main__":
    main()
