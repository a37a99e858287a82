"""Editor of one agenda item of the draft: fields, vote, review hints, evidence, state badge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError
from ..base.types import MinutesItem, Vote
from ..session.editing import AI_DRAFT, CONFIRMED, EDITED, SessionDoc
from . import draft_item_info as info
from . import undo
from .format import format_time
from .regen_panel import RegenPanel
from .strings import tr

STATE_LABELS = {AI_DRAFT: "KI-Entwurf", EDITED: "bearbeitet", CONFIRMED: "geprüft"}
STATE_STYLES = {
    AI_DRAFT: "background:#FCE3C2; color:#7A3E00;",
    EDITED: "background:#D6E6FA; color:#0B3D78;",
    CONFIRMED: "background:#D3F0D8; color:#145A24;",
}
OUTCOMES = (
    "einstimmig angenommen",
    "mehrheitlich angenommen",
    "angenommen",
    "abgelehnt",
    "mehrheitlich abgelehnt",
    "einstimmig abgelehnt",
    "zur Kenntnis genommen",
    "vertagt",
)
NO_COUNT = -1  # spin box value shown as "–": no number stated


def _text_box(parent: QWidget, lines: int, placeholder: str, max_lines: int | None = None) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setPlaceholderText(placeholder)
    spacing = box.fontMetrics().lineSpacing()
    box.setMinimumHeight(spacing * lines + 14)
    if max_lines is not None:  # short fields stay short; the discussion takes the room
        box.setMaximumHeight(spacing * max_lines + 14)
    box.setTabChangesFocus(True)
    return box


class ItemEditor(QWidget):
    """Shows ``doc.item(index)``; every change is an undoable ``ItemFieldCommand``."""

    confirm_requested = Signal()
    regenerate_requested = Signal()
    hint_done = Signal(int)  # a „Hinweis zur Prüfung“ (index into flags) was marked as dealt with
    set_start_requested = Signal()  # "Beginn auf Wiedergabeposition setzen" (the draft view knows the player)
    error = Signal(str)

    def __init__(
        self,
        doc: SessionDoc,
        undo_stack: QUndoStack,
        on_seek: Callable[[float], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.undo_stack, self.on_seek = doc, undo_stack, on_seek
        # Evidence "start:end" links: show and play that span (the session view's transcript)
        self.on_span: Callable[[float, float], None] | None = None
        self.index = -1
        self._session = 0
        self._loading = False
        self.locked = False
        self.busy = False

        self.number_label = QLabel(self)
        font = self.number_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.number_label.setFont(font)
        self.title_edit = QLineEdit(self)
        self.title_edit.setFont(font)
        self.badge = QLabel(self)
        self.badge.setToolTip("Prüfstatus: KI-Text gilt als ungeprüft, bis er bearbeitet oder bestätigt wird")
        self.confirm_button = QPushButton("Bestätigen", self)
        self.confirm_button.setToolTip("Diesen TOP als geprüft markieren")
        self.confirm_button.clicked.connect(self.confirm_requested)
        self.regen_button = QPushButton("Neu erzeugen", self)
        self.regen_button.setToolTip(
            "Den Entwurf dieses TOP mit dem Sprachmodell neu erzeugen (rückgängig möglich)"
        )
        self.regen_button.clicked.connect(self.regenerate_requested)
        self.regen_panel = RegenPanel(self)  # progress and Abbrechen while this item is redrafted
        self.listen_button = QPushButton("Anhören", self)
        self.listen_button.setToolTip("Die Aufnahme ab dem Beginn dieses TOP abspielen")
        self.listen_button.clicked.connect(self._listen)
        self.paper_label = QLabel(self)
        self.paper_label.setToolTip(tr("draft.paper.tip"))
        self.public_label = QLabel(tr("draft.public_b"), self)
        self.public_label.setToolTip(tr("draft.public_b.tip"))
        self.public_label.setStyleSheet(
            "background:#F3D9F0; color:#5E1257; border-radius:4px; padding:3px 8px; font-weight:bold;"
        )
        self.times_label = QLabel(self)
        self.start_button = QPushButton(tr("draft.set_start"), self)
        self.start_button.setToolTip(tr("draft.set_start.tip"))
        self.start_button.clicked.connect(self.set_start_requested)
        self.proposal_label = QLabel(self)
        self.proposal_label.setWordWrap(True)
        self.proposal_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.proposal_label.setStyleSheet(
            "background:#EEF1F5; border:1px solid #B8C2CF; border-radius:4px; padding:6px;"
        )
        self.proposal_button = QPushButton(tr("draft.proposal.take"), self)
        self.proposal_button.setToolTip(tr("draft.proposal.take.tip"))
        self.proposal_button.clicked.connect(self.take_proposal)
        self.roll_call_label = QLabel(tr("draft.roll_call"), self)
        self.roll_call_label.setStyleSheet("font-weight:bold; color:#0B3D78;")
        self.procedure_label = QLabel(self)
        self.procedure_label.setWordWrap(True)
        self.procedure_label.setTextFormat(Qt.TextFormat.RichText)
        self.procedure_label.linkActivated.connect(self.open_link)
        self.procedure_label.setToolTip(tr("draft.procedure.tip"))

        self.flags_label = QLabel(self)
        self.flags_label.setWordWrap(True)
        self.flags_label.setTextFormat(Qt.TextFormat.RichText)
        self.flags_label.setToolTip(tr("draft.hint.done.tip"))
        self.flags_label.linkActivated.connect(self._hint_link)
        self.flags_label.setStyleSheet(
            "background:#FFF6D6; border:1px solid #E0C46C; border-radius:4px; padding:6px; color:#4A3B00;"
        )
        self.discussion = _text_box(self, 6, "Verlauf der Beratung")
        self.motions = _text_box(self, 2, "Ein Antrag je Zeile", max_lines=5)
        self.resolution = _text_box(self, 3, "Wortlaut des Beschlusses", max_lines=8)
        self.outcome = QComboBox(self)
        self.outcome.setEditable(True)
        self.outcome.addItems(["", *OUTCOMES])
        line = self.outcome.lineEdit()
        if line is not None:
            line.setPlaceholderText("Ergebnis, z. B. einstimmig angenommen")
        self.counts = {name: self._count_box(label) for name, label in self._COUNT_LABELS}
        self.evidence_label = QLabel(self)
        self.evidence_label.setWordWrap(True)
        self.evidence_label.setTextFormat(Qt.TextFormat.RichText)
        self.evidence_label.linkActivated.connect(self.open_link)
        self.evidence_label.setToolTip("Klicken: die Stelle im Transkript zeigen und abspielen")
        self._layout()
        self._connect()

    _COUNT_LABELS = (("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltungen"))

    def _count_box(self, label: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(NO_COUNT, 999)
        box.setSpecialValueText("–")
        box.setToolTip(f"{label}-Stimmen; „–“: keine Zahl genannt")
        return box

    def _layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.number_label)
        head.addWidget(self.title_edit, 1)
        head.addWidget(self.paper_label)
        head.addWidget(self.public_label)
        head.addWidget(self.badge)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.regen_button)
        buttons.addWidget(self.listen_button)
        buttons.addStretch(1)
        times = QHBoxLayout()
        times.addWidget(self.times_label, 1)
        times.addWidget(self.start_button)
        proposal = QVBoxLayout()
        proposal.addWidget(self.proposal_label)
        proposal.addWidget(self.proposal_button, 0, Qt.AlignmentFlag.AlignLeft)
        vote = QHBoxLayout()
        vote.addWidget(self.outcome, 2)
        for name, label in self._COUNT_LABELS:
            vote.addWidget(QLabel(f"{label}:", self))
            vote.addWidget(self.counts[name])
        vote.addWidget(self.roll_call_label)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(tr("draft.times"), times)
        form.addRow(tr("draft.proposal"), proposal)
        self._proposal_row = form.rowCount() - 1
        form.addRow("Beratung:", self.discussion)
        form.addRow("Anträge:", self.motions)
        form.addRow("Beschluss:", self.resolution)
        form.addRow("Abstimmung:", vote)
        form.addRow(tr("draft.procedure"), self.procedure_label)
        form.addRow("Belege:", self.evidence_label)
        self.form = form
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(buttons)
        layout.addWidget(self.regen_panel)
        layout.addWidget(self.flags_label)
        layout.addLayout(form, 1)

    def _connect(self) -> None:
        self.title_edit.textEdited.connect(lambda text: self._edit("title", text.strip()))
        self.discussion.textChanged.connect(lambda: self._edit("discussion", self.discussion.toPlainText()))
        self.resolution.textChanged.connect(lambda: self._edit("resolution", self.resolution.toPlainText()))
        self.motions.textChanged.connect(lambda: self._edit("motions", self._motions_value()))
        self.outcome.currentTextChanged.connect(lambda _t: self._edit("vote", self._vote_value()))
        for box in self.counts.values():
            box.valueChanged.connect(lambda _v: self._edit("vote", self._vote_value()))
        for widget in (
            self.title_edit,
            self.discussion,
            self.resolution,
            self.motions,
            self.outcome,
            *self.counts.values(),
        ):
            widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.FocusIn:
            self._session += 1  # a new visit to a field starts a new undo step
        return super().eventFilter(obj, event)

    # -- values -------------------------------------------------------------------------------
    def _motions_value(self) -> list[str]:
        return [line.strip() for line in self.motions.toPlainText().splitlines() if line.strip()]

    def _vote_value(self) -> Vote:
        def count(name: str) -> int | None:
            value = self.counts[name].value()
            return None if value == NO_COUNT else value

        outcome = self.outcome.currentText().strip() or None
        roll_call = self.index >= 0 and self.doc.item(self.index).vote.roll_call  # not edited here: kept
        return Vote(outcome, count("yes"), count("no"), count("abstain"), roll_call)

    def _edit(self, name: str, value: Any) -> None:
        if self._loading or self.index < 0:
            return
        if getattr(self.doc.item(self.index), name) == value:
            return
        try:
            undo.push(
                self.undo_stack, undo.ItemFieldCommand(self.doc, self.index, name, value, self._session)
            )
        except UserError as exc:
            self.error.emit(str(exc))
            QTimer.singleShot(0, self, self.load)  # show the document again, not the refused text

    def take_proposal(self) -> bool:
        """Beschlussvorschlag -> Beschluss: one undoable field edit."""
        if self.index < 0:
            return False
        item = self.doc.item(self.index)
        if not item.proposal.strip() or item.resolution == item.proposal:
            return False
        command = undo.ItemFieldCommand(
            self.doc, self.index, "resolution", item.proposal, text=tr("draft.proposal.undo_text")
        )
        try:
            undo.push(self.undo_stack, command)
        except UserError as exc:
            self.error.emit(str(exc))
            return False
        return True

    def open_link(self, href: str) -> None:
        """A time link: "12.5" seeks there, "12.5:20.0" shows and plays that span."""
        start, _, end = href.partition(":")
        if end and self.on_span is not None:
            self.on_span(float(start), float(end))
        else:
            self.on_seek(float(start))

    def _listen(self) -> None:
        item = self.doc.item(self.index)
        if item.start is not None:
            self.on_seek(item.start)

    # -- showing --------------------------------------------------------------------------------
    def show_item(self, index: int) -> None:
        if index != self.index:
            self._session += 1
        self.index = index
        self.load()

    def load(self) -> None:
        """Fill the widgets from the document; fields being typed in keep their cursor."""
        if self.index < 0:
            return
        item = self.doc.item(self.index)
        self._loading = True
        try:
            self.number_label.setText(f"TOP {item.number}" if item.number else "")
            _set_line(self.title_edit, item.title)
            _set_text(self.discussion, item.discussion)
            _set_text(self.resolution, item.resolution)
            if self._motions_value() != item.motions:
                _set_text(self.motions, "\n".join(item.motions))
            if self._vote_value() != item.vote:
                self.outcome.setCurrentText(item.vote.outcome or "")
                for name in ("yes", "no", "abstain"):
                    value = getattr(item.vote, name)
                    self.counts[name].setValue(NO_COUNT if value is None else value)
            self._show_state()
            self._show_hints(item)
            self._show_facts(item)
        finally:
            self._loading = False

    def _show_state(self) -> None:
        state = self.doc.item_states[self.index]
        self.badge.setText(f" {STATE_LABELS.get(state, state)} ")
        self.badge.setStyleSheet(
            f"{STATE_STYLES.get(state, '')} border-radius:4px; padding:3px 8px; font-weight:bold;"
        )
        self.confirm_button.setEnabled(state != CONFIRMED and not self.locked and not self.busy)

    def _show_facts(self, item: MinutesItem) -> None:
        """Vorlage, Teil B, times, Beschlussvorschlag, procedure, namentliche Abstimmung."""
        self.paper_label.setText(tr("draft.paper", paper=item.paper))
        self.paper_label.setVisible(bool(item.paper))
        self.public_label.setVisible(not item.public)
        manual = self.doc.project.item_starts.get(item.number) if item.number else None
        self.times_label.setText(info.times_text(item, manual))
        self.form.setRowVisible(self._proposal_row, bool(item.proposal.strip()))
        self.proposal_label.setText(item.proposal)
        self.proposal_button.setEnabled(not (self.locked or self.busy) and item.resolution != item.proposal)
        self.roll_call_label.setVisible(item.vote.roll_call)
        self.procedure_label.setText(info.procedure_html(item))

    def set_locked(self, locked: bool) -> None:
        """A released Niederschrift: every field read-only, no buttons that change it."""
        self.locked = locked
        self.set_busy(self.busy)
        if self.index >= 0:
            self.load()

    def _show_hints(self, item: MinutesItem) -> None:
        self.flags_label.setVisible(bool(item.flags))
        self.flags_label.setText(
            "<b>Hinweise zur Prüfung:</b><ul style='margin:0'>"
            + "".join(
                f"<li>{_escape(f)}"
                + ("" if self.locked or self.busy else f" – <a href='done:{i}'>{tr('draft.hint.done')}</a>")
                + "</li>"
                for i, f in enumerate(item.flags)
            )
            + "</ul>"
        )
        links = [
            f"<a href='{e.start}:{e.end}'>{format_time(e.start)}–{format_time(e.end)}</a>"
            for e in item.evidence
        ]
        if item.start is not None and item.end is not None:
            links.insert(
                0, f"TOP: <a href='{item.start}'>{format_time(item.start)}–{format_time(item.end)}</a>"
            )
        self.evidence_label.setText(" · ".join(links) if links else "keine")

    def _hint_link(self, href: str) -> None:
        if href.startswith("done:") and href[5:].isdigit() and not (self.locked or self.busy):
            self.hint_done.emit(int(href[5:]))

    def focus_field(self, name: str, match: str = "") -> bool:
        """Put the cursor into an item field (a blocker's place), ``match`` selected; True if found."""
        boxes = {"title": self.title_edit, "discussion": self.discussion, "motions": self.motions}
        boxes |= {"resolution": self.resolution, "vote": self.outcome, "procedure": self.procedure_label}
        boxes |= {"flags": self.flags_label}
        widget = boxes.get(name)
        if widget is None:
            return False
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QPlainTextEdit):
            cursor = widget.textCursor()
            cursor.movePosition(cursor.MoveOperation.Start)
            widget.setTextCursor(cursor)
            if match:
                widget.find(match)
            widget.ensureCursorVisible()
        elif isinstance(widget, QLineEdit) and match and match in widget.text():
            widget.setSelection(widget.text().index(match), len(match))
        return True

    def set_busy(self, busy: bool, since: float | None = None) -> None:
        """While the item is redrafted its fields are read-only (nothing typed can be replaced),
        with the progress panel and Abbrechen; ``since``: when the job began."""
        changed = busy != self.busy
        self.busy = busy
        self.regen_button.setEnabled(not busy and not self.locked)
        self.regen_button.setText("Wird erzeugt …" if busy else "Neu erzeugen")
        editable = not busy and not self.locked
        for box in (self.title_edit, self.discussion, self.motions, self.resolution, *self.counts.values()):
            box.setReadOnly(not editable)
        self.outcome.setEnabled(editable)
        self.start_button.setEnabled(editable)
        if busy and self.index >= 0:
            self.regen_panel.start(self.doc.item(self.index).number, since)
        elif not busy:
            self.regen_panel.stop()
        if changed and self.index >= 0:
            self.load()  # buttons and hint links follow


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _set_text(box: QPlainTextEdit, text: str) -> None:
    if box.toPlainText() != text:
        box.setPlainText(text)


def _set_line(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:
        edit.setText(text)
