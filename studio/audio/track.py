"""A take that grows while it is heard and drawn: append-only float32 audio, one writer,
any number of readers on other threads.

The thread that makes a take appends to its track; the player's feeder and the waveform
read the same track, so a streamed take is kept once. Frames once written never change,
so a view handed out stays valid (and correct) after later appends, even when growing
moved the data to a bigger buffer. Readers that wait for audio register an event that
every append and the end set (``wake``).
"""

from __future__ import annotations

import threading

import numpy as np


class Track:
    def __init__(self, capacity: int = 1 << 16) -> None:
        self._buf = np.zeros(max(1, int(capacity)), dtype=np.float32)
        self._length = 0
        self._ended = False
        self._lock = threading.Lock()
        self._waiting: list[threading.Event] = []

    @classmethod
    def of(cls, audio: np.ndarray) -> Track:
        """A finished track around ``audio`` (mono), shared rather than copied when it is
        float32 already: hand over audio that is not changed afterwards."""
        track = cls(1)
        track._buf = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        track._length = track._buf.shape[0]
        track._ended = True
        return track

    @property
    def length(self) -> int:
        return self._length

    @property
    def ended(self) -> bool:
        """No more audio will come."""
        return self._ended

    def append(self, chunk: np.ndarray) -> int:
        """Add mono audio at the end (NaN and infinities become silence: garbage must never
        reach the speakers); returns the new length."""
        data = np.asarray(chunk, dtype=np.float32).reshape(-1)
        if not np.isfinite(data).all():
            data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
        with self._lock:
            if self._ended:
                raise ValueError("the track has ended")
            need = self._length + data.shape[0]
            if need > self._buf.shape[0]:
                grown = np.zeros(max(need, 2 * self._buf.shape[0]), dtype=np.float32)
                grown[: self._length] = self._buf[: self._length]
                self._buf = grown
            self._buf[self._length:need] = data
            self._length = need  # last: a reader that sees the length finds the frames
            waiting = list(self._waiting)
        for event in waiting:
            event.set()
        return need

    def end(self) -> None:
        """Mark the take complete (once more audio is impossible); idempotent."""
        with self._lock:
            self._ended = True
            waiting = list(self._waiting)
        for event in waiting:
            event.set()

    def view(self, start: int, stop: int) -> np.ndarray:
        """A read-only view of frames [start, stop); it never changes."""
        with self._lock:
            v = self._buf[start:min(stop, self._length)]
        v.flags.writeable = False
        return v

    def audio(self) -> np.ndarray:
        """Everything so far, read-only (a view, not a copy)."""
        return self.view(0, self._length)

    def wake(self, event: threading.Event) -> None:
        """Set ``event`` whenever audio arrives or the track ends."""
        with self._lock:
            if event not in self._waiting:
                self._waiting.append(event)

    def forget(self, event: threading.Event) -> None:
        with self._lock:
            if event in self._waiting:
                self._waiting.remove(event)
