"""The workspace column with its notice floating over the top-right corner, just below the
tab bar: a message appearing or going never pushes the page down (it used to, by ~33 px,
each time). The notice is as tall as its text needs and at most ~60% as wide as the
column, over the part of each page that is mostly empty."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from studio.ui.widgets.notice import NoticeBar

MAX_WIDTH = 560
MARGIN = 10


class NoticeHost(QWidget):
    def __init__(self, tabs: QTabWidget, notice: NoticeBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs, self.notice = tabs, notice
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(tabs)
        notice.setParent(self)
        notice.floating = True
        notice.hide()
        notice.shown.connect(lambda *_: self.place())

    def place(self) -> None:
        """Put the notice in its corner, sized for its text."""
        width = max(240, min(MAX_WIDTH, int(self.width() * 0.62), self.width() - 2 * MARGIN))
        height = self.notice.heightForWidth(width)
        if height <= 0:
            height = self.notice.sizeHint().height()
        top = self.tabs.tabBar().geometry().bottom() + 1 + MARGIN // 2
        self.notice.setGeometry(self.width() - width - MARGIN, top, width, height)
        self.notice.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.place()
