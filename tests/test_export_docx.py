"""DOCX export: structure, draft marking, votes, template handling, atomic failure."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor

from minutes_app.base.errors import OutputError
from minutes_app.base.types import (
    Attendee,
    Evidence,
    Minutes,
    MinutesItem,
    ProcedureEvent,
    Segment,
    SessionInfo,
    Speaker,
    Transcript,
    Vote,
)
from minutes_app.export.common import ExportResult
from minutes_app.export.docx import CONFIDENTIAL_MARK, DRAFT_MARK, build_docx, export_docx, vote_lines
from minutes_app.export.transcript import write_export


def _info() -> SessionInfo:
    return SessionInfo(
        title="Niederschrift",
        committee="3. Sitzung des Ausschusses für Umwelt und Mobilität",
        date="12.03.2025",
        location="Rathaus, Sitzungssaal 2",
        start_time="17:00 Uhr",
        end_time="17:45 Uhr",
    )


def _speakers() -> list[Speaker]:
    return [
        Speaker("SPEAKER_00", "Petra Lindner (Vorsitz)"),
        Speaker("SPEAKER_01", "Markus Brandt (CDU)"),
        Speaker("SPEAKER_02"),
    ]


def _minutes() -> Minutes:
    return Minutes(
        agenda_items=[
            MinutesItem(
                number="1",
                title="Eröffnung und Feststellung der Tagesordnung",
                start=0.0,
                end=28.7,
                discussion="Die Vorsitzende eröffnet die Sitzung und stellt die Beschlussfähigkeit fest.",
                resolution="Die Tagesordnung wird festgestellt.",
                vote=Vote(outcome="einstimmig angenommen"),
                evidence=[Evidence(20.0, 28.7, [0])],
            ),
            MinutesItem(
                number="2",
                title="Einrichtung einer Fahrradstraße in der Lindenallee",
                start=29.4,
                end=123.0,
                discussion="Herr Brandt (CDU) sieht den Wegfall von Stellplätzen kritisch.\n"
                "Frau Dr. Demir (GRÜNE) begrüßt die Vorlage.",
                motions=["Antrag der Fraktion GRÜNE: Prüfung sicherer Querungen"],
                resolution="Der Ausschuss beschließt die Einrichtung der Fahrradstraße.",
                vote=Vote(outcome="mehrheitlich angenommen", yes=7, no=2, abstain=1),
                flags=["Stimmenzahlen bitte anhand der Aufnahme prüfen."],
            ),
            MinutesItem(number="3", title="Mitteilungen und Anfragen"),
        ],
        model="qwen2.5-1.5b-instruct",
        prompt_version="minutes-v1",
    )


def _transcript() -> Transcript:
    return Transcript(
        language="de",
        duration=130.0,
        model="whisper-base",
        segments=[
            Segment(0, 0.0, 4.0, "Ich eröffne die Sitzung.", speaker="SPEAKER_00"),
            Segment(1, 66.4, 70.0, "Wir sehen das kritisch.", speaker="SPEAKER_01"),
        ],
    )


def _texts(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_docx_structure(tmp_path: Path) -> None:
    out = tmp_path / "niederschrift.docx"
    export_docx(out, _info(), _speakers(), _minutes(), _transcript())
    document = docx.Document(str(out))
    texts = _texts(document)
    body = "\n".join(texts)

    # Marking at the very top and in the page header.
    assert texts[0] == DRAFT_MARK
    assert any(DRAFT_MARK in p.text for p in document.sections[0].header.paragraphs)
    # Kopf: the committee text already names the session
    assert "Niederschrift über die 3. Sitzung des Ausschusses für Umwelt und Mobilität" in texts
    for expected in (
        "Gremium: 3. Sitzung des Ausschusses",
        "Datum: 12.03.2025",
        "Ort: Rathaus",
        "Beginn: 17:00 Uhr",
        "Ende: 17:45 Uhr",
    ):
        assert expected in body
    # Anwesende: display names, id where unnamed
    assert "Petra Lindner (Vorsitz)" in texts and "SPEAKER_02" in texts

    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for h in (
        "Anwesende",
        "TOP 1: Eröffnung und Feststellung der Tagesordnung",
        "TOP 2: Einrichtung einer Fahrradstraße in der Lindenallee",
        "TOP 3: Mitteilungen und Anfragen",
        "Beratung",
        "Anträge",
        "Beschluss",
        "Abstimmungsergebnis",
        "Hinweise zur Prüfung",
        "Schluss",
    ):
        assert h in headings, h
    assert headings.count("Anträge") == 1  # only TOP 2 has motions
    assert "Aufnahme 00:00:29 – 00:02:03" in texts
    assert "Antrag der Fraktion GRÜNE: Prüfung sicherer Querungen" in texts
    assert "Stimmenzahlen bitte anhand der Aufnahme prüfen." in texts
    # Votes: counts only where present
    assert "Einstimmig angenommen" in texts
    assert "Ja: 7, Nein: 2, Enthaltungen: 1" in texts
    assert body.count("Ja:") == 1
    assert "[Kein Abstimmungsergebnis erkannt – bitte prüfen]" in texts  # TOP 3
    # Signature lines
    cells = [c.text for row in document.tables[-1].rows for c in row.cells]
    assert "Vorsitz" in cells and "Schriftführung" in cells
    assert any(c.startswith("____") for c in cells)
    # No transcript annex unless asked for
    assert "Ich eröffne die Sitzung." not in body
    assert document.core_properties.keywords == "KI-Entwurf"


def test_docx_transcript_annex_uses_display_names(tmp_path: Path) -> None:
    out = tmp_path / "mit_transkript.docx"
    export_docx(out, _info(), _speakers(), _minutes(), _transcript(), include_transcript=True)
    body = "\n".join(_texts(docx.Document(str(out))))
    assert "Anlage: Transkript" in body
    assert "[00:00:00] Petra Lindner (Vorsitz): Ich eröffne die Sitzung." in body
    assert "[00:01:06] Markus Brandt (CDU): Wir sehen das kritisch." in body


def test_vote_lines_only_present_counts() -> None:
    assert vote_lines(Vote(outcome="mehrheitlich abgelehnt", no=11)) == ["Mehrheitlich abgelehnt", "Nein: 11"]
    assert vote_lines(Vote(yes=20, no=11, abstain=1)) == ["Ja: 20, Nein: 11, Enthaltungen: 1"]
    assert vote_lines(Vote(outcome="einstimmig")) == ["Einstimmig"]
    assert vote_lines(Vote(outcome="angenommen", roll_call=True)) == ["Namentliche Abstimmung", "Angenommen"]


def _make_template(path: Path) -> None:
    template = docx.Document()
    custom = template.styles.add_style("Stadt Lindenau Text", WD_STYLE_TYPE.PARAGRAPH)
    custom.font.size = Pt(13)
    template.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    template.sections[0].header.paragraphs[0].text = "Stadt Lindenau – Der Bürgermeister"
    template.add_paragraph("Platzhaltertext der Vorlage", style="Stadt Lindenau Text")
    template.save(str(path))


def test_docx_template_keeps_styles(tmp_path: Path) -> None:
    template = tmp_path / "vorlage.docx"
    _make_template(template)
    out = tmp_path / "aus_vorlage.docx"
    export_docx(out, _info(), _speakers(), _minutes(), template=template)
    document = docx.Document(str(out))
    assert "Stadt Lindenau Text" in [s.name for s in document.styles]
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0x12, 0x34, 0x56)
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert "Stadt Lindenau – Der Bürgermeister" in header
    assert any(DRAFT_MARK in t for t in header)
    texts = _texts(document)
    assert "Platzhaltertext der Vorlage" not in texts
    assert "TOP 2: Einrichtung einer Fahrradstraße in der Lindenallee" in texts


def test_docx_dotx_template(tmp_path: Path) -> None:
    docx_path = tmp_path / "vorlage.docx"
    _make_template(docx_path)
    dotx_path = tmp_path / "vorlage.dotx"
    document_ct = b"wordprocessingml.document.main+xml"
    with zipfile.ZipFile(docx_path) as src, zipfile.ZipFile(dotx_path, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            data = src.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                assert document_ct in data
                data = data.replace(document_ct, b"wordprocessingml.template.main+xml")
            dst.writestr(entry, data)
    with pytest.raises(ValueError):  # python-docx alone refuses a .dotx
        docx.Document(str(dotx_path))
    out = tmp_path / "aus_dotx.docx"
    export_docx(out, _info(), _speakers(), _minutes(), template=dotx_path)
    document = docx.Document(str(out))
    assert "Stadt Lindenau Text" in [s.name for s in document.styles]
    assert DRAFT_MARK in _texts(document)


@pytest.mark.parametrize("content", [b"kein Word-Dokument", b"PK\x03\x04kaputt", None])
def test_docx_broken_template(tmp_path: Path, content: bytes | None) -> None:
    template = tmp_path / "kaputt.dotx"
    if content is not None:
        template.write_bytes(content)
    out = tmp_path / "out.docx"
    with pytest.raises(OutputError) as info:
        export_docx(out, _info(), _speakers(), _minutes(), template=template)
    assert "Vorlage" in str(info.value)
    assert not out.exists()


def test_docx_unwritable_path_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "datei.txt"
    blocker.write_text("kein Ordner")
    with pytest.raises(OutputError):
        export_docx(blocker / "out.docx", _info(), _speakers(), _minutes())
    folder = tmp_path / "ziel"
    (folder / "out.docx").mkdir(parents=True)  # target is a folder: rename must fail
    with pytest.raises(OutputError):
        export_docx(folder / "out.docx", _info(), _speakers(), _minutes())
    assert [p.name for p in folder.iterdir()] == ["out.docx"]  # no temp file left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datei.txt", "ziel"]


def test_docx_replaces_existing_file_atomically(tmp_path: Path) -> None:
    out = tmp_path / "n.docx"
    out.write_bytes(b"alt")
    write_export("docx", out, ExportResult(_info(), _speakers(), _transcript(), _minutes()))
    assert DRAFT_MARK in _texts(docx.Document(str(out)))
    assert [p.name for p in tmp_path.iterdir()] == ["n.docx"]


def test_docx_keyword_arguments_for_roster_states_and_part(tmp_path: Path) -> None:
    """Existing positional calls keep working; the new data comes as keyword arguments."""
    minutes = _minutes()
    minutes.agenda_items.append(MinutesItem("N 1", "Vergabe Reinigungsleistungen", public=False))
    roster = [
        Attendee("Petra Lindner", role="Vorsitz"),
        Attendee("Markus Brandt", faction="CDU"),
        Attendee("Kai Protokoll", role="Schriftführung"),
    ]
    public = docx.Document(
        io.BytesIO(build_docx(_info(), _speakers(), minutes, None, None, False, attendees=roster))
    )
    texts = _texts(public)
    assert "Anwesenheit" in texts and "Markus Brandt" in texts and "Anwesende" not in texts
    assert not any("Reinigungsleistungen" in t for t in texts)
    cells = [c.text for row in public.tables[-1].rows for c in row.cells]
    assert "Petra Lindner" in cells and "Kai Protokoll" in cells

    out = tmp_path / "teil_b.docx"
    export_docx(
        out,
        _info(),
        _speakers(),
        minutes,
        item_states=["bestaetigt"] * 4,
        signoff_state="geprueft",
        part="nichtoeffentlich",
    )
    teil_b = docx.Document(str(out))
    header = "\n".join(p.text for p in teil_b.sections[0].header.paragraphs)
    assert CONFIDENTIAL_MARK in header and DRAFT_MARK not in header
    assert "TOP N 1: Vergabe Reinigungsleistungen" in _texts(teil_b)
    assert "TOP 2: Einrichtung einer Fahrradstraße in der Lindenallee" not in _texts(teil_b)


def test_docx_unknown_part_is_a_german_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="Unbekannter Teil"):
        export_docx(tmp_path / "x.docx", _info(), _speakers(), _minutes(), part="alles")
    assert list(tmp_path.iterdir()) == []


def test_each_motion_is_listed_once_and_none_as_an_empty_phrase() -> None:
    """The recogniser's motions are the item's Anträge (the secretary edits them there): the
    DOCX lists each once, adds the GO-Anträge of the procedure, and a motion heard without
    its content shows the line to fill in, never „… stellt einen Antrag.“."""
    from minutes_app.drafting.motions import check_motions
    from minutes_app.drafting.procedure import find_procedure

    segs = [
        Segment(0, 0, 10, "Wir stellen einen Antrag: Die Verwaltung soll Querungen prüfen.", speaker="S1"),
        Segment(1, 10, 20, "Wer ist für den Antrag? Damit ist der Antrag angenommen.", speaker="S0"),
        Segment(2, 20, 30, "Ich beantrage Vertagung des Tagesordnungspunktes.", speaker="S2"),
        Segment(
            3,
            30,
            40,
            "Ich lasse über den Antrag der Linken abstimmen. Damit ist der Antrag abgelehnt.",
            speaker="S0",
        ),
    ]
    labels = {"S0": "die Sitzungsleitung", "S1": "Dr. Aylin Demir (GRÜNE)", "S2": "Markus Brandt (CDU)"}
    procedure = find_procedure(segs, labels)
    motions, _ = check_motions(None, segs, procedure, labels, [])
    item = MinutesItem("2", "Radweg", 0, 40, discussion="X erklärt, y.", motions=motions, procedure=procedure)
    doc = docx.Document(io.BytesIO(build_docx(_info(), [], Minutes([item]))))
    texts = [p.text for p in doc.paragraphs]
    listed = texts[texts.index("Anträge") + 1 : texts.index("Beratung")]
    assert len(listed) == len(set(listed)) >= 2
    assert sum("Querungen prüfen" in line for line in listed) == 1
    assert any("Geschäftsordnung" in line for line in listed) == any(
        p.kind == "geschaeftsordnung" for p in procedure
    )
    assert not any(line.rstrip(".").endswith("stellt einen Antrag") for line in listed)


def test_a_draft_of_the_format_before_16_keeps_its_motions_in_the_docx() -> None:
    """Drafts before #16 kept the recogniser's Anträge only in the procedure and the DOCX
    printed them from there. Loading such a draft moves them into the motions (the list the
    secretary edits and the DOCX prints), once; a current draft whose motion the secretary
    deleted stays without it."""
    antrag = ProcedureEvent(
        "antrag", "Die Verwaltung soll Querungen prüfen.", 0, 10, who="Dr. Aylin Demir (GRÜNE)"
    )
    go = ProcedureEvent("geschaeftsordnung", "Vertagung", 20, 30, who="Markus Brandt (CDU)")
    item = MinutesItem("2", "Radweg", 0, 40, discussion="X erklärt, y.", motions=[], procedure=[antrag, go])
    old = Minutes([item]).to_dict()
    del old["format"]
    migrated = Minutes.from_dict(old)
    assert migrated.agenda_items[0].motions == [antrag.line()] and migrated.format == 2
    again = Minutes.from_dict(migrated.to_dict())  # saved in the new format: nothing added twice
    assert again.agenda_items[0].motions == [antrag.line()]
    doc = docx.Document(io.BytesIO(build_docx(_info(), [], migrated)))
    texts = [p.text for p in doc.paragraphs]
    listed = texts[texts.index("Anträge") + 1 : texts.index("Beratung")]
    assert sum("Querungen prüfen" in line for line in listed) == 1
    assert any("Geschäftsordnung" in line for line in listed)
    current = Minutes([item]).to_dict()  # format 2: the secretary deleted the motion
    assert Minutes.from_dict(current).agenda_items[0].motions == []
