"""The server's pure parts: wire encoding, error mapping, auth helpers."""

from __future__ import annotations

import io
import struct

import numpy as np
import soundfile as sf

from studio.audio.errors import AudioTooLong, UnreadableAudio
from studio.engine.errors import EmptyText, ModelNotFound, OutOfMemory
from studio.errors import InvalidInput, StudioError
from studio.library.errors import AmbiguousVoice, StorageError, VoiceNotFound
from studio.server import encode
from studio.server.auth import host_part, origin_is_local, token_matches
from studio.server.errors import code_for, status_for


def test_pcm_is_clipped_not_wrapped():
    pcm = encode.s16le(np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.7, -3.0, np.nan], np.float32))
    values = np.frombuffer(pcm, "<i2").tolist()
    assert values == [0, 16384, -16384, 32767, -32767, 32767, -32767, 0]


def test_wav_whole_and_streamed_headers():
    audio = np.linspace(-0.5, 0.5, 2400, dtype=np.float32)
    whole = encode.encode(audio, 24000, "wav")
    data, sr = sf.read(io.BytesIO(whole), dtype="int16")
    assert sr == 24000 and data.tobytes() == encode.s16le(audio)
    assert struct.unpack("<I", whole[40:44])[0] == 4800
    streamed = encode.StreamEncoder("wav", 24000)
    body = streamed.header() + streamed.chunk(audio[:1000]) + streamed.chunk(audio[1000:])
    assert body[44:] == whole[44:] and body[:40] != whole[:40]
    assert sf.read(io.BytesIO(body), dtype="int16")[0].tobytes() == data.tobytes()
    assert encode.StreamEncoder("pcm", 24000).header() == b""
    empty = encode.encode(np.zeros(0, np.float32), 24000, "wav")
    assert len(empty) == 44


def test_formats_offered_match_libsndfile():
    assert encode.formats()[:3] == ("wav", "pcm", "flac")
    assert encode.check_format(" WAV ", stream=True) == "wav"


def test_error_statuses_and_codes():
    cases = [(EmptyText(), 400, "empty_text"), (InvalidInput("x"), 400, "invalid_input"),
             (VoiceNotFound("x"), 404, "voice_not_found"),
             (ModelNotFound("x"), 404, "model_not_found"),
             (AmbiguousVoice("x"), 409, "ambiguous_voice"),
             (AudioTooLong("x"), 413, "audio_too_long"),
             (UnreadableAudio("x"), 415, "unreadable_audio"),
             (OutOfMemory("cuda"), 503, "out_of_memory"),
             (StorageError("x"), 507, "storage_error"), (StudioError("x"), 500, "error")]
    for exc, status, code in cases:
        assert (status_for(exc), code_for(exc)) == (status, code), exc


def test_auth_helpers():
    assert host_part("[::1]:8765") == "::1" and host_part("localhost:80") == "localhost"
    assert host_part("127.0.0.1") == "127.0.0.1" and host_part("::1") == "::1"
    assert origin_is_local("http://127.0.0.1:5173") and not origin_is_local("null")
    assert not origin_is_local("http://localhost.evil.example")
    assert token_matches("Bearer abc", "abc") and token_matches("bearer  abc ", "abc")
    assert not token_matches("Bearer abd", "abc") and not token_matches("abc", "abc")
    assert not token_matches("Bearer ", "abc")
