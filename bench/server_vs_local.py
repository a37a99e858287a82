"""Local engines vs the same models behind an OpenAI-compatible server, in one run.

ASR: whisper-base on this PC (WhisperASR, int8, sequential) vs whisper-base in
faster-whisper-server (int8, same decoding options) reached through ServerASR
(120 s windows as 16-bit WAV over HTTP), on the first minutes of the Karlsruhe
session (cut at a turn boundary), with WER against the spoken text. Also two
clients at once on the server, to see how it serves several PCs.
LLM: the 0.5B Qwen through CTranslate2 int8 on this PC vs the same weights in
``transformers serve`` (float32, the HF folder made from the GGUF), through
OpenAIEngine, on the same real item prompt.

Both servers run on 127.0.0.1 with the same thread count as the local engines, so
the ratio shows what the server path costs or saves on equal hardware (HTTP, WAV,
the server's implementation), not what a GPU server would gain: docs/server.md
works that out. Each measurement runs in a fresh process; models are loaded and
warmed up first, load times are reported apart.

    python bench/server_vs_local.py [--seconds 300] [--threads 2] [--max-new-tokens 128]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, SHARED, run_child, store_path, table

sys.path.insert(0, str(REPO / "tests"))
from support.servers import LLM_NAME, hf_llm_dir, llm_server, whisper_server  # noqa: E402

SESSION = SHARED / "sessions" / "ka_elternbeitraege"

ASR_CODE = r"""
import json, sys, time
from minutes_app.audio.decode import decode_audio
variant, model, path, seconds, threads, url, clients = sys.argv[1:8]
audio = decode_audio(path)[: int(float(seconds) * 16000)]
t0 = time.perf_counter()
if variant == "local":
    from minutes_app.asr.whisper import ASROptions, WhisperASR
    asr = WhisperASR(model, ASROptions(threads=int(threads), device="cpu", batch_size=1))
    asr.transcribe(audio[:16000])  # warm-up
else:
    from minutes_app.asr.server import ServerASR, ServerASROptions
    asr = ServerASR(ServerASROptions(url, retries=0, timeout_s=3600))
    asr.transcribe(audio[:16000])  # the server loads its model on the first request
load = time.perf_counter() - t0
from concurrent.futures import ThreadPoolExecutor
t = time.perf_counter()
with ThreadPoolExecutor(int(clients)) as pool:
    results = list(pool.map(lambda _: asr.transcribe(audio), range(int(clients))))
wall = time.perf_counter() - t
text = " ".join(s.text for s in results[0].segments)
print(json.dumps({"load_s": load, "seconds": wall, "text": text}))
"""

LLM_CODE = r"""
import json, sys, time
from minutes_app.base.types import Segment
from minutes_app.drafting.draft import DraftOptions, draft_templates
from minutes_app.drafting.engines import make_engine
from minutes_app.drafting.transcript import format_lines
variant, model, url, threads, max_new, turns, session = sys.argv[1:8]
data = json.loads(open(session, encoding="utf-8").read())
kept = data["turns"][: int(turns)]
segments = [Segment(i, t["start"], t["end"], t["text"], [], t["speaker"]) for i, t in enumerate(kept)]
lines = format_lines(segments, {t["speaker"]: t["speaker"] for t in kept})
title = data["agenda_items"][0]["agenda_title"]
item_prompt = draft_templates(DraftOptions())[0]  # the real item prompt (Verlaufsprotokoll)
messages = item_prompt.render(number="13", title=title, part_info="", transcript="\n".join(lines))
t0 = time.perf_counter()
if variant == "local":
    engine = make_engine("ct2", model, threads=int(threads), device="cpu")
else:
    engine = make_engine("openai", None, server_url=url, model_id="qwen2.5-coder-0.5b",
                         retries=0, timeout_s=3600)
engine.generate([{"role": "user", "content": "Hallo"}], 2)  # load + warm-up
load = time.perf_counter() - t0
first = []
t = time.perf_counter()
text = engine.generate(messages, int(max_new), on_token=lambda _: first.append(time.perf_counter()))
wall = time.perf_counter() - t
from tokenizers import Tokenizer  # one tokenizer counts both answers
n = len(Tokenizer.from_file(model + "/tokenizer.json").encode(text, add_special_tokens=False).ids)
print(json.dumps({"load_s": load, "seconds": wall, "ttft_s": (first[0] - t) if first else wall,
                  "new_tokens": n, "tok_s": n / wall, "output": text[:120]}))
"""


DRAFT_CODE = r"""
import json, sys, time
from minutes_app.base.types import AgendaItem, Segment
from minutes_app.drafting.draft import draft_minutes
from minutes_app.drafting.engines import make_engine
from tokenizers import Tokenizer
model, path, threads = sys.argv[1:4]
data = json.loads(open(path, encoding="utf-8").read())
names = {t["speaker"]: t["speaker"] for t in data["turns"]}
turns = data["turns"]
segments = [Segment(i, t["start"], t["end"], t["text"], [], t["speaker"]) for i, t in enumerate(turns)]
agenda = [AgendaItem(a["agenda_number"], a["agenda_title"]) for a in data["agenda_items"]]
engine = make_engine("ct2", model, threads=int(threads), device="cpu")
tok = Tokenizer.from_file(model + "/tokenizer.json")
count = lambda text: len(tok.encode(text, add_special_tokens=False).ids)
calls = []
real = engine.generate
def counted(messages, max_new_tokens, *args, **kwargs):
    t = time.perf_counter()
    text = real(messages, max_new_tokens, *args, **kwargs)
    calls.append((sum(count(m["content"]) + 4 for m in messages), count(text), time.perf_counter() - t))
    return text
