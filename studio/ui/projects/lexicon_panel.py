"""The project's lexicon: a word and how to say it, heard at once in the selected block's
voice. Adding or removing an entry makes the blocks it touches stale (the core decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.engine.options import Sampling
from studio.projects import cast, lexicon
from studio.projects.schema import NARRATOR, Project
from studio.ui.jobs import TakeJob

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage


class LexiconPanel(QWidget):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__()
        self.page = page
        self.take: TakeJob | None = None
        self.max_frames: int | None = 60  # a heard word is short
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("Lexicon entries")
        self.table.setHorizontalHeaderLabels(["Word", "Say"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.word = QLineEdit()
        self.word.setPlaceholderText("Word")
        self.word.setAccessibleName("Lexicon word")
        self.say = QLineEdit()
        self.say.setPlaceholderText("Say it as")
        self.say.setAccessibleName("Say it as")
        self.add = QPushButton("Add")
        self.add.setAccessibleName("Add lexicon entry")
        self.add.clicked.connect(self.add_entry)
        self.hear = QPushButton("Hear")
        self.hear.setAccessibleName("Hear the respelling")
        self.hear.clicked.connect(self.hear_entry)
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName("Remove lexicon entry")
        self.remove.clicked.connect(self.remove_entry)
        row = QHBoxLayout()
        for w in (self.word, self.say):
            row.addWidget(w, 1)
        buttons = QHBoxLayout()
        for b in (self.add, self.hear, self.remove):
            buttons.addWidget(b)
        col = QVBoxLayout(self)
        col.addWidget(self.table, 1)
        col.addLayout(row)
        col.addLayout(buttons)

    def show_entries(self, project: Project | None) -> None:
        entries = project.lexicon if project else []
        self.table.setRowCount(len(entries))
        for k, entry in enumerate(entries):
            self.table.setItem(k, 0, QTableWidgetItem(entry.pattern))
            self.table.setItem(k, 1, QTableWidgetItem(entry.say))

    def add_entry(self) -> None:
        entry = self.page.attempt(lambda: lexicon.new_entry(self.word.text(), self.say.text()))
        if entry is None:
            return

        def apply(p: Project) -> None:
            p.lexicon = lexicon.add(p.lexicon, entry)  # type: ignore[arg-type]

        self.page.change(apply)
        self.word.clear()
        self.say.clear()

    def remove_entry(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        pattern = self.table.item(row, 0).text()

        def apply(p: Project) -> None:
            p.lexicon = lexicon.remove(p.lexicon, pattern)

        self.page.change(apply)

    def hear_entry(self) -> TakeJob | None:
        """Speak the respelling in the voice of the selected block's speaker."""
        page = self.page
        project = page.project
        say = self.say.text().strip() or (self.table.item(self.table.currentRow(), 1).text()
                                          if self.table.currentRow() >= 0 else "")
        if project is None or not say:
            page.notice.show_message("Type how to say the word first.", "info")
            return None
        block_id = page.current_id()
        speaker = project.block(block_id).speaker if block_id else NARRATOR
        member = project.member(speaker) or project.member(NARRATOR)
        if member is None:
            return None
        request = page.attempt(lambda: cast.request(
            project, member, say, "auto", "", page.ctx.library, page.store.path(project),
            Sampling(max_frames=self.max_frames)))
        if request is None:
            return None
        if self.take is not None:
            self.take.cancel()
        self.take = page.ctx.inference.speak(request)  # type: ignore[arg-type]
        self.take.failed.connect(lambda m: page.notice.show_message(m, "error"))
        page.ctx.playback.stream(self, self.take.track)
        return self.take
