"""A voice the VoiceDesign model drew, fixed as a clone prompt, and who keeps it.

The VoiceDesign model draws a new timbre every time it speaks; the description only
constrains it. What makes a designed voice *one* voice is the clone prompt a Base model
makes from a designed sample: cloning it again gives the same speaker. A
:class:`DrawnVoice` is that prompt with the sample and how it was drawn, and a
:class:`VoiceKeeper` is whoever holds on to it between takes (the library's store of
built-in design voices, or nobody: :data:`FRESH`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from studio.engine.options import Sampling
from studio.engine.prompts import VoicePrompt


@dataclass(frozen=True)
class DrawnVoice:
    prompt: VoicePrompt  # made by a Base model from ``sample``; its ref_text is the words
    sample: np.ndarray = field(repr=False)  # the designed audio, float32 mono
    sample_rate: int
    description: str  # what the VoiceDesign model was told
    language: str  # as the engine was given it ("english", "auto")
    seed: int
    design_model: str  # the VoiceDesign model that drew it
    sampling: Sampling = Sampling()

    @property
    def text(self) -> str:
        return self.prompt.ref_text or ""

    @property
    def seconds(self) -> float:
        return len(self.sample) / float(self.sample_rate) if self.sample_rate else 0.0


class VoiceKeeper(Protocol):
    """Holds a design voice between takes. Called on the engine's thread."""

    def kept(self) -> DrawnVoice | None:
        """The voice drawn before, or None to draw one."""

    def keep(self, voice: DrawnVoice) -> None:
        """Hold on to a voice just drawn (or remade for another Base model)."""


class FreshVoice:
    """Keeps nothing: every take draws anew, and the drawn voice stays on the take for
    whoever wants to keep it (the Design page's candidates, ``design --save-as``)."""

    def kept(self) -> DrawnVoice | None:
        return None

    def keep(self, voice: DrawnVoice) -> None:
        return None


FRESH = FreshVoice()
