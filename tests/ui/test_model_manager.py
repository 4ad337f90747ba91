"""The Model manager against the real download code and a fake Hugging Face hub on 127.0.0.1.

Only the network is fake: the catalog's real repo ids are served by FakeHub with tiny model
content, and studio.hub.download runs unchanged on its own QThread. No sleeps: tests wait
on Qt signals and conditions with timeouts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from studio import hub as dl
from studio import paths
from studio.engine.models import DeviceChoice, LoadedModel
from studio.engine.pool import ModelPool
from studio.hub import read_model_info
from studio.hub.catalog import find
from studio.hub.locks import DownloadLock
from studio.settings import Settings
from studio.testing.fake_hub import FakeHub
from studio.testing.fake_hub_repos import tiny_repo
from studio.ui.compose import build_context
from studio.ui.dialogs.model_manager import ModelManagerDialog
from studio.ui.widgets import model_row as mr

BASE = "Qwen/Qwen3-TTS-12Hz-0.6B-Base"
VOICE = "Qwen/Qwen3-TTS-12Hz-0.6B-CustomVoice"
TIMEOUT = 15000
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def hf_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """HF_* changes made by the download code stay inside the test; never use a proxy."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    """The catalog's 0.6B Base and CustomVoice ids, served with tiny content."""
    hub = FakeHub.start({BASE: tiny_repo("base"), VOICE: tiny_repo("custom_voice", seed=5)})
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)  # download.py reads it at call time
    yield hub
    hub.stop()


@pytest.fixture
def ctx(qtbot, fake_sd):
    c = build_context(pool=ModelPool(device="cpu"), sd=fake_sd)
    yield c
    assert c.downloads.shutdown(), "a download thread did not stop"
    assert not c.downloads.running()
    assert c.shutdown(), "the inference thread did not stop"


@pytest.fixture
def open_dialog(qtbot, ctx):
    made: list[ModelManagerDialog] = []

    def make() -> ModelManagerDialog:
        dlg = ModelManagerDialog(ctx)
        made.append(dlg)
        return dlg

    yield make
    ctx.downloads.shutdown()  # nothing left to ask about when closing
    for dlg in made:
        if shiboken6.isValid(dlg):
            dlg.close()


def put_model(folder: Path, kind: str = "base", seed: int = 0, drop: str = "") -> Path:
    """A tiny model folder on disk (what a finished download or a copy leaves)."""
    for name, data in tiny_repo(kind, seed=seed).items():
        if name != drop:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    return folder


def models_dir() -> Path:
    return paths.models_dir(ensure=True)


def wait_ended(qtbot, ctx, outcome: str):  # noqa: ANN201
    def check(repo: str, got: str, message: str) -> bool:
        return got == outcome

    return qtbot.waitSignal(ctx.downloads.ended, timeout=TIMEOUT, check_params_cb=check)


# --- downloads ------------------------------------------------------------------------------


def test_download_pause_resume_then_delete(qtbot, hub, ctx, open_dialog, monkeypatch):
    dlg = open_dialog()
    row = dlg.rows[BASE]
    assert row.state == mr.ABSENT and row.visible_buttons() == ["download"]
    assert "Not downloaded" in row.status.text()
    assert not dlg.first_run.isHidden()

    hub.throttle_bps = 120_000  # ~4 s for the tiny repo: progress and pause are observable
    qtbot.mouseClick(row.button("download"), LEFT)
    qtbot.waitUntil(lambda: row.state == mr.DOWNLOADING and row.bar.value() >= 150,
                    timeout=TIMEOUT)
    assert row.visible_buttons() == ["pause"]
    assert " of " in row.status.text() and "/s" in row.status.text()
    assert row.bar.format().endswith("%")

    with wait_ended(qtbot, ctx, "cancelled"):
        qtbot.mouseClick(row.button("pause"), LEFT)
    assert row.state == mr.PAUSED and row.visible_buttons() == ["resume", "discard"]
    partial = dl.partial_state(BASE)
    assert partial is not None and not partial.active and 0 < partial.fraction < 1
    assert f"Paused at {100 * partial.fraction:.0f}%" in row.status.text()
    assert not (models_dir() / "Qwen3-TTS-12Hz-0.6B-Base").exists()

    hub.throttle_bps = None
    hub.reset_counters()
    with wait_ended(qtbot, ctx, "done"):
        qtbot.mouseClick(row.button("resume"), LEFT)
    assert row.state == mr.ON_DISK and row.visible_buttons() == ["delete"]
    assert "On disk" in row.status.text()
    # resumed with a Range request: the weights were not fetched from the start again
    assert any(r.range for r in hub.requests)
    folder = models_dir() / "Qwen3-TTS-12Hz-0.6B-Base"
    assert read_model_info(folder).usable
    assert dlg.first_run.isHidden()
    assert dlg.roles.combos["base"].isEnabled() and dlg.roles.combos["base"].count() == 2
    assert "ready to use" in dlg.notice.label.text()

    asked: list[str] = []
    monkeypatch.setattr(dlg, "confirm", lambda title, text, ok: asked.append(text) or False)
    qtbot.mouseClick(row.button("delete"), LEFT)
    assert folder.is_dir() and row.state == mr.ON_DISK  # said no
    monkeypatch.setattr(dlg, "confirm", lambda title, text, ok: asked.append(text) or True)
    qtbot.mouseClick(row.button("delete"), LEFT)
    assert not folder.exists() and row.state == mr.ABSENT
    assert "frees" in asked[0] and not dlg.first_run.isHidden()


