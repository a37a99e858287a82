"""Niederschrift DOCX (NRW outline): Kopf, Anwesenheit, TOP sections, Teil B, KI marking, templates."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import docx
import pytest

from minutes_app.base import fileio
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
from minutes_app.export.docx import (
    CONFIDENTIAL_MARK,
    DRAFT_MARK,
    build_niederschrift,
    export_niederschrift,
    niederschrift_paths,
)
from minutes_app.export.docx_base import PART_B_HEADING
from minutes_app.export.docx_template import iter_placeholders
from minutes_app.export.niederschrift_kopf import committee_genitive
from minutes_app.export.transcript import from_json, to_json, write_export

REPO = Path(__file__).resolve().parent.parent
SHIPPED_TEMPLATE = REPO / "resources" / "templates" / "niederschrift_vorlage.docx"
# Text that exists only in Teil B: none of it may reach the public file.
SECRETS = ("Geheimweg", "Musterfrau", "Geheim-GmbH", "2015/0099", "Kaufpreis", "Teil B", "nichtöffentlich")


def _roster() -> list[Attendee]:
    return [
        Attendee("Dr. Frank Mentrup", role="Vorsitz"),
        Attendee("Anna Schnell", faction="CDU", role="Mitglied"),
        Attendee("Jonas Heilgeist", faction="CDU", role="Mitglied", arrived="17:10"),
        Attendee("Peter Zeh", faction="SPD", role="Mitglied"),
        Attendee("Lena Demir", faction="GRÜNE", role="Mitglied", substitute_for="Karl Lang"),
        Attendee("Karl Lang", faction="GRÜNE", role="Mitglied", present=False),
        Attendee("Eva Brandt", faction="FDP", role="Mitglied", left="18:40 Uhr"),
        Attendee("Maria Kühn", role="beratendes Mitglied"),
        Attendee("Thomas Weber", role="Verwaltung"),
        Attendee("Gisela Ort", role="Gast"),
        Attendee("Sabine Richter", role="Schriftführung"),
    ]


def _items() -> list[MinutesItem]:
    return [
        MinutesItem(
            "", "Eröffnung/Regularien", 0.0, 300.0, discussion="Der Vorsitzende eröffnet die Sitzung."
        ),
        MinutesItem(
            "1",
            "Klimapartnerschaft Ecuador",
            300.0,
            1800.0,
            discussion="Stadtrat Heilgeist (CDU) erklärt, die Fraktion sehe das Projekt skeptisch.",
            resolution="Der Hauptausschuss beschließt die Teilnahme an dem Projekt.",
            vote=Vote(outcome="mehrheitlich zugestimmt", yes=11, no=5),
            paper="2015/0017",
            # the draft puts the recogniser's motion into the item's motions (the list the
            # secretary edits); the procedure keeps the event
            motions=["Die Fraktion GRÜNE stellt einen Änderungsantrag: Ergänzung um eine Nr. 4."],
            procedure=[
                ProcedureEvent(
                    "aenderungsantrag",
                    "Die Fraktion GRÜNE stellt einen Änderungsantrag: Ergänzung um eine Nr. 4.",
                    900.0,
                    920.0,
                    who="Fraktion GRÜNE",
                )
            ],
            flags=["Stimmenzahlen bitte anhand der Aufnahme prüfen."],
            evidence=[Evidence(1700.0, 1710.0, [3])],
        ),
        MinutesItem(
            "2",
            "Bebauungsplan Südstadt",
            1800.0,
            2400.0,
            discussion="Keine Wortmeldungen.",
            vote=Vote(outcome="einstimmig"),
            proposal="Der Ausschuss empfiehlt dem Gemeinderat den Satzungsbeschluss.",
            procedure=[ProcedureEvent("befangenheit", "", 1810.0, 1815.0, who="Stadträtin Schnell")],
        ),
        MinutesItem(
            "3",
            "Resolution Nahverkehr",
            2400.0,
            3300.0,
            discussion="Die Fraktionen tragen ihre Positionen vor.",
            resolution="Der Hauptausschuss fordert den Ausbau des Nahverkehrs.",
            vote=Vote(outcome="mehrheitlich abgelehnt", yes=8, no=12, abstain=1, roll_call=True),
            procedure=[
                ProcedureEvent(
                    "protokollerklaerung",
                    "Die SPD-Fraktion hält an ihrer Forderung fest.",
                    3200.0,
                    3210.0,
                    who="Stadtrat Zeh (SPD)",
                )
            ],
        ),
        MinutesItem("4", "Mitteilungen und Anfragen", 3300.0, 3500.0),
        MinutesItem(
            "N 1",
            "Grundstücksangelegenheit Geheimweg 7",
            5000.0,
            5600.0,
            discussion="Vertrauliche Beratung über den Kaufpreis.",
            resolution="Der Verkauf des Grundstücks Geheimweg 7 an die Geheim-GmbH wird beschlossen.",
            vote=Vote(outcome="einstimmig"),
            public=False,
            paper="2015/0099 N",
        ),
        MinutesItem(
            "N 2",
            "Personalangelegenheit Musterfrau",
            5600.0,
            5900.0,
            public=False,
            procedure=[
                ProcedureEvent(
                    "geschaeftsordnung",
                    "Antrag auf Vertagung, angenommen.",
                    5610.0,
                    5620.0,
                    who="Stadtrat Zeh",
                    detail="Vertagung",
                )
            ],
        ),
    ]


def _transcript() -> Transcript:
    return Transcript(
        "de",
        6000.0,
        [
            Segment(0, 10.0, 14.0, "Ich eröffne die Sitzung.", speaker="S0"),
            Segment(1, 400.0, 405.0, "Wir sehen das Projekt skeptisch.", speaker="S1"),
            Segment(2, 410.0, 415.0, "Das ist doch", speaker="S1"),
            Segment(3, 416.0, 420.0, "nicht durchdacht.", speaker="S1"),
            Segment(
                4, 5100.0, 5110.0, "Zum Geheimweg sage ich nur: der Kaufpreis ist zu hoch.", speaker="S1"
            ),
        ],
    )


def bundle(**overrides: object) -> ExportResult:
    info = SessionInfo(
        committee="Hauptausschuss",
        session_number="3",
        date="27.01.2015",
        location="Rathaus, Großer Sitzungssaal",
        start_time="16:30 Uhr",
        end_time="19:05 Uhr",
    )
    minutes = Minutes(
        agenda_items=_items(),
        model="qwen2.5-1.5b-instruct",
        prompt_version="minutes-v2",
        protocol_type="verlauf",
        events=[ProcedureEvent("unterbrechung", "Die Sitzung wird unterbrochen.", 3600.0, 4500.0)],
    )
    result = ExportResult(
        info=info,
        speakers=[Speaker("S0", "Dr. Frank Mentrup"), Speaker("S1", "Jonas Heilgeist")],
        transcript=_transcript(),
        minutes=minutes,
        attendees=_roster(),
    )
    for key, value in overrides.items():
        setattr(result, key, value)
    return result


def _doc(data: bytes) -> docx.document.Document:
    import io

    return docx.Document(io.BytesIO(data))


def _texts(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _headers(document: docx.document.Document) -> str:
    return "\n".join(p.text for s in document.sections for p in s.header.paragraphs)


def _table_cells(document: docx.document.Document) -> list[str]:
    return [c.text for t in document.tables for row in t.rows for c in row.cells]


def _all_xml(data: bytes) -> str:
    """Every part of the package as text (body, headers, footers, core and app properties …)."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def _section(texts: list[str], start: str, end: str | None) -> list[str]:
    """Paragraphs from the last ``start`` (the section, not the overview line) up to ``end``."""
    i = len(texts) - 1 - texts[::-1].index(start)
    j = texts.index(end, i + 1) if end else len(texts)
    return texts[i:j]


