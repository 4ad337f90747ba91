"""Small test inputs shared by the engine tests."""

from __future__ import annotations

from studio.testing.signals import SR, voice_like

__all__ = ["SR", "voice_like"]
