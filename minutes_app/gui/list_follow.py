"""When the transcript list may follow the playhead, so it never moves under the secretary's pointer.

Following pauses while the pointer is over the list (a click must hit the segment it aimed
at) and for ``PAUSE_AFTER_SCROLL`` seconds after the user scrolled the list by hand.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QModelIndex, QObject
from PySide6.QtWidgets import QAbstractItemView

PAUSE_AFTER_SCROLL = 6.0


class FollowGuard(QObject):
    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self.pointer_inside = False
        self.user_scrolled_at = float("-inf")
        self._scrolling = False
        view.viewport().installEventFilter(self)
        view.verticalScrollBar().valueChanged.connect(self._scrolled)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Enter:
            self.pointer_inside = True
        elif event.type() == QEvent.Type.Leave:
            self.pointer_inside = False
        return False

    def _scrolled(self, _value: int) -> None:
        if not self._scrolling:
            self.user_scrolled_at = time.monotonic()

    def may_follow(self) -> bool:
        return not self.pointer_inside and time.monotonic() - self.user_scrolled_at > PAUSE_AFTER_SCROLL

    def scroll_to(
        self,
        index: QModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        """Scroll on the program's behalf (not counted as the user's scrolling)."""
        self._scrolling = True
        try:
            self.view.scrollTo(index, hint)
        finally:
            self._scrolling = False
