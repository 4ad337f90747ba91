"""Choose the speech recognition (Whisper) model to transcribe with, among those
``studio.hub`` finds on disk."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from studio.engine.errors import ModelNotFound
from studio.hub import AsrModelInfo, find_named

#: the order in which a model is chosen when the user has not picked one
_PREFERENCE = ("small", "large-v3-turbo", "large-turbo", "base", "medium", "large-v3", "large",
               "tiny", "custom")


def pick_asr(models: Iterable[AsrModelInfo], prefer: str | Path | None = None) -> AsrModelInfo:
    """The preferred model if given and usable, else the best default (small first)."""
    usable = [m for m in models if m.usable]
    preferred = find_named(usable, prefer)
    if preferred is not None:
        return preferred
    if not usable:
        raise ModelNotFound(
            "No transcription model is on disk. Download whisper-small in the Model manager "
            "(or 'voice-studio models download whisper-small'), or type the transcript "
            "yourself.")
    rank = {s: i for i, s in enumerate(_PREFERENCE)}
    return min(usable, key=lambda m: (rank.get(m.size, 99), m.name))
