"""The offer to resume a render that a close or a kill stopped: a bar above the blocks with
"Resume" and "Not now", never a modal box. It is made when the window opens (the newest
such render; the window's message bar says so on whichever page is on screen, with a
"Resume" that goes to this page) and when a project with one is opened; "Not now" asks
again next time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QTabWidget

from studio.projects import resume
from studio.projects.resume import Pending

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage


class ResumeOffer(QFrame):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__()
        self.page = page
        self.note: Pending | None = None
        self.setObjectName("resumeOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setAccessibleName("Resume the render")
        self.resume_button.clicked.connect(self.resume)
        self.later_button = QPushButton("Not now")
        self.later_button.setAccessibleName("Not now: do not resume the render")
        self.later_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.resume_button)
        row.addWidget(self.later_button)
        self.hide()

    def offer_at_start(self) -> None:
        """Offer the newest render that a close or a kill stopped, if any."""
        page = self.page
        notes = page.attempt(lambda: resume.interrupted(page.store)) or []
        if notes:
            note: Pending = notes[0]  # type: ignore[index]
            self.offer(note)
            page.notice.show_message(
                f"The render of “{note.name}” was stopped when Voice Studio closed.", "info",
                action=("Resume", self.resume), everywhere=True)

    def offer(self, note: Pending) -> None:
        self.note = note
        self.label.setText(f"The render of “{note.name}” was stopped when Voice Studio "
                           "closed. Resume it? Only the blocks still missing or stale are "
                           "rendered.")
        self.show()

    def resume(self) -> None:
        note, page = self.note, self.page
        if note is None:
            return
        self._show_page()
        if page.project is None or page.project.id != note.project_id:
            page.refresh_projects(note.project_id)
            page.open_project(note.project_id)
        if page.project is not None and page.project.id == note.project_id:
            self.hide()
            page.render.resume(note)

    def _show_page(self) -> None:
        tabs = self.page.parentWidget()
        while tabs is not None and not isinstance(tabs, QTabWidget):
            tabs = tabs.parentWidget()
        if tabs is not None:
            tabs.setCurrentWidget(self.page)
