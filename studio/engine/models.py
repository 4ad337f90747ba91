"""Choose a Qwen3-TTS model found on disk (``studio.hub`` finds them) and load it onto a
device."""

from __future__ import annotations

import gc
import importlib.util
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.engine.errors import (
    ModelCorrupt,
    ModelFolderNotFound,
    ModelNotFound,
    NotAModelFolder,
    OutOfMemory,
    UnknownDevice,
    UnknownDtype,
)
from studio.hub import ModelInfo, discover, find_named
from studio.hub.catalog import KIND_NAMES

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]


def check_model_folder(folder: Path) -> None:
    """A folder the user named explicitly must exist and hold a Qwen3-TTS model (or folders
    of them): discovery skips anything else without a word, which would leave the user
    wondering why their folder is not used."""
    folder = Path(folder)
    if not folder.exists():
        raise ModelFolderNotFound(f"The model folder {folder} does not exist. Check the path "
                                  "(it is the folder that holds the model's config.json).")
    if not folder.is_dir():
        raise NotAModelFolder(f"{folder} is a file, not a model folder. Give the folder that "
                              "holds the model's config.json.")
    if not discover([folder]):  # the folder itself, or the model folders in it
        raise NotAModelFolder(
            f"{folder} is not a Qwen3-TTS model folder: neither it nor its subfolders have a "
            "Qwen3-TTS config.json. Give the folder that holds the model's config.json and "
            "model.safetensors, or download a model with 'voice-studio models download'.")


def pick(models: Iterable[ModelInfo], kind: str, prefer: str | Path | None = None,
         need_instruct: bool = False) -> ModelInfo:
    """Choose the model for a role: the preferred path if given, else the smallest usable."""
    candidates = [m for m in models if m.kind == kind and m.usable]
    if need_instruct:
        candidates = [m for m in candidates if m.supports_instruct] or candidates
    preferred = find_named(candidates, prefer)
    if preferred is not None:
        return preferred
    if not candidates:
        raise ModelNotFound(
            f"No {KIND_NAMES.get(kind, kind)} model is on disk. Download one with "
            f"'voice-studio models download' or the Model manager, or point the app at a "
            f"folder you already have (Models > Use a folder)."
        )
    return sorted(candidates, key=lambda m: m.size)[0]


# --- devices -------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceChoice:
    device: str  # "cuda:0", "mps", "cpu"
    dtype: str  # "bfloat16", "float16", "float32"
    attn: str | None  # "flash_attention_2" or None (library default)
    threads: int = 1  # CPU intra-op threads of the generating thread

    @property
    def label(self) -> str:
        kind = self.device.split(":")[0].upper()
        return f"{kind} ({self.dtype})"


DEVICES = ("auto", "cpu", "cuda", "mps")  # "cuda:N" picks one GPU
DTYPES = ("auto", "float32", "bfloat16", "float16")


def check_device_names(device: str, dtype: str | None) -> tuple[str, str | None]:
    """Refuse a misspelt device or precision up front: passed on, torch would blame the
    model folder (or crash) much later. Returns both normalised (lower case, trimmed)."""
    name = str(device or "auto").strip().lower()
    base, _, index = name.partition(":")
    if base not in DEVICES or (index and (base != "cuda" or not index.isdigit())):
        raise UnknownDevice(device, DEVICES)
    kind = None if dtype is None else str(dtype).strip().lower()
    if kind is not None and kind not in DTYPES:
        raise UnknownDtype(dtype or "", DTYPES)
    return name, kind


