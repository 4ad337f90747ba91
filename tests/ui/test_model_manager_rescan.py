"""The Model manager notices models copied into the folder while it is open (by itself, or
with Rescan), drops a failure once its cause is gone, and fits a 768 px screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QRect, Qt

from studio import paths
from studio.engine.pool import ModelPool
from studio.testing.fake_hub import FakeHub
from studio.testing.fake_hub_repos import tiny_repo
from studio.ui.compose import build_context
from studio.ui.dialogs.model_manager import ModelManagerDialog
from studio.ui.widgets import model_row as mr

VOICE = "Qwen/Qwen3-TTS-12Hz-0.6B-CustomVoice"
TIMEOUT = 15000


@pytest.fixture
def ctx(qtbot, fake_sd, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    c = build_context(pool=ModelPool(device="cpu"), sd=fake_sd)
    yield c
    assert c.downloads.shutdown()
    assert c.shutdown()


@pytest.fixture
def dialog(qtbot, ctx):
    paths.models_dir(ensure=True)
    dlg = ModelManagerDialog(ctx)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    if shiboken6.isValid(dlg):
        dlg.close()


def copy_in(tiny_models_dir: Path) -> Path:
    """What a user does in a file manager: copy a model folder into the models folder."""
    source = next(p for p in tiny_models_dir.iterdir() if p.name.endswith("CustomVoice"))
    target = paths.models_dir() / VOICE.split("/")[1]
    shutil.copytree(source, target)
    return target


def test_a_model_copied_in_while_it_is_open_appears_by_itself(qtbot, dialog, tiny_models_dir):
    row = dialog.rows[VOICE]
    assert row.state == mr.ABSENT
    copy_in(tiny_models_dir)
    qtbot.waitUntil(lambda: row.state == mr.ON_DISK, timeout=TIMEOUT)
    assert "Found" in dialog.notice.text()


def test_rescan_finds_it_too(qtbot, dialog, tiny_models_dir):
    dialog.watch.stop()  # as on a file system that reports nothing
    copy_in(tiny_models_dir)
    assert dialog.rows[VOICE].state == mr.ABSENT
    qtbot.mouseClick(dialog.rescan_button, Qt.MouseButton.LeftButton)
    assert dialog.rows[VOICE].state == mr.ON_DISK


def test_a_failed_download_stops_being_an_error_once_the_model_is_here(
        qtbot, ctx, dialog, tiny_models_dir, monkeypatch):
    hub = FakeHub.start({VOICE: tiny_repo("custom_voice")})
    try:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        hub.status[VOICE] = 404
        with qtbot.waitSignal(ctx.downloads.ended, timeout=TIMEOUT):
            qtbot.mouseClick(dialog.rows[VOICE].button("download"), Qt.MouseButton.LeftButton)
    finally:
        hub.stop()
    row = dialog.rows[VOICE]
    assert dialog.notice.level == "error" and dialog.notice.text()
    assert row.status.property("tone") == "error"
    copy_in(tiny_models_dir)  # got it another way
    qtbot.waitUntil(lambda: row.state == mr.ON_DISK, timeout=TIMEOUT)
    assert dialog.notice.level != "error" or not dialog.notice.text()
    assert VOICE not in ctx.downloads.errors
    assert row.status.property("tone") == "good"


def test_it_fits_a_768_pixel_screen_and_everything_can_be_scrolled_to(qtbot, ctx, monkeypatch):
    class Laptop:  # 1366 x 768, less a 30 px taskbar
        def availableGeometry(self) -> QRect:  # noqa: N802
            return QRect(0, 0, 1366, 738)

    monkeypatch.setattr(ModelManagerDialog, "screen", lambda self: Laptop())
    dlg = ModelManagerDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.height() <= 738 - 40  # room for the title bar
    assert dlg.minimumSizeHint().height() <= 500
    assert dlg.close_button.visibleRegion().boundingRect().height() > 0
    for widget in (dlg.roles, *dlg.rows.values()):
        dlg.scroll.ensureWidgetVisible(widget)
        assert widget.visibleRegion().boundingRect().height() > 0
