"""The Settings dialog: values come from ctx.settings, OK saves and applies them, Cancel does not."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from studio import paths
from studio.audio.devices import audio_available
from studio.engine.pool import ModelPool
from studio.settings import Settings
from studio.testing.fake_sd import FakeSoundDevice, PortAudioError
from studio.ui.compose import build_context
from studio.ui.context import AppContext
from studio.ui.dialogs.settings_dialog import SettingsDialog

TIMEOUT = 10000


def make_ctx(sd, **values):  # noqa: ANN001, ANN003, ANN201
    return build_context(settings=Settings(**values), pool=ModelPool(device="auto"), sd=sd)


@pytest.fixture
def contexts():
    made: list[AppContext] = []
    yield made
    for ctx in made:
        assert ctx.shutdown(), "the inference thread did not stop"


@pytest.fixture
def open_dialog(qtbot, contexts, fake_sd):
    def make(sd=fake_sd, **values) -> SettingsDialog:  # noqa: ANN001, ANN003
        ctx = make_ctx(sd, **values)
        contexts.append(ctx)
        dlg = SettingsDialog(ctx)
        qtbot.addWidget(dlg)
        return dlg

    return make


def ok(qtbot, dlg: SettingsDialog) -> None:
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def test_values_come_from_the_settings(open_dialog):
    dlg = open_dialog(device="cuda", dtype="float16", first_chunk_frames=6,
                      default_language="german", preview_retention_min=45, import_retention_h=24,
                      idle_unload_min=10, input_device="Fake Mic 0",
                      output_device="Fake Speakers 0")
    assert dlg.device.currentData() == "cuda" and dlg.dtype.currentData() == "float16"
    assert dlg.chunk.value() == 6 and dlg.chunk.text() == "480 ms"
    assert dlg.language.currentData() == "german"
    assert (dlg.preview_min.value(), dlg.import_h.value(), dlg.idle.value()) == (45, 24, 10)
    assert dlg.input_device.currentData() == "Fake Mic 0"
    assert dlg.output_device.currentData() == "Fake Speakers 0"
    assert dlg.input_device.isEnabled() and dlg.output_device.isEnabled()
    assert dlg.audio_reason.isHidden()
    assert dlg.data_folder.text() == str(paths.root()) and dlg.data_folder.isReadOnly()


def test_defaults_show_system_default_and_never(open_dialog):
    dlg = open_dialog()
    assert dlg.device.currentData() == "auto" and dlg.dtype.currentData() == "auto"
    assert dlg.input_device.currentData() == "" and dlg.output_device.currentData() == ""
    assert dlg.output_device.currentText() == "System default (Fake Speakers 0)"
    assert dlg.input_device.currentText() == "System default (Fake Mic 0)"
    assert dlg.idle.text() == "Never" and dlg.chunk.text() == "320 ms"
    assert dlg.language.currentData() == "auto"


def test_ok_saves_and_applies(qtbot, open_dialog, monkeypatch):
    dlg = open_dialog()
    ctx = dlg.ctx
    outputs: list[object] = []
    monkeypatch.setattr(ctx.playback, "set_device", outputs.append)
    dlg.device.setCurrentIndex(dlg.device.findData("cpu"))
    dlg.dtype.setCurrentIndex(dlg.dtype.findData("float32"))
    dlg.output_device.setCurrentIndex(dlg.output_device.findData("Fake Speakers 0"))
    dlg.input_device.setCurrentIndex(dlg.input_device.findData("Fake Mic 0"))
    dlg.chunk.stepBy(2)
    assert dlg.batch.text() == "Automatic"
    dlg.batch.setValue(3)
    dlg.language.setCurrentIndex(dlg.language.findData("japanese"))
    dlg.preview_min.setValue(90)
    dlg.import_h.setValue(48)
    dlg.idle.setValue(15)
    with qtbot.waitSignal(ctx.inference.unloaded, timeout=TIMEOUT):
        ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted
    # the inference worker changed the pool's device on its own thread
    qtbot.waitUntil(lambda: (ctx.pool.device_pref, ctx.pool.dtype_pref) == ("cpu", "float32"),
                    timeout=TIMEOUT)
    assert outputs == ["Fake Speakers 0"]
    saved = Settings.load()
    for s in (ctx.settings, saved):
        assert (s.device, s.dtype, s.output_device, s.input_device) == (
            "cpu", "float32", "Fake Speakers 0", "Fake Mic 0")
        assert (s.first_chunk_frames, s.default_language) == (6, "japanese")
        assert s.batch_segments == 3
        assert (s.preview_retention_min, s.import_retention_h, s.idle_unload_min) == (90, 48, 15)
    retention = ctx.library.previews.retention
    assert retention["preview"] == timedelta(minutes=90)
    assert retention["import"] == timedelta(hours=48)


def test_auto_precision_reaches_the_pool_as_none(qtbot, open_dialog):
    dlg = open_dialog(device="cpu", dtype="bfloat16")
    dlg.ctx.pool.device_pref, dlg.ctx.pool.dtype_pref = "cpu", "bfloat16"
    dlg.dtype.setCurrentIndex(dlg.dtype.findData("auto"))
    with qtbot.waitSignal(dlg.ctx.inference.unloaded, timeout=TIMEOUT):
        ok(qtbot, dlg)
    qtbot.waitUntil(lambda: dlg.ctx.pool.dtype_pref is None, timeout=TIMEOUT)
    assert dlg.ctx.settings.dtype == "auto"


def test_cancel_changes_nothing(qtbot, open_dialog, monkeypatch):
    dlg = open_dialog()
    ctx = dlg.ctx
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(ctx.inference, "set_device", lambda d, t: sent.append((d, t)))
    dlg.device.setCurrentIndex(dlg.device.findData("cpu"))
    dlg.preview_min.setValue(99)
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Rejected
    assert ctx.settings.device == "auto" and ctx.settings.preview_retention_min == 20
    assert not sent and not paths.settings_file().exists()


def test_unchanged_device_is_not_sent_again(qtbot, open_dialog, monkeypatch):
    dlg = open_dialog()
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(dlg.ctx.inference, "set_device", lambda d, t: sent.append((d, t)))
    monkeypatch.setattr(dlg.ctx.playback, "set_device", lambda d: sent.append(("out", d)))
    ok(qtbot, dlg)
    assert not sent and paths.settings_file().is_file()


def test_no_audio_devices_disables_the_combos_with_the_reason(open_dialog, no_audio_sd):
    dlg = open_dialog(sd=no_audio_sd)
    assert not dlg.input_device.isEnabled() and not dlg.output_device.isEnabled()
    assert not dlg.audio_reason.isHidden()
    for kind in ("input", "output"):
        usable, why = audio_available(no_audio_sd, kind)
        assert not usable and why and why in dlg.audio_reason.text()
    assert dlg.output_device.toolTip() == audio_available(no_audio_sd, "output")[1]


def test_a_broken_portaudio_disables_the_combos(open_dialog):
    class Broken(FakeSoundDevice):
        def query_devices(self) -> list[dict]:
            raise PortAudioError("Error querying device -1")

    dlg = open_dialog(sd=Broken())
    assert not dlg.input_device.isEnabled() and not dlg.output_device.isEnabled()
    assert "Error querying device" in dlg.audio_reason.text()
    assert dlg.output_device.currentData() == ""


def test_a_device_that_is_gone_stays_selected(qtbot, open_dialog, monkeypatch):
    dlg = open_dialog(output_device="USB Headset")
    assert dlg.output_device.currentText() == "USB Headset (not connected)"
    monkeypatch.setattr(dlg.ctx.playback, "set_device", lambda d: pytest.fail("not changed"))
    ok(qtbot, dlg)
    assert Settings.load().output_device == "USB Headset"


def test_chunk_size_is_typed_and_shown_in_milliseconds(open_dialog):
    dlg = open_dialog()
    spin = dlg.chunk
    assert spin.valueFromText("400 ms") == 5 and spin.valueFromText("100") == 1
    assert spin.valueFromText("99999") == spin.maximum()
    spin.stepBy(1)
    assert spin.value() == 5 and spin.text() == "400 ms"
    spin.lineEdit().selectAll()
    spin.lineEdit().insert("800")
    spin.interpretText()
    assert spin.value() == 10


def test_open_folder_opens_the_data_folder(qtbot, open_dialog, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    dlg = open_dialog()
    qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(paths.root())]


def test_a_save_error_keeps_the_dialog_open(qtbot, open_dialog, monkeypatch):
    dlg = open_dialog()

    def fail(self, path=None):  # noqa: ANN001
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Settings, "save", fail)
    dlg.preview_min.setValue(30)
    dlg.show()
    ok(qtbot, dlg)
    assert dlg.isVisible() and "Permission denied" in dlg.error.text()
    assert dlg.ctx.settings.preview_retention_min == 30  # applies until quit
    dlg.reject()


def app_style(widget) -> None:  # noqa: ANN001
    """The app's stylesheet, as the window has it, for realistic screenshots."""
    qss = paths.resources_dir() / "styles" / "studio.qss"
    if qss.is_file():
        widget.setStyleSheet(qss.read_text(encoding="utf-8"))


