"""The project list's buttons: new, from a file, rename, duplicate, delete (to the trash,
with Restore in the message, so a slip of the mouse loses nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from studio.projects import manage
from studio.projects.schema import Project

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage

IMPORTABLE = ("*.txt", "*.md", "*.markdown", "*.epub", "*.srt", "*.vtt")


class ProjectFiles:
    def __init__(self, page: ProjectsPage) -> None:
        self.page = page
        listing = page.projects
        listing.new_requested.connect(self.new_empty)
        listing.import_requested.connect(self.import_dialog)
        listing.rename_requested.connect(self.rename)
        listing.duplicate_requested.connect(self.duplicate)
        listing.delete_requested.connect(self.delete)

    def new_empty(self) -> None:
        page = self.page
        name, ok = QInputDialog.getText(page, "New project", "Name:",
                                        text=page.free_name("My audiobook"))
        if ok:
            page.create(name)

    def import_dialog(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self.page, "New project from a file", "",
                                              f"Scripts and books ({' '.join(IMPORTABLE)})")
        if file:
            self.page.import_file(Path(file))

    def rename(self, project_id: str) -> None:
        page = self.page
        old = page.store.load(project_id).name
        name, ok = QInputDialog.getText(page, "Rename project", "New name:", text=old)
        if not ok:
            return
        renamed = page.attempt(lambda: manage.rename(page.store, project_id, name))
        if isinstance(renamed, Project):
            for live in {id(x): x for x in (page.live, page.render.live) if x}.values():
                if live.id == project_id:
                    live.edit(lambda p: setattr(p, "name", renamed.name))
            if page.project is not None and page.project.id == project_id:
                page.reload()
            page.refresh_projects(project_id)

    def duplicate(self, project_id: str) -> None:
        page = self.page
        old = page.store.load(project_id).name
        name, ok = QInputDialog.getText(page, "Duplicate project", "Name of the copy:",
                                        text=page.free_name(f"{old} copy"))
        copy = page.attempt(lambda: manage.duplicate(page.store, project_id, name)) if ok \
            else None
        if isinstance(copy, Project):
            page.refresh_projects(copy.id)

    def delete(self, project_id: str) -> None:
        page = self.page
        name = page.attempt(lambda: page.store.load(project_id).name) or "The project"
        where = page.attempt(lambda: page.store.delete(project_id))
        if not isinstance(where, Path):
            return
        page.recent.forget(project_id)
        if page.project is not None and page.project.id == project_id:
            page.render.cancel()
            if page.live is not None:
                page.live.on_error = None  # its folder is in the trash: nothing to save
            page.live = page.project = None
            page.show_project()
        page.notice.show_message(f"“{name}” was moved to the trash.", "info",
                                 action=("Restore", lambda: self.restore(where)))
        page.refresh_projects()

    def restore(self, trashed: Path) -> None:
        page = self.page
        project_id = page.attempt(lambda: page.store.restore(trashed))
        if isinstance(project_id, str):
            page.refresh_projects(project_id)
            page.open_project(project_id)
