"""Playback of finished clips and of takes that are still being generated.

One OutputStream per device is opened once and started/aborted as needed. Its callback
(studio.audio.output) only copies from a preallocated ring buffer; a feeder thread (and
every controller call) moves audio into the ring from the take's whole track, which makes
seek and pause cheap. A growing take is a Track that its maker appends to from any thread
(``stream``): the player reads that same track, not a copy (studio.audio.device_track),
and the track wakes the feeder when audio arrives.

Threads: the controller methods (play, stream, begin_stream, append, end_of_stream, pause,
resume, seek, stop, close) may be called from any one thread at a time (they share a lock
with the feeder); ``position``, ``state``, ``underruns`` are safe to read from any thread.
The stream is only ever stopped from those threads, never from inside its callback.

When to start (or resume after a stall) is the ``policy``'s decision (studio.audio.policy):
``prebuffer`` waits for a fixed amount, ``AdaptiveStart`` until playback will not stall.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Any

import numpy as np

from studio.audio.clip import Clip, resample, to_mono
from studio.audio.device_track import DeviceTrack
from studio.audio.devices import AudioDevice, load_sounddevice, open_stream, resolve_device
from studio.audio.errors import AudioError, DeviceOpenFailed
from studio.audio.output import RingOutput
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
        self._latency_frames = 0
        self._out = RingOutput(RingBuffer(1), 1, self._wake)
        self._source: Track | None = None  # a growing take as its maker appends to it
        self._heard: DeviceTrack | None = None  # the take at the device's rate
        self._track: Track | None = None  # its track: what the ring is fed from
        self._mode = PlayerState.IDLE.value
        self._base = 0  # track frame at ring position 0
        self._feed_pos = 0  # next track frame to put in the ring

    # -- any thread ---------------------------------------------------------------------
    @property
    def state(self) -> PlayerState:
        mode = self._mode
        if mode != _ACTIVE:
            return PlayerState(mode)
        if self._out.drained:  # the last samples are still on their way out
            return PlayerState.PLAYING
        return PlayerState.BUFFERING if self._out.waiting else PlayerState.PLAYING

    @property
    def underruns(self) -> int:
        """Times playback ran dry before the end of the take (silence was played instead)."""
        return self._out.stalls

    @property
    def device_underflows(self) -> int:
        """PortAudio's own output-underflow flags."""
        return self._out.device_underflows

    @property
    def position(self) -> float:
        """Seconds into the take of what is being heard now (for the playhead)."""
        track = self._track
        if track is None:
            return 0.0
        if self._mode == PlayerState.FINISHED.value:
            return track.length / float(self._rate)
        played = self._base + self._out.ring.total_read
        if self.state is PlayerState.PLAYING:
            played = max(self._base, played + self._out.tail - self._latency_frames)
        return min(played, track.length) / float(self._rate)

    @property
    def duration(self) -> float:
        """Seconds of audio received so far (the whole clip once it has ended)."""
        track = self._track
        return track.length / float(self._rate) if track is not None else 0.0

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
            data, rate = to_mono(audio.audio), audio.sample_rate
        else:
            data, rate = to_mono(audio), int(sample_rate or self.sample_rate)
        with self._lock:
            self._ensure_stream()
            self._halt()
            track = Track(1)
            track.append(resample(data, rate, self._rate))  # a copy: NaN becomes silence
            track.end()
            self._load(track, self._rate, growing=False)
            self._start(0)

    def open(self) -> None:
        """Open the output device now rather than at the first play (it can take a while)."""
        with self._lock:
            self._ensure_stream()

    def stream(self, track: Track) -> None:
        """Play ``track`` (mono at ``sample_rate``) while its maker appends to it, from any
        thread; silence until the policy starts playback. The track is read, not copied."""
        with self._lock:
            self._ensure_stream()
            self._halt()
            self._load(track, self.sample_rate, growing=True)
            self._start(0)

    def begin_stream(self) -> Track:
        """Start a take that will grow with ``append()``; returns its track."""
        track = Track(self.sample_rate * 30)
        self.stream(track)
        return track

    def append(self, chunk: np.ndarray) -> None:
        """Add the next piece of the growing take (mono float32 at ``sample_rate``).

        Dropped when no growing take is loaded (after ``stop()``, or once ``play()`` replaced
        it): generation may go on after the person stopped listening.
        """
        with self._lock:
            source = self._source
            if source is None:
                return
            if source.ended:
                raise AudioError("The take has already ended; start a new one to add audio.")
            source.append(to_mono(chunk))
            self.pump()

    def end_of_stream(self) -> None:
        """No more audio will come: play out what is left, then finish."""
        with self._lock:
            source = self._source
            if source is None or source.ended:
                return
            source.end()
            self.pump()

    def pause(self) -> None:
        with self._lock:
            if self._mode != _ACTIVE or self._out.drained:
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
            if self._mode == _ACTIVE and not self._out.drained:
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
            self._unload()
            self._mode = PlayerState.IDLE.value
            self._done.set()

    def set_device(self, device: int | str | None) -> None:
        """Use another output device from the next ``play``/``stream`` on."""
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
            out = self._out
            if out.drained and out.tail >= self._tail_frames:
                self._finish()
            elif out.waiting and self.policy(self._status(track)):
                out.opened = out.stalls + 1

    # -- internals (lock held) ------------------------------------------------------------
    def _status(self, track: Track) -> BufferStatus:
        ended = track.ended
        length = track.length
        pos = self._base + self._out.ring.total_read
        return BufferStatus(buffered_s=(length - pos) / self._rate,
                            received_s=length / self._rate, position_s=pos / self._rate,
                            ended=ended, underruns=self._out.stalls)

    def _feed(self, track: Track) -> None:
        if self._heard is not None:
            self._heard.catch_up()
        ended = track.ended  # before the length: an ended track's length is final
        length = track.length
        ring = self._out.ring
        n = min(ring.free, length - self._feed_pos)
        if n > 0:
            ring.write(track.view(self._feed_pos, self._feed_pos + n))
            self._feed_pos += n
        if ended and self._feed_pos >= length:
            self._out.fed_all = True

    def _load(self, track: Track, rate: int, growing: bool) -> None:
        """Read ``track`` from now on; ``growing``: it is a stream that ``append`` adds to."""
        self._unload()
        if growing:
            self._source = track
            track.wake(self._wake)
        self._heard = DeviceTrack(track, rate, self._rate)
        self._track = self._heard.track
        self._reposition(0)

    def _unload(self) -> None:
        if self._source is not None:
            self._source.forget(self._wake)
        self._source = self._heard = self._track = None

    def _reposition(self, frame: int) -> None:
        """Empty the ring so that it starts at track ``frame`` (stream must be stopped)."""
        self._out.reset()
        self._base = self._feed_pos = frame

    def _start(self, frame: int) -> None:
        track = self._track
        assert track is not None and self._stream is not None
        self._reposition(frame)
        self._feed(track)
        if self.policy(self._status(track)):
            self._out.opened = 1
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
        stream, rate, channels = open_stream(sd, "output", dev, self.sample_rate,
                                             self._out.callback, blocksize=self._blocksize,
                                             latency=self._latency)
        self._stream, self._device_info = stream, dev
        self._rate = rate
        latency = getattr(stream, "latency", 0.0)
        self._latency_frames = int(latency * rate) if isinstance(latency, float | int) else 0
        # Stopping right after the last sample cuts off what PortAudio/the OS still buffer
        # (measured on PulseAudio: ~20 ms lost), so play the latency plus a margin of silence.
        self._tail_frames = self._latency_frames + int(self._tail_s * rate)
        self._out.ring = RingBuffer(max(1024, int(self._ring_s * rate)))
        self._out.channels = channels

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
