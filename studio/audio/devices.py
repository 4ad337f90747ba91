"""The sounddevice module, injected: loading it, listing devices, choosing one.

Everything takes ``sd`` (a sounddevice-like module) so tests can pass a fake and a machine
without PortAudio still imports the audio package: only the functions that need a device
import sounddevice, and they turn "no PortAudio" or "no device" into typed errors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from studio.audio.errors import (
    AudioBackendMissing,
    AudioDeviceError,
    DeviceOpenFailed,
    NoInputDevice,
    NoOutputDevice,
)

Kind = Literal["input", "output"]


def load_sounddevice(sd: Any = None) -> Any:
    """``sd`` itself, or the real sounddevice module; AudioBackendMissing if it cannot load."""
    if sd is not None:
        return sd
    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing: sounddevice raises OSError at import
        raise AudioBackendMissing(str(exc) or "PortAudio library not found") from exc
    except ImportError as exc:
        raise AudioBackendMissing("the sounddevice package is not installed") from exc
    return sounddevice


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DeviceList:
    inputs: list[AudioDevice]
    outputs: list[AudioDevice]

    @property
    def default_input(self) -> AudioDevice | None:
        return next((d for d in self.inputs if d.is_default_input), None)

    @property
    def default_output(self) -> AudioDevice | None:
        return next((d for d in self.outputs if d.is_default_output), None)


def _default_indices(sd: Any) -> tuple[int, int]:
    try:
        pair = list(sd.default.device)
    except (AttributeError, TypeError):
        return -1, -1
    out = []
    for value in (pair + [-1, -1])[:2]:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            out.append(-1)
    return out[0], out[1]


def _hostapi_names(sd: Any) -> list[str]:
    try:
        return [str(h.get("name", "")) for h in sd.query_hostapis()]
    except Exception:  # a fake or broken backend: names are cosmetic
        return []


def list_devices(sd: Any = None) -> DeviceList:
    """Input and output devices; the system default of each kind is flagged.

    When PortAudio names no default (it can happen with ALSA), the first device of that
    kind is what ``device=None`` opens, so it gets the flag.
    """
    mod = load_sounddevice(sd)
    try:
        raw = list(mod.query_devices())
    except Exception as exc:  # PortAudioError: the backend is there but broken
        raise AudioBackendMissing(f"listing devices failed: {exc}") from exc
    apis = _hostapi_names(mod)
    din, dout = _default_indices(mod)
    devices = []
    for i, d in enumerate(raw):
        api = d.get("hostapi", -1)
        devices.append(AudioDevice(
            index=int(d.get("index", i)),
            name=str(d.get("name", f"device {i}")),
            hostapi=apis[api] if isinstance(api, int) and 0 <= api < len(apis) else "",
            max_input_channels=int(d.get("max_input_channels", 0)),
            max_output_channels=int(d.get("max_output_channels", 0)),
            default_samplerate=float(d.get("default_samplerate", 0.0) or 0.0),
        ))
    inputs = [d for d in devices if d.is_input]
    outputs = [d for d in devices if d.is_output]
    din = din if any(d.index == din for d in inputs) else (inputs[0].index if inputs else -1)
    dout = dout if any(d.index == dout for d in outputs) else (outputs[0].index if outputs else -1)
    mark = [AudioDevice(**{**asdict(d), "is_default_input": d.index == din,
                           "is_default_output": d.index == dout}) for d in devices]
    return DeviceList(inputs=[d for d in mark if d.is_input],
                      outputs=[d for d in mark if d.is_output])


def resolve_device(sd: Any, device: int | str | None, kind: Kind) -> AudioDevice:
    """The device to open: the default for None, else by index, exact name or name part."""
    devices = list_devices(sd)
    pool = devices.outputs if kind == "output" else devices.inputs
    missing = NoOutputDevice if kind == "output" else NoInputDevice
    if not pool:
        raise missing()
    if device is None:
        found = devices.default_output if kind == "output" else devices.default_input
        return found or pool[0]
    if isinstance(device, int):
        for d in pool:
            if d.index == device:
                return d
        raise missing(f"device {device} is not an {kind} device or is no longer connected")
    for d in pool:
        if d.name == device:
            return d
    for d in pool:
        if str(device).lower() in d.name.lower():
            return d
    raise missing(f"'{device}' is not connected")


def audio_available(sd: Any = None, kind: Kind | Literal["both"] = "output") -> tuple[bool, str]:
    """(True, "") if a device of ``kind`` can be used, else (False, why, in words)."""
    try:
        mod = load_sounddevice(sd)
        for k in (("input", "output") if kind == "both" else (kind,)):
            resolve_device(mod, None, k)  # type: ignore[arg-type]
    except AudioDeviceError as exc:
        return False, str(exc)
    return True, ""


def open_stream(
    sd: Any,
    kind: Kind,
    dev: AudioDevice,
    sample_rate: int,
    callback: Any,
    *,
    blocksize: int = 0,
    latency: float | str | None = None,
) -> tuple[Any, int, int]:
    """Open (not start) a float32 stream; returns (stream, rate, channels) actually used.

    Mono at ``sample_rate`` is tried first; devices that refuse it get stereo and/or their
    own default rate, and the caller mixes, duplicates or resamples.
    """
    cls = sd.OutputStream if kind == "output" else sd.InputStream
    max_ch = dev.max_output_channels if kind == "output" else dev.max_input_channels
    rates = [int(sample_rate)]
    if int(dev.default_samplerate) > 0 and int(dev.default_samplerate) != int(sample_rate):
        rates.append(int(dev.default_samplerate))
    channels = [1, 2] if max_ch >= 2 else [1]
    errors = tuple(e for e in (getattr(sd, "PortAudioError", None), ValueError) if e)
    kwargs: dict[str, Any] = {"dtype": "float32", "device": dev.index, "callback": callback,
                              "blocksize": blocksize}
    if latency is not None:
        kwargs["latency"] = latency
    last: BaseException | None = None
    for rate in rates:
        for ch in channels:
            try:
                return cls(samplerate=rate, channels=ch, **kwargs), rate, ch
            except errors as exc:
                last = exc
    raise DeviceOpenFailed(kind, dev.name, str(last).splitlines()[0] if last else "unknown")
