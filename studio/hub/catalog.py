"""The published models a user can download, and what each is for: the Qwen3-TTS 12 Hz
models that speak (``CATALOG``) and the Whisper models that transcribe reference clips
(``ASR_CATALOG``, kind ``"asr"``; kept apart so everything that lists voice models is
unchanged)."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = (
    "Chinese", "English", "Japanese", "Korean", "German",
    "French", "Russian", "Portuguese", "Spanish", "Italian",
)
#: ISO codes accepted wherever a language name is (lower case, as the models spell them)
LANGUAGE_CODES = {
    "zh": "chinese", "en": "english", "ja": "japanese", "ko": "korean", "de": "german",
    "fr": "french", "ru": "russian", "pt": "portuguese", "es": "spanish", "it": "italian",
}


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
    files: tuple[str, ...] = ()  # the only files to fetch; () = the whole repository

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

# Whisper repositories also hold PyTorch, TensorFlow and Flax copies of the weights (GBs):
# fetch only what transformers needs to run the safetensors weights.
ASR_FILES = ("config.json", "generation_config.json", "model.safetensors",
             "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json",
             "vocab.json", "merges.txt", "added_tokens.json", "special_tokens_map.json",
             "normalizer.json")
WHISPER_LANGUAGES = ("99 languages",)

ASR_CATALOG = (
    CatalogEntry("openai/whisper-small", "asr", "small", int(0.97 * _GB),
                 "Transcribes reference clips in 99 languages. Quick on a CPU; good for "
                 "clear speech.", languages=WHISPER_LANGUAGES, files=ASR_FILES),
    CatalogEntry("openai/whisper-large-v3-turbo", "asr", "large-v3-turbo", int(1.62 * _GB),
                 "The most accurate transcripts, in 99 languages. Best with a GPU; several "
                 "times slower on a CPU.", languages=WHISPER_LANGUAGES, files=ASR_FILES),
)

KIND_NAMES = {"base": "Base (cloning)", "custom_voice": "CustomVoice (preset speakers)",
              "voice_design": "VoiceDesign (voice from a description)",
              "asr": "Whisper (transcription)"}


def _lookup(entries: tuple[CatalogEntry, ...], repo_id_or_name: str) -> CatalogEntry | None:
    key = repo_id_or_name.strip().lower()
    for entry in entries:
        if key in (entry.repo_id.lower(), entry.folder_name.lower()):
            return entry
    return None


def find(repo_id_or_name: str) -> CatalogEntry | None:
    """Look a voice model up by its hub id or folder name (case-insensitive)."""
    return _lookup(CATALOG, repo_id_or_name)


def find_asr(repo_id_or_name: str) -> CatalogEntry | None:
    """Look a transcription model up by its hub id or folder name (case-insensitive)."""
    return _lookup(ASR_CATALOG, repo_id_or_name)


def find_any(repo_id_or_name: str) -> CatalogEntry | None:
    return find(repo_id_or_name) or find_asr(repo_id_or_name)


def speaker(name: str) -> Speaker | None:
    key = name.strip().lower().replace(" ", "_")
    return next((s for s in SPEAKERS if s.name == key), None)
