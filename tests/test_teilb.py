"""Teil B: nothing of a non-public item reaches a public output, in any format or --part.

A processed session with a public TOP 1 and a nichtöffentlicher TOP NÖ-7 whose every
piece (title, number, paper, proposal, motion, resolution, vote, discussion, flags,
evidence, its speech and the one speaker heard only there) carries a marker word.
Each export of the real CLI is scanned completely (a DOCX unzipped, every XML part,
with and without the markup). Also: public status fails closed at every reader, and a
draft older than the agenda is refused until drafted again or confirmed.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from minutes_app.agenda.oparl import Resolver, agenda_item
from minutes_app.base.errors import ProjectError
from minutes_app.base.types import (
    AgendaItem,
    Diarization,
    Evidence,
    Minutes,
    MinutesItem,
    Segment,
    Transcript,
    Vote,
    Word,
)
from minutes_app.cli.main import main
from minutes_app.session import audit
from minutes_app.session.api import Session
from minutes_app.session.project import Project
from minutes_app.session.result import load_session

SECRETS = (
    "Geheimweg",  # title
    "NÖ-7",  # number
    "Vorlage-Geheim-999",  # paper
    "Vorschlagsgeheimnis",  # proposal
    "Antragsgeheimnis",  # motion
    "Beschlussgeheimnis",  # resolution
    "Stimmgeheimnis",  # vote
    "Beratungsgeheimnis",  # discussion
    "Hinweisgeheimnis",  # flag
    "Kaufpreisgeheimnis",  # speech (segment text, evidence)
    "Verschwiegen",  # the speaker heard only in Teil B
)
FORMATS = ("docx", "txt", "srt", "vtt", "json", "oparl")
PARTS = (None, "oeffentlich", "nichtoeffentlich", "gesamt")


def teilb_session(folder: Path) -> Project:
    """TOP 1 (public, 0-2 s, SPEAKER_00) and TOP NÖ-7 (non-public, 2-4 s, SPEAKER_01)."""
    audio = folder / "a.wav"
    audio.write_bytes(b"RIFF")
    project = Project.open_or_create(folder / "p", audio)
    session = Session(project)
    session.set_agenda(
        [AgendaItem("1", "Radweg", public=True), AgendaItem("NÖ-7", "Geheimweg", public=False)]
    )
    words = [Word(0.0, 0.5, " Der"), Word(0.5, 1.0, " Radweg.")]
    segs = [
        Segment(0, 0.0, 1.0, "Der Radweg.", words, "SPEAKER_00"),
        Segment(1, 2.0, 3.0, "Der Kaufpreisgeheimnis liegt bei.", [], "SPEAKER_01"),
        Segment(2, 3.0, 3.5, "Danke.", [], "SPEAKER_00"),
    ]
    project.save_result("asr", {}, Transcript("de", 4.0, segs).to_dict())
    project.save_result("diarization", {}, Diarization().to_dict())
    project.save_result(
        "align", {}, {"segments": [s.__dict__ | {"words": [w.__dict__ for w in s.words]} for s in segs]}
    )
    secret = MinutesItem(
        "NÖ-7",
        "Geheimweg",
        start=2.0,
        end=4.0,
        discussion="Beratungsgeheimnis",
        motions=["Antragsgeheimnis"],
        resolution="Beschlussgeheimnis",
        vote=Vote(outcome="Stimmgeheimnis"),
        evidence=[Evidence(2.0, 3.0, [1])],
        flags=["Hinweisgeheimnis"],
        public=False,
        paper="Vorlage-Geheim-999",
        proposal="Vorschlagsgeheimnis",
    )
    minutes = Minutes([MinutesItem("1", "Radweg", start=0.0, end=2.0, discussion="Offen."), secret])
    project.save_result("draft", {"agenda": project.data["agenda"]}, minutes.to_dict())
    session.rename_speaker("SPEAKER_01", "Herr Verschwiegen")
    session.rename_speaker("SPEAKER_00", "Frau Offen")
    return project


def file_texts(path: Path) -> list[str]:
    """Every part of a written file as text; a DOCX also without its markup."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as zf:
            parts = [zf.read(name).decode("utf-8", "replace") for name in zf.namelist()]
        return parts + [re.sub(r"<[^>]+>", "", p) for p in parts]
    return [path.read_text(encoding="utf-8")]


def public_outputs(fmt: str, part: str | None, written: list[Path]) -> list[Path]:
    if part == "oeffentlich":
        return written
    if part is None and fmt in ("docx", "oparl"):  # the default of these two is Teil A
        return [p for p in written if "TeilB" not in p.name]
    return []


@pytest.fixture
def project(tmp_path):
    return teilb_session(tmp_path)


