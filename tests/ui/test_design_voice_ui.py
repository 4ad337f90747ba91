"""A built-in design voice in the window (real engine, tiny models): the first take draws the
speaker and keeps it, the next takes clone it, "New voice" draws another; without a Base
model a notice offers one (once) and the take still completes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.library.design_voices import kept_design_prompt
from studio.testing.model_calls import watch_models
from studio.ui.main_window import MainWindow
from tests.ui.conftest import make_ctx

SPF = 1920
FRAMES = 15  # 1.2 s: long enough for the Base model to clone from
CAPTAIN = "design:old-sea-captain"
LINE = "Aye, I have seen waves taller than this church, lad."


def _take(qtbot, w: MainWindow):
    with qtbot.waitSignal(w.speak.take_finished, timeout=60000) as blocker:
        assert w.speak.generate() is not None
    return blocker.args[0]


def _captain(qtbot, w: MainWindow) -> None:
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.speak.max_frames = FRAMES
    assert w.voices.select_key(CAPTAIN)
    w.speak.text.setPlainText(LINE)


def test_the_captain_is_kept_between_takes_and_new_voice_draws_another(qtbot, speak_window):
    w = speak_window
    _captain(qtbot, w)
    button = w.speak.new_voice
    assert button.isVisible() and button.accessibleName() == "New voice"
    assert "draws a speaker" in w.speak.voice_detail.text()
    with watch_models() as calls:
        first = _take(qtbot, w)
    assert calls.generated == {"voice_design": 1} and calls.prompts == {"base": 1}
    kept = kept_design_prompt("old-sea-captain", w.ctx.library.root)
    assert kept is not None and "same speaker every take" in w.speak.voice_detail.text()

    history = w.speak.history
    history.select_rows([0])
    ready: list[str] = []
    w.ctx.inference.model_ready.connect(lambda info: ready.append(info.kind))
    with watch_models() as calls, qtbot.waitSignal(w.speak.take_finished, timeout=60000) as b:
        history.regen_button.click()  # the drawing take's request, replayed: now kept
    second = b.args[0]
    assert calls.generated == {"base": 1} and not calls.prompts  # the kept voice, cloned
    assert ready == ["base"]  # the model the take needs is the one made ready
    with watch_models() as calls:
        _take(qtbot, w)
    assert calls.generated == {"base": 1} and not calls.prompts
    assert len(second.audio) == len(first.audio) == FRAMES * SPF

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert kept_design_prompt("old-sea-captain", w.ctx.library.root) is None
    assert "next take draws a new Old Sea Captain" in w.speak.status.text()
    with watch_models() as calls:
        _take(qtbot, w)
    assert calls.generated == {"voice_design": 1} and calls.prompts == {"base": 1}
    again = kept_design_prompt("old-sea-captain", w.ctx.library.root)
    assert again is not None and not np.array_equal(again.spk_embedding, kept.spk_embedding)

    assert w.voices.select_key("speaker:ryan")  # other voices have nothing to redraw
    assert not button.isVisible()


@pytest.fixture
def design_only_window(qtbot, tiny_models_dir, fake_sd):
    from studio.engine.pool import ModelPool

    folder = tiny_models_dir / "Qwen3-TTS-12Hz-Tiny-VoiceDesign"
    ctx = make_ctx(ModelPool(device="cpu", roots=[folder]), fake_sd)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    yield w
    w.close()
    assert ctx.shutdown()


def test_without_a_base_model_a_notice_offers_it_once_and_the_take_completes(
        qtbot, design_only_window, monkeypatch):
    from studio.ui.dialogs.model_manager import ModelManagerDialog

    w = design_only_window
    _captain(qtbot, w)
    w.speak.text.setPlainText(LINE + "\n\nAnd I lived to tell ye about every one of them.")
    record = _take(qtbot, w)
    assert len(record.audio) == 2 * FRAMES * SPF + int(0.55 * 24000)
    notice = w.notice
    assert "No Base model" in notice.text() and "Qwen3-TTS-12Hz-0.6B-Base" in notice.text()
    assert notice.action.isVisible() and "0.6B-Base" in notice.action.text()
    assert kept_design_prompt("old-sea-captain", w.ctx.library.root) is None

    opened: list[ModelManagerDialog] = []
    focused: list[object] = []

    def show_instead(dialog: ModelManagerDialog) -> int:  # exec() would block the test
        opened.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        focused.append(dialog.focusWidget())
        dialog.close()
        return 0

    monkeypatch.setattr(ModelManagerDialog, "exec", show_instead)
    qtbot.mouseClick(notice.action, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].focus_key == "Qwen/Qwen3-TTS-12Hz-0.6B-Base"
    assert focused == [opened[0].rows["Qwen/Qwen3-TTS-12Hz-0.6B-Base"].button("download")]

    notice.hide()
    _take(qtbot, w)  # said once: the next take completes without repeating it
    assert "No Base model" not in notice.text()
