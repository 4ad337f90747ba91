"""Try the clone before keeping it: a test sentence, Preview / Stop, a small live waveform,
and Save. Layout only: the Clone page owns the requests and the playback."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.audio.samplerate import SAMPLE_RATE
from studio.ui.playback import gate_play
from studio.ui.widgets.play_button import PlayPauseButton
from studio.ui.widgets.waveform import WaveformView

DEFAULT_SENTENCE = "Hello! This is a quick test of my new voice. How does it sound?"
REPLAY_TIP = "Play the last preview again"
CONSENT_TIP = ("Cloning copies a real person's voice. Save it only if it is your voice, or "
               "its owner agreed; the voice records that you confirmed this.")
PREVIEW_TIP = ("Hear the selected part of the clip cloned, speaking the test sentence "
               "(Ctrl+Enter)")


class ClonePreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sentence = QLineEdit(DEFAULT_SENTENCE)
        self.sentence.setPlaceholderText("A sentence for the cloned voice to say")
        self.sentence.setAccessibleName("Preview sentence")
        self.sentence.setToolTip("What the preview says; in the language of the clip works best")
        self.preview_button = QPushButton("▶ Preview")
        self.preview_button.setToolTip(PREVIEW_TIP)
        self.output_reason = ""  # why nothing can play ("" when it can): see set_output
        self._state = (False, False)  # (busy, has_clip), as last shown
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setToolTip("Stop the preview (Esc)")
        self.stop_button.setEnabled(False)
        self.replay_button = PlayPauseButton()
        self.replay_button.setAccessibleName("Play the preview again")
        self.replay_button.setToolTip(REPLAY_TIP)
        self.replay_button.setEnabled(False)
        self.wave = WaveformView(SAMPLE_RATE, empty_text="The preview streams here")
        self.wave.plot.setMinimumHeight(50)
        self.wave.plot.showAxis("bottom", False)
        self.wave.setFixedHeight(64)
        self.save_button = QPushButton("Save voice")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("Save the selected part of the clip as a new voice")
        self.take_button = QPushButton("Add as take")
        self.take_button.setObjectName("addTake")
        self.take_button.setToolTip("Keep the selected part as another take of a voice you "
                                    "saved before; switch between takes in the voice list")
        self.take_menu = QMenu(self.take_button)  # filled by the page when it opens
        self.take_button.setMenu(self.take_menu)
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.consent = QCheckBox("I have the right to use this voice: it is mine, or its "
                                 "owner agreed to it being cloned")
        self.consent.setObjectName("consent")
        self.consent.setToolTip(CONSENT_TIP)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("<b>Preview</b>"), 0, 0)
        grid.addWidget(self.sentence, 0, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.stop_button)
        grid.addLayout(buttons, 0, 2)
        grid.setColumnStretch(1, 1)
        save = QHBoxLayout()
        save.setContentsMargins(0, 0, 0, 0)
        save.addWidget(self.status, 1)
        save.addWidget(self.take_button)
        save.addWidget(self.save_button)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(4)
        col.addLayout(grid)
        strip = QHBoxLayout()
        strip.setContentsMargins(0, 0, 0, 0)
        strip.addWidget(self.replay_button, 0, Qt.AlignmentFlag.AlignVCenter)
        strip.addWidget(self.wave, 1)
        col.addLayout(strip)
        col.addWidget(self.consent)
        col.addLayout(save)

    def set_busy(self, busy: bool, has_clip: bool) -> None:
        self._state = (busy, has_clip)
        gate_play(self.replay_button, not busy and self.wave.duration > 0, self.output_reason,
                  REPLAY_TIP)
        gate_play(self.preview_button, has_clip and not busy, self.output_reason, PREVIEW_TIP)
        self.save_button.setEnabled(has_clip and not busy)
        self.take_button.setEnabled(has_clip and not busy)
        self.stop_button.setEnabled(busy)

    def set_output(self, reason: str) -> None:
        """A preview is only for listening: without a sound output it is off and says why
        (Save voice needs no preview and still works)."""
        self.output_reason = reason
        self.set_busy(*self._state)
