"""Editing blocks on the Projects page as a user does: move them with Alt+Up / Alt+Down and
by dragging, insert a pause, change the speaker from the menu or by typing ``Name:``, filter
to the flagged or stale blocks, accept a flagged take, see the words heard otherwise."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from studio.projects.schema import CheckResult
from studio.projects.store import ProjectStore
from studio.ui.projects.block_filter import ALL, FLAGGED_ONLY, NEEDS_RENDER
from studio.ui.projects.block_model import DONE, FLAGGED, STALE, TINTS_ROLE
from studio.ui.widgets.clone_form import WORD_TINTS
from tests.ui.projects_window import open_new_project, projects_window

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def page(qtbot, ui_ctx):
    # every block of these short chapters in sight, to drag onto
    with projects_window(qtbot, ui_ctx, size=(1400, 900)) as w:
        yield w.projects


def _open(page, texts, **kw):
    project = open_new_project(page, texts, **kw)
    page.view.setFocus()
    return project


def _texts(page) -> list[str]:
    return [b.text for b in page.model.blocks]


def _stored(page):
    return ProjectStore().load(page.project.id).chapters[0].blocks


def _render_all(qtbot, page) -> None:
    qtbot.mouseClick(page.render.missing, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.render.job is None, timeout=120000)


def _flag(page, row: int, heard: str, differences: list[str]) -> None:
    store = ProjectStore()
    fresh = store.load(page.project.id)
    fresh.chapters[0].blocks[row].chosen_take.check = CheckResult(
        40.0, True, differences, heard)
    store.save(fresh)
    page.reload()


def test_alt_up_and_down_move_blocks_with_undo_and_redo(qtbot, page):
    _open(page, ["A one.", "B two.", "C three."])
    page.select_row(2)
    qtbot.keyClick(page.view, Qt.Key.Key_Up, ALT)
    assert _texts(page) == ["A one.", "C three.", "B two."]
    assert page.view.currentIndex().row() == 1  # the moved block stays selected
    qtbot.keyClick(page.view, Qt.Key.Key_Up, ALT)
    assert _texts(page) == ["C three.", "A one.", "B two."]
    qtbot.keyClick(page.view, Qt.Key.Key_Up, ALT)  # already first: nothing moves
    assert _texts(page) == ["C three.", "A one.", "B two."]
    assert "start" in page.notice.text()
    qtbot.keyClick(page.view, Qt.Key.Key_Down, ALT)
    assert _texts(page) == ["A one.", "C three.", "B two."]
    assert [b.text for b in _stored(page)] == _texts(page)  # saved
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert _texts(page) == ["A one.", "C three.", "B two."]
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert [b.text for b in _stored(page)] == ["A one.", "B two.", "C three."]
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _texts(page) == ["A one.", "C three.", "B two."]


def _drag(view, rows: list[int], to: QPoint) -> None:
    """What a drag inside the list delivers: enter, move, drop at ``to``."""
    selection = view.selectionModel()
    selection.clearSelection()
    for r in rows:
        selection.select(view.model().index(r), selection.SelectionFlag.Select)
    mime: QMimeData = view.model().mimeData([view.model().index(r) for r in rows])
    move = Qt.DropAction.MoveAction
    for event in (QDragEnterEvent(to, move, mime, Qt.MouseButton.LeftButton,
                                  Qt.KeyboardModifier.NoModifier),
                  QDragMoveEvent(to, move, mime, Qt.MouseButton.LeftButton,
                                 Qt.KeyboardModifier.NoModifier),
                  QDropEvent(to, move, mime, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier)):
        QApplication.sendEvent(view.viewport(), event)


def test_dragging_blocks_moves_them_and_undo_puts_them_back(qtbot, page):
    _open(page, ["A one.", "B two.", "C three.", "D four."])
    target = page.view.visualRect(page.model.index(3))
    _drag(page.view, [0, 1], QPoint(target.center().x(), target.top() + 2))
    assert _texts(page) == ["C three.", "A one.", "B two.", "D four."]
    assert [b.text for b in _stored(page)] == _texts(page)
    assert page.selected_ids() == [page.model.blocks[1].id, page.model.blocks[2].id]
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert _texts(page) == ["A one.", "B two.", "C three.", "D four."]


def test_insert_a_pause_after_a_block_and_undo_it(qtbot, page, monkeypatch):
    _open(page, ["First.", "Second."])
    asked = []
    monkeypatch.setattr(QInputDialog, "getDouble",
                        lambda *a, **k: (asked.append(a[3]), (2.5, True))[1])
    page.select_row(0)
    qtbot.mouseClick(page.block_actions.buttons["pause"], Qt.MouseButton.LeftButton)
    assert asked == [1.0]  # a longer pause than the usual one is offered
    assert _stored(page)[0].pause_s == 2.5
    assert page.model.blocks[0].pause_s == 2.5
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert _stored(page)[0].pause_s == 0.4


def test_speaker_from_the_menu_a_new_speaker_and_typing_a_name(qtbot, page, monkeypatch):
    _open(page, ["Hello there.", "Fine thanks."],
          cast={"Narrator": "speaker:ryan", "Alice": "speaker:vivian"})
    page.select_row(1)
    menu = page.block_actions.context_menu()
    speakers = next(a.menu() for a in menu.actions() if a.text() == "Speaker")
    names = [a.text() for a in speakers.actions() if a.text()]
    assert names == ["Narrator", "Alice", "New speaker…"]
    next(a for a in speakers.actions() if a.text() == "Alice").trigger()
    assert [b.speaker for b in _stored(page)] == ["Narrator", "Alice"]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bob", True))
    next(a for a in speakers.actions() if a.text() == "New speaker…").trigger()
    assert page.model.blocks[1].speaker == "Bob"
    assert "Bob" in page.cast.combos  # a new name to cast
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert page.model.blocks[1].speaker == "Narrator"
    # typing "Name: words" in place: Name speaks the words
    page.select_row(0)
    page.view.edit(page.model.index(0))
    editor = page.view.findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Carol: Hello there, friend.")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.blocks[0].speaker == "Carol")
    assert page.model.blocks[0].text == "Hello there, friend."
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)  # one step undoes both
    stored = _stored(page)[0]
    assert (stored.speaker, stored.text) == ("Narrator", "Hello there.")
    page.view.edit(page.model.index(1))
    editor = next(e for e in page.view.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, "alice: Fine thanks.")  # a cast name: its spelling is kept
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.blocks[1].speaker == "Alice")
    assert page.model.blocks[1].text == "Fine thanks."


def test_filter_f3_within_it_and_accept_a_flagged_take(qtbot, page):
    _open(page, ["One here.", "Two here.", "Three here.", "Four here."])
    _render_all(qtbot, page)
    _flag(page, 1, "Too here.", ["“Two” (heard “Too”)"])
    _flag(page, 3, "For here.", ["“Four” (heard “For”)"])
    page.block_actions.edit_text(page.model.blocks[0].id, "One more here.")
    assert page.model.states == [STALE, FLAGGED, DONE, FLAGGED]
    page.filter.set_mode(FLAGGED_ONLY)
    assert [page.view.isRowHidden(r) for r in range(4)] == [True, False, True, False]
    assert page.filter.count.text() == "2 of 4 blocks"
    page.select_row(1)
    qtbot.keyClick(page.view, Qt.Key.Key_F3)
    assert page.view.currentIndex().row() == 3
    qtbot.keyClick(page.view, Qt.Key.Key_F3)
    assert page.view.currentIndex().row() == 1  # round the end, within the filter
    qtbot.keyClick(page.view, Qt.Key.Key_F3, SHIFT)
    assert page.view.currentIndex().row() == 3
    page.filter.set_mode(NEEDS_RENDER)
    assert [page.view.isRowHidden(r) for r in range(4)] == [False, True, True, True]
    page.filter.set_mode(ALL)
    page.select_row(2)
    assert not page.block_actions.buttons["accept"].isEnabled()  # block 3 is not flagged
    page.filter.set_mode(FLAGGED_ONLY)
    page.select_row(1)
    assert page.block_actions.buttons["accept"].isEnabled()
    take = _stored(page)[1].chosen
    qtbot.mouseClick(page.block_actions.buttons["accept"], Qt.MouseButton.LeftButton)
    assert page.model.states[1] == DONE and page.view.isRowHidden(1)
    stored = _stored(page)[1]
    assert stored.chosen == take and not stored.chosen_take.check.flagged  # take kept
    assert stored.chosen_take.check.heard == "Too here."  # what was heard stays recorded
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert page.model.states[1] == FLAGGED and not page.view.isRowHidden(1)
    page.filter.set_mode(ALL)
    assert not any(page.view.isRowHidden(r) for r in range(4))


def test_a_flagged_row_tints_the_words_heard_otherwise(qtbot, page):
    _open(page, ["The quick brown fox jumps.", "Nothing wrong here."])
    _render_all(qtbot, page)
    _flag(page, 0, "The quack brown jumps.", ["“quick” (heard “quack”)", "“fox” (not heard)"])
    index = page.model.index(0)
    spans = index.data(TINTS_ROLE)
    text = page.model.blocks[0].text
    assert [(text[a:b], s) for a, b, s in spans] == [("quick", "mismatch"), ("fox", "missing")]
    assert page.model.index(1).data(TINTS_ROLE) == []
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Heard: “The quack brown jumps.”" in tip and "“fox” (not heard)" in tip
    page.select_row(1)
    image = page.view.viewport().grab().toImage()
    row = page.view.visualRect(index)
    strong = {QColor(WORD_TINTS[s]).rgb() & 0xFFFFFF for s in ("mismatch", "missing")}
    found = {image.pixelColor(x, y).rgb() & 0xFFFFFF
             for y in range(row.top(), row.bottom()) for x in range(row.left(), row.right(), 2)}
    assert strong <= found  # both underlines are painted in the row


def test_blocks_dropped_on_another_chapter_or_sent_there_from_the_menu(qtbot, page):
    _open(page, [["A one.", "B two.", "C three."], ["Z end."]])
    tree = page.chapters
    target = tree.visualItemRect(tree.topLevelItem(1)).center()
    mime = page.model.mimeData([page.model.index(0), page.model.index(2)])
    args = (mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    move = Qt.DropAction.MoveAction
    for event in (QDragEnterEvent(target, move, *args), QDragMoveEvent(target, move, *args),
                  QDropEvent(target, move, *args)):
        QApplication.sendEvent(tree.viewport(), event)
    assert _texts(page) == ["B two."]
    stored = ProjectStore().load(page.project.id).chapters
    assert [b.text for b in stored[1].blocks] == ["Z end.", "A one.", "C three."]
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert _texts(page) == ["A one.", "B two.", "C three."]
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.view.visualRect(page.model.index(1)).center())
    assert page.selected_ids() == [page.model.blocks[1].id]
    menu = page.block_actions.context_menu()
    chapters = next(a.menu() for a in menu.actions() if a.text() == "Move to chapter")
    assert [a.isEnabled() for a in chapters.actions()] == [False, True]  # not its own
    chapters.actions()[1].trigger()
    stored = ProjectStore().load(page.project.id).chapters
    assert [b.text for b in stored[0].blocks] == ["A one.", "C three."]
    assert [b.text for b in stored[1].blocks] == ["Z end.", "B two."]
