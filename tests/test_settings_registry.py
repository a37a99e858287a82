"""Central settings from the Windows registry (Group Policy), tested with a stand-in for winreg.

HKLM\\SOFTWARE\\Policies\\minutes-app holds one value per setting key plus ``Locked``
(REG_MULTI_SZ or a comma list); policy values win over the system file's defaults.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from minutes_app.base import settings as settings_mod
from minutes_app.base.errors import UserError
from minutes_app.base.settings import (
    POLICY_KEY,
    Settings,
    _load_system,
    policy_settings,
    read_policy_values,
)


class FakeWinreg:
    """The parts of ``winreg`` the reader uses, over a dict of keys -> {name: value}."""

    HKEY_LOCAL_MACHINE = "HKLM"
    KEY_READ = 0x20019
    KEY_WOW64_64KEY = 0x0100
    REG_SZ, REG_MULTI_SZ, REG_DWORD = 1, 7, 4

    def __init__(self, keys: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.keys = keys
        self.opened: list[tuple[str, str, int]] = []
        self.closed = 0

    def OpenKey(self, hive: str, path: str, reserved: int, access: int) -> tuple[str, str]:  # noqa: N802
        self.opened.append((hive, path, access))
        if (hive, path) not in self.keys:
            raise FileNotFoundError(2, "not found")
        return (hive, path)

    def EnumValue(self, key: tuple[str, str], index: int) -> tuple[str, Any, int]:  # noqa: N802
        items = list(self.keys[key].items())
        if index >= len(items):
            raise OSError(259, "no more data")
        name, value = items[index]
        kind = (
            self.REG_MULTI_SZ if isinstance(value, list) else self.REG_DWORD if isinstance(value, int) else 1
        )
        return name, value, kind

    def CloseKey(self, key: tuple[str, str]) -> None:  # noqa: N802
        self.closed += 1


def test_reader_enumerates_the_policy_key_with_64bit_view() -> None:
    reg = FakeWinreg(
        {
            ("HKLM", POLICY_KEY): {
                "llm_server_url": "http://gpu:8000/v1",
                "retention_days": 30,
                "Locked": ["llm_server_url", "retention_days"],
            }
        }
    )
    values = read_policy_values(reg)
    assert values == {
        "llm_server_url": "http://gpu:8000/v1",
        "retention_days": 30,
        "Locked": ["llm_server_url", "retention_days"],
    }
    assert reg.opened == [("HKLM", r"SOFTWARE\Policies\minutes-app", 0x20019 | 0x0100)]
    assert reg.closed == 1


def test_missing_key_and_non_windows_give_nothing() -> None:
    assert read_policy_values(FakeWinreg({})) == {}
    if not settings_mod.sys.platform.startswith("win"):
        assert read_policy_values() == {}


def test_values_are_typed_and_names_case_insensitive() -> None:
    defaults, locked = policy_settings(
        {
            "LLM_Server_URL": "http://gpu:8000/v1",
            "retention_days": 30,  # REG_DWORD
            "retention_on_release": 0,  # REG_DWORD as bool
            "asr_vocabulary": "ja",  # REG_SZ as bool
            "threads": "4",  # REG_SZ as int
            "unknown_value": "ignored",
            "locked": "llm_server_url; retention_days,docx_template  unknown",
        }
    )
    assert defaults == {
        "llm_server_url": "http://gpu:8000/v1",
        "retention_days": 30,
        "retention_on_release": False,
        "asr_vocabulary": True,
        "threads": 4,
    }
    assert locked == {"llm_server_url", "retention_days", "docx_template"}
    _, multi = policy_settings({"Locked": ["models_dir", "shared_models_dir", ""]})
    assert multi == {"models_dir", "shared_models_dir"}


def test_bad_value_names_the_registry() -> None:
    with pytest.raises(UserError, match="Registry-Wert „threads“"):
        policy_settings({"threads": "viele"})


def test_policy_wins_over_the_file_and_locks_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "settings.json"
    system.write_text(
        json.dumps({"defaults": {"llm_server_url": "http://file:1/v1", "threads": 2}, "locked": ["threads"]}),
        encoding="utf-8",
    )
    defaults, locked = _load_system(system, {"llm_server_url": "http://gpo:2/v1", "Locked": "llm_server_url"})
    assert defaults == {"llm_server_url": "http://gpo:2/v1", "threads": 2}
    assert locked == {"threads", "llm_server_url"}

    # Through Settings.load: the registry is read (here: the stand-in) when no override file is named.
    monkeypatch.delenv("MINUTES_APP_SYSTEM_SETTINGS", raising=False)
    monkeypatch.setattr(
        settings_mod, "read_policy_values", lambda: {"retention_days": 14, "Locked": ["retention_days"]}
    )
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"settings_version": 1, "retention_days": 99}), encoding="utf-8")
    loaded = Settings.load(user, tmp_path / "absent.json")
    assert loaded.get("retention_days") == 14
    assert "retention_days" in loaded.locked
    with pytest.raises(UserError, match="von der IT festgelegt"):
        loaded.set("retention_days", 1)

    # MINUTES_APP_SYSTEM_SETTINGS names the whole policy (tests, trials): the registry is not read.
    monkeypatch.setenv("MINUTES_APP_SYSTEM_SETTINGS", str(system))
    assert Settings.load(user).get("retention_days") == 99