def test_discard_a_paused_download(qtbot, hub, ctx, open_dialog, monkeypatch):
    dlg = open_dialog()
    row = dlg.rows[VOICE]
    hub.stall_after = 50_000  # the weights stop coming: a pause mid-file
    dlg.start_download(VOICE)
    assert hub.wait_for_bytes(None, 50_000)
    with wait_ended(qtbot, ctx, "cancelled"):
        qtbot.mouseClick(row.button("pause"), LEFT)
    assert row.state == mr.PAUSED and dl.partial_state(VOICE) is not None
    lock = models_dir() / dl.STAGING_DIR / "Qwen3-TTS-12Hz-0.6B-CustomVoice.lock"
    with DownloadLock(lock, VOICE):  # as if another window were downloading it
        dlg.refresh()
        assert row.state == mr.ELSEWHERE and row.visible_buttons() == []
        assert "another window" in row.status.text()
    dlg.refresh()
    monkeypatch.setattr(dlg, "confirm", lambda *a: True)
    qtbot.mouseClick(row.button("discard"), LEFT)
    assert row.state == mr.ABSENT and dl.partial_state(VOICE) is None


def test_a_failed_download_says_why(qtbot, hub, ctx, open_dialog):
    hub.status[BASE] = 404
    dlg = open_dialog()
    with wait_ended(qtbot, ctx, "failed"):
        dlg.start_download(BASE)
    row = dlg.rows[BASE]
    assert row.state == mr.ABSENT and row.visible_buttons() == ["download"]
    assert dlg.notice.level == "error" and dlg.notice.label.text()
    assert row.status.property("tone") == "error"


def test_closing_while_downloading_can_keep_it_running_or_pause_it(qtbot, hub, ctx, open_dialog,
                                                                  monkeypatch):
    hub.stall_after = 10_000
    dlg = open_dialog()
    dlg.show()
    manager = ctx.downloads
    dlg.start_download(BASE)
    qtbot.waitUntil(lambda: manager.last_progress(BASE) is not None, timeout=TIMEOUT)

    monkeypatch.setattr(ModelManagerDialog, "ask_on_close", lambda self, n: "stay")
    dlg.close()
    assert dlg.isVisible() and manager.is_running(BASE)

    monkeypatch.setattr(ModelManagerDialog, "ask_on_close", lambda self, n: "keep")
    dlg.close()
    assert manager.is_running(BASE)  # the download outlives the dialog
    again = open_dialog()  # reopened: shows the running download
    assert again.rows[BASE].state == mr.DOWNLOADING

    monkeypatch.setattr(ModelManagerDialog, "ask_on_close", lambda self, n: "pause")
    again.show()
    with wait_ended(qtbot, ctx, "cancelled"):
        again.close()
    assert not manager.running() and dl.partial_state(BASE) is not None


# --- models on disk ---------------------------------------------------------------------------


