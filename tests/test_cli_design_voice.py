"""The command line speaks a built-in design voice with its kept speaker (tiny models)."""

from __future__ import annotations

import shutil

import numpy as np
import soundfile as sf

from studio.cli import main
from studio.library.design_voices import kept_design_prompt
from studio.testing.model_calls import watch_models

CAPTAIN = ["speak", "Aye, I have seen waves taller than this church, lad.", "--voice",
           "Old Sea Captain", "--max-seconds", "1.2"]


def test_a_built_in_design_voice_is_kept_and_new_voice_draws_another(
        tiny_models_dir, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tiny_models_dir))
    with watch_models() as calls:
        assert main([*CAPTAIN, "--seed", "1", "-o", str(tmp_path / "a.wav")]) == 0
    assert calls.generated == {"voice_design": 1}
    first = kept_design_prompt("old-sea-captain")
    assert first is not None
    with watch_models() as calls:
        assert main([*CAPTAIN, "--seed", "2", "-o", str(tmp_path / "b.wav")]) == 0
    assert calls.generated == {"base": 1} and not calls.prompts
    capsys.readouterr()
    with watch_models() as calls:
        assert main([*CAPTAIN, "--seed", "3", "--new-voice", "-o", str(tmp_path / "c.wav")]) == 0
    assert calls.generated == {"voice_design": 1} and calls.prompts == {"base": 1}
    assert "Drawing a new Old Sea Captain" in capsys.readouterr().err
    again = kept_design_prompt("old-sea-captain")
    assert again is not None and again.extra["design_voice"]["seed"] == 3
    assert not np.array_equal(again.spk_embedding, first.spk_embedding)
    # a saved or preset voice has nothing to redraw
    assert main(["speak", "Hi.", "--voice", "Ryan", "--new-voice"]) == 1
    assert "works with built-in design voices" in capsys.readouterr().err


def test_without_a_base_model_one_line_offers_it_and_the_take_completes(
        tiny_models_dir, monkeypatch, tmp_path, capsys):
    only_design = tmp_path / "only-design"
    src = tiny_models_dir / "Qwen3-TTS-12Hz-Tiny-VoiceDesign"
    shutil.copytree(src, only_design / src.name)
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(only_design))
    out = tmp_path / "captain.wav"
    assert main([*CAPTAIN, "-o", str(out)]) == 0
    assert sf.info(out).frames == 15 * 1920
    lines = [line for line in capsys.readouterr().err.splitlines() if "Base model" in line]
    assert len(lines) == 1
    assert lines[0].endswith("voice-studio models download Qwen3-TTS-12Hz-0.6B-Base")
    assert kept_design_prompt("old-sea-captain") is None
