"""Options and results of a generation, plain data shared by every caller."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.engine import stream


@dataclass(frozen=True)
class Sampling:
    """Sampling options. None means the model's own default (its generation_config.json)."""

    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    repetition_penalty: float | None = None
    max_frames: int | None = None  # a cap on each segment, in codec frames (12.5 per second)
    seed: int | None = None  # None: a fresh random seed, reported in the take
    max_seconds: float | None = None  # a cap on the whole take's audio, pauses included
    greedy: bool = False  # deterministic argmax decoding (tests, A/B comparisons)

    def generate_kwargs(self) -> dict[str, object]:
        kw: dict[str, object] = {}
        if self.greedy:
            kw.update(do_sample=False, subtalker_dosample=False)
        for name in ("temperature", "top_k", "top_p", "repetition_penalty"):
            value = getattr(self, name)
            if value is not None:
                kw[name] = value
        return kw


@dataclass(frozen=True)
class Streaming:
    """How audio is cut into chunks while generating."""

    enabled: bool = True  # False: decode once at the end of each segment (one-shot)
    first_chunk: int = stream.DEFAULT_FIRST_CHUNK
    chunks: tuple[int, ...] = stream.DEFAULT_CHUNKS
    left_context: int = stream.DEFAULT_LEFT_CONTEXT
    overlap: bool = True  # decode on a second thread while the talker generates


# Why a take ended.
COMPLETE = "complete"  # the model said all it had to say
MAX_LENGTH = "max_length"  # the user's length cap was reached
RUNAWAY = "runaway"  # the runaway guard stopped a generation that would not end
CANCELLED = "cancelled"


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
    notes: list[str] = field(default_factory=list)

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
        if self.stop_reason == CANCELLED:
            return f"Stopped. Kept the {self.duration_s:.1f} s generated so far."
        return None
