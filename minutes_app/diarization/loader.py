"""Build pyannote diarization pipelines offline from local folders, and cache them.

Two folder layouts are understood:

* our model store layout (``pyannote-campp``)::

      segmentation/pytorch_model.bin   pyannote segmentation-3.0 (PyanNet)
      segmentation/config.yaml
      embedding/campplus_*.pt          CAM++ state dict (3D-Speaker)

* a pyannote pipeline folder with a ``config.yaml`` that has a ``pipeline:``
  section (e.g. an admin-provided copy of pyannote community-1, with relative
  ``$model/...`` paths to its sub-models). It is loaded with
  ``Pipeline.from_pretrained(folder)``; nothing is fetched from any hub.

``OfflineSpeakerDiarization`` may also be named in such a ``config.yaml``
(``name: minutes_app.diarization.loader.OfflineSpeakerDiarization``); it accepts
a CAM++ folder or file as ``embedding`` and works without PLDA.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path
from typing import Any

from ..base.errors import ModelCorruptError, ModelMissingError, UserError
from ..base.model_cache import ModelCache
from ..base.offline import ensure_offline
from .campp import find_campp_checkpoint, load_campp

PIPELINE_CONFIG = "config.yaml"
SEGMENTATION_BATCH_SIZE = 8
# a multiple of pyannote's 3 local speakers, so a chunk's items share one CAM++ pass
EMBEDDING_BATCH_SIZE = 12


def prepare_environment() -> None:
    """Process-wide settings needed before pyannote is imported or run."""
    ensure_offline()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore", message=r".*torchcodec.*")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"pyannote\.audio\.core\.io")


def _resolve_local(spec: Any) -> Path | None:
    """A local path from a pyannote model spec (str, Path, or ``$model`` dict), else None."""
    if isinstance(spec, (str, Path)):
        return Path(spec)
    if isinstance(spec, dict) and isinstance(spec.get("checkpoint"), (str, Path)):
        path = Path(spec["checkpoint"])
        return path / spec["subfolder"] if spec.get("subfolder") else path
    return None


def _is_campp(path: Path | None) -> bool:
    if path is None:
        return False
    if path.is_file():
        return path.suffix == ".pt" and path.name.startswith("campplus")
    return find_campp_checkpoint(path) is not None and not (path / "pytorch_model.bin").exists()


def _empty_plda() -> Any:
    # SpeakerDiarization always calls get_plda(); agglomerative clustering never uses it.
    from pyannote.audio.core.plda import PLDA

    return PLDA.__new__(PLDA)


def _offline_class() -> type:
    global _OFFLINE_CLASS
    if _OFFLINE_CLASS is not None:
        return _OFFLINE_CLASS
    prepare_environment()
    from pyannote.audio.pipelines import SpeakerDiarization

    class OfflineSpeakerDiarization(SpeakerDiarization):
        """SpeakerDiarization that takes CAM++ as embedding and needs no PLDA."""

        def __init__(
            self,
            segmentation: Any,
            embedding: Any,
            plda: Any = None,
            clustering: str = "AgglomerativeClustering",
            segmentation_step: float = 0.1,
            embedding_exclude_overlap: bool = False,
            embedding_batch_size: int = EMBEDDING_BATCH_SIZE,
            segmentation_batch_size: int = SEGMENTATION_BATCH_SIZE,
            **kwargs: Any,
        ) -> None:
            kwargs.pop("token", None)
            kwargs.pop("cache_dir", None)
            local = _resolve_local(embedding)
            if _is_campp(local):
                assert local is not None
                embedding = load_campp(local)
            super().__init__(
                segmentation=segmentation,
                segmentation_step=segmentation_step,
                embedding=embedding,
                embedding_exclude_overlap=embedding_exclude_overlap,
                plda=_empty_plda() if plda is None else plda,
                clustering=clustering,
                embedding_batch_size=embedding_batch_size,
                segmentation_batch_size=segmentation_batch_size,
                **kwargs,
            )

    _OFFLINE_CLASS = OfflineSpeakerDiarization
    return OfflineSpeakerDiarization


_OFFLINE_CLASS: type | None = None


def __getattr__(name: str) -> Any:
    # lets pyannote's get_class_by_name() find the class named in a config.yaml
    if name == "OfflineSpeakerDiarization":
        return _offline_class()
    raise AttributeError(name)


def is_pipeline_folder(model_dir: Path) -> bool:
    """True if ``model_dir/config.yaml`` describes a pyannote pipeline."""
    config = model_dir / PIPELINE_CONFIG
    if not config.is_file():
        return False
    try:
        import yaml

        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except Exception:
        return False
    return isinstance(data, dict) and isinstance(data.get("pipeline"), dict)


def _missing(model_dir: Path, what: str) -> ModelMissingError:
    return ModelMissingError(
        f"Das Sprechererkennungsmodell ist unvollständig: {what} fehlt in „{model_dir}“. "
        "Bitte das Modell mit „minutes-app models install“ (neu) installieren."
    )


def _load_store(model_dir: Path, segmentation_step: float) -> Any:
    seg_dir = model_dir / "segmentation"
    if not (seg_dir / "pytorch_model.bin").is_file():
        raise _missing(model_dir, "segmentation/pytorch_model.bin")
    if find_campp_checkpoint(model_dir / "embedding") is None:
        raise _missing(model_dir, "embedding/campplus*.pt")
    from pyannote.audio import Model

    try:
        segmentation = Model.from_pretrained(str(seg_dir / "pytorch_model.bin"))
    except Exception as exc:
        raise ModelCorruptError(
            f"Das Segmentierungsmodell in „{seg_dir}“ ist beschädigt und kann nicht geladen werden. "
            f"Bitte das Sprechererkennungsmodell neu installieren. ({type(exc).__name__})"
        ) from exc
    if segmentation is None:
        raise _missing(model_dir, "segmentation/pytorch_model.bin")
    return _offline_class()(
        segmentation=segmentation,
        embedding=model_dir / "embedding",
        segmentation_step=segmentation_step,
    )


def _load_folder(model_dir: Path) -> Any:
    from pyannote.audio import Pipeline

    try:
        pipeline = Pipeline.from_pretrained(model_dir)
    except UserError:
        raise
    except FileNotFoundError as exc:
        raise ModelMissingError(
            f"Im Sprechererkennungs-Ordner „{model_dir}“ fehlt eine Datei ({exc.filename or exc}). "
            "Bitte den Ordner vollständig bereitstellen."
        ) from exc
    except Exception as exc:
        raise ModelCorruptError(
            f"Die Sprechererkennung in „{model_dir}“ kann nicht geladen werden "
            f"({type(exc).__name__}: {exc}). Bitte den Ordner prüfen."
        ) from exc
    if pipeline is None:
        raise ModelCorruptError(f"„{model_dir / PIPELINE_CONFIG}“ beschreibt keine gültige Pipeline.")
    return pipeline


def _to_device(pipeline: Any, device: str) -> Any:
    """Move a loaded pipeline (segmentation, CAM++ embedding) to ``device`` ("cpu"/"cuda")."""
    if device != "cpu":
        import torch

        pipeline.to(torch.device(device))
    return pipeline


class PipelineCache:
    """Loaded pipelines per (folder, segmentation step, device); loading takes seconds.

    Unlike other models these stay cached in the process that loaded them (a worker
    process returns them when it ends); ``base.model_cache.release()`` clears them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pipelines = ModelCache("diarization", always=True)

    @property
    def loads(self) -> int:
        return self._pipelines.loads

    def get(self, model_dir: Path, segmentation_step: float = 0.1, device: str = "cpu") -> tuple[Any, bool]:
        """Return ``(pipeline, is_store_layout)``; raises ModelMissingError/ModelCorruptError.

        ``device``: "cpu", "cuda" or "auto" (CUDA when torch sees it)."""
        from ..base.hardware import resolve_device

        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelMissingError(
                f"Das Sprechererkennungsmodell wurde nicht gefunden: „{model_dir}“. "
                "Bitte das Modell mit „minutes-app models install“ installieren."
            )
        external = is_pipeline_folder(model_dir)
        device = resolve_device(device, "torch")
        key = (str(model_dir.resolve()), 0.0 if external else round(segmentation_step, 4), device)

        def load() -> Any:
            prepare_environment()
            loaded = _load_folder(model_dir) if external else _load_store(model_dir, segmentation_step)
            return _to_device(loaded, device)

        with self._lock:
            return self._pipelines.get(key, load), not external

    def clear(self) -> None:
        with self._lock:
            self._pipelines.clear()


CACHE = PipelineCache()
