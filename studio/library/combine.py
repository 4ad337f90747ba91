"""One reference from several takes of a voice: their clips joined, their words joined.

Why: a single short clip often misses part of a voice (a question's rise, a calm and a lively
sentence); the cloning model conditions on one clip and its transcript, so giving it two
or three good takes back to back, within the length it handles well, shows it more of the
voice. The result is an ordinary clip and transcript: the caller builds its prompt and keeps
it as a new take, so nothing already saved changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.audio.edit import fade, normalize
from studio.audio.samplerate import SAMPLE_RATE
from studio.errors import InvalidInput

MAX_SECONDS = 30.0  # the reference check warns above this: the model handles up to ~30 s
GAP_SECONDS = 0.4  # a breath between takes, so the joins sound like pauses, not cuts
LEVEL_DBFS = -20.0  # every take brought to the same speech level before joining


@dataclass(frozen=True)
class Combined:
    audio: np.ndarray  # mono float32 at 24 kHz
    transcript: str
    label: str  # "Takes 1+2": the new take's label
    take_ids: tuple[str, ...]

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def combine_takes(entry: Any, take_ids: Sequence[str], max_seconds: float = MAX_SECONDS,
                  gap_seconds: float = GAP_SECONDS) -> Combined:
    """Join the clips and transcripts of ``take_ids`` (in the voice's take order).

    Refuses, with what to do instead: fewer than two takes, an unknown or damaged take, a
    take without a transcript (cloning from words and sound needs both), and a total
    longer than ``max_seconds``."""
    wanted = list(dict.fromkeys(take_ids))
    if len(wanted) < 2:
        raise InvalidInput("Choose at least two takes to combine.")
    takes = {t.id: t for t in entry.takes()}
    unknown = [t for t in wanted if t not in takes]
    if unknown:
        raise InvalidInput(f"{entry.name} has no {', '.join(unknown)}. Its takes are: "
                           f"{', '.join(takes)}.")
    chosen = [t for t in takes.values() if t.id in wanted]  # the voice's own order
    for take in chosen:
        if take.problem is not None:
            raise InvalidInput(f"{take.title} cannot be used: {take.problem}.")
        if take.x_vector_only or not take.transcript().strip():
            raise InvalidInput(f"{take.title} has no transcript, and a combined reference "
                               "needs the words of every clip. Choose takes with "
                               "transcripts.")
    gap = np.zeros(int(gap_seconds * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    for take in chosen:
        audio, rate = take.load_reference()
        if rate != SAMPLE_RATE:
            raise InvalidInput(f"{take.title}'s clip is not at {SAMPLE_RATE} Hz; the voice folder "
                               "was changed outside Voice Studio.")
        level = normalize(np.asarray(audio, dtype=np.float32), SAMPLE_RATE, target_dbfs=LEVEL_DBFS)
        pieces += [fade(level, SAMPLE_RATE, 0.01, 0.02), gap]
    audio = np.concatenate(pieces[:-1])
    numbers = "+".join(str(t.number) for t in chosen)
    if len(audio) / SAMPLE_RATE > max_seconds:
        raise InvalidInput(f"Takes {numbers} add up to {len(audio) / SAMPLE_RATE:.1f} s; the cloning "
                           f"model works best with at most {max_seconds:.0f} s of reference. "
                           "Choose fewer or shorter takes.")
    words = " ".join(_sentence(t.transcript()) for t in chosen)
    return Combined(audio, words, f"Takes {numbers}", tuple(t.id for t in chosen))


def _sentence(text: str) -> str:
    """A take's words as a sentence, so two takes don't run into one another."""
    text = " ".join(text.split())
    return text if text[-1] in ".!?。！？…\"'”’)" else text + "."
