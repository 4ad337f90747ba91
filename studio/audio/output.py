"""The audio callback's side of the player: copy from the ring buffer to the device.

PortAudio calls ``callback`` on its own thread. It only reads the ring and a few counters
and never allocates, locks or stops the stream: while buffering or paused it outputs
silence, at the end of the take it outputs a tail of silence and wakes the feeder (which
stops the stream), and running dry before the end counts a stall. The counters' ownership
is split so that no lock is needed: the controller writes ``opened`` and ``fed_all`` (and
resets the rest while the stream is stopped); the callback writes the others.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from studio.audio.ringbuffer import RingBuffer


class RingOutput:
    def __init__(self, ring: RingBuffer, channels: int, wake: threading.Event) -> None:
        self.ring = ring
        self.channels = channels
        self._wake = wake
        # written by the controller, read by the callback
        self.fed_all = False  # the ring holds the rest of the take
        self.opened = 0  # how many times playback was let go (start, and after each stall)
        # written by the callback only (reset by the controller while the stream is stopped)
        self.stalls = 0
        self.drained = False
        self.tail = 0  # frames of silence output since the take drained
        self.device_underflows = 0  # PortAudio's own output-underflow flags

    @property
    def waiting(self) -> bool:
        """Buffering (or not started): the callback outputs silence."""
        return self.opened <= self.stalls

    def reset(self) -> None:
        """Empty the ring and forget the last take's counters (stream stopped)."""
        self.ring.reset()
        self.fed_all = False
        self.drained = False
        self.tail = 0
        self.stalls = self.opened = 0

    def callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.output_underflow:
            self.device_underflows += 1
        if self.opened <= self.stalls:  # buffering or paused: silence
            outdata.fill(0.0)
            return
        if self.drained:  # after the end: silence while the tail plays out
            outdata.fill(0.0)
            self.tail += frames
            return
        ended = self.fed_all  # read before the ring, so an empty ring really is the end
        n = self.ring.read_into(outdata[:, 0])
        if n < frames:
            outdata[n:].fill(0.0)
            if ended:
                self.tail = frames - n
                self.drained = True
                self._wake.set()  # once per take: the feeder stops the stream after the tail
            else:
                self.stalls += 1  # an underrun: silence now, rebuffer per the policy
        if self.channels > 1:
            outdata[:, 1:] = outdata[:, :1]
