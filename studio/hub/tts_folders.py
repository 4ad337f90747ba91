"""What a Qwen3-TTS model folder is, read from its ``config.json`` alone (no torch).

A JSON read, so the GUI can list models instantly at start-up and a download can check a
repository's config before its weights are fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import safe_json

TTS_KINDS = ("base", "custom_voice", "voice_design")
_SIZE_NAMES = {"0b6": "0.6B", "1b7": "1.7B"}
REQUIRED_FILES = ("config.json", "model.safetensors", "speech_tokenizer/config.json",
                  "speech_tokenizer/model.safetensors")


@dataclass(frozen=True)
class ModelInfo:
    """What a model folder is, read from its ``config.json``."""

    path: Path
    kind: str
    size: str  # "0.6B", "1.7B", or the raw tag for unknown sizes
    languages: tuple[str, ...]
    speakers: tuple[str, ...]
    problem: str | None = None  # set when the folder is incomplete

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def supports_instruct(self) -> bool:
        """VoiceDesign always; CustomVoice only at 1.7B (qwen-tts drops instruct on 0.6B)."""
        if self.kind == "voice_design":
            return True
        return self.kind == "custom_voice" and self.size != "0.6B"

    @property
    def usable(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        return dict(path=str(self.path), name=self.name, kind=self.kind, size=self.size,
                    languages=list(self.languages), speakers=list(self.speakers),
                    supports_instruct=self.supports_instruct, problem=self.problem)


def read_model_info(folder: Path) -> ModelInfo | None:
    """Return the folder's ModelInfo, or None if it is not a Qwen3-TTS model at all."""
    folder = Path(folder)
    cfg_path = folder / "config.json"
    try:
        cfg = safe_json.loads(cfg_path.read_bytes(), finite=False)
    except (OSError, ValueError):
        return None
    if not isinstance(cfg, dict) or cfg.get("model_type") != "qwen3_tts":
        return None
    kind = str(cfg.get("tts_model_type", ""))
    talker = cfg.get("talker_config") or {}
    langs = tuple(sorted(k for k in (talker.get("codec_language_id") or {}) if "dialect" not in k))
    speakers = tuple(sorted((talker.get("spk_id") or {}).keys()))
    size_tag = str(cfg.get("tts_model_size", ""))
    problem = None
    if kind not in TTS_KINDS:
        problem = f"unknown model type {kind!r}"
    elif cfg.get("tokenizer_type") not in (None, "qwen3_tts_tokenizer_12hz"):
        problem = "only the 12 Hz Qwen3-TTS models are supported"
    else:
        missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
        if missing:
            problem = f"missing {', '.join(missing)} (an interrupted download?)"
    return ModelInfo(folder, kind, _SIZE_NAMES.get(size_tag, size_tag or "?"),
                     ("auto",) + langs, speakers, problem)
