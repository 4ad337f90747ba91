"""What a generation returns: the audio, how it was made, and why it ended."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.engine.drawn_voice import DrawnVoice

# Why a take ended.
COMPLETE = "complete"  # the model said all it had to say
MAX_LENGTH = "max_length"  # the user's length cap was reached
RUNAWAY = "runaway"  # the runaway guard stopped a generation that would not end
CANCELLED = "cancelled"
INTERRUPTED = "interrupted"  # a server or its connection failed mid-take: ``notes`` say how


@dataclass
class Take:
    audio: np.ndarray  # float32 mono
    sample_rate: int
    seed: int
    stop_reason: str = COMPLETE
    frames: int = 0
    segments: int = 1
    elapsed_s: float = 0.0
    first_chunk_s: float | None = None  # from start to the first audio chunk
    model_name: str = ""
    notes: list[str] = field(default_factory=list)  # sentences for the user about the take
    download_hint: str | None = None  # a catalog model the notes suggest getting
    voice: DrawnVoice | None = field(default=None, repr=False)  # a design take's fixed voice

    @property
    def duration_s(self) -> float:
        return len(self.audio) / float(self.sample_rate) if self.sample_rate else 0.0

    @property
    def message(self) -> str | None:
        """A sentence for the user when the take did not end normally."""
        if self.stop_reason == RUNAWAY:
            return ("Generation was stopped by the runaway guard: the model kept going far past "
                    "the expected length of the text. Try again with another seed, or split "
                    "the text.")
        if self.stop_reason == MAX_LENGTH:
            return "Stopped at the maximum length set in the options; the text may be cut off."
        if self.stop_reason == INTERRUPTED:
            return " ".join(self.notes) or (f"The take was cut off after {self.duration_s:.1f} s; "
                                            "what arrived is kept.")
        if self.stop_reason == CANCELLED:
            return f"Stopped. Kept the {self.duration_s:.1f} s generated so far."
        return None
