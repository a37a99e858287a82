"""Model bundles: installed models in one zip file for offline PCs.

``create_bundle`` writes ``<id>/<file>`` for every file of each model (its
``manifest.json`` included), ``bundle.json`` (format, version, and per model the
sha256 and size of every file) and ``SHA256SUMS`` (for ``sha256sum -c`` on an
extracted copy). Every file is hashed while it is written and must match the
model's manifest; the zip is written to a temp file and renamed into place.

``install_bundle`` extracts each model into ``<store>/.<id>.partial``, checks the
size and sha256 of every file against ``bundle.json``, the model's own manifest
and, for registry models, the pinned sums in ``registry.py``; only when *all*
models of the bundle passed are the folders renamed into place. A damaged or
tampered bundle leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..base import jsonio
from ..base.errors import ModelCorruptError, UserError
from ..base.fileio import atomic_open
from ..base.jobs import CancelToken, ProgressFn, no_progress, scaled
from . import registry
from .manifest import CHUNK, MANIFEST, read_manifest

if TYPE_CHECKING:
    from .store import ModelStore

BUNDLE_JSON = "bundle.json"
SUMS = "SHA256SUMS"
BUNDLE_FORMAT = "minutes-app-model-bundle"
BUNDLE_VERSION = 1
_DEFLATE_BELOW = 16 * 1024 * 1024  # config, tokenizer, vocabulary compress; weights do not
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_INDEX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class BundleResult:
    id: str
    path: Path
    installed: bool  # False: the same model was already installed


def _bad(bundle: Path, why: str) -> ModelCorruptError:
    return ModelCorruptError(
        f"Das Modellpaket „{bundle}“ ist beschädigt oder unvollständig ({why}). Es wurde nichts installiert."
    )


def bundle_ids(ids: list[str] | None, profile: str | None) -> list[str]:
    """The model ids to bundle: the given ones plus a profile's (default profile when neither)."""
    chosen = list(ids or [])
    if profile or not chosen:
        chosen += registry.profile_ids(profile or "default")
    return list(dict.fromkeys(chosen))


