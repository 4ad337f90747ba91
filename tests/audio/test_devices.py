"""Device listing, defaults, choice by name/index, and what happens without PortAudio."""

from __future__ import annotations

import importlib.abc
import sys

import pytest

from studio.audio import (
    AudioBackendMissing,
    NoInputDevice,
    NoOutputDevice,
    Player,
    Recorder,
    audio_available,
    check_reference,
    import_clip,
    list_devices,
    save_audio,
)
from studio.audio.devices import load_sounddevice, resolve_device
from studio.errors import DeviceUnavailable
from tests.audio.fake_sd import FakeSoundDevice
from tests.audio.signals import SR, tone


def test_list_devices_flags_the_defaults():
    sd = FakeSoundDevice(inputs=2, outputs=2)
    devices = list_devices(sd)
    assert [d.name for d in devices.inputs] == ["Fake Mic 0", "Fake Mic 1"]
    assert [d.name for d in devices.outputs] == ["Fake Speakers 0", "Fake Speakers 1"]
    assert devices.default_input.name == "Fake Mic 0"
    assert devices.default_output.name == "Fake Speakers 0"
    assert devices.outputs[0].hostapi == "Fake API"
    assert devices.outputs[0].to_dict()["is_default_output"] is True


def test_without_a_system_default_the_first_device_is_it():
    devices = list_devices(FakeSoundDevice(inputs=2, outputs=1, no_default=True))
    assert devices.default_input.index == 0 and devices.default_output.index == 2


def test_resolve_by_index_exact_name_and_part_of_name():
    sd = FakeSoundDevice(inputs=1, outputs=2)
    assert resolve_device(sd, None, "output").name == "Fake Speakers 0"
    assert resolve_device(sd, 2, "output").name == "Fake Speakers 1"
    assert resolve_device(sd, "Fake Speakers 1", "output").index == 2
    assert resolve_device(sd, "speakers 1", "output").index == 2
    with pytest.raises(NoOutputDevice) as info:
        resolve_device(sd, "USB Headset", "output")
    assert "'USB Headset' is not connected" in str(info.value)
    with pytest.raises(NoInputDevice):
        resolve_device(sd, 2, "input")  # an output device


def test_no_devices_gives_clear_typed_errors():
    sd = FakeSoundDevice(inputs=0, outputs=0)
    ok, why = audio_available(sd)
    assert not ok and "No audio output device was found" in why
    assert "export the take to a file" in why
    assert audio_available(FakeSoundDevice(inputs=0, outputs=1), "both")[0] is False
    assert audio_available(FakeSoundDevice(inputs=1, outputs=1), "both") == (True, "")
    with pytest.raises(NoOutputDevice) as info:
        Player(sd=sd).play(tone(440, 0.1), SR)
    assert isinstance(info.value, DeviceUnavailable)
    with pytest.raises(NoInputDevice) as info:
        Recorder(sd=sd).start()
    assert "microphone" in str(info.value)


class _NoPortAudio(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


@pytest.fixture
def no_portaudio(monkeypatch):
    """Make ``import sounddevice`` fail the way it does without libportaudio2."""
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])


def test_without_portaudio_only_device_work_fails(no_portaudio, tmp_path):
    with pytest.raises(AudioBackendMissing) as info:
        load_sounddevice()
    assert "libportaudio2" in str(info.value)
    ok, why = audio_available()
    assert not ok and "PortAudio" in why
    player, recorder = Player(), Recorder()  # constructing needs no device
    with pytest.raises(AudioBackendMissing):
        player.play(tone(440, 0.1), SR)
    with pytest.raises(AudioBackendMissing):
        recorder.start()
    with pytest.raises(AudioBackendMissing):
        list_devices()
    player.close()
    # everything that needs no device still works
    path = save_audio(tmp_path / "x.wav", tone(440, 1.0), SR)
    clip = import_clip(path)
    assert clip.frames == SR
    assert check_reference(clip.audio, SR).duration_s == 1.0
    assert "sounddevice" not in sys.modules
