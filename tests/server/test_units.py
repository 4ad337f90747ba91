"""The server's pure parts: error mapping, auth helpers, aliases, ref_audio parsing."""

from __future__ import annotations

from studio.audio.errors import AudioTooLong, UnreadableAudio
from studio.engine.errors import EmptyText, ModelNotFound, OutOfMemory
from studio.errors import InvalidInput, StudioError
from studio.library.errors import AmbiguousVoice, StorageError, VoiceNotFound
from studio.server.auth import host_part, origin_is_local, token_matches
from studio.server.errors import code_for, status_for


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
