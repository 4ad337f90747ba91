"""What the clone needs besides audio: the transcript (or X-vector only, or heard by a
transcription model), and the new voice's name, description and language."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.library.ids import MAX_NAME
from studio.library.schema import MAX_DESCRIPTION
from studio.ui.a11y import label_form, named
from studio.ui.widgets.language_combo import language_combo

TRADE_OFF = ("Without a transcript only the timbre is cloned: quicker to set up, "
             "less faithful.")
TRANSCRIPT_HINT = ("Type exactly what is said in the selected part of the clip, or "
                   "click Transcribe.")
TRANSCRIBE_TIP = ("Hear the words of the selected part with a speech recognition model "
                  "(Whisper) and fill them in. Read them through: recognition can mishear, "
                  "and the clone copies whatever the transcript says.")
#: backgrounds of the words that differ from what is heard (studio.asr.transcript_check)
WORD_TINTS = {"mismatch": QColor(224, 49, 49, 70), "missing": QColor(230, 119, 0, 80)}


class CloneForm(QWidget):
    def __init__(self, default_language: str = "auto", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript_label = QLabel()
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.setObjectName("transcribe")
        self.transcribe_button.setToolTip(TRANSCRIBE_TIP)
        self.transcript_status = QLabel("")
        self.transcript_status.setObjectName("hint")
        self.transcript_status.setMinimumWidth(0)  # may be cut short; never widens the page
        self.transcript_status.setSizePolicy(QSizePolicy.Policy.Ignored,
                                             QSizePolicy.Policy.Preferred)
        self.transcript = QPlainTextEdit()
        self.transcript.setTabChangesFocus(True)
        self.transcript.setAccessibleName("Transcript")
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
        self.name.setAccessibleName("Name of the new voice")
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
        details.addWidget(QLabel("Language", buddy=named(self.language, "Language of the clip")))
        details.addWidget(self.language, 1)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", details)
        form.addRow("Description", self.description)
        label_form(form)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.transcript_label)
        head.addWidget(self.transcript_status, 1)
        head.addWidget(self.transcribe_button)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(head)
        col.addWidget(self.transcript)
        col.addLayout(mode)
        col.addLayout(form)
        self._mode_changed(False)

    def transcript_text(self) -> str:
        return " ".join(self.transcript.toPlainText().split())

    def language_name(self) -> str:
        """As the library stores it: 'English', or 'Auto'."""
        return "Auto" if self.language.currentData() == "auto" else self.language.currentText()

    def set_transcribing(self, running: bool) -> None:
        self.transcribe_button.setText("Stop" if running else "Transcribe")
        self.transcribe_button.setToolTip("Stop transcribing" if running else TRANSCRIBE_TIP)

    def highlight(self, check: Any) -> None:
        """Tint the typed words that differ from what is heard (None clears)."""
        text = self.transcript.toPlainText()
        selections = []
        for word in (check.problems if check is not None else []):
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(WORD_TINTS.get(word.status, WORD_TINTS["mismatch"]))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setProperty(QTextFormat.Property.UserProperty, word.status)
            sel.format = fmt
            cursor = QTextCursor(self.transcript.document())
            cursor.setPosition(_utf16(text, word.start))
            cursor.setPosition(_utf16(text, word.end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
        self.transcript.setExtraSelections(selections)

    def highlighted(self) -> list[tuple[str, str]]:
        """(text, status) of the highlighted words, for tests and screenshots."""
        return [(s.cursor.selectedText(), s.format.property(QTextFormat.Property.UserProperty))
                for s in self.transcript.extraSelections()]

    def _mode_changed(self, x_vector: bool) -> None:
        self.transcript_label.setText(
            "<b>Transcript</b> (optional with X-vector only)" if x_vector else
            "<b>Transcript</b> (required)")
        self.transcript.setPlaceholderText(
            "Optional: it is not used for an X-vector-only clone." if x_vector else
            TRANSCRIPT_HINT + " It lets the clone copy the voice closely.")


def _utf16(text: str, index: int) -> int:
    """A Python string index as a Qt text position (UTF-16 code units)."""
    return len(text[:index].encode("utf-16-le")) // 2
