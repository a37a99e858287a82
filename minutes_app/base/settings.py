"""Declared settings: each one once, with type, default and German description.

Values come from (lowest to highest priority): the declared default, the user
settings file (``settings.json`` in the per-user config folder), then an
environment variable where one is declared. The file carries a
``settings_version``; ``_MIGRATIONS`` upgrades older files.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import jsonio
from .errors import UserError
from .fileio import write_json

SETTINGS_VERSION = 1
APP_NAME = "minutes-app"


@dataclass(frozen=True)
class Setting:
    """One setting. ``choices``: the allowed values with their German labels (a combo box in the
    GUI, ``choices=`` for the CLI, refused otherwise); ``advanced``: on the "Erweitert" tab."""

    key: str
    type: type
    default: Any
    description: str
    env: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    advanced: bool = False

    def choice_values(self) -> list[str]:
        return [value for value, _label in self.choices]

    def choice_label(self, value: Any) -> str:
        return next((label for v, label in self.choices if v == value), str(value))


LANGUAGES = (
    ("de", "Deutsch"),
    ("en", "Englisch"),
    ("fr", "Französisch"),
    ("tr", "Türkisch"),
    ("auto", "automatisch erkennen"),
)
PROTOCOL_TYPES = (
    ("verlauf", "Verlaufsprotokoll (Beratung in indirekter Rede)"),
    ("ergebnis", "Ergebnisprotokoll (nur Beschlüsse und Ergebnisse)"),
    ("wort", "Wortprotokoll (bereinigter Wortlaut)"),
)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "models_dir",
        str,
        "",
        "Ordner des Modellspeichers (leer: Benutzerordner)",
        "MINUTES_APP_MODELS",
        advanced=True,
    ),
    Setting(
        "shared_models_dir",
        str,
        "",
        "Gemeinsamer, schreibgeschützter Modellordner (z. B. Netzlaufwerk), nach dem eigenen durchsucht",
        "MINUTES_APP_SHARED_MODELS",
        advanced=True,
    ),
    Setting("asr_model", str, "whisper-base", "Spracherkennungsmodell (ID im Modellspeicher)", advanced=True),
    Setting("language", str, "de", "Sprache der Aufnahme", choices=LANGUAGES),
    Setting(
        "asr_vocabulary",
        bool,
        False,
        "Namen und Tagesordnung als Vokabelhilfe an die Spracherkennung geben",
        advanced=True,
    ),
    Setting(
        "diarization_model",
        str,
        "pyannote-campp",
        "Sprechererkennung (ID im Modellspeicher)",
        advanced=True,
    ),
    Setting(
        "llm_engine",
        str,
        "auto",
        "Wo der Protokollentwurf berechnet wird",
        choices=(
            ("auto", "auf diesem PC, schnellste vorhandene Engine (empfohlen)"),
            ("ct2", "auf diesem PC mit CTranslate2"),
            ("llamacpp", "auf diesem PC mit llama.cpp (schneller, weniger Speicher; make llamacpp)"),
            ("transformers", "auf diesem PC, langsamere Ersatzlösung"),
            ("openai", "auf einem Sprachmodell-Server"),
        ),
        advanced=True,
    ),
    Setting(
        "llm_model",
        str,
        "qwen2.5-coder-1.5b",
        "Sprachmodell für den Entwurf (ID im Modellspeicher; beim Server: Modellname dort)",
        advanced=True,
    ),
    Setting(
        "llm_server_url",
        str,
        "",
        "Adresse eines Sprachmodell-Servers (OpenAI-kompatibel; leer: aus)",
        advanced=True,
    ),
    Setting(
        "llm_api_key", str, "", "Zugangsschlüssel für den Server", "MINUTES_APP_LLM_API_KEY", advanced=True
    ),
    Setting("threads", int, 0, "Rechen-Threads (0: automatisch)", "MINUTES_APP_THREADS", advanced=True),
    Setting(
        "device",
        str,
        "auto",
        "Rechengerät",
        choices=(
            ("auto", "automatisch (Grafikkarte, wenn vorhanden)"),
            ("cpu", "nur Prozessor"),
            ("cuda", "NVIDIA-Grafikkarte"),
        ),
        advanced=True,
    ),
    Setting(
        "asr_batch_size",
        int,
        0,
        "Stapelgröße der Spracherkennung (0: automatisch, 1: nacheinander)",
        advanced=True,
    ),
    # Shared inference server (docs/server.md): an admin sets the addresses once for all PCs.
    Setting(
        "asr_engine",
        str,
        "local",
        "Wo die Spracherkennung rechnet",
        choices=(("local", "auf diesem PC"), ("server", "auf einem Transkriptionsserver")),
        advanced=True,
    ),
    Setting(
        "asr_server_url",
        str,
        "",
        "Adresse eines Transkriptionsservers (/v1/audio/transcriptions)",
        advanced=True,
    ),
    Setting("asr_server_model", str, "", "Modellname, den der Transkriptionsserver erwartet", advanced=True),
    Setting(
        "asr_api_key",
        str,
        "",
        "API-Schlüssel des Transkriptionsservers (leer: der des Sprachmodell-Servers)",
        "MINUTES_APP_ASR_API_KEY",
        advanced=True,
    ),
    Setting("server_timeout_s", int, 300, "Wartezeit auf eine Serverantwort in Sekunden", advanced=True),
    Setting("server_retries", int, 2, "Wiederholungen, wenn der Server nicht antwortet", advanced=True),
    Setting(
        "server_fallback_local",
        bool,
        True,
        "Bei Serverausfall auf diesem PC weiterrechnen (langsamer)",
        advanced=True,
    ),
    Setting("docx_template", str, "", "Word-Vorlage der Stadt (.docx/.dotx)"),
    Setting("protocol_type", str, "verlauf", "Protokollart", choices=PROTOCOL_TYPES),
    # Data protection (session/privacy.py): recordings are deleted once no longer needed.
    Setting("retention_days", int, 0, "Aufnahmen nach so vielen Tagen löschen (0: aus)"),
    Setting(
        "retention_delete_transcript",
        bool,
        False,
        "Beim Löschen der Aufnahme auch das Transkript löschen (die Niederschrift bleibt)",
    ),
    Setting("retention_on_release", bool, True, "Aufnahme nach der Freigabe der Niederschrift löschen"),
    Setting(
        "retention_release_days",
        int,
        30,
        "So viele Tage nach der Freigabe wird die Aufnahme gelöscht (0: sofort bei der Freigabe)",
    ),
    # Voice profiles (session/profiles.py, docs/speakers.md): biometric data, off until enabled.
    Setting(
        "live_draft",
        bool,
        True,
        "Während der Aufnahme die abgeschlossenen TOPs vorformulieren (Verlaufsprotokoll; "
        "etwa 3 GB Arbeitsspeicher zusätzlich)",
        advanced=True,
    ),
    Setting(
        "voice_profiles",
        bool,
        False,
        "Stimmprofile verwenden (nur mit Einwilligung der Person; biometrische Daten)",
    ),
    Setting(
        "voice_profiles_dir",
        str,
        "",
        "Ordner der Stimmprofile (leer: Datenordner dieses PCs)",
        advanced=True,
    ),
    Setting(
        "log_transcript_text",
        bool,
        False,
        "Fehlersuche: Transkripttext ins Protokoll schreiben (nur Debug-Ausgabe)",
        advanced=True,
    ),
)
_BY_KEY = {s.key: s for s in SETTINGS}


def setting(key: str) -> Setting:
    """The declaration of ``key`` (KeyError for an unknown key)."""
    return _BY_KEY[key]


def _migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    # Version 0 (unversioned files) called the model folder "model_dir".
    if "model_dir" in data and "models_dir" not in data:
        data["models_dir"] = data.pop("model_dir")
    return data


_MIGRATIONS = {0: _migrate_0_to_1}


def config_dir() -> Path:
    override = os.environ.get("MINUTES_APP_CONFIG")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    override = os.environ.get("MINUTES_APP_DATA")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _choice(setting: Setting, value: Any) -> str:
    """A declared value, or the value whose German label (or its part before " (") was given."""
    text = str(value).strip()
    for choice, label in setting.choices:
        if text.casefold() in (choice.casefold(), label.casefold(), label.split(" (")[0].casefold()):
            return choice
    allowed = ", ".join(f"„{label}“ ({choice})" for choice, label in setting.choices)
    raise UserError(
        f"Die Einstellung „{setting.description}“ ({setting.key}) erlaubt den Wert {text!r} nicht. "
        f"Möglich sind: {allowed}."
    )


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.choices:
        return _choice(setting, value)
    if setting.type is bool and isinstance(value, str):
        if value.strip().lower() in ("1", "true", "yes", "ja", "on"):
            return True
        if value.strip().lower() in ("0", "false", "no", "nein", "off", ""):
            return False
    try:
        return setting.type(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise UserError(f"Die Einstellung „{setting.key}“ hat einen ungültigen Wert: {value!r}.") from exc


SYSTEM_SETTINGS_ENV = "MINUTES_APP_SYSTEM_SETTINGS"


def system_settings_path() -> Path:
    """The admin's machine-wide settings file (documented in docs/admin.md)."""
    override = os.environ.get(SYSTEM_SETTINGS_ENV)
    if override:
        return Path(override)
    if os.name == "nt":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / APP_NAME / "settings.json"
    return Path("/etc") / APP_NAME / "settings.json"


