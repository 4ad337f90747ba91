"""Import of every format, rate and channel count; the bad-input corpus; atomic export."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.audio import (
    AudioError,
    AudioFileMissing,
    AudioTooLong,
    AudioTooShort,
    InvalidSamples,
    UnreadableAudio,
    UnsupportedFormat,
    export_formats,
    import_clip,
    keep_original,
    probe,
    save_audio,
)
from studio.errors import InvalidInput, NotFound
from tests.audio.signals import dominant_freq, tone

SUBTYPES = {"WAV": "PCM_16", "FLAC": "PCM_16", "OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}


def write_tone(path: Path, rate: int, channels: int, seconds: float = 1.0, fmt: str = "WAV",
               subtype: str | None = None, freq: float = 440.0) -> np.ndarray:
    mono = tone(freq, seconds, rate, amp=0.5)
    data = np.repeat(mono[:, None], channels, axis=1)
    sf.write(str(path), data, rate, format=fmt, subtype=subtype or SUBTYPES[fmt])
    return mono


def nothing_left(folder: Path) -> bool:
    return not any(folder.iterdir())


# -- formats, rates, channels -------------------------------------------------------------

CASES = [
    ("WAV", 8000, 1), ("WAV", 44100, 2), ("WAV", 192000, 8), ("WAV", 16000, 1, "FLOAT"),
    ("WAV", 22050, 1, "PCM_24"), ("FLAC", 48000, 2), ("FLAC", 96000, 8), ("FLAC", 11025, 1),
    ("OGG", 44100, 2), ("OGG", 48000, 6), ("OGG", 16000, 1), ("MP3", 44100, 2),
    ("MP3", 24000, 1), ("MP3", 8000, 1),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_import_every_format_rate_and_channel_count(tmp_path, case):
    fmt, rate, channels = case[:3]
    if fmt.lower() not in export_formats():
        pytest.skip(f"libsndfile here cannot write {fmt}")
    path = tmp_path / f"clip.{fmt.lower()}"
    write_tone(path, rate, channels, 1.0, fmt, case[3] if len(case) > 3 else None)

    clip = import_clip(path)

    assert clip.sample_rate == 24000
    assert clip.audio.dtype == np.float32 and clip.audio.ndim == 1
    assert abs(clip.frames - 24000) <= (1200 if fmt == "MP3" else 2)
    assert abs(dominant_freq(clip.audio, 24000) - 440.0) < 3.0
    peak = float(np.max(np.abs(clip.audio)))
    assert 0.4 < peak < 0.6  # identical channels average back to the same tone
    src = clip.source
    assert (src.sample_rate, src.channels, src.format) == (rate, channels, fmt)
    assert src.duration == pytest.approx(1.0, abs=0.06 if fmt == "MP3" else 0.001)
    json.dumps(src.to_dict())


def test_channels_are_averaged_and_target_rate_is_honoured(tmp_path):
    left = tone(440, 1.0, 48000, amp=0.8)
    data = np.stack([left, np.zeros_like(left)], axis=1)
    sf.write(str(tmp_path / "st.wav"), data, 48000, subtype="FLOAT")
    clip = import_clip(tmp_path / "st.wav", target_rate=16000)
    assert clip.sample_rate == 16000 and clip.frames == 16000
    assert float(np.max(np.abs(clip.audio))) == pytest.approx(0.4, abs=0.01)


def test_same_rate_mono_float_import_is_exact(tmp_path):
    x = tone(300, 0.5, 24000)
    sf.write(str(tmp_path / "x.wav"), x, 24000, subtype="FLOAT")
    assert np.array_equal(import_clip(tmp_path / "x.wav").audio, x)


def test_silence_and_pure_clipping_import_fine(tmp_path):
    sf.write(str(tmp_path / "zero.wav"), np.zeros(24000, np.float32), 24000)
    square = np.sign(tone(200, 1.0, 44100)).astype(np.float32)
    sf.write(str(tmp_path / "sq.flac"), square, 44100)
    assert not import_clip(tmp_path / "zero.wav").audio.any()
    assert float(np.max(np.abs(import_clip(tmp_path / "sq.flac").audio))) > 0.95


def test_keep_in_copies_the_original_byte_for_byte(tmp_path):
    src = tmp_path / "take.flac"
    write_tone(src, 44100, 2, 0.5, "FLAC")
    keep = tmp_path / "originals"
    clip = import_clip(src, keep_in=keep)
    assert clip.source.kept_path == keep / "take.flac"
    assert (keep / "take.flac").read_bytes() == src.read_bytes()
    again = import_clip(src, keep_in=keep)  # never overwrites
    assert again.source.kept_path == keep / "take-2.flac"
    assert sorted(p.name for p in keep.iterdir()) == ["take-2.flac", "take.flac"]


def test_keep_original_with_a_name(tmp_path):
    src = tmp_path / "a.wav"
    write_tone(src, 24000, 1, 0.2)
    dest = keep_original(src, tmp_path / "k", name="reference.wav")
    assert dest.name == "reference.wav" and dest.read_bytes() == src.read_bytes()
    with pytest.raises(AudioFileMissing):
        keep_original(tmp_path / "nope.wav", tmp_path / "k")


# -- the bad-input corpus -----------------------------------------------------------------

def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def make_empty(d: Path) -> Path:
    p = d / "empty.wav"
    p.write_bytes(b"")
    return p


def make_truncated(fmt: str, keep: float):
    def make(d: Path) -> Path:
        if fmt.lower() not in export_formats():
            pytest.skip(f"cannot write {fmt}")
        p = d / f"cut.{fmt.lower()}"
        write_tone(p, 24000, 1, 2.0, fmt)
        _truncate(p, keep)
        return p
    return make


def make_garbage(ext: str):
    def make(d: Path) -> Path:
        p = d / f"noise.{ext}"
        p.write_bytes(np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8).tobytes())
        return p
    return make


def make_text_as_mp3(d: Path) -> Path:
    p = d / "notes.mp3"
    p.write_text("this is not audio\n" * 100)
    return p


def make_nonfinite(value: float):
    def make(d: Path) -> Path:
        x = tone(440, 0.5, 24000)
        x[1000] = value
        p = d / "bad.wav"
        sf.write(str(p), x, 24000, subtype="FLOAT")
        return p
    return make


def make_one_sample(d: Path) -> Path:
    p = d / "one.wav"
    sf.write(str(p), np.array([0.5], np.float32), 24000)
    return p


def make_directory(d: Path) -> Path:
    p = d / "folder.wav"
    p.mkdir()
    return p


CORPUS = [
    ("empty", make_empty, UnreadableAudio, "empty"),
    ("wav-cut-half", make_truncated("WAV", 0.5), UnreadableAudio, "incomplete"),
    ("wav-cut-header", make_truncated("WAV", 0.0003), UnreadableAudio, "cannot be read"),
    ("flac-cut", make_truncated("FLAC", 0.5), UnreadableAudio, "damaged or incomplete"),
    ("ogg-cut", make_truncated("OGG", 0.5), UnreadableAudio, "cannot be read"),
    ("mp3-cut", make_truncated("MP3", 0.5), UnreadableAudio, "incomplete"),
    ("garbage-wav", make_garbage("wav"), UnreadableAudio, "cannot be read"),
    ("garbage-flac", make_garbage("flac"), UnreadableAudio, "cannot be read"),
    ("garbage-ogg", make_garbage("ogg"), UnreadableAudio, "cannot be read"),
    ("garbage-mp3", make_garbage("mp3"), UnreadableAudio, "cannot be read"),
    ("text-mp3", make_text_as_mp3, UnreadableAudio, "cannot be read"),
    ("nan", make_nonfinite(float("nan")), InvalidSamples, "NaN"),
    ("inf", make_nonfinite(float("inf")), InvalidSamples, "NaN or infinity"),
    ("one-sample", make_one_sample, AudioTooShort, "1 sample"),
]


@pytest.mark.parametrize("name,make,error,words", CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_inputs_get_a_clear_error_and_leave_nothing(tmp_path, name, make, error, words):
    src_dir, keep = tmp_path / "src", tmp_path / "keep"
    src_dir.mkdir()
    keep.mkdir()
    path = make(src_dir)
    before = sorted(os.listdir(src_dir))

    with pytest.raises(error) as info:
        import_clip(path, keep_in=keep)

    err = info.value
    assert isinstance(err, AudioError) and isinstance(err, InvalidInput)
    assert words in str(err)
    assert path.name in str(err)
    assert any(w in str(err) for w in ("again", "Use ", "Import", "Re-export")), str(err)
    assert nothing_left(keep)
    assert sorted(os.listdir(src_dir)) == before  # no temp files next to the source either


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioFileMissing) as info:
        import_clip(tmp_path / "missing.wav")
    assert isinstance(info.value, NotFound) and "does not exist" in str(info.value)
    folder = make_directory(tmp_path)
    for attempt in (import_clip, probe, lambda p: keep_original(p, tmp_path / "keep")):
        with pytest.raises(AudioFileMissing) as info:
            attempt(folder)
        message = str(info.value)
        assert f"{folder} is a folder, not a file" in message and "Give an audio file" in message
        assert "does not exist" not in message


def _sparse_wav(path: Path, seconds: int, rate: int = 16000) -> None:
    """A valid 16-bit WAV of ``seconds`` of silence that takes no disk space."""
    data_bytes = seconds * rate * 2
    header = (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt "
              + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
              + b"data" + struct.pack("<I", data_bytes))
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(44 + data_bytes)


def test_hours_long_is_refused_from_the_header_without_decoding(tmp_path, monkeypatch):
    path = tmp_path / "two-hours.wav"
    _sparse_wav(path, 2 * 3600)
    assert probe(path).duration == 7200

    def no_decoding(*a, **k):
        raise AssertionError("audio was decoded to find out its length")

    monkeypatch.setattr(sf.SoundFile, "read", no_decoding)
    keep = tmp_path / "keep"
    with pytest.raises(AudioTooLong) as info:
        import_clip(path, keep_in=keep)
    assert "2 h 0 min" in str(info.value) and "10 min" in str(info.value)
    assert not keep.exists() or nothing_left(keep)


def test_length_limit_is_configurable(tmp_path):
    path = tmp_path / "three.wav"
    write_tone(path, 24000, 1, 3.0)
    with pytest.raises(AudioTooLong):
        import_clip(path, max_seconds=2.0)
    assert import_clip(path, max_seconds=None).frames == 72000
    with pytest.raises(AudioTooShort):
        import_clip(path, min_seconds=5.0)


def test_a_header_that_understates_the_length_is_still_capped(tmp_path, monkeypatch):
    """If a header lies (says 1 s, holds 3 s), decoding stops at the limit."""
    path = tmp_path / "liar.wav"
    write_tone(path, 24000, 1, 3.0)
    import studio.audio.files as files

    real = files.probe

    def lying_probe(p):
        info = real(p)
        from dataclasses import replace
        return replace(info, frames=24000)

    monkeypatch.setattr(files, "probe", lying_probe)
    with pytest.raises(AudioTooLong):
        files.import_clip(path, max_seconds=2.0)


# -- export -------------------------------------------------------------------------------

def test_export_formats_probe_libsndfile():
    formats = export_formats()
    assert {"wav", "flac", "ogg"} <= set(formats)
    assert ("mp3" in formats) == ("MP3" in sf.available_formats())


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3"])
def test_save_roundtrip_every_export_format(tmp_path, fmt):
    if fmt not in export_formats():
        pytest.skip(f"cannot write {fmt} here")
    x = tone(440, 1.0, 24000)
    path = save_audio(tmp_path / f"take.{fmt}", x, 24000)
    assert sorted(os.listdir(tmp_path)) == [f"take.{fmt}"]  # no temp file left
    info = sf.info(str(path))
    assert info.format == fmt.upper() and info.samplerate == 24000
    back = import_clip(path)
    assert abs(back.frames - 24000) <= 1200
    assert abs(dominant_freq(back.audio, 24000) - 440) < 3


def test_save_with_explicit_format_and_subtype(tmp_path):
    x = tone(440, 0.1, 24000)
    path = save_audio(tmp_path / "take.bin", x, 24000, format="flac", subtype="PCM_24")
    assert sf.info(str(path)).subtype == "PCM_24"
    save_audio(tmp_path / "f.wav", x, 24000, subtype="FLOAT")
    assert np.array_equal(sf.read(str(tmp_path / "f.wav"), dtype="float32")[0], x)


def test_save_replaces_atomically_and_clips_pcm(tmp_path):
    path = tmp_path / "take.wav"
    save_audio(path, np.zeros(100, np.float32), 24000)
    save_audio(path, np.array([1.5, -2.0, 0.5], np.float32), 24000)
    data, _ = sf.read(str(path), dtype="float32")
    assert data[0] == pytest.approx(1.0, abs=1e-4) and data[1] == -1.0  # clipped, not wrapped
    assert os.listdir(tmp_path) == ["take.wav"]


def test_save_failures_leave_nothing_and_keep_the_old_file(tmp_path):
    path = tmp_path / "take.wav"
    save_audio(path, tone(440, 0.1, 24000), 24000)
    old = path.read_bytes()
    bad = tone(440, 0.1, 24000)
    bad[3] = np.nan
    with pytest.raises(InvalidSamples):
        save_audio(path, bad, 24000)
    with pytest.raises(AudioError):
        save_audio(path, np.zeros(0, np.float32), 24000)
    with pytest.raises(UnsupportedFormat):
        save_audio(tmp_path / "take.xyz", bad, 24000)
    if "mp3" in export_formats():
        with pytest.raises(UnsupportedFormat):  # MP3 cannot do 192 kHz
            save_audio(tmp_path / "hi.mp3", tone(440, 0.1, 192000), 192000)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["take.wav"]
