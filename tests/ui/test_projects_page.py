"""The Projects workspace driven as a user does, on the tiny models (real engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLineEdit

from studio.projects.export_container import read_chapters
from studio.projects.store import ProjectStore
from studio.ui.projects.block_model import DONE, MISSING, STALE
from tests.ui.projects_window import projects_window

SCRIPT = """# One

Alice: Hello there.

Bob: Good morning.

# Two

Alice: See you soon.

Bob: Bye now.
"""


@pytest.fixture
def window(qtbot, ui_ctx):
    with projects_window(qtbot, ui_ctx) as w:
        yield w


def _drop(page, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    page.dropEvent(event)


def _states(page) -> list[str]:
    return list(page.model.states)


def _render(qtbot, page, button) -> object:
    page.render.report = None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.render.job is not None and not button.isEnabled()
    qtbot.waitUntil(lambda: page.render.job is None, timeout=120000)
    assert page.render.report is not None
    return page.render.report


def test_import_by_drop_cast_render_edit_undo_export(qtbot, window, tmp_path):
    page = window.projects
    script = tmp_path / "two_friends.md"
    script.write_text(SCRIPT)
    _drop(page, script)
    assert page.project is not None and page.project.name == "two friends"
    assert page.chapters.topLevelItemCount() == 2
    assert _states(page) == [MISSING] * 3  # the heading is read too
    assert [b.speaker for b in page.model.blocks] == ["Narrator", "Alice", "Bob"]
    # cast: Bob gets Vivian from the voice list
    combo = page.cast.combos["Bob"]
    combo.setCurrentIndex(combo.findData("speaker:vivian"))
    assert ProjectStore().load(page.project.id).member("Bob").voice == "speaker:vivian"
    # render the chapter: every block turns done, live
    seen: list[list[str]] = []
    page.model.dataChanged.connect(lambda *_: seen.append(_states(page)))
    report = _render(qtbot, page, page.render.chapter)
    assert report.rendered == 3 and not report.cancelled
    assert _states(page) == [DONE] * 3
    assert any(s[0] == DONE and s[2] != DONE for s in seen), seen  # one by one, live
    # edit the first block in place: it goes stale; undo / redo with the keys
    page.view.setFocus()
    page.select_row(1)
    index = page.model.index(1)
    page.view.edit(index)
    editor = page.view.findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Hello again.")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _states(page)[1] == STALE)
    assert ProjectStore().load(page.project.id).chapters[0].blocks[1].text == "Hello again."
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.blocks[1].text == "Hello there." and _states(page)[1] == DONE
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert page.model.blocks[1].text == "Hello again." and _states(page)[1] == STALE
    # render what is missing or stale: that block and chapter two
    report = _render(qtbot, page, page.render.missing)
    assert report.rendered == 4 and _states(page) == [DONE] * 3
    # export chapter one as M4B: the chapter count is read back from the file
    from studio.ui.projects.export_dialog import ExportDialog

    dialog = ExportDialog(page.store, page.store.load(page.project.id), page.entries(),
                          page.ctx.library, page.ctx.inference.jobs, page)
    qtbot.addWidget(dialog)
    out = tmp_path / "book.m4b"
    dialog.out.setText(str(out))
    dialog.loudness.setCurrentIndex(dialog.loudness.findData("podcast"))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    _tags, chapters = read_chapters(out)
    assert [c[0] for c in chapters] == ["One", "Two"]
    assert "LUFS" in dialog.measured.text() and "2 chapter(s)" in dialog.measured.text()
