"""The fake sounddevice lives in studio.testing (the benchmarks and screenshot script use it too)."""

from studio.testing.fake_sd import CallbackStop, FakeSoundDevice, FakeStream, Flags, PortAudioError

__all__ = ["CallbackStop", "FakeSoundDevice", "FakeStream", "Flags", "PortAudioError"]
