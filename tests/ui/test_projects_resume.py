"""Closing the window during a render, and the next start offering to resume it (a bar with
"Resume" and "Not now"); the render's updates touching one row at a time; edits saved off
the window's thread and flushed on close. Real engine on the tiny models."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import Qt

from studio.projects import resume
from studio.projects.schema import PROJECT_FILE
from studio.projects.store import ProjectStore
from studio.ui.projects.block_model import DONE, MISSING
from tests.projects.helpers import make_project

LINES = [f"This is line number {k}." for k in range(1, 9)]


def _window(qtbot, ctx, projects_page: bool = True):
    from studio.ui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.projects if projects_page else w.speak)
    w.projects.render.max_seconds = 0.3
    return w


def _new_ctx(tiny_models_dir, fake_sd):
    from studio.engine.pool import ModelPool
    from tests.ui.conftest import make_ctx

    return make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3), fake_sd)


def test_close_during_a_render_and_resume_at_the_next_start(qtbot, ui_ctx, tiny_models_dir,
                                                            fake_sd, monkeypatch):
    store = ProjectStore()
    project = make_project(store, LINES, name="Long night")
    first = _window(qtbot, ui_ctx)
    page = first.projects
    page.open_project(project.id)
    assert page.offer.isHidden()
    resets, rows = [], []
    page.model.modelReset.connect(lambda: resets.append(1))
    page.model.dataChanged.connect(lambda a, b, *_: rows.append((a.row(), b.row())))
    loads_here: list[str] = []
    load = ProjectStore.load

    def spy(self, project_id):  # noqa: ANN001, ANN202
        if threading.current_thread() is threading.main_thread():
            loads_here.append(project_id)
        return load(self, project_id)

    monkeypatch.setattr(ProjectStore, "load", spy)
    qtbot.mouseClick(page.render.missing, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.states[:2] == [DONE, DONE], timeout=120000)
    assert page.render.running()
    # each step of the render repainted single rows, read nothing on this thread, and
    # never rebuilt the list
    assert not resets and not loads_here
    assert rows and all(a == b for a, b in rows)
    first.close()  # the window goes mid-render: what is done is kept, the note stays
    monkeypatch.setattr(ProjectStore, "load", load)
    saved = ProjectStore().load(project.id)
    done = [b.id for _c, b in saved.blocks() if b.chosen]
    assert 2 <= len(done) < len(LINES)
    note = resume.pending(store, saved)
    assert note is not None and len(note.block_ids) == len(LINES)

    # the next start: whichever page is on screen, the window says so and offers to resume
    ctx = _new_ctx(tiny_models_dir, fake_sd)
    second = _window(qtbot, ctx, projects_page=False)
    page = second.projects
    assert second.tabs.currentWidget() is not page
    qtbot.waitUntil(lambda: "Long night" in second.notice.text())
    assert "Long night" in second.notice.text() and second.notice.action.text() == "Resume"
    assert not page.offer.isHidden() and "Long night" in page.offer.label.text()
    assert page.project is None  # the offer waits for the user
    qtbot.mouseClick(second.notice.action, Qt.MouseButton.LeftButton)
    assert second.tabs.currentWidget() is page
    assert page.offer.isHidden() and page.project is not None
    assert page.project.id == project.id and page.render.running()
    assert set(page.render.ids) == {b.id for _c, b in saved.blocks()} - set(done)
    qtbot.waitUntil(lambda: page.render.job is None, timeout=120000)
    assert page.render.report is not None and not page.render.report.cancelled
    assert page.model.states == [DONE] * len(LINES)
    assert resume.pending(store, store.load(project.id)) is None
    second.close()


def test_a_render_killed_is_offered_and_not_now_asks_again(qtbot, ui_ctx, tiny_models_dir,
                                                            fake_sd):
    store = ProjectStore()
    project = make_project(store, LINES[:3], name="Killed")
    # what a kill -9 leaves: the note written when the render began, nothing rendered
    resume.mark(store, project, [b.id for _c, b in project.blocks()])
    w = _window(qtbot, ui_ctx)
    page = w.projects
    qtbot.waitUntil(page.offer.isVisible)
    assert "Killed" in page.offer.label.text()
    assert page.offer.resume_button.isVisible()
    qtbot.mouseClick(page.offer.later_button, Qt.MouseButton.LeftButton)
    assert page.offer.isHidden() and page.project is None
    page.open_project(project.id)  # opening that project asks again
    assert page.offer.isVisible()
    qtbot.mouseClick(page.offer.resume_button, Qt.MouseButton.LeftButton)
    assert page.model.states[0] != MISSING  # rendering
    qtbot.waitUntil(lambda: page.render.job is None, timeout=120000)
    assert page.model.states == [DONE] * 3
    assert resume.pending(store, store.load(project.id)) is None


@pytest.mark.parametrize("how", ["close", "switch"])
def test_edits_are_saved_off_the_window_thread_and_flushed(qtbot, ui_ctx, monkeypatch, how):
    store = ProjectStore()
    project = make_project(store, LINES, name="Edits")
    w = _window(qtbot, ui_ctx)
    page = w.projects
    page.open_project(project.id)
    threads: list[str] = []
    write = page.store.write_snapshot

    def spy(project_id, data):  # noqa: ANN001, ANN202
        threads.append(threading.current_thread().name)
        write(project_id, data)

    monkeypatch.setattr(page.store, "write_snapshot", spy)
    for k in range(3):
        page.block_actions.edit_text(page.model.blocks[k].id, f"Edited {k}.")
    assert [b.text for b in page.model.blocks[:3]] == ["Edited 0.", "Edited 1.", "Edited 2."]
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] == "project-writer"  # not the window's thread
    page.block_actions.edit_text(page.model.blocks[3].id, "Edited 3.")  # saved by the close at the latest
    if how == "close":
        w.close()
    else:
        other = make_project(store, ["Other."], name="Other")
        page.open_project(other.id)
    data = json.loads((store.path(project.id) / PROJECT_FILE).read_text())
    assert [b["text"] for b in data["chapters"][0]["blocks"][:4]] == \
        ["Edited 0.", "Edited 1.", "Edited 2.", "Edited 3."]


def test_a_failed_save_is_shown_and_the_next_change_saves_everything(qtbot, ui_ctx,
                                                                      monkeypatch):
    from studio.errors import DiskFull

    store = ProjectStore()
    project = make_project(store, LINES[:3], name="Full disk")
    w = _window(qtbot, ui_ctx)
    page = w.projects
    page.open_project(project.id)
    write = page.store.write_snapshot

    def full(_project_id, _data):  # noqa: ANN001, ANN202
        raise DiskFull("Could not save the project: the disk is full.")

    monkeypatch.setattr(page.store, "write_snapshot", full)
    page.block_actions.edit_text(page.model.blocks[0].id, "Kept through a full disk.")
    qtbot.waitUntil(lambda: "disk is full" in w.notice.text())
    assert "kept in the window" in w.notice.text() and w.notice.level == "error"
    assert page.model.blocks[0].text == "Kept through a full disk."
    monkeypatch.setattr(page.store, "write_snapshot", write)
    page.block_actions.edit_text(page.model.blocks[1].id, "And this one.")
    assert page.live.wait_idle(30)
    data = json.loads((store.path(project.id) / PROJECT_FILE).read_text())
    assert [b["text"] for b in data["chapters"][0]["blocks"][:2]] == \
        ["Kept through a full disk.", "And this one."]
