"""Typed, user-facing errors of the audio package; each message says what to do next."""

from __future__ import annotations

import os

from studio.errors import DeviceUnavailable, InvalidInput, NotFound


def not_a_file_message(path: str | os.PathLike[str], what: str = "audio file",
                       then: str = "") -> str:
    """Why ``path`` cannot be opened as an audio file. A folder (``transcribe /tmp``) or a
    device is there, so "does not exist" would send the person looking for the wrong fault."""
    after = f" {then}" if then else ""
    if os.path.isdir(path):
        return (f"{path} is a folder, not a file. Give an audio file (WAV, FLAC, OGG or MP3) "
                "instead.")
    if os.path.exists(path):
        return (f"{path} is not a regular file. Give an audio file (WAV, FLAC, OGG or MP3) "
                "instead.")
    return f"The {what} {path} does not exist.{after}"


class AudioError(InvalidInput):
    """An audio file or array that cannot be used as given."""


class UnreadableAudio(AudioError):
    """Empty, damaged, truncated or not audio at all."""


class AudioTooLong(AudioError):
    """Longer than the limit of the operation (checked from the header, before decoding)."""


class AudioTooShort(AudioError):
    """Too few samples to be worth anything."""


class InvalidSamples(AudioError):
    """NaN or infinite samples."""


class NoSpeech(AudioError):
    """Silent audio, or none of it sounds like speech: nothing to transcribe."""


class UnsupportedFormat(AudioError):
    """A format this installation cannot write."""


class AudioFileMissing(NotFound):
    """No audio file at the path: nothing there, or a folder or device instead."""

    def __init__(self, path: str) -> None:
        super().__init__(not_a_file_message(path, then="Choose the file again."))


class AudioDeviceError(DeviceUnavailable):
    """Base of everything that needs a sound device and could not get one."""


class AudioBackendMissing(AudioDeviceError):
    """PortAudio (the library behind sounddevice) is not installed or fails to load."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Audio playback and recording are unavailable because the PortAudio library "
            f"could not be loaded ({reason}). Install PortAudio (on Debian/Ubuntu: "
            "'sudo apt install libportaudio2'), or export takes to files instead."
        )


class NoOutputDevice(AudioDeviceError):
    def __init__(self, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"No audio output device was found{extra}. Connect speakers or headphones, "
            "or export the take to a file instead."
        )


class NoInputDevice(AudioDeviceError):
    def __init__(self, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"No microphone or other audio input device was found{extra}. Connect one, "
            "or import a recording from a file instead."
        )


class DeviceOpenFailed(AudioDeviceError):
    def __init__(self, kind: str, name: str, reason: str) -> None:
        what = "output" if kind == "output" else "input"
        super().__init__(
            f"The audio {what} device '{name}' could not be opened ({reason}). Close other "
            f"programs that use it, or choose another {what} device in Settings."
        )


__all__ = [
    "AudioBackendMissing",
    "AudioDeviceError",
    "AudioError",
    "AudioFileMissing",
    "AudioTooLong",
    "AudioTooShort",
    "DeviceOpenFailed",
    "InvalidSamples",
    "NoInputDevice",
    "NoOutputDevice",
    "NoSpeech",
    "UnreadableAudio",
    "UnsupportedFormat",
    "not_a_file_message",
]
