"""The Projects page on a 1024x700 window: every button shows its whole label (rows wrap
instead of squeezing), and the block list needs no sideways scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton

from studio.projects.store import ProjectStore
from tests.projects.helpers import make_project


@pytest.mark.parametrize("size", [(1024, 700), (1600, 1000)])
def test_no_button_is_cut_and_blocks_fit_the_width(qtbot, ui_ctx, size):
    from studio.ui.main_window import MainWindow

    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    w.tabs.setCurrentWidget(w.projects)
    page = w.projects
    project = make_project(ProjectStore(), ["A first line.", "A second line."])
    page.refresh_projects(project.id)
    page.open_project(project.id)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: page.view.isVisible())
    rows = (page.render, page.listening, page.filter, page.projects)
    buttons = [b for row in rows for b in row.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) >= 15
    cut = [b.text() for b in buttons if b.width() < b.sizeHint().width()]
    assert cut == []
    assert not page.view.horizontalScrollBar().isVisible()
    w.close()
