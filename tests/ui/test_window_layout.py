"""The window at work: messages float over the page instead of pushing it down and go
when their page is left, nothing is cut short at 1024 px, what the selection leaves out
of a clip looks faded, and the preview strip can be heard again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from studio.audio.samplerate import SAMPLE_RATE as SR
from studio.ui.main_window import MainWindow
from tests.library.helpers import add_voice
from tests.ui.clone_helpers import LONG, agree, speech_file

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, ui_ctx):
    add_voice(ui_ctx.library, "Alice", seed=0, description="A bright test voice")
    w = MainWindow(ui_ctx)  # closed below (not by qtbot, which would be asked about the clip)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    w.speak.max_frames = 6
    w.clone.max_frames = 6
    w.design.max_frames = 4
    yield w
    w.clone.has_unsaved_work = lambda: False
    w.design.has_unsaved_work = lambda: False
    w.close()
    w.deleteLater()


def where(window: MainWindow, widget) -> QPoint:  # noqa: ANN001
    return widget.mapTo(window, QPoint(0, 0))


def click_tab(qtbot, window: MainWindow, index: int) -> None:
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())


def test_a_message_floats_over_the_page_and_never_moves_it(qtbot, window):
    speak = window.speak
    window.notice.hide()
    before = where(window, speak.text)
    speak.text.clear()
    qtbot.mouseClick(speak.generate_button, LEFT)  # "Type some text to speak first."
    assert window.notice.isVisible() and "Type some text" in window.notice.text()
    assert where(window, speak.text) == before
    bar = window.tabs.tabBar()
    assert where(window, window.notice).y() > where(window, bar).y() + bar.height() - 1
    assert window.notice.geometry().right() <= window.notice.parentWidget().width()
    qtbot.mouseClick(window.notice.close_button, LEFT)
    assert not window.notice.isVisible() and where(window, speak.text) == before


def test_a_pages_message_goes_with_the_page_but_the_windows_stay(qtbot, window):
    click_tab(qtbot, window, 2)
    qtbot.mouseClick(window.design.generate_button, LEFT)  # a message about Design
    assert window.notice.isVisible()
    click_tab(qtbot, window, 0)
    assert not window.notice.isVisible()
    alice = next(r for r in window.voices.refs() if r.source == "saved")
    window.voices.select_key(alice.key)
    qtbot.mouseClick(window.voices.action_buttons["delete"], LEFT)  # the window's message
    click_tab(qtbot, window, 1)
    assert "Deleted Alice" in window.notice.text()


def test_comparing_is_forgotten_when_the_page_is_left(qtbot, window):
    speak = window.speak
    for text in ("One.", "Two."):
        speak.text.setPlainText(text)
        with qtbot.waitSignal(speak.take_finished, timeout=LONG):
            qtbot.mouseClick(speak.generate_button, LEFT)
    speak.history.select_rows([0, 1])
    qtbot.mouseClick(speak.history.compare_button, LEFT)
    assert speak.status.text().startswith("Comparing:")
    click_tab(qtbot, window, 1)
    click_tab(qtbot, window, 0)
    assert not speak.status.text().startswith("Comparing:")


def test_nothing_is_cut_short_at_1024_pixels(qtbot, window, tmp_path):
    click_tab(qtbot, window, 1)
    assert window.clone.import_file(speech_file(tmp_path / "me.wav", seconds=4.0, sr=SR,
                                                channels=1))
    label = window.clone.editor.selection_label
    qtbot.waitUntil(lambda: label.text().startswith("Keeping"))
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    alice = next(r for r in window.voices.refs() if r.source == "saved")
    window.voices.select_key(alice.key)
    hint = window.takes.transcript
    assert "One take so far" in hint.text()
    assert hint.height() >= hint.heightForWidth(hint.width())


def test_what_the_selection_leaves_out_is_faded(qtbot, window, tmp_path):
    click_tab(qtbot, window, 1)
    assert window.clone.import_file(speech_file(tmp_path / "me.wav", seconds=6.0, sr=SR,
                                                channels=1))
    wave = window.clone.editor.wave
    window.clone.editor.set_selection(1.5, 5.0)
    left, right = wave.discarded
    assert left.isVisible() and right.isVisible()
    assert left.getRegion() == pytest.approx((0.0, 1.5))
    assert right.getRegion() == pytest.approx((5.0, wave.duration))
    assert left.brush.color().alpha() > 100
    window.clone.editor.set_selection(0.0, wave.duration)  # all kept: nothing faded
    assert not left.isVisible() and not right.isVisible()


def test_the_preview_can_be_heard_again(qtbot, window, tmp_path):
    clone = window.clone
    click_tab(qtbot, window, 1)
    assert clone.import_file(speech_file(tmp_path / "me.wav", seconds=4.0, sr=SR, channels=1))
    clone.form.transcript.setPlainText("Hello there, this is me.")
    replay = clone.preview_box.replay_button
    assert not replay.isEnabled()
    with qtbot.waitSignal(clone.preview_finished, timeout=LONG):
        qtbot.mouseClick(clone.preview_box.preview_button, LEFT)
    window.ctx.playback.stop()
    assert replay.isEnabled()
    qtbot.mouseClick(replay, LEFT)
    assert window.ctx.playback.owner is clone.preview_box.wave
    qtbot.waitUntil(lambda: window.ctx.playback.state in ("playing", "buffering", "finished"))
    agree(clone)
