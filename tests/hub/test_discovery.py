"""Models are found by what their config says, not by their folder names."""

from __future__ import annotations

import json
import shutil

from studio.hub import discover


def test_tiny_models_are_discovered_with_kind_size_languages_speakers(tiny_models_dir):
    found = discover([tiny_models_dir])
    assert [m.kind for m in found] == ["base", "custom_voice", "voice_design"]
    assert all(m.usable and m.size == "0.6B" for m in found)
    cv = found[1]
    assert "english" in cv.languages and "auto" in cv.languages
    assert "beijing_dialect" not in cv.languages
    assert len(cv.speakers) == 9 and "uncle_fu" in cv.speakers
    assert not cv.supports_instruct and found[2].supports_instruct


def test_kind_comes_from_config_not_folder_name(tmp_path, tiny_models_dir):
    src = next(p for p in tiny_models_dir.iterdir() if p.name.endswith("-Base"))
    shutil.copytree(src, tmp_path / "Qwen3-TTS-12Hz-1.7B-VoiceDesign")
    (found,) = discover([tmp_path])
    assert found.kind == "base" and found.size == "0.6B"


def test_non_models_are_ignored_and_a_single_folder_works(tmp_path, tiny_models_dir):
    (tmp_path / "notes").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "config.json").write_text("{not json")
    assert discover([tmp_path]) == []
    one = next(tiny_models_dir.iterdir())
    assert [m.path for m in discover([one])] == [one]
    assert [m.path for m in discover([tmp_path], extra=[one])] == [one]
