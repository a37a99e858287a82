"""Shared bits of the benchmarks: timing, peak RSS of a child process, tables."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "fixtures"


def store_path(model_id: str) -> Path:
    sys.path.insert(0, str(REPO))
    from minutes_app.models.store import ModelStore

    return ModelStore.default().get(model_id).path


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python; it prints one JSON line last. Adds peak RSS (MB)."""
    env = dict(os.environ, PYANNOTE_METRICS_ENABLED="0", HF_HUB_OFFLINE="1")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=REPO, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.setdefault("wall_s", wall)
    return result


def peak_rss_mb() -> float:
    """Peak RSS of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(rows: list[dict], columns: list[str]) -> str:
    widths = [max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns]
    line = "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(_fmt(r.get(c)).ljust(w) for c, w in zip(columns, widths, strict=True)) + " |"
        for r in rows
    ]
    return "\n".join([line, sep, *body])


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return "" if value is None else str(value)