# ---------------------------------------------------------------------------- structure


def test_public_niederschrift_structure() -> None:
    document = _doc(build_niederschrift(bundle()))
    texts = _texts(document)
    body = "\n".join(texts)
    assert "Niederschrift über die 3. Sitzung des Hauptausschusses" in texts
    for line in (
        "Datum: 27.01.2015",
        "Ort: Rathaus, Großer Sitzungssaal",
        "Sitzungsart: öffentliche Sitzung",
        "Beginn: 16:30 Uhr",
        "Unterbrechungen: 17:30 – 17:45 Uhr",
        "Ende: 19:05 Uhr",
    ):
        assert line in texts, line

    anw = _section(texts, "Anwesenheit", "Tagesordnung")
    assert anw[anw.index("Vorsitz") + 1] == "Dr. Frank Mentrup"
    assert anw.index("CDU") < anw.index("Anna Schnell") < anw.index("SPD") < anw.index("Peter Zeh")
    assert "Jonas Heilgeist (ab 17:10 Uhr)" in anw
    assert "Lena Demir (i. V. für Karl Lang)" in anw
    assert "Eva Brandt (bis 18:40 Uhr)" in anw
    for label, name in (
        ("Beratende Mitglieder", "Maria Kühn"),
        ("Von der Verwaltung", "Thomas Weber"),
        ("Gäste", "Gisela Ort"),
        ("Entschuldigt fehlen", "Karl Lang (GRÜNE)"),
        ("Schriftführung", "Sabine Richter"),
    ):
        assert anw[anw.index(label) + 1] == name, label
    assert "Karl Lang" not in anw[: anw.index("Entschuldigt fehlen")]

    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Regularien") < headings.index("TOP 1: Klimapartnerschaft Ecuador")
    assert "Der Vorsitzende eröffnet die Sitzung." in texts

    top1 = _section(texts, "TOP 1: Klimapartnerschaft Ecuador", "TOP 2: Bebauungsplan Südstadt")
    assert "Vorlage: 2015/0017" in top1
    motion = "Die Fraktion GRÜNE stellt einen Änderungsantrag: Ergänzung um eine Nr. 4."
    assert top1.count(motion) == 1  # listed once, not again from the procedure
    assert not any(line.startswith("Änderungsantrag –") for line in top1)
    assert "Stadtrat Heilgeist (CDU) erklärt, die Fraktion sehe das Projekt skeptisch." in top1
    assert top1[top1.index("Beschluss") + 1] == "Der Hauptausschuss beschließt die Teilnahme an dem Projekt."
    assert top1[top1.index("Abstimmungsergebnis") + 1 :][:2] == ["Mehrheitlich zugestimmt", "Ja: 11, Nein: 5"]

    top2 = _section(texts, "TOP 2: Bebauungsplan Südstadt", "TOP 3: Resolution Nahverkehr")
    assert top2[top2.index("Beschluss") + 1 :][:2] == [
        "(laut Beschlussvorschlag – bitte prüfen)",
        "Der Ausschuss empfiehlt dem Gemeinderat den Satzungsbeschluss.",
    ]
    assert "Einstimmig" in top2 and not any(t.startswith("Ja:") for t in top2)  # no invented counts
    assert (
        "Stadträtin Schnell erklärt sich für befangen und nimmt an Beratung und Abstimmung nicht teil."
        in top2
    )

    top3 = _section(texts, "TOP 3: Resolution Nahverkehr", "TOP 4: Mitteilungen und Anfragen")
    assert "Namentliche Abstimmung" in top3
    assert "Ja: 8, Nein: 12, Enthaltungen: 1" in top3
    assert top3[top3.index("Protokollerklärungen") + 1] == (
        "Stadtrat Zeh (SPD): Die SPD-Fraktion hält an ihrer Forderung fest."
    )
    top4 = _section(texts, "TOP 4: Mitteilungen und Anfragen", "Schluss")
    assert top4[top4.index("Beschluss") + 1] == "[bitte ergänzen]"

    assert "Ende der Sitzung: 19:05 Uhr" in texts
    cells = _table_cells(document)
    assert {"Dr. Frank Mentrup", "Sabine Richter", "Vorsitz", "Schriftführung"} <= set(cells)
    assert "Mitunterzeichnung" not in cells
    assert "Belegstellen in der Aufnahme: 00:28:20–00:28:30" in body


