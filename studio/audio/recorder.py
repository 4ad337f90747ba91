"""Recording from an input device into a preallocated ring buffer.

The PortAudio callback only mixes to mono (if the device gave more than one channel),
measures the block's peak and RMS, and copies into the ring buffer, all into buffers
allocated before the stream starts. Everything else (draining, resampling to the target
rate, building the clip) happens on the controlling thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from studio.audio.clip import Clip, SourceInfo, dbfs, resample
from studio.audio.devices import AudioDevice, load_sounddevice, open_stream, resolve_device
from studio.audio.errors import DeviceOpenFailed
from studio.audio.ringbuffer import RingBuffer
from studio.audio.samplerate import SAMPLE_RATE

#: anything louder than this is not audio (ALSA's null device hands over uninitialised memory)
_SANE_PEAK = 64.0


class RecorderState(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    LIMIT_REACHED = "limit_reached"  # still open, no longer accepting audio
    STOPPED = "stopped"


@dataclass(frozen=True)
class Level:
    peak_dbfs: float
    rms_dbfs: float


class Recorder:
    """Record mono audio from one input device, up to ``max_seconds``.

    ``start()``, ``read_new()``, ``clip()`` and ``stop()`` belong to one controlling thread;
    ``level()``, ``recorded_seconds``, ``state`` and the counters can be read from any.
    """

    def __init__(
        self,
        sd: Any = None,
        *,
        device: int | str | None = None,
        sample_rate: int = SAMPLE_RATE,
        max_seconds: float = 120.0,
        buffer_s: float | None = None,
        blocksize: int = 0,
        latency: float | str | None = None,
    ) -> None:
        self._sd_arg = sd
        self.device = device
        self.sample_rate = int(sample_rate)
        self.max_seconds = float(max_seconds)
        self._buffer_s = buffer_s
        self._blocksize = int(blocksize)
        self._latency = latency
        self._lock = threading.RLock()
        self._stream: Any = None
        self._device_info: AudioDevice | None = None
        self._rate = self.sample_rate
        self._channels = 1
        self._ring = RingBuffer(1)
        self._scratch = np.zeros(1, dtype=np.float32)
        self._meter = np.zeros(1, dtype=np.float32)
        self._chunks: list[np.ndarray] = []
        self._limit_event = threading.Event()
        self._reset_counters()
        self._state = RecorderState.IDLE

    def _reset_counters(self) -> None:
        self._limit = 0
        self._accepted = 0
        self._accepting = False
        self._limit_reached = False
        self._peak = 0.0
        self._rms = 0.0
        self.input_overflows = 0  # PortAudio said it dropped input
        self.ring_overflows = 0  # callbacks that found the ring buffer full
        self.dropped_frames = 0
        self.invalid_blocks = 0  # blocks with NaN/inf/out-of-range samples (zeroed/clipped)

    # -- any thread -------------------------------------------------------------------
    @property
    def state(self) -> RecorderState:
        if self._state is RecorderState.RECORDING and self._limit_reached:
            return RecorderState.LIMIT_REACHED
        return self._state

    @property
    def limit_reached(self) -> bool:
        return self._limit_reached

    @property
    def recorded_seconds(self) -> float:
        return self._ring.total_written / float(self._rate)

    @property
    def device_info(self) -> AudioDevice | None:
        return self._device_info

    @property
    def device_rate(self) -> int:
        return self._rate

    def level(self) -> Level:
        """Peak and RMS of the latest block, in dBFS (-120 when nothing is coming in)."""
        if self._state is not RecorderState.RECORDING:
            return Level(-120.0, -120.0)
        return Level(dbfs(self._peak), dbfs(self._rms))

    def wait_limit(self, timeout: float | None = None) -> bool:
        """Block until the length limit is reached (True) or ``timeout`` passes (False)."""
        return self._limit_event.wait(timeout)

    # -- controlling thread -------------------------------------------------------------
    def start(self) -> None:
        """Open the device and start recording; a previous recording is discarded."""
        with self._lock:
            self._close_stream()
            sd = load_sounddevice(self._sd_arg)
            dev = resolve_device(sd, self.device, "input")
            stream, rate, channels = open_stream(sd, "input", dev, self.sample_rate,
                                                 self._callback, blocksize=self._blocksize,
                                                 latency=self._latency)
            self._stream, self._device_info = stream, dev
            self._rate, self._channels = rate, channels
            self._reset_counters()
            self._limit = max(1, int(self.max_seconds * rate))
            capacity = self._limit if self._buffer_s is None else min(
                self._limit, max(1, int(self._buffer_s * rate)))
            self._ring = RingBuffer(capacity)
            self._scratch = np.zeros(max(rate, self._blocksize), dtype=np.float32)
            self._meter = np.zeros_like(self._scratch)
            self._chunks = []
            self._limit_event.clear()
            self._accepting = True
            self._state = RecorderState.RECORDING
            try:
                stream.start()
            except Exception as exc:
                self._state = RecorderState.IDLE
                self._close_stream()
                raise DeviceOpenFailed("input", dev.name, str(exc)) from exc

    def read_new(self) -> np.ndarray:
        """Audio that arrived since the last call, at the device rate (for a live waveform)."""
        with self._lock:
            chunk = self._ring.read()
            if chunk.size:
                self._chunks.append(chunk)
            return chunk

    def clip(self) -> Clip:
        """Everything recorded so far, mono at ``sample_rate``; recording goes on."""
        with self._lock:
            self.read_new()
            raw = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
            # resampling full-scale input can ring past it (ALSA's null capture hands over
            # arbitrary memory): a recording never holds more than full scale
            audio = np.clip(resample(raw, self._rate, self.sample_rate), -1.0, 1.0)
            source = SourceInfo(sample_rate=self._rate, channels=self._channels,
                                frames=int(raw.shape[0]),
                                format="", subtype="FLOAT")
            return Clip(audio=audio, sample_rate=self.sample_rate, source=source)

    def stop(self) -> Clip:
        """Stop (at any time, also after the limit) and return the recording."""
        with self._lock:
            self._accepting = False
            self._close_stream()
            if self._state is not RecorderState.IDLE:
                self._state = RecorderState.STOPPED
            return self.clip()

    def close(self) -> None:
        with self._lock:
            self._accepting = False
            self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.stop()
        except Exception:
            stream.abort()
        finally:
            stream.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- PortAudio's thread -------------------------------------------------------------
    def _callback(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.input_overflows += 1
        if not self._accepting:
            return
        room = self._limit - self._accepted
        n = frames if frames <= room else room
        done = 0
        while done < n:  # more than one pass only if a block outgrows the scratch buffer
            m = min(n - done, self._scratch.shape[0])
            block = indata[done:done + m]
            if self._channels == 1:
                mono = block[:, 0]
            else:
                mono = self._scratch[:m]
                np.sum(block, axis=1, out=mono)
                mono *= np.float32(1.0 / self._channels)
            meter = self._meter[:m]
            np.abs(mono, out=meter)
            peak = float(meter.max())
            if not peak <= _SANE_PEAK:  # NaN, inf or garbage from a broken driver
                mono = self._sanitise(mono, m)
                np.abs(mono, out=meter)
                peak = float(meter.max())
            self._peak = peak
            self._rms = float(np.sqrt(np.dot(mono, mono) / m))
            written = self._ring.write(mono)
            if written < m:
                self.ring_overflows += 1
                self.dropped_frames += m - written
            done += m
        self._accepted += n
        if self._accepted >= self._limit:
            self._accepting = False
            self._limit_reached = True
            self._limit_event.set()  # once per recording

    def _sanitise(self, mono: np.ndarray, m: int) -> np.ndarray:
        """Zero NaN/inf and clip to full scale, in the scratch buffer (no allocation)."""
        out = self._scratch[:m]
        if mono is not out:
            np.copyto(out, mono)
        np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        np.clip(out, -1.0, 1.0, out=out)
        self.invalid_blocks += 1
        return out
