"""Acting on a modal dialog the way a user does: once it is open, click its buttons and type
into it (a modal dialog's exec() blocks the test until someone closes it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QMessageBox,
    QWidget,
)


def when_modal(act: Callable[[QWidget], None], seen: list | None = None,
               timeout_ms: int = 10000) -> None:
    """Call ``act(dialog)`` as soon as a modal dialog is open; ``seen`` collects them."""
    left = [timeout_ms // 20]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.isVisible():
            if seen is not None:
                seen.append(dialog)
            try:
                act(dialog)
            except BaseException:
                dialog.close()  # a test that fails here must not hang in exec()
                raise
            return
        left[0] -= 1
        if left[0] > 0:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def click(button: QAbstractButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def click_text(dialog: QWidget, text: str) -> None:
    """Click the dialog's button whose label (without &) starts with ``text``."""
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisible() and button.text().replace("&", "").startswith(text):
            click(button)
            return
    labels = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    raise AssertionError(f"no button {text!r} in {labels}")


def message_text(dialog: QWidget) -> str:
    return dialog.text() if isinstance(dialog, QMessageBox) else ""


def accept(dialog: QWidget) -> None:
    box = dialog.findChild(QDialogButtonBox)
    click(box.button(QDialogButtonBox.StandardButton.Ok))
