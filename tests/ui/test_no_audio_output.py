"""Without an audio output device every play control is disabled up front, with the reason
in its tooltip, while generating keeps working; once a device appears they come back.

Real engine on the tiny models (capped with ``max_frames``: they never end by themselves).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from studio.audio.devices import audio_available
from studio.ui.main_window import MainWindow
from tests.engine.helpers import voice_like

SPF = 1920  # samples per 80 ms codec frame at 24 kHz
LONG = 60_000  # ms: generous for a loaded 2-core machine


@pytest.fixture
def window(qtbot, tiny_models_dir, no_audio_sd, monkeypatch):
    from studio.engine.pool import ModelPool
    from tests.ui.conftest import make_ctx

    # closing discards the unsaved clip and candidates without a modal question
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *_a: QMessageBox.StandardButton.Discard))

    ctx = make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3), no_audio_sd)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    yield w
    w.close()
    assert not ctx.inference.thread.isRunning()


def _clip(path: Path) -> Path:
    pad = np.zeros(24000, np.float32)
    sf.write(str(path), np.concatenate([pad, voice_like(6.0, sr=24000), pad]), 24000)
    return path


def _play_controls(w: MainWindow) -> dict:
    cards = w.design.cards
    return {"speak play/pause": w.speak.play_button,
            "take history Play": w.speak.history.play_button,
            "clip editor Play": w.clone.editor.play_button,
            "clone Preview": w.clone.preview_box.preview_button,
            **{f"candidate {c.index} Play": c.play_button for c in cards}}


def test_play_controls_say_why_while_generation_works(qtbot, window, no_audio_sd,
                                                      tmp_path) -> None:
    w = window
    usable, reason = audio_available(no_audio_sd, "output")
    assert not usable and "No audio output device" in reason
    assert w.ctx.playback.reason == reason

    # Speak: the take is generated and listed; only listening to it is off
    w.speak.max_frames = 5
    assert w.voices.select_key("speaker:aiden")
    w.speak.text.setPlainText("No speakers here.")
    with qtbot.waitSignal(w.speak.take_finished, timeout=LONG) as done:
        w.speak.generate()
    assert len(done.args[0].audio) == 5 * SPF
    w.speak.history.select_rows([0])
    assert w.speak.history.export_button.isEnabled()  # a file still works
    assert w.speak.generate_button.isEnabled()

    # Clone: the clip imports and checks; Save needs no preview
    assert w.clone.import_file(_clip(tmp_path / "v.wav"))
    w.clone.form.x_vector_only.setChecked(True)
    assert w.clone.editor.trim_button.isEnabled()
    assert w.clone.preview_box.save_button.isEnabled()
    with qtbot.waitSignal(w.notice.shown) as shown:
        assert w.clone.preview() is None  # Ctrl+Enter says why instead of previewing
    assert shown.args[0] == "warning" and reason in shown.args[1]

    # Design: candidates are generated; Keep stays available
    w.design.max_frames = 5
    w.design.description.setPlainText("A calm, deep male voice, slow and warm.")
    w.design.sample.setText("Hello there, this is a test.")
    w.design.count.setValue(2)
    assert w.design.generate() == 2
    qtbot.waitUntil(lambda: not w.design.generating
                    and all(c.finished for c in w.design.cards), timeout=LONG)
    assert all(c.keep_button.isEnabled() for c in w.design.cards)

    controls = _play_controls(w)
    assert len(controls) == 6
    for name, button in controls.items():
        assert not button.isEnabled(), name
        assert reason in button.toolTip(), name
    assert no_audio_sd.streams == []  # nothing tried to open a device

    # a device appears (e.g. chosen in Settings): the controls come back with their own tips
    no_audio_sd.devices.append(no_audio_sd._dev("Late Speakers", 0, 2, 24000.0))
    no_audio_sd.default.device = [-1, 0]
    w.ctx.playback.set_device(None)
    assert w.ctx.playback.reason == ""
    for name, button in _play_controls(w).items():
        assert button.isEnabled(), name
        assert "Cannot play" not in button.toolTip(), name
