"""The Projects workspace: cancel keeps what is done, listening through a chapter, edits
with undo, next flagged, the lexicon, and managing projects from the list."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from studio.audio.samplerate import SAMPLE_RATE
from studio.projects.audiofiles import read_audio
from studio.projects.schema import CheckResult
from studio.projects.store import ProjectStore
from studio.ui.projects.block_model import DONE, FLAGGED, MISSING, STALE
from tests.ui.projects_window import open_new_project, projects_window


@pytest.fixture
def page(qtbot, ui_ctx):
    with projects_window(qtbot, ui_ctx) as w:
        yield w.projects


def _open(page, texts, **kw):
    return open_new_project(page, texts, **kw)


def _render_all(qtbot, page):
    qtbot.mouseClick(page.render.missing, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.render.job is None, timeout=120000)
    return page.render.report


def test_cancel_keeps_the_blocks_already_done(qtbot, page):
    _open(page, ["One here.", "Two here.", "Three here.", "Four here.", "Five here."])
    page.render.max_seconds = 2.0
    qtbot.mouseClick(page.render.missing, Qt.MouseButton.LeftButton)
    assert page.render.bar.isVisible() and page.render.stop.isEnabled()
    qtbot.waitUntil(lambda: page.model.states[0] == DONE, timeout=120000)
    assert "left" in page.render.left.text() or "block" in page.render.left.text()
    qtbot.mouseClick(page.render.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.render.job is None, timeout=60000)
    states = page.model.states
    assert states[0] == DONE and states[-1] == MISSING
    on_disk = ProjectStore().load(page.project.id)
    assert [b.chosen_take is not None for b in on_disk.chapters[0].blocks] == [
        s == DONE for s in states]
    assert "kept" in page.notice.text() or "cancelled" in page.notice.text()


def test_play_from_a_block_runs_to_the_chapter_end_with_the_pauses(qtbot, page, fake_sd):
    _open(page, ["First line.", "Second line.", "Third line."])
    _render_all(qtbot, page)
    project = ProjectStore().load(page.project.id)
    takes = [read_audio(ProjectStore().path(project) / b.chosen_take.file)
             for b in project.chapters[0].blocks]
    page.select_row(1)
    page.view.setFocus()
    assert page.listening.play_from()
    pause = np.zeros(int(round(0.4 * SAMPLE_RATE)), np.float32)
    expected = np.concatenate([takes[1], pause, takes[2], pause])
    page.ctx.playback.player.pump()
    out = fake_sd.last.pull(len(expected))[:, 0]
    np.testing.assert_allclose(out, expected, atol=1e-6)  # gapless, the pauses as set
    qtbot.waitUntil(lambda: page.view.currentIndex().row() == 2, timeout=5000)  # followed


def test_split_join_and_undo_redo(qtbot, page):
    _open(page, ["Alpha beta gamma delta.", "Epsilon."])
    page.select_row(0)
    page.view.setFocus()
    qtbot.mouseClick(page.listening.buttons["split"], Qt.MouseButton.LeftButton)
    assert [b.text for b in page.model.blocks] == ["Alpha beta gamma", "delta.", "Epsilon."]
    page.select_row(1)
    qtbot.mouseClick(page.listening.buttons["join"], Qt.MouseButton.LeftButton)
    assert [b.text for b in page.model.blocks] == ["Alpha beta gamma", "delta. Epsilon."]
    page.undo.undo()
    assert [b.text for b in page.model.blocks] == ["Alpha beta gamma", "delta.", "Epsilon."]
    page.undo.undo()
    assert [b.text for b in page.model.blocks] == ["Alpha beta gamma delta.", "Epsilon."]
    page.undo.redo()
    page.undo.redo()
    stored = ProjectStore().load(page.project.id).chapters[0].blocks
    assert [b.text for b in stored] == ["Alpha beta gamma", "delta. Epsilon."]


def test_f3_goes_to_the_next_flagged_block_and_the_lexicon_makes_blocks_stale(qtbot, page):
    project = _open(page, ["Say Nguyen.", "Nothing here.", "Nguyen again."])
    _render_all(qtbot, page)
    store = ProjectStore()
    fresh = store.load(project.id)
    fresh.chapters[0].blocks[2].chosen_take.check = CheckResult(40.0, True, ["“again” (heard “a gain”)"])
    store.save(fresh)
    page.reload()
    assert page.model.states == [DONE, DONE, FLAGGED]
    page.select_row(0)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_F3)
    assert page.view.currentIndex().row() == 2
    page.side.setCurrentWidget(page.lexicon)
    qtbot.keyClicks(page.lexicon.word, "Nguyen")
    qtbot.keyClicks(page.lexicon.say, "Win")
    qtbot.mouseClick(page.lexicon.add, Qt.MouseButton.LeftButton)
    assert page.lexicon.table.rowCount() == 1
    assert page.model.states == [STALE, DONE, STALE]  # only the blocks the word is in
    job = page.lexicon.hear_entry()  # the say-field was cleared: the selected entry is heard
    assert job is None or job.request.text == "Win"
    page.lexicon.table.setCurrentCell(0, 1)
    job = page.lexicon.hear_entry()
    assert job is not None and job.request.text == "Win"
    qtbot.waitSignal(job.finished, timeout=60000).wait()


def test_rename_duplicate_and_delete_from_the_list(qtbot, page, monkeypatch, studio_home):
    project = _open(page, ["A line."], name="Book")
    answers = iter([("Novel", True), ("Novel copy", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    qtbot.mouseClick(page.projects.buttons["rename"], Qt.MouseButton.LeftButton)
    assert page.title.text() == "Novel"
    qtbot.mouseClick(page.projects.buttons["duplicate"], Qt.MouseButton.LeftButton)
    names = sorted(p.name for p in ProjectStore().list().projects)
    assert names == ["Novel", "Novel copy"]
    page.projects.list.setCurrentRow(0)
    assert page.projects.current() == project.id
    qtbot.mouseClick(page.projects.buttons["delete"], Qt.MouseButton.LeftButton)
    assert [p.name for p in ProjectStore().list().projects] == ["Novel copy"]
    assert page.project is None and "trash" in page.notice.text()
    assert any(p.name.startswith("project-") for p in (studio_home / "trash").iterdir())
    assert page.notice.action.text() == "Restore"
    qtbot.mouseClick(page.notice.action, Qt.MouseButton.LeftButton)  # a slip undone
    assert sorted(p.name for p in ProjectStore().list().projects) == ["Novel", "Novel copy"]
    assert page.project is not None and page.project.id == project.id
    assert page.title.text() == "Novel"


def test_every_control_has_an_accessible_name(page):
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit

    _open(page, ["A line."], cast={"Narrator": "speaker:ryan"})
    for kind in (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit):
        for widget in page.findChildren(kind):
            if type(widget).__name__ == "QHeaderView":
                continue  # a table's header: its columns are named by their labels
            if widget.objectName().startswith("qt_") or type(widget.parent()).__name__ in (
                    "QTabBar", "QHeaderView", "QComboBoxPrivateContainer"):
                continue  # Qt's own parts (scroll bars' and tab bars' buttons)
            if isinstance(widget.parent(), QComboBox) or isinstance(
                    widget.parent() and widget.parent().parent(), QComboBox):
                continue  # a combo box's own popup list: the combo box is named
            assert widget.accessibleName(), f"{type(widget).__name__} {widget.objectName()!r}"
