"""The local model store: lookup, listing, verification, install and import.

Layout (other stages depend on it)::

    <root>/whisper-base/{model.bin,config.json,tokenizer.json,vocabulary.json}
    <root>/pyannote-campp/{segmentation/{pytorch_model.bin,config.yaml},
                           embedding/campplus_cn_en_common.pt,LICENSE,THIRD_PARTY_LICENSES}
    <root>/<llm-id>/{model.gguf,ct2/}
    <root>/<id>/manifest.json

A model folder is only ever created by renaming a finished ``.<id>.partial``
folder, so a folder with a manifest is complete.

Besides its own (writable) root a store searches read-only folders: the setting
``shared_models_dir`` (an admin's network share) and the machine-wide folder the
installer fills (``system_models_dir()``). Models are looked up there after the own
root; nothing is ever written into them.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import ModelCorruptError, ModelMissingError, UserError
from ..base.jobs import CancelToken, ProgressFn, no_progress, scaled
from ..base.settings import Settings, data_dir
from . import registry
from .manifest import MANIFEST, folder_size, hash_files, read_manifest, write_manifest

MODELS_ENV = "MINUTES_APP_MODELS"
SYSTEM_MODELS_ENV = "MINUTES_APP_SYSTEM_MODELS"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class InstalledModel:
    id: str
    kind: str
    format: str
    path: Path

    @property
    def ct2_dir(self) -> Path | None:
        """Folder CTranslate2 loads: the model folder (ASR) or ``ct2/`` (LLM); None if absent."""
        folder = self.path / "ct2" if self.kind == "llm" else self.path
        return folder if (folder / "model.bin").is_file() else None

    @property
    def gguf_file(self) -> Path | None:
        path = self.path / "model.gguf"
        return path if path.is_file() else None

    @property
    def hf_dir(self) -> Path | None:
        path = self.path / "hf"
        return path if path.is_dir() else None


@dataclass(frozen=True)
class ModelStatus:
    id: str
    kind: str
    path: Path
    size: int  # bytes on disk (0 if not installed)
    installed: bool
    verified: bool  # quick check: manifest matches registry, all files present with the right size
    format: str = ""
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "format": self.format,
            "path": str(self.path),
            "size": self.size,
            "installed": self.installed,
            "verified": self.verified,
            "description": self.description,
        }


@dataclass(frozen=True)
class VerifyResult:
    id: str
    ok: bool
    error: UserError | None = None  # ModelCorruptError or ModelMissingError

    @property
    def message(self) -> str:
        return "in Ordnung" if self.ok else str(self.error)


def fix_hint(model_id: str) -> str:
    if model_id in registry.SOURCES:
        return f"Installieren mit: minutes-app models install {model_id}"
    return f"Importieren mit: minutes-app models import ORDNER --id {model_id}"


def _manifest_problems(manifest: dict[str, Any]) -> tuple[builtins.list[str], builtins.list[str]]:
    """Problems of a hand-edited or damaged manifest (never a crash), and its usable file entries:
    a path inside the model folder with an integer size."""
    problems = [f"„{key}“ fehlt im Manifest" for key in ("kind", "format") if not manifest.get(key)]
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return [*problems, "das Manifest führt keine Dateien auf"], []
    usable = []
    for rel, info in files.items():
        size = info.get("size") if isinstance(info, dict) else None
        path = Path(str(rel))
        if rel and not path.is_absolute() and ".." not in path.parts and type(size) is int:
            usable.append(rel)
        else:
            problems.append(f"der Manifest-Eintrag zu {rel} ist ungültig")
    return problems, usable


def check_id(model_id: str) -> str:
    if not _ID_RE.match(model_id):
        raise UserError(
            f"„{model_id}“ ist kein gültiger Modellname (erlaubt: Buchstaben, Ziffern, Punkt, Binde- und "
            "Unterstrich)."
        )
    return model_id


def system_models_dir() -> Path:
    """The machine-wide, read-only model folder an installer fills (docs/admin.md)."""
    override = os.environ.get(SYSTEM_MODELS_ENV)
    if override:
        return Path(override)
    if os.name == "nt":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "minutes-app" / "models"
    return Path("/var/lib/minutes-app/models")


class ModelStore:
    def __init__(self, root: str | os.PathLike[str], shared: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.root = Path(root)
        # Read-only folders searched after ``root`` (never written).
        self.shared = [
            Path(p) for p in dict.fromkeys(str(p) for p in shared if str(p)) if Path(p) != self.root
        ]

    @classmethod
    def default(cls, settings: Settings | None = None) -> ModelStore:
        env = os.environ.get(MODELS_ENV)
        if env and settings is None:
            # The environment names the store (tests, scripts): no settings file is needed.
            shared_env = os.environ.get("MINUTES_APP_SHARED_MODELS", "")
            return cls(Path(env), [shared_env, system_models_dir()])
        settings = settings if settings is not None else Settings.load()
        configured = str(settings.get("models_dir") or "")  # MINUTES_APP_MODELS unless the IT locked it
        root = Path(configured) if configured else data_dir() / "models"
        return cls(root, [str(settings.get("shared_models_dir") or ""), system_models_dir()])

    # -- lookup -----------------------------------------------------------------------------------

    def local_path(self, model_id: str) -> Path:
        """Where the model lives (or would be installed) in the own, writable root."""
        return self.root / check_id(model_id)

    def path(self, model_id: str) -> Path:
        """The model's folder: in the own root, else in the first shared folder that has it."""
        local = self.local_path(model_id)
        if (local / MANIFEST).is_file():
            return local
        for root in self.shared:
            candidate = root / model_id
            if (candidate / MANIFEST).is_file():
                return candidate
        return local

    def is_shared(self, model_id: str) -> bool:
        return self.path(model_id) != self.local_path(model_id)

    def manifest(self, model_id: str) -> dict[str, Any] | None:
        return read_manifest(self.path(model_id))

    def installed_ids(self) -> builtins.list[str]:
        found: set[str] = set()
        for root in [self.root, *self.shared]:
            try:
                entries = builtins.list(root.iterdir()) if root.is_dir() else []
            except OSError:  # an unreachable network share
                continue
            found.update(
                p.name
                for p in entries
                if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file()
            )
        return sorted(found)

    def get(self, model_id: str) -> InstalledModel:
        """The installed model; ModelMissingError/ModelCorruptError (German) otherwise. No hashing."""
        folder = self.path(model_id)
        manifest = read_manifest(folder)
        if manifest is None:
            state = "unvollständig" if folder.is_dir() else "nicht installiert"
            raise ModelMissingError(f"Das Modell „{model_id}“ ist {state}. {fix_hint(model_id)}")
        problems = self._quick_problems(model_id, manifest)
        if problems:
            raise ModelCorruptError(
                f"Das Modell „{model_id}“ ist beschädigt ({'; '.join(problems[:3])}). {fix_hint(model_id)}"
            )
        return InstalledModel(model_id, str(manifest["kind"]), str(manifest["format"]), folder)

    def _quick_problems(self, model_id: str, manifest: dict[str, Any]) -> builtins.list[str]:
        """What is wrong with an installed model, found without hashing."""
        folder = self.path(model_id)
        problems, usable = _manifest_problems(manifest)
        for rel in usable:
            path = folder / rel
            if not path.is_file():
                problems.append(f"{rel} fehlt")
            elif path.stat().st_size != manifest["files"][rel]["size"]:
                problems.append(f"{rel} hat die falsche Größe")
        problems += self._registry_problems(model_id, manifest)
        return problems

    @staticmethod
    def _registry_problems(model_id: str, manifest: dict[str, Any]) -> builtins.list[str]:
        """A registry id must carry the registry's pinned sums, whatever its manifest says it is."""
        source = registry.SOURCES.get(model_id)
        if source is None:
            return []
        files = manifest.get("files")
        entries: dict[str, Any] = files if isinstance(files, dict) else {}
        return [
            f"{t.dest} passt nicht zur Modellliste"
            for t in source.targets
            if not isinstance(entries.get(t.dest), dict) or entries[t.dest].get("sha256") != t.sha256
        ]

    def list(self) -> builtins.list[ModelStatus]:
        out = []
        for model_id in list(registry.SOURCES) + [
            i for i in self.installed_ids() if i not in registry.SOURCES
        ]:
            folder = self.path(model_id)
            manifest = read_manifest(folder)
            source = registry.SOURCES.get(model_id)
            kind = str(manifest["kind"]) if manifest else (source.kind if source else "")
            fmt = str(manifest["format"]) if manifest else (source.format if source else "")
            installed = manifest is not None
            out.append(
                ModelStatus(
                    id=model_id,
                    kind=kind,
                    path=folder,
                    size=folder_size(folder) if installed else 0,
                    installed=installed,
                    verified=installed and not self._quick_problems(model_id, manifest or {}),
                    format=fmt,
                    description=source.description if source else "",
                )
            )
        return out

    # -- verification -----------------------------------------------------------------------------

    def verify(
        self,
        ids: builtins.list[str] | None = None,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> builtins.list[VerifyResult]:
        """Re-hash installed models against their manifest and the registry."""
        cancel = cancel or CancelToken()
        if ids:
            for model_id in ids:
                if model_id not in registry.SOURCES and not self.path(model_id).is_dir():
                    registry.get_source(model_id)  # raises the German "unknown id" error
        targets = list(ids) if ids else self.installed_ids()
        sizes = [folder_size(self.path(i)) if self.path(i).is_dir() else 0 for i in targets]
        total = sum(sizes) or 1
        results, done = [], 0
        for model_id, size in zip(targets, sizes, strict=True):
            sub = scaled(progress, done / total, (done + size) / total)
            results.append(self.verify_one(model_id, sub, cancel))
            done += size
        progress(1.0, "Prüfung abgeschlossen")
        return results

    def verify_one(self, model_id: str, progress: ProgressFn, cancel: CancelToken) -> VerifyResult:
        folder = self.path(model_id)
        manifest = read_manifest(folder)
        if manifest is None:
            state = "unvollständig" if folder.is_dir() else "nicht installiert"
            return VerifyResult(
                model_id,
                False,
                ModelMissingError(f"Das Modell „{model_id}“ ist {state}. {fix_hint(model_id)}"),
            )
        problems, usable = _manifest_problems(manifest)
        # A registry id is checked against the sums pinned in registry.py, hashed from the files
        # themselves: a manifest that agrees with forged files proves nothing.
        pinned = (
            {t.dest: t.sha256 for t in registry.SOURCES[model_id].targets}
            if model_id in registry.SOURCES
            else {}
        )
        wanted = list(dict.fromkeys([*usable, *pinned]))
        present = [r for r in wanted if (folder / r).is_file()]
        problems += [f"{r} fehlt" for r in wanted if r not in present]
        hashed = hash_files(folder, present, progress, cancel, f"{model_id} wird geprüft")
        for rel, info in hashed.items():
            if rel in usable and info["sha256"] != manifest["files"][rel].get("sha256"):
                problems.append(f"{rel} hat eine falsche Prüfsumme")
            if rel in pinned and info["sha256"] != pinned[rel]:
                problems.append(f"{rel} passt nicht zur Modellliste (festgelegte Prüfsumme)")
        if problems:
            return VerifyResult(
                model_id,
                False,
                ModelCorruptError(
                    f"Das Modell „{model_id}“ ist beschädigt: {'; '.join(problems[:5])}. {fix_hint(model_id)}"
                ),
            )
        return VerifyResult(model_id, True)

    # -- install / import (see install.py) ---------------------------------------------------------

    def install(
        self,
        ids: builtins.list[str] | None = None,
        profile: str | None = None,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        cache_dir: Path | None = None,
    ) -> builtins.list[InstalledModel]:
        from .install import install_models

        return install_models(self, ids, profile, progress, cancel or CancelToken(), cache_dir)

    def import_dir(
        self,
        path: str | os.PathLike[str],
        model_id: str | None = None,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        convert: bool = True,
        replace: bool = False,
    ) -> InstalledModel:
        from .install import import_model

        return import_model(self, Path(path), model_id, progress, cancel or CancelToken(), convert, replace)

    # -- helpers for install.py -------------------------------------------------------------------

    def begin(self, model_id: str) -> Path:
        """A fresh, empty ``.<id>.partial`` folder in the own root."""
        partial = self.root / f".{check_id(model_id)}.partial"
        try:
            if partial.exists():
                shutil.rmtree(partial)
            partial.mkdir(parents=True)
        except OSError as exc:
            raise UserError(
                f"In den Modellspeicher „{self.root}“ kann nicht geschrieben werden ({exc.strerror or exc}). "
                "Ein gemeinsamer Modellordner ist schreibgeschützt; bitte mit --models-dir einen "
                "beschreibbaren Ordner angeben (oder als Administrator ausführen)."
            ) from exc
        return partial

    def commit(self, model_id: str, partial: Path) -> Path:
        """Put the finished partial folder in place of the old one (rename, then delete the old)."""
        final = self.local_path(model_id)
        old = self.root / f".{model_id}.old"
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            os.replace(final, old)
        os.replace(partial, final)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
        return final

    def finish(
        self,
        model_id: str,
        partial: Path,
        kind: str,
        fmt: str,
        source: dict[str, Any],
        progress: ProgressFn,
        cancel: CancelToken,
        known: dict[str, dict[str, Any]] | None = None,
    ) -> InstalledModel:
        write_manifest(partial, model_id, kind, fmt, source, progress, cancel, known)
        return InstalledModel(model_id, kind, fmt, self.commit(model_id, partial))


def local_llm_dir(model_id: str = "", store: object = None) -> Path | None:
    """The CTranslate2 folder of a local LLM to fall back on when the LLM server is down, or None.

    The configured ``model_id`` if the store has it as an LLM, else the default LLM, else any
    LLM in the store with a CTranslate2 folder.
    """
    try:
        store = store or ModelStore.default()
    except UserError:
        return None
    assert isinstance(store, ModelStore)
    candidates = [m for m in (model_id, "qwen2.5-coder-1.5b") if m]
    candidates += [m for m in store.installed_ids() if m not in candidates]
    for candidate in candidates:
        try:
            model = store.get(candidate)
        except UserError:
            continue
        if model.kind == "llm" and model.ct2_dir is not None:
            return model.ct2_dir
    return None
