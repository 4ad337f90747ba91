"""Fixtures: a library in a temporary root, with a clock the test moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.library import VoiceLibrary
from tests.library.helpers import FakeClock


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    monkeypatch.setenv("VOICE_STUDIO_HOME", str(root))
    return root


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lib(home: Path, clock: FakeClock) -> VoiceLibrary:
    return VoiceLibrary(clock=clock)
