"""One designed-voice candidate: a small live waveform, its seed and length, Play and Keep;
and the shelf that shows candidates side by side, or explains the workflow while empty.

A card only shows state and asks for things (play, keep, discard) through signals; the
Design page owns the requests and the playback, so a card never talks to the engine. While
its candidate is generated, the card's waveform draws from the take's own growing track.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.track import Track
from studio.engine.speak_request import SpeakRequest
from studio.engine.take import Take
from studio.ui.playback import gate_play
from studio.ui.widgets.waveform import WaveformView

EMPTY_STATE = (
    "<h3>Design a voice in three steps</h3>"
    "<p><b>1. Describe</b> the voice above, or start from a preset, and pick a sample "
    "sentence for it to say.</p>"
    "<p><b>2. Generate candidates</b>: each one is the same description with a different "
    "seed, so each sounds a little different. They appear here side by side.</p>"
    "<p><b>3. Listen and keep</b> the one you like. It is saved to your voices and can "
    "speak any text from then on.</p>")

CARD_WIDTH = 270
PLAY_TIP = "Listen to this candidate"
WAVE_HEIGHT = 120
KEPT_STYLE = "#candidate { border: 2px solid #2f9e44; border-radius: 6px; }"
PLAIN_STYLE = "#candidate { border: 2px solid palette(midlight); border-radius: 6px; }"


class CandidateCard(QFrame):
    """A candidate voice; ``request`` is the SpeakRequest that made (or will make) it."""

    play_requested = Signal(object)  # this card
    keep_requested = Signal(object)  # this card
    discard_requested = Signal(object)  # this card

    def __init__(self, index: int, seed: int, request: SpeakRequest, language_name: str,
                 sample_rate: int = SAMPLE_RATE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("candidate")
        self.setStyleSheet(PLAIN_STYLE)
        self.index = index
        self.seed = seed
        self.request = request
        self.language_name = language_name
        self.sample_rate = sample_rate
        self.take: Take | None = None  # the finished take
        self.kept_as: str | None = None  # the saved voice's name, once kept
        self.setFixedWidth(CARD_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)

        self.title = QLabel(f"<b>Candidate {index}</b>")
        self.discard_button = QToolButton(text="✕")
        self.discard_button.setAutoRaise(True)
        self.discard_button.setToolTip("Discard this candidate")
        self.discard_button.clicked.connect(lambda: self.discard_requested.emit(self))
        self.details = QLabel()
        self.details.setObjectName("hint")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.wave = WaveformView(sample_rate, empty_text="Waiting…")
        self.wave.plot.setMinimumHeight(60)
        self.wave.plot.showAxis("bottom", False)  # the length is in the details line
        self.wave.setFixedHeight(WAVE_HEIGHT)  # pyqtgraph's size hint would make cards huge
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip(PLAY_TIP)
        self.play_button.clicked.connect(lambda: self.play_requested.emit(self))
        self.keep_button = QPushButton("Keep this voice")
        self.keep_button.setObjectName("primary")
        self.keep_button.setToolTip("Save it to your voices; it can then speak any text")
        self.keep_button.clicked.connect(lambda: self.keep_requested.emit(self))
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())  # even cards

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.discard_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.keep_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.details)
        layout.addWidget(self.wave)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._keeping = False
        self._keep_allowed = True  # False while another card is being saved
        self._output_reason = ""  # why nothing can play ("" when it can): see set_output
        self._before_keeping = ""
        self._set_state("Waiting for its turn")

    # --- what it holds -------------------------------------------------------------------

    @property
    def audio(self) -> np.ndarray:
        return self.take.audio if self.take is not None else self.wave.audio

    @property
    def duration(self) -> float:
        return len(self.audio) / float(self.sample_rate)

    @property
    def finished(self) -> bool:
        return self.take is not None

    @property
    def unsaved(self) -> bool:
        """Audio the user has heard or could hear and has not kept."""
        return self.kept_as is None and len(self.audio) > 0

    # --- generation ----------------------------------------------------------------------

    def begin(self, track: Track) -> None:
        """Show the candidate's take growing in ``track``."""
        self.wave.show_track(track)
        self.wave.empty.setText("Generating…")
        self._set_state("Generating…")

    def grew(self) -> None:
        """More of the take arrived in its track."""
        self.wave.refresh()
        self._show_details(f"{self.wave.duration:.1f} s so far")

    def finish(self, take: Take) -> None:
        self.take = take
        self.seed = int(take.seed)
        self.wave.set_audio(take.audio, take.sample_rate)
        state = "Stopped early; what was generated is kept" if take.stop_reason == "cancelled" \
            else "Ready: listen, then keep it if you like it"
        self._set_state(state)

    def stopping(self) -> None:
        self.wave.end_stream()
        self._set_state("Stopping…")

    # --- playback and keeping ------------------------------------------------------------

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("■ Stop" if playing else "▶ Play")

    def set_playhead(self, seconds: float | None) -> None:
        self.wave.set_playhead(seconds)

    def set_keeping(self, keeping: bool) -> None:
        if keeping:
            self._before_keeping = self.status.text()
        self._keeping = keeping
        self._set_state("Saving the voice…" if keeping else self._before_keeping)

    def allow_keep(self, allowed: bool) -> None:
        self._keep_allowed = allowed
        self._set_state(self.status.text())

    def set_output(self, reason: str) -> None:
        """Without a sound output, Play is off and says why (Keep still works)."""
        self._output_reason = reason
        self._set_state(self.status.text())

    def mark_kept(self, name: str) -> None:
        self.kept_as = name
        self._keeping = False
        self.setStyleSheet(KEPT_STYLE)
        self.keep_button.setText("✓ Kept")
        self._set_state(f"Kept as “{name}”. It is in your voices list.")

    # --- internals -----------------------------------------------------------------------

    def _show_details(self, length: str) -> None:
        self.details.setText(f"Seed {self.seed} · {length}")

    def _set_state(self, text: str) -> None:
        self.status.setText(text)
        done = self.finished
        self._show_details(f"{self.duration:.1f} s" if done else
                           (f"{self.wave.duration:.1f} s so far" if self.wave.duration else "…"))
        gate_play(self.play_button, done and len(self.audio) > 0, self._output_reason, PLAY_TIP)
        self.keep_button.setEnabled(done and len(self.audio) > 0 and self.kept_as is None
                                    and not self._keeping and self._keep_allowed)
        self.discard_button.setEnabled(not self._keeping)


