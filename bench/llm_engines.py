"""Benchmark: CTranslate2 int8 vs transformers fp32 on the same model and prompt.

Each engine runs in its own subprocess so peak RSS is clean. Prints a table with
load time, prompt tokens, time to first token, generation speed and peak RSS.

    python bench/llm_engines.py                       # 1.5B if its ct2/ exists, else 0.5B
    python bench/llm_engines.py --model .models/qwen2.5-coder-0.5b --max-new-tokens 64
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO.parent / "shared" / "fixtures" / "sessions" / "ka_elternbeitraege.json"


def default_model() -> Path:
    store = Path(os.environ.get("MINUTES_APP_MODELS", REPO / ".models"))
    big = store / "qwen2.5-coder-1.5b"
    return big if (big / "ct2" / "model.bin").is_file() else store / "qwen2.5-coder-0.5b"


def bench_messages(turns: int) -> list[dict[str, str]]:
    """The real item prompt over the first ``turns`` turns of the Karlsruhe fixture."""
    sys.path.insert(0, str(REPO))
    from minutes_app.drafting.draft import DraftOptions, draft_templates

    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    lines = [f"[{i}] {t['speaker']}: {t['text']}" for i, t in enumerate(data["turns"][:turns])]
    item_prompt = draft_templates(DraftOptions(protocol_type="verlauf"))[0]
    return item_prompt.render(
        number="13",
        title=data["agenda_items"][0]["agenda_title"],
        part_info="",
        transcript="\n".join(lines),
    )


def child(kind: str, model: Path, max_new_tokens: int, threads: int, turns: int) -> None:
    sys.path.insert(0, str(REPO))
    from minutes_app.drafting.engines import EngineOptions, make_engine

    messages = bench_messages(turns)
    path = model if kind == "ct2" else model / "model.gguf"
    t0 = time.perf_counter()
    engine = make_engine(kind, path, EngineOptions(threads=threads, device="cpu"))
    engine.generate([{"role": "user", "content": "Hallo"}], 2)  # load + warm-up
    load_s = time.perf_counter() - t0
    prompt_tokens = sum(engine.count_tokens(m["content"]) for m in messages)
    first: list[float] = []
    start = time.perf_counter()
    text = engine.generate(messages, max_new_tokens, on_token=lambda _: first.append(time.perf_counter()))
    end = time.perf_counter()
    n = engine.count_tokens(text)
    ttft = (first[0] - start) if first else end - start
    decode_s = max(1e-9, end - (first[0] if first else start))
    print(
        json.dumps(
            {
                "engine": kind,
                "model": model.name,
                "load_s": load_s,
                "prompt_tokens": prompt_tokens,
                "new_tokens": n,
                "ttft_s": ttft,
                "decode_tok_s": (n - 1) / decode_s if n > 1 else 0.0,
                "overall_tok_s": n / (end - start),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "output": text[:160],
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None, help="model folder (with ct2/ and model.gguf)")
    ap.add_argument("--engines", default="ct2,transformers")
    ap.add_argument("--max-new-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--turns", type=int, default=4, help="fixture turns in the prompt")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    model = (args.model or default_model()).resolve()
    if args.child:
        child(args.child, model, args.max_new_tokens, args.threads, args.turns)
        return
    rows = []
    for kind in args.engines.split(","):
        cmd = [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--model",
            str(model),
            "--max-new-tokens",
            str(args.max_new_tokens),
            "--threads",
            str(args.threads),
            "--turns",
            str(args.turns),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
        last = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not last:
            print(f"{kind}: failed (rc {proc.returncode})\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(last[-1]))
    print(f"model: {model.name}, threads: {args.threads}, max_new_tokens: {args.max_new_tokens}")
    header = (
        f"{'engine':<13}{'load s':>8}{'prompt tok':>11}{'new tok':>8}{'TTFT s':>8}{'decode tok/s':>13}"
        f"{'overall tok/s':>14}{'peak RSS MB':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['engine']:<13}{r['load_s']:>8.1f}{r['prompt_tokens']:>11}{r['new_tokens']:>8}{r['ttft_s']:>8.2f}"
            f"{r['decode_tok_s']:>13.1f}{r['overall_tok_s']:>14.1f}{r['peak_rss_mb']:>12.0f}"
        )
    for r in rows:
        print(f"{r['engine']} output: {r['output']!r}")


if __name__ == "__main__":
    main()
