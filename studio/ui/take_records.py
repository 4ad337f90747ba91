"""A take as the Speak page holds it: the audio in memory while it is fresh, or read back
from the take history on first use (after a restart), with what made it, so it can be
made again with a new seed or in the other speed mode."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from studio.engine.options import Sampling, Streaming
from studio.engine.speak_request import SpeakRequest
from studio.history import HistoryTake

_ids = itertools.count(1)
SAMPLING_KEYS = ("temperature", "top_k", "top_p", "repetition_penalty", "max_frames")


@dataclass
class TakeRecord:
    text: str
    voice_name: str
    voice_key: str
    seed: int
    sample_rate: int
    duration_s: float
    request: SpeakRequest | None = field(default=None, repr=False)  # made in this session
    stop_reason: str = "complete"
    settings: dict[str, Any] = field(default_factory=dict)  # as kept in the history
    stored: HistoryTake | None = None  # its copy in the history (None: not kept)
    audio_data: np.ndarray | None = field(default=None, repr=False)
    id: int = field(default_factory=lambda: next(_ids))
    created: float = field(default_factory=time.time)

    @property
    def audio(self) -> np.ndarray:
        """The take's audio (read from the history the first time it is needed)."""
        if self.audio_data is None:
            if self.stored is None:
                return np.zeros(0, np.float32)
            self.audio_data = self.stored.load_audio()
        return self.audio_data

    @property
    def duration(self) -> float:
        return self.duration_s

    @property
    def can_remake(self) -> bool:
        return self.request is not None or bool(self.settings.get("mode"))


def settings_of(request: SpeakRequest | None, speed: str) -> dict[str, Any]:
    """What the history keeps of a request: plain values, enough to make it again."""
    if request is None:
        return {}
    sampling = {k: getattr(request.sampling, k) for k in SAMPLING_KEYS
                if getattr(request.sampling, k) is not None}
    return {"mode": request.mode, "language": request.language,
            "instruct": request.instruct or "", "speed": request.speed or speed,
            "model": request.model or "", "sampling": sampling}


def from_history(take: HistoryTake) -> TakeRecord:
    return TakeRecord(text=take.text, voice_name=take.voice_name, voice_key=take.voice_key,
                      seed=take.seed, sample_rate=take.sample_rate, duration_s=take.duration_s,
                      stop_reason=take.stop_reason, settings=dict(take.settings), stored=take,
                      created=take.created.timestamp())


def remake(record: TakeRecord, ref: Any, library: Any, seed: int,
           first_chunk: int, speed: str | None = None) -> SpeakRequest:
    """The request that makes ``record`` again with ``seed`` (and ``speed``): its own
    request if it was made in this session, else one built from what the history kept
    (``ref``: the VoiceRef its voice key resolves to)."""
    if record.request is not None:
        base = record.request
    else:
        s = record.settings
        params = {k: v for k, v in (s.get("sampling") or {}).items() if k in SAMPLING_KEYS}
        base = ref.request(record.text, library, language=s.get("language") or None,
                           instruct=s.get("instruct") or None, sampling=Sampling(**params),
                           streaming=Streaming(first_chunk=first_chunk),
                           model=s.get("model") or None)
        base = replace(base, speed=s.get("speed") or None)
    return replace(base, sampling=replace(base.sampling, seed=seed),
                   speed=speed if speed is not None else base.speed)
