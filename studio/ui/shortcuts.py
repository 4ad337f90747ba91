"""Keyboard shortcuts that work anywhere inside a workspace page."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

RUN = (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter"))
STOP = (QKeySequence(Qt.Key.Key_Escape),)
PLAY_PAUSE = (QKeySequence(Qt.Key.Key_Space),)


def add_shortcuts(widget: QWidget, keys: Sequence[QKeySequence], slot: Callable[[], object]) -> None:
    """Bind ``keys`` to ``slot`` while the focus is in ``widget`` or its children (text boxes
    keep their own keys: Space types a space there)."""
    for key in keys:
        shortcut = QShortcut(key, widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
