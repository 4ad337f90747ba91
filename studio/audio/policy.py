"""When playback of a take that is still arriving should start, or resume after a stall.

The player asks its policy whenever it is waiting for audio (at the start of a growing take
and after an underrun) and new audio has arrived. The default waits for a fixed amount; a
policy that estimates the arrival rate and waits until playback will not stall again can
replace it without touching the player.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from studio.audio.forecast import Progress, ProgressBox, start_shortfall


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


class AdaptiveStart:
    """Start when the buffered audio will last until the take ends, so playback never stalls.

    It measures how fast audio arrives (seconds of audio per wall-clock second, ``rate``).
    With ``remaining`` seconds still to come, generation needs ``remaining / rate`` more
    seconds, while playback started now needs ``buffered + remaining`` seconds to reach the
    end; with a steady rate, the playhead never catches up with the arriving audio if
    ``buffered >= remaining / rate - remaining`` (plus a margin, with the rate discounted
    for jitter). Audio arrives in lumps (chunks), not smoothly, so the buffer must also
    cover the wait for the next lump: ``largest lump / rate``. A machine much faster than
    real time starts after ``min_buffer_s``.

    ``expected_total_s`` is a generous guess of the take's length (from the text); when the
    take turns out longer, the guess becomes twice what has arrived. ``eta_s`` tells a UI
    how long until playback starts.

    Segments made in parallel (a batch) arrive in lumps: a later sentence's audio, made
    meanwhile, comes all at once when the one before it ends, so the arrival rate says
    little. With ``progress`` (what the maker publishes: each segment's length so far and
    the rate a batch row grows, studio.audio.forecast) the policy instead forecasts when
    every segment will be complete and starts once each will be, with ``margin_s`` to
    spare, before the playhead reaches its end. Made one after another, that is the rule
    above.
    """

    def __init__(self, expected_total_s: float, *, min_buffer_s: float = 0.3,
                 margin_s: float = 0.5, jitter: float = 0.85,
                 clock: Callable[[], float] | None = None,
                 progress: ProgressBox | None = None) -> None:
        import time

        self.expected_total_s = max(0.0, float(expected_total_s))
        self.min_buffer_s = min_buffer_s
        self.margin_s = margin_s
        self.jitter = jitter
        self._clock = clock or time.monotonic
        self.progress = progress
        self._t0: float | None = None
        self._r0 = 0.0
        self._last_received = 0.0
        self.lump_s = 0.0  # the most audio seen arriving at once
        self.rate: float | None = None  # audio seconds per wall second, once measurable
        self.eta_s: float | None = None  # seconds until playback should start, if known

    def _measure(self, status: BufferStatus) -> None:
        now = self._clock()
        self.lump_s = max(self.lump_s, status.received_s - self._last_received)
        self._last_received = status.received_s
        if self._t0 is None:
            self._t0, self._r0 = now, status.received_s
            return
        elapsed = now - self._t0
        if elapsed > 0 and status.received_s > self._r0:
            self.rate = (status.received_s - self._r0) / elapsed

    def __call__(self, status: BufferStatus) -> bool:
        self._measure(status)
        if status.ended:
            self.eta_s = 0.0
            return True
        if status.received_s >= self.expected_total_s:
            # the take outlasts its guess: assume it is twice as long as what has come, so
            # a short guess costs one rebuffer at most, not a stall every chunk
            self.expected_total_s = 2.0 * status.received_s + 0.5
        forecast = self.progress.latest if self.progress is not None else None
        if forecast is not None and forecast.row_rate > 0:
            return self._by_forecast(status, replace(forecast,
                                                     row_rate=forecast.row_rate * self.jitter))
        remaining = self.expected_total_s - status.received_s
        if self.rate is None:
            self.eta_s = None
            return False
        rate = self.rate * self.jitter
        lumps = min(self.lump_s, remaining) / rate  # waiting for the next chunk
        need = lumps + (remaining / rate - remaining + self.margin_s if rate < 1.0 else 0.0)
        need = max(self.min_buffer_s, need)
        # while waiting, the buffer grows by `rate` per second and (for rate < 1) the need
        # shrinks by 1 - rate per second, so the gap closes by one second per second
        shortfall = need - status.buffered_s
        self.eta_s = max(0.0, shortfall / rate if rate >= 1.0 else shortfall)
        return status.buffered_s >= need

    def _by_forecast(self, status: BufferStatus, forecast: Progress) -> bool:
        wait = start_shortfall(forecast, status.position_s, self.margin_s)
        self.eta_s = max(0.0, wait)
        return wait <= 0.0 and status.buffered_s >= self.min_buffer_s
