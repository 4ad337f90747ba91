"""A take that grows while it plays: an append-only float32 store with amortised growth.

Owned by the player's controlling side (never touched by the audio callback), so growing
it may reallocate freely.
"""

from __future__ import annotations

import numpy as np


class Track:
    def __init__(self, capacity: int = 1 << 16) -> None:
        self._buf = np.zeros(max(1, int(capacity)), dtype=np.float32)
        self.length = 0
        self.ended = False

    def append(self, chunk: np.ndarray) -> None:
        data = np.asarray(chunk, dtype=np.float32).reshape(-1)
        need = self.length + data.shape[0]
        if need > self._buf.shape[0]:
            grown = np.zeros(max(need, 2 * self._buf.shape[0]), dtype=np.float32)
            grown[: self.length] = self._buf[: self.length]
            self._buf = grown
        self._buf[self.length:need] = data
        self.length = need

    def view(self, start: int, stop: int) -> np.ndarray:
        """A read-only view of frames [start, stop) (valid until the next append)."""
        v = self._buf[start:min(stop, self.length)]
        v.flags.writeable = False
        return v

    def audio(self) -> np.ndarray:
        return self._buf[: self.length].copy()
