"""Model bundles (``models bundle`` / ``models install --from``) and read-only shared model folders.

Small hand-made models keep these tests fast; one test bundles the real Whisper
base model so the pinned registry sums are checked on a real install.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from minutes_app.base.errors import ModelCorruptError, UserError
from minutes_app.base.jobs import CancelToken, no_progress
from minutes_app.cli import models_cmd
from minutes_app.models.bundle import BUNDLE_JSON, SUMS, create_bundle, install_bundle
from minutes_app.models.store import ModelStore


def make_model(store: ModelStore, model_id: str, files: dict[str, bytes], kind: str = "asr") -> Path:
    partial = store.begin(model_id)
    for rel, data in files.items():
        (partial / rel).parent.mkdir(parents=True, exist_ok=True)
        (partial / rel).write_bytes(data)
    store.finish(model_id, partial, kind, "ct2-whisper", {"type": "import"}, no_progress, CancelToken())
    return store.path(model_id)


@pytest.fixture
def source(tmp_path: Path) -> ModelStore:
    store = ModelStore(tmp_path / "source")
    make_model(store, "fake-asr", {"model.bin": os.urandom(300_000), "config.json": b'{"a": 1}'})
    make_model(
        store,
        "fake-diar",
        {"segmentation/pytorch_model.bin": os.urandom(50_000), "embedding/x.pt": b"x" * 1000},
        kind="diarization",
    )
    return store


def tree(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder below root with size, mtime and content hash (files)."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        out[p.relative_to(root).as_posix()] = (st.st_size if p.is_file() else 0, st.st_mtime_ns, digest)
    return out


def rewrite_zip(src: Path, dst: Path, change: dict[str, bytes | None]) -> None:
    """Copy a zip, replacing (bytes) or dropping (None) members, adding new ones."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in change:
                data = change[info.filename]
                if data is not None:
                    zout.writestr(info.filename, data)
            else:
                zout.writestr(info, zin.read(info.filename))
        for name, data in change.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)


def test_roundtrip_installs_identical_models(source: ModelStore, tmp_path: Path) -> None:
    out = tmp_path / "modelle.zip"
    index = create_bundle(source, out, ["fake-asr", "fake-diar"])
    assert [m["id"] for m in index["models"]] == ["fake-asr", "fake-diar"]
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        listed = json.loads(zf.read(BUNDLE_JSON))
        sums = zf.read(SUMS).decode().splitlines()
    assert {
        "fake-asr/model.bin",
        "fake-asr/manifest.json",
        "fake-diar/segmentation/pytorch_model.bin",
    } <= names
    assert listed == index
    asr_bin = (source.root / "fake-asr" / "model.bin").read_bytes()
    assert f"{hashlib.sha256(asr_bin).hexdigest()}  fake-asr/model.bin" in sums
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o644  # for a share: no personal data in it

    target = ModelStore(tmp_path / "target")
    results = install_bundle(target, out)
    assert [(r.id, r.installed) for r in results] == [("fake-asr", True), ("fake-diar", True)]
    for model_id in ("fake-asr", "fake-diar"):
        a, b = tree(source.root / model_id), tree(target.root / model_id)
        assert {k: v[::2] for k, v in a.items()} == {k: v[::2] for k, v in b.items()}
    assert all(r.ok for r in target.verify())
    assert not [p.name for p in target.root.iterdir() if p.name.startswith(".")]

    before = tree(target.root)
    again = install_bundle(target, out)
    assert [r.installed for r in again] == [False, False]
    assert tree(target.root) == before


