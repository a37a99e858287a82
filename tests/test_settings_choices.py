"""Settings with declared choices: one declaration for validation, the CLI and the GUI combo boxes."""

from __future__ import annotations

import json

import pytest

from minutes_app.base.errors import UserError
from minutes_app.base.settings import SETTINGS, Settings, setting
from minutes_app.cli.main import build_parser


def test_choice_settings_accept_values_and_german_labels_and_refuse_the_rest(tmp_path):
    settings = Settings({}, tmp_path / "settings.json")
    settings.set("protocol_type", "Ergebnisprotokoll")  # what the secretary typed in the free-text field
    assert settings.get("protocol_type") == "ergebnis"
    settings.set("device", "nur Prozessor")
    assert settings.get("device") == "cpu"
    with pytest.raises(UserError, match="Protokollart.*Beschlussprotokoll.*Verlaufsprotokoll"):
        settings.set("protocol_type", "Beschlussprotokoll")
    assert settings.get("protocol_type") == "ergebnis"  # the refused value changed nothing
    settings.save()
    assert json.loads((tmp_path / "settings.json").read_text())["protocol_type"] == "ergebnis"


def test_a_settings_file_with_an_unknown_choice_is_refused_with_a_german_message(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"settings_version": 1, "llm_engine": "gpt4"}), encoding="utf-8")
    with pytest.raises(UserError, match="gpt4.*Möglich sind"):
        Settings.load(path, system_path=tmp_path / "none.json")


def test_every_declared_choice_has_a_german_label_and_the_default_is_one_of_them():
    with_choices = [s for s in SETTINGS if s.choices]
    assert {s.key for s in with_choices} >= {
        "llm_engine",
        "device",
        "asr_engine",
        "protocol_type",
        "language",
    }
    for s in with_choices:
        assert s.default in s.choice_values()
        assert all(label and label != value for value, label in s.choices)
    assert setting("device").choice_label("cuda") == "NVIDIA-Grafikkarte"


def test_cli_choices_come_from_the_same_declaration(capsys):
    parser = build_parser()
    base = ["run", "a.wav", "-o", "out.docx"]
    for value in setting("protocol_type").choice_values():
        assert parser.parse_args([*base, "--protocol-type", value]).protocol_type == value
    for value in setting("llm_engine").choice_values():
        assert parser.parse_args([*base, "--engine", value]).engine == value
    with pytest.raises(SystemExit) as exc:
        parser.parse_args([*base, "--engine", "gpt4"])
    assert exc.value.code == 2
    assert "gpt4" in capsys.readouterr().err