engine.generate = counted
t = time.perf_counter()
draft_minutes(segments, names, agenda, engine)
print(json.dumps({"seconds": time.perf_counter() - t, "calls": len(calls),
                  "prompt_tokens": sum(c[0] for c in calls), "new_tokens": sum(c[1] for c in calls),
                  "audio_s": data["duration_s"]}))
"""


def reference(seconds: float) -> tuple[float, str]:
    """The spoken text up to the last turn ending before ``seconds``, and that cut time."""
    turns = json.loads(SESSION.with_suffix(".json").read_text(encoding="utf-8"))["turns"]
    kept = [t for t in turns if t["end"] <= seconds] or turns[:1]
    return float(kept[-1]["end"]) + 0.5, " ".join(t["text"] for t in kept)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=300.0, help="audio from the Karlsruhe session")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--clients", type=int, default=2, help="simultaneous clients in the server load run")
    ap.add_argument("--max-new-tokens", type=int, default=128)
    ap.add_argument("--turns", type=int, default=4, help="fixture turns in the LLM prompt")
    ap.add_argument("--skip-asr", action="store_true")
    ap.add_argument("--skip-llm", action="store_true")
    ap.add_argument(
        "--draft-tokens",
        default="",
        metavar="MODEL_ID",
        help="also count the tokens one whole draft of the session asks for (e.g. qwen2.5-coder-1.5b)",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from minutes_app.asr.wer import wer

    cut, ref = reference(args.seconds)
    whisper = store_path("whisper-base")
    work = Path(tempfile.mkdtemp(prefix="bench-server-"))
    rows: list[dict] = []
    asr_srv = whisper_server(whisper, work / "fws", threads=args.threads)
    if not args.skip_asr:
        asr_srv.start(120, args.threads)
    try:
        audio = str(SESSION.with_suffix(".flac"))
        common = [str(whisper), audio, str(cut), str(args.threads), asr_srv.base_url]
        runs = [] if args.skip_asr else [("local", "1"), ("server", "1"), ("server", str(args.clients))]
        for variant, clients in runs:
            r = run_child(ASR_CODE, variant, *common, clients)
            n = int(clients)
            rows.append(
                {
                    "task": f"ASR {cut:.0f} s",
                    "engine": f"{variant} x{n}" if n > 1 else variant,
                    "load_s": r["load_s"],
                    "seconds": r["seconds"],
                    "audio_s_per_s": cut * n / r["seconds"],
                    "wer": wer(ref, r["text"]),
                }
            )
    finally:
        asr_srv.stop()
    if not args.skip_llm:
        model = store_path(LLM_NAME)
        llm_srv = llm_server(hf_llm_dir(model.parent), work / "tserve").start(900, args.threads)
        try:
            for variant in ("local", "server"):
                r = run_child(
                    LLM_CODE,
                    variant,
                    str(model / "ct2"),
                    llm_srv.base_url,
                    str(args.threads),
                    str(args.max_new_tokens),
                    str(args.turns),
                    str(SESSION.with_suffix(".json")),
                )
                rows.append(
                    {
                        "task": f"LLM {args.max_new_tokens} tok",
                        "engine": variant,
                        "load_s": r["load_s"],
                        "seconds": r["seconds"],
                        "ttft_s": r["ttft_s"],
                        "tok_s": r["tok_s"],
                        "new_tokens": r["new_tokens"],
                    }
                )
        finally:
            llm_srv.stop()
    by = {(r["task"][:3], r["engine"]): r for r in rows}
    for (task, engine), r in by.items():
        local = by.get((task, "local"))
        if local and engine != "local":
            clients = int(engine.split("x")[-1]) if "x" in engine else 1
            r["ratio"] = (r["seconds"] / clients) / local["seconds"]
    columns = ["task", "engine", "load_s", "seconds", "ratio", "audio_s_per_s", "wer", "ttft_s", "tok_s"]
    print(
        f"threads {args.threads}; ratio = server seconds (per client) / local seconds, "
        f"same machine ({time.strftime('%Y-%m-%d')})"
    )
    if rows:
        print(table(rows, columns))
        print(json.dumps(rows))
    if args.draft_tokens:
        folder = store_path(args.draft_tokens) / "ct2"
        d = run_child(DRAFT_CODE, str(folder), str(SESSION.with_suffix(".json")), str(args.threads))
        hours = d["audio_s"] / 3600
        print(
            f"draft of the {d['audio_s']:.0f} s session with {args.draft_tokens} (ct2, local): "
            f"{d['calls']} calls, {d['prompt_tokens']} prompt + {d['new_tokens']} new tokens, "
            f"{d['seconds']:.0f} s; per audio hour: {d['prompt_tokens'] / hours:.0f} prompt + "
            f"{d['new_tokens'] / hours:.0f} new tokens"
        )
        print(json.dumps(d))


if __name__ == "__main__":
    main()