def test_first_run_panel_only_without_a_usable_model(qtbot, ctx, open_dialog):
    dlg = open_dialog()
    assert not dlg.first_run.isHidden()
    text = dlg.first_run.body.text()
    assert "0.6B" in text and "2.5 GB" in text and "Nothing is downloaded" in text
    assert "VoiceDesign" in text and "CustomVoice" in text
    assert all(r.state == mr.ABSENT for r in dlg.rows.values())
    assert not any(c.isEnabled() for c in dlg.roles.combos.values())

    put_model(models_dir() / "half", drop="model.safetensors")  # incomplete: not usable
    dlg.refresh()
    assert not dlg.first_run.isHidden()
    assert dlg.other_rows[str(models_dir() / "half")].state == mr.BROKEN

    put_model(models_dir() / "Qwen3-TTS-12Hz-0.6B-CustomVoice", "custom_voice")
    second = open_dialog()
    assert second.first_run.isHidden()
    assert second.rows[VOICE].state == mr.ON_DISK


def test_use_a_folder_i_already_have(qtbot, ctx, open_dialog, tiny_models_dir, tmp_path):
    dlg = open_dialog()
    assert dlg.add_folder(tiny_models_dir)  # a folder of models
    assert ctx.settings.model_folders == [str(tiny_models_dir.resolve())]
    assert Settings.load().model_folders == [str(tiny_models_dir.resolve())]
    assert tiny_models_dir.resolve() in [p.resolve() for p in ctx.pool.extra]
    names = {Path(k).name for k in dlg.other_rows}
    assert names == {p.name for p in tiny_models_dir.iterdir() if p.is_dir()}
    assert all(r.visible_buttons() == ["remove"] for r in dlg.other_rows.values())
    assert dlg.first_run.isHidden() and dlg.notice.level == "info"
    assert dlg.add_folder(tiny_models_dir) and len(ctx.settings.model_folders) == 1

    row = next(iter(dlg.other_rows.values()))
    qtbot.mouseClick(row.button("remove"), LEFT)
    assert ctx.settings.model_folders == [] and ctx.pool.extra == []
    assert not dlg.other_rows and tiny_models_dir.is_dir()


@pytest.mark.parametrize("case", ["empty", "not_a_model", "incomplete"])
def test_a_bad_folder_is_refused_with_a_reason(qtbot, ctx, open_dialog, tmp_path, case):
    folder = tmp_path / case
    folder.mkdir()
    if case == "not_a_model":
        (folder / "config.json").write_text('{"model_type": "llama"}')
    if case == "incomplete":
        put_model(folder, drop="speech_tokenizer/model.safetensors")
    dlg = open_dialog()
    assert not dlg.add_folder(folder)
    assert dlg.notice.level == "error"
    message = dlg.notice.label.text()
    if case == "incomplete":
        assert "incomplete" in message and "speech_tokenizer/model.safetensors" in message
    else:
        assert "not a Qwen3-TTS model folder" in message
    assert ctx.settings.model_folders == [] and ctx.pool.extra == []
    assert not Settings.load().model_folders and not dlg.other_rows


def test_role_choice_is_saved_and_reaches_the_pool(qtbot, ctx, open_dialog):
    first = put_model(models_dir() / "Qwen3-TTS-12Hz-0.6B-Base")
    second = put_model(models_dir() / "my-base", seed=3)
    dlg = open_dialog()
    combo = dlg.roles.combos["base"]
    assert combo.count() == 3 and combo.currentData() == ""  # automatic, then both models
    index = combo.findData(str(second))
    combo.setCurrentIndex(index)
    assert ctx.settings.roles == {"base": str(second)}
    assert ctx.pool.roles == {"base": str(second)}
    assert Settings.load().roles == {"base": str(second)}
    assert ctx.pool.resolve("base").path == second
    assert not dlg.roles.combos["voice_design"].isEnabled()

    again = open_dialog()
    assert again.roles.combos["base"].currentData() == str(second)
    again.roles.combos["base"].setCurrentIndex(0)
    assert ctx.settings.roles == {} and Settings.load().roles == {}
    assert ctx.pool.resolve("base").path == first