def test_no_part_of_a_nonpublic_item_in_any_public_output(project, tmp_path, capsys):
    seen_secret_somewhere = False
    for fmt in FORMATS:
        for part in PARTS:
            out = tmp_path / f"out_{fmt}_{part}"
            out.mkdir()
            target = out / f"export.{fmt if fmt != 'oparl' else 'json'}"
            argv = ["export", str(project.folder), "--format", fmt, "-o", str(target)]
            assert main(argv + (["--part", part] if part else [])) == 0, capsys.readouterr().err
            written = sorted(out.iterdir())
            assert written, (fmt, part)
            for path in public_outputs(fmt, part, written):
                for text in file_texts(path):
                    leaked = [s for s in SECRETS if s in text]
                    assert not leaked, (fmt, part, path.name, leaked)
            if part in ("nichtoeffentlich", "gesamt") and fmt != "oparl":
                seen_secret_somewhere |= any(
                    "Kaufpreisgeheimnis" in t for p in written for t in file_texts(p)
                )
            if part == "oeffentlich" and fmt != "oparl":  # the public part itself is there
                assert any("Radweg" in t for p in written for t in file_texts(p)), (fmt, part)
    assert seen_secret_somewhere  # the scan would see a leak: Teil B exports do hold it


def test_public_transcript_refused_when_teil_b_cannot_be_located(project, tmp_path, capsys):
    minutes = load_session(project).minutes
    minutes.agenda_items[1].start = None
    project.save_result("draft", {"agenda": project.data["agenda"]}, minutes.to_dict())
    for fmt in ("txt", "srt", "vtt", "json"):
        target = tmp_path / f"x.{fmt}"
        code = main(
            ["export", str(project.folder), "--format", fmt, "-o", str(target), "--part", "oeffentlich"]
        )
        err = capsys.readouterr().err
        assert code == 2 and "nicht abgrenzen" in err and "Traceback" not in err
        assert not target.exists()


@pytest.mark.parametrize("value", ["false", "true", 0, 1, None, "ja", [], {}])
def test_public_status_fails_closed_in_project_and_draft(project, value):
    data = json.loads((project.folder / "project.json").read_text())
    data["agenda"][0]["public"] = value  # a hand-edited or foreign file
    (project.folder / "project.json").write_text(json.dumps(data))
    draft = json.loads((project.folder / "draft.json").read_text())
    draft["agenda_items"][0]["public"] = value
    del draft["agenda_items"][1]["public"]  # missing: non-public too
    (project.folder / "draft.json").write_text(json.dumps(draft))
    loaded = Project.load(project.folder)
    assert loaded.agenda[0].public is False and loaded.agenda[1].public is False
    try:  # the stage file's schema may refuse a wrong type as damaged: also fail closed
        minutes = load_session(loaded).minutes
    except ProjectError as exc:
        assert "beschädigt" in str(exc) and not isinstance(value, bool)
    else:
        assert [i.public for i in minutes.agenda_items] == [False, False]


@pytest.mark.parametrize("value", ["true", 1, None, "öffentlich"])
def test_oparl_public_is_a_real_boolean(value):
    obj = {"type": "https://schema.oparl.org/1.1/AgendaItem", "number": "3", "name": "Haushalt"}
    assert agenda_item(obj | {"public": True}, Resolver()).public is True
    assert agenda_item(obj | {"public": value}, Resolver()).public is False
    assert agenda_item(obj, Resolver()).public is False  # missing: non-public


def test_draft_older_than_the_agenda_is_refused_until_confirmed(project, tmp_path, capsys):
    """TOP 1 becomes nichtöffentlich after drafting: no export until re-drafted or confirmed."""
    session = Session(project)
    session.set_agenda(
        [AgendaItem("1", "Radweg", public=False), AgendaItem("NÖ-7", "Geheimweg", public=False)]
    )
    target = tmp_path / "n.docx"
    code = main(["export", str(project.folder), "--format", "docx", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "Tagesordnung" in err and "--entwurf-bestaetigen" in err and not target.exists()
    code = main(
        ["export", str(project.folder), "--format", "docx", "-o", str(target), "--entwurf-bestaetigen"]
    )
    assert code == 0, capsys.readouterr().err
    public = [t for t in file_texts(target)]
    assert not any("Offen." in t or "Radweg" in t for t in public)  # the agenda's Teil B wins
    assert audit.read(project)[-2].action == "entwurf_bestaetigt"
    # A further change of the agenda needs a new confirmation.
    session.set_agenda(
        [AgendaItem("1", "Radweg neu", public=True), AgendaItem("NÖ-7", "Geheimweg", public=False)]
    )
    assert main(["export", str(project.folder), "--format", "txt", "-o", str(tmp_path / "t.txt")]) == 2
