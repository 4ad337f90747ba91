"""A recording level meter: RMS as a bar, peak as a tick, in dBFS, with a latched clip light.

The meter only paints what it is told (``set_level``); whoever records polls the recorder
and feeds it, so the meter never touches a device. The clip light stays on until the next
``reset`` (a new recording) so a single clipped peak is not missed between glances.
While idle the readout shows a dash and the light a dim dot: an indicator, never a
button-like box or an empty gap.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

FLOOR_DB = -60.0  # the left end of the scale
CLIP_DB = -0.1  # a peak at or above this (about 0.99 full scale) lights the clip light
GOOD, HOT, RED = QColor("#2f9e44"), QColor("#f59f00"), QColor("#e03131")
IDLE_READOUT = "— dB"
CLIP_TEXT = "● CLIP"  # a lamp and its name
# off: dim, flat, no frame (a frame read as a disabled button); on: a lit red lamp
OFF_STYLE = "color: palette(placeholder-text); padding: 0 2px;"
ON_STYLE = ("color: white; background: #e03131; border-radius: 3px; padding: 0 2px; "
            "font-weight: 600;")


def _fraction(db: float) -> float:
    return min(max((db - FLOOR_DB) / -FLOOR_DB, 0.0), 1.0)


def _color(db: float) -> QColor:
    return RED if db > -3.0 else HOT if db > -12.0 else GOOD


class _Bar(QWidget):
    def __init__(self, meter: LevelMeter) -> None:
        super().__init__()
        self.meter = meter
        self.setMinimumWidth(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 16)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        m = self.meter
        p = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(self.palette().color(QPalette.ColorRole.Mid))
        p.setBrush(self.palette().color(QPalette.ColorRole.Base))
        p.drawRoundedRect(rect, 3, 3)
        inner = rect.adjusted(2, 2, -2, -2)
        width = inner.width() * _fraction(m.rms_db)
        if width > 0:
            p.fillRect(QRectF(inner.left(), inner.top(), width, inner.height()), _color(m.rms_db))
        if m.peak_db > FLOOR_DB:
            x = inner.left() + inner.width() * _fraction(m.peak_db)
            p.fillRect(QRectF(x - 1.5, inner.top(), 3, inner.height()), _color(m.peak_db))
        p.setPen(self.palette().color(QPalette.ColorRole.Mid))
        for mark in (-48, -36, -24, -12, -6):  # scale ticks, so levels can be read at a glance
            x = inner.left() + inner.width() * _fraction(mark)
            p.drawLine(int(x), int(inner.bottom()) - 3, int(x), int(inner.bottom()))
        p.end()


class LevelMeter(QWidget):
    """Peak and RMS of the latest input block, a dB readout and a clip light."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.peak_db = -120.0
        self.rms_db = -120.0
        self.max_peak_db = -120.0  # the loudest peak since reset (tests, the readout)
        self.clipped = False
        self.bar = _Bar(self)
        self.bar.setToolTip("Input level: the bar is the loudness (RMS), the tick the peak. "
                            "Speech peaking around -12 to -6 dBFS is ideal.")
        self.readout = QLabel(IDLE_READOUT)
        self.readout.setObjectName("hint")
        self.readout.setToolTip("The latest peak, in dBFS")
        self.readout.setMinimumWidth(self.readout.fontMetrics().horizontalAdvance("-60 dB") + 6)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.clip_light = QLabel(CLIP_TEXT)
        self.clip_light.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clip_light.setToolTip("Lights up when the input reaches full scale (distortion). "
                                   "Lower the microphone gain if it does.")
        self.clip_light.setStyleSheet(OFF_STYLE)
        bold = self.clip_light.font()
        bold.setBold(True)  # the lit lamp's text, so lighting it never shifts the row
        self.clip_light.setFixedWidth(QFontMetrics(bold).horizontalAdvance(CLIP_TEXT) + 8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self.clip_light)
        self.reset()

    def set_level(self, peak_db: float, rms_db: float) -> None:
        self.peak_db, self.rms_db = float(peak_db), float(rms_db)
        self.max_peak_db = max(self.max_peak_db, self.peak_db)
        if self.peak_db >= CLIP_DB and not self.clipped:
            self.clipped = True
            self.clip_light.setStyleSheet(ON_STYLE)
        self.readout.setText(f"{max(self.peak_db, FLOOR_DB):.0f} dB")
        self.bar.update()

    def rest(self) -> None:
        """Nothing is being measured (recording ended): an empty bar and a dash; the clip
        light stays as it was, so a clipped recording still says so."""
        self.peak_db = self.rms_db = -120.0
        self.readout.setText(IDLE_READOUT)
        self.bar.update()

    def reset(self) -> None:
        self.peak_db = self.rms_db = self.max_peak_db = -120.0
        self.clipped = False
        self.clip_light.setStyleSheet(OFF_STYLE)
        self.readout.setText(IDLE_READOUT)
        self.bar.update()
