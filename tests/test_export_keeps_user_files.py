"""An export never overwrites a file with the user's work in it (``base.keep``).

The situation: the secretary exports the draft, edits the DOCX in Word, and later exports
again to the same (proposed) name; or a file of the user's happens to carry the name. That
file is kept as „… (vorher).docx“ before the new one is written. The program's own earlier
export, untouched, is simply replaced (no pile of copies). Real exports of a processed
session (real audio), through the session API, the CLI and the keep module itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from test_gui_editors import project_dir  # noqa: F401  (a processed session on real audio)

from minutes_app.base import keep
from minutes_app.base.errors import OutputError
from minutes_app.session import export as session_export
from minutes_app.session.project import Project
from minutes_app.session.result import load_session


@pytest.fixture()
def registry(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "exports.json"
    monkeypatch.setattr(session_export, "registry", lambda: path)
    return path


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", ["docx", "txt", "json", "srt"])
def test_a_users_file_at_the_export_name_is_kept(project_dir, tmp_path, registry, fmt):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"protokoll.{fmt}"
    target.write_bytes(b"Meine Notizen, nicht vom Programm.")
    result = load_session(Project.load(project_dir))
    done = session_export.export_session(result, fmt, target)
    kept = out / f"protokoll (vorher).{fmt}"
    assert done.kept == [(target, kept)]
    assert kept.read_bytes() == b"Meine Notizen, nicht vom Programm."
    assert target.read_bytes() != kept.read_bytes() and target.stat().st_size > 0
    audit = (project_dir / "audit.jsonl").read_text(encoding="utf-8")
    assert "protokoll (vorher)" in audit


def test_an_edited_export_is_kept_an_untouched_one_replaced(project_dir, tmp_path, registry):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    target = out / "protokoll.docx"
    result = load_session(Project.load(project_dir))
    assert session_export.export_session(result, "docx", target).kept == []
    # exported again, nobody touched it: replaced, no copy
    assert session_export.export_session(result, "docx", target).kept == []
    assert files(out) == ["protokoll.docx"]
    # edited in Word (any change of its bytes): kept, then the next edit gets the next name
    target.write_bytes(target.read_bytes() + b"edit 1")
    edited = target.read_bytes()
    session_export.export_session(result, "docx", target)
    assert (out / "protokoll (vorher).docx").read_bytes() == edited
    session_export.export_session(result, "docx", target)  # untouched since: no new copy
    assert files(out) == ["protokoll (vorher).docx", "protokoll.docx"]
    target.write_bytes(target.read_bytes() + b"edit 2")
    session_export.export_session(result, "docx", target)
    assert files(out) == ["protokoll (vorher 2).docx", "protokoll (vorher).docx", "protokoll.docx"]
    assert (out / "protokoll (vorher).docx").read_bytes() == edited  # never replaced


def test_without_the_record_every_existing_file_is_kept(project_dir, tmp_path, registry):  # noqa: F811
    """The record lost (another PC, a deleted data folder): the earlier export is kept."""
    target = tmp_path / "protokoll.txt"
    result = load_session(Project.load(project_dir))
    session_export.export_session(result, "txt", target)
    registry.unlink()
    assert session_export.export_session(result, "txt", target).kept == [
        (target, tmp_path / "protokoll (vorher).txt")
    ]


def test_a_failed_export_leaves_no_copy_and_the_file_as_it_was(project_dir, tmp_path, registry):  # noqa: F811
    target = tmp_path / "protokoll.docx"
    target.write_bytes(b"Entwurf der Kollegin")
    broken = tmp_path / "kaputt.dotx"
    broken.write_bytes(b"kein Word-Dokument")
    result = load_session(Project.load(project_dir))
    with pytest.raises(OutputError):
        session_export.export_session(result, "docx", target, template=broken)
    assert not [name for name in files(tmp_path) if "vorher" in name]
    assert target.read_bytes() == b"Entwurf der Kollegin"
    assert not (tmp_path / "protokoll (vorher).docx").exists()


def test_cli_export_says_where_the_file_was_kept(project_dir, tmp_path, registry, capsys):  # noqa: F811
    from minutes_app.cli.commands import cmd_export

    target = tmp_path / "protokoll.docx"
    target.write_bytes(b"bearbeitet")
    args = argparse.Namespace(
        project=str(project_dir), format="docx", output=str(target), template=None, part=None
    )
    assert cmd_export(args) == 0
    out = capsys.readouterr().out
    assert "„protokoll.docx“ bleibt als „protokoll (vorher).docx“ erhalten" in out
    assert (tmp_path / "protokoll (vorher).docx").read_bytes() == b"bearbeitet"


def test_free_names_never_replace_anything(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(b"1")
    (tmp_path / "a (vorher).docx").write_bytes(b"0")
    (tmp_path / "a (vorher 2).docx").symlink_to(tmp_path / "nowhere")  # even a dangling link
    assert keep.free_name(path) == tmp_path / "a (vorher 3).docx"
    assert keep.keep_previous(path, None) == tmp_path / "a (vorher 3).docx"
    assert (tmp_path / "a (vorher 3).docx").read_bytes() == b"1"
    assert keep.keep_previous(tmp_path / "missing.docx", None) is None


def test_every_command_output_keeps_a_users_file(tmp_path, capsys):
    """``transcribe -o``, ``diarize --rttm`` and ``profiles export -o`` write through
    ``write_keeping``: the same rule as the exports."""
    from minutes_app.base.fileio import write_text
    from minutes_app.cli.paths import write_keeping

    target = tmp_path / "sitzung.rttm"
    target.write_text("von Hand korrigiert\n", encoding="utf-8")
    write_keeping(target, lambda: write_text(target, "SPEAKER sitzung 1 0.0 1.0\n"))
    assert "„sitzung.rttm“ bleibt als „sitzung (vorher).rttm“ erhalten" in capsys.readouterr().out
    assert (tmp_path / "sitzung (vorher).rttm").read_text(encoding="utf-8") == "von Hand korrigiert\n"
    write_keeping(target, lambda: write_text(target, "SPEAKER sitzung 1 0.0 2.0\n"))
    assert capsys.readouterr().out == ""  # its own output, untouched: replaced
    assert sorted(p.name for p in tmp_path.iterdir() if "sitzung" in p.name) == [
        "sitzung (vorher).rttm",
        "sitzung.rttm",
    ]
