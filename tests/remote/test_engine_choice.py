"""Where takes are made, as settings keep it: the tokens in a file only its owner can read,
never in a printed object; the command line's server from its flag or the environment."""

from __future__ import annotations

import os
import stat

import pytest

from studio import paths
from studio.engine.backend import LocalBackend
from studio.errors import InvalidInput
from studio.remote.choice import LOCAL, OMNI, STUDIO, EngineChoice, backend_for
from studio.remote.connection import normalize_url
from studio.remote.studio_server import StudioServer
from studio.remote.vllm_omni import VllmOmni
from studio.settings import Settings


def test_the_choice_and_its_token_are_kept_for_the_owner_only(studio_home):
    settings = Settings(engine=STUDIO, server_url="https://gpu.example:8443",
                        server_token="s3cret-token", omni_urls={"base": "http://omni:8091"},
                        omni_token="omni-key")
    settings.save()
    path = paths.settings_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = Settings.load()
    choice = EngineChoice.from_settings(loaded)
    assert choice == EngineChoice(STUDIO, "https://gpu.example:8443", "s3cret-token",
                                  (("base", "http://omni:8091"),), "omni-key")
    for text in (repr(loaded), repr(choice), str(choice)):
        assert "s3cret-token" not in text and "omni-key" not in text
    backend = backend_for(choice, None)
    try:
        assert isinstance(backend, StudioServer) and "s3cret" not in repr(backend.conn)
        assert backend.label == "Voice Studio server at gpu.example:8443"
    finally:
        backend.close()


def test_backends_for_each_choice(tiny_pool, monkeypatch):
    assert isinstance(backend_for(EngineChoice(), tiny_pool), LocalBackend)
    omni = backend_for(EngineChoice(OMNI, omni_urls=(("custom_voice", "h1:8091"),
                                                     ("voice_design", "h2:8091"))), None)
    assert isinstance(omni, VllmOmni) and omni.label == "vLLM-Omni at h1:8091, h2:8091"
    omni.close()
    with pytest.raises(InvalidInput, match="at least one vLLM-Omni server"):
        backend_for(EngineChoice(OMNI), None)
    with pytest.raises(InvalidInput, match="Give the server's address"):
        backend_for(EngineChoice(STUDIO, "  "), None)
    with pytest.raises(InvalidInput, match="not a server address"):
        normalize_url("ftp://files.example")
    assert normalize_url(" gpu.lan:8765/ ") == "http://gpu.lan:8765"
    monkeypatch.delenv("VOICE_STUDIO_SERVER", raising=False)
    assert EngineChoice.from_command_line(None).mode == LOCAL
    monkeypatch.setenv("VOICE_STUDIO_SERVER", "gpu.lan:8765")
    monkeypatch.setenv("VOICE_STUDIO_TOKEN", "tok")
    assert EngineChoice.from_command_line(None) == EngineChoice(STUDIO, "gpu.lan:8765", "tok")
    assert EngineChoice.from_command_line("other:1").url == "other:1"  # the flag wins
