"""Faster or slower speech at the same pitch: Rubber Band's time-stretcher via pedalboard.

pedalboard's ``time_stretch`` is offline only: it wants the whole buffer. Stretching each
streamed chunk on its own clicks at every join (each piece's phase vocoder starts
afresh, and its edges are stretched without the audio around them). ``TempoStream``
instead gathers chunks into segments of 0.5-2 s cut at the quietest point it can find
(a pause between words where there is one), stretches each segment with a little of
the audio before it, and crossfades that shared stretch of audio into the previous
segment's end. Joins fall in quiet places and are smoothed, so there is no click, and
every segment is long enough for Rubber Band's windows. The price is latency: audio
comes out one segment (at most ``max_segment_s``) behind the generation. A speed of 1
passes audio straight through.
"""

from __future__ import annotations

import numpy as np

MIN_FACTOR, MAX_FACTOR = 0.25, 4.0


def check_factor(factor: float) -> float:
    factor = float(factor)
    if not MIN_FACTOR <= factor <= MAX_FACTOR:
        raise ValueError(f"tempo factor must be {MIN_FACTOR}-{MAX_FACTOR}, not {factor}")
    return factor


def change_tempo(audio: np.ndarray, sample_rate: int, factor: float) -> np.ndarray:
    """``audio`` played ``factor`` times as fast (2.0: half as long), pitch unchanged."""
    factor = check_factor(factor)
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    if factor == 1.0 or x.size == 0:
        return x.copy()
    import pedalboard

    return pedalboard.time_stretch(x[None, :], float(sample_rate), factor)[0]


def _fade(n: int) -> np.ndarray:
    """A raised-cosine ramp 0 -> 1 over ``n`` samples (its mirror sums with it to 1)."""
    if n <= 0:
        return np.zeros(0, dtype=np.float32)
    return (0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)).astype(np.float32)


class TempoStream:
    """``change_tempo`` for audio that arrives in chunks: ``push`` each chunk, ``finish``
    at the end; both return the stretched audio that is ready (possibly empty)."""

    def __init__(self, sample_rate: int, factor: float, *, min_segment_s: float = 0.5,
                 max_segment_s: float = 2.0, overlap_s: float = 0.02,
                 quiet_level: float = 0.01) -> None:
        self.sample_rate = int(sample_rate)
        self.factor = check_factor(factor)
        self.min_len = max(1, int(min_segment_s * sample_rate))
        self.max_len = max(self.min_len + 1, int(max_segment_s * sample_rate))
        self.overlap = max(1, int(overlap_s * sample_rate))
        self.frame = max(1, int(0.01 * sample_rate))  # loudness measured per 10 ms
        self.quiet_level = quiet_level
        self._pending = np.zeros(0, dtype=np.float32)  # input not yet stretched
        self._context = np.zeros(0, dtype=np.float32)  # input just before the pending
        self._tail = np.zeros(0, dtype=np.float32)  # output held back for the crossfade

    @property
    def passthrough(self) -> bool:
        return self.factor == 1.0

    def push(self, chunk: np.ndarray) -> np.ndarray:
        x = np.asarray(chunk, dtype=np.float32).reshape(-1)
        if self.passthrough:
            return x.copy()
        self._pending = np.concatenate([self._pending, x])
        out: list[np.ndarray] = []
        while (cut := self._cut_point()) is not None:
            out.append(self._stretch(cut))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def finish(self) -> np.ndarray:
        if self.passthrough:
            return np.zeros(0, dtype=np.float32)
        out = self._stretch(len(self._pending)) if self._pending.size else np.zeros(0, np.float32)
        out = np.concatenate([out, self._tail])
        self._tail = np.zeros(0, dtype=np.float32)
        return out

    def _cut_point(self) -> int | None:
        """Where to end the next segment: the first quiet 10 ms after ``min_len``, or the
        quietest 10 ms once ``max_len`` has gathered; None to wait for more audio."""
        n = len(self._pending)
        if n < self.min_len + self.frame:
            return None
        region = self._pending[self.min_len:min(n, self.max_len)]
        frames = len(region) // self.frame
        if frames == 0:
            return None
        rms = np.sqrt(np.mean(region[:frames * self.frame].reshape(frames, self.frame) ** 2,
                              axis=1))
        quiet = np.flatnonzero(rms < self.quiet_level)
        if quiet.size:
            best = int(quiet[0])
        elif n >= self.max_len:
            best = int(np.argmin(rms))
        else:
            return None
        return self.min_len + best * self.frame + self.frame // 2

    def _stretch(self, cut: int) -> np.ndarray:
        """Stretch context + pending[:cut]; crossfade its start into the held tail."""
        segment = self._pending[:cut]
        lead = self._context
        y = change_tempo(np.concatenate([lead, segment]), self.sample_rate, self.factor)
        lead_out = min(len(self._tail), int(round(len(lead) / self.factor)), len(y))
        if lead_out:
            fade_in = _fade(lead_out)
            joined = self._tail[:lead_out] * (1.0 - fade_in) + y[:lead_out] * fade_in
            head, y = joined, y[lead_out:]
        else:
            head = self._tail
        keep = min(len(y), int(round(min(self.overlap, cut) / self.factor)))
        self._tail = y[len(y) - keep:].copy()
        self._context = segment[len(segment) - min(self.overlap, cut):].copy()
        self._pending = self._pending[cut:]
        return np.concatenate([head, y[:len(y) - keep]])
