"""Fixtures: a project store in the test's home, the tiny models, one engine per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.library import VoiceLibrary
from studio.projects.store import ProjectStore


@pytest.fixture
def models(tiny_models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tiny_models_dir))
    return tiny_models_dir


@pytest.fixture
def store(studio_home: Path) -> ProjectStore:
    return ProjectStore()


@pytest.fixture
def library(studio_home: Path) -> VoiceLibrary:
    return VoiceLibrary()


@pytest.fixture(scope="module")
def engine(tiny_models_dir: Path):
    """A real EngineThread over the tiny models (what the CLI's render uses)."""
    from studio.engine.engine_thread import EngineThread
    from studio.engine.pool import ModelPool

    with EngineThread(ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3)) as eng:
        yield eng
