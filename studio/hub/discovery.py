"""Find models on disk by what their config says: voice models (``"tts"``) and speech
recognition models (``"asr"``) share one models folder, and each kind sees only its own.

Only JSON is read, so listing is instant and needs no torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

from studio import paths
from studio.hub.asr_folders import AsrModelInfo, read_asr_info
from studio.hub.tts_folders import TTS_KINDS, ModelInfo, read_model_info

Info = TypeVar("Info", ModelInfo, AsrModelInfo)

_READERS: dict[str, Callable[[Path], Any]] = {"tts": read_model_info, "asr": read_asr_info}
_TTS_ORDER = {k: i for i, k in enumerate(TTS_KINDS)}
_SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "tts": lambda m: (_TTS_ORDER.get(m.kind, 9), m.size, m.name),
    "asr": lambda m: m.name,
}


@overload
def read_info(folder: Path, kind: Literal["tts"] = "tts") -> ModelInfo | None: ...
@overload
def read_info(folder: Path, kind: Literal["asr"]) -> AsrModelInfo | None: ...
@overload
def read_info(folder: Path, kind: str) -> ModelInfo | AsrModelInfo | None: ...


def read_info(folder: Path, kind: str = "tts") -> ModelInfo | AsrModelInfo | None:
    """The folder's ModelInfo (``"tts"``) or AsrModelInfo (``"asr"``); None if it is not a
    model of that kind at all."""
    return _READERS[kind](Path(folder))


@overload
def discover(roots: Iterable[Path] | None = None, extra: Iterable[Path] = (), *,
             kind: Literal["tts"] = "tts") -> list[ModelInfo]: ...
@overload
def discover(roots: Iterable[Path] | None = None, extra: Iterable[Path] = (), *,
             kind: Literal["asr"]) -> list[AsrModelInfo]: ...
@overload
def discover(roots: Iterable[Path] | None = None, extra: Iterable[Path] = (), *,
             kind: str) -> list[ModelInfo] | list[AsrModelInfo]: ...


def discover(roots: Iterable[Path] | None = None, extra: Iterable[Path] = (), *,
             kind: str = "tts") -> list[Any]:
    """Every model folder of ``kind`` directly in ``roots`` (default: the models folder),
    plus ``extra`` paths, each a model folder or a folder of model folders.

    Voice models come in kind order (base, custom_voice, voice_design), then size and name;
    speech recognition models by name.
    """
    found: dict[Path, Any] = {}
    for root in list(roots if roots is not None else [paths.models_dir()]):
        root = Path(root)
        if not root.is_dir():
            continue
        for folder in [root, *sorted(p for p in root.iterdir() if p.is_dir())]:
            info = read_info(folder, kind)
            if info is not None:
                found[folder.resolve()] = info
    for folder in extra:
        folder = Path(folder)
        info = read_info(folder, kind)
        if info is not None:
            found[folder.resolve()] = info
        elif folder.is_dir():
            found.update({m.path.resolve(): m for m in discover([folder], kind=kind)})
    return sorted(found.values(), key=_SORT_KEYS[kind])


def find_named(models: Iterable[Info], name: str | Path | None) -> Info | None:
    """The model whose folder ``name`` is (its path, or its folder's name); None if none."""
    if not name:
        return None
    return next((m for m in models if str(m.path) == str(name) or m.name == str(name)), None)
