"""The Projects start screen and the window as a drop target: recent projects, most recent
first, opened with a click and gone once deleted; a script dropped anywhere on the window
becomes a project, anything else gets a message saying what can be dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from studio.projects import recent
from studio.projects.store import ProjectStore
from tests.projects.helpers import make_project


@pytest.fixture
def window(qtbot, ui_ctx):
    from studio.ui.main_window import MainWindow

    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def _activate(qtbot, list_widget, row: int) -> None:
    rect = list_widget.visualItemRect(list_widget.item(row))
    qtbot.mouseClick(list_widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _drop_on(widget: QWidget, files: list[Path]) -> None:
    """A drag of ``files`` from a file manager, released over ``widget``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    at, copy = QPoint(5, 5), Qt.DropAction.CopyAction
    args = (mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for event in (QDragEnterEvent(at, copy, *args), QDragMoveEvent(at, copy, *args),
                  QDropEvent(at, copy, *args)):
        QApplication.sendEvent(widget, event)


def test_recent_projects_open_with_a_click_and_forget_deleted_ones(qtbot, window, studio_home):
    page = window.projects
    window.tabs.setCurrentWidget(page)
    store = ProjectStore()
    first = make_project(store, ["One."], name="First")
    second = make_project(store, ["Two."], name="Second")
    page.refresh_projects()
    assert page.recent.isVisible() and page.recent.ids() == []
    assert page.recent.empty.isVisible()  # says how to start
    for name in ("First", "Second"):
        row = next(k for k in range(page.projects.list.count())
                   if page.projects.list.item(k).text().startswith(name))
        page.projects.list.setCurrentRow(row)
        qtbot.mouseClick(page.projects.buttons["open"], Qt.MouseButton.LeftButton)
        assert page.project.name == name
    assert not page.recent.isVisible() and page.view.isVisible()
    assert recent.load(studio_home) == [second.id, first.id]  # most recent first
    qtbot.mouseClick(page.projects.buttons["delete"], Qt.MouseButton.LeftButton)
    assert page.project is None and page.recent.isVisible()
    assert page.recent.ids() == [first.id]
    assert recent.load(studio_home) == [first.id]
    _activate(qtbot, page.recent.list, 0)
    assert page.project is not None and page.project.id == first.id


def test_a_recent_project_deleted_elsewhere_is_not_listed(qtbot, window, studio_home):
    page = window.projects
    store = ProjectStore()
    kept = make_project(store, ["One."], name="Kept")
    gone = make_project(store, ["Two."], name="Gone")
    recent.opened(studio_home, kept.id)
    recent.opened(studio_home, gone.id)
    store.delete(gone.id)  # from the command line, say
    page.refresh_projects()
    assert page.recent.ids() == [kept.id]


def test_a_script_dropped_anywhere_on_the_window_becomes_a_project(qtbot, window, tmp_path):
    window.tabs.setCurrentWidget(window.speak)
    script = tmp_path / "radio_play.md"
    script.write_text("# Act one\n\nAlice: Hello.\n\nBob: Hi.\n\nAlice: Bye.\n\nBob: Bye.\n")
    before = window.speak.text.toPlainText()
    _drop_on(window.speak.text.viewport(), [script])  # the Speak page's text box
    assert window.tabs.currentWidget() is window.projects
    assert window.projects.project is not None
    assert window.projects.project.name == "radio play"
    assert window.speak.text.toPlainText() == before  # nothing was pasted into the box
    subtitles = tmp_path / "clip.srt"
    subtitles.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello there.\n")
    window.tabs.setCurrentWidget(window.clone)
    _drop_on(window.clone, [subtitles])  # a page that takes audio drops of its own
    assert window.tabs.currentWidget() is window.projects
    assert window.projects.project.name == "clip" and window.projects.project.timed
    assert sorted(p.name for p in ProjectStore().list().projects) == ["clip", "radio play"]


def test_an_unsupported_file_dropped_on_the_window_gets_a_clear_message(qtbot, window,
                                                                        tmp_path):
    window.tabs.setCurrentWidget(window.speak)
    sheet = tmp_path / "budget.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    _drop_on(window.takes, [sheet])  # the take history: it takes no drops itself
    text = window.notice.text()
    assert "budget.xlsx" in text and ".epub" in text and "Clone page" in text
    assert ProjectStore().list().projects == []
    assert window.tabs.currentWidget() is window.speak