def create_bundle(
    store: ModelStore,
    out: Path,
    ids: list[str] | None = None,
    profile: str | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write the bundle of the chosen installed models to ``out``; returns its index."""
    cancel = cancel or CancelToken()
    chosen = bundle_ids(ids, profile)
    models = []
    for model_id in chosen:
        model = store.get(model_id)  # German error when missing or visibly damaged
        manifest = store.manifest(model_id) or {}
        files = {str(rel): info for rel, info in manifest["files"].items()}
        models.append((model, manifest, files))
    total = sum((m.path / rel).stat().st_size for m, _, files in models for rel in [*files, MANIFEST]) or 1
    done = 0
    index: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": profile or "",
        "models": [],
    }
    with atomic_open(out, "wb") as fh, zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
        for model, manifest, files in models:
            entry_files: dict[str, dict[str, Any]] = {}
            for rel in [*sorted(files), MANIFEST]:
                path = model.path / rel
                sub = scaled(progress, done / total, (done + path.stat().st_size) / total)
                digest, size = _add_file(zf, path, f"{model.id}/{rel}", sub, cancel, f"{model.id}: {rel}")
                done += size
                if rel != MANIFEST and (digest != files[rel].get("sha256") or size != files[rel].get("size")):
                    raise ModelCorruptError(
                        f"Das Modell „{model.id}“ ist beschädigt ({rel} passt nicht zum Manifest); "
                        f"das Modellpaket wurde nicht erstellt. Bitte „minutes-app models verify {model.id}“."
                    )
                entry_files[rel] = {"sha256": digest, "size": size}
            index["models"].append(
                {
                    "id": model.id,
                    "kind": str(manifest.get("kind", "")),
                    "format": str(manifest.get("format", "")),
                    "files": entry_files,
                }
            )
        zf.writestr(BUNDLE_JSON, json.dumps(index, ensure_ascii=False, indent=2) + "\n")
        sums = [f"{f['sha256']}  {m['id']}/{rel}" for m in index["models"] for rel, f in m["files"].items()]
        zf.writestr(SUMS, "\n".join(sums) + "\n")
    out.chmod(0o644)  # atomic_open makes 0600 files; a bundle holds no personal data and is shared
    progress(1.0, "Modellpaket erstellt")
    return index


def _add_file(
    zf: zipfile.ZipFile, path: Path, arcname: str, progress: ProgressFn, cancel: CancelToken, label: str
) -> tuple[str, int]:
    size = path.stat().st_size
    info = zipfile.ZipInfo.from_file(path, arcname)
    info.compress_type = zipfile.ZIP_DEFLATED if size < _DEFLATE_BELOW else zipfile.ZIP_STORED
    digest = hashlib.sha256()
    written = 0
    with path.open("rb") as src, zf.open(info, "w") as dst:  # ZIP64 as needed (file_size is set)
        while chunk := src.read(CHUNK):
            cancel.raise_if_cancelled()
            digest.update(chunk)
            dst.write(chunk)
            written += len(chunk)
            progress(written / (size or 1), label)
    return digest.hexdigest(), written


def read_index(zf: zipfile.ZipFile, bundle: Path) -> list[dict[str, Any]]:
    """The validated model entries of ``bundle.json`` (ids, safe relative paths, sums, sizes)."""
    from .store import check_id

    try:
        if zf.getinfo(BUNDLE_JSON).file_size > MAX_INDEX_BYTES:
            raise _bad(bundle, f"{BUNDLE_JSON} ist zu groß")
        index = jsonio.loads(zf.read(BUNDLE_JSON), max_bytes=MAX_INDEX_BYTES)
    except KeyError:
        raise _bad(bundle, f"{BUNDLE_JSON} fehlt") from None
    except jsonio.BadJSON as exc:
        raise _bad(bundle, f"{BUNDLE_JSON} ist nicht lesbar: {exc.reason}") from exc
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise _bad(bundle, f"{BUNDLE_JSON} ist nicht lesbar") from exc
    if not isinstance(index, dict) or index.get("format") != BUNDLE_FORMAT:
        raise _bad(bundle, "kein Modellpaket von minutes-app")
    if index.get("version") != BUNDLE_VERSION:
        raise UserError(
            f"Das Modellpaket „{bundle}“ hat die Version {index.get('version')!r}; diese Programmversion "
            f"kennt nur Version {BUNDLE_VERSION}. Bitte das Programm aktualisieren."
        )
    models = index.get("models")
    if not isinstance(models, list) or not models:
        raise _bad(bundle, "es enthält keine Modelle")
    members = set(zf.namelist())
    for entry in models:
        files = entry.get("files") if isinstance(entry, dict) else None
        if not isinstance(files, dict) or MANIFEST not in files:
            raise _bad(bundle, "ein Modelleintrag ist ungültig")
        model_id = check_id(str(entry.get("id", "")))
        for rel, info in files.items():
            parts = PurePosixPath(rel).parts
            if not rel or rel.startswith("/") or ".." in parts or "\\" in rel or ":" in rel:
                raise _bad(bundle, f"unzulässiger Pfad {rel!r}")
            if not isinstance(info, dict) or type(info.get("size")) is not int:
                raise _bad(bundle, f"der Eintrag zu {model_id}/{rel} ist ungültig")
            if not _SHA_RE.match(str(info.get("sha256", ""))):
                raise _bad(bundle, f"die Prüfsumme zu {model_id}/{rel} ist ungültig")
            if f"{model_id}/{rel}" not in members:
                raise _bad(bundle, f"{model_id}/{rel} fehlt")
    return models


def install_bundle(
    store: ModelStore,
    bundle: Path,
    ids: list[str] | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> list[BundleResult]:
    """Install the models of ``bundle`` (or only ``ids`` of them) into the store's own root."""
    cancel = cancel or CancelToken()
    bundle = Path(bundle)
    if not bundle.is_file():
        raise UserError(f"Das Modellpaket „{bundle}“ wurde nicht gefunden.")
    try:
        zf = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad(bundle, "keine ZIP-Datei") from exc
    with zf:
        models = read_index(zf, bundle)
        wanted = {str(m["id"]) for m in models}
        unknown = [i for i in ids or [] if i not in wanted]
        if unknown:
            raise UserError(
                f"Das Modellpaket „{bundle}“ enthält {', '.join(unknown)} nicht "
                f"(enthalten: {', '.join(sorted(wanted))})."
            )
        models = [m for m in models if not ids or m["id"] in ids]
        todo = [m for m in models if not _already_installed(store, m)]
        _check_space(store, todo)
        total = sum(f["size"] for m in todo for f in m["files"].values()) or 1
        done = 0
        partials: dict[str, Path] = {}
        try:
            for entry in todo:
                size = sum(f["size"] for f in entry["files"].values())
                sub = scaled(progress, 0.98 * done / total, 0.98 * (done + size) / total)
                partials[entry["id"]] = _extract(store, zf, bundle, entry, sub, cancel)
                done += size
            cancel.raise_if_cancelled()
            for model_id, partial in partials.items():  # every model checked: now put them in place
                store.commit(model_id, partial)
        finally:
            for partial in partials.values():
                if partial.exists():
                    shutil.rmtree(partial, ignore_errors=True)
    progress(1.0, "Modellpaket installiert")
    installed = {m["id"] for m in todo}
    return [BundleResult(m["id"], store.local_path(m["id"]), m["id"] in installed) for m in models]


def _already_installed(store: ModelStore, entry: dict[str, Any]) -> bool:
    """The same model (same files, same sums) is already in the own root and looks intact."""
    folder = store.local_path(entry["id"])
    manifest = read_manifest(folder)
    if manifest is None:
        return False
    wanted = {rel: info for rel, info in entry["files"].items() if rel != MANIFEST}
    have = {
        rel: {"sha256": i.get("sha256"), "size": i.get("size")}
        for rel, i in manifest["files"].items()
        if isinstance(i, dict)
    }
    if have != {rel: {"sha256": i["sha256"], "size": i["size"]} for rel, i in wanted.items()}:
        return False
    return all(
        (folder / rel).is_file() and (folder / rel).stat().st_size == i["size"] for rel, i in wanted.items()
    )


def _check_space(store: ModelStore, todo: list[dict[str, Any]]) -> None:
    need = sum(f["size"] for m in todo for f in m["files"].values())
    if not need:
        return
    probe = store.root
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if free < need + 100 * 1024 * 1024:
        raise UserError(
            f"Im Modellspeicher „{store.root}“ ist zu wenig Platz frei ({free / 1e9:.1f} GB frei, "
            f"{need / 1e9:.1f} GB nötig)."
        )


def _extract(
    store: ModelStore,
    zf: zipfile.ZipFile,
    bundle: Path,
    entry: dict[str, Any],
    progress: ProgressFn,
    cancel: CancelToken,
) -> Path:
    """One model into its ``.partial`` folder, every file checked; returns the folder."""
    model_id = entry["id"]
    files: dict[str, dict[str, Any]] = entry["files"]
    partial = store.begin(model_id)
    try:
        total = sum(f["size"] for f in files.values()) or 1
        done = 0
        for rel, info in files.items():
            target = partial / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            try:
                with zf.open(f"{model_id}/{rel}") as src, target.open("wb") as dst:
                    while chunk := src.read(CHUNK):
                        cancel.raise_if_cancelled()
                        digest.update(chunk)
                        dst.write(chunk)
                        size += len(chunk)
                        if size > info["size"]:
                            raise _bad(bundle, f"{model_id}/{rel} ist größer als angegeben")
                        progress((done + size) / total, f"{model_id}: {rel}")
            except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as exc:
                raise _bad(bundle, f"{model_id}/{rel} ist nicht lesbar: {exc}") from exc
            if size != info["size"] or digest.hexdigest() != info["sha256"]:
                raise _bad(bundle, f"{model_id}/{rel} hat eine falsche Prüfsumme")
            done += size
        _check_manifest(store, bundle, model_id, partial, files)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return partial


def _check_manifest(
    store: ModelStore, bundle: Path, model_id: str, partial: Path, files: dict[str, dict[str, Any]]
) -> None:
    """The model's own manifest must list exactly the extracted files, and registry models
    must match the sums pinned in registry.py."""
    manifest = read_manifest(partial)
    if manifest is None or manifest.get("id") != model_id:
        raise _bad(bundle, f"das Manifest von {model_id} ist ungültig")
    listed = {
        rel: (i.get("sha256"), i.get("size")) for rel, i in manifest["files"].items() if isinstance(i, dict)
    }
    actual = {rel: (i["sha256"], i["size"]) for rel, i in files.items() if rel != MANIFEST}
    if listed != actual:
        raise _bad(bundle, f"das Manifest von {model_id} passt nicht zu den Dateien")
    problems = store._registry_problems(model_id, manifest)
    if problems:
        raise _bad(bundle, f"{model_id}: {'; '.join(problems[:3])}")
