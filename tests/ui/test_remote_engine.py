"""The window with its takes made by a Voice Studio server (the real one, on 127.0.0.1, on the
tiny models), and no model on this computer at all: Settings > Engine, Speak, Clone
preview, Design candidates, and a server that fails mid-take."""

from __future__ import annotations

import os
import socket
import stat

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from studio import paths
from studio.engine.backend import LocalBackend
from studio.engine.pool import ModelPool
from studio.remote.choice import STUDIO
from studio.remote.studio_server import StudioServer
from studio.settings import Settings
from studio.ui.compose import build_context
from studio.ui.dialogs.settings_dialog import SettingsDialog
from studio.ui.main_window import MainWindow
from tests.server.conftest import (  # noqa: F401 (fixtures, found by pytest by name)
    HELD,
    SAMPLES_PER_FRAME,
    api,
    one_torch_thread,
    serve,
)
from tests.ui.clone_helpers import speech_file

LONG = 60_000


def completed(api):  # noqa: ANN001, ANN201, F811
    return api.http.get("/health").json()["queue"]["completed"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def window_on(qtbot, fake_sd, url: str, tmp_path, monkeypatch) -> MainWindow:  # noqa: ANN001
    """The window of a computer without models, whose settings send takes to ``url``; it
    closes without asking about the candidates and clips the test leaves."""
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Discard))
    settings = Settings(engine=STUDIO, server_url=url)
    ctx = build_context(settings=settings, pool=ModelPool(device="cpu", roots=[tmp_path]),
                        sd=fake_sd)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    for page in (w.speak, w.clone, w.design):
        page.max_frames = 8
    assert w.voices.select_key("speaker:ryan")
    return w