def test_screenshot(qtbot, open_dialog):
    """Saved when SCREENSHOT_DIR is set."""
    dlg = open_dialog(device="cpu", first_chunk_frames=4, default_language="english")
    app_style(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    QApplication.processEvents()
    shot = dlg.grab()
    assert not shot.isNull()
    out = os.environ.get("SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        assert shot.save(str(Path(out) / "settings.png"))
    dlg.reject()


def test_screenshot_without_audio(qtbot, open_dialog, no_audio_sd):
    dlg = open_dialog(sd=no_audio_sd)
    app_style(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    QApplication.processEvents()
    shot = dlg.grab()
    out = os.environ.get("SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        assert shot.save(str(Path(out) / "settings_no_audio.png"))
    dlg.reject()


def test_the_take_history_keeps_what_the_settings_say(open_dialog, qtbot):
    dlg = open_dialog(history_keep_days=30, history_max_mb=500)
    assert (dlg.history_days.value(), dlg.history_mb.value()) == (30, 500)
    dlg.history_days.setValue(0)
    assert dlg.history_days.text() == "For ever"
    dlg.history_mb.setValue(200)
    ok(qtbot, dlg)
    saved = Settings.load()
    assert (saved.history_keep_days, saved.history_max_mb) == (0, 200)
    assert dlg.ctx.history.keep is None and dlg.ctx.history.max_bytes == 200_000_000


def test_it_fits_a_768_pixel_screen(open_dialog, qtbot, monkeypatch):
    from PySide6.QtCore import QRect

    class Laptop:  # 1366 x 768, less a 30 px taskbar
        def availableGeometry(self) -> QRect:  # noqa: N802
            return QRect(0, 0, 1366, 738)

    monkeypatch.setattr(SettingsDialog, "screen", lambda self: Laptop())
    dlg = open_dialog()
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.height() <= 738 - 40
    ok_button = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok_button.visibleRegion().boundingRect().height() > 0
    dlg.scroll.ensureWidgetVisible(dlg.import_h)
    assert dlg.import_h.visibleRegion().boundingRect().height() > 0
