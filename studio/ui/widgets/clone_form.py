"""What the clone needs besides audio: the transcript (or X-vector only), and the new voice's
name, description and language."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.library.ids import MAX_NAME
from studio.library.schema import MAX_DESCRIPTION
from studio.ui.pages.speak import language_combo

TRADE_OFF = ("Without a transcript only the timbre is cloned: quicker to set up, "
             "less faithful.")
TRANSCRIPT_HINT = "Type exactly what is said in the selected part of the clip."


class CloneForm(QWidget):
    def __init__(self, default_language: str = "auto", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript_label = QLabel()
        self.transcript = QPlainTextEdit()
        self.transcript.setTabChangesFocus(True)
        self.transcript.setMinimumHeight(54)
        self.transcript.setMaximumHeight(90)
        self.x_vector_only = QCheckBox("X-vector only (no transcript)")
        self.x_vector_only.setToolTip(TRADE_OFF)
        self.x_vector_only.toggled.connect(self._mode_changed)
        self.trade_off = QLabel(TRADE_OFF)
        self.trade_off.setObjectName("hint")
        self.trade_off.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME)
        self.name.setPlaceholderText("Name of the new voice")
        self.description = QLineEdit()
        self.description.setMaxLength(MAX_DESCRIPTION)
        self.description.setPlaceholderText("Optional: who it is, how it sounds")
        self.language = language_combo(default_language)
        self.language.setToolTip("The language spoken in the clip")

        mode = QHBoxLayout()
        mode.setContentsMargins(0, 0, 0, 0)
        mode.addWidget(self.x_vector_only)
        mode.addWidget(self.trade_off, 1)
        details = QHBoxLayout()
        details.setContentsMargins(0, 0, 0, 0)
        details.addWidget(self.name, 2)
        details.addWidget(QLabel("Language"))
        details.addWidget(self.language, 1)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", details)
        form.addRow("Description", self.description)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.transcript_label)
        col.addWidget(self.transcript)
        col.addLayout(mode)
        col.addLayout(form)
        self._mode_changed(False)

    @property
    def transcript_required(self) -> bool:
        return not self.x_vector_only.isChecked()

    def transcript_text(self) -> str:
        return " ".join(self.transcript.toPlainText().split())

    def language_name(self) -> str:
        """As the library stores it: 'English', or 'Auto'."""
        return "Auto" if self.language.currentData() == "auto" else self.language.currentText()

    def _mode_changed(self, x_vector: bool) -> None:
        self.transcript_label.setText(
            "<b>Transcript</b> (optional with X-vector only)" if x_vector else
            "<b>Transcript</b> (required)")
        self.transcript.setPlaceholderText(
            "Optional: it is not used for an X-vector-only clone." if x_vector else
            TRANSCRIPT_HINT + " It lets the clone copy the voice closely.")