def click(qtbot, button) -> None:  # noqa: ANN001
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_settings_engine_tests_the_server_and_switches_to_it(qtbot, serve, ui_ctx):  # noqa: F811
    server = serve()
    guarded = serve(token="the-token")
    dlg = SettingsDialog(ui_ctx)
    qtbot.addWidget(dlg)
    source = dlg.source
    assert source.mode.currentData() == "local" and not source.test_button.isEnabled()
    assert source.test_button.isHidden() and source.pages[0].isVisibleTo(source)
    local_height = source.sizeHint().height()
    source.mode.setCurrentIndex(source.mode.findData(STUDIO))
    assert source.test_button.isEnabled()
    assert source.pages[1].isVisibleTo(source) and not source.pages[0].isVisibleTo(source)
    assert source.sizeHint().height() > local_height  # no empty room for the hidden pages

    qtbot.keyClicks(source.url, f"127.0.0.1:{free_port()}")
    click(qtbot, source.test_button)
    qtbot.waitUntil(lambda: "Cannot reach" in source.result.text(), timeout=LONG)
    source.url.clear()
    qtbot.keyClicks(source.url, guarded.url)
    click(qtbot, source.test_button)
    qtbot.waitUntil(lambda: "needs a token" in source.result.text(), timeout=LONG)
    qtbot.keyClicks(source.token, "the-token")
    qtbot.waitUntil(source.test_button.isEnabled)
    click(qtbot, source.test_button)
    qtbot.waitUntil(lambda: "Connected: Voice Studio" in source.result.text(), timeout=LONG)
    assert "VoiceDesign" in source.result.text() and source.missing.isHidden()

    source.url.clear()
    qtbot.keyClicks(source.url, server.url)
    with qtbot.waitSignal(ui_ctx.inference.engine_changed, timeout=LONG) as changed:
        click(qtbot, dlg.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert changed.args[0] == f"Voice Studio server at {server.url.split('//')[1]}"
    assert isinstance(ui_ctx.inference.backend, StudioServer)
    s = Settings.load()
    assert (s.engine, s.server_url, s.server_token) == (STUDIO, server.url, "the-token")
    assert stat.S_IMODE(os.stat(paths.settings_file()).st_mode) == 0o600


def test_speak_clone_and_design_run_on_the_server(qtbot, api, fake_sd, tmp_path,  # noqa: F811
                                                   monkeypatch):
    w = window_on(qtbot, fake_sd, api.url, tmp_path, monkeypatch)
    ctx = w.ctx
    try:
        qtbot.waitUntil(lambda: "Voice Studio server at" in w.device_label.text(), timeout=LONG)
        w.speak.text.setPlainText("Hello there.")
        with qtbot.waitSignal(w.speak.take_finished, timeout=LONG) as spoken:
            click(qtbot, w.speak.generate_button)
        record = spoken.args[0]
        assert len(record.audio) == 5 * SAMPLES_PER_FRAME  # the server's cap, not the page's
        assert len(w.speak.history.records) == 1 and completed(api) == 1

        clone = w.clone
        clone.import_file(speech_file(tmp_path / "v.wav", seconds=3.0, sr=24000, channels=1))
        clone.form.transcript.setPlainText("Hello there.")
        with qtbot.waitSignal(clone.preview_finished, timeout=LONG) as previewed:
            click(qtbot, clone.preview_box.preview_button)
        assert len(previewed.args[0].audio) > 0
        kept = list((api.state.library.root / "cache" / "voice-prompts").iterdir())
        assert len(kept) == 1  # the clip became a prompt on the server, kept by its hash

        design = w.design
        design.description.setPlainText("A calm, low voice.")
        design.sample.setText("Hello there.")
        design.count.setValue(2)
        click(qtbot, design.generate_button)
        qtbot.waitUntil(lambda: len(design.cards) == 2 and all(c.finished for c in design.cards)
                        and not design.generating, timeout=LONG)
        assert completed(api) == 5  # the take, the prompt, the preview, two candidates
    finally:
        w.close()
    assert not ctx.inference.thread.isRunning()


def test_a_server_failing_mid_take_keeps_the_audio_and_offers_this_computer(
        qtbot, serve, fake_sd, tmp_path, monkeypatch):  # noqa: F811
    chunks: list[int] = []

    def fail_on_second(_job, chunk) -> None:  # noqa: ANN001
        chunks.append(len(chunk))
        if len(chunks) == 2:
            raise RuntimeError("the accelerator fell over")

    failing = serve(chunk_hook=fail_on_second, streaming=HELD)
    w = window_on(qtbot, fake_sd, failing.url, tmp_path, monkeypatch)
    ctx = w.ctx
    try:
        w.speak.text.setPlainText("Hello there.")
        with qtbot.waitSignal(w.notice.shown, timeout=LONG,
                              check_params_cb=lambda level, text: level == "error"
                              and w.notice.action.isVisible()) as shown:
            click(qtbot, w.speak.generate_button)
        assert "dropped in the middle of the take" in shown.args[1]
        kept = w.speak.history.records[0]  # what arrived is in the history
        assert kept.stop_reason == "interrupted" and len(kept.audio) >= 2 * SAMPLES_PER_FRAME
        assert f"Kept the {len(kept.audio) / 24000:.1f} s that arrived" in shown.args[1]
        assert kept.seed == kept.request.sampling.seed  # the server made the page's take
        assert w.notice.action.text() == "Use this computer"
        click(qtbot, w.notice.action)
        assert isinstance(ctx.inference.backend, LocalBackend)
        assert Settings.load().engine == "local" and Settings.load().server_url == failing.url
        assert "on this computer now" in w.notice.text()

        ctx.settings.server_url = f"127.0.0.1:{free_port()}"  # nothing listens there
        from studio.remote.choice import EngineChoice
        from studio.ui.engine_switch import apply_choice

        apply_choice(ctx, EngineChoice(STUDIO, ctx.settings.server_url))
        with qtbot.waitSignal(w.notice.shown, timeout=LONG,
                              check_params_cb=lambda level, text: "Cannot reach" in text
                              and w.notice.action.isVisible()):
            click(qtbot, w.speak.generate_button)
        assert w.speak.generate_button.isEnabled()  # the page is free for the next take
    finally:
        w.close()
