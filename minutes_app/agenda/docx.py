"""Read the Tagesordnung of a Word invitation (.docx).

The body is read in order, paragraphs and tables alike. A table whose header row
names the columns ("TOP | Betreff | Vorlage", "Nr. | Gegenstand | Drucksache") gives
one item per row; rows such as "Öffentlicher Teil" switch the part. Tables without
such a header count as items when their first column holds item numbers, else they
are read as text (a letterhead). Paragraphs go through the shared line recognition
(``lines.py``); Word's automatic numbering ("List Number") supplies the number.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ..base.errors import AgendaError
from ..base.types import AgendaItem
from .lines import PAPER_ID, AgendaBuilder, parse_number, section_of, split_paper

MAX_XML_BYTES = 60_000_000  # unpacked word/document.xml (a ZIP bomb is refused before parsing)
EXPECTED = (
    "Erwartet wird eine Einladung im Word-Format (.docx) mit einer Tagesordnung als Tabelle "
    "(z. B. „TOP | Betreff | Vorlage“) oder als nummerierte Absätze (z. B. „3. Haushaltssatzung 2025“)."
)

_NUMBER_HEAD = ("top", "nr", "lfd", "punkt", "to-", "to ", "tagesordnungspunkt", "ziffer")
_TITLE_HEAD = ("betreff", "gegenstand", "beratungsgegenstand", "thema", "bezeichnung", "titel", "inhalt")
_PAPER_HEAD = ("vorlage", "drucksache", "ds", "drs", "beschlussvorlage")


def _head(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _columns(cells: list[str]) -> tuple[int, int, int | None] | None:
    """(number, title, paper) column indexes if ``cells`` is a header row."""
    heads = [_head(c) for c in cells]
    title = next((i for i, h in enumerate(heads) if h.startswith(_TITLE_HEAD)), None)
    number = next((i for i, h in enumerate(heads) if h.startswith(_NUMBER_HEAD) and i != title), None)
    if title is None and number is not None:  # "Nr. | Tagesordnungspunkt"
        title = next((i for i, h in enumerate(heads) if h.startswith("tagesordnung") and i != number), None)
    if number is None or title is None:
        return None
    paper = next(
        (i for i, h in enumerate(heads) if h.startswith(_PAPER_HEAD) and i not in (number, title)), None
    )
    return number, title, paper


def _row_cells(row: Any) -> list[Any]:
    """The distinct cells of a row (merged cells appear once)."""
    seen: list[Any] = []
    for cell in row.cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen


def _cell_lines(cell: Any) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def _paper_cell(text: str) -> str:
    text = text.strip()
    rest, paper = split_paper(text)
    if paper:
        return paper
    first = text.split("\n")[0].strip()
    return first if PAPER_ID.match(first) or (re.search(r"\d", first) and len(first) <= 30) else ""


def _table(table: Any, builder: AgendaBuilder) -> None:
    rows = [_row_cells(r) for r in table.rows]
    texts = [["\n".join(_cell_lines(c)) for c in cells] for cells in rows]
    header = None
    start = 0
    for i, cells in enumerate(texts[:3]):
        header = _columns(cells)
        if header:
            start = i + 1
            break
    if header is None:
        numbered = sum(1 for cells in texts if cells and parse_number(cells[0]))
        if numbered < max(1, len(texts) // 2) or any(len(cells) < 2 for cells in texts if cells):
            for cells in rows:  # a letterhead or a layout table: read as text
                for cell in cells:
                    for line in _cell_lines(cell):
                        builder.feed(line)
                    builder.blank()
            return
        width = max(len(c) for c in texts)
        header = (0, 1, width - 1 if width >= 3 else None)
    number_col, title_col, paper_col = header
    for cells in texts[start:]:
        _table_row(cells, number_col, title_col, paper_col, builder)
    builder.blank()


def _table_row(
    cells: list[str], number_col: int, title_col: int, paper_col: int | None, b: AgendaBuilder
) -> None:
    distinct = [c for c in cells if c.strip()]
    if not distinct:
        return
    if len(set(distinct)) == 1 and section_of(distinct[0]) is not None:
        b.set_public(bool(section_of(distinct[0])))
        return
    number = parse_number(cells[number_col]) if number_col < len(cells) else None
    title_lines = cells[title_col].split("\n") if title_col < len(cells) else []
    if number is None:
        for line in (cells[number_col] + "\n" + "\n".join(title_lines)).split("\n"):
            b.feed(line)
        return
    paper = _paper_cell(cells[paper_col]) if paper_col is not None and paper_col < len(cells) else ""
    b.add_item(number[0], title_lines[0].strip() if title_lines else "", number[1], paper)
    for line in title_lines[1:]:
        b.feed(line, continuation=True)


def _numbering_formats(document: Any) -> dict[tuple[str, str], str]:
    """(numId, ilvl) -> numFmt ("decimal", "bullet" …) from the numbering part."""
    formats: dict[tuple[str, str], str] = {}
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return formats
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    abstract = {}
    for node in root.iter(f"{w}abstractNum"):
        levels = {}
        for lvl in node.iter(f"{w}lvl"):
            fmt = lvl.find(f"{w}numFmt")
            levels[lvl.get(f"{w}ilvl")] = fmt.get(f"{w}val") if fmt is not None else "decimal"
        abstract[node.get(f"{w}abstractNumId")] = levels
    for num in root.iter(f"{w}num"):
        ref = num.find(f"{w}abstractNumId")
        if ref is not None:
            for ilvl, fmt in abstract.get(ref.get(f"{w}val"), {}).items():
                formats[(num.get(f"{w}numId"), ilvl)] = fmt
    return formats


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, level) of an automatically numbered paragraph (own or style numbering)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    sources = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None and len(sources) < 10:
        sources.append(style.element.pPr)
        style = style.base_style
    num_id, level = None, None
    for ppr in sources:
        node = ppr.find(f"{w}numPr") if ppr is not None else None
        if node is None:
            continue
        id_node, lvl_node = node.find(f"{w}numId"), node.find(f"{w}ilvl")
        if num_id is None and id_node is not None:
            num_id = id_node.get(f"{w}val")
        if level is None and lvl_node is not None:
            level = int(lvl_node.get(f"{w}val") or 0)
    if num_id is None or num_id == "0":
        return None
    return num_id, level or 0


class _Counters:
    def __init__(self, formats: dict[tuple[str, str], str]) -> None:
        self.formats = formats
        self.counts: dict[str, list[int]] = {}

    def number(self, num_id: str, level: int) -> str | None:
        fmt = self.formats.get((num_id, str(level)), "decimal")
        if fmt in ("bullet", "none") or level > 8:
            return None
        counts = self.counts.setdefault(num_id, [0] * 9)
        counts[level] += 1
        for deeper in range(level + 1, 9):
            counts[deeper] = 0
        return ".".join(str(max(c, 1)) for c in counts[: level + 1])


def _open(data: bytes, name: str) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise AgendaError(f"„{name}“ ist für eine Einladung zu groß. {EXPECTED}")
    except KeyError as exc:
        raise AgendaError(f"„{name}“ ist ein ZIP-Archiv, aber kein Word-Dokument. {EXPECTED}") from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise AgendaError(f"„{name}“ ist beschädigt und kann nicht geöffnet werden. {EXPECTED}") from exc
    from docx import Document

    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for broken packages
        raise AgendaError(f"„{name}“ ist kein gültiges Word-Dokument oder beschädigt. {EXPECTED}") from exc


def parse_docx(data: bytes, name: str = "Einladung") -> list[AgendaItem]:
    """Items of the invitation in ``data``; AgendaError for a broken file (not for no items)."""
    document = _open(data, name)
    builder = AgendaBuilder(indented=False)
    try:
        counters = _Counters(_numbering_formats(document))
        from docx.table import Table

        for block in document.iter_inner_content():
            if isinstance(block, Table):
                _table(block, builder)
                continue
            text = block.text
            if not text.strip():
                builder.blank()
                continue
            numbering = _num_pr(block)
            number = counters.number(*numbering) if numbering else None
            builder.feed(f"{number}. {text.strip()}" if number else text)
    except AgendaError:
        raise
    except Exception as exc:  # malformed XML inside a valid package
        raise AgendaError(f"„{name}“ ist beschädigt und kann nicht gelesen werden. {EXPECTED}") from exc
    return builder.result()
