"""Closing the window with unsaved Clone or Design work asks first: Cancel keeps the window
and the work, Discard closes (and shuts the engine down). QMessageBox.question is patched."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from studio.audio.samplerate import SAMPLE_RATE as SR
from studio.ui.main_window import MainWindow
from tests.ui.clone_helpers import LONG, speech_file

CANCEL, DISCARD = QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard


@pytest.fixture
def window(qtbot, ui_ctx):
    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.clone.max_frames = 6
    w.design.max_frames = 4
    yield w
    if w.isVisible():  # a failed test: do not ask again while closing
        w.clone.has_unsaved_work = lambda: False
        w.design.has_unsaved_work = lambda: False
        w.close()


@pytest.fixture
def answers(monkeypatch):
    """Answer QMessageBox.question with ``answers.queue`` in turn; ``answers.asked`` holds
    (parent, title, text) of each question."""

    class Answers:
        queue: list = []
        asked: list = []

    def question(parent, title, text, *_a):  # noqa: ANN001, ANN202
        Answers.asked.append((parent, title, text))
        return Answers.queue.pop(0)

    Answers.queue, Answers.asked = [], []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return Answers


def unsaved_clone(w: MainWindow, tmp_path) -> None:  # noqa: ANN001
    assert w.clone.import_file(speech_file(tmp_path / "mine.wav", seconds=3.0, sr=SR,
                                            channels=1))
    assert w.clone.has_unsaved_work()


def unsaved_design(qtbot, w: MainWindow) -> None:
    page = w.design
    page.description.setPlainText("A calm, deep male voice, slow and warm.")
    page.sample.setText("Hello there.")
    page.count.setValue(2)
    assert page.generate() == 2
    qtbot.waitUntil(lambda: not page.generating and page.cards
                    and all(c.finished for c in page.cards), timeout=LONG)
    assert page.has_unsaved_work()


def test_nothing_unsaved_closes_without_asking(window, answers, fake_sd) -> None:
    assert window.close()
    assert answers.asked == [] and not window.isVisible()
    assert not window.ctx.inference.thread.isRunning()


def test_unsaved_clone_work_asks_cancel_keeps_it_discard_closes(qtbot, window, answers,
                                                                tmp_path, fake_sd) -> None:
    unsaved_clone(window, tmp_path)
    clip = window.clone.clip
    answers.queue = [CANCEL]
    assert not window.close()
    [(parent, title, text)] = answers.asked
    assert parent is window and title == "Discard unsaved work?"
    assert "an imported clip that is not saved as a voice yet" in text
    assert text.endswith("Discard it?")
    # Cancel: the window, the work and the engine are all still there
    assert window.isVisible() and window.clone.clip is clip and window.clone.has_unsaved_work()
    assert window.ctx.inference.thread.isRunning()

    answers.queue = [DISCARD]
    assert window.close()
    assert len(answers.asked) == 2 and not window.isVisible()
    assert not window.ctx.inference.thread.isRunning()
    assert all(s.closed for s in fake_sd.streams)


def test_unsaved_design_work_asks_cancel_keeps_it_discard_closes(qtbot, window,
                                                                 answers) -> None:
    unsaved_design(qtbot, window)
    cards = list(window.design.cards)
    answers.queue = [CANCEL]
    assert not window.close()
    [(parent, _title, text)] = answers.asked
    assert parent is window and "2 designed voice candidates you have not kept" in text
    assert text.endswith("Discard them?")  # several: not "it"
    assert window.isVisible() and window.design.cards == cards
    assert all(c.unsaved for c in cards) and window.ctx.inference.thread.isRunning()

    answers.queue = [DISCARD]
    assert window.close()
    assert not window.isVisible() and not window.ctx.inference.thread.isRunning()


def test_both_pages_are_asked_in_turn(qtbot, window, answers, tmp_path) -> None:
    unsaved_clone(window, tmp_path)
    unsaved_design(qtbot, window)
    answers.queue = [DISCARD, CANCEL]  # the clip may go, the candidates not
    assert not window.close()
    first, second = (text for _p, _t, text in answers.asked)
    assert "imported clip" in first and "designed voice candidates" in second
    assert window.isVisible() and window.clone.clip is not None
    assert window.clone.has_unsaved_work() and window.design.has_unsaved_work()

    answers.queue = [CANCEL]  # asked again from the start; Cancel on the first stops there
    assert not window.close() and len(answers.asked) == 3 and window.isVisible()

    answers.queue = [DISCARD, DISCARD]
    assert window.close()
    assert len(answers.asked) == 5 and not window.isVisible()
    assert not window.ctx.inference.thread.isRunning()
