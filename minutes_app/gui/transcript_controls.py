"""The transcript editor's button rows, shortcuts and search/replace (a mixin of ``TranscriptView``).

Search hits are highlighted in every card while the search field has text; "ersetzt" is
reported as information (green), a failed search as a refusal (red).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from ..audio.player import JUMP_SECONDS
from . import undo
from .shortcuts import EDITOR_SHORTCUTS


class TranscriptControls:
    """Needs the view's ``doc``, ``model``, ``bar``, ``list``, ``_push``, ``show_status``,
    ``select_segment``, ``split_current``, ``merge_current`` and ``_speaker_chosen``."""

    doc: Any
    model: Any
    bar: Any
    list: Any

    def _edit_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        split = QPushButton("Teilen", self)
        split.setToolTip("Segment vor dem angeklickten Wort bzw. an der Schreibmarke teilen (Strg+T)")
        split.clicked.connect(self.split_current)
        merge = QPushButton("Mit nächstem zusammenführen", self)
        merge.setToolTip("Dieses Segment mit dem folgenden zusammenführen (Strg+M)")
        merge.clicked.connect(self.merge_current)
        self.speaker_box = QComboBox(self)
        self.speaker_box.setToolTip(
            "Sprecher der gewählten Segmente (mehrere mit Umschalt-/Strg-Klick wählen); "
            "auch Namen aus der Anwesenheitsliste"
        )
        self.speaker_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.speaker_box.activated.connect(self._speaker_chosen)
        self.uncertain_box = QCheckBox("Unsichere Wörter markieren", self)
        self.uncertain_box.setToolTip(
            "Wörter, bei denen die Spracherkennung unsicher war (< 50 %), hinterlegen"
        )
        self.uncertain_box.toggled.connect(self.set_mark_uncertain)
        self.follow_box = QCheckBox("Mitlaufen", self)
        self.follow_box.setToolTip("Beim Abspielen zum gesprochenen Segment blättern")
        self.follow_box.setChecked(True)
        for widget in (split, merge, QLabel("Sprecher:", self), self.speaker_box):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.uncertain_box)
        row.addWidget(self.follow_box)
        return row

    def _search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Suchen (Strg+F)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(lambda: self.find_next(self.find_edit.text()))
        self.find_edit.textChanged.connect(self.highlight)
        self.replace_edit = QLineEdit(self)
        self.replace_edit.setPlaceholderText("Ersetzen durch")
        find = QPushButton("Weitersuchen", self)
        find.clicked.connect(lambda: self.find_next(self.find_edit.text()))
        replace = QPushButton("Alle ersetzen", self)
        replace.setToolTip("Im ganzen Transkript ersetzen (Groß-/Kleinschreibung wird beachtet)")
        replace.clicked.connect(lambda: self.replace_all(self.find_edit.text(), self.replace_edit.text()))
        for widget in (self.find_edit, find, self.replace_edit, replace):
            row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        return row

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        slots = {
            "play": self.bar.toggle,
            "back": lambda: self.bar.jump(-JUMP_SECONDS),
            "forward": lambda: self.bar.jump(JUMP_SECONDS),
            "faster": lambda: self.bar.step_speed(1),
            "slower": lambda: self.bar.step_speed(-1),
            "split": self.split_current,
            "merge": self.merge_current,
            "find": self.find_edit.setFocus,
        }
        for shortcut in EDITOR_SHORTCUTS:  # the others (F2, Eingabe, Esc) are the list's own keys
            if shortcut.name in slots:
                QShortcut(QKeySequence(shortcut.keys), self, slots[shortcut.name], context=ctx)

    def find_next(self, text: str) -> bool:
        if not text:
            return False
        n = len(self.doc.segments)
        start = self.list.currentIndex().row() if self.list.currentIndex().isValid() else -1
        for step in range(1, n + 1):
            row = (start + step) % n
            if text.casefold() in self.doc.segments[row].text.casefold():
                self.select_segment(self.doc.segments[row].id)
                return True
        self.show_status(f"„{text}“ kommt im Transkript nicht vor.")
        return False

    def replace_all(self, find: str, replace: str) -> int:
        count = sum(1 for s in self.doc.segments if find and find in s.text)
        if not count:
            self.show_status(f"„{find}“ kommt im Transkript nicht vor (Groß-/Kleinschreibung beachtet).")
            return 0
        if self._push(undo.replace_all(self.doc, find, replace)):
            self.show_status(f"In {count} Segment(en) ersetzt.", error=False)
        return count

    def highlight(self, text: str) -> None:
        """Mark every occurrence of ``text`` in the cards (the search field's text)."""
        self.model.search_text = text.strip()
        self.list.viewport().update()  # marks change no card's size: repaint only, no relayout

    def set_mark_uncertain(self, on: bool) -> None:
        self.model.mark_uncertain = on
        self.model.layoutChanged.emit()
