"""A preallocated single-producer / single-consumer float32 ring buffer.

It sits between an audio callback and the rest of the app. Neither side locks: the
producer only moves ``_written`` and the consumer only moves ``_read``, each after its copy
is complete, and both counters only grow (Python ints do not overflow), so each side sees a
consistent amount of data or free space. Copies are into and out of the one preallocated
array; the callback side allocates nothing but the slice views numpy needs.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self._buf = np.zeros(int(capacity), dtype=np.float32)
        self._cap = int(capacity)
        self._written = 0  # moved by the producer only
        self._read = 0  # moved by the consumer only

    @property
    def capacity(self) -> int:
        return self._cap

    @property
    def available(self) -> int:
        """Frames the consumer can read now."""
        return self._written - self._read

    @property
    def free(self) -> int:
        """Frames the producer can write now."""
        return self._cap - (self._written - self._read)

    @property
    def total_written(self) -> int:
        return self._written

    @property
    def total_read(self) -> int:
        return self._read

    def write(self, data: np.ndarray) -> int:
        """Producer: copy as much of ``data`` (1-D) as fits; returns the frames written."""
        w = self._written
        n = min(data.shape[0], self._cap - (w - self._read))
        if n <= 0:
            return 0
        i = w % self._cap
        first = min(n, self._cap - i)
        self._buf[i:i + first] = data[:first]
        if n > first:
            self._buf[:n - first] = data[first:n]
        self._written = w + n
        return n

    def read_into(self, out: np.ndarray) -> int:
        """Consumer: fill ``out`` (1-D, may be a strided view) from the front; returns frames."""
        r = self._read
        n = min(out.shape[0], self._written - r)
        if n <= 0:
            return 0
        i = r % self._cap
        first = min(n, self._cap - i)
        out[:first] = self._buf[i:i + first]
        if n > first:
            out[first:n] = self._buf[:n - first]
        self._read = r + n
        return n

    def read(self, max_frames: int | None = None) -> np.ndarray:
        """Consumer, outside callbacks: a new array with up to ``max_frames`` frames."""
        n = self.available if max_frames is None else min(max_frames, self.available)
        out = np.empty(n, dtype=np.float32)
        got = self.read_into(out)
        return out[:got]

    def skip(self, frames: int) -> int:
        """Consumer: drop up to ``frames`` frames without copying them."""
        n = max(0, min(frames, self._written - self._read))
        self._read += n
        return n

    def reset(self) -> None:
        """Empty the buffer. Only while neither side is running (e.g. the stream is stopped)."""
        self._written = 0
        self._read = 0
