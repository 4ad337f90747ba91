"""The published Qwen3-TTS 12 Hz models: what a user can download, and what each is for."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = (
    "Chinese", "English", "Japanese", "Korean", "German",
    "French", "Russian", "Portuguese", "Spanish", "Italian",
)


@dataclass(frozen=True)
class Speaker:
    name: str  # as the model's config spells it (lower case)
    display: str
    language: str
    description: str


SPEAKERS = (
    Speaker("vivian", "Vivian", "Chinese", "Bright, slightly edgy young female voice."),
    Speaker("serena", "Serena", "Chinese", "Warm, gentle young female voice."),
    Speaker("uncle_fu", "Uncle Fu", "Chinese", "Seasoned male voice with a low, mellow timbre."),
    Speaker("dylan", "Dylan", "Chinese (Beijing dialect)", "Youthful Beijing male, clear and natural."),
    Speaker("eric", "Eric", "Chinese (Sichuan dialect)", "Lively Chengdu male with a slightly husky brightness."),
    Speaker("ryan", "Ryan", "English", "Dynamic male voice with strong rhythmic drive."),
    Speaker("aiden", "Aiden", "English", "Sunny American male with a clear midrange."),
    Speaker("ono_anna", "Ono Anna", "Japanese", "Playful Japanese female, light and nimble."),
    Speaker("sohee", "Sohee", "Korean", "Warm Korean female with rich emotion."),
)


@dataclass(frozen=True)
class CatalogEntry:
    repo_id: str
    kind: str  # base | custom_voice | voice_design
    size: str  # 0.6B | 1.7B
    download_bytes: int  # approximate, for the user's information
    summary: str
    languages: tuple[str, ...] = LANGUAGES
    speakers: tuple[str, ...] = ()
    supports_instruct: bool = False

    @property
    def folder_name(self) -> str:
        return self.repo_id.split("/", 1)[1]


_GB = 1_000_000_000
_PRESETS = tuple(s.name for s in SPEAKERS)

CATALOG = (
    CatalogEntry("Qwen/Qwen3-TTS-12Hz-0.6B-Base", "base", "0.6B", int(2.5 * _GB),
                 "Clone a voice from a 3-15 s clip. Fastest; good on CPU."),
    CatalogEntry("Qwen/Qwen3-TTS-12Hz-1.7B-Base", "base", "1.7B", int(4.5 * _GB),
                 "Clone a voice from a clip, with higher fidelity. Best with a GPU."),
    CatalogEntry("Qwen/Qwen3-TTS-12Hz-0.6B-CustomVoice", "custom_voice", "0.6B", int(2.5 * _GB),
                 "Nine ready-made speakers in ten languages.", speakers=_PRESETS),
    CatalogEntry("Qwen/Qwen3-TTS-12Hz-1.7B-CustomVoice", "custom_voice", "1.7B", int(4.5 * _GB),
                 "Nine ready-made speakers that also follow style instructions.",
                 speakers=_PRESETS, supports_instruct=True),
    CatalogEntry("Qwen/Qwen3-TTS-12Hz-1.7B-VoiceDesign", "voice_design", "1.7B", int(4.5 * _GB),
                 "Create a new voice from a written description.", supports_instruct=True),
)

KIND_NAMES = {"base": "Base (cloning)", "custom_voice": "CustomVoice (preset speakers)",
              "voice_design": "VoiceDesign (voice from a description)"}


def find(repo_id_or_name: str) -> CatalogEntry | None:
    """Look an entry up by its hub id or folder name (case-insensitive)."""
    key = repo_id_or_name.strip().lower()
    for entry in CATALOG:
        if key in (entry.repo_id.lower(), entry.folder_name.lower()):
            return entry
    return None


def speaker(name: str) -> Speaker | None:
    key = name.strip().lower().replace(" ", "_")
    return next((s for s in SPEAKERS if s.name == key), None)
