"""What every workspace page offers the window."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.ui.context import AppContext
from studio.ui.model_help import ACTION, missing_message, on_disk
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

    def unsaved_count(self) -> int:
        """How many things would be lost (the question says 'it' or 'them')."""
        return 1

    def confirm_discard(self, parent: QWidget) -> bool:
        """Ask before unsaved work is lost; True when it is fine to go on."""
        if not self.has_unsaved_work():
            return True
        answer = QMessageBox.question(
            parent, "Discard unsaved work?",
            f"You have {self.unsaved_description()}. "
            f"Discard {'them' if self.unsaved_count() > 1 else 'it'}?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def need_model(self, kind: str, what: str) -> bool:
        """True when a model of ``kind`` is on disk (or, for speech, the server in use
        offers it); otherwise say what to get, with the button that opens the Model manager
        at it (``what`` names who needs it)."""
        inference = self.ctx.inference
        if kind != "asr" and inference.backend.remote:
            reason = inference.unavailable(kind)
            if reason:
                self.notice.show_message(f"{what} cannot run on the {inference.backend.label}: "
                                         f"{reason}. Choose another engine in Settings.",
                                         "warning")
            return not reason
        if on_disk(self.ctx.pool, kind):
            return True
        window = self.window()
        opener = getattr(window, "open_model_manager", None)
        self.notice.show_message(missing_message(kind, what), "warning",
                                 action=(ACTION, lambda: opener(kind)) if opener else None)
        return False

    def say_error(self, message: str, kind: str = "", before: str = "") -> None:
        """An error in the notice bar; one about a missing model of ``kind`` gets the
        button that opens the Model manager at it."""
        opener = getattr(self.window(), "open_model_manager", None)
        action = None
        if kind and opener is not None and "Model manager" in message:
            action = (ACTION, lambda: opener(kind))
        self.notice.show_message(before + message, "error", action=action)

    def shutdown(self) -> None:
        """Stop timers, cancel requests, release devices."""
