"""The Model manager's transcription models: listed with download and delete, a role of
their own ("Transcription"), and folders the user already has (fake hub, no network)."""

from __future__ import annotations

import shutil

import pytest

from studio.hub import read_asr_info
from studio.hub.catalog import ASR_CATALOG
from studio.testing.fake_hub import FakeHub
from studio.ui.widgets import model_row as mr
from tests.hub.test_download_asr import whisper_repo
from tests.ui import test_model_manager as mm
from tests.ui.test_model_manager import LEFT, models_dir, wait_ended

# the Model manager tests' fixtures: a context, dialogs closed after the test, HF_* kept
ctx, open_dialog, hf_env = mm.ctx, mm.open_dialog, mm.hf_env

SMALL = "openai/whisper-small"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    hub = FakeHub.start({SMALL: whisper_repo()})
    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    yield hub
    hub.stop()


def test_whisper_models_are_listed_downloaded_chosen_and_deleted(qtbot, hub, ctx, open_dialog,
                                                                  monkeypatch) -> None:
    dlg = open_dialog()
    assert [dlg.rows[e.repo_id].title.text() for e in ASR_CATALOG] == [
        "whisper-small", "whisper-large-v3-turbo"]
    row = dlg.rows[SMALL]
    assert row.state == mr.ABSENT and row.visible_buttons() == ["download"]
    assert "Whisper (transcription)" in row.detail.text()
    assert not dlg.roles.combos["asr"].isEnabled()

    with wait_ended(qtbot, ctx, "done"):
        qtbot.mouseClick(row.button("download"), LEFT)
    folder = models_dir() / "whisper-small"
    assert read_asr_info(folder).usable and not (folder / "pytorch_model.bin").exists()
    assert row.state == mr.ON_DISK and row.visible_buttons() == ["delete"]
    assert dlg.first_run.isVisibleTo(dlg)  # still no voice model: the welcome stays
    combo = dlg.roles.combos["asr"]
    assert combo.isEnabled() and combo.itemText(0) == "Automatic (whisper-small)"
    combo.setCurrentIndex(combo.findData(str(folder)))
    assert ctx.settings.roles == {"asr": str(folder)}

    monkeypatch.setattr(dlg, "confirm", lambda *a: True)
    qtbot.mouseClick(row.button("delete"), LEFT)
    assert not folder.exists() and row.state == mr.ABSENT
    assert ctx.settings.roles == {}  # the role of a deleted model is forgotten


def test_a_whisper_folder_i_already_have(qtbot, ctx, open_dialog, tiny_whisper_dir,
                                         tmp_path) -> None:
    mine = tmp_path / "downloads" / "whisper-mine"
    shutil.copytree(tiny_whisper_dir, mine)
    dlg = open_dialog()
    assert dlg.add_folder(mine)
    assert ctx.settings.model_folders == [str(mine.resolve())]
    row = dlg.other_rows[str(mine.resolve())]
    assert row.state == mr.ON_DISK and "Whisper" in row.detail.text()
    assert dlg.roles.combos["asr"].findData(str(mine.resolve())) > 0
    (mine / "model.safetensors").unlink()
    assert not dlg.add_folder(tmp_path / "downloads" / "whisper-mine")
    assert "Whisper model, but it is incomplete" in dlg.notice.label.text()
