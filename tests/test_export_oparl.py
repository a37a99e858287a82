"""OParl 1.1 output: Meeting with agendaItem[], shaped like the OParl example Meeting-01.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from minutes_app.base.errors import OutputError
from minutes_app.base.types import AgendaItem, Minutes, MinutesItem, ProcedureEvent, SessionInfo, Vote
from minutes_app.export.common import ExportResult
from minutes_app.export.oparl import item_result, to_oparl, write_oparl
from minutes_app.export.transcript import write_export

REPO = Path(__file__).resolve().parent.parent
MEETING_EXAMPLE = REPO.parent / "shared" / "fixtures" / "oparl" / "Meeting-01.json"


def _bundle(**overrides: Any) -> ExportResult:
    items = [
        MinutesItem("", "Eröffnung/Regularien", 0.0, 120.0),
        MinutesItem(
            "10.1",
            "Satzungsänderung für Ausschreibungen",
            120.0,
            1500.0,
            resolution="Die Satzung wird wie folgt geändert: …",
            vote=Vote(outcome="mehrheitlich angenommen", yes=9, no=2),
        ),
        MinutesItem(
            "10.2", "Resolution Nahverkehr", 1500.0, 2100.0, vote=Vote(outcome="einstimmig abgelehnt")
        ),
        MinutesItem(
            "10.3",
            "Bericht der Verwaltung",
            2100.0,
            2400.0,
            resolution="Der Ausschuss nimmt den Bericht zur Kenntnis.",
        ),
        MinutesItem(
            "10.4",
            "Haushaltssperre",
            2400.0,
            2500.0,
            procedure=[
                ProcedureEvent(
                    "geschaeftsordnung", "Vertagung angenommen.", 2410.0, 2420.0, detail="Vertagung"
                )
            ],
        ),
        MinutesItem(
            "N 1",
            "Grundstücksverkauf Geheimweg",
            2600.0,
            3000.0,
            public=False,
            resolution="Verkauf an die Geheim-GmbH.",
            vote=Vote(outcome="einstimmig"),
        ),
    ]
    result = ExportResult(
        info=SessionInfo(
            committee="Finanzausschuss",
            session_number="4",
            date="04.01.2013",
            location="Rathaus der Beispielstadt",
            start_time="08:00 Uhr",
            end_time="12:00",
            oparl_id="https://oparl.example.org/meeting/281",
        ),
        minutes=Minutes(agenda_items=items, protocol_type="ergebnis"),
        agenda=[
            AgendaItem(
                "10.1",
                "Satzungsänderung für Ausschreibungen",
                oparl_id="https://oparl.example.org/agendaitem/3271",
            )
        ],
    )
    for key, value in overrides.items():
        setattr(result, key, value)
    return result


def _example() -> dict[str, Any]:
    return json.loads(MEETING_EXAMPLE.read_text(encoding="utf-8"))


def _same_shape(ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
    """Every key we fill exists in the example with the same JSON type."""
    for key, value in ours.items():
        if key not in theirs:
            continue  # e.g. meetingState, cancelled, order, keyword: OParl 1.1 fields the example lacks
        assert type(value) is type(theirs[key]), f"{where}.{key}: {type(value)} vs {type(theirs[key])}"
        if isinstance(value, dict):
            _same_shape(value, theirs[key], f"{where}.{key}")


OPARL_MEETING_FIELDS = {
    "id", "type", "name", "meetingState", "cancelled", "start", "end", "location", "organization",
    "participant", "invitation", "resultsProtocol", "verbatimProtocol", "auxiliaryFile", "agendaItem",
    "keyword", "web", "license", "created", "modified", "deleted",
}  # fmt: skip
OPARL_AGENDA_FIELDS = {
    "id", "type", "meeting", "number", "order", "name", "public", "consultation", "result",
    "resolutionText", "resolutionFile", "auxiliaryFile", "start", "end", "keyword", "web",
    "license", "created", "modified", "deleted",
}  # fmt: skip


def test_meeting_shape_matches_the_oparl_example() -> None:
    meeting = to_oparl(_bundle(), protocol_file="/tmp/finanzausschuss_4.docx")
    example = _example()
    assert set(meeting) <= OPARL_MEETING_FIELDS
    _same_shape(meeting, example, "Meeting")
    for item in meeting["agendaItem"]:
        assert set(item) <= OPARL_AGENDA_FIELDS
        _same_shape(item, example["agendaItem"][0], "AgendaItem")
        assert isinstance(item["order"], int)

    assert meeting["id"] == "https://oparl.example.org/meeting/281"
    assert meeting["type"] == example["type"]
    assert meeting["name"] == example["name"] == "4. Sitzung des Finanzausschusses"
    assert meeting["start"] == example["start"] and meeting["end"] == example["end"]
    assert meeting["meetingState"] == "durchgeführt" and meeting["cancelled"] is False
    assert meeting["location"]["description"] == "Rathaus der Beispielstadt"
    protocol = meeting["resultsProtocol"]
    assert protocol["type"] == example["resultsProtocol"]["type"]
    assert protocol["fileName"] == "finanzausschuss_4.docx"
    assert protocol["mimeType"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert protocol["date"] == "2013-01-04"
    assert "verbatimProtocol" not in meeting  # an Ergebnisprotokoll
    assert meeting["keyword"] == ["KI-Entwurf"]


def test_agenda_items_results_and_times() -> None:
    items = {i["number"]: i for i in to_oparl(_bundle())["agendaItem"]}
    assert list(items) == ["", "10.1", "10.2", "10.3", "10.4"]
    first = items["10.1"]
    assert first["id"] == "https://oparl.example.org/agendaitem/3271"  # from the imported agenda
    assert first["meeting"] == "https://oparl.example.org/meeting/281"
    assert first["type"] == "https://schema.oparl.org/1.1/AgendaItem"
    assert (first["order"], first["name"], first["public"]) == (
        2,
        "Satzungsänderung für Ausschreibungen",
        True,
    )
    assert first["result"] == "Beschlossen"
    assert first["resolutionText"] == "Die Satzung wird wie folgt geändert: …"
    assert first["start"] == "2013-01-04T08:02:00+01:00" and first["end"] == "2013-01-04T08:25:00+01:00"
    assert "id" not in items["10.2"]  # never invented
    assert items["10.2"]["result"] == "Abgelehnt"
    assert items["10.3"]["result"] == "Zur Kenntnis genommen"
    assert items["10.4"]["result"] == "Vertagt"
    assert "result" not in items[""] and "resolutionText" not in items[""]


def test_nonpublic_items_only_in_gesamt() -> None:
    public = json.dumps(to_oparl(_bundle()), ensure_ascii=False)
    assert "Geheimweg" not in public and "Geheim-GmbH" not in public
    gesamt = to_oparl(_bundle(), part="gesamt")
    secret = gesamt["agendaItem"][-1]
    assert (secret["number"], secret["public"], secret["order"]) == ("N 1", False, 6)
    only_b = to_oparl(_bundle(), part="nichtoeffentlich", protocol_file="x_TeilB_nichtoeffentlich.docx")
    assert [i["number"] for i in only_b["agendaItem"]] == ["N 1"]
    assert only_b["resultsProtocol"]["name"] == "Niederschrift – Teil B (nichtöffentlich)"
    with pytest.raises(OutputError):
        to_oparl(_bundle(), part="alles")


def test_summer_time_unknown_times_and_review_state() -> None:
    b = _bundle(item_states=["bestaetigt"] * 6, signoff_state="freigegeben")
    b.info.date, b.info.end_time, b.info.oparl_id = "2. Juli 2024", "", ""
    assert b.minutes is not None
    b.minutes.protocol_type = "wort"
    meeting = to_oparl(b, protocol_file="n.docx")
    assert meeting["start"] == "2024-07-02T08:00:00+02:00"
    assert "end" not in meeting and "id" not in meeting and "keyword" not in meeting
    assert meeting["verbatimProtocol"]["name"] == "Wortprotokoll"
    assert "meeting" not in meeting["agendaItem"][1]
    b.info.date = ""
    meeting = to_oparl(b)
    assert "start" not in meeting and "start" not in meeting["agendaItem"][1]
    assert "resultsProtocol" not in meeting


def test_item_result_mapping() -> None:
    def result(outcome: str | None = None, **kw: Any) -> str | None:
        return item_result(MinutesItem("1", "x", vote=Vote(outcome=outcome), **kw))

    assert result("einstimmig angenommen") == "Beschlossen"
    assert result("mehrheitlich zugestimmt") == "Beschlossen"
    assert result("mit Änderungen geändert beschlossen") == "Geändert beschlossen"
    assert result("mehrheitlich abgelehnt") == "Abgelehnt"
    assert result("zur Kenntnis genommen") == "Zur Kenntnis genommen"
    assert result(None) is None
    rejected = ProcedureEvent("geschaeftsordnung", "Vertagung abgelehnt.", 0, 1, detail="Vertagung")
    assert result("einstimmig angenommen", procedure=[rejected]) == "Beschlossen"


def test_write_oparl_atomic(tmp_path: Path) -> None:
    out = tmp_path / "meeting.json"
    assert write_oparl(out, _bundle(), protocol_file="n.docx") == out
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "4. Sitzung des Finanzausschusses"
    assert write_export("oparl", tmp_path / "via_export.json", _bundle()).exists()
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_oparl(blocker / "m.json", _bundle())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datei", "meeting.json", "via_export.json"]