def test_a_loaded_model_is_unloaded_before_it_is_deleted(qtbot, ctx, open_dialog, monkeypatch):
    """The dialog asks the inference client to unload and deletes once it says so.

    The worker's side is played by the test: the real unload runs gc.collect() on the
    inference thread, which can deadlock or crash PySide6 while the GUI thread is busy."""
    folder = put_model(models_dir() / "Qwen3-TTS-12Hz-0.6B-Base")
    loaded = LoadedModel(read_model_info(folder), DeviceChoice("cpu", "float32", None), qwen=None)
    monkeypatch.setattr(ctx.pool, "loaded", lambda: [loaded] if folder.exists() else [])
    unloads: list[bool] = []
    monkeypatch.setattr(ctx.inference, "unload", lambda: unloads.append(True))
    dlg = open_dialog()
    row = dlg.rows[BASE]
    assert row.state == mr.LOADED and "CPU (float32)" in row.status.text()
    assert row.visible_buttons() == ["delete", "unload"]
    qtbot.mouseClick(row.button("unload"), LEFT)
    assert unloads == [True]

    monkeypatch.setattr(dlg, "confirm", lambda *a: True)
    qtbot.mouseClick(row.button("delete"), LEFT)
    assert unloads == [True, True] and folder.is_dir()  # not while it is loaded
    monkeypatch.setattr(ctx.pool, "loaded", lambda: [])
    with qtbot.waitSignal(ctx.inference.unloaded, timeout=TIMEOUT):
        ctx.inference.unloaded.emit()  # what the engine says once it has unloaded
    assert not folder.exists() and row.state == mr.ABSENT


def test_delete_refuses_folders_outside_the_models_folder(qtbot, ctx, open_dialog, tmp_path,
                                                          monkeypatch):
    outside = put_model(tmp_path / "elsewhere")
    models_dir()
    dlg = open_dialog()
    monkeypatch.setattr(dlg, "confirm", lambda *a: True)
    dlg.delete_model(outside)
    assert outside.is_dir() and dlg.notice.level == "error"
    assert "Refusing" in dlg.notice.label.text()


def app_style(widget) -> None:  # noqa: ANN001
    """The app's stylesheet, as the window has it, for realistic screenshots."""
    qss = paths.resources_dir() / "styles" / "studio.qss"
    if qss.is_file():
        widget.setStyleSheet(qss.read_text(encoding="utf-8"))


# --- screenshots --------------------------------------------------------------------------------


def test_screenshots(qtbot, hub, ctx, open_dialog):
    """First run, and one model downloading at about 40% (saved when SCREENSHOT_DIR is set)."""
    out = os.environ.get("SCREENSHOT_DIR")
    dlg = open_dialog()
    app_style(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    QApplication.processEvents()  # let the word-wrapped labels settle their heights
    shots = {"model_manager_first_run.png": dlg.grab()}
    dlg.close()

    put_model(models_dir() / "Qwen3-TTS-12Hz-0.6B-CustomVoice", "custom_voice")
    hub.throttle_bps = 100_000
    busy = open_dialog()
    app_style(busy)
    busy.show()
    qtbot.waitExposed(busy)
    busy.start_download(BASE)
    row = busy.rows[BASE]
    qtbot.waitUntil(lambda: row.bar.value() >= 400, timeout=TIMEOUT)
    assert row.state == mr.DOWNLOADING and busy.first_run.isHidden()
    shots["model_manager_downloading.png"] = busy.grab()
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        for name, pixmap in shots.items():
            assert pixmap.save(str(Path(out) / name))


def test_catalog_rows_match_the_catalog(qtbot, ctx, open_dialog):
    dlg = open_dialog()
    entry = find("Qwen3-TTS-12Hz-1.7B-VoiceDesign")
    row = dlg.rows[entry.repo_id]
    assert row.title.text() == entry.folder_name
    assert "1.7B" in row.size_label.text() and "4.5 GB" in row.size_label.text()


@pytest.mark.parametrize(("button", "answer"), [("Keep downloading", "keep"),
                                                 ("Pause now", "pause"), ("Cancel", "stay")])
def test_the_close_question_answers(qtbot, ctx, open_dialog, button, answer):
    dlg = open_dialog()

    def click() -> None:
        box = QApplication.activeModalWidget()
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    QTimer.singleShot(0, click)
    assert dlg.ask_on_close(2) == answer
