"""What a speech recognition (Whisper) model folder is, read from its JSON files alone.

No torch, no transformers: a Whisper folder sits in the same models folder as the voice
models, and discovery tells the two apart by their ``config.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import safe_json

ASR_KIND = "asr"
MODEL_TYPES = ("whisper",)
REQUIRED_FILES = ("config.json", "generation_config.json", "preprocessor_config.json")
# (d_model, encoder layers, decoder layers) -> the published size names
_SIZES = {(384, 4, 4): "tiny", (512, 6, 6): "base", (768, 12, 12): "small",
          (1024, 24, 24): "medium", (1280, 32, 32): "large", (1280, 32, 4): "large-turbo"}


@dataclass(frozen=True)
class AsrModelInfo:
    """What a Whisper folder is, read from its ``config.json`` and ``generation_config.json``."""

    path: Path
    size: str  # "small", "large-turbo"... or "custom"
    languages: tuple[str, ...]  # Whisper codes ("en", "zh"...) the model knows
    problem: str | None = None  # set when the folder is incomplete

    kind = ASR_KIND

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    @property
    def usable(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        return dict(path=str(self.path), name=self.name, kind=ASR_KIND, size=self.size,
                    languages=list(self.languages), problem=self.problem)


def _json(path: Path) -> Any:
    try:
        return safe_json.loads(path.read_bytes(), finite=False)
    except (OSError, ValueError):
        return None


def read_asr_info(folder: Path) -> AsrModelInfo | None:
    """The folder's AsrModelInfo, or None if it is not a speech recognition model at all."""
    folder = Path(folder)
    cfg = _json(folder / "config.json")
    if not isinstance(cfg, dict) or cfg.get("model_type") not in MODEL_TYPES:
        return None
    key = (cfg.get("d_model"), cfg.get("encoder_layers"), cfg.get("decoder_layers"))
    size = _SIZES.get(key, "custom")  # type: ignore[arg-type]
    if size.startswith("large") and cfg.get("num_mel_bins") == 128:
        size = size.replace("large", "large-v3")
    gen = _json(folder / "generation_config.json")
    langs = gen.get("lang_to_id") if isinstance(gen, dict) else None
    languages = tuple(k.strip("<|>") for k in langs) if isinstance(langs, dict) else ("en",)
    if isinstance(gen, dict) and gen.get("is_multilingual") is False:  # the *.en models
        languages = ("en",)
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if not any((folder / f).is_file() for f in ("model.safetensors",
                                                "model.safetensors.index.json")):
        missing.append("model.safetensors")
    if not (folder / "tokenizer.json").is_file() and not (folder / "vocab.json").is_file():
        missing.append("tokenizer.json")
    problem = f"missing {', '.join(missing)} (an interrupted download?)" if missing else None
    return AsrModelInfo(folder, size, languages or ("en",), problem)
