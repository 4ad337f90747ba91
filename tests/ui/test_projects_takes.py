"""The selected block's takes, the cast's voice samples and the export dialog, driven as a
user does on the tiny models (real engine, fake sound device)."""

from __future__ import annotations

import threading

import av
import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.projects.audiofiles import read_audio
from studio.projects.export_container import read_chapters
from studio.projects.schema import CheckResult
from studio.projects.store import ProjectStore
from studio.projects.takes import COMPARE_GAP_S
from studio.ui.projects.block_model import DONE
from tests.projects.helpers import make_project, png
from tests.ui.projects_window import open_new_project, projects_window

SR = 24000


@pytest.fixture
def page(qtbot, ui_ctx):
    with projects_window(qtbot, ui_ctx) as w:
        yield w.projects


def _open_rendered(qtbot, page, texts, **kw):
    project = open_new_project(page, texts, **kw)
    qtbot.mouseClick(page.render.missing, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.render.job is None, timeout=120000)
    assert page.model.states == [DONE] * len(page.model.blocks)
    return project


def _click_take(qtbot, takes, row, modifier=Qt.KeyboardModifier.NoModifier):
    item = takes.list.item(row)
    rect = takes.list.visualItemRect(item)
    qtbot.mouseClick(takes.list.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _regenerate(qtbot, takes):
    qtbot.mouseClick(takes.regen_button, Qt.MouseButton.LeftButton)
    assert takes.job is not None  # the GUI goes on: the take is made on the worker
    assert takes.regen_button.accessibleName() == "Cancel regenerate"
    qtbot.waitUntil(lambda: takes.job is None, timeout=120000)


def test_regenerate_choose_undo_and_compare_two_takes(qtbot, page, fake_sd):
    project = _open_rendered(qtbot, page, ["First line here.", "Second line."])
    takes = page.takes
    page.select_row(0)
    assert takes.title.text().startswith("Block 1 (Narrator): 1 take")
    assert takes.list.count() == 1 and takes.list.item(0).text().startswith("✓ Take 1")
    store = ProjectStore()
    block_id = project.chapters[0].blocks[0].id
    first = store.load(project.id).block(block_id).takes[0]
    folder = store.path(project)
    np.testing.assert_array_equal(takes.wave.audio, read_audio(folder / first.file))
    # regenerate with a new seed: a second take, chosen, the first one kept
    _regenerate(qtbot, takes)
    block = store.load(project.id).block(block_id)
    assert [t.id for t in block.takes][0] == first.id and len(block.takes) == 2
    assert block.chosen == block.takes[1].id and block.takes[1].seed != first.seed
    assert (folder / first.file).is_file()
    assert takes.list.count() == 2 and takes.list.item(1).text().startswith("✓ Take 2")
    assert "kept" in page.notice.text()
    # choose the first take again: on disk, what is heard; Ctrl+Z puts it back
    _click_take(qtbot, takes, 0)
    assert takes.choose_button.isEnabled()
    qtbot.mouseClick(takes.choose_button, Qt.MouseButton.LeftButton)
    assert store.load(project.id).block(block_id).chosen == first.id
    assert takes.list.item(0).text().startswith("✓ Take 1") and page.model.states[0] == DONE
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.load(project.id).block(block_id).chosen == block.takes[1].id
    assert takes.list.item(1).text().startswith("✓ Take 2")
    # play one take: the fake device hears exactly it
    _click_take(qtbot, takes, 0)
    qtbot.mouseClick(takes.play_button, Qt.MouseButton.LeftButton)
    a = read_audio(folder / first.file)
    page.ctx.playback.player.pump()
    np.testing.assert_allclose(fake_sd.last.pull(len(a))[:, 0], a, atol=1e-6)
    # compare: A (take 1), a short silence, then B (take 2), the one heard named
    _click_take(qtbot, takes, 1, Qt.KeyboardModifier.ControlModifier)
    assert len(takes.selected_takes()) == 2
    qtbot.mouseClick(takes.compare_button, Qt.MouseButton.LeftButton)
    assert takes.heard.text() == "Hearing A (take 1)"
    b = read_audio(folder / block.takes[1].file)
    gap = np.zeros(int(round(COMPARE_GAP_S * SR)), np.float32)
    page.ctx.playback.player.pump()
    heard = fake_sd.last.pull(len(a) + len(gap) + len(b))[:, 0]
    np.testing.assert_allclose(heard, np.concatenate([a, gap, b]), atol=1e-6)
    qtbot.waitUntil(lambda: takes.heard.text() in ("Hearing B (take 2)", ""), timeout=5000)


def test_a_flagged_take_shows_where_the_words_differed(qtbot, page):
    project = _open_rendered(qtbot, page, ["The wind howled."])
    page.select_row(0)
    assert page.takes.wave.marks == [] and "flagged" not in page.takes.list.item(0).text()
    store = ProjectStore()
    fresh = store.load(project.id)
    fresh.chapters[0].blocks[0].chosen_take.check = CheckResult(
        40.0, True, ["“wind” (heard “win”)"], "the win howled",
        [("The", 0.0, 0.05), ("wind", 0.05, 0.15), ("howled", 0.15, 0.3)])
    store.save(fresh)
    page.reload()  # as after a check by ear: the same take, now flagged
    assert page.takes.wave.marks == [(0.05, 0.15, "mismatch")]
    assert "flagged" in page.takes.list.item(0).text()


def test_cancelling_a_regenerate_keeps_the_takes(qtbot, page):
    project = _open_rendered(qtbot, page, ["Only line here."])
    takes = page.takes
    page.select_row(0)
    qtbot.mouseClick(takes.regen_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(takes.regen_button, Qt.MouseButton.LeftButton)  # now "Cancel"
    qtbot.waitUntil(lambda: takes.job is None, timeout=120000)
    assert len(ProjectStore().load(project.id).chapters[0].blocks[0].takes) == 1
    assert takes.list.count() == 1 and takes.regen_button.accessibleName() == "Regenerate"
    assert "cancelled" in page.notice.text()


def test_cast_sample_plays_the_chosen_voice_and_can_be_stopped(qtbot, page, fake_sd):
    project = make_project(ProjectStore(), ["Hello there, friend."])
    page.refresh_projects(project.id)
    page.open_project(project.id)
    page.cast_sample.max_frames = 6
    button = page.cast.samples["Narrator"]
    assert button.text() == "▶"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    job = page.cast_sample.job
    assert job is not None and job.request.text == "Hello there, friend."
    assert page.cast.samples["Narrator"].text() == "■"
    assert page.ctx.playback.owner is page.cast_sample
    qtbot.waitUntil(lambda: job.outcome == "finished", timeout=120000)
    page.ctx.playback.player.pump()
    made = job.track.audio()
    assert len(made) > 0
    heard = fake_sd.last.pull(len(made) + 4800)[:, 0]  # and on past its end
    np.testing.assert_allclose(heard[:len(made)], made, atol=1e-6)
    qtbot.waitUntil(lambda: page.cast_sample.job is None, timeout=5000)
    assert page.cast.samples["Narrator"].text() == "▶"
    # a second sample, stopped at once: the job is cancelled and the button comes back
    qtbot.mouseClick(page.cast.samples["Narrator"], Qt.MouseButton.LeftButton)
    second = page.cast_sample.job
    qtbot.mouseClick(page.cast.samples["Narrator"], Qt.MouseButton.LeftButton)
    assert page.cast_sample.job is None and second.cancel_requested
    assert page.cast.samples["Narrator"].text() == "▶"
    qtbot.waitUntil(lambda: second.outcome != "", timeout=120000)


def _dialog(qtbot, page):
    from studio.ui.projects.export_dialog import ExportDialog

    dialog = ExportDialog(page.store, page.store.load(page.project.id), page.entries(),
                          page.ctx.library, page.ctx.inference.jobs, page)
    qtbot.addWidget(dialog)
    dialog.show()  # as exec() shows it, without its own event loop
    return dialog


def test_export_dialog_tags_cover_progress_and_chapter_count(qtbot, page, tmp_path):
    _open_rendered(qtbot, page, [["One here."], ["Two here."]])
    dialog = _dialog(qtbot, page)
    for field, text in ((dialog.book_title, "Tiny Tales"), (dialog.author, "Ann Author"),
                        (dialog.narrator, "Nora Reader"), (dialog.year, "2025")):
        field.clear()
        qtbot.keyClicks(field, text)
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(8, 6))
    assert dialog.set_cover(cover)  # what "Choose cover…" does with the file picked
    assert not dialog.cover_label.pixmap().isNull()
    out = tmp_path / "tales.mp3"
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("mp3"))
    dialog.out.setText(str(out))
    steps: list[float] = []
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.bar.isVisible() and dialog.stop.isEnabled() and not dialog.go.isEnabled()
    dialog.job.progress.connect(lambda step: steps.append(step.fraction))
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60000)
    assert steps and steps[-1] == 1.0 and not dialog.bar.isVisible()
    tags, chapters = read_chapters(out)
    assert (tags["title"], tags["artist"], tags["composer"], tags["date"]) == (
        "Tiny Tales", "Ann Author", "Nora Reader", "2025")
    assert len(chapters) == 2 and "2 chapter(s)" in dialog.measured.text()
    assert "LUFS" in dialog.measured.text()
    with av.open(str(out)) as f:
        assert any(s.disposition == av.stream.Disposition.attached_pic for s in f.streams)
    # the tags and the cover are kept in the project: the next export starts from them
    kept = ProjectStore().load(page.project.id)
    assert (kept.title, kept.author, kept.narrator, kept.year) == (
        "Tiny Tales", "Ann Author", "Nora Reader", "2025")
    assert (ProjectStore().path(kept) / kept.cover).read_bytes() == cover.read_bytes()
    again = _dialog(qtbot, page)
    assert again.narrator.text() == "Nora Reader" and again.year.text() == "2025"
    assert again.cover is not None and not again.cover_label.pixmap().isNull()
    qtbot.mouseClick(again.clear_cover, Qt.MouseButton.LeftButton)
    bare = tmp_path / "bare.mp3"
    again.fmt.setCurrentIndex(again.fmt.findData("mp3"))
    again.out.setText(str(bare))
    with qtbot.waitSignal(again.exported, timeout=60000):
        qtbot.mouseClick(again.go, Qt.MouseButton.LeftButton)
    with av.open(str(bare)) as f:
        assert not any(s.type == "video" for s in f.streams)  # "No cover" means none
    assert ProjectStore().load(page.project.id).cover is None
    # one file per chapter: the path becomes a folder
    dialog.scope.setCurrentIndex(dialog.scope.findData("per-chapter"))
    assert dialog.out.text() == str(tmp_path / "tales")
    dialog.out.setText(str(tmp_path / "Vol. 2"))
    dialog.scope.setCurrentIndex(dialog.scope.findData("whole"))
    assert dialog.out.text() == str(tmp_path / "Vol. 2.mp3")
    dialog.scope.setCurrentIndex(dialog.scope.findData("per-chapter"))
    assert dialog.out.text() == str(tmp_path / "Vol. 2")
    dialog.out.setText(str(tmp_path / "tales"))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert sorted(p.name for p in (tmp_path / "tales").iterdir()) == [
        "01 Chapter-1.mp3", "02 Chapter-2.mp3"]
    # a bad year and a file that is no image are refused with what to do
    notes = tmp_path / "notes.png"
    notes.write_text("not a picture")
    assert not dialog.set_cover(notes) and "PNG or JPEG" in dialog.measured.text()
    dialog.year.setText("25")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60000)
    assert "four digits" in dialog.measured.text()


