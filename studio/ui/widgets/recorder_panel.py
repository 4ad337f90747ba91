"""Recording controls: input device, Record/Stop, a 3-2-1 countdown, a live level meter and
the time left before the length limit.

The panel owns the Recorder and polls it on a ~30 ms timer (level for the meter, new audio
for the live waveform), so PortAudio's callback thread never touches Qt. It reports through
signals; whoever shows the clip decides whether a recording may start (``record_requested``,
then ``start()``), which is where unsaved work gets its question.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.audio.devices import audio_available, list_devices
from studio.audio.recorder import Recorder
from studio.audio.samplerate import SAMPLE_RATE
from studio.errors import StudioError
from studio.ui.widgets.level_meter import LevelMeter

POLL_MS = 30


def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


class RecorderPanel(QWidget):
    record_requested = Signal()  # Record was clicked: call start() if that is fine
    started = Signal(int)  # recording began; the device's sample rate (of ``chunk``)
    chunk = Signal(object)  # new audio at the device rate, for a live waveform
    stopped = Signal(object, str)  # the Clip (mono 24 kHz) and why: "user" | "limit"
    failed = Signal(str)  # a message saying what to do

    def __init__(self, sd: Any, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sd = sd
        self.settings = settings
        self.countdown_s = 3  # seconds of 3-2-1 before recording (0: start at once)
        self.max_seconds = 30.0  # the length limit; recording stops by itself there
        self.recorder: Recorder | None = None
        self.reason = ""  # why recording is unavailable ("" when it is)
        self._count = 0

        self.device = QComboBox()
        self.device.setToolTip("The microphone to record from")
        self.device.setAccessibleName("Microphone")
        self.device.setMinimumContentsLength(10)
        self.device.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device.currentIndexChanged.connect(self._device_chosen)
        self.record_button = QPushButton("● Record")
        self.record_button.setToolTip("Record from the microphone (after a short countdown)")
        self.record_button.clicked.connect(self._record_clicked)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(lambda: self.stop())
        self.meter = LevelMeter()
        self.time_label = QLabel("")
        self.time_label.setToolTip("A recording stops by itself at this length")
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance(
            "0:00 · 0:30 left") + 8)
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("&Input", buddy=self.device))
        row.addWidget(self.device)
        row.addWidget(self.record_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.meter, 1)
        row.addWidget(self.time_label)
        row.addStretch(0)  # keeps the controls compact while the meter is hidden
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addLayout(row)
        col.addWidget(self.status)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick_countdown)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._tick)
        self.refresh_devices()

    # --- devices ---------------------------------------------------------------------------

    def refresh_devices(self) -> None:
        """List the inputs; without any, disable recording and say why (import still works)."""
        ok, reason = audio_available(self.sd, "input")
        names: list[str] = []
        if ok:
            try:
                names = [d.name for d in list_devices(self.sd).inputs]
            except StudioError as exc:
                ok, reason = False, str(exc)
        self.device.blockSignals(True)
        self.device.clear()
        self.device.addItem("System default", "")
        for name in names:
            self.device.addItem(name, name)
        wanted = self.device.findData(self.settings.input_device or "")
        self.device.setCurrentIndex(max(wanted, 0))
        self.device.blockSignals(False)
        self.reason = "" if ok else reason
        self.device.setEnabled(ok)
        self.record_button.setEnabled(ok)
        self.status.setText(f"Recording is not available: {reason}" if not ok else "")
        self.status.setVisible(not ok)
        for part in (self.stop_button, self.meter, self.time_label):  # nothing to show
            part.setVisible(ok)
        if self.state == "idle" and not self.time_label.text():
            self.time_label.setText(self._limit_text())

    def _limit_text(self) -> str:
        """What the time readout says before a recording: the length limit, not a gap."""
        return f"Up to {_clock(self.max_seconds)}"

    def _device_chosen(self, _index: int) -> None:
        self.settings.input_device = self.device.currentData() or ""

    # --- recording -------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """idle | countdown | recording"""
        if self._countdown.isActive():
            return "countdown"
        return "recording" if self._poll.isActive() else "idle"

    def _record_clicked(self) -> None:
        if self.state == "countdown":
            self._begin()  # "Start now": skip the rest of the countdown
        elif self.state == "idle":
            self.record_requested.emit()

    def start(self) -> None:
        """Count down (if set), then record."""
        if self.state != "idle" or self.reason:
            return
        self.meter.reset()
        self.stop_button.setEnabled(True)
        self.device.setEnabled(False)
        if self.countdown_s <= 0:
            self._begin()
            return
        self._count = int(self.countdown_s)
        self.time_label.setText(f"Starting in {self._count}…")
        self.record_button.setText("Start now")
        self._countdown.start()

    def _tick_countdown(self) -> None:
        self._count -= 1
        if self._count > 0:
            self.time_label.setText(f"Starting in {self._count}…")
        else:
            self._begin()

    def _begin(self) -> None:
        self._countdown.stop()
        self.record_button.setText("● Record")
        self.recorder = Recorder(self.sd, device=self.device.currentData() or None,
                                 sample_rate=SAMPLE_RATE, max_seconds=self.max_seconds)
        try:
            self.recorder.start()
        except StudioError as exc:
            self.recorder = None
            self._idle()
            self.failed.emit(f"Could not start recording: {exc} Check the input device, or "
                             "import a recording from a file instead.")
            return
        self.record_button.setEnabled(False)
        self._poll.start()
        self.started.emit(self.recorder.device_rate)
        self._tick()

    def _tick(self) -> None:
        rec = self.recorder
        if rec is None:
            return
        level = rec.level()
        self.meter.set_level(level.peak_dbfs, level.rms_dbfs)
        new = rec.read_new()
        if new.size:
            self.chunk.emit(np.asarray(new, np.float32))
        done = rec.recorded_seconds
        self.time_label.setText(f"{_clock(done)} · {_clock(self.max_seconds - done)} left")
        if rec.limit_reached:
            self.stop("limit")

    def stop(self, reason: str = "user") -> None:
        """End the countdown or the recording; a recording is reported through ``stopped``."""
        if self.state == "countdown":
            self._countdown.stop()
            self._idle()
            self.time_label.setText(self._limit_text())
            return
        rec, self.recorder = self.recorder, None
        if rec is None:
            return
        self._poll.stop()
        try:
            clip = rec.stop()
        except StudioError as exc:
            self._idle()
            self.failed.emit(f"Recording failed: {exc}")
            return
        self._idle()
        self.time_label.setText(f"{clip.duration:.1f} s recorded")
        self.stopped.emit(clip, reason)

    def _idle(self) -> None:
        self.record_button.setText("● Record")
        self.record_button.setEnabled(not self.reason)
        self.device.setEnabled(not self.reason)
        self.stop_button.setEnabled(False)
        self.meter.rest()

    def shutdown(self) -> None:
        """Stop the timers and release the device without reporting a clip."""
        self._countdown.stop()
        self._poll.stop()
        rec, self.recorder = self.recorder, None
        if rec is not None:
            rec.close()
        self._idle()
