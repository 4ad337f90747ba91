"""A waveform view (pyqtgraph): zoom, scroll, a selectable region, a playhead, and a clip
that can grow while a take streams in.

The view draws from a Track: a finished clip wrapped in one, or a take's own growing track
(``show_track``), the same one the player reads, so a streamed take is not kept twice.
Drawing is throttled: new audio only marks the view dirty (``refresh``) and a ~30 fps timer
redraws, so a stream of chunks never floods the event loop. Long clips are drawn as a
min/max envelope by pyqtgraph's peak downsampling, clipped to the visible range.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.track import Track

pg.setConfigOptions(antialias=False, useOpenGL=False)

#: tints of the marked spans (the transcript check's differences), readable on both themes
MARK_COLORS = {"mismatch": QColor(224, 49, 49), "extra": QColor(174, 62, 201),
               "missing": QColor(230, 119, 0)}


class WaveformView(QWidget):
    """Shows one mono clip. Times are in seconds."""

    region_changed = Signal(float, float)  # the selection, settled (debounced)
    seek_requested = Signal(float)  # the user clicked at a time

    def __init__(self, sample_rate: int = SAMPLE_RATE, selectable: bool = False,
                 parent: QWidget | None = None, empty_text: str = "No audio yet") -> None:
        super().__init__(parent)
        self.sample_rate = sample_rate
        self._track = Track.of(np.zeros(0, np.float32))
        self._follow = False
        self._peak = 1.0
        self.plot = pg.PlotWidget(background=None)
        self.plot.setMenuEnabled(False)
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keys of its own: Tab skips it
        self.plot.hideButtons()
        self.plot.showAxis("left", False)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setYRange(-1.0, 1.0, padding=0.02)
        self.plot.setMinimumHeight(90)
        vb = self.plot.getViewBox()
        vb.setLimits(xMin=0, yMin=-1.05, yMax=1.05)
        self.curve = self.plot.plot()
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.curve.setSkipFiniteCheck(True)
        self.playhead = pg.InfiniteLine(0, angle=90, movable=False,
                                        pen=pg.mkPen(QColor("#e8590c"), width=2))
        self.playhead.setVisible(False)
        self.plot.addItem(self.playhead)
        self.suggestion = pg.LinearRegionItem(movable=False, brush=QColor(64, 192, 87, 40),
                                              pen=pg.mkPen(QColor(64, 192, 87, 160)))
        self.suggestion.setVisible(False)
        self.suggestion.setZValue(-20)
        self.plot.addItem(self.suggestion)
        self.marks: list[tuple[float, float, str]] = []  # spans shown with set_marks
        self._mark_items: list[pg.LinearRegionItem] = []
        self.region: pg.LinearRegionItem | None = None
        self.discarded: list[pg.LinearRegionItem] = []  # shades over what is not kept
        if selectable:
            self.region = pg.LinearRegionItem()
            self.region.setZValue(-10)
            self.region.setVisible(False)
            self.region.sigRegionChangeFinished.connect(self._region_settled)
            self.region.sigRegionChanged.connect(self._shade)
            self.plot.addItem(self.region)
            for _side in range(2):
                shade = pg.LinearRegionItem(movable=False, pen=pg.mkPen(None))
                shade.setZValue(5)  # over the curve: what is left out looks faded
                shade.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
                for line in shade.lines:
                    line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
                    line.setAcceptHoverEvents(False)
                shade.setVisible(False)
                self.plot.addItem(shade)
                self.discarded.append(shade)
        self.empty = pg.TextItem(empty_text, anchor=(0.5, 0.5))
        self.plot.addItem(self.empty)
        self.empty.setPos(0.5, 0)
        self.plot.setXRange(0, 1, padding=0)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._redraw = QTimer(self)
        self._redraw.setInterval(33)
        self._redraw.setSingleShot(True)
        self._redraw.timeout.connect(self._draw)
        self._debounce = QTimer(self)
        self._debounce.setInterval(120)
        self._debounce.setSingleShot(True)
        self._debounce.timeout.connect(self._emit_region)
        self.apply_palette()

    # --- colours ------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange,
                            QEvent.Type.StyleChange) and hasattr(self, "_debounce"):
            self.apply_palette()  # (not while __init__ is still building the parts)
        super().changeEvent(event)

    def colors(self) -> dict[str, QColor]:
        """What the view paints with, from the palette (so a theme switch reaches it)."""
        pal = self.palette()
        return {"curve": pal.color(QPalette.ColorRole.Highlight),
                "axis": pal.color(QPalette.ColorRole.PlaceholderText),
                "empty": pal.color(QPalette.ColorRole.PlaceholderText),
                "fade": pal.color(QPalette.ColorRole.Window)}

    def apply_palette(self) -> None:
        colors = self.colors()
        self.plot.resetCachedContent()  # the view caches its background: the old theme's
        self.plot.viewport().update()
        self.curve.setPen(pg.mkPen(colors["curve"], width=1))
        self.empty.setColor(colors["empty"])
        for name in ("bottom", "left"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(colors["axis"]))
            axis.setTextPen(pg.mkPen(colors["axis"]))
        if self.region is not None:
            accent = QColor(colors["curve"])
            accent.setAlpha(45)
            self.region.setBrush(accent)
            self.region.update()
        fade = QColor(colors["fade"])
        fade.setAlpha(175)
        for shade in self.discarded:
            shade.setBrush(fade)
            shade.update()

    # --- data ---------------------------------------------------------------------------

    @property
    def audio(self) -> np.ndarray:
        """What is shown (read-only)."""
        return self._track.audio()

    @property
    def duration(self) -> float:
        return self._track.length / float(self.sample_rate)

    def set_audio(self, audio: np.ndarray | None, sample_rate: int | None = None) -> None:
        """Show a finished clip (replaces whatever was shown). It is shown, not copied:
        hand over audio that is not changed afterwards."""
        if sample_rate:
            self.sample_rate = sample_rate
        self._track = Track.of(np.zeros(0, np.float32) if audio is None else audio)
        self._follow = False
        self.set_playhead(None)
        self.suggestion.setVisible(False)
        self.set_marks([])
        if self.region is not None:
            self.region.setVisible(self._track.length > 0)
            self.region.blockSignals(True)
            self.region.setRegion((0.0, self.duration))
            self.region.blockSignals(False)
            self._shade()
        self._draw()
        self.zoom_all()

    def show_track(self, track: Track) -> None:
        """Show a take that is still growing; the view follows its end. Call ``refresh``
        when audio arrives and ``end_stream`` once it is complete."""
        self.set_audio(None)
        self._track = track
        self._follow = True
        self.refresh()

    def begin_stream(self) -> None:
        """Start an empty clip of the view's own that ``append`` adds to (a recording)."""
        self.show_track(Track(self.sample_rate * 10))

    def append(self, chunk: np.ndarray) -> None:
        self._track.append(chunk)
        self.refresh()

    def refresh(self) -> None:
        """The track grew: redraw soon (at most ~30 times a second)."""
        if not self._redraw.isActive():
            self._redraw.start()

    def end_stream(self) -> None:
        self._follow = False
        self._draw()

    def _draw(self) -> None:
        y = self._track.audio()
        n = len(y)
        self.empty.setVisible(n == 0)
        if n == 0:
            self.curve.setData([], [])
            return
        x = np.arange(n, dtype=np.float64) / self.sample_rate
        self.curve.setData(x, y)
        peak = float(np.max(np.abs(y[max(0, n - self.sample_rate * 2):n])))
        self._peak = max(self._peak if self._follow else 0.0, peak, 0.25)
        if not self._follow:
            self._peak = max(float(np.max(np.abs(y))), 0.25)
        self.plot.setYRange(-self._peak * 1.05, self._peak * 1.05, padding=0)
        self.plot.getViewBox().setLimits(xMax=max(self.duration, 0.1))
        if self._follow:
            self.plot.setXRange(0, max(self.duration, 1.0), padding=0)

    # --- view --------------------------------------------------------------------------

    def zoom_all(self) -> None:
        self.plot.setXRange(0, max(self.duration, 0.5), padding=0)

    def zoom(self, factor: float) -> None:
        (x0, x1), _ = self.plot.viewRange()
        mid, half = (x0 + x1) / 2, (x1 - x0) / 2 / factor
        self.plot.setXRange(max(0.0, mid - half), mid + half, padding=0)

    def set_playhead(self, seconds: float | None) -> None:
        if seconds is None:
            self.playhead.setVisible(False)
            return
        self.playhead.setVisible(True)
        self.playhead.setValue(seconds)

    def set_marks(self, spans: list[tuple[float, float, str]]) -> None:
        """Tint spans of the clip (start, end, kind); kinds are MARK_COLORS' keys."""
        for item in self._mark_items:
            self.plot.removeItem(item)
        self._mark_items = []
        self.marks = list(spans)
        for start, end, kind in self.marks:
            color = QColor(MARK_COLORS.get(kind, MARK_COLORS["mismatch"]))
            edge = QColor(color)
            color.setAlpha(70)
            edge.setAlpha(150)
            item = pg.LinearRegionItem((start, end), movable=False, brush=color,
                                       pen=pg.mkPen(edge))
            item.setZValue(-15)  # under the selection, so its edges stay draggable
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.plot.addItem(item)
            self._mark_items.append(item)

    def set_suggestion(self, window: tuple[float, float] | None) -> None:
        self.suggestion.setVisible(window is not None)
        if window is not None:
            self.suggestion.setRegion(window)

    # --- selection ---------------------------------------------------------------------

    def selection(self) -> tuple[float, float]:
        if self.region is None or not self.region.isVisible():
            return (0.0, self.duration)
        a, b = self.region.getRegion()
        return (max(0.0, float(a)), min(self.duration, float(b)))

    def set_selection(self, start: float, end: float) -> None:
        if self.region is None:
            return
        self.region.setVisible(True)
        self.region.setRegion((max(0.0, start), min(self.duration, end)))
        self._emit_region()

    def _shade(self) -> None:
        """Fade what lies outside the selection (while it is dragged too)."""
        if self.region is None:
            return
        a, b = self.region.getRegion()
        shown = self.region.isVisible() and self._track.length > 0
        for shade, (lo, hi) in zip(self.discarded, ((0.0, a), (b, self.duration)), strict=True):
            shade.setRegion((lo, hi))
            shade.setVisible(shown and hi - lo > 1e-3)

    def _region_settled(self) -> None:
        self._debounce.start()

    def _emit_region(self) -> None:
        a, b = self.selection()
        self.region_changed.emit(a, b)

    def _clicked(self, event) -> None:  # noqa: ANN001 - pyqtgraph's event type
        if event.button() != Qt.MouseButton.LeftButton or self._track.length == 0:
            return
        point = self.plot.getViewBox().mapSceneToView(event.scenePos())
        self.seek_requested.emit(float(min(max(point.x(), 0.0), self.duration)))
