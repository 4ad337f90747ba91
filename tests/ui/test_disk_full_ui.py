"""A full disk in the window: exporting a take or saving a voice says so in the notice bar,
leaves no file behind, and keeps the take or the clip so the user can try again."""

from __future__ import annotations

import pytest
import soundfile as sf
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from studio.ui.pages.clone import ClonePage
from studio.ui.widgets.notice import NoticeBar
from tests.engine.helpers import voice_like
from tests.full_disk import full_disk_fixture  # noqa: F401 - the full_disk fixture

LONG = 60_000


@pytest.mark.parametrize("name", ["take.wav", "take.flac"])
@pytest.mark.parametrize("room", [0, 5000])
def test_export_take_onto_a_full_disk(qtbot, speak_window, tmp_path, monkeypatch, full_disk,
                                      name, room):
    w = speak_window
    w.speak.text.setPlainText("Hello there.")
    with qtbot.waitSignal(w.speak.take_finished, timeout=LONG) as blocker:
        w.speak.generate()
    record = blocker.args[0]
    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(folder / name), ""))
    w.speak.history.select_rows([0])
    full_disk(room)
    w.speak.history.export_button.click()
    assert w.notice.level == "error"
    assert f"Could not write {name}: the disk is full" in w.notice.text()
    assert f"free at {folder})" in w.notice.text()
    assert list(folder.iterdir()) == []
    assert w.speak.history.records == [record]  # the take is still there to export again


@pytest.mark.parametrize("room", [0, 2000])
def test_save_voice_onto_a_full_disk(qtbot, ui_ctx, tmp_path, studio_home, full_disk, room):
    notice = NoticeBar()
    page = ClonePage(ui_ctx, notice)
    page.max_frames = 4
    holder = QWidget()
    col = QVBoxLayout(holder)
    col.addWidget(notice)
    col.addWidget(page, 1)
    qtbot.addWidget(holder)
    try:
        clip = tmp_path / "Narrator.wav"
        sf.write(clip, voice_like(4.0, 24000), 24000)
        page.import_file(clip)
        page.form.transcript.setPlainText("Hello there, this is my voice.")
        page.form.name.setText("My Clone")
        with qtbot.waitSignal(page.preview_finished, timeout=LONG):
            page.preview()  # the prompt is built now, while the disk has room
        before = sorted(p.name for p in (studio_home / "voices").iterdir())
        page.preview_box.consent.setChecked(True)  # the user confirms the clip is theirs to use
        full_disk(room)
        page.save()
        qtbot.waitUntil(lambda: notice.level == "error", timeout=LONG)
        text = notice.label.text()  # the holder is not shown
        assert "Could not save the voice: the disk is full" in text, text
        assert text.count("Could not") == 1 and "The clip is still here" in text
        assert sorted(p.name for p in (studio_home / "voices").iterdir()) == before
        assert page.clip is not None and page.has_unsaved_work()  # nothing the user made is lost
    finally:
        page.shutdown()

