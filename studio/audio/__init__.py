"""Qt-free audio core: files, reference check, edits, recording and playback.

sounddevice (and so PortAudio) is only imported when a device is needed, so everything
else works on machines without a sound system.
"""

from studio.audio.clip import Clip, SourceInfo, StreamResampler, resample, to_mono
from studio.audio.devices import AudioDevice, DeviceList, audio_available, list_devices
from studio.audio.edit import fade, normalize, rms_dbfs, trim, trim_silence
from studio.audio.errors import (
    AudioBackendMissing,
    AudioDeviceError,
    AudioError,
    AudioFileMissing,
    AudioTooLong,
    AudioTooShort,
    DeviceOpenFailed,
    InvalidSamples,
    NoInputDevice,
    NoOutputDevice,
    UnreadableAudio,
    UnsupportedFormat,
)
from studio.audio.files import export_formats, import_clip, keep_original, probe, save_audio
from studio.audio.levels import speech_bounds
from studio.audio.player import Player, PlayerState
from studio.audio.policy import BufferStatus, StartPolicy, prebuffer
from studio.audio.recorder import Level, Recorder, RecorderState
from studio.audio.reference_check import (
    CheckItem,
    ReferenceReport,
    Status,
    check_clip,
    check_reference,
)
from studio.audio.ringbuffer import RingBuffer
from studio.audio.samplerate import SAMPLE_RATE

__all__ = [
    "SAMPLE_RATE",
    "AudioBackendMissing",
    "AudioDevice",
    "AudioDeviceError",
    "AudioError",
    "AudioFileMissing",
    "AudioTooLong",
    "AudioTooShort",
    "BufferStatus",
    "CheckItem",
    "Clip",
    "DeviceList",
    "DeviceOpenFailed",
    "InvalidSamples",
    "Level",
    "NoInputDevice",
    "NoOutputDevice",
    "Player",
    "PlayerState",
    "Recorder",
    "RecorderState",
    "ReferenceReport",
    "RingBuffer",
    "SourceInfo",
    "StartPolicy",
    "Status",
    "StreamResampler",
    "UnreadableAudio",
    "UnsupportedFormat",
    "audio_available",
    "check_clip",
    "check_reference",
    "export_formats",
    "fade",
    "import_clip",
    "keep_original",
    "list_devices",
    "normalize",
    "prebuffer",
    "probe",
    "resample",
    "rms_dbfs",
    "save_audio",
    "speech_bounds",
    "to_mono",
    "trim",
    "trim_silence",
]
