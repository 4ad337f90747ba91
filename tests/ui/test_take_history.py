"""The take history lasts: takes made in the window are there after a restart (text,
voice, seed, audio), delete removes their files, an old take can be made again, and a
take the disk could not keep makes quitting ask first."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.engine.pool import ModelPool
from studio.history import HistoryError, HistoryStore
from studio.ui.main_window import MainWindow
from tests.ui.conftest import make_ctx
from tests.ui.modal import click_text, message_text, when_modal

LONG = 60000


@pytest.fixture
def open_window(qtbot, tiny_models_dir, fake_sd):
    """Start the app (again): a new context and window on the same per-user folder."""
    made: list[MainWindow] = []

    def start() -> MainWindow:
        ctx = make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3), fake_sd)
        w = MainWindow(ctx)
        w.show()
        qtbot.waitExposed(w)
        w.speak.max_frames = 6
        assert w.voices.select_key("speaker:ryan")
        made.append(w)
        return w

    yield start
    for w in made:
        w.speak.has_unsaved_work = lambda: False
        w.close()
        w.deleteLater()


def generate(qtbot, w: MainWindow, text: str):  # noqa: ANN201
    w.speak.text.setPlainText(text)
    with qtbot.waitSignal(w.speak.take_finished, timeout=LONG) as done:
        qtbot.mouseClick(w.speak.generate_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_takes_are_there_after_a_restart(qtbot, open_window):
    w = open_window()
    first = generate(qtbot, w, "The first take.")
    second = generate(qtbot, w, "The second take.")
    w.close()

    again = open_window()
    records = again.speak.history.records
    assert [r.text for r in records] == ["The second take.", "The first take."]
    assert [r.seed for r in records] == [second.seed, first.seed]
    assert records[0].voice_name == "Ryan" and records[0].voice_key == "speaker:ryan"
    assert again.speak.history.table.item(0, 2).text() == str(second.seed)
    np.testing.assert_allclose(records[0].audio, second.audio, atol=1e-5)
    again.speak.history.select_rows([1])
    qtbot.mouseClick(again.speak.history.play_button, Qt.MouseButton.LeftButton)
    assert again.ctx.playback.owner is again.speak
    np.testing.assert_allclose(again.speak.wave.audio, first.audio, atol=1e-5)


def test_delete_removes_the_files_for_good(qtbot, open_window):
    w = open_window()
    take = generate(qtbot, w, "Delete me.")
    folder = take.stored.folder
    assert folder.is_dir()
    w.speak.history.select_rows([0])
    qtbot.mouseClick(w.speak.history.delete_button, Qt.MouseButton.LeftButton)
    assert not folder.exists()
    w.close()
    assert open_window().speak.history.records == []


def test_a_take_from_an_earlier_session_can_be_made_again(qtbot, open_window):
    w = open_window()
    old = generate(qtbot, w, "Say it again.")
    w.close()
    again = open_window()
    again.speak.history.select_rows([0])
    with qtbot.waitSignal(again.speak.take_finished, timeout=LONG) as done:
        qtbot.mouseClick(again.speak.history.regen_button, Qt.MouseButton.LeftButton)
    new = done.args[0]
    assert new.text == old.text and new.voice_key == old.voice_key
    assert new.seed != old.seed and new.stored is not None
    assert len(HistoryStore().list()) == 2


def test_a_take_the_disk_could_not_keep_makes_quitting_ask(qtbot, open_window, monkeypatch):
    w = open_window()

    def full(*_a, **_k) -> None:
        raise HistoryError("The take could not be kept in the history: No space left.")

    monkeypatch.setattr(w.ctx.history, "add", full)
    take = generate(qtbot, w, "Nowhere to go.")
    assert take.stored is None and "No space left" in w.notice.text()
    asked: list[str] = []

    def answer(box) -> None:  # noqa: ANN001
        asked.append(message_text(box))
        click_text(box, "Cancel")

    when_modal(answer)
    w.close()
    assert w.isVisible(), "the window closed without asking"
    assert "1 take the take history could not keep" in asked[0]
    assert "Discard it?" in asked[0]
