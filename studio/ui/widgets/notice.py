"""A non-modal message bar above the workspaces: errors say what to do without blocking."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

COLORS = {"info": ("#1c3d5a", "#dbeafe"), "warning": ("#5c4300", "#fff3cd"),
          "error": ("#5c1a1a", "#fde2e1")}


class NoticeBar(QFrame):
    shown = Signal(str, str)  # level, message (tests and logs listen)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.action = QPushButton()
        self.action.setVisible(False)
        self.close_button = QToolButton(text="✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.close_button)
        self._callback: Callable[[], None] | None = None
        self.action.clicked.connect(self._act)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.level = ""
        self.said: set[str] = set()  # the keys of what show_once has said
        self.hide()

    def show_message(self, text: str, level: str = "info",
                     action: tuple[str, Callable[[], None]] | None = None,
                     timeout_ms: int | None = None) -> None:
        fg, bg = COLORS.get(level, COLORS["info"])
        self.level = level
        # the bar's colours are fixed, so its ✕ is too: the palette's button text would be
        # near-white on the pale bar under the dark theme
        self.setStyleSheet(f"#notice {{ background: {bg}; border-bottom: 1px solid {fg}; }}"
                           f"#notice QLabel {{ color: {fg}; }}"
                           f"#notice QToolButton {{ color: {fg}; background: transparent; "
                           f"border: 1px solid transparent; border-radius: 3px; "
                           f"padding: 1px 5px; }}"
                           f"#notice QToolButton:hover {{ border-color: {fg}; }}"
                           f"#notice QToolButton:pressed {{ background: {fg}; color: {bg}; }}")
        self.label.setText(text)
        self._callback = action[1] if action else None
        self.action.setVisible(action is not None)
        if action:
            self.action.setText(action[0])
        self.show()
        if timeout_ms is None:
            timeout_ms = 10000 if level == "info" and action is None else 0
        self._timer.stop()
        if timeout_ms:
            self._timer.start(timeout_ms)
        self.shown.emit(level, text)

    def show_once(self, key: str, text: str, level: str = "info",
                  action: tuple[str, Callable[[], None]] | None = None) -> bool:
        """Say something worth saying once per window (advice, not an error); False if it
        was said before."""
        if key in self.said:
            return False
        self.said.add(key)
        self.show_message(text, level, action, timeout_ms=0)
        return True

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _act(self) -> None:
        callback = self._callback
        self.hide()
        if callback is not None:
            callback()