def test_cancelled_export_leaves_no_file(qtbot, page, tmp_path):
    _open_rendered(qtbot, page, ["One here."])
    dialog = _dialog(qtbot, page)
    out = tmp_path / "book.m4b"
    dialog.out.setText(str(out))
    engine_busy = threading.Event()  # the engine is still making something else
    from studio.ui.jobs import Job

    page.ctx.inference.jobs.submit(Job(), lambda _job: engine_busy.wait(60))
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.stop, Qt.MouseButton.LeftButton)
    engine_busy.set()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60000)
    assert "cancelled" in dialog.measured.text() and dialog.go.isEnabled()
    assert list(tmp_path.iterdir()) == []


def test_the_take_waveform_follows_a_live_theme_switch(qtbot, app_look, page):
    from PySide6.QtGui import QPalette

    from studio.ui.theme import apply_theme, palette_for

    wave = page.takes.wave
    for theme in ("light", "dark", "light"):
        apply_theme(app_look, theme)
        palette = palette_for(theme)
        qtbot.waitUntil(lambda p=palette: wave.empty.textItem.defaultTextColor()
                        == p.color(QPalette.ColorRole.PlaceholderText), timeout=5000)
        axis = wave.plot.getAxis("bottom").textPen().color()
        assert axis == palette.color(QPalette.ColorRole.PlaceholderText)  # differs per theme
        assert wave.curve.opts["pen"].color() == palette.color(QPalette.ColorRole.Highlight)
