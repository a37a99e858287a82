"""Bad-input catalogue, part 6: model folders and bundles that try to smuggle something in.

- ``models import DIR`` never copies the target of a symbolic link (a file or folder outside
  DIR, e.g. a private document): a folder with links is refused, nothing is written.
- A registry id (``whisper-base``, ...) can only be installed with the files whose sha256 is
  pinned in ``registry.py``, whatever the bundle or manifest calls its source ("import").
- ``models verify`` hashes the files of a registry id and compares them with the pinned sums,
  not with the (forgeable) manifest; ``get`` refuses such a model, so no run uses it.
- A damaged ``bundle.json`` or ``manifest.json`` (deep nesting, wrong types) is "beschädigt"
  (exit 3) or "unvollständig", never an internal error.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest
from test_model_bundle import make_model
from test_models_store import _tiny_gguf

from minutes_app.base.errors import ModelCorruptError, UserError
from minutes_app.cli import models_cmd
from minutes_app.models.bundle import BUNDLE_JSON, install_bundle
from minutes_app.models.store import ModelStore

HEAD = b'{"format": "minutes-app-model-bundle", "version": 1, "models": '
SECRET = b"Personalakte Nr. 17: vertraulich"


def tree(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def nowhere_contains_secret(root: Path) -> bool:
    return all(SECRET not in data for data in tree(root).values())


# -- import with symbolic links --------------------------------------------------------------------
@pytest.mark.parametrize("link", ["file", "folder", "dangling", "nested"])
def test_import_refuses_a_folder_with_symbolic_links(tmp_path: Path, link: str) -> None:
    outside = tmp_path / "privat"
    outside.mkdir()
    (outside / "akte.txt").write_bytes(SECRET)
    folder = tmp_path / "mein-modell"
    folder.mkdir()
    gguf = folder / "model.gguf"
    _tiny_gguf(gguf)
    if link == "file":
        (folder / "tokenizer.json").symlink_to(outside / "akte.txt")
    elif link == "folder":
        (folder / "extra").symlink_to(outside, target_is_directory=True)
    elif link == "dangling":
        (folder / "weg.bin").symlink_to(tmp_path / "gibt-es-nicht")
    else:
        (folder / "a" / "b").mkdir(parents=True)
        (folder / "a" / "b" / "c.txt").symlink_to(outside / "akte.txt")
    store = ModelStore(tmp_path / "store")
    with pytest.raises(UserError, match="symbolische Verknüpfungen") as info:
        store.import_dir(folder, "mein-llm", convert=False)
    assert "nichts importiert" in str(info.value)
    assert store.installed_ids() == [] and nowhere_contains_secret(tmp_path / "store")


def test_cli_import_with_a_link_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "modell"
    folder.mkdir()
    _tiny_gguf(folder / "model.gguf")
    (tmp_path / "geheim.txt").write_bytes(SECRET)
    (folder / "notes.txt").symlink_to(tmp_path / "geheim.txt")
    store = tmp_path / "store"
    code = models_cmd.main(
        ["models", "--models-dir", str(store), "import", str(folder), "--no-convert", "--quiet"]
    )
    assert code == 2 and "notes.txt" in capsys.readouterr().err
    assert tree(store) == {}


# -- a registry id only with its pinned files ------------------------------------------------------
def forged_whisper(root: Path, source: str = "import") -> ModelStore:
    """A "whisper-base" whose files and manifest agree with each other, but not with the registry."""
    store = ModelStore(root)
    make_model(store, "whisper-base", {"model.bin": b"not whisper", "config.json": b"{}"})
    manifest_path = store.path("whisper-base") / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["source"] = {"type": source}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return store


def hand_bundle(store: ModelStore, model_id: str, out: Path) -> Path:
    """A bundle written by hand, consistent in itself (create_bundle would refuse the forgery)."""
    folder = store.path(model_id)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = dict(manifest["files"])
    raw = (folder / "manifest.json").read_bytes()
    files["manifest.json"] = {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    index = {
        "format": "minutes-app-model-bundle",
        "version": 1,
        "models": [{"id": model_id, "kind": "asr", "format": "ct2-whisper", "files": files}],
    }
    with zipfile.ZipFile(out, "w") as zf:
        for rel in files:
            zf.write(folder / rel, f"{model_id}/{rel}")
        zf.writestr(BUNDLE_JSON, json.dumps(index))
    return out


@pytest.mark.parametrize("source", ["import", "bundle", ""])
def test_bundle_cannot_replace_a_registry_model_by_calling_it_an_import(tmp_path: Path, source: str) -> None:
    bundle = hand_bundle(forged_whisper(tmp_path / "forged", source), "whisper-base", tmp_path / "b.zip")
    target = ModelStore(tmp_path / "target")
    with pytest.raises(ModelCorruptError, match="passt nicht zur Modellliste"):
        install_bundle(target, bundle)
    assert tree(target.root) == {}


def test_verify_and_get_check_registry_ids_against_the_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = forged_whisper(tmp_path / "store")
    result = store.verify(["whisper-base"])[0]
    assert not result.ok and "passt nicht zur Modellliste" in result.message
    with pytest.raises(ModelCorruptError, match="Modellliste"):
        store.get("whisper-base")  # so no run, bundle or export ever uses it
    code = models_cmd.main(["models", "--models-dir", str(store.root), "verify", "whisper-base", "--quiet"])
    out = capsys.readouterr().out
    assert code == 3 and "in Ordnung" not in out and "Modellliste" in out


def test_verify_hashes_pinned_files_even_when_the_manifest_hides_them(tmp_path: Path, model_path) -> None:
    """A manifest that lists the pinned sums but not the (swapped) files is not believed."""
    store = forged_whisper(tmp_path / "store")
    folder = store.path("whisper-base")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    real = model_path("whisper-base")
    real_manifest = json.loads((real / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {"config.json": real_manifest["files"]["config.json"]}  # pinned entry, wrong file
    (folder / "config.json").write_bytes((real / "config.json").read_bytes())
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    message = store.verify(["whisper-base"])[0].message
    assert "model.bin passt nicht zur Modellliste" in message and "tokenizer.json fehlt" in message


def test_import_under_a_registry_id_needs_the_pinned_files(tmp_path: Path) -> None:
    gguf = tmp_path / "eigenes.gguf"
    _tiny_gguf(gguf)
    store = ModelStore(tmp_path / "store")
    with pytest.raises(UserError, match="festgelegten Modellliste.*eigene ID"):
        store.import_dir(gguf, "qwen2.5-coder-0.5b", convert=False)
    assert store.installed_ids() == [] and not [p for p in store.root.iterdir() if p.name != ".locks"]
    assert store.import_dir(gguf, "eigenes-llm", convert=False).id == "eigenes-llm"


# -- damaged index and manifest --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("index", "words"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "zu tief verschachtelt"),
        (HEAD + b"[" * 80 + b"]" * 80 + b"}", "verschachtelt"),
        (HEAD + b'[["x"]]}', "Modelleintrag ist ungültig"),
        (HEAD + b'"alle"}', "enthält keine Modelle"),
        (b"\xff\xfe{}", "nicht lesbar"),
        (b"NaN", "kein Modellpaket"),
    ],
)  # fmt: skip
def test_damaged_bundle_index_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], index: bytes, words: str
) -> None:
    bundle = tmp_path / "b.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr(BUNDLE_JSON, index)
    with pytest.raises(ModelCorruptError, match=words):
        install_bundle(ModelStore(tmp_path / "store"), bundle)
    code = models_cmd.main(
        ["models", "--models-dir", str(tmp_path / "store"), "install", "--from", str(bundle)]
    )
    assert code == 3 and "beschädigt" in capsys.readouterr().err


@pytest.mark.parametrize(
    "manifest",
    [b"[" * 100_000, b'{"id": "x", "files": ' + b"[" * 70 + b"]" * 70 + b"}", b'{"id": "x", "files": 3}'],
)
def test_damaged_manifest_is_an_incomplete_model(tmp_path: Path, manifest: bytes) -> None:
    store = ModelStore(tmp_path / "store")
    make_model(store, "mein-asr", {"model.bin": os.urandom(100)})
    (store.path("mein-asr") / "manifest.json").write_bytes(manifest)
    with pytest.raises(UserError, match="unvollständig"):
        store.get("mein-asr")
    assert not store.verify(["mein-asr"])[0].ok
