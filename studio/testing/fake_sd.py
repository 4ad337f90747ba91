"""A fake sounddevice module: streams whose callbacks the test drives from its own thread.

Outputs are pre-filled with NaN so a callback that forgets to write a sample is caught.
Calling stop/abort/close from inside a callback (same thread) raises: the rule is "never".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np


class PortAudioError(Exception):
    pass


class CallbackStop(Exception):
    pass


@dataclass
class Flags:
    input_overflow: bool = False
    output_underflow: bool = False

    def __bool__(self) -> bool:
        return self.input_overflow or self.output_underflow


class FakeStream:
    def __init__(self, sd: FakeSoundDevice, kind: str, **kw: Any) -> None:
        self.sd, self.kind = sd, kind
        self.samplerate = int(kw["samplerate"])
        self.channels = int(kw["channels"])
        self.device = kw.get("device")
        self.callback = kw["callback"]
        self.blocksize = kw.get("blocksize", 0)
        self.latency = sd.latency
        self.active = False
        self.closed = False
        self.starts = 0
        self.stop_threads: list[str] = []
        self._callback_thread: int | None = None

    def _guard(self, what: str) -> None:
        if self._callback_thread == threading.get_ident():
            raise AssertionError(f"stream.{what}() called from inside the callback")
        self.stop_threads.append(threading.current_thread().name)

    def start(self) -> None:
        if self.closed:
            raise PortAudioError("stream is closed")
        if self.sd.fail_start:
            raise PortAudioError("Device unavailable [PaErrorCode -9985]")
        self.active = True
        self.starts += 1

    def stop(self) -> None:
        self._guard("stop")
        self.active = False

    def abort(self) -> None:
        self._guard("abort")
        self.active = False

    def close(self) -> None:
        self._guard("close")
        self.active = False
        self.closed = True

    def pull(self, frames: int, flags: Flags | None = None) -> np.ndarray:
        """Run the output callback once; returns what it wrote (frames, channels)."""
        assert self.kind == "output"
        if not self.active:
            return np.zeros((0, self.channels), dtype=np.float32)
        out = np.full((frames, self.channels), np.nan, dtype=np.float32)
        self._callback_thread = threading.get_ident()
        try:
            self.callback(out, frames, None, flags or Flags())
        finally:
            self._callback_thread = None
        assert np.isfinite(out).all(), "the callback left samples unwritten"
        return out

    def pull_seconds(self, seconds: float, block: int = 480) -> np.ndarray:
        """Run the callback in blocks (calling nothing else); returns channel 0."""
        parts = []
        total = int(round(seconds * self.samplerate))
        while total > 0 and self.active:
            n = min(block, total)
            parts.append(self.pull(n)[:, 0])
            total -= n
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def push(self, data: np.ndarray, flags: Flags | None = None) -> None:
        """Run the input callback once with ``data`` ((frames,) or (frames, channels))."""
        assert self.kind == "input"
        a = np.asarray(data, dtype=np.float32)
        if a.ndim == 1:
            a = np.repeat(a[:, None], self.channels, axis=1)
        self._callback_thread = threading.get_ident()
        try:
            self.callback(np.ascontiguousarray(a), a.shape[0], None, flags or Flags())
        finally:
            self._callback_thread = None


class FakeSoundDevice:
    """Module-like object; attributes mirror what the audio package uses of sounddevice."""

    PortAudioError = PortAudioError
    CallbackStop = CallbackStop

    def __init__(self, inputs: int = 1, outputs: int = 1, *, default_samplerate: float = 48000.0,
                 input_channels: int = 2, output_channels: int = 2,
                 refuse_rates: tuple[int, ...] = (), refuse_mono: bool = False,
                 no_default: bool = False, latency: float = 0.0) -> None:
        self.devices: list[dict] = []
        for i in range(inputs):
            self.devices.append(self._dev(f"Fake Mic {i}", input_channels, 0, default_samplerate))
        for i in range(outputs):
            self.devices.append(self._dev(f"Fake Speakers {i}", 0, output_channels,
                                          default_samplerate))
        din = -1 if no_default or not inputs else 0
        dout = -1 if no_default or not outputs else inputs
        self.default = SimpleNamespace(device=[din, dout])
        self.refuse_rates = set(refuse_rates)
        self.refuse_mono = refuse_mono
        self.fail_start = False
        self.latency = latency
        self.streams: list[FakeStream] = []

    def _dev(self, name: str, ins: int, outs: int, rate: float) -> dict:
        return {"name": name, "index": len(self.devices), "hostapi": 0,
                "max_input_channels": ins, "max_output_channels": outs,
                "default_samplerate": rate}

    def query_devices(self) -> list[dict]:
        return list(self.devices)

    def query_hostapis(self) -> list[dict]:
        return [{"name": "Fake API"}]

    def _open(self, kind: str, **kw: Any) -> FakeStream:
        if int(kw["samplerate"]) in self.refuse_rates:
            raise PortAudioError("Invalid sample rate [PaErrorCode -9997]")
        if self.refuse_mono and int(kw["channels"]) == 1:
            raise PortAudioError("Invalid number of channels [PaErrorCode -9998]")
        stream = FakeStream(self, kind, **kw)
        self.streams.append(stream)
        return stream

    def InputStream(self, **kw: Any) -> FakeStream:  # noqa: N802 (sounddevice's name)
        return self._open("input", **kw)

    def OutputStream(self, **kw: Any) -> FakeStream:  # noqa: N802
        return self._open("output", **kw)

    @property
    def last(self) -> FakeStream:
        return self.streams[-1]
