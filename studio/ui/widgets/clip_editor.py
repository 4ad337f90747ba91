"""The clip being cloned: a zoomable, scrollable waveform with the region to keep, and the
tools that set that region (trim silence, the check's suggested window).

The editor knows only audio and seconds. Playing the selection, checking it and saving it
are the page's business; the editor says what changed through signals.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.audio.levels import speech_bounds
from studio.audio.samplerate import SAMPLE_RATE
from studio.ui.playback import gate_play
from studio.ui.widgets.waveform import WaveformView

EMPTY_TEXT = "Record or import a clip of 5-15 s of clear speech"
PLAY_TIP = "Play the selection: the part that will be kept"


def clear_wave(wave: WaveformView) -> None:
    """Empty a waveform with its explanation centred (an empty clip would leave the view
    squeezed to the old clip's limits, pushing the text off the edge)."""
    wave.set_audio(None)
    wave.plot.getViewBox().setLimits(xMax=1.0)
    wave.plot.setXRange(0, 1, padding=0)


class ClipEditor(QWidget):
    selection_changed = Signal(float, float)  # the region to keep, settled
    play_requested = Signal()  # play / stop the selection
    message = Signal(str, str)  # text, level: for the page's notice bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion: tuple[float, float] | None = None
        self.output_reason = ""  # why nothing can play ("" when it can): see set_output
        self._has_clip = False
        self.wave = WaveformView(SAMPLE_RATE, selectable=True, empty_text=EMPTY_TEXT)
        self.wave.plot.setMinimumHeight(130)
        self.wave.region_changed.connect(self._region_changed)
        self.wave.plot.showAxis("bottom", False)
        self.wave.plot.setStyleSheet(  # a frame, so the empty area reads as the clip's place
            "border: 1px solid palette(mid); border-radius: 3px;")
        self.scroll = QScrollBar(Qt.Orientation.Horizontal)
        self.scroll.setVisible(False)
        self.scroll.valueChanged.connect(self._scrolled)
        self.wave.plot.getViewBox().sigXRangeChanged.connect(self._view_changed)
        self._syncing = False

        def tool(text: str, tip: str) -> QToolButton:
            button = QToolButton(text=text)
            button.setToolTip(tip)
            return button

        self.zoom_in = tool("+", "Zoom in (or use the mouse wheel over the waveform)")
        self.zoom_out = tool("−", "Zoom out")
        self.zoom_fit = tool("Fit", "Show the whole clip")
        self.zoom_in.clicked.connect(lambda: self.wave.zoom(2.0))
        self.zoom_out.clicked.connect(lambda: self.wave.zoom(0.5))
        self.zoom_fit.clicked.connect(self.wave.zoom_all)
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip(PLAY_TIP)
        self.play_button.clicked.connect(self.play_requested)
        self.trim_button = QPushButton("Trim silence")
        self.trim_button.setToolTip("Shrink the selection to where the speech starts and ends")
        self.trim_button.clicked.connect(self.trim_silence)
        self.suggest_button = QPushButton("Use suggested window")
        self.suggest_button.setToolTip("Select the 5-15 s of cleanest speech (shown in green)")
        self.suggest_button.clicked.connect(self.use_suggestion)
        self.selection_label = QLabel("")
        self.selection_label.setObjectName("hint")
        self.selection_label.setMinimumWidth(0)  # may be cut short; never widens the page
        self.selection_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                           QSizePolicy.Policy.Preferred)

        view = QHBoxLayout()  # what is kept, and the zoom: under the waveform
        view.setContentsMargins(0, 0, 0, 0)
        view.addWidget(self.selection_label, 1)
        for button in (self.zoom_out, self.zoom_in, self.zoom_fit):
            button.setAutoRaise(True)
            view.addWidget(button)
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.addWidget(self.play_button)
        tools.addWidget(self.trim_button)
        tools.addWidget(self.suggest_button)
        tools.addStretch(1)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(self.wave, 1)
        col.addWidget(self.scroll)
        col.addLayout(view)
        col.addLayout(tools)
        self._enable(False)

    # --- the clip --------------------------------------------------------------------------

    @property
    def audio(self) -> np.ndarray:
        return self.wave.audio

    def set_clip(self, audio: np.ndarray | None, suggestion: tuple[float, float] | None) -> None:
        """Show a finished clip, all of it selected, with the suggested window as an overlay."""
        self.wave.sample_rate = SAMPLE_RATE
        if audio is None or not len(audio):
            clear_wave(self.wave)
        else:
            self.wave.set_audio(audio, SAMPLE_RATE)
        self.suggestion = suggestion
        self.wave.set_suggestion(suggestion)
        has = audio is not None and len(audio) > 0
        self.wave.plot.showAxis("bottom", has)  # a time scale of no clip means nothing
        self._enable(has)
        self.suggest_button.setEnabled(has and suggestion is not None)
        self._show_selection(*self.wave.selection())

    def begin_live(self, device_rate: int) -> None:
        """Show a recording as it comes in (at the device's rate)."""
        self.suggestion = None
        self.wave.begin_stream()
        self.wave.sample_rate = int(device_rate)
        self.wave.plot.showAxis("bottom", True)
        self._enable(False)
        self.selection_label.setText("Recording…")

    def _enable(self, on: bool) -> None:
        self._has_clip = on
        for w in (self.zoom_in, self.zoom_out, self.zoom_fit, self.trim_button,
                  self.suggest_button):
            w.setEnabled(on)
        gate_play(self.play_button, on, self.output_reason, PLAY_TIP)

    def set_output(self, reason: str) -> None:
        """Without a sound output, Play is off and says why (the clip still clones)."""
        self.output_reason = reason
        gate_play(self.play_button, self._has_clip, reason, PLAY_TIP)

    # --- the selection ---------------------------------------------------------------------

    def selection(self) -> tuple[float, float]:
        return self.wave.selection()

    def selected_audio(self) -> np.ndarray:
        a, b = self.selection()
        return self.audio[int(round(a * SAMPLE_RATE)):int(round(b * SAMPLE_RATE))].copy()

    def set_selection(self, start: float, end: float) -> None:
        self.wave.set_selection(start, end)  # emits region_changed at once

    def _region_changed(self, start: float, end: float) -> None:
        self._show_selection(start, end)
        self.selection_changed.emit(start, end)

    def _show_selection(self, start: float, end: float) -> None:
        if not len(self.audio):
            self.selection_label.setText("")
            return
        whole = start <= 1e-3 and end >= self.wave.duration - 1e-3
        self.selection_label.setText(
            f"Keeping all {end - start:.1f} s" if whole else
            f"Keeping {start:.2f}–{end:.2f} s ({end - start:.1f} s)")

    def trim_silence(self) -> bool:
        a, _ = self.selection()
        bounds = speech_bounds(self.selected_audio(), SAMPLE_RATE)
        if bounds is None:
            self.message.emit("No speech was found in the selection, so there is nothing to "
                              "trim to. Select a part where someone speaks.", "warning")
            return False
        self.set_selection(a + bounds[0], a + bounds[1])
        return True

    def use_suggestion(self) -> bool:
        if self.suggestion is None:
            self.message.emit("The check found no stretch of clean speech to suggest.",
                              "warning")
            return False
        self.set_selection(*self.suggestion)
        return True

    # --- scrolling -------------------------------------------------------------------------

    def _view_changed(self, *_args: object) -> None:
        """Keep the scroll bar in step with zooming and panning in the plot."""
        (x0, x1), _ = self.wave.plot.viewRange()
        total = self.wave.duration
        visible = x1 - x0
        self.scroll.setVisible(total > 0 and visible < total - 1e-3)
        self._syncing = True
        self.scroll.setRange(0, max(0, int((total - visible) * 1000)))
        self.scroll.setPageStep(max(1, int(visible * 1000)))
        self.scroll.setSingleStep(max(1, int(visible * 100)))
        self.scroll.setValue(int(x0 * 1000))
        self._syncing = False

    def _scrolled(self, value: int) -> None:
        if self._syncing:
            return
        (x0, x1), _ = self.wave.plot.viewRange()
        start = value / 1000.0
        self.wave.plot.setXRange(start, start + (x1 - x0), padding=0)
