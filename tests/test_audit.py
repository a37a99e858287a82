"""Audit trail: one entry per edit with before/after, AI vs human, crash-safe reading, export."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from support.sessions import processed_project

from minutes_app.base.errors import OutputError
from minutes_app.base.types import Minutes, MinutesItem
from minutes_app.session import audit
from minutes_app.session.editing import CONFIRMED, SessionDoc


@pytest.fixture
def doc(tmp_path):
    """A processed project with a one-item AI draft (model and prompt version known)."""
    minutes = Minutes([MinutesItem("2", "Radweg", discussion="KI-Text")], model="qwen", prompt_version="p7")
    return SessionDoc.open(processed_project(tmp_path, minutes).folder)


def actions(doc: SessionDoc) -> list[str]:
    return [e.action for e in audit.read(doc.project)]


def test_first_open_records_the_ai_draft_once(doc, tmp_path):
    assert audit.read(doc.project) == []  # entries wait for save()
    doc.save()
    [created] = audit.read(doc.project)
    assert (created.action, created.source, created.model, created.prompt_version) == (
        "entwurf_erzeugt",
        "ki",
        "qwen",
        "p7",
    )
    SessionDoc.open(tmp_path / "p").save()
    assert actions(doc) == ["entwurf_erzeugt"]


def test_every_edit_is_recorded_with_before_and_after(doc):
    doc.user = "Frau Weber"
    doc.set_text(1, "Ich rufe Tagesordnungspunkt 2 auf.")
    doc.split(0, 2)
    undo = doc.merge_with_next(0)
    doc.restore(undo)  # undo of the merge: the split halves are back
    doc.set_speaker(1, "SPEAKER_00")
    doc.rename_speaker("SPEAKER_00", "Peter Lindner")
    doc.replace_all("Guten", "Schönen")
    doc.set_item_field(0, "resolution", "Der Rat beschließt.")
    doc.set_item_state(0, CONFIRMED)
    doc.save()
    entries = audit.read(doc.project)[1:]  # after "entwurf_erzeugt"
    assert [e.action for e in entries] == [
        "text_bearbeitet",
        "segment_geteilt",
        "segmente_zusammengefuehrt",
        "rueckgaengig",
        "sprecher_zugewiesen",
        "sprecher_umbenannt",
        "text_ersetzt",
        "feld_bearbeitet",
        "status_geaendert",
    ]
    assert all(e.user == "Frau Weber" and e.source == "mensch" and not e.model for e in entries)
    by_action = {e.action: e for e in entries}
    text = by_action["text_bearbeitet"]
    assert (text.target, text.before, text.after) == (
        "Segment 1",
        "Ich rufe TOP 2 auf.",
        "Ich rufe Tagesordnungspunkt 2 auf.",
    )
    assert by_action["segment_geteilt"].after == "0: Guten Abend.\n2: Danke."
    assert by_action["segmente_zusammengefuehrt"].after == "Guten Abend. Danke."
    assert by_action["rueckgaengig"].before == "0 [SPEAKER_00]: Guten Abend. Danke."
    assert by_action["rueckgaengig"].after == "0 [SPEAKER_00]: Guten Abend.\n2 [SPEAKER_00]: Danke."
    speaker = by_action["sprecher_umbenannt"]
    assert (speaker.target, speaker.before, speaker.after) == ("Sprecher SPEAKER_00", None, "Peter Lindner")
    field = by_action["feld_bearbeitet"]
    assert (field.target, field.before, field.after) == ("TOP 2 resolution", "", "Der Rat beschließt.")
    state = by_action["status_geaendert"]
    assert (state.target, state.before, state.after) == ("TOP 2", "bearbeitet", "bestaetigt")
    # Entries are written before the edits: every saved change has its entry.
    time = dt.datetime.fromisoformat(entries[0].time)
    assert time.utcoffset() is not None


def test_typing_in_one_field_is_one_entry(doc):
    for text in ("D", "De", "Der Rat"):
        doc.set_item_field(0, "discussion", text)
    doc.set_item_field(0, "title", "Radweg Nord")
    doc.save()
    fields = [e for e in audit.read(doc.project) if e.action == "feld_bearbeitet"]
    assert [(e.target, e.before, e.after) for e in fields] == [
        ("TOP 2 discussion", "KI-Text", "Der Rat"),
        ("TOP 2 title", "Radweg", "Radweg Nord"),
    ]


def test_no_op_edits_record_nothing(doc):
    doc.save()
    doc.set_text(0, "Guten Abend. Danke.")
    doc.replace_all("gibt es nicht", "x")
    doc.set_item_state(0, "ki_entwurf")
    doc.save()
    assert actions(doc) == ["entwurf_erzeugt"]


def test_regenerated_item_is_ai_text_with_model(doc):
    old, old_state = doc.replace_item(
        0, MinutesItem("2", "Radweg", discussion="Neu erzeugt", resolution="B.")
    )
    doc.replace_item(0, old, source="mensch")  # the GUI's undo puts the old item back
    doc.save()
    regen, back = audit.read(doc.project)[-2:]
    assert (regen.action, regen.source, regen.model, regen.prompt_version) == (
        "punkt_neu_erzeugt",
        "ki",
        "qwen",
        "p7",
    )
    assert regen.before == "Radweg\nKI-Text" and regen.after == "Radweg\nNeu erzeugt\nBeschluss: B."
    assert (back.action, back.source, back.model) == ("rueckgaengig", "mensch", "")


def test_long_texts_are_shortened_around_the_change(doc):
    long = "Wort " * 1000
    doc.set_item_field(0, "discussion", long)
    doc.save()
    doc.set_item_field(0, "discussion", long[:3000] + "GEÄNDERT " + long[3000:])
    doc.save()
    last = [e for e in audit.read(doc.project) if e.action == "feld_bearbeitet"][-1]
    assert len(last.before or "") <= audit.MAX_TEXT and len(last.after or "") <= audit.MAX_TEXT
    assert "GEÄNDERT" in (last.after or "") and (last.after or "").startswith("…")
    first = [e for e in audit.read(doc.project) if e.action == "feld_bearbeitet"][0]
    assert len(first.after or "") == audit.MAX_TEXT and first.after.endswith("…")


def test_torn_last_line_is_skipped_and_appending_goes_on(doc):
    audit.record(doc.project, "export", "Niederschrift", note="docx")
    path = doc.project.folder / "audit.jsonl"
    with open(path, "ab") as fh:
        fh.write(b'{"time": "2025-01-01T10:00:00+01:00", "user": "x", "act')  # crash mid-write
    assert actions(doc) == ["export"]
    assert SessionDoc.open(doc.project.folder).project.data["schema_version"] == 1  # loading still works
    audit.record(doc.project, "geloescht", "Aufnahme", user="Frau Weber")
    assert actions(doc) == ["export", "geloescht"]
    assert audit.read(doc.project)[-1].user == "Frau Weber"


def test_default_user_is_the_login_name(doc, monkeypatch):
    monkeypatch.setattr(audit.getpass, "getuser", lambda: "mmuster")
    assert audit.record(doc.project, "export").user == "mmuster"
    with pytest.raises(ValueError):
        audit.entry("export", source="maschine")


def test_csv_export_for_german_excel(doc, tmp_path):
    doc.set_text(1, "=SUMME(A1)")
    doc.save()
    out = tmp_path / "protokoll.csv"
    assert audit.export_audit(doc.project, out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == list(audit.CSV_HEADERS.values())
    assert rows[0][:6] == ["Zeit", "Benutzer", "Aktion", "Ziel", "Vorher", "Nachher"]
    assert [r[2] for r in rows[1:]] == ["entwurf_erzeugt", "text_bearbeitet"]
    assert rows[2][4:6] == ["Ich rufe TOP 2 auf.", "'=SUMME(A1)"]  # no formula in a spreadsheet
    assert actions(doc)[-1] == "export"  # the export itself is recorded
    out_json = tmp_path / "protokoll.json"
    audit.export_audit(doc.project, out_json, fmt="json")
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data[1]["after"] == "=SUMME(A1)" and data[2]["action"] == "export"
    with pytest.raises(OutputError, match="nicht unterstützt"):
        audit.export_audit(doc.project, tmp_path / "x.xml", fmt="xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav", "p", "protokoll.csv", "protokoll.json"]


def test_unreadable_trail_folder_raises_german_error(doc, tmp_path):
    doc.project.folder = tmp_path / "gibt-es-nicht"
    with pytest.raises(OutputError, match="Änderungsprotokoll"):
        audit.record(doc.project, "export")


def test_audit_export_over_an_edited_file_keeps_it(doc, tmp_path):
    """The trail exported, opened and changed in Excel, exported again: the changed file is
    kept as „protokoll (vorher).csv“; exporting once more (untouched) keeps nothing more."""
    out = tmp_path / "protokoll.csv"
    audit.export_audit(doc.project, out)
    out.write_bytes(out.read_bytes() + b"Notiz;von;Hand\r\n")
    edited = out.read_bytes()
    audit.export_audit(doc.project, out)
    assert (tmp_path / "protokoll (vorher).csv").read_bytes() == edited
    assert "protokoll (vorher).csv" in audit.read(doc.project)[-1].note
    audit.export_audit(doc.project, out)
    assert sorted(p.name for p in tmp_path.glob("protokoll*")) == ["protokoll (vorher).csv", "protokoll.csv"]
