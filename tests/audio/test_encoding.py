"""studio.audio.encoding: every format decodes back to the audio that went in, streamed
or whole, at the right rate and length."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile as sf

from studio.audio import encoding
from studio.audio.encoding import FORMATS, STREAMABLE, StreamEncoder, decode, encode
from tests.audio.signals import SR, dominant_freq, tone

# encoder delay and padding a streamed file cannot declare (no seeking back to a header)
PADDING = {"mp3": 1600, "aac": 2048, "opus": 0, "wav": 0, "pcm": 0}


def stream(audio: np.ndarray, fmt: str, sizes: list[int]) -> tuple[bytes, list[bytes]]:
    enc = StreamEncoder(fmt, SR)
    pieces = [enc.header()]
    start = 0
    for n in sizes:
        pieces.append(enc.push(audio[start:start + n]))
        start += n
    pieces.append(enc.push(audio[start:]))
    pieces.append(enc.finish())
    return b"".join(pieces), pieces


@pytest.mark.parametrize("fmt", FORMATS)
def test_whole_file_decodes_to_the_same_audio(fmt):
    audio = tone(440, 1.0, amp=0.4)
    data = encode(audio, SR, fmt)
    out, rate = decode(data, fmt)
    scale = 2 if fmt == "opus" else 1  # Opus always decodes at 48 kHz
    assert rate == SR * scale
    if fmt == "aac":  # ADTS cannot say how much priming to skip
        assert 0 <= len(out) - len(audio) <= PADDING["aac"]
    else:  # the others know their exact length (MP3 from its LAME header)
        assert len(out) == len(audio) * scale
    assert abs(dominant_freq(out, rate) - 440) < 5
    if fmt in ("wav", "pcm", "flac"):  # lossless: the same 16-bit samples
        assert np.abs(out[: len(audio)] - audio).max() < 1e-4 * 2
    magic = {"mp3": b"ID3", "opus": b"OggS", "aac": b"\xff\xf1", "flac": b"fLaC",
             "wav": b"RIFF", "pcm": b""}[fmt]  # ADTS: the sync word of MPEG-4 AAC
    assert data.startswith(magic)


@pytest.mark.parametrize("fmt", STREAMABLE)
def test_streamed_file_decodes_and_bytes_come_with_each_chunk(fmt):
    audio = tone(330, 1.5, amp=0.4)
    data, pieces = stream(audio, fmt, [2000, 3840, 7680, 100, 9000])
    out, rate = decode(data, fmt)
    scale = 2 if fmt == "opus" else 1
    assert rate == SR * scale
    assert 0 <= len(out) / scale - len(audio) <= PADDING[fmt]
    assert abs(dominant_freq(out, rate) - 330) < 5
    # every chunk of a tenth of a second or more came out as bytes at once
    assert all(len(p) > 0 for p, n in zip(pieces[1:], [2000, 3840, 7680], strict=False)
               if n >= 2400)


def test_streamed_wav_has_unknown_length_and_the_whole_ones_samples():
    audio = np.linspace(-0.5, 0.5, 2400, dtype=np.float32)
    whole = encode(audio, SR, "wav")
    assert len(whole) == 44 + 4800 and struct.unpack("<I", whole[40:44])[0] == 4800
    body, _ = stream(audio, "wav", [1000])
    assert body[44:] == whole[44:]
    riff, data_size = struct.unpack("<I", body[4:8])[0], struct.unpack("<I", body[40:44])[0]
    assert riff == data_size == 0xFFFFFFFF  # players (and libsndfile) read it to the end
    assert sf.read(io.BytesIO(body), dtype="int16")[0].tobytes() == whole[44:]


def test_samples_are_clipped_not_wrapped():
    pcm = encode(np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.7, -3.0, np.nan, np.inf], np.float32),
                 SR, "pcm")
    assert np.frombuffer(pcm, "<i2").tolist() == [0, 16384, -16384, 32767, -32767, 32767,
                                                  -32767, 0, 32767]


def test_no_audio_is_still_a_valid_file():
    assert len(encode(np.zeros(0, np.float32), SR, "wav")) == 44
    assert encode(np.zeros(0, np.float32), SR, "pcm") == b""
    for fmt in ("mp3", "opus", "flac"):
        assert len(encode(np.zeros(0, np.float32), SR, fmt)) > 0


def test_bad_formats_are_refused():
    with pytest.raises(ValueError, match="unknown audio format"):
        encode(np.zeros(10, np.float32), SR, "ogg")
    with pytest.raises(ValueError, match="cannot be streamed"):
        StreamEncoder("flac", SR)
    assert encoding.check(" MP3 ") == "mp3"


def test_a_rate_opus_does_not_take_is_encoded_at_one_it_does():
    audio = tone(440, 0.5, sr=44100)
    out, rate = decode(encode(audio, 44100, "opus"), "opus")
    assert rate == 48000 and abs(len(out) - 24000) <= 960
    assert encoding.encoding_rate("libopus", 44100) == 48000
    assert encoding.encoding_rate("libmp3lame", 24000) == 24000
