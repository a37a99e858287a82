"""Recognising model folders an administrator wants to import.

``detect(path)`` says what a folder (or a single ``.gguf`` file) holds and
where each part goes in the store layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.errors import UserError

# kind, format and layout in the store:
#   asr          ct2-whisper        files at top level (model.bin, config.json, vocabulary/tokenizer)
#   diarization  pyannote-campp     segmentation/, embedding/, licences
#   diarization  pyannote-pipeline  the pipeline folder as given (config.yaml with "pipeline:")
#   llm          gguf               model.gguf (+ ct2/ once converted)
#   llm          ct2                ct2/ (CTranslate2 generator folder with tokenizer files)
#   llm          hf                 hf/ (transformers checkpoint) (+ ct2/ once converted)


@dataclass(frozen=True)
class Detected:
    kind: str
    format: str
    source: Path  # file or folder to copy
    dest: str  # where it goes inside the model folder ("" = the folder itself)
    needs_ct2: bool = False  # an LLM that still has to be converted for the ct2 engine


def _json(path: Path) -> dict[str, Any]:
    try:
        data = jsonio.loads(jsonio.read_bytes(path, 64 * 1024 * 1024))
    except (OSError, ValueError):  # jsonio.BadJSON is a ValueError
        return {}
    return data if isinstance(data, dict) else {}


def _is_ct2(folder: Path) -> bool:
    return (
        (folder / "model.bin").is_file()
        and (folder / "config.json").is_file()
        and any(
            (folder / n).is_file()
            for n in ("vocabulary.json", "vocabulary.txt", "vocabulary", "tokenizer.json")
        )
    )


def _is_ct2_whisper(folder: Path) -> bool:
    cfg = _json(folder / "config.json")
    return any(key in cfg for key in ("alignment_heads", "lang_ids", "suppress_ids"))


def _is_hf(folder: Path) -> bool:
    if not (folder / "config.json").is_file():
        return False
    weights = list(folder.glob("*.safetensors")) + list(folder.glob("pytorch_model*.bin"))
    return bool(weights) and "model_type" in _json(folder / "config.json")


def _is_pyannote_pipeline(folder: Path) -> bool:
    cfg = folder / "config.yaml"
    if not cfg.is_file():
        return False
    try:
        text = cfg.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("pipeline:") for line in text.splitlines())


def _is_campp_layout(folder: Path) -> bool:
    return (folder / "segmentation" / "pytorch_model.bin").is_file() and any(
        (folder / "embedding").glob("*.pt")
    )


def detect(path: Path) -> Detected:
    """What ``path`` holds; German UserError if it is nothing we can use."""
    if path.is_file():
        if path.suffix.lower() == ".gguf":
            return Detected("llm", "gguf", path, "model.gguf", needs_ct2=True)
        raise UserError(
            f"„{path}“ ist keine GGUF-Datei. Bitte einen Modellordner oder eine .gguf-Datei angeben."
        )
    if not path.is_dir():
        raise UserError(f"„{path}“ existiert nicht.")
    if _is_campp_layout(path):
        return Detected("diarization", "pyannote-campp", path, "")
    if _is_pyannote_pipeline(path):
        return Detected("diarization", "pyannote-pipeline", path, "")
    if (path / "model.gguf").is_file():  # our own LLM layout, maybe with ct2/
        return Detected("llm", "gguf", path, "", needs_ct2=not _is_ct2(path / "ct2"))
    if _is_ct2(path / "ct2"):
        return Detected("llm", "ct2", path, "")
    if _is_ct2(path):
        if _is_ct2_whisper(path):
            return Detected("asr", "ct2-whisper", path, "")
        return Detected("llm", "ct2", path, "ct2")
    if _is_hf(path):
        if _json(path / "config.json").get("model_type") == "whisper":
            raise UserError(
                f"„{path}“ ist ein Whisper-Modell im transformers-Format. Bitte zuerst mit "
                "„ct2-transformers-converter“ in das CTranslate2-Format umwandeln."
            )
        return Detected("llm", "hf", path, "hf", needs_ct2=True)
    ggufs = sorted(path.glob("*.gguf"))
    if len(ggufs) == 1:
        return Detected("llm", "gguf", ggufs[0], "model.gguf", needs_ct2=True)
    raise UserError(
        f"Im Ordner „{path}“ wurde kein bekanntes Modell gefunden. Erwartet wird ein "
        "CTranslate2-Whisper-Modell (model.bin, config.json, vocabulary.json), "
        "eine pyannote-Pipeline (config.yaml mit „pipeline:“), "
        "ein Sprecher-Modell (segmentation/, embedding/), ein Sprachmodell im transformers- oder "
        "CTranslate2-Format oder genau eine .gguf-Datei."
    )