class CandidateShelf(QStackedWidget):
    """Cards in a row that scrolls sideways; an explanation instead of blank space."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = QLabel(EMPTY_STATE)
        self.empty_text.setObjectName("hint")
        self.empty_text.setWordWrap(True)
        self.empty_text.setFixedWidth(560)  # a readable column, whatever the window width
        self.empty = QWidget()
        centre = QVBoxLayout(self.empty)
        centre.addWidget(self.empty_text, 0, Qt.AlignmentFlag.AlignCenter)
        self.row = QWidget()
        self.row_layout = QHBoxLayout(self.row)
        self.row_layout.setContentsMargins(0, 0, 0, 0)
        self.row_layout.setSpacing(10)
        self.row_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self.row)
        self.addWidget(self.empty)
        self.addWidget(self.scroll)

    def add(self, card: CandidateCard) -> None:
        self.row_layout.insertWidget(self.row_layout.count() - 1, card, 0,
                                     Qt.AlignmentFlag.AlignTop)
        self.setCurrentWidget(self.scroll)

    def remove(self, card: CandidateCard) -> None:
        self.row_layout.removeWidget(card)
        card.hide()
        card.deleteLater()
        if self.row_layout.count() <= 1:  # only the stretch is left
            self.setCurrentWidget(self.empty)