def test_public_file_never_contains_teil_b(tmp_path: Path) -> None:
    data = build_niederschrift(bundle(), "oeffentlich", template=SHIPPED_TEMPLATE, include_transcript=True)
    everything = _all_xml(data)
    for secret in SECRETS:
        assert secret not in everything, secret
    document = _doc(data)
    assert "Anlage: Transkript (automatisch erstellt)" in _texts(document)
    assert any("Wir sehen das Projekt skeptisch." in t for t in _texts(document))
    assert CONFIDENTIAL_MARK not in _headers(document)
    # Without times for a Teil-B item the transcript cannot be split: the annex is left out.
    b = bundle()
    assert b.minutes is not None
    b.minutes.agenda_items[5].start = None
    everything = _all_xml(build_niederschrift(b, "oeffentlich", include_transcript=True))
    assert "Zum Geheimweg" not in everything and "Das Transkript entfällt" in everything


def test_nonpublic_document_is_marked_confidential() -> None:
    document = _doc(build_niederschrift(bundle(), "nichtoeffentlich"))
    texts = _texts(document)
    assert CONFIDENTIAL_MARK in _headers(document)
    assert PART_B_HEADING in texts
    assert "Sitzungsart: nichtöffentliche Sitzung (Teil B)" in texts
    assert "TOP N 1: Grundstücksangelegenheit Geheimweg 7" in texts
    assert "Vorlage: 2015/0099 N" in texts
    assert (
        "Antrag zur Geschäftsordnung (Vertagung) – Stadtrat Zeh: Antrag auf Vertagung, angenommen." in texts
    )
    assert not any("Klimapartnerschaft" in t or t == "Regularien" for t in texts)
    assert document.core_properties.category == CONFIDENTIAL_MARK


