"""Transcription models download through the same code as voice models (fake hub, no
network): only the files Whisper needs, checked as Whisper models, cancel and resume."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from studio import hub as dl
from studio import paths
from studio.hub import catalog, discover, read_asr_info
from studio.testing.fake_hub import FakeHub
from studio.testing.fake_hub_repos import fake_safetensors, tiny_repo

REPO = "openai/whisper-small"


def whisper_repo() -> dict[str, bytes]:
    """Laid out like openai/whisper-small, with the weights in four formats."""
    config = {"model_type": "whisper", "d_model": 768, "encoder_layers": 12,
              "decoder_layers": 12, "num_mel_bins": 80}
    generation = {"is_multilingual": True, "lang_to_id": {"<|en|>": 1, "<|de|>": 2}}
    return {
        "config.json": json.dumps(config).encode(),
        "generation_config.json": json.dumps(generation).encode(),
        "preprocessor_config.json": b"{}",
        "tokenizer.json": b"{}", "vocab.json": b"{}", "merges.txt": b"#version: 0.2\n",
        "model.safetensors": fake_safetensors(200_000, 1),
        "pytorch_model.bin": b"\x00" * 150_000,
        "flax_model.msgpack": b"\x01" * 150_000,
        "README.md": b"# whisper",
    }


@pytest.fixture(autouse=True)
def _hf_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def models(studio_home: Path) -> Path:
    return paths.models_dir(ensure=True)


def test_the_catalog_has_two_whisper_models() -> None:
    names = [e.folder_name for e in catalog.ASR_CATALOG]
    assert names == ["whisper-small", "whisper-large-v3-turbo"]
    assert all(e.kind == "asr" and "model.safetensors" in e.files for e in catalog.ASR_CATALOG)
    assert catalog.find("whisper-small") is None  # the voice catalog is unchanged
    assert catalog.find_any("WHISPER-SMALL").repo_id == REPO
    assert dl.resolve_repo_id("whisper-large-v3-turbo") == "openai/whisper-large-v3-turbo"
    assert dl.model_kind_of(REPO) == "asr" and dl.model_kind_of("Qwen/x") == "tts"


def test_download_fetches_only_what_whisper_needs(models: Path) -> None:
    files = whisper_repo()
    events: list[dl.DownloadProgress] = []
    with FakeHub.start({REPO: files}) as hub:
        plan = dl.plan("whisper-small", endpoint=hub.endpoint)
        assert {f.path for f in plan.files} == set(files) - {
            "pytorch_model.bin", "flax_model.msgpack", "README.md"}
        path = dl.download("whisper-small", endpoint=hub.endpoint, progress=events.append)
        served = hub.bytes_served
    assert path == models / "whisper-small"
    assert not any(k.endswith((".bin", ".msgpack")) for k in served)
    assert events[-1].state == dl.DONE and events[-1].done_bytes == plan.total_bytes
    info = read_asr_info(path)
    assert info is not None and info.usable and info.size == "small"
    assert info.languages == ("en", "de")
    assert dl.installed_path("whisper-small") == path
    assert [m.name for m in discover(kind="asr")] == ["whisper-small"]
    assert discover() == []  # not a voice model


def test_cancel_keeps_the_partial_and_resumes(models: Path) -> None:
    files = whisper_repo()
    cancel = threading.Event()
    read = threading.Condition()
    seen: list[dl.DownloadProgress] = []

    def progress(p: dl.DownloadProgress) -> None:
        with read:
            seen.append(p)
            read.notify_all()

    with FakeHub.start({REPO: files}, stall_after=50_000) as hub:
        errors: list[BaseException] = []

        def run() -> None:
            try:
                dl.download(REPO, endpoint=hub.endpoint, cancel=cancel, progress=progress,
                            progress_interval=0.0)
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        with read:  # the downloader has read (not just been sent) the first 50 kB
            assert read.wait_for(lambda: any(p.file == "model.safetensors"
                                             and p.file_done >= 50_000 for p in seen), 10)
        cancel.set()
        thread.join(10)
        assert isinstance(errors[0], dl.DownloadCancelled)
        assert dl.partial_state(REPO).done_bytes >= 50_000
        hub.stall_after = None
        hub.release()
        assert read_asr_info(dl.download(REPO, endpoint=hub.endpoint)).usable


def test_repos_that_are_not_whisper_are_refused(models: Path) -> None:
    files = whisper_repo()
    tts_as_asr = dict(tiny_repo())
    no_weights = {k: v for k, v in files.items() if k != "model.safetensors"}
    with FakeHub.start({REPO: tts_as_asr, "openai/whisper-large-v3-turbo": no_weights,
                        "someone/whisper": files}) as hub:
        with pytest.raises(dl.NotAModel, match="not a Whisper.*(generation_config|whisper)"):
            dl.download(REPO, endpoint=hub.endpoint)
        with pytest.raises(dl.NotAModel, match="model.safetensors"):
            dl.download("whisper-large-v3-turbo", endpoint=hub.endpoint)
        with pytest.raises(dl.NotAModel, match="Qwen3-TTS"):  # not in the catalog: a voice model?
            dl.download("someone/whisper", endpoint=hub.endpoint)
        path = dl.download("someone/whisper", endpoint=hub.endpoint, model_kind="asr")
        assert read_asr_info(path).usable
        assert (path / "pytorch_model.bin").is_file()  # not a catalog entry: everything


def test_a_copied_whisper_folder_can_be_deleted(models: Path) -> None:
    folder = models / "my-whisper"
    folder.mkdir()
    for name, data in whisper_repo().items():
        (folder / name).write_bytes(data)
    dl.delete_model(folder)
    assert not folder.exists()
