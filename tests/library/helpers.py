"""Test helpers: a clock the test moves, tiny prompts built with numpy, clips, voices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from studio.engine import prompts
from studio.engine.prompts import PromptShape, VoicePrompt
from studio.library import VoiceLibrary


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_prompt(seed: int = 0, text: str | None = "Hello there, this is a test.") -> VoicePrompt:
    rng = np.random.default_rng(seed)
    emb = rng.standard_normal(64).astype(np.float32)
    code = None if text is None else rng.integers(0, 2048, (10, 16), dtype=np.int64)
    return VoicePrompt(emb, code, text, PromptShape(64), model_name="Qwen3-TTS-12Hz-0.6B-Base")


def prompt_bytes(seed: int = 0) -> bytes:
    return prompts.to_bytes(make_prompt(seed))


def tone(seconds: float = 1.0, sr: int = 24_000, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def add_voice(lib: VoiceLibrary, name: str = "Alice", seed: int = 0, **kwargs):
    kwargs.setdefault("audio", tone(1.0 + seed * 0.01))
    kwargs.setdefault("sample_rate", 24_000)
    kwargs.setdefault("language", "English")
    return lib.create(name, prompt=make_prompt(seed), **kwargs)
