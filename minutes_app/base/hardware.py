"""Device, compute type, threads and ASR batch size: resolved in one place.

* Device ``"auto"`` is ``"cuda"`` when CUDA is usable, else ``"cpu"``. CTranslate2
  (Whisper, the ct2 LLM) asks ``ctranslate2.get_cuda_device_count()``, torch
  (diarization) asks ``torch.cuda.is_available()``; both are imported only when
  asked, never when this module is imported. ``"cuda"`` chosen explicitly on a
  machine without CUDA is a ``UserError`` with a German message.
* Compute type ``"default"``: ``float16`` on CUDA, ``int8`` on the CPU.
* Threads: ``0`` means every core this process may run on
  (``os.sched_getaffinity``, which a container or ``taskset`` narrows; else
  ``os.cpu_count()``). When ASR (main process) and diarization (worker process)
  overlap, ``split_threads`` gives them disjoint shares so the two do not
  oversubscribe the cores.
* ASR batch size ``0`` (automatic): **sequential (1) on the CPU, 8 on CUDA.**
  Measured with ``bench/batched_asr.py`` (docs/benchmarks.md, "Throughput"): whisper-base
  int8, 2 threads (a loaded 2-core machine), 5 German fixtures (463 s: two Thorsten
  clips, both back to back from 0.0 s, the example session, 219 s of the Karlsruhe
  session), two runs:

  ==========  ===========  ===========  ===========  ==========
  variant     RTF          speed        WER          first kept
  ==========  ===========  ===========  ===========  ==========
  sequential  0.324/0.286  1.00x        0.367/0.358  5/5
  batched 4   0.111/0.163  2.92x/1.76x  0.386/0.386  5/5
  batched 8   0.157/0.227  2.06x/1.26x  0.386/0.386  5/5
  ==========  ===========  ===========  ===========  ==========

  Batching pays in time on the CPU as well (1.8-2.9x) and, with the 1 s lead-in,
  no longer loses the first sentence, but it costs words: WER +0.02-0.03 overall,
  +0.04-0.06 on the Karlsruhe session (batched decoding drops Whisper's temperature
  fallback; the example session got 0.010 better). Transcript quality comes first,
  so the CPU stays sequential; ``asr_batch_size`` 4 is the opt-in for speed (on 2
  cores 4 beat 8). On CUDA only batching keeps the GPU busy (faster-whisper's own
  advice); 8 also fits large models in float16 on an 8 GB card. Not measured on a
  GPU here (none available): check with
  ``bench/batched_asr.py --device cuda``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

from .errors import UserError

# ASR batch size per device when the setting is 0 (automatic); see the module docstring.
AUTO_ASR_BATCH = {"cpu": 1, "cuda": 8}


def ct2_cuda_devices() -> int:
    """Number of CUDA devices CTranslate2 can use (0 without CUDA or without ctranslate2)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # no CUDA runtime, broken driver: run on the CPU
        return 0


def torch_cuda_available() -> bool:
    """True if torch sees a usable CUDA device."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def cuda_available(backend: str = "ct2") -> bool:
    """CUDA for ``backend``: ``"ct2"`` (Whisper, ct2 LLM) or ``"torch"`` (diarization)."""
    return torch_cuda_available() if backend == "torch" else ct2_cuda_devices() > 0


def resolve_device(device: str | None, backend: str = "ct2") -> str:
    """``"auto"``/empty -> ``"cuda"`` or ``"cpu"``; ``"cuda"`` without CUDA -> ``UserError``."""
    device = (device or "auto").strip().lower()
    if device == "auto":
        return "cuda" if cuda_available(backend) else "cpu"
    if device.startswith("cuda"):
        if not cuda_available(backend):
            raise UserError(
                "Als Rechengerät ist „cuda“ (Grafikkarte) eingestellt, aber keine nutzbare "
                "CUDA-Grafikkarte wurde gefunden. Bitte in den Einstellungen „auto“ oder „cpu“ wählen."
            )
        return "cuda"
    if device != "cpu":
        raise UserError(f"Unbekanntes Rechengerät „{device}“. Erlaubt sind: auto, cpu, cuda.")
    return "cpu"


def resolve_compute_type(compute_type: str | None, device: str) -> str:
    """``"default"``/``"auto"``/empty -> ``float16`` on CUDA, ``int8`` on the CPU."""
    if not compute_type or compute_type in ("default", "auto"):
        return "float16" if device == "cuda" else "int8"
    return compute_type


def cpu_count() -> int:
    """Cores this process may run on (its CPU affinity where the OS has one)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def resolve_threads(threads: int) -> int:
    """``0``: every core this process may use; otherwise ``threads``."""
    return threads if threads > 0 else cpu_count()


def split_threads(total: int) -> tuple[int, int]:
    """``(asr, diarization)`` threads when the two stages overlap, together ``total``
    (at least one each). ASR gets the larger share: it is the longer stage on the CPU
    (docs/benchmarks.md) and its CTranslate2 kernels scale better than pyannote's."""
    total = max(total, 1)
    if total <= 2:
        return 1, 1
    diarization = max(total // 3, 1)
    return total - diarization, diarization


def resolve_asr_batch(batch_size: int, device: str) -> int:
    """``0``: the measured choice for ``device`` (``AUTO_ASR_BATCH``); else ``batch_size`` (min 1)."""
    if batch_size > 0:
        return batch_size
    return AUTO_ASR_BATCH.get(device, 1)


def lower_thread_priority(nice: int) -> None:
    """Make the calling thread (and the model threads it starts later) yield to recorder and GUI.

    Linux only: there the nice value belongs to the thread, and it cannot be raised back.
    """
    if nice > 0 and sys.platform.startswith("linux"):
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc), so one block's or
    item's transient buffers do not raise the next one's peak (measured: a second Karlsruhe
    draft in the same process peaked 90 MB higher without it, equal with it)."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (Windows, macOS): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
