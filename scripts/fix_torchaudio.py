"""Make torchaudio import in pure-Python mode beside the CPU build of torch.

Why: pyannote.audio 4 imports torchaudio at module level. The torchaudio wheel
that pip picks on Linux x86_64 is built against CUDA torch; its native
libraries fail to load beside the CPU torch (``libc10_cuda.so: cannot open
shared object file``). pyannote only uses torchaudio's pure-Python parts
(``compliance.kaldi.fbank``, ``functional.resample``), and torchaudio imports
without its native libraries when they are absent (the same path it takes
when deployed as a pex). So ``make venv`` moves those libraries aside into
``torchaudio/lib/disabled/``. Nothing else in site-packages is changed.

Idempotent; does nothing where torchaudio's native library loads.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path


def native_loads() -> bool:
    code = "import torchaudio"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def main() -> int:
    spec = importlib.util.find_spec("torchaudio")
    if spec is None or spec.origin is None:
        print("torchaudio is not installed; nothing to do")
        return 0
    if native_loads():
        print("torchaudio imports fine; nothing to do")
        return 0
    lib = Path(spec.origin).parent / "lib"
    disabled = lib / "disabled"
    disabled.mkdir(exist_ok=True)
    for so in lib.glob("*.so"):
        so.rename(disabled / so.name)
        print(f"moved aside: {so.name}")
    if not native_loads():
        print("torchaudio still fails to import", file=sys.stderr)
        return 1
    print("torchaudio now imports in pure-Python mode")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
