"""The editor and recorder shortcuts, declared once: the views bind them, Hilfe -> Tastenkürzel lists them.

Each entry is (name, keys, German description, where). ``name`` is what a view binds to a
slot (``transcript_view`` binds every ``EDITOR_SHORTCUTS`` name); ``keys`` is a
QKeySequence string (portable text, shown translated in the help).
"""

from __future__ import annotations

from typing import NamedTuple

from ..audio.player import JUMP_SECONDS


class Shortcut(NamedTuple):
    name: str
    keys: str
    description: str
    where: str


EDITOR_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("play", "Space", "Wiedergabe starten / anhalten", "Transkript"),
    Shortcut("back", "Ctrl+Left", f"{JUMP_SECONDS:.0f} Sekunden zurück", "Transkript"),
    Shortcut("forward", "Ctrl+Right", f"{JUMP_SECONDS:.0f} Sekunden vor", "Transkript"),
    Shortcut("faster", "Ctrl+Up", "schneller abspielen", "Transkript"),
    Shortcut("slower", "Ctrl+Down", "langsamer abspielen", "Transkript"),
    Shortcut("split", "Ctrl+T", "Segment am angeklickten Wort teilen", "Transkript"),
    Shortcut("merge", "Ctrl+M", "Segment mit dem nächsten zusammenführen", "Transkript"),
    Shortcut("find", "Ctrl+F", "Suchen", "Transkript"),
    Shortcut("edit", "F2", "Text des Segments bearbeiten (Doppelklick ebenso)", "Transkript"),
    Shortcut(
        "save_text", "Return", "bearbeiteten Text übernehmen (Umschalt+Eingabe: neue Zeile)", "Transkript"
    ),
    Shortcut("cancel_text", "Esc", "Bearbeitung verwerfen", "Transkript"),
)
RECORDER_SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("marker", "F9", "nächster Tagesordnungspunkt (Marke setzen)", "Aufnahme"),
)
# Bound by the views themselves (QShortcut/delegate), so not found as QActions of the window.
ALL_SHORTCUTS = EDITOR_SHORTCUTS + RECORDER_SHORTCUTS