@pytest.mark.parametrize(
    "case",
    ["flipped-byte", "missing-file", "traversal", "manifest-mismatch", "not-a-zip", "no-index"],
)
def test_damaged_bundle_installs_nothing(source: ModelStore, tmp_path: Path, case: str) -> None:
    good = tmp_path / "good.zip"
    create_bundle(source, good, ["fake-asr", "fake-diar"])
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as zf:
        index = json.loads(zf.read(BUNDLE_JSON))
        seg = bytearray(zf.read("fake-diar/segmentation/pytorch_model.bin"))
    if case == "flipped-byte":  # the second model is damaged: the first must not land either
        seg[100] ^= 0xFF
        rewrite_zip(good, bad, {"fake-diar/segmentation/pytorch_model.bin": bytes(seg)})
    elif case == "missing-file":
        rewrite_zip(good, bad, {"fake-diar/embedding/x.pt": None})
    elif case == "traversal":
        index["models"][1]["files"]["../../evil.txt"] = {"sha256": "0" * 64, "size": 1}
        rewrite_zip(good, bad, {BUNDLE_JSON: json.dumps(index).encode(), "fake-diar/../../evil.txt": b"x"})
    elif case == "manifest-mismatch":  # consistent sums in bundle.json, but not what the model lists
        seg[100] ^= 0xFF
        files = index["models"][1]["files"]
        files["segmentation/pytorch_model.bin"]["sha256"] = hashlib.sha256(bytes(seg)).hexdigest()
        rewrite_zip(
            good,
            bad,
            {"fake-diar/segmentation/pytorch_model.bin": bytes(seg), BUNDLE_JSON: json.dumps(index).encode()},
        )
    elif case == "not-a-zip":
        bad.write_bytes(b"PK\x03\x04 not really")
    else:
        rewrite_zip(good, bad, {BUNDLE_JSON: None})
    target = ModelStore(tmp_path / "target")
    with pytest.raises(UserError) as info:
        install_bundle(target, bad)
    assert "Es wurde nichts installiert" in str(info.value)
    assert not target.root.exists() or list(target.root.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_registry_model_must_match_the_pinned_sums(tmp_path: Path, model_path) -> None:
    real = ModelStore(model_path("whisper-base").parent)
    good = tmp_path / "whisper.zip"
    create_bundle(real, good, ["whisper-base"])
    target = ModelStore(tmp_path / "target")
    assert [r.installed for r in install_bundle(target, good)] == [True]
    assert target.verify(["whisper-base"])[0].ok

    # A forged "whisper-base" whose files, bundle.json and manifest all agree with each other.
    fake = ModelStore(tmp_path / "forged")
    make_model(fake, "whisper-base", {"model.bin": b"not whisper", "config.json": b"{}"})
    forged = tmp_path / "forged.zip"
    _bundle_unchecked(fake, forged)
    other = ModelStore(tmp_path / "other")
    with pytest.raises(ModelCorruptError, match="Modellliste"):
        install_bundle(other, forged)
    assert not other.root.exists() or list(other.root.iterdir()) == []


def _bundle_unchecked(store: ModelStore, out: Path) -> None:
    """create_bundle refuses a registry id with the wrong content (store.get); write it by hand."""
    manifest = store.manifest("whisper-base") or {}
    manifest["source"] = {"type": "registry"}
    folder = store.root / "whisper-base"
    files = {rel: info for rel, info in manifest["files"].items()}
    mbytes = json.dumps(manifest).encode()
    files["manifest.json"] = {"sha256": hashlib.sha256(mbytes).hexdigest(), "size": len(mbytes)}
    index = {
        "format": "minutes-app-model-bundle",
        "version": 1,
        "models": [{"id": "whisper-base", "kind": "asr", "format": "ct2-whisper", "files": files}],
    }
    with zipfile.ZipFile(out, "w") as zf:
        for rel in manifest["files"]:
            zf.write(folder / rel, f"whisper-base/{rel}")
        zf.writestr("whisper-base/manifest.json", mbytes)
        zf.writestr(BUNDLE_JSON, json.dumps(index))


def test_bundle_of_a_damaged_model_is_refused(source: ModelStore, tmp_path: Path) -> None:
    path = source.root / "fake-asr" / "model.bin"
    data = bytearray(path.read_bytes())
    data[5] ^= 1  # same size: only hashing finds it
    path.write_bytes(bytes(data))
    out = tmp_path / "modelle.zip"
    with pytest.raises(ModelCorruptError, match="fake-asr"):
        create_bundle(source, out, ["fake-asr"])
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_bundle_install_verify(
    source: ModelStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "modelle.zip"
    src, dst = str(source.root), str(tmp_path / "dst")
    assert (
        models_cmd.main(["models", "--models-dir", src, "bundle", "fake-asr", "-o", str(out), "--quiet"]) == 0
    )
    assert "Modellpaket gespeichert" in capsys.readouterr().out
    assert models_cmd.main(["models", "--models-dir", dst, "install", "--from", str(out), "--quiet"]) == 0
    assert "fake-asr: installiert" in capsys.readouterr().out
    assert models_cmd.main(["models", "--models-dir", dst, "verify", "--quiet"]) == 0
    assert "fake-asr: in Ordnung" in capsys.readouterr().out
    assert models_cmd.main(["models", "--models-dir", dst, "install", "--from", str(out), "nope"]) == 2
    assert "nicht" in capsys.readouterr().err


def test_shared_read_only_folder_is_used_and_never_written(
    source: ModelStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin's network share (setting shared_models_dir): found after the own store, verified
    in place, never written; installs go to the own store."""
    from minutes_app.base.settings import Settings

    share = source.root
    monkeypatch.delenv("MINUTES_APP_MODELS", raising=False)
    monkeypatch.setenv("MINUTES_APP_SYSTEM_MODELS", str(tmp_path / "no-system-models"))
    settings = Settings({"models_dir": str(tmp_path / "local"), "shared_models_dir": str(share)})
    store = ModelStore.default(settings)
    assert store.root == tmp_path / "local" and store.shared[0] == share
    before = tree(share)
    if os.name == "posix" and os.geteuid() != 0:
        for p in [share, *share.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)

    assert store.get("fake-asr").path == share / "fake-asr"
    assert store.installed_ids() == ["fake-asr", "fake-diar"]
    assert all(r.ok for r in store.verify())
    statuses = {s.id: s for s in store.list()}
    assert statuses["fake-diar"].installed and statuses["fake-diar"].verified
    assert statuses["fake-diar"].path == share / "fake-diar"
    bundle = tmp_path / "b.zip"
    create_bundle(store, bundle, ["fake-asr"])  # bundling from the share works too

    # A local install shadows the shared model and lands in the own root only.
    assert install_bundle(store, bundle)[0].installed
    assert store.get("fake-asr").path == tmp_path / "local" / "fake-asr"
    assert not store.is_shared("fake-asr") and store.is_shared("fake-diar")
    assert tree(share) == before


def test_read_only_store_gives_a_german_error(source: ModelStore, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = ModelStore(blocker / "store")  # cannot be created: a file is in the way
    bundle = tmp_path / "b.zip"
    create_bundle(source, bundle, ["fake-asr"])
    with pytest.raises(UserError, match="kann nicht geschrieben werden"):
        install_bundle(store, bundle)