def test_gesamt_puts_teil_b_after_a_page_break() -> None:
    document = _doc(build_niederschrift(bundle(), "gesamt"))
    texts = _texts(document)

    def last(text: str) -> int:  # the section heading, not the line in the overview
        return len(texts) - 1 - texts[::-1].index(text)

    b = texts.index(PART_B_HEADING)
    assert (
        last("TOP 4: Mitteilungen und Anfragen") < b < last("TOP N 1: Grundstücksangelegenheit Geheimweg 7")
    )
    assert texts.index("Teil A – öffentliche Sitzung") < last("TOP 1: Klimapartnerschaft Ecuador")
    paragraphs = document.paragraphs
    assert any('w:type="page"' in p._p.xml for p in paragraphs[b - 2 : b])
    assert CONFIDENTIAL_MARK in _headers(document)
    assert "Sitzungsart: öffentliche und nichtöffentliche Sitzung" in texts


def test_export_writes_separate_teil_b_file(tmp_path: Path) -> None:
    paths = export_niederschrift(tmp_path / "hauptausschuss.docx", bundle())
    assert [p.name for p in paths] == ["hauptausschuss.docx", "hauptausschuss_TeilB_nichtoeffentlich.docx"]
    public = paths[0].read_bytes()
    assert not any(s in _all_xml(public) for s in SECRETS)
    assert "Geheimweg" in _all_xml(paths[1].read_bytes())
    # Only public items: no Teil-B file; a folder gets the default stem.
    only_public = bundle()
    assert only_public.minutes is not None
    only_public.minutes.agenda_items = [i for i in only_public.minutes.agenda_items if i.public]
    folder = tmp_path / "ordner"
    folder.mkdir()
    assert export_niederschrift(folder, only_public) == [folder / "niederschrift.docx"]
    assert sorted(p.name for p in folder.iterdir()) == ["niederschrift.docx"]
    assert niederschrift_paths(folder, ["gesamt"]) == {"gesamt": folder / "niederschrift_gesamt.docx"}


def test_write_export_docx_splits_teil_b(tmp_path: Path) -> None:
    out = tmp_path / "sitzung_entwurf.docx"
    assert write_export("docx", out, bundle()) == out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sitzung_entwurf.docx",
        "sitzung_entwurf_TeilB_nichtoeffentlich.docx",
    ]
    assert "Geheimweg" not in _all_xml(out.read_bytes())
    no_suffix = tmp_path / "ohne_endung"
    write_export("docx", no_suffix, bundle())
    assert no_suffix.is_file() and (tmp_path / "ohne_endung_TeilB_nichtoeffentlich.docx").is_file()
    single = tmp_path / "gesamt.docx"
    write_export("docx", single, bundle(), part="gesamt")
    assert "Geheimweg" in _all_xml(single.read_bytes())


