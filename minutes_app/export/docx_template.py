"""City templates for the Word export: open .docx/.dotx, fill {{Platzhalter}}, place the body.

An admin may put placeholders such as ``{{Gremium}}`` anywhere in the template
(body, tables, text boxes, headers, footers); Word often splits such text over
several runs (spell checking, formatting changes), so replacement works on the
paragraph's whole text and keeps the formatting of the run where the
placeholder starts. ``{{Inhalt}}`` marks where the generated Niederschrift goes;
without it the template's body text is replaced as a whole (styles, page setup,
headers and footers are always kept). See ``docs/template_placeholders.md``.
"""

from __future__ import annotations

import errno
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..base.errors import OutputError

_CT_TEMPLATE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_CT_DOCUMENT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-zÄÖÜäöüß_]+)\s*\}\}")
CONTENT = "inhalt"
# Names an admin may use; the key is the lower-case name without umlauts.
PLACEHOLDERS = (
    "Gremium",
    "Sitzungsnummer",
    "Datum",
    "Ort",
    "Beginn",
    "Ende",
    "Vorsitz",
    "Schriftfuehrung",
    "Titel",
    "Status",
    "Teil",
    "Inhalt",
)


def placeholder_key(name: str) -> str:
    """``Schriftführung`` / ``SCHRIFTFUEHRUNG`` -> ``schriftfuehrung``."""
    low = name.strip().lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        low = low.replace(umlaut, plain)
    return low


def open_template(template: Path) -> Any:
    """The template as a python-docx Document; German ``OutputError`` when unusable."""
    import docx

    try:
        raw = template.read_bytes()
    except OSError as exc:
        raise OutputError(
            f"Die Word-Vorlage „{template}“ kann nicht gelesen werden ({_reason(exc)}). "
            "Bitte die Einstellung „docx_template“ prüfen."
        ) from exc
    if not raw.strip():
        raise OutputError(
            f"Die Word-Vorlage „{template}“ ist leer. "
            "Bitte eine andere Vorlage wählen oder die Einstellung „docx_template“ leeren."
        )
    try:
        package = _as_document_package(raw, template)
        doc = docx.Document(io.BytesIO(package))
        if doc.element.body is None:  # a document part without <w:body>, or not WordprocessingML
            raise ValueError("kein Textkörper")
        return doc
    except OutputError:
        raise
    except Exception as exc:  # a foreign file: zip, XML and OPC errors of every kind
        raise OutputError(
            f"Die Word-Vorlage „{template}“ ist beschädigt oder keine Word-Datei (.docx/.dotx). "
            "Bitte eine andere Vorlage wählen oder die Einstellung „docx_template“ leeren."
        ) from exc


