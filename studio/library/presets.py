"""Built-in voices shipped in the read-only ``voices/`` folder next to the app.

``voices/design/<slug>.json`` are VoiceDesign recipes (a rich English description, the
language, a sample sentence in it); ``voices/speakers.json`` describes the CustomVoice
models' preset speakers. A broken file is reported as a :class:`PresetProblem` and skipped,
so one bad preset never hides the others or stops the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio import paths, safe_json
from studio.errors import StudioError
from studio.hub.catalog import LANGUAGES
from studio.library.ids import clean_name, is_valid_id

DESIGN_DIR = "design"
SPEAKERS_FILE = "speakers.json"
MAX_FILE_BYTES = 256 * 1024
MAX_DESCRIPTION = 2000
MAX_SAMPLE = 500


class PresetError(ValueError):
    """Why one preset file cannot be used (internal: surfaces as a PresetProblem)."""


@dataclass(frozen=True)
class DesignPreset:
    id: str  # the file's stem
    name: str
    description: str  # what the VoiceDesign model is told
    language: str
    sample_text: str  # a sentence in that language to audition the voice with
    tags: tuple[str, ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class SpeakerPreset:
    name: str  # as the CustomVoice model spells it
    display: str
    language: str  # native language, with dialect where there is one
    description: str


@dataclass(frozen=True)
class PresetProblem:
    path: Path
    reason: str


@dataclass(frozen=True)
class Presets:
    designs: list[DesignPreset] = field(default_factory=list)  # sorted by name
    speakers: list[SpeakerPreset] = field(default_factory=list)
    problems: list[PresetProblem] = field(default_factory=list)


def load_presets(folder: Path | None = None) -> Presets:
    """Everything under ``folder`` (default: the app's built-in voices folder)."""
    folder = folder or paths.builtin_voices_dir()
    designs, problems = load_design_presets(folder)
    speakers, speaker_problems = load_speakers(folder)
    return Presets(designs, speakers, problems + speaker_problems)


def load_design_presets(folder: Path | None = None
                        ) -> tuple[list[DesignPreset], list[PresetProblem]]:
    design_dir = (folder or paths.builtin_voices_dir()) / DESIGN_DIR
    presets: list[DesignPreset] = []
    problems: list[PresetProblem] = []
    files = sorted(design_dir.glob("*.json")) if design_dir.is_dir() else []
    for path in files:
        try:
            presets.append(_design(path, _read_json(path)))
        except PresetError as exc:
            problems.append(PresetProblem(path, str(exc)))
    presets.sort(key=lambda p: p.name.casefold())
    return presets, problems


def load_speakers(folder: Path | None = None
                  ) -> tuple[list[SpeakerPreset], list[PresetProblem]]:
    path = (folder or paths.builtin_voices_dir()) / SPEAKERS_FILE
    try:
        data = _read_json(path)
        items = data.get("speakers") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise PresetError("it has no list of speakers")
    except PresetError as exc:
        return [], [PresetProblem(path, str(exc))]
    speakers: list[SpeakerPreset] = []
    problems: list[PresetProblem] = []
    for index, item in enumerate(items):
        try:
            speakers.append(_speaker(item))
        except PresetError as exc:
            problems.append(PresetProblem(path, f"speaker #{index + 1}: {exc}"))
    return speakers, problems


def design_preset(preset_id: str, folder: Path | None = None) -> DesignPreset | None:
    """One design preset by id (its file's stem), or None."""
    if not is_valid_id(preset_id):
        return None
    designs, _ = load_design_presets(folder)
    return next((p for p in designs if p.id == preset_id), None)


def _read_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise PresetError("the file is implausibly large")
        return safe_json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise PresetError("the file is missing") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PresetError(f"the file is not valid JSON ({exc})") from exc


def _design(path: Path, data: Any) -> DesignPreset:
    if not is_valid_id(path.stem):
        raise PresetError(f"the file name {path.name!r} is not a lower-case slug")
    if not isinstance(data, dict):
        raise PresetError("the file does not hold an object")
    try:
        name = clean_name(data.get("name"))
    except StudioError as exc:
        raise PresetError(f"bad name: {exc}") from exc
    language = data.get("language")
    if language not in LANGUAGES:
        raise PresetError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise PresetError("tags must be a list of words")
    return DesignPreset(
        id=path.stem, name=name, description=_text(data, "description", MAX_DESCRIPTION),
        language=language, sample_text=_text(data, "sample_text", MAX_SAMPLE),
        tags=tuple(t.strip() for t in tags), path=path,
    )


def _speaker(item: Any) -> SpeakerPreset:
    if not isinstance(item, dict):
        raise PresetError("not an object")
    name = _text(item, "name", 40)
    if not is_valid_id(name.replace("_", "-")):
        raise PresetError(f"name {name!r} is not a lower-case model speaker name")
    language = _text(item, "language", 60)
    if language.split(" (")[0] not in LANGUAGES:
        raise PresetError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return SpeakerPreset(name, _text(item, "display", 60), language,
                         _text(item, "description", 300))


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PresetError(f"{key!r} is missing or empty")
    if len(value) > limit:
        raise PresetError(f"{key!r} is longer than {limit} characters")
    return " ".join(value.split())
