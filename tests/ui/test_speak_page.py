"""The Speak workspace against the real engine on the tiny models."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.ui.main_window import MainWindow

SPF = 1920


@pytest.fixture
def window(speak_window):
    speak_window.speak.text.setFocus()
    return speak_window


def _generate(qtbot, w, text="Hello there, streaming.", key=False):
    w.speak.text.setPlainText(text)
    events: list[tuple[str, int]] = []
    with qtbot.waitSignal(w.speak.take_finished, timeout=60000) as blocker:
        if key:  # the Ctrl+Enter shortcut
            qtbot.keyClick(w.speak.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        else:
            w.speak.generate()
        job = w.speak.take  # its reports are queued until the test waits: none is missed
        job.chunk.connect(lambda start, end: events.append(("chunk", end - start)))
        job.finished.connect(lambda t: events.append(("finished", len(t.audio))))
    return blocker.args[0], events


def test_generate_streams_chunks_before_the_take_ends_into_wave_and_player(qtbot, window, fake_sd):
    record, events = _generate(qtbot, window, key=True)
    assert len(record.audio) == 8 * SPF and record.sample_rate == 24000
    kinds = [k for k, _ in events]
    assert kinds.count("chunk") >= 2 and kinds[-1] == "finished"
    assert kinds.index("finished") > kinds.index("chunk")
    # the waveform holds exactly what was generated
    np.testing.assert_array_equal(window.speak.wave.audio, record.audio)
    # the player received the chunks in order: what the device is asked for is the take
    stream = fake_sd.last
    window.ctx.playback.player.pump()  # top the ring up now, not when the feeder next wakes
    out = stream.pull(len(record.audio) + 24000)[:, 0]
    start = int(np.flatnonzero(out)[0])
    np.testing.assert_allclose(out[start:start + len(record.audio)], record.audio, atol=1e-6)
    assert window.speak.history.records[0] is record
    assert window.speak.generate_button.isEnabled() and not window.speak.stop_button.isEnabled()


@pytest.mark.parametrize("new_each", [True, False])
def test_clicking_generate_records_the_real_seed(qtbot, window, new_each):
    box = window.speak.sampling
    box.new_each.setChecked(new_each)
    box.seed.setValue(4321)
    window.speak.text.setPlainText("Clicked, not typed.")
    with qtbot.waitSignal(window.speak.take_finished, timeout=60000) as blocker:
        qtbot.mouseClick(window.speak.generate_button, Qt.MouseButton.LeftButton)
    record = blocker.args[0]
    assert type(record.seed) is int  # noqa: E721 - a bool is an int too
    assert record.seed == box.seed.value() == window.speak.last_take.seed
    assert new_each or record.seed == 4321
    assert window.speak.history.table.item(0, 2).text() == str(record.seed)
    assert f"seed {record.seed}" in window.speak.status.text()


def test_escape_stops_at_once_and_keeps_what_was_made(qtbot, window):
    window.speak.max_frames = 400
    window.speak.text.setPlainText("A very long take that we will stop.")
    job = window.speak.generate()
    qtbot.waitSignal(job.chunk, timeout=60000).wait()
    with qtbot.waitSignal(window.speak.take_finished, timeout=20000) as blocker:
        qtbot.keyClick(window.speak.text, Qt.Key.Key_Escape)
    record = blocker.args[0]
    assert record.stop_reason == "cancelled"
    assert 0 < len(record.audio) < 40 * SPF
    assert "Kept" in window.notice.text()
    assert window.speak.take is None and window.speak.generate_button.isEnabled()


def test_history_regenerate_export_delete(qtbot, window, tmp_path, monkeypatch):
    first, _ = _generate(qtbot, window)
    history = window.speak.history
    history.select_rows([0])
    with qtbot.waitSignal(window.speak.take_finished, timeout=60000) as blocker:
        history.regen_button.click()
    second = blocker.args[0]
    assert second.seed != first.seed and second.text == first.text
    assert len(history.records) == 2
    target = tmp_path / "take.flac"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    history.select_rows([0])
    history.export_button.click()
    import soundfile as sf

    data, sr = sf.read(target)
    assert sr == 24000 and len(data) == len(second.audio)
    history.select_rows([1])
    history.delete_button.click()
    assert history.records == [second]


def test_same_seed_reproduces_the_take(qtbot, window):
    box = window.speak.sampling
    box.new_each.setChecked(False)
    box.seed.setValue(1234)
    a, _ = _generate(qtbot, window, "Repeat after me.")
    b, _ = _generate(qtbot, window, "Repeat after me.")
    assert a.seed == b.seed == 1234
    np.testing.assert_array_equal(a.audio, b.audio)


@pytest.fixture
def only_custom_voice(qtbot, tiny_models_dir, tmp_path, fake_sd):
    """A window whose models folder holds only a CustomVoice model."""
    import shutil

    from studio.engine.pool import ModelPool
    from tests.ui.conftest import make_ctx

    only = tmp_path / "models"
    shutil.copytree(next(p for p in tiny_models_dir.iterdir() if p.name.endswith("CustomVoice")),
                    only / "cv")
    w = MainWindow(make_ctx(ModelPool(device="cpu", roots=[only]), fake_sd))
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_a_voice_whose_model_is_missing_says_what_to_get_and_opens_the_manager_there(
        qtbot, only_custom_voice):
    from tests.ui.modal import when_modal

    w = only_custom_voice
    assert w.voices.select_key("design:anime-heroine")
    assert "needs VoiceDesign 1.7B" in w.speak.voice_detail.text()
    w.speak.text.setPlainText("Hello.")
    qtbot.mouseClick(w.speak.generate_button, Qt.MouseButton.LeftButton)
    assert w.speak.take is None  # nothing was sent to the engine
    text = w.notice.text()
    assert "VoiceDesign 1.7B" in text and "Model manager" in text
    assert "voice-studio" not in text and "Models >" not in text
    assert w.notice.action.isVisible() and w.notice.action.text() == "Open model manager"
    seen: list = []

    def look(dialog) -> None:  # noqa: ANN001
        row = dialog.focused_row
        seen.append((row.key, row.property("wanted"),
                     row.visibleRegion().boundingRect().height() > 0))
        dialog.reject()

    when_modal(look)
    qtbot.mouseClick(w.notice.action, Qt.MouseButton.LeftButton)
    assert seen == [("Qwen/Qwen3-TTS-12Hz-1.7B-VoiceDesign", True, True)]


def test_the_engine_says_a_missing_model_in_window_words(qtbot, only_custom_voice):
    from studio.engine.speak_request import DESIGN, SpeakRequest

    job = only_custom_voice.ctx.inference.speak(SpeakRequest("Hi.", DESIGN, instruct="calm"))
    with qtbot.waitSignal(job.failed, timeout=30000) as blocker:
        pass
    message = blocker.args[0]
    assert "VoiceDesign" in message and "Model manager" in message
    assert "voice-studio" not in message and "Models >" not in message


def test_no_audio_device_still_generates(qtbot, tiny_models_dir, no_audio_sd):
    from studio.engine.pool import ModelPool
    from tests.ui.conftest import make_ctx

    ctx = make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir]), no_audio_sd)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    try:
        w.speak.max_frames = 5
        w.voices.select_key("speaker:aiden")
        record, _ = _generate(qtbot, w, "No speakers here.")
        assert len(record.audio) == 5 * SPF
        assert "No audio output device" in w.notice.text() or w.notice.level == "warning"
    finally:
        w.close()


def test_closing_during_generation_cancels_and_releases_the_device(qtbot, ui_ctx, fake_sd):
    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    w.show()
    w.speak.max_frames = 400
    w.voices.select_key("speaker:ryan")
    w.speak.text.setPlainText("Closing while this is generating.")
    job = w.speak.generate()
    qtbot.waitSignal(job.chunk, timeout=60000).wait()
    w.close()
    assert not ui_ctx.inference.thread.isRunning()
    assert all(s.closed for s in fake_sd.streams)


@pytest.mark.parametrize(("file_type", "typed", "written"),
                         [("FLAC", "mytake", "mytake.flac"), ("Ogg", "mytake", "mytake.ogg"),
                          ("WAV", "my.take", "my.take.wav")])
def test_export_offers_each_format_and_the_chosen_type_decides(qtbot, window, tmp_path,
                                                               file_type, typed, written):
    import soundfile as sf
    from PySide6.QtWidgets import (
        QComboBox,
        QDialogButtonBox,
        QFileDialog,
        QFileSystemModel,
        QLineEdit,
    )

    from tests.ui.modal import when_modal

    record, _ = _generate(qtbot, window)
    offered: list[str] = []

    def save_as(dialog: QFileDialog) -> None:
        types = dialog.findChild(QComboBox, "fileTypeCombo")
        offered.extend(types.itemText(i) for i in range(types.count()))
        model = dialog.findChild(QFileSystemModel)
        with qtbot.waitSignal(model.directoryLoaded, timeout=5000, raising=False):
            dialog.setDirectory(str(tmp_path))  # the user goes to the folder first
        types.setCurrentIndex(next(i for i, t in enumerate(offered) if t.startswith(file_type)))
        types.activated.emit(types.currentIndex())  # as a user's choice does
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.clear()
        qtbot.keyClicks(name, typed)
        box = dialog.findChild(QDialogButtonBox)
        qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Save),
                         Qt.MouseButton.LeftButton)

    when_modal(save_as)
    qtbot.mouseClick(window.speak.history.export_button, Qt.MouseButton.LeftButton)
    assert [t.split(" ")[0] for t in offered] == ["WAV", "FLAC", "Ogg", "MP3"][:len(offered)]
    assert len(offered) >= 3
    info = sf.info(str(tmp_path / written))
    assert info.format == {"FLAC": "FLAC", "Ogg": "OGG", "WAV": "WAV"}[file_type]
    assert info.frames == len(record.audio)
    assert f"Saved {written}" in window.notice.text()


def test_the_chosen_type_replaces_another_audio_extension():
    from pathlib import Path

    from studio.ui.take_export import with_extension

    assert with_extension(Path("a/take.wav"), "flac") == Path("a/take.flac")
    assert with_extension(Path("a/take.FLAC"), "flac") == Path("a/take.FLAC")
    assert with_extension(Path("a/my.take"), "mp3") == Path("a/my.take.mp3")
