"""The main window open on its Projects page, as the Projects tests drive it, and a project
made and opened there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from studio.projects.schema import Project
from studio.projects.store import ProjectStore
from tests.projects.helpers import make_project


@contextmanager
def projects_window(qtbot: Any, ui_ctx: Any, size: tuple[int, int] | None = None,
                    ) -> Iterator[Any]:
    """The shown window on the Projects page; takes capped at 0.3 s to keep tests quick."""
    from studio.ui.main_window import MainWindow

    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    if size is not None:
        w.resize(*size)
    w.show()
    w.tabs.setCurrentWidget(w.projects)
    w.projects.render.max_seconds = 0.3
    try:
        yield w
    finally:
        w.close()


def open_new_project(page: Any, texts: list[str], **kw: Any) -> Project:
    """A project of ``texts`` made in the store and opened on ``page``."""
    project = make_project(ProjectStore(), texts, **kw)
    page.refresh_projects(project.id)
    page.open_project(project.id)
    return project