# ---------------------------------------------------------------------------- protocol types


def test_protocol_types() -> None:
    def top1(protocol_type: str, discussion: str | None = None) -> list[str]:
        b = bundle()
        assert b.minutes is not None
        b.minutes.protocol_type = protocol_type
        if discussion is not None:  # the text the draft of this protocol type wrote
            next(i for i in b.minutes.agenda_items if i.number == "1").discussion = discussion
        texts = _texts(_doc(build_niederschrift(b)))
        return _section(texts, "TOP 1: Klimapartnerschaft Ecuador", "TOP 2: Bebauungsplan Südstadt")

    context = (
        "Beraten wird „Klimapartnerschaft Ecuador“. "
        "In der Aussprache lehnt Stadtrat Heilgeist (CDU) die Vorlage ab."
    )
    ergebnis = top1("ergebnis", context)
    assert "Beratung" not in ergebnis and not any("skeptisch" in t for t in ergebnis)
    assert "Erläuterung" in ergebnis and context in ergebnis  # the 1-3 context sentences
    assert "Der Hauptausschuss beschließt die Teilnahme an dem Projekt." in ergebnis
    assert "Erläuterung" not in top1("ergebnis", "")
    assert "Stadtrat Heilgeist (CDU) erklärt, die Fraktion sehe das Projekt skeptisch." in top1("verlauf")
    wort = top1(
        "wort",
        "Der Vorsitzende ruft Tagesordnungspunkt 1 zur Behandlung auf.\n"
        "Stadtrat Heilgeist (CDU): Wir sehen das Projekt skeptisch.",
    )
    assert "Der Vorsitzende ruft Tagesordnungspunkt 1 zur Behandlung auf." in wort
    assert "Stadtrat Heilgeist (CDU): Wir sehen das Projekt skeptisch." in wort
    old = top1("wort", "")  # a draft without its Wortprotokoll: the transcript's turns
    assert "Jonas Heilgeist: Wir sehen das Projekt skeptisch. Das ist doch nicht durchdacht." in old
    assert "Stadtrat Heilgeist (CDU) erklärt, die Fraktion sehe das Projekt skeptisch." not in old


# ---------------------------------------------------------------------------- KI marking


def _item_marks(texts: list[str]) -> int:
    return texts.count("KI-Entwurf")


def test_ki_marking_rules() -> None:
    n_public = 5  # Regularien + TOP 1–4
    draft = _doc(build_niederschrift(bundle()))
    assert DRAFT_MARK in _headers(draft) and _texts(draft)[0] == DRAFT_MARK
    assert _item_marks(_texts(draft)) == n_public
    assert draft.core_properties.keywords == "KI-Entwurf"

    states = ["bestaetigt", "bestaetigt", "bearbeitet", "bestaetigt", "ki_entwurf", "ki_entwurf"]
    partly = _texts(_doc(build_niederschrift(bundle(item_states=states, signoff_state="freigegeben"))))
    assert _item_marks(partly) == 2  # "bearbeitet" is not reviewed; missing state = KI-Entwurf
    assert "Stimmenzahlen bitte anhand der Aufnahme prüfen." not in partly  # TOP 1 confirmed: no flags
    assert DRAFT_MARK in partly  # not every item reviewed

    reviewed = ["bestaetigt"] * 7
    entwurf = _doc(build_niederschrift(bundle(item_states=reviewed)))
    assert DRAFT_MARK in _headers(entwurf)  # sign-off still "entwurf"

    final = build_niederschrift(bundle(item_states=reviewed, signoff_state="geprueft"))
    document = _doc(final)
    assert _item_marks(_texts(document)) == 0
    assert "KI-Entwurf" not in _all_xml(final)
    assert "von der Schriftführung geprüft" in "\n".join(_texts(document))
    # Teil A fully reviewed, Teil B not: the public file is final, Teil B stays marked.
    only_a = ["bestaetigt"] * 5 + ["ki_entwurf"] * 2
    assert "KI-Entwurf" not in _all_xml(
        build_niederschrift(bundle(item_states=only_a, signoff_state="geprueft"))
    )
    teil_b = _doc(
        build_niederschrift(bundle(item_states=only_a, signoff_state="geprueft"), "nichtoeffentlich")
    )
    assert DRAFT_MARK in _headers(teil_b)


