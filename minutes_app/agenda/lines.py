"""Recognition of agenda lines shared by the text, DOCX and PDF readers.

One place knows what an item number looks like ("3", "3.1", "TOP 4", "Ö 5", "N 2",
"NÖ 1"), which lines open the öffentliche / nichtöffentliche part, how a Vorlage /
Drucksache number is written and where a Beschlussvorschlag starts. ``AgendaBuilder``
turns a stream of lines (and, for tables, ready-made items) into ``AgendaItem``s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..base.errors import AgendaError
from ..base.types import AgendaItem

MAX_ITEMS = 5000
MAX_MATCH_CHARS = 1000  # longer lines are never item lines (and keep the regexes cheap)

NUM = r"\d{1,3}(?:\.\d{1,3})*[a-z]?"
_SEP = r"(?:\s*[:.)\-–—]\s*|\s+)"
_KEYWORD = r"TOP|Top|top|Tagesordnungspunkt|TO-Punkt|Punkt"
_PART = r"NÖ|Nö|nö|[ÖöNn]"
_ITEM = re.compile(
    rf"""^\s*
    (?:
        (?P<kw>{_KEYWORD})\s*(?:(?P<p1>{_PART})\s*)?(?P<n1>{NUM})\.?
      | (?P<part>{_PART})\s*(?P<n2>{NUM})\.?
      | (?P<n3>{NUM})(?=[.)\s:])\.?
    )
    {_SEP}(?P<title>\S.*)$""",
    re.VERBOSE,
)
_NUMBER_ONLY = re.compile(
    rf"^\s*(?:(?P<kw>{_KEYWORD})\s*)?(?:(?P<part>{_PART})\s*)?(?P<n>{NUM})\s*[.:)]?\s*$"
)
_TOP_ONLY = re.compile(rf"^\s*(?:TOP|Top)\s*(?P<n>{NUM})\.?\s*$")
# Lines that look numbered but are dates, clock times or "5. Sitzung des Rates".
_NOT_ITEM = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\b|^\s*\d{1,2}[:.]\d{2}\s*(?:Uhr\b|h\b|$|-|–)")
_NOT_TITLE = re.compile(
    r"^(?:(?:ordentliche|öffentliche|nicht\s*öffentliche)\s+)?(?:Sitzung|Wahlperiode)\b", re.I
)

_SECTION = re.compile(
    r"^(?P<non>nicht[\s-]*)?öffentlich(?:e[rsn]?)?"
    r"(?:\s+(?:Teil|Sitzung|Sitzungsteil|Beratung|Tagesordnung|Bereich)(?:\s+der\s+Sitzung)?)?\s*:?$",
    re.I,
)
_SECTION_PREFIX = re.compile(r"^(?:Teil\s+[A-D]\b|[A-D]\b|[IVX]{1,4}\b)?\s*[.:)]?\s*[-–—:]?\s*", re.I)
_HEADING = re.compile(r"^\s*Tagesordnung\b(?:\s*[:.]?\s*$|\s+(?:der|des|für|zur)\b)", re.I)

_PAPER_KW = r"Beschlussvorlage|Verwaltungsvorlage|Vorlagen?|Drucksachen?|Drs|DS|Ds|Vorl"
_PAPER = re.compile(
    rf"""(?P<lead>[(\[]\s*|\s*[-–—,;]\s*)?
    \b(?P<kw>{_PAPER_KW})\.?
    (?:[-\s]*(?P<nr>Nr|Nummer|Nummern)\.?)?
    \s*(?P<colon>:)?\s*
    (?P<id>[A-Za-zÄÖÜ]{{0,6}}[-/ ]?\d[\w./\-]*)
    (?P<trail>\s*[)\]])?""",
    re.VERBOSE | re.I,
)
PAPER_ID = re.compile(r"^[A-Za-zÄÖÜ]{0,6}[-/ ]?\d{1,6}(?:[/\-]\d{1,6}[a-zA-Z]?)+$")
_COLUMN_PAPER = re.compile(r"\s{3,}(?P<id>[A-Za-zÄÖÜ]{0,6}[-/ ]?\d{1,6}(?:[/\-]\d{1,6}[a-zA-Z]?)+)$")
_PROPOSAL = re.compile(
    r"^\s*(?:Beschlussvorschlag|Beschlussentwurf|Beschlussempfehlung|Beschlussantrag)"
    r"(?:\s+der\s+Verwaltung)?\s*(?::\s*(?P<rest>.*)|$)",
    re.I,
)
_STOP = re.compile(
    r"^\s*(?:Begründung|Sachverhalt|Sachdarstellung|Erläuterungen?|Finanzielle\s+Auswirkungen|"
    r"Mit\s+freundlichen\s+Grüßen|Hochachtungsvoll|gez\.|Anlagen?\s*:)",
    re.I,
)
_PUNCT = " \t-–—,;:/"


def parse_number(text: str) -> tuple[str, bool | None] | None:
    """``("Ö 5", True)`` for a cell holding only an item number, else None."""
    m = _NUMBER_ONLY.match(text[:MAX_MATCH_CHARS])
    if not m:
        return None
    return _format(m.group("part"), m.group("n"))


def _format(part: str | None, number: str) -> tuple[str, bool | None]:
    number = number.rstrip(".")
    if not part:
        return number, None
    part = part.upper()
    return f"{part} {number}", part == "Ö"


def match_item(line: str) -> tuple[str, str, bool | None, bool] | None:
    """``(number, title, public, explicit)`` for an item line; ``explicit`` for "TOP"/"Ö" forms."""
    if len(line) > MAX_MATCH_CHARS or _NOT_ITEM.match(line):
        return None
    m = _ITEM.match(line.rstrip())
    if not m:
        return None
    title = m.group("title").strip().strip("\"'„“”")
    if _NOT_TITLE.match(title):
        return None
    part = m.group("p1") or m.group("part")
    number, public = _format(part, m.group("n1") or m.group("n2") or m.group("n3") or "")
    return number, title, public, bool(m.group("kw") or part)


def section_of(line: str) -> bool | None:
    """True / False for a heading of the öffentliche / nichtöffentliche part, else None."""
    text = line.strip()
    if not text or len(text) > 70 or len(text.split()) > 8:
        return None
    rest = _SECTION_PREFIX.sub("", text, count=1)
    rest = re.sub(r"^Tagesordnung\s*[-–—:]?\s*", "", rest, flags=re.I)
    m = _SECTION.match(rest)
    if not m:
        return None
    return not m.group("non")


def split_paper(text: str, columns: bool = False) -> tuple[str, str]:
    """``(title without the Vorlage number, Vorlage number)``; ``columns``: a trailing bare
    number after a wide gap (a table column in a PDF) is a Vorlage too."""
    if len(text) > 4 * MAX_MATCH_CHARS:
        return text, ""
    for m in _PAPER.finditer(text):
        paper = m.group("id").rstrip(".-/ ")
        if m.group("kw").lower() in ("ds", "drs", "vorl") and not m.group("kw")[:1].isupper():
            continue
        if not (m.group("colon") or m.group("nr") or re.search(r"\d[/\-.]\d|[A-Za-z][-/ ]?\d", paper)):
            continue
        start, end = m.start(), m.end()
        if m.group("lead") and m.group("lead").strip() in ("(", "[") and not m.group("trail"):
            start += len(m.group("lead"))  # keep the text balanced
        title = (text[:start] + " " + text[end:]).strip()
        title = re.sub(r"\(\s*\)|\[\s*\]", "", title)
        return _clean(title), paper
    column = _COLUMN_PAPER.search(text) if columns else None
    if column:
        return _clean(text[: column.start()]), column.group("id")
    return text.strip(), ""


def _clean(title: str) -> str:
    return re.sub(r"\s{2,}", " ", title.strip(_PUNCT)).strip()


def proposal_start(line: str) -> str | None:
    """The text after "Beschlussvorschlag:" ("" when the line holds only the label), else None."""
    m = _PROPOSAL.match(line[:MAX_MATCH_CHARS]) if len(line) < 4 * MAX_MATCH_CHARS else None
    if not m:
        return None
    return (m.group("rest") or "").strip()


def _ints(number: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", number)]


def plausible_next(previous: str, number: str) -> bool:
    """Whether ``number`` can follow item ``previous`` (3 -> 3.1, 3.2 -> 4, not 3 -> 1)."""
    before, after = _ints(previous), _ints(number)
    if not before or not after:
        return True
    return after[0] in (before[0], before[0] + 1) and after > before


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


class AgendaBuilder:
    """Collects items from lines. ``columns``: PDF layout text with table columns;
    ``indented``: leading spaces are meaningful (text and PDF, not DOCX paragraphs)."""

    def __init__(self, columns: bool = False, indented: bool = True, wrap_width: int = 0) -> None:
        self.items: list[AgendaItem] = []
        self.columns = columns
        self.indented = indented
        self.wrap_width = wrap_width  # PDF: a line this long wrapped; the next one continues it
        self._last_len = 0
        self._wrapped = False
        self.public = True
        self._mode = ""  # "" | "item" | "proposal"
        self._indent = 0
        self._proposal: list[str] = []
        self._list_last = 0
        self._list_indent = 0
        self._heading_at: int | None = None

    def add_item(self, number: str, title: str, public: bool | None = None, paper: str = "") -> None:
        self._close_proposal()
        if len(self.items) >= MAX_ITEMS:
            raise AgendaError(
                f"Die Tagesordnung hat mehr als {MAX_ITEMS} Punkte; das ist keine übliche Tagesordnung."
            )
        title, found = split_paper(title, self.columns)
        self.items.append(
            AgendaItem(number=number, title=title, public=self.public if public is None else public)
        )
        self.items[-1].paper = paper or found
        self._mode = "item"

    def set_public(self, public: bool) -> None:
        self._close_proposal()
        self.public = public
        self._mode = ""

    def blank(self) -> None:
        if self._mode != "proposal":
            self._mode = ""

    def feed(self, line: str, continuation: bool = False) -> None:
        """One line of text; ``continuation``: a non-item line continues the last title."""
        stripped = line.strip()
        self._wrapped = bool(self.wrap_width) and self._last_len >= 0.8 * self.wrap_width
        self._last_len = len(line.rstrip())
        if not stripped:
            self.blank()
            return
        if stripped.startswith(("#", "//")):
            return
        item = match_item(line)
        if item and self._mode == "proposal" and not self._item_ends_proposal(item, line):
            self._add_proposal_line(line)
            return
        if item:
            number, title, public, _explicit = item
            self.add_item(number, title, public)
            self._indent = _indent(line)
            return
        self._other(line, stripped, continuation)

    def _item_ends_proposal(self, item: tuple[str, str, bool | None, bool], line: str) -> bool:
        number, _title, _public, explicit = item
        ints = _ints(number)
        if explicit or not self.items:
            return True
        plausible = plausible_next(self.items[-1].number, number)
        indent = _indent(line)
        if self.indented and plausible and self._list_last and indent <= self._indent < self._list_indent:
            return True  # the proposal's own list is indented deeper than the items
        if ints and self._list_last and ints[0] == self._list_last + 1 and len(ints) == 1:
            self._list_last += 1
            return False
        if plausible:
            return True
        self._list_last, self._list_indent = (ints[0] if ints else self._list_last), indent
        return False

    def _other(self, line: str, stripped: str, continuation: bool) -> None:
        public = section_of(stripped)
        if public is not None:
            self.set_public(public)
            return
        if _HEADING.match(stripped):
            self._close_proposal()
            self._mode = ""
            if self._heading_at is None:
                self._heading_at = len(self.items)
            return
        rest = proposal_start(stripped)
        if rest is not None and self.items:
            self._close_proposal()
            self._mode = "proposal"
            self._proposal = [rest] if rest else []
            self._list_last = 0
            return
        if _STOP.match(stripped):
            self._close_proposal()
            self._mode = ""
            return
        if self._mode == "proposal":
            self._add_proposal_line(line)
            return
        title, paper = split_paper(stripped)
        if paper and not title.strip(" .:") and self.items:
            if not self.items[-1].paper:
                self.items[-1].paper = paper
            return
        if self._mode == "item" and (continuation or self._wrapped or _indent(line) > self._indent):
            last = self.items[-1]
            glue = "" if last.title.endswith("-") and stripped[:1].islower() else " "
            title, paper = split_paper(f"{last.title}{glue}{stripped}", self.columns)
            last.title = title
            last.paper = last.paper or paper
            return
        m = _TOP_ONLY.match(line)
        if m:
            self.add_item(m.group("n").rstrip("."), "")
            self._indent = _indent(line)
            return
        self._mode = ""

    def _add_proposal_line(self, line: str) -> None:
        if self._wrapped and self._proposal:
            self._proposal[-1] = f"{self._proposal[-1]} {line.strip()}"
        else:
            self._proposal.append(line.strip())

    def _close_proposal(self) -> None:
        if self._mode == "proposal" and self.items:
            text = "\n".join(self._proposal).strip()
            if text:
                last = self.items[-1]
                last.proposal = f"{last.proposal}\n{text}".strip() if last.proposal else text
        self._proposal = []
        if self._mode == "proposal":
            self._mode = ""

    def result(self) -> list[AgendaItem]:
        self._close_proposal()
        items = self.items
        if self._heading_at and len(items) > self._heading_at:
            items = items[self._heading_at :]
        return items


def parse_lines(lines: Iterable[str], columns: bool = False, wrap_width: int = 0) -> list[AgendaItem]:
    """Items found in ``lines`` (possibly none)."""
    builder = AgendaBuilder(columns=columns, wrap_width=wrap_width)
    for line in lines:
        builder.feed(line)
    return builder.result()
