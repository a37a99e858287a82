"""Read the Tagesordnung of a PDF invitation (text layer only; no OCR).

pypdf's layout mode keeps the columns of a table ("1   Eröffnung   2020/1191") and
the indentation of wrapped titles; the lines then go through ``lines.py``.
"""

from __future__ import annotations

import io
import logging

from ..base.errors import AgendaError
from ..base.types import AgendaItem
from .lines import parse_lines

MAX_PAGES = 300
EXPECTED = "Erwartet wird eine PDF-Einladung mit Textebene (nicht eingescannt), z. B. aus Word exportiert."


def pdf_text(data: bytes, name: str = "Einladung") -> str:
    """The text of the PDF in ``data``; AgendaError for encrypted, broken or scanned files."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise AgendaError(
                f"„{name}“ ist ein verschlüsseltes (kennwortgeschütztes) PDF. "
                "Bitte eine ungeschützte Fassung der Einladung verwenden."
            )
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise AgendaError(
                f"„{name}“ hat mehr als {MAX_PAGES} Seiten; das ist keine Einladung. {EXPECTED}"
            )
        texts = []
        for page in pages:
            try:
                texts.append(page.extract_text(extraction_mode="layout"))
            except (ValueError, KeyError, IndexError, ZeroDivisionError):
                texts.append(page.extract_text())
    except AgendaError:
        raise
    except (PyPdfError, Exception) as exc:  # pypdf raises many kinds for garbled files
        if "crypt" in str(exc).lower() or "AES" in str(exc):
            raise AgendaError(
                f"„{name}“ ist ein verschlüsseltes PDF, das nicht gelesen werden kann. {EXPECTED}"
            ) from exc
        raise AgendaError(
            f"„{name}“ ist kein lesbares PDF (beschädigt oder unvollständig). {EXPECTED}"
        ) from exc
    text = "\n".join(texts)
    if sum(ch.isalnum() for ch in text) < 10:
        raise AgendaError(
            f"„{name}“ enthält keinen Text (vermutlich eingescannt). Texterkennung (OCR) gibt es hier "
            f"nicht. {EXPECTED}"
        )
    return text


def parse_pdf(data: bytes, name: str = "Einladung") -> list[AgendaItem]:
    """Items of the invitation in ``data`` (possibly none)."""
    lines = pdf_text(data, name).splitlines()
    width = max((len(line.rstrip()) for line in lines), default=0)
    return parse_lines(lines, columns=True, wrap_width=width)