def choose_device(device: str = "auto", dtype: str | None = None, threads: int = 0) -> DeviceChoice:
    """auto: CUDA (bf16) > Apple MPS (fp32) > CPU (fp32); either part can be forced."""
    import torch

    from studio.engine.speed import cpu_threads
    from studio.errors import DeviceUnavailable

    device, dtype = check_device_names(device, dtype)
    if device == "auto":
        if torch.cuda.is_available():
            device = "cuda:0"
        elif _mps_available(torch):
            device = "mps"
        else:
            device = "cpu"
    elif device == "cuda":
        device = "cuda:0"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceUnavailable("CUDA was asked for, but no CUDA GPU is usable here. "
                                "Choose 'auto' or 'cpu' as the device (--device on the "
                                "command line, Settings in the window).")
    if device.startswith("cuda:") and int(device[5:]) >= torch.cuda.device_count():
        raise DeviceUnavailable(f"There is no GPU {device}: this machine has "
                                f"{torch.cuda.device_count()} (cuda:0 is the first). "
                                "Choose 'cuda', 'auto' or 'cpu' as the device.")
    if device == "mps" and not _mps_available(torch):
        raise DeviceUnavailable("Apple MPS was asked for, but it is not usable here (it needs "
                                "an Apple silicon Mac and a PyTorch built with MPS). Choose "
                                "'auto' or 'cpu' as the device (--device on the command "
                                "line, Settings in the window).")
    if dtype in (None, "auto"):
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    attn = None
    if (device.startswith("cuda") and dtype in ("bfloat16", "float16")
            and importlib.util.find_spec("flash_attn") is not None):
        attn = "flash_attention_2"
    return DeviceChoice(device, dtype, attn, cpu_threads(threads))


def _mps_available(torch: Any) -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


@dataclass
class LoadedModel:
    """A model on a device. Owned by one thread: only that thread calls into it."""

    info: ModelInfo
    device: DeviceChoice
    qwen: Any  # qwen_tts.Qwen3TTSModel
    speed: str = "exact"
    loaded_at: float = field(default_factory=time.monotonic)

    @property
    def sample_rate(self) -> int:
        return int(self.qwen.model.speech_tokenizer.get_output_sample_rate())

    @property
    def samples_per_frame(self) -> int:
        return int(self.qwen.model.speech_tokenizer.get_decode_upsample_rate())

    @property
    def frame_rate(self) -> float:
        return self.sample_rate / self.samples_per_frame


def load(info: ModelInfo, device: DeviceChoice, progress: ProgressFn | None = None,
         speed: str = "exact") -> LoadedModel:
    """Load ``info`` onto ``device`` in a speed mode (speed.py). Slow (seconds to a minute):
    call it off the UI thread."""
    report = progress or (lambda _f, _m: None)
    if not info.usable:
        raise ModelCorrupt(str(info.path), info.problem or "incomplete")
    report(0.05, "Importing qwen-tts")
    from studio.engine.compat import import_qwen_tts

    qwen_tts = import_qwen_tts()
    import torch
    import transformers

    transformers.logging.set_verbosity_error()  # per-call generate() notices are not for users
    if device.device == "cpu":
        torch.set_num_threads(device.threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder never needs the network
    report(0.3, f"Reading {info.name}")
    kwargs: dict[str, Any] = dict(dtype=getattr(torch, device.dtype), device_map=device.device,
                                  local_files_only=True)
    if device.attn:
        kwargs["attn_implementation"] = device.attn
    try:
        qwen = qwen_tts.Qwen3TTSModel.from_pretrained(str(info.path), **kwargs)
    except torch.OutOfMemoryError as exc:
        raise OutOfMemory(device.device) from exc
    except Exception as exc:  # any failure to read the folder is the folder's fault here
        raise ModelCorrupt(str(info.path), _short(exc)) from exc
    qwen.model.eval()
    # generate() warns "Setting pad_token_id" on every call unless one is set
    eos = qwen.model.config.talker_config.codec_eos_token_id
    for part in (qwen.model.talker, qwen.model.talker.code_predictor):
        if getattr(part, "generation_config", None) is not None:
            part.generation_config.pad_token_id = eos
    from studio.engine.fastpath import FastCodePredictor

    FastCodePredictor.install(qwen.model.talker)  # same codes, less per-step overhead
    if speed != "exact":
        from studio.engine import speed as speedmod

        report(0.9, "Preparing fast mode")
        speedmod.apply(qwen, device.device, speed)
    report(1.0, f"{info.name} ready on {device.label}")
    return LoadedModel(info, device, qwen, speed)


def unload(model: LoadedModel | None, collect: bool = True) -> None:
    """Drop a model and give its memory back (GPU caches included).

    ``collect=False`` skips the garbage collection: a GUI calls this on its worker thread,
    where a collection could finalise Qt objects that belong to the GUI thread (PySide6
    crashes or deadlocks then), and collects on its own thread instead.
    """
    if model is None:
        return
    model.qwen = None
    if collect:
        gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover
        pass


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
