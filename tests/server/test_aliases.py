"""Voice aliases (OpenAI's voice names and the user's own) and ref_audio parsing: the
parts that need no model."""

from __future__ import annotations

import base64
import json

import pytest

from studio.cli import main
from studio.errors import InvalidInput
from studio.library.errors import VoiceNotFound
from studio.server.aliases import OPENAI_VOICES, Aliases, parse_alias
from studio.server.config import ServerConfig
from studio.server.errors import ApiError
from studio.server.refaudio import ref_audio_bytes
from studio.server.runner import serve


def test_every_openai_voice_has_a_preset_speaker():
    assert len(OPENAI_VOICES) == 13
    aliases = Aliases()
    for name in OPENAI_VOICES:
        assert aliases.resolve(name.upper(), None).source == "speaker"


def test_user_aliases_win_and_defaults_only_fill_gaps():
    assert Aliases(defaults={"ryan": "Vivian"}).resolve("Ryan", None).key == "speaker:ryan"
    assert Aliases(user={"ryan": "Vivian"}).resolve("ryan", None).key == "speaker:vivian"
    assert Aliases(user={"alloy": "berlin-professor"}).resolve("Alloy", None).key == \
        "design:berlin-professor"
    broken = Aliases(user={"alloy": "Nobody"})
    with pytest.raises(VoiceNotFound, match="'alloy' stands for 'Nobody'"):
        broken.resolve("alloy", None)
    with pytest.raises(InvalidInput, match="alloy='Nobody' names no voice"):
        broken.check(None)
    with pytest.raises(InvalidInput, match="incomplete"):
        Aliases(user={"alloy": " "})


def test_parse_alias():
    assert parse_alias('alloy="My voice"') == ("alloy", "My voice")
    assert parse_alias(" narrator = Ryan ") == ("narrator", "Ryan")
    for bad in ("alloy", "=Ryan", "alloy="):
        with pytest.raises(InvalidInput, match="NAME=VOICE"):
            parse_alias(bad)


def test_cli_takes_aliases_from_settings_and_flags(monkeypatch, studio_home):
    (studio_home / "settings.json").write_text(json.dumps(
        {"voice_aliases": {"nova": "Sohee", "alloy": "Vivian"}}))
    seen: list = []
    monkeypatch.setattr("studio.server.runner.serve",
                        lambda config, verbose=False: seen.append(config))
    argv = ["serve", "--alias", "alloy=Ryan", "--alias", "narrator=Berlin Professor"]
    assert main(argv) == 0
    assert seen[0].voice_aliases == {"nova": "Sohee", "alloy": "Ryan",
                                     "narrator": "Berlin Professor"}


def test_cli_refuses_bad_aliases_in_one_line(capsys, studio_home):
    assert main(["serve", "--alias", "alloy"]) == 1
    assert "NAME=VOICE" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--alias", "alloy=Nobody"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "alloy='Nobody' names no voice" in err
    with pytest.raises(InvalidInput):
        serve(ServerConfig(port=0, voice_aliases={"": "Ryan"}))


def test_ref_audio_is_bytes_never_a_url():
    clip = b"RIFF1234WAVEfmt "
    encoded = base64.b64encode(clip).decode()
    assert ref_audio_bytes(f"data:audio/wav;base64,{encoded}", 1000) == (clip, "ref_audio.wav")
    assert ref_audio_bytes(f"data:audio/x-flac;codec=x;base64,{encoded}", 1000)[1] == \
        "ref_audio.flac"
    assert ref_audio_bytes(f"  {encoded[:8]}\n{encoded[8:]} ", 1000) == (clip, "ref_audio")
    for url in ("http://example.com/a.wav", "HTTPS://x/a", "file:///etc/passwd", "ftp://x/y",
                "s3://bucket/a.wav"):
        with pytest.raises(ApiError) as refused:
            ref_audio_bytes(url, 1000)
        assert refused.value.code == "ref_audio_url_refused"
    with pytest.raises(ApiError) as big:
        ref_audio_bytes(base64.b64encode(b"x" * 2000).decode(), 1000)
    assert big.value.status == 413
    for bad in ("", "data:audio/wav,plain", "%%%", "data:audio/wav;base64,"):
        with pytest.raises(ApiError) as invalid:
            ref_audio_bytes(bad, 1000)
        assert invalid.value.code == "invalid_ref_audio"