# Group Policy / registry (Windows): one value per setting key, plus "Locked" (REG_MULTI_SZ, or a
# REG_SZ list separated by commas/semicolons). Policy values win over the file's defaults.
POLICY_KEY = r"SOFTWARE\Policies\minutes-app"


def read_policy_values(reg: Any = None) -> dict[str, Any]:
    """Values under HKLM\\SOFTWARE\\Policies\\minutes-app; {} when absent or not on Windows.

    ``reg`` is the ``winreg`` module (a stand-in in tests)."""
    if reg is None:
        if sys.platform != "win32":
            return {}
        import winreg as reg
    try:
        key = reg.OpenKey(reg.HKEY_LOCAL_MACHINE, POLICY_KEY, 0, reg.KEY_READ | reg.KEY_WOW64_64KEY)
    except OSError:
        return {}
    values: dict[str, Any] = {}
    try:
        index = 0
        while True:
            try:
                name, value, _kind = reg.EnumValue(key, index)
            except OSError:  # no more values
                break
            values[str(name)] = value
            index += 1
    finally:
        reg.CloseKey(key)
    return values


def policy_settings(values: dict[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """Registry values -> (defaults, locked). Names match case-insensitively, like the registry."""
    by_lower = {k.lower(): k for k in _BY_KEY}
    defaults: dict[str, Any] = {}
    locked: set[str] = set()
    for name, value in values.items():
        lower = name.strip().lower()
        if lower == "locked":
            items = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value or ""))
            names = {str(i).strip().lower() for i in items}
            locked |= {by_lower[n] for n in names if n in by_lower}
        elif lower in by_lower:
            key = by_lower[lower]
            try:
                defaults[key] = _coerce(_BY_KEY[key], value)
            except UserError as exc:
                raise UserError(
                    f"Der Registry-Wert „{name}“ unter HKLM\\{POLICY_KEY} ist ungültig ({value!r}). "
                    "Bitte die IT verständigen."
                ) from exc
    return defaults, frozenset(locked)


