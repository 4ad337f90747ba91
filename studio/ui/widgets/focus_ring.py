"""A visible focus ring, in both themes, around the control the keyboard is on.

Fusion marks keyboard focus faintly or not at all (a check box, a combo box, our primary
buttons under the style sheet), so someone working with Tab cannot see where they are.
One ring per window (a QFocusFrame, which follows its widget's geometry) is drawn in the
palette's highlight colour around whatever control the keyboard moved to; a mouse click
hides it, as mouse users need no ring.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

RING = 2  # pixels
CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox,
            QAbstractSlider, QAbstractItemView, QTabBar)


class FocusRing(QFocusFrame):
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), RING)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = RING / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 4, 4)
        painter.end()


class FocusRings(QObject):
    """Moves each window's ring to the control that has the keyboard focus."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        app.focusChanged.connect(self._moved)

    @staticmethod
    def install(app: QApplication) -> FocusRings:
        """Once per application; later calls return the same one."""
        existing = app.findChild(FocusRings)
        return existing if existing is not None else FocusRings(app)

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not shiboken6.isValid(new):
            return
        window = new.window()
        ring = window.findChild(FocusRing)
        keyboard = window.testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
        wanted = isinstance(new, CONTROLS) and keyboard and not isinstance(new, FocusRing)
        if ring is None:
            if not wanted:
                return
            ring = FocusRing(window)
        ring.setWidget(new if wanted else None)
        ring.setVisible(wanted)
