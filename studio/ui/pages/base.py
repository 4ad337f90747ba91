"""What every workspace page offers the window."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.ui.context import AppContext
from studio.ui.widgets.notice import NoticeBar


class Page(QWidget):
    voice_saved = Signal(str)  # the saved voice's key ("saved:<id>")

    def __init__(self, ctx: AppContext, notice: NoticeBar) -> None:
        super().__init__()
        self.ctx = ctx
        self.notice = notice

    def has_unsaved_work(self) -> bool:
        return False

    def unsaved_description(self) -> str:
        return "unsaved work"

    def confirm_discard(self, parent: QWidget) -> bool:
        """Ask before unsaved work is lost; True when it is fine to go on."""
        if not self.has_unsaved_work():
            return True
        answer = QMessageBox.question(
            parent, "Discard unsaved work?",
            f"You have {self.unsaved_description()}. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def shutdown(self) -> None:
        """Stop timers, cancel requests, release devices."""
