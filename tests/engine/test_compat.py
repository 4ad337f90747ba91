"""The torchaudio question, settled in studio.engine.compat, both ways."""

from __future__ import annotations

import sys

import pytest

from studio.engine import compat


@pytest.fixture
def fresh_state(monkeypatch):
    monkeypatch.setitem(compat.torchaudio_state, "shim", None)
    saved = {k: v for k, v in sys.modules.items() if k.startswith("torchaudio")}
    yield
    for k in [k for k in sys.modules if k.startswith("torchaudio")]:
        del sys.modules[k]
    sys.modules.update(saved)


def test_clean_torchaudio_is_left_alone(fresh_state):
    calls = []
    assert compat.ensure_torchaudio(lambda name: calls.append(name)) is False
    assert calls == ["torchaudio"]
    assert "torchaudio._extension" not in sys.modules or not hasattr(
        sys.modules["torchaudio._extension"], "_stand_in")


def test_broken_native_library_gets_the_stand_in(fresh_state):
    calls = []

    def importer(name):
        calls.append(name)
        if len(calls) == 1:
            raise OSError("libc10_cuda.so: cannot open shared object file")
        ext = sys.modules["torchaudio._extension"]
        assert ext._load_lib("anything") is False
        assert ext._IS_TORCHAUDIO_EXT_AVAILABLE is False

    assert compat.ensure_torchaudio(importer) is True
    assert calls == ["torchaudio", "torchaudio"]


def test_qwen_tts_imports_on_this_machine():
    qwen_tts = compat.import_qwen_tts()
    import torchaudio

    assert hasattr(qwen_tts, "Qwen3TTSModel")
    # whichever path was taken, torchaudio's pure-Python parts are importable
    assert torchaudio.__name__ == "torchaudio"