# ---------------------------------------------------------------------------- header fallbacks, signers


def test_missing_header_fields_are_visible() -> None:
    b = ExportResult(minutes=Minutes(agenda_items=[MinutesItem("1", "Bericht")]))
    texts = _texts(_doc(build_niederschrift(b)))
    assert "Niederschrift über die [bitte ergänzen]. Sitzung des Gremiums [bitte ergänzen]" in texts
    assert "Datum: [bitte ergänzen]" in texts and "Unterbrechungen: keine erfasst" in texts
    assert "Anwesende" in texts  # no roster: the identified speakers


def test_interruption_without_start_time_uses_recording_offsets() -> None:
    b = bundle()
    b.info.start_time = ""
    texts = _texts(_doc(build_niederschrift(b)))
    assert "Unterbrechungen: Aufnahme 01:00:00 – 01:15:00 (Uhrzeit [bitte ergänzen])" in texts


def test_cosigner_and_session_info_names() -> None:
    b = bundle(cosigner="Peter Zeh")
    b.info.chair, b.info.recorder = "Bürgermeisterin Dr. Kurz", "Herr Protokoll"
    document = _doc(build_niederschrift(b))
    cells = _table_cells(document)
    assert {"Bürgermeisterin Dr. Kurz", "Herr Protokoll", "Peter Zeh", "Mitunterzeichnung"} <= set(cells)
    regularien = _section(_texts(document), "Regularien", "TOP 1: Klimapartnerschaft Ecuador")
    assert "Zur Mitunterzeichnung der Niederschrift wird Peter Zeh bestimmt." in regularien


@pytest.mark.parametrize(
    ("committee", "expected"),
    [
        ("Hauptausschuss", "des Hauptausschusses"),
        ("Rat der Stadt Köln", "des Rates der Stadt Köln"),
        ("Ausschuss für Umwelt und Mobilität", "des Ausschusses für Umwelt und Mobilität"),
        ("Bezirksvertretung Innenstadt", "der Bezirksvertretung Innenstadt"),
        ("Kreistag", "des Kreistages"),
        ("Jugendhilfeausschuss", "des Jugendhilfeausschusses"),
    ],
)
def test_committee_genitive(committee: str, expected: str) -> None:
    assert committee_genitive(committee) == expected


# ---------------------------------------------------------------------------- templates


def _split_runs(paragraph: object, pieces: list[str]) -> None:
    for piece in pieces:
        paragraph.add_run(piece)  # type: ignore[attr-defined]


def _placeholder_template(path: Path) -> None:
    template = docx.Document()
    section = template.sections[0]
    _split_runs(section.header.paragraphs[0], ["Sitzung Nr. {{Sitzungs", "nummer}} – ", "{{Sta", "tus}}"])
    _split_runs(section.footer.paragraphs[0], ["{{ Teil }}", " / ", "{{Titel}}"])
    _split_runs(template.add_paragraph(), ["Vorspann: {{Gre", "mium}} am {{Da", "tum}} in {{Ort}}"])
    table = template.add_table(rows=1, cols=3)
    table.cell(0, 0).text = "{{Vorsitz}}"
    table.cell(0, 1).text = "{{Schriftfuehrung}}"
    table.cell(0, 2).text = "{{Beginn}}–{{Ende}} {{Unbekannt}}"
    _split_runs(template.add_paragraph(), ["{{In", "halt}}"])
    template.add_paragraph("Nachspann der Vorlage")
    template.save(str(path))