def _reason(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "Datei nicht gefunden",
        errno.EISDIR: "das ist ein Ordner",
        errno.EACCES: "keine Berechtigung",
        errno.EPERM: "keine Berechtigung",
        errno.ENAMETOOLONG: "der Pfad ist zu lang",
    }
    return reasons.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def _as_document_package(raw: bytes, template: Path) -> bytes:
    """A .dotx differs from a .docx only in the main part's content type: patch it."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    types = src.read("[Content_Types].xml")
    if b"macroEnabled" in types:
        raise OutputError(
            f"Die Word-Vorlage „{template}“ enthält Makros (.docm/.dotm) und wird nicht verwendet. "
            "Bitte die Vorlage in Word als .dotx oder .docx speichern."
        )
    if _CT_TEMPLATE not in types:
        return raw
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            data = src.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(_CT_TEMPLATE, _CT_DOCUMENT)
            dst.writestr(entry, data)
    return out.getvalue()


# ---------------------------------------------------------------------------- body placement


def prepare_body(doc: Any) -> Any | None:
    """The ``{{Inhalt}}`` paragraph if the template has one; else clear the body and return None."""
    from docx.oxml.ns import qn

    body = doc.element.body
    for p in body.iter(qn("w:p")):
        if any(placeholder_key(m.group(1)) == CONTENT for m in PLACEHOLDER_RE.finditer(_text(p))):
            return p
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return None


def body_children(doc: Any) -> list[Any]:
    return list(doc.element.body)


def place_content(doc: Any, anchor: Any, before: list[Any]) -> None:
    """Move what was appended to the body since ``before`` to the ``{{Inhalt}}`` paragraph."""
    from docx.oxml.ns import qn

    old = {id(c) for c in before}
    new = [c for c in doc.element.body if id(c) not in old and c.tag != qn("w:sectPr")]
    _replace_in_paragraph(anchor, lambda key: "" if key == CONTENT else None)
    position = anchor
    for element in new:
        position.addnext(element)
        position = element
    parent = anchor.getparent()
    if not _text(anchor).strip() and anchor.find(qn("w:pPr") + "/" + qn("w:sectPr")) is None:
        parent.remove(anchor)
    if parent.tag == qn("w:tc") and (len(parent) == 0 or parent[-1].tag != qn("w:p")):
        from docx.oxml import OxmlElement

        parent.append(OxmlElement("w:p"))  # a table cell must end with a paragraph


# ---------------------------------------------------------------------------- placeholders


def fill_placeholders(doc: Any, values: dict[str, str]) -> None:
    """Replace known placeholders in the body, tables, text boxes, headers and footers.

    ``values`` maps ``placeholder_key`` -> text. Unknown placeholders stay as they are,
    ``{{Inhalt}}`` outside the body is removed.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    def lookup(key: str) -> str | None:
        return "" if key == CONTENT else values.get(key)

    def body_lookup(key: str) -> str | None:
        return None if key == CONTENT else values.get(key)

    _fill(doc.element.body, body_lookup)
    for rel in list(doc.part.rels.values()):
        if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER):
            continue
        _fill(rel.target_part.element, lookup)


def _fill(root: Any, lookup: Any) -> None:
    from docx.oxml.ns import qn

    for p in list(root.iter(qn("w:p"))):
        _replace_in_paragraph(p, lookup)


def _own_texts(p: Any) -> list[Any]:
    """The ``w:t`` elements of paragraph ``p`` itself (not of paragraphs nested in text boxes)."""
    from docx.oxml.ns import qn

    tag_p = qn("w:p")
    result = []
    for t in p.iter(qn("w:t")):
        parent = t.getparent()
        while parent is not None and parent.tag != tag_p:
            parent = parent.getparent()
        if parent is p:
            result.append(t)
    return result


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in _own_texts(p))


def _replace_in_paragraph(p: Any, lookup: Any) -> None:
    texts = _own_texts(p)
    if not texts:
        return
    matches = list(PLACEHOLDER_RE.finditer("".join(t.text or "" for t in texts)))
    for match in reversed(matches):  # right to left: earlier offsets stay valid
        value = lookup(placeholder_key(match.group(1)))
        if value is None:
            continue
        _splice(texts, match.start(), match.end(), " ".join(str(value).split()))


def _splice(texts: list[Any], start: int, end: int, value: str) -> None:
    """Replace characters ``start:end`` of the concatenated ``texts`` by ``value``."""
    spans: list[tuple[Any, int, int]] = []
    offset = 0
    for t in texts:
        length = len(t.text or "")
        spans.append((t, offset, offset + length))
        offset += length
    first = True
    for t, lo, hi in spans:
        if hi <= start or lo >= end or lo == hi:
            continue
        text = t.text or ""
        keep_head = text[: max(0, start - lo)]
        keep_tail = text[max(0, end - lo) :] if end < hi else ""
        _set_text(t, keep_head + (value if first else "") + keep_tail)
        first = False


def _set_text(t: Any, text: str) -> None:
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def iter_placeholders(doc: Any) -> Iterable[str]:
    """Placeholder names still present in body, headers and footers (for tests and checks)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    roots = [doc.element.body] + [
        rel.target_part.element
        for rel in doc.part.rels.values()
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    for root in roots:
        for p in root.iter(qn("w:p")):
            for match in PLACEHOLDER_RE.finditer(_text(p)):
                yield match.group(1)
