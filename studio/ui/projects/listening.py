"""Listening: play the selected block, or play from it to the chapter's end with the pauses,
the block being heard highlighted and followed; Space plays and pauses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

from studio.audio.samplerate import SAMPLE_RATE
from studio.projects.listen import block_at, run_of
from studio.ui.widgets.flow_layout import flow_in

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage


class Listening(QWidget):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__()
        self.page = page
        self.starts: list[tuple[str, float]] = []
        row = flow_in(self)  # wraps on a narrow window
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (("play", "Play block", self.play_block),
                                 ("from", "Play from here", self.play_from),
                                 ("stop", "Stop", self.stop),
                                 ("split", "Split", lambda: page.split_current()),
                                 ("join", "Join with next", page.join_current),
                                 ("add", "Add block", page.add_block),
                                 ("export", "Export…", page.export_dialog)):
            button = QPushButton(label)
            button.setAccessibleName(label.rstrip("…"))
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        space = QAction("Play or pause", page.view)
        space.setShortcut(QKeySequence(Qt.Key.Key_Space))
        space.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        space.triggered.connect(self.toggle)
        page.view.addAction(space)
        page.ctx.playback.position_changed.connect(self._position)

    def _blocks_from(self, row: int, to_end: bool) -> list:
        blocks = self.page.model.blocks
        return blocks[row:] if to_end else blocks[row:row + 1]

    def _play(self, to_end: bool) -> bool:
        page = self.page
        row = page.view.currentIndex().row()
        if page.project is None or row < 0:
            page.notice.show_message("Select a block first.", "info")
            return False
        folder = page.store.path(page.project)
        result = page.attempt(lambda: run_of(folder, self._blocks_from(row, to_end)))
        if result is None:
            return False
        audio, self.starts = result
        return page.ctx.playback.play(audio, SAMPLE_RATE, self)

    def play_block(self) -> bool:
        return self._play(False)

    def play_from(self) -> bool:
        return self._play(True)

    def toggle(self) -> None:
        playback = self.page.ctx.playback
        if playback.state in ("playing", "paused", "buffering"):
            playback.toggle(self)
        else:
            self.play_from()

    def stop(self) -> None:
        self.page.ctx.playback.stop(self)
        self.starts = []

    def _position(self, owner: object, seconds: float) -> None:
        if owner is not self or not self.starts:
            return
        block_id = block_at(self.starts, seconds)
        row = self.page.model.row_of(block_id) if block_id else -1
        if row >= 0 and row != self.page.view.currentIndex().row():
            self.page.select_row(row)