def test_template_placeholders_replaced_across_runs(tmp_path: Path) -> None:
    template = tmp_path / "vorlage.docx"
    _placeholder_template(template)
    document = _doc(build_niederschrift(bundle(), template=template))
    texts = _texts(document)
    header = _headers(document)
    assert "Sitzung Nr. 3 – Entwurf" in header and DRAFT_MARK in header
    footer = "\n".join(p.text for p in document.sections[0].footer.paragraphs)
    assert footer == "öffentlicher Teil / Niederschrift über die 3. Sitzung des Hauptausschusses"
    assert texts[0] == "Vorspann: Hauptausschuss am 27.01.2015 in Rathaus, Großer Sitzungssaal"
    cells = _table_cells(document)
    assert "Dr. Frank Mentrup" in cells and "Sabine Richter" in cells
    assert "16:30 Uhr–19:05 Uhr {{Unbekannt}}" in cells  # unknown placeholders stay visible
    # The generated body sits where {{Inhalt}} was: after the Vorspann, before the Nachspann.
    assert texts.index("Niederschrift über die 3. Sitzung des Hauptausschusses") > 0
    assert texts[-1] == "Nachspann der Vorlage"
    assert texts.index("Schluss") < texts.index("Nachspann der Vorlage")
    assert sorted(set(iter_placeholders(document))) == ["Unbekannt"]


def test_template_status_and_part_in_nonpublic_file(tmp_path: Path) -> None:
    template = tmp_path / "vorlage.docx"
    _placeholder_template(template)
    reviewed = bundle(item_states=["bestaetigt"] * 7, signoff_state="freigegeben")
    document = _doc(build_niederschrift(reviewed, "nichtoeffentlich", template=template))
    header = _headers(document)
    assert "Sitzung Nr. 3 – freigegeben" in header and CONFIDENTIAL_MARK in header
    assert DRAFT_MARK not in header
    assert "Teil B – nichtöffentlicher Teil" in document.sections[0].footer.paragraphs[0].text


def test_shipped_template_fills_every_placeholder() -> None:
    assert SHIPPED_TEMPLATE.exists(), "python scripts/make_template.py"
    document = _doc(build_niederschrift(bundle(), template=SHIPPED_TEMPLATE))
    assert list(iter_placeholders(document)) == []
    assert "Hauptausschuss – Status: Entwurf" in _headers(document)
    assert (
        document.sections[0].left_margin is not None and round(document.sections[0].left_margin.cm, 1) == 2.5
    )
    assert "Verteiler: Mitglieder des Gremiums, Verwaltungsvorstand, Ratsbüro" in _texts(document)


def test_broken_template_writes_nothing(tmp_path: Path) -> None:
    template = tmp_path / "kaputt.docx"
    template.write_bytes(b"PK\x03\x04 keine Vorlage")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputError, match="Vorlage .* beschädigt"):
        export_niederschrift(out, bundle(), template=template)
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------------------- unwritable targets


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "schreibgeschuetzt"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="kann nicht geschrieben werden"):
            export_niederschrift(folder / "n.docx", bundle())
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that refuses the second file (read-only, full disk): nothing of this export stays."""
    real_replace = os.replace

    def refuse_teil_b(src: str, dst: str) -> None:
        if "TeilB" in str(dst):
            raise PermissionError(13, "Keine Berechtigung")
        real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", refuse_teil_b)
    with pytest.raises(OutputError, match="kann nicht geschrieben werden"):
        export_niederschrift(tmp_path / "n.docx", bundle())
    assert list(tmp_path.iterdir()) == []  # Teil A removed again, no temp files


# ---------------------------------------------------------------------------- JSON round trip


def test_json_carries_new_fields() -> None:
    b = bundle(item_states=["bestaetigt", "ki_entwurf"], signoff_state="geprueft", cosigner="Peter Zeh")
    data = json.loads(json.dumps(to_json(b)))
    minutes = data["minutes"]
    assert minutes["protocol_type"] == "verlauf"
    assert minutes["events"][0]["kind"] == "unterbrechung"
    item = minutes["agenda_items"][1]
    assert item["paper"] == "2015/0017" and item["public"] is True
    assert item["procedure"][0]["who"] == "Fraktion GRÜNE"
    assert minutes["agenda_items"][3]["vote"]["roll_call"] is True
    assert minutes["agenda_items"][5]["public"] is False
    assert data["attendees"][4]["substitute_for"] == "Karl Lang"
    back = from_json(data)
    assert back.attendees == b.attendees
    assert (back.item_states, back.signoff_state, back.cosigner) == (b.item_states, "geprueft", "Peter Zeh")
    assert back.minutes == b.minutes