def _load_system(path: Path, policy: dict[str, Any] | None = None) -> tuple[dict[str, Any], frozenset[str]]:
    """``{"defaults": {...}, "locked": [...]}``: admin defaults and the keys users cannot change,
    merged with the Windows policy values (``policy``; read from the registry when None, unless
    MINUTES_APP_SYSTEM_SETTINGS names another file)."""
    defaults: dict[str, Any] = {}
    locked: frozenset[str] = frozenset()
    if path.exists():
        try:
            data = jsonio.loads(jsonio.read_bytes(path))  # size/depth bounds, never a FIFO
            defaults = {
                k: _coerce(_BY_KEY[k], v) for k, v in dict(data.get("defaults", {})).items() if k in _BY_KEY
            }
            locked = frozenset(str(k) for k in data.get("locked", []) if k in _BY_KEY)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise UserError(
                f"Die systemweite Einstellungsdatei „{path}“ ist beschädigt. Bitte die IT verständigen."
            ) from exc
    if policy is None:
        policy = {} if os.environ.get(SYSTEM_SETTINGS_ENV) else read_policy_values()
    policy_defaults, policy_locked = policy_settings(policy)
    return {**defaults, **policy_defaults}, locked | policy_locked


class Settings:
    """Effective value of a setting, highest first: a value the admin locked, the
    environment variable, the user's value, the admin's default, the declared default."""

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        path: Path | None = None,
        system_defaults: dict[str, Any] | None = None,
        locked: frozenset[str] = frozenset(),
    ) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        self.system_defaults = dict(system_defaults or {})
        self.locked = locked
        for key, value in (values or {}).items():
            if key in _BY_KEY:
                self._values[key] = _coerce(_BY_KEY[key], value)

    @classmethod
    def load(cls, path: Path | None = None, system_path: Path | None = None) -> Settings:
        system_defaults, locked = _load_system(system_path or system_settings_path())
        path = path or config_dir() / "settings.json"
        data: dict[str, Any] = {}
        if path.exists():
            broken = UserError(
                f"Die Einstellungsdatei „{path}“ ist beschädigt und wurde nicht verändert. "
                "Bitte reparieren oder löschen."
            )
            try:
                data = jsonio.loads(jsonio.read_bytes(path))  # size/depth bounds, never a FIFO
            except (OSError, ValueError, RecursionError) as exc:
                raise broken from exc
            if not isinstance(data, dict):
                raise broken
            version = data.pop("settings_version", 0)
            if isinstance(version, bool) or not isinstance(version, int) or version < 0:
                raise broken
            if version > SETTINGS_VERSION:
                raise UserError(f"Die Einstellungsdatei „{path}“ stammt von einer neueren Programmversion.")
            while version < SETTINGS_VERSION:
                data = _MIGRATIONS[version](data)
                version += 1
        return cls(data, path, system_defaults, locked)

    def get(self, key: str) -> Any:
        setting = _BY_KEY[key]
        if key in self.locked:
            return self.system_defaults.get(key, setting.default)
        if setting.env and os.environ.get(setting.env):
            return _coerce(setting, os.environ[setting.env])
        return self._values.get(key, self.system_defaults.get(key, setting.default))

    def set(self, key: str, value: Any) -> None:
        if key in self.locked:
            raise UserError(
                f"Die Einstellung „{key}“ ist von der IT festgelegt und kann nicht geändert werden."
            )
        self._values[key] = _coerce(_BY_KEY[key], value)

    def save(self) -> None:
        if self.path is None:
            raise UserError("Für diese Einstellungen ist keine Datei festgelegt.")
        write_json(self.path, {"settings_version": SETTINGS_VERSION, **self._values})
