"""Keep third-party libraries offline.

Called before any stage imports pyannote, transformers or huggingface_hub:
pyannote.audio 4 sends telemetry unless PYANNOTE_METRICS_ENABLED=0, onnxruntime
unless ORT_DISABLE_TELEMETRY=1, and the hub libraries try to reach the hub unless
told they are offline.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "PYANNOTE_METRICS_ENABLED": "0",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    # onnxruntime (faster-whisper's Silero VAD) sends 1DS telemetry to Microsoft from native
    # code on Linux too (mobile.events.data.microsoft.com), invisible to Python socket hooks.
    "ORT_DISABLE_TELEMETRY": "1",
}


def ensure_offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
