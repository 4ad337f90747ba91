"""Shared fixtures: an isolated per-user root for every test, and tiny models built once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def studio_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own VOICE_STUDIO_HOME, so nothing touches the user's real data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("VOICE_STUDIO_HOME", str(home))
    monkeypatch.delenv("VOICE_STUDIO_MODELS", raising=False)
    return home


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three tiny checkpoints (base, custom_voice, voice_design), built once per session."""
    from studio.engine.compat import import_qwen_tts
    from studio.testing import tiny_models

    import_qwen_tts()
    root = tmp_path_factory.mktemp("models")
    tiny_models.build_all(root)
    return root


@pytest.fixture(scope="session")
def tiny_pool(tiny_models_dir: Path):
    """A CPU model pool over the tiny models, shared by the engine tests (loads are cached)."""
    from studio.engine.pool import ModelPool

    pool = ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3)
    yield pool
    pool.unload()


@pytest.fixture(scope="session")
def tiny_whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Whisper checkpoint (studio.testing.tiny_whisper), built once per session,
    alone in its folder (a models root with only a transcription model in it)."""
    from studio.testing import tiny_whisper

    return tiny_whisper.build(tmp_path_factory.mktemp("asr") / "whisper-tiny-random")


@pytest.fixture(scope="session")
def tiny_asr(tiny_whisper_dir: Path):
    """An AsrPool on the tiny Whisper, loaded once for the tests that only read results."""
    from studio.asr.transcribe import AsrPool

    pool = AsrPool(device="cpu", roots=[tiny_whisper_dir.parent])
    pool.get()
    yield pool
    pool.unload()
