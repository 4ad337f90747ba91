"""The start screen's recent projects: the ones opened last, most recent first; a click
opens one. Shown while no project is open (studio.projects.recent keeps the list)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from studio.errors import StudioError
from studio.projects import recent
from studio.projects.store import ProjectListing

ID_ROLE = Qt.ItemDataRole.UserRole


class RecentProjects(QWidget):
    open_requested = Signal(str)  # project id

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.heading = QLabel("<b>Recent projects</b>")
        self.list = QListWidget()
        self.list.setAccessibleName("Recent projects")
        self.list.itemClicked.connect(self._open)
        self.list.itemActivated.connect(self._open)
        self.empty = QLabel("Projects you open are listed here. Make one with New or "
                            "From file…, or drop a script (.txt, .md, .epub, .srt, .vtt) "
                            "onto the window.")
        self.empty.setWordWrap(True)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.heading)
        col.addWidget(self.list, 1)
        col.addWidget(self.empty)

    def _open(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(ID_ROLE))

    def ids(self) -> list[str]:
        return [self.list.item(k).data(ID_ROLE) for k in range(self.list.count())]

    def show_listing(self, listing: ProjectListing) -> None:
        """The recent projects that still exist, by name."""
        by_id = {p.id: p for p in listing.projects}
        self.list.clear()
        for project_id in recent.existing(self.root, set(by_id)):
            project = by_id[project_id]
            blocks = sum(len(c.blocks) for c in project.chapters)
            item = QListWidgetItem(f"{project.name}  ·  {blocks} block{'s' * (blocks != 1)}, "
                                   f"changed "
                                   f"{project.updated:%Y-%m-%d %H:%M}")
            item.setData(ID_ROLE, project.id)
            self.list.addItem(item)
        self.empty.setVisible(self.list.count() == 0)

    def opened(self, project_id: str) -> None:
        try:
            recent.opened(self.root, project_id)
        except (OSError, StudioError):
            return  # the list is a convenience; the project itself is fine

    def forget(self, project_id: str) -> None:
        try:
            recent.forget(self.root, project_id)
        except (OSError, StudioError):
            return
