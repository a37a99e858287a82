"""OParl 1.1: Meeting files and a real local OParl server with linked objects."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from minutes_app.agenda import fetch
from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.roster import load_roster
from minutes_app.base.errors import AgendaError

OPARL = Path(__file__).parent / "data" / "oparl"
EXAMPLE = "https://oparl.example.org"


def _documents() -> dict[str, str]:
    """URL path (with query) -> JSON text, for every fixture with an ``id`` or ``links.self``."""
    docs = {}
    for path in sorted(OPARL.glob("*.json")) + sorted((OPARL / "server").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        obj = json.loads(text)
        url = obj.get("id") or obj.get("links", {}).get("self")
        parts = urlsplit(url)
        docs[parts.path + (f"?{parts.query}" if parts.query else "")] = text
    return docs


class _Handler(BaseHTTPRequestHandler):
    docs: dict[str, str] = {}
    base = ""

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: expected
            self._answer()

    def _answer(self) -> None:
        if self.path == "/slow":
            time.sleep(2)
            self.path = "/meeting/282"
        if self.path == "/huge":
            body = b'{"data": "' + b"x" * (fetch.MAX_RESPONSE_BYTES + 10) + b'"}'
        elif self.path == "/html":
            body = b"<html><body>Wartungsarbeiten</body></html>"
        elif self.path in self.docs:
            body = self.docs[self.path].replace(EXAMPLE, self.base).encode("utf-8")
        else:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.docs, _Handler.base = _documents(), base
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


def test_meeting_file_with_embedded_agenda_items() -> None:
    result = load_agenda(OPARL / "Meeting-01.json")
    assert result.kind == "oparl"
    [item] = result.items
    assert (item.number, item.title, item.public) == ("10.1", "Satzungsänderung für Ausschreibungen", True)
    assert item.proposal == "Der Beschluss weicht wie folgt vom Antrag ab: ..."
    assert item.oparl_id == f"{EXAMPLE}/agendaitem/3271"
    info = result.info
    assert info is not None
    assert (info.date, info.start_time, info.end_time) == ("04.01.2013", "08:00", "12:00")
    assert info.committee == "4. Sitzung des Finanzausschusses"  # organization only linked: not fetched
    assert info.location == "Rathaus der Beispielstadt, Ratshausplatz 1, 12345 Beispielstadt"
    assert (info.title, info.session_number, info.oparl_id) == (
        "Niederschrift",
        "4",
        f"{EXAMPLE}/meeting/281",
    )


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Body-01.json", "Körperschaft"),
        ("System-01.json", "OParl-System"),
        ("Person-01.json", "eine Person"),
        ("Paper-01.json", "Drucksache"),
        ("Organization-01.json", "Gremium"),
        ("Location-01.json", "Ort"),
        ("File-01.json", "Datei"),
    ],
)
def test_other_oparl_objects_are_not_meetings(name: str, words: str) -> None:
    with pytest.raises(AgendaError) as info:
        load_agenda(OPARL / name)
    message = str(info.value)
    assert words in message and "keine Sitzung" in message and "Meeting" in message


def test_meeting_file_with_linked_items_asks_for_the_url() -> None:
    with pytest.raises(AgendaError, match="über die URL des OParl-Servers"):
        load_agenda(OPARL / "server" / "Meeting-282.json")


def test_meeting_by_url_with_linked_objects(server: str) -> None:
    result = load_agenda(f"{server}/meeting/282")
    assert result.kind == "oparl"
    assert [(i.number, i.title, i.public, i.paper) for i in result.items] == [
        ("1", "Eröffnung der Sitzung", True, ""),
        ("2", "Haushaltssatzung 2025", True, "1234/2014"),
        ("3", "Grundstücksangelegenheiten", False, ""),
    ]
    assert result.items[1].proposal.startswith("Der Finanzausschuss empfiehlt")
    assert result.items[2].oparl_id == f"{server}/agendaitem/4003"
    info = result.info
    assert info is not None
    assert info.committee == "Ausschuss für Haushalt und Finanzen"
    assert (info.date, info.start_time, info.end_time) == ("13.03.2025", "17:00", "19:30")
    assert info.location == "Deutscher Bundestag, Platz der Republik 1, 11011 Berlin, Plenarsaal"
    assert info.public == "öffentliche und nichtöffentliche Sitzung"
    assert info.oparl_id == f"{server}/meeting/282"
    people = {a.family_name: a for a in result.attendees}
    assert set(people) == {"Mustermann", "Berg", "Schnell"}
    berg, schnell, muster = people["Berg"], people["Schnell"], people["Mustermann"]
    assert (berg.name, berg.form_of_address, berg.faction, berg.role) == (
        "Anna Berg",
        "Frau",
        "SPD",
        "Mitglied",
    )
    assert (schnell.name, schnell.given_name, schnell.role, schnell.faction) == (
        "Dr. Max Schnell",
        "Max",
        "Vorsitz",
        "GRÜNE",
    )
    assert (muster.name, muster.form_of_address, muster.role) == ("Prof. Dr. Max Mustermann", "Ratsfrau", "")
    assert berg.oparl_id == f"{server}/person/30"


def test_meeting_with_paged_agenda_item_list(server: str) -> None:
    result = load_agenda(f"{server}/meeting/283")
    assert [(i.number, i.public) for i in result.items] == [("Ö 1", True), ("N 1", False)]
    assert result.info is not None
    assert result.info.location == "Rathausplatz 1, 12345 Beispielstadt, Ratssaal"
    assert result.info.committee == "Sitzung des Rates"
    assert result.info.end_time == ""


def test_embedded_meeting_served_links_organization(server: str) -> None:
    result = load_agenda(f"{server}/meeting/281")
    assert result.info is not None and result.info.committee == "Ausschuss für Haushalt und Finanzen"
    assert result.items[0].paper == ""  # consultation/1034 is not on the server: left out


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/body/0", "Körperschaft"),
        ("/", "OParl-System"),
        ("/body/0/meetings/", "OParl-Liste"),
        ("/meeting/284", "nicht in der Datei enthalten"),
        ("/meeting/285", "Fehler 404"),
        ("/meeting/9999", "Fehler 404"),
        ("/html", "kein JSON"),
        ("/huge", "größer als"),
    ],
)
def test_server_errors(server: str, path: str, words: str) -> None:
    with pytest.raises(AgendaError) as info:
        load_agenda(server + path)
    assert words in str(info.value)


def test_server_timeout(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "TIMEOUT_S", 0.3)
    with pytest.raises(AgendaError, match="antwortet nicht innerhalb"):
        load_agenda(f"{server}/slow")


def test_unreachable_server() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(AgendaError, match="nicht erreichbar"):
        load_agenda(f"http://127.0.0.1:{port}/meeting/1")


def test_roster_from_meeting_url_and_person(server: str) -> None:
    people = load_roster(f"{server}/meeting/282")
    assert sorted(p.family_name for p in people) == ["Berg", "Mustermann", "Schnell"]
    [person] = load_roster(f"{server}/person/30")
    assert (person.name, person.faction) == ("Anna Berg", "SPD")
