"""The built-in voices shipped in voices/: valid, varied, and in step with the engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from studio import paths
from studio.hub.catalog import LANGUAGES, SPEAKERS
from studio.library.presets import design_preset, load_presets


def test_builtin_presets_load_without_problems() -> None:
    presets = load_presets()
    assert presets.problems == []
    assert len(presets.designs) >= 12
    assert len({p.id for p in presets.designs}) == len(presets.designs)
    assert len({p.name.casefold() for p in presets.designs}) == len(presets.designs)


def test_design_presets_are_varied() -> None:
    designs = load_presets().designs
    assert len({p.language for p in designs}) >= 6
    assert {p.language for p in designs} <= set(LANGUAGES)
    tags = {t for p in designs for t in p.tags}
    assert {"male", "female", "child"} <= tags
    for p in designs:
        assert len(p.description) >= 80, p.id  # rich and specific, not a label
        assert p.description.isascii(), p.id  # English, for the VoiceDesign model
        assert p.sample_text, p.id
    non_english = [p for p in designs if p.language in ("Chinese", "Japanese", "Korean",
                                                        "Russian")]
    assert all(not p.sample_text.isascii() for p in non_english)  # written in the language


def test_speakers_agree_with_the_engine_catalog() -> None:
    speakers = load_presets().speakers
    assert [(s.name, s.display, s.language) for s in speakers] == [
        (s.name, s.display, s.language) for s in SPEAKERS]
    assert all(s.description for s in speakers)


def test_design_preset_lookup() -> None:
    first = load_presets().designs[0]
    assert design_preset(first.id) == first
    assert design_preset("../speakers") is None
    assert design_preset("no-such-preset") is None


def test_broken_preset_files_are_reported_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    shutil.copytree(paths.builtin_voices_dir(), folder)
    design = folder / "design"
    count = len(list(design.glob("*.json")))
    (design / "broken.json").write_text("{not json")
    (design / "no-language.json").write_text(json.dumps(
        {"name": "X", "description": "d", "sample_text": "s", "language": "Klingon"}))
    (design / "Bad Name.json").write_text(json.dumps(
        {"name": "X", "description": "d", "sample_text": "s", "language": "English"}))
    (design / "empty.json").write_text(json.dumps({"name": "", "language": "English"}))
    speakers = json.loads((folder / "speakers.json").read_text("utf-8"))
    speakers["speakers"][0]["language"] = "Elvish"
    (folder / "speakers.json").write_text(json.dumps(speakers))
    presets = load_presets(folder)
    assert len(presets.designs) == count
    reasons = {p.path.name: p.reason for p in presets.problems}
    assert "not valid JSON" in reasons["broken.json"]
    assert "Klingon" in reasons["no-language.json"]
    assert "lower-case slug" in reasons["Bad Name.json"]
    assert "name" in reasons["empty.json"]
    assert "speaker #1" in reasons["speakers.json"]
    assert len(presets.speakers) == len(SPEAKERS) - 1


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    presets = load_presets(tmp_path / "nowhere")
    assert presets.designs == [] and presets.speakers == []
    assert [p.path.name for p in presets.problems] == ["speakers.json"]
