"""Bad-input catalogue, part 2: output places, models, lists, templates, project and settings files.

Agenda files are covered by ``test_agenda_bad_input.py`` (empty, too large, too many items,
encrypted/scanned/garbled PDF, renamed ZIP, ODT/XLSX, broken DOCX, .doc/RTF/PNG, broken JSON,
non-Meeting OParl, UTF-16, missing file, bad URL schemes) and ``test_agenda_oparl.py`` (other OParl
objects, linked items, server errors and timeouts); rosters partly by ``test_roster.py``. Only the
gaps are here. Tests marked ``xfail(strict=True)`` are defects in modules outside this catalogue's
files, reported in docs/reliability.md; they turn red once fixed, so the mark can go.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import docx
import pytest
from test_bad_input_media import encode, run_cli
from test_export_docx import _info, _minutes, _speakers
from test_signoff import make_project

from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.roster import load_roster
from minutes_app.base.errors import AgendaError, ModelCorruptError, ModelMissingError, OutputError
from minutes_app.export.docx import export_docx
from minutes_app.models.store import ModelStore

MODELS = Path(os.environ["MINUTES_APP_MODELS"])
OLD = b"Entwurf vom Vortag, von Hand korrigiert"


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- output places ----------------------------------------------------------------------------------
def test_cli_output_in_an_unwritable_place(tmp_path: Path) -> None:
    audio = encode(tmp_path / "rat.wav", "pcm_s16le")
    blocker = tmp_path / "ablage.txt"  # a file where a folder is expected (chmod does not stop root)
    blocker.write_bytes(OLD)
    proc = run_cli("transcribe", str(audio), "-o", str(blocker / "t.json"), cwd=tmp_path)
    assert proc.returncode == 2 and "kann nicht geschrieben werden" in proc.stderr
    assert "Bitte einen anderen Speicherort wählen." in proc.stderr and "Traceback" not in proc.stderr
    assert blocker.read_bytes() == OLD
    folder = tmp_path / "ausgabe.json"
    folder.mkdir()
    proc = run_cli("run", str(audio), "--no-draft", "-o", str(folder), cwd=tmp_path)
    assert proc.returncode == 2 and "ist ein Ordner; bitte einen Dateinamen angeben" in proc.stderr
    if os.geteuid() != 0:  # a real read-only folder where permissions apply
        locked = tmp_path / "schreibgeschuetzt"
        locked.mkdir()
        (locked / "t.json").write_bytes(OLD)
        locked.chmod(0o500)
        try:
            proc = run_cli("transcribe", str(audio), "-o", str(locked / "t.json"), cwd=tmp_path)
        finally:
            locked.chmod(0o700)
        assert proc.returncode == 2 and "kann nicht geschrieben werden" in proc.stderr
        assert (locked / "t.json").read_bytes() == OLD


# -- models -----------------------------------------------------------------------------------------
def _linked_copy(tmp_path: Path, model_id: str = "whisper-base") -> Path:
    """A model folder of symbolic links to the real files (nothing big is copied)."""
    src = MODELS / model_id
    if not (src / "manifest.json").is_file():
        pytest.fail(f"model {model_id} not installed in {MODELS} (make test installs it)")
    dst = tmp_path / "modelle" / model_id
    dst.mkdir(parents=True)
    for path in src.iterdir():
        (dst / path.name).symlink_to(path)
    return dst


def test_cli_truncated_model_file_is_exit_3(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    config = (folder / "config.json").read_bytes()
    (folder / "config.json").unlink()
    (folder / "config.json").write_bytes(config[: len(config) // 2])
    audio = encode(tmp_path / "rat.wav", "pcm_s16le")
    out = tmp_path / "t.json"
    out.write_bytes(OLD)
    env = {"MINUTES_APP_MODELS": str(folder.parent)}
    proc = run_cli("transcribe", str(audio), "-o", str(out), cwd=tmp_path, env=env)
    assert proc.returncode == 3, proc.stderr
    assert "Das Modell „whisper-base“ ist beschädigt (config.json hat die falsche Größe)" in proc.stderr
    assert "minutes-app models install whisper-base" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_bytes() == OLD


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda m: m.pop("kind"), "„kind“ fehlt im Manifest"),
        (lambda m: m["files"].update({"config.json": 5}), "Manifest-Eintrag zu config.json ist ungültig"),
        (lambda m: m["files"]["config.json"].update(size="groß"), "zu config.json ist ungültig"),
        (lambda m: m["files"].update({"../../etc/passwd": {"size": 1}}), "zu ../../etc/passwd ist ungültig"),
        (lambda m: m.update(files={}), "das Manifest führt keine Dateien auf"),
        (lambda m: m.update(source="registry"), None),  # a wrong type where a dict belongs: ignored
    ],
)
def test_hand_edited_manifest_is_a_german_model_error(tmp_path: Path, edit, words: str | None) -> None:
    folder = _linked_copy(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    store = ModelStore(folder.parent)
    if words is None:
        assert store.get("whisper-base").path == folder
        return
    with pytest.raises(ModelCorruptError) as info:
        store.get("whisper-base")
    assert words in str(info.value) and "Installieren mit: minutes-app models install" in str(info.value)
    assert all(not r.ok for r in store.verify(["whisper-base"]))  # verify reports, never crashes


def test_model_folder_without_manifest_is_incomplete(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    (folder / "manifest.json").unlink()
    with pytest.raises(ModelMissingError, match="„whisper-base“ ist unvollständig"):
        ModelStore(folder.parent).get("whisper-base")


def test_cli_damaged_model_content_is_exit_3(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path)
    size = (folder / "model.bin").stat().st_size
    (folder / "model.bin").unlink()
    with (folder / "model.bin").open("wb") as handle:
        handle.truncate(size)  # sparse: right size, all zeros, costs no disk
    audio = encode(tmp_path / "rat.wav", "pcm_s16le")
    proc = run_cli(
        "transcribe",
        str(audio),
        "-o",
        str(tmp_path / "t.json"),
        cwd=tmp_path,
        env={"MINUTES_APP_MODELS": str(folder.parent)},
    )
    assert proc.returncode == 3, proc.stderr


# -- attendee lists and OParl: the gaps ----------------------------------------------------------------
P = "https://schema.oparl.org/1.1/Person"
M = "https://schema.oparl.org/1.1/Meeting"
A = "https://schema.oparl.org/1.1/AgendaItem"


def _roster_error(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "anwesenheit.csv"
    path.write_bytes(content)
    with pytest.raises(AgendaError) as info:
        load_roster(path)
    return str(info.value)


def test_roster_in_utf16_from_excel(tmp_path: Path) -> None:
    message = _roster_error(tmp_path, "Name;Fraktion\nAnna Berg;SPD\n".encode("utf-16"))
    assert "„anwesenheit.csv“ ist keine Anwesenheitsliste" in message and "Name" in message


def test_roster_with_too_many_people(tmp_path: Path) -> None:
    message = _roster_error(tmp_path, "\n".join(f"Person Nummer{i}" for i in range(5001)).encode())
    assert "mehr als 5000 Personen" in message


def test_roster_deeply_nested_json(tmp_path: Path) -> None:
    assert "kein gültiges JSON" in _roster_error(tmp_path, b"[" * 100_000)


def test_roster_json_error_talks_about_attendees(tmp_path: Path) -> None:
    assert "Tagesordnung" not in _roster_error(tmp_path, b"[" * 100_000)


def test_oparl_persons_without_names_are_refused(tmp_path: Path) -> None:
    persons = [{"type": P, "name": 5, "familyName": ["x"]}, {"type": P}]
    assert "keine Namen" in _roster_error(tmp_path, json.dumps(persons).encode())


def test_oparl_meeting_with_too_many_items(tmp_path: Path) -> None:
    meeting = {"type": M, "agendaItem": [{"type": A, "number": str(i), "name": "T"} for i in range(5001)]}
    path = tmp_path / "sitzung.json"
    path.write_text(json.dumps(meeting), encoding="utf-8")
    with pytest.raises(AgendaError, match="mehr als 5000 Tagesordnungspunkte"):
        load_agenda(path)


def test_oparl_meeting_with_wrong_types_keeps_what_is_usable(tmp_path: Path) -> None:
    meeting = {
        "type": M,
        "start": 5,
        "name": {},
        "location": "x",
        "agendaItem": [{"type": A, "number": "1", "name": "Eröffnung", "consultation": {"paper": 5}}],
    }
    path = tmp_path / "sitzung.json"
    path.write_text(json.dumps(meeting), encoding="utf-8")
    imported = load_agenda(path)
    assert [(i.number, i.title) for i in imported.items] == [("1", "Eröffnung")]
    assert imported.info is not None and imported.info.date == ""


# -- broken Word templates ------------------------------------------------------------------------------
def _template(change) -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = change(entry.filename, source.read(entry.filename))
            if data is not None:
                target.writestr(entry.filename, data)
    return out.getvalue()


W = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
TEMPLATES = {
    "ohne_body": (lambda n, d: W if n == "word/document.xml" else d, "beschädigt oder keine Word-Datei"),
    "fremdes_xml": (lambda n, d: b"<foo/>" if n == "word/document.xml" else d, "beschädigt oder keine"),
    "xml_halb": (lambda n, d: d[: len(d) // 2] if n == "word/document.xml" else d, "beschädigt"),
    "ohne_dokument": (lambda n, d: None if n == "word/document.xml" else d, "keine Word-Datei (.docx/.dotx)"),
    "makros": (
        lambda n, d: (
            d.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            if n == "[Content_Types].xml"
            else d
        ),
        "enthält Makros (.docm/.dotm)",
    ),
}


@pytest.mark.parametrize("name", [*TEMPLATES, "leer", "ordner"])
def test_broken_template_writes_nothing(tmp_path: Path, name: str) -> None:
    template = tmp_path / f"{name}.dotx"
    if name == "leer":
        template.write_bytes(b"")
        words = "ist leer"
    elif name == "ordner":
        template.mkdir()
        words = "kann nicht gelesen werden (das ist ein Ordner)"
    else:
        change, words = TEMPLATES[name]
        template.write_bytes(_template(change))
    out = tmp_path / "niederschrift.docx"
    out.write_bytes(OLD)
    with pytest.raises(OutputError) as info:
        export_docx(out, _info(), _speakers(), _minutes(), template=template)
    assert words in str(info.value) and str(template) in str(info.value)
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([template.name, out.name])


def test_cli_export_with_broken_template_leaves_project_and_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    template = tmp_path / "stadt.dotx"
    template.write_bytes(_template(TEMPLATES["ohne_body"][0]))
    out = tmp_path / "niederschrift.docx"
    out.write_bytes(OLD)
    before = folder_bytes(project.folder)
    proc = run_cli(
        "export",
        str(project.folder),
        "--format",
        "docx",
        "-o",
        str(out),
        "--template",
        str(template),
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert (
        "Die Word-Vorlage" in proc.stderr and "beschädigt" in proc.stderr and "Traceback" not in proc.stderr
    )
    assert out.read_bytes() == OLD and folder_bytes(project.folder) == before


# -- project and settings files --------------------------------------------------------------------------
def test_cli_corrupt_project_file_is_not_touched(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    broken = (project.folder / "project.json").read_bytes()[:100]
    (project.folder / "project.json").write_bytes(broken)
    before = folder_bytes(project.folder)
    proc = run_cli(
        "export", str(project.folder), "--format", "txt", "-o", str(tmp_path / "t.txt"), cwd=tmp_path
    )
    assert proc.returncode == 2 and "ist beschädigt und wird nicht verändert" in proc.stderr
    assert folder_bytes(project.folder) == before and not (tmp_path / "t.txt").exists()


def test_cli_deeply_nested_project_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project.folder / "project.json").write_bytes(b"[" * 100_000)
    proc = run_cli("items", str(project.folder), cwd=tmp_path)
    assert proc.returncode == 2 and "Projektdatei" in proc.stderr


@pytest.mark.parametrize(
    "content",
    [
        b"{kaputt",
        pytest.param(b"[]"),
        pytest.param(
            b'{"settings_version": "zwei"}',
        ),
    ],
)
def test_cli_corrupt_settings_file(tmp_path: Path, content: bytes) -> None:
    config = tmp_path / "konfig"
    config.mkdir()
    (config / "settings.json").write_bytes(content)
    audio = encode(tmp_path / "rat.wav", "pcm_s16le")
    proc = run_cli(
        "transcribe", str(audio), "-o", "t.json", cwd=tmp_path, env={"MINUTES_APP_CONFIG": str(config)}
    )
    assert proc.returncode == 2, proc.stderr
    assert "Die Einstellungsdatei" in proc.stderr and "Traceback" not in proc.stderr
    assert (config / "settings.json").read_bytes() == content
