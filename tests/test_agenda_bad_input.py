"""Bad agenda files: every one is a German AgendaError, never a traceback; fuzzed line parser."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minutes_app.agenda import load as load_module
from minutes_app.agenda.lines import MAX_ITEMS
from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.text import parse_agenda_lines
from minutes_app.base.errors import AgendaError

DATA = Path(__file__).parent / "data" / "agenda"


def _error(path: Path | str) -> str:
    with pytest.raises(AgendaError) as info:
        load_agenda(path)
    return str(info.value)


def _pdf(encrypt: str = "", text: bool = True) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    if text:
        writer.append(PdfReader(DATA / "einladung_teile.pdf"))
    else:
        writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt(user_password=encrypt, owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_empty_and_blank(tmp_path: Path) -> None:
    for content in (b"", b"  \n\n"):
        path = tmp_path / "leer.docx"
        path.write_bytes(content)
        assert "ist leer" in _error(path)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "riesig.txt"
    with path.open("wb") as handle:
        handle.truncate(load_module.MAX_FILE_BYTES + 1)
    assert "zu groß" in _error(path)


def test_too_many_items(tmp_path: Path) -> None:
    path = tmp_path / "lang.txt"
    lines = (f"TOP {i // 500 + 1}.{i % 500 + 1}: Punkt {i}\n" for i in range(MAX_ITEMS + 1))
    path.write_text("".join(lines), encoding="utf-8")
    assert f"mehr als {MAX_ITEMS}" in _error(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "einladung.pdf"
    path.write_bytes(_pdf(encrypt="geheim"))
    assert "verschlüsselt" in _error(path)


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    path = tmp_path / "einladung.pdf"
    path.write_bytes(_pdf(encrypt=""))
    assert [i.number for i in load_agenda(path).items][:3] == ["1", "2", "3"]


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(text=False))
    message = _error(path)
    assert "keinen Text" in message and "eingescannt" in message


@pytest.mark.parametrize("cut", [200, 2000, 9000])
def test_garbled_pdf(tmp_path: Path, cut: int) -> None:
    data = (DATA / "einladung_tabelle.pdf").read_bytes()
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(data[:cut])
    message = _error(path)
    assert "PDF" in message


def test_pdf_garbage_after_header(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert "kein lesbares PDF" in _error(path)


def test_renamed_zip(tmp_path: Path) -> None:
    path = tmp_path / "einladung.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bild.txt", "kein Word")
    message = _error(path)
    assert "ZIP-Archiv, aber kein Word-Dokument" in message and "einladung.docx" in message


@pytest.mark.parametrize(
    ("member", "content", "words"),
    [
        ("mimetype", "application/vnd.oasis.opendocument.text", "OpenDocument"),
        ("xl/workbook.xml", "<x/>", "Excel"),
    ],
)
def test_other_office_archives(tmp_path: Path, member: str, content: str, words: str) -> None:
    path = tmp_path / "einladung.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, content)
    assert words in _error(path)


def test_broken_docx(tmp_path: Path) -> None:
    path = tmp_path / "einladung.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    assert "Word-Dokument" in _error(path)


def test_truncated_docx(tmp_path: Path) -> None:
    path = tmp_path / "einladung.docx"
    path.write_bytes((DATA / "einladung_tabelle.docx").read_bytes()[:5000])
    assert "beschädigt" in _error(path)


def test_docx_without_agenda(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Liebe Ratsmitglieder, die Sitzung fällt aus.")
    path = tmp_path / "absage.docx"
    document.save(path)
    message = _error(path)
    assert "keine Tagesordnungspunkte" in message and "TOP | Betreff | Vorlage" in message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "alten Office-Format"),
        (b"{\\rtf1\\ansi TOP 1 Test}", "RTF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "Bild"),
        (b'{"id": 1, "type": ', "kein gültiges JSON (Zeile 1"),
        (b'{"name": "Tagesordnung", "items": []}', "kein OParl-Objekt"),
        (b'{"type": "https://schema.oparl.org/1.1/Body"}', "Körperschaft"),
        (b'{"data": [], "links": {}, "pagination": {}}', "OParl-Liste"),
        (b"\xff\xfe" + "TOP 1 Test".encode("utf-16-le"), "keine Textdatei"),
        (b"Liebe Ratsmitglieder,\nbitte beachten Sie die Unterlagen.\n", "keine Tagesordnungspunkte"),
        (b'{"a": ' * 100000, "kein gültiges JSON"),
    ],
)
def test_other_bad_files(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "tagesordnung"
    path.write_bytes(content)
    assert words in _error(path)


def test_json_list_that_is_text(tmp_path: Path) -> None:
    path = tmp_path / "to.txt"
    path.write_text("[1] Eröffnung\nTOP 2: Haushalt\n", encoding="utf-8")
    assert [i.number for i in load_agenda(path).items] == ["2"]


def test_missing_and_unsupported_sources(tmp_path: Path) -> None:
    assert "kann nicht gelesen werden" in _error(tmp_path / "fehlt.pdf")
    assert "kann nicht gelesen werden" in _error(tmp_path)
    assert "http://" in _error("ftp://ris.example.de/meeting/1")
    assert "http://" in _error("file:///etc/passwd")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                [
                    "TOP 3: Haushalt",
                    "Ö 1 Eröffnung",
                    "N 2",
                    "NÖ 1 Personal",
                    "3.1 Bebauungsplan",
                    "Beschlussvorschlag:",
                    "Vorlage: 2020/1191",
                    "Nichtöffentlicher Teil",
                    "Tagesordnung",
                    "   fortgesetzt",
                    "1. Der Rat beschließt.",
                    "Begründung:",
                    "",
                ]
            ),
        ),
        max_size=30,
    )
)
def test_fuzz_line_parser(lines: list[str]) -> None:
    try:
        items = parse_agenda_lines("\n".join(lines))
    except AgendaError:
        return
    for item in items:
        assert isinstance(item.number, str) and isinstance(item.title, str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_fuzz_load_agenda_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.bin"
    path.write_bytes(data)
    with contextlib.suppress(AgendaError):
        load_agenda(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"{", b"["]), st.binary(max_size=300))
def test_fuzz_format_headers(tmp_path: Path, head: bytes, tail: bytes) -> None:
    path = tmp_path / "fuzz.bin"
    path.write_bytes(head + tail)
    with contextlib.suppress(AgendaError):
        load_agenda(path)
