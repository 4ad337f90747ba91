"""How a take that is still being made will grow: what its maker reports, and when each
part of it will exist.

A take is a row of segments (sentences). Its maker may generate several at once (a batch):
all rows of a round grow at the same pace, one frame per step, and the next round starts
when the longest of them is done. The maker publishes a :class:`Progress` (replaced whole,
so a reader on another thread always sees a consistent one); a start policy asks
:func:`completion_times` when each unfinished segment will be complete, to start playback
once the playhead will never reach audio that does not exist yet.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class SegmentProgress:
    expected_s: float  # a generous guess of its length (its actual length once done)
    pause_s: float  # silence after it
    made_s: float = 0.0  # audio generated so far
    started: bool = False
    done: bool = False
    cap_s: float | None = None  # the most it can be (its frame cap), if known

    @property
    def length_s(self) -> float:
        """The length to plan with: actual when done; a guess that outgrows ``made_s``, but
        never past the segment's cap."""
        if self.done:
            return self.made_s
        guess = 2.0 * self.made_s + 0.5 if self.made_s >= self.expected_s else self.expected_s
        return guess if self.cap_s is None else max(self.made_s, min(guess, self.cap_s))


@dataclass(frozen=True)
class Progress:
    segments: tuple[SegmentProgress, ...]
    batch: int  # segments made at once
    row_rate: float  # seconds of audio each row gains per wall-clock second
    decode_lag_s: float = 0.0  # how long after its frames a chunk's audio arrives


class ProgressBox:
    """Where a maker puts its latest :class:`Progress` and a reader finds it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: Progress | None = None

    def publish(self, progress: Progress) -> None:
        with self._lock:
            self._latest = progress

    @property
    def latest(self) -> Progress | None:
        with self._lock:
            return self._latest


def completion_times(progress: Progress) -> list[tuple[int, float]]:
    """(segment, seconds from now until it is complete) for each unfinished segment.

    Rows of the running round each need their remaining length at ``row_rate``; segments
    not started yet follow in rounds of ``batch``, each round starting when the one before
    has finished its longest row.
    """
    rate = max(progress.row_rate, 1e-6)
    out: list[tuple[int, float]] = []
    running = [(i, s) for i, s in enumerate(progress.segments) if s.started and not s.done]
    round_end = 0.0
    for i, seg in running:
        t = max(seg.length_s - seg.made_s, 0.0) / rate
        out.append((i, t))
        round_end = max(round_end, t)
    waiting = [i for i, s in enumerate(progress.segments) if not s.started and not s.done]
    size = max(1, progress.batch)
    for start in range(0, len(waiting), size):
        members = waiting[start:start + size]
        longest = 0.0
        for i in members:
            t = progress.segments[i].length_s / rate
            out.append((i, round_end + t))
            longest = max(longest, t)
        round_end += longest
    return out


def start_shortfall(progress: Progress, position_s: float, margin_s: float) -> float:
    """Seconds to wait before playback from ``position_s`` never catches up with the audio.

    Segment k, starting ``offset_k`` into the take, is played to its end ``offset_k +
    length_k - position`` seconds after playback starts; it must be complete (and decoded)
    by then, with ``margin_s`` to spare. Between those moments the audio already there
    grows no slower than the playhead needs (each segment's audio grows steadily), so
    checking every segment's end is enough. 0 when playback can start now.
    """
    ends: list[float] = []
    offset = 0.0
    for seg in progress.segments:
        offset += seg.length_s
        ends.append(offset)
        offset += seg.pause_s
    wait = 0.0
    for index, t in completion_times(progress):
        wait = max(wait, t + progress.decode_lag_s + margin_s - (ends[index] - position_s))
    return wait
