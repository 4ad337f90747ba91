"""The projects list: new (empty or from a file), open, rename, duplicate, delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.projects.store import ProjectListing
from studio.ui.widgets.flow_layout import flow_in

ID_ROLE = Qt.ItemDataRole.UserRole


class ProjectList(QWidget):
    new_requested = Signal()
    import_requested = Signal()
    open_requested = Signal(str)  # project id
    rename_requested = Signal(str)
    duplicate_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.list = QListWidget()
        self.list.setAccessibleName("Projects")
        self.list.itemActivated.connect(lambda item: self.open_requested.emit(
            item.data(ID_ROLE)))
        self.list.itemDoubleClicked.connect(lambda item: self.open_requested.emit(
            item.data(ID_ROLE)))
        self.buttons: dict[str, QPushButton] = {}
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        buttons = QWidget()
        row = flow_in(buttons)  # as many rows as the column's width needs
        for key, label, signal in (
                ("new", "New", self.new_requested),
                ("import", "From file…", self.import_requested),
                ("open", "Open", self.open_requested),
                ("rename", "Rename…", self.rename_requested),
                ("duplicate", "Duplicate…", self.duplicate_requested),
                ("delete", "Delete", self.delete_requested)):
            button = QPushButton(label)
            button.setAccessibleName(f"{label.rstrip('…')} project")
            if signal in (self.new_requested, self.import_requested):
                button.clicked.connect(signal.emit)
            else:
                button.clicked.connect(lambda _=False, s=signal: self._emit_current(s))
            row.addWidget(button)
            self.buttons[key] = button
        col.addWidget(self.list, 1)
        col.addWidget(buttons)

    def _emit_current(self, signal: Signal) -> None:
        project_id = self.current()
        if project_id:
            signal.emit(project_id)  # type: ignore[attr-defined]

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def set_projects(self, listing: ProjectListing, keep: str | None = None) -> None:
        self.list.clear()
        for project in listing.projects:
            blocks = sum(len(c.blocks) for c in project.chapters)
            item = QListWidgetItem(f"{project.name}  ·  {len(project.chapters)} ch, "
                                   f"{blocks} blocks")
            item.setData(ID_ROLE, project.id)
            self.list.addItem(item)
            if project.id == keep:
                self.list.setCurrentItem(item)
        for damaged in listing.damaged:
            item = QListWidgetItem(f"{damaged.id} (damaged: {damaged.reason})")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        if self.list.currentItem() is None and listing.projects:
            self.list.setCurrentRow(0)
