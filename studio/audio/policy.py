"""When playback of a take that is still arriving should start, or resume after a stall.

The player asks its policy whenever it is waiting for audio (at the start of a growing take
and after an underrun) and new audio has arrived. The default waits for a fixed amount; a
policy that estimates the arrival rate and waits until playback will not stall again can
replace it without touching the player.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BufferStatus:
    """What a start policy sees when the player waits for audio."""

    buffered_s: float  # received and not played yet
    received_s: float  # everything received so far
    position_s: float
    ended: bool  # no more audio will come
    underruns: int


StartPolicy = Callable[[BufferStatus], bool]


def prebuffer(start_threshold_s: float) -> StartPolicy:
    """Start (or resume after a stall) once ``start_threshold_s`` is buffered, or at the end."""

    def policy(status: BufferStatus) -> bool:
        return status.ended or status.buffered_s >= start_threshold_s

    return policy
