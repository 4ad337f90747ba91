"""Playback of finished clips and of takes that are still being generated.

One OutputStream per device is opened once and started/aborted as needed. Its callback only
copies from a preallocated ring buffer; a small feeder thread (and every controller call)
moves audio from the whole take, kept on the controller side, into the ring. Keeping the
whole take is what makes seek and pause cheap, and lets a growing take be appended to while
it plays.

Threads: the controller methods (play, begin_stream, append, end_of_stream, pause, resume,
seek, stop, close) may be called from any one thread at a time (they share a lock with the
feeder); ``position``, ``state``, ``underruns`` are safe to read from any thread. The
stream is only ever stopped from those threads, never from inside its callback: at the end
the callback outputs silence and wakes the feeder, which stops the stream.

Starting after buffering is decided by a policy (studio.audio.policy): the default waits for
``start_threshold_s`` of audio; ``AdaptiveStart`` (streamed takes) waits until it will not stall.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Any

import numpy as np

from studio.audio.clip import Clip, StreamResampler, resample, to_mono
from studio.audio.devices import AudioDevice, load_sounddevice, open_stream, resolve_device
from studio.audio.errors import AudioError, DeviceOpenFailed
from studio.audio.policy import BufferStatus, StartPolicy, prebuffer
from studio.audio.ringbuffer import RingBuffer
from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.track import Track


class PlayerState(StrEnum):
    IDLE = "idle"
    PLAYING = "playing"
    PAUSED = "paused"
    BUFFERING = "buffering"
    FINISHED = "finished"


_ACTIVE = "active"  # internal mode: the stream runs; PLAYING/BUFFERING/FINISHED derive from it


def _playable(audio: np.ndarray) -> np.ndarray:
    """Mono float32 with NaN/inf replaced by silence: garbage must never reach the speakers."""
    mono = to_mono(audio)
    if not np.isfinite(mono).all():
        mono = np.nan_to_num(mono, nan=0.0, posinf=0.0, neginf=0.0)
    return mono


class Player:
    """One output device, one stream, one take at a time (finished or growing)."""

    def __init__(
        self,
        sd: Any = None,
        *,
        device: int | str | None = None,
        sample_rate: int = SAMPLE_RATE,
        start_threshold_s: float = 0.3,
        policy: StartPolicy | None = None,
        ring_s: float = 2.0,
        feed_interval_s: float = 0.05,
        blocksize: int = 0,
        latency: float | str | None = None,
        tail_s: float = 0.05,
    ) -> None:
        self._sd_arg = sd
        self._device = device
        self.sample_rate = int(sample_rate)
        self.policy: StartPolicy = policy or prebuffer(start_threshold_s)
        self._ring_s = float(ring_s)
        self._interval = float(feed_interval_s)
        self._blocksize = int(blocksize)
        self._latency = latency
        self._tail_s = float(tail_s)
        self._tail_frames = 0  # silence to play after the end before stopping the stream
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._feeder: threading.Thread | None = None
        self._closing = False
        self._stream: Any = None
        self._device_info: AudioDevice | None = None
        self._rate = self.sample_rate  # the device's rate; differs only if it refused ours
        self._channels = 1
        self._latency_frames = 0
        self._ring = RingBuffer(1)
        self._track: Track | None = None
        self._resampler: StreamResampler | None = None
        self._mode = PlayerState.IDLE.value
        self._base = 0  # track frame at ring position 0
        self._feed_pos = 0  # next track frame to put in the ring
        # written by the controller, read by the callback
        self._fed_all = False
        self._opened = 0
        # written by the callback only (reset by the controller while the stream is stopped)
        self._stalls = 0
        self._drained = False
        self._tail = 0  # frames of silence output since the take drained
        self.device_underflows = 0  # PortAudio's own output-underflow flags

    # -- any thread ---------------------------------------------------------------------
    @property
    def state(self) -> PlayerState:
        mode = self._mode
        if mode != _ACTIVE:
            return PlayerState(mode)
        if self._drained:  # the last samples are still on their way out
            return PlayerState.PLAYING
        return PlayerState.PLAYING if self._opened > self._stalls else PlayerState.BUFFERING

    @property
    def underruns(self) -> int:
        """Times playback ran dry before the end of the take (silence was played instead)."""
        return self._stalls

    @property
    def position(self) -> float:
        """Seconds into the take of what is being heard now (for the playhead)."""
        track = self._track
        if track is None:
            return 0.0
        if self._mode == PlayerState.FINISHED.value:
            return track.length / float(self._rate)
        played = self._base + self._ring.total_read
        if self.state is PlayerState.PLAYING:
            played = max(self._base, played + self._tail - self._latency_frames)
        return min(played, track.length) / float(self._rate)

    @property
    def duration(self) -> float:
        """Seconds of audio received so far (the whole clip once it has ended)."""
        track = self._track
        return track.length / float(self._rate) if track is not None else 0.0

    @property
    def ended(self) -> bool:
        track = self._track
        return track is not None and track.ended

    @property
    def is_done(self) -> bool:
        """Nothing more will be heard: finished, stopped or never started."""
        return self.state in (PlayerState.FINISHED, PlayerState.IDLE)

    @property
    def device_info(self) -> AudioDevice | None:
        return self._device_info

    def wait_done(self, timeout: float | None = None) -> bool:
        """Block until playback has finished or was stopped."""
        return self._done.wait(timeout)

    # -- controlling thread -------------------------------------------------------------
    def play(self, audio: Clip | np.ndarray, sample_rate: int | None = None) -> None:
        """Play a finished clip from the start, replacing whatever was playing."""
        if isinstance(audio, Clip):
            data, rate = _playable(audio.audio), audio.sample_rate
        else:
            data, rate = _playable(audio), int(sample_rate or self.sample_rate)
        with self._lock:
            self._ensure_stream()
            self._halt()
            track = Track(max(1, len(data) * self._rate // max(rate, 1) + 16))
            track.append(resample(data, rate, self._rate))
            track.ended = True
            self._load(track, None)
            self._start(0)

    def open(self) -> None:
        """Open the output device now rather than at the first play (it can take a while)."""
        with self._lock:
            self._ensure_stream()

    def begin_stream(self) -> None:
        """Start a take that will grow with ``append()``; silence until enough has arrived."""
        with self._lock:
            self._ensure_stream()
            self._halt()
            self._load(Track(self._rate * 30), StreamResampler(self.sample_rate, self._rate))
            self._start(0)

    def append(self, chunk: np.ndarray) -> None:
        """Add the next piece of a growing take (mono float32 at ``sample_rate``).

        Dropped when no growing take is loaded (after ``stop()``, or once ``play()`` replaced
        it): generation may go on after the person stopped listening.
        """
        with self._lock:
            track = self._track
            if track is None or self._resampler is None:
                return
            if track.ended:
                raise AudioError("The take has already ended; start a new one to add audio.")
            track.append(self._resampler.process(_playable(chunk)))
            self.pump()

    def end_of_stream(self) -> None:
        """No more audio will come: play out what is left, then finish."""
        with self._lock:
            track = self._track
            if track is None or track.ended:
                return
            if self._resampler is not None:
                track.append(self._resampler.flush())
            track.ended = True
            self.pump()

    def pause(self) -> None:
        with self._lock:
            if self._mode != _ACTIVE or self._drained:
                return
            frame = int(round(self.position * self._rate))
            self._halt()
            self._reposition(frame)
            self._mode = PlayerState.PAUSED.value

    def resume(self) -> None:
        with self._lock:
            if self._mode in (PlayerState.PAUSED.value, PlayerState.FINISHED.value):
                track = self._track
                if track is None:
                    return
                start = self._base if self._mode == PlayerState.PAUSED.value else 0
                self._start(start if start < track.length or not track.ended else 0)

    def seek(self, seconds: float) -> None:
        """Move the playhead; keeps playing if it was playing, else stays paused there."""
        with self._lock:
            track = self._track
            if track is None:
                return
            frame = int(round(min(max(0.0, seconds), track.length / self._rate) * self._rate))
            if self._mode == _ACTIVE and not self._drained:
                self._halt()
                self._start(frame)
            else:
                self._halt()
                self._reposition(frame)
                self._mode = PlayerState.PAUSED.value

    def stop(self) -> None:
        """Stop now and forget the take."""
        with self._lock:
            self._halt()
            self._track = None
            self._resampler = None
            self._mode = PlayerState.IDLE.value
            self._done.set()

    def set_device(self, device: int | str | None) -> None:
        """Use another output device from the next ``play``/``begin_stream`` on."""
        with self._lock:
            self.stop()
            self._close_stream()
            self._device = device

    def close(self) -> None:
        with self._lock:
            self.stop()
            self._close_stream()
            self._closing = True
        self._wake.set()
        feeder = self._feeder
        if feeder is not None and feeder is not threading.current_thread():
            feeder.join(timeout=2.0)

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pump(self) -> None:
        """Top up the ring, apply the start policy, finish a drained take. Called by the
        feeder thread; harmless to call from the controlling thread at any time."""
        with self._lock:
            track = self._track
            if track is None or self._mode != _ACTIVE:
                return
            self._feed(track)
            if self._drained and self._tail >= self._tail_frames:
                self._finish()
            elif self._opened <= self._stalls and self.policy(self._status(track)):
                self._opened = self._stalls + 1

    # -- internals (lock held) ------------------------------------------------------------
    def _status(self, track: Track) -> BufferStatus:
        pos = self._base + self._ring.total_read
        return BufferStatus(buffered_s=(track.length - pos) / self._rate,
                            received_s=track.length / self._rate, position_s=pos / self._rate,
                            ended=track.ended, underruns=self._stalls)

    def _feed(self, track: Track) -> None:
        n = min(self._ring.free, track.length - self._feed_pos)
        if n > 0:
            self._ring.write(track.view(self._feed_pos, self._feed_pos + n))
            self._feed_pos += n
        if track.ended and self._feed_pos >= track.length:
            self._fed_all = True

    def _load(self, track: Track, resampler: StreamResampler | None) -> None:
        self._track, self._resampler = track, resampler
        self._reposition(0)

    def _reposition(self, frame: int) -> None:
        """Empty the ring so that it starts at track ``frame`` (stream must be stopped)."""
        self._ring.reset()
        self._base = self._feed_pos = frame
        self._fed_all = False
        self._drained = False
        self._tail = 0
        self._stalls = self._opened = 0

    def _start(self, frame: int) -> None:
        track = self._track
        assert track is not None and self._stream is not None
        self._reposition(frame)
        self._feed(track)
        if self.policy(self._status(track)):
            self._opened = 1
        self._mode = _ACTIVE
        self._done.clear()
        try:
            self._stream.start()
        except Exception as exc:
            self._mode = PlayerState.IDLE.value
            self._done.set()
            name = self._device_info.name if self._device_info else "default"
            raise DeviceOpenFailed("output", name, str(exc)) from exc
        self._ensure_feeder()
        self._wake.set()

    def _halt(self) -> None:
        """Stop the callback at once (PortAudio waits for a running callback to return)."""
        stream = self._stream
        if stream is not None and self._mode == _ACTIVE:
            stream.abort()
        if self._mode == _ACTIVE:
            self._mode = PlayerState.PAUSED.value

    def _finish(self) -> None:
        stream = self._stream
        if stream is not None:
            stream.stop()  # lets PortAudio play out what it already has
        self._mode = PlayerState.FINISHED.value
        self._done.set()

    def _ensure_stream(self) -> None:
        if self._stream is not None:
            return
        sd = load_sounddevice(self._sd_arg)
        dev = resolve_device(sd, self._device, "output")
        stream, rate, channels = open_stream(sd, "output", dev, self.sample_rate, self._callback,
                                             blocksize=self._blocksize, latency=self._latency)
        self._stream, self._device_info = stream, dev
        self._rate, self._channels = rate, channels
        latency = getattr(stream, "latency", 0.0)
        self._latency_frames = int(latency * rate) if isinstance(latency, float | int) else 0
        # Stopping right after the last sample cuts off what PortAudio/the OS still buffer
        # (measured on PulseAudio: ~20 ms lost), so play the latency plus a margin of silence.
        self._tail_frames = self._latency_frames + int(self._tail_s * rate)
        self._ring = RingBuffer(max(1024, int(self._ring_s * rate)))

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
            finally:
                stream.close()

    def _ensure_feeder(self) -> None:
        if self._feeder is None or not self._feeder.is_alive():
            self._feeder = threading.Thread(target=self._feed_loop, name="audio-feeder",
                                            daemon=True)
            self._feeder.start()

    def _feed_loop(self) -> None:
        while not self._closing:
            self._wake.wait(self._interval if self._mode == _ACTIVE else None)
            self._wake.clear()
            if self._closing:
                return
            self.pump()

    # -- PortAudio's thread ---------------------------------------------------------------
    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.output_underflow:
            self.device_underflows += 1
        if self._opened <= self._stalls:  # buffering or paused: silence
            outdata.fill(0.0)
            return
        if self._drained:  # after the end: silence while the tail plays out
            outdata.fill(0.0)
            self._tail += frames
            return
        ended = self._fed_all  # read before the ring, so an empty ring really is the end
        n = self._ring.read_into(outdata[:, 0])
        if n < frames:
            outdata[n:].fill(0.0)
            if ended:
                self._tail = frames - n
                self._drained = True
                self._wake.set()  # once per take: the feeder stops the stream after the tail
            else:
                self._stalls += 1  # an underrun: silence now, rebuffer per the policy
        if self._channels > 1:
            outdata[:, 1:] = outdata[:, :1]


__all__ = ["BufferStatus", "Player", "PlayerState", "StartPolicy", "prebuffer"]
