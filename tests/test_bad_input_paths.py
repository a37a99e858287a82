"""Bad-input catalogue, part 4: paths and the user's files (issue 15, items 3, 7, 8; docs/reliability.md).

Classes, each with several members:

- writes outside the session folder, whatever ``project.json`` names (``../..``, absolute,
  a link out of the folder);
- an output that is an input of the same command, a file of a session, a special file
  (device node, FIFO, socket, folder) or a link: refused before any work, nothing changed;
- ``--project``: a folder that is not empty and not a session is refused, modes of folders the
  app did not create stay as they were; retention and deletion remove only the session's files;
- a moved recording with the same content redoes nothing; other content keeps the corrections
  as a version.

The CLI cases fail before a model is loaded, so they stay cheap.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_bad_input_media import run_cli
from test_signoff import confirm_all, make_project

from minutes_app.base.errors import OutputError
from minutes_app.base.fileio import child_path
from minutes_app.session import signoff
from minutes_app.session.editing import SessionDoc
from minutes_app.session.project import Project

OLD = b"Von Hand korrigiert, bitte nicht verlieren"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def released(tmp_path: Path) -> Project:
    make_project(tmp_path)
    doc = SessionDoc.open(tmp_path / "p")
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    signoff.release(doc, "Herr Vorsitz")
    return Project.load(tmp_path / "p")


# -- writes outside the session folder ------------------------------------------------------------
@pytest.mark.parametrize(
    "crafted", ["../../../entkommen.json", "ABS", "unter/../../x.json", "minutes_v1.json/../a"]
)
def test_new_version_never_writes_where_a_crafted_project_file_points(tmp_path: Path, crafted: str) -> None:
    project = released(tmp_path)
    (project.folder / "minutes_v1.json").unlink()  # so the new version has to write the frozen copy
    outside = tmp_path / "aussen" / "entkommen.json"
    name = str(outside) if crafted == "ABS" else crafted
    project.data["signoff"]["frozen"]["file"] = name
    project.save()
    before = {p for p in tmp_path.rglob("*")}
    proc = run_cli("signoff", str(project.folder), "--neue-version", "Berichtigung", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    created = {p for p in tmp_path.rglob("*")} - before
    assert created and all(p.parent == project.folder for p in created), created
    assert (project.folder / "minutes_v1.json").is_file() and not outside.parent.exists()
    history = Project.load(project.folder).data["signoff"]["history"]
    assert history[-1]["file"] == "minutes_v1.json"


def test_frozen_copy_is_not_written_through_a_link(tmp_path: Path) -> None:
    make_project(tmp_path)
    doc = SessionDoc.open(tmp_path / "p")
    confirm_all(doc)
    signoff.mark_reviewed(doc, "Frau Schrift")
    target = tmp_path / "fremd.json"
    target.write_bytes(OLD)
    (tmp_path / "p" / "minutes_v1.json").symlink_to(target)  # planted before the release
    proc = run_cli("signoff", str(tmp_path / "p"), "--freigeben", cwd=tmp_path)
    assert proc.returncode == 2 and "nicht geschrieben" in proc.stderr, proc.stderr
    assert target.read_bytes() == OLD and signoff.state(Project.load(tmp_path / "p")) == signoff.GEPRUEFT


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "", "a/../../b", "..\\b"])
def test_child_path_refuses_names_that_leave_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match="ungültig"):
        child_path(tmp_path, name)
    (tmp_path / "link").symlink_to(tmp_path.parent)
    with pytest.raises(OutputError, match="Verknüpfung"):
        child_path(tmp_path, "link/x.json")
    assert child_path(tmp_path, "versions/1/asr.json") == tmp_path / "versions" / "1" / "asr.json"
