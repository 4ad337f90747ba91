"""A take as the output device hears it.

Normally that is the take's own track, read in place. A device that refuses the take's
sample rate gets a copy resampled chunk by chunk as the take grows, made on the thread
that feeds the device (never in the audio callback).
"""

from __future__ import annotations

from studio.audio.clip import StreamResampler
from studio.audio.track import Track


class DeviceTrack:
    def __init__(self, take: Track, take_rate: int, device_rate: int) -> None:
        self.take = take
        self._resampler: StreamResampler | None = None
        self._converted = 0  # take frames resampled so far
        if take_rate == device_rate:
            self.track = take
        else:
            self._resampler = StreamResampler(take_rate, device_rate)
            self.track = Track(device_rate * 30)

    def catch_up(self) -> None:
        """Resample what arrived since last time; end the copy once the take has ended."""
        resampler = self._resampler
        if resampler is None or self.track.ended:
            return
        ended = self.take.ended  # before the length: an ended take's length is final
        length = self.take.length
        if length > self._converted:
            self.track.append(resampler.process(self.take.view(self._converted, length)))
            self._converted = length
        if ended:
            self.track.append(resampler.flush())
            self.track.end()
