"""A play / pause tool button whose glyph is painted in the palette's text colour.

The style's standard media icons are dark grey whatever the theme, so on the dark palette
they vanished into the button; these follow the palette, also when the theme changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPixmap
from PySide6.QtWidgets import QToolButton, QWidget

ICON = 16  # logical pixels


def glyph(playing: bool, color: QColor, size: int = ICON, ratio: float = 1.0) -> QPixmap:
    """A pause glyph (two bars) while playing, else a play triangle."""
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    s = float(size)
    if playing:
        for x in (0.22, 0.58):
            p.drawRoundedRect(QRectF(s * x, s * 0.18, s * 0.2, s * 0.64), 1.0, 1.0)
    else:
        path = QPainterPath(QPointF(s * 0.27, s * 0.15))
        path.lineTo(s * 0.85, s * 0.5)
        path.lineTo(s * 0.27, s * 0.85)
        path.closeSubpath()
        p.drawPath(path)
    p.end()
    return pixmap


class PlayPauseButton(QToolButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.playing = False
        self.setAccessibleName("Play")
        self.setIconSize(QSize(ICON, ICON))
        self._paint()

    def set_playing(self, playing: bool) -> None:
        self.playing = playing
        self.setAccessibleName("Pause" if playing else "Play")
        self._paint()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange,
                            QEvent.Type.StyleChange):
            self._paint()
        super().changeEvent(event)

    def _paint(self) -> None:
        ratio = self.devicePixelRatioF()
        pal = self.palette()
        icon = QIcon()
        for mode, group in ((QIcon.Mode.Normal, QPalette.ColorGroup.Active),
                            (QIcon.Mode.Disabled, QPalette.ColorGroup.Disabled)):
            color = pal.color(group, QPalette.ColorRole.ButtonText)
            icon.addPixmap(glyph(self.playing, color, ICON, ratio), mode)
        self.setIcon(icon)
