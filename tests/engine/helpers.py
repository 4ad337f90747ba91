"""Small test inputs shared by the engine tests."""

from __future__ import annotations

from studio.audio.samplerate import SAMPLE_RATE
from studio.testing.signals import voice_like

SR = SAMPLE_RATE

__all__ = ["SR", "voice_like"]
