"""PyInstaller runtime hook: runs in the frozen app before ``studio`` is imported.

1. Hugging Face caches go under the per-user root (``<root>/cache/huggingface``) unless
   the user chose otherwise, so a frozen app never writes into ``~/.cache`` (and model
   files never land inside the bundle, which may be read-only).
2. Stand-ins for the packages qwen-tts imports at import time but the 12 Hz models never
   call, left out of the bundle (packaging/voice-studio.spec) because together with what
   they pull in they are ~500 MB:

   - ``sox`` and ``onnxruntime``: used only when the 25 Hz tokenizer builds its x-vector
     extractor; the stand-ins import fine and raise if anything tries to use them.
   - ``librosa`` (which pulls numba, llvmlite, scikit-learn, pooch): the 12 Hz
     path calls exactly ``librosa.filters.mel`` (the speaker encoder's mel filterbank,
     for cloning) and ``librosa.resample`` / ``librosa.load`` (reference audio at another
     rate, or given as a path). The stand-in reimplements those three in numpy, soxr and
     soundfile; tests/test_selftest.py checks they equal librosa's own results.

   The stand-ins are served by a finder placed *last* on ``sys.meta_path``: a build that
   does contain the real package uses the real package.

The module is importable for tests: it does nothing on import unless the app is frozen.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from typing import Any

STAND_IN_FLAG = "__voice_studio_stand_in__"

# Top-level packages the bundle leaves out (voice-studio.spec excludes them; the tests hide
# them from a normal Python to prove the app runs without them). The first four get
# stand-ins below; the rest nothing at run time imports once those four are stand-ins.
LEFT_OUT = (
    "librosa", "sox", "onnxruntime", "gradio",
    "gradio_client", "hf_gradio", "numba", "llvmlite", "sklearn", "pooch",
    "audioread", "joblib", "resampy", "samplerate", "pandas", "pyarrow", "PIL",
    "matplotlib", "IPython", "tkinter", "_tkinter", "torchvision", "torchcodec",
)


class StandInUnavailable(RuntimeError):
    """Something used a part of a package this build leaves out."""


def _unavailable(package: str, what: str) -> type:
    message = (f"{package} is not part of this Voice Studio build ({what} is only used by the "
               "25 Hz Qwen3-TTS tokenizer, which the app does not use)")

    class Missing:
        def __init__(self, *_args: Any, **_kwargs: Any) -> None:
            raise StandInUnavailable(message)

    Missing.__name__ = Missing.__qualname__ = what
    return Missing


def _build_sox(mod: types.ModuleType) -> None:
    mod.Transformer = _unavailable("sox", "Transformer")  # type: ignore[attr-defined]
    mod.Combiner = _unavailable("sox", "Combiner")  # type: ignore[attr-defined]


def _build_onnxruntime(mod: types.ModuleType) -> None:
    for name in ("SessionOptions", "InferenceSession", "RunOptions"):
        setattr(mod, name, _unavailable("onnxruntime", name))

    class GraphOptimizationLevel:
        ORT_DISABLE_ALL, ORT_ENABLE_BASIC, ORT_ENABLE_EXTENDED, ORT_ENABLE_ALL = 0, 1, 2, 99

    mod.GraphOptimizationLevel = GraphOptimizationLevel  # type: ignore[attr-defined]
    mod.get_available_providers = lambda: []  # type: ignore[attr-defined]


# --- librosa, the three functions the 12 Hz path calls ------------------------------------

def hz_to_mel(frequencies: Any) -> Any:
    """Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, log above."""
    import numpy as np

    f = np.asanyarray(frequencies, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    if f.ndim:
        log_t = f >= min_log_hz
        mels[log_t] = min_log_mel + np.log(f[log_t] / min_log_hz) / logstep
    elif f >= min_log_hz:
        mels = min_log_mel + np.log(f / min_log_hz) / logstep
    return mels


def mel_to_hz(mels: Any) -> Any:
    import numpy as np

    m = np.asanyarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    if m.ndim:
        log_t = m >= min_log_mel
        freqs[log_t] = min_log_hz * np.exp(logstep * (m[log_t] - min_log_mel))
    elif m >= min_log_mel:
        freqs = min_log_hz * np.exp(logstep * (m - min_log_mel))
    return freqs


def mel(*, sr: float, n_fft: int, n_mels: int = 128, fmin: float = 0.0,
        fmax: float | None = None, htk: bool = False, norm: Any = "slaney",
        dtype: Any = None) -> Any:
    """``librosa.filters.mel`` for the arguments qwen-tts uses (Slaney scale and norm)."""
    import numpy as np

    if htk or norm != "slaney":
        raise StandInUnavailable("this build's librosa stand-in supports only htk=False, "
                                 "norm='slaney' (what Qwen3-TTS uses)")
    fmax = float(sr) / 2 if fmax is None else fmax
    n_mels = int(n_mels)
    weights = np.zeros((n_mels, int(1 + n_fft // 2)), dtype=dtype or np.float32)
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2: n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights


def resample(y: Any, *, orig_sr: float, target_sr: float, res_type: str = "soxr_hq",
             fix: bool = True, scale: bool = False, axis: int = -1, **_kw: Any) -> Any:
    """``librosa.resample`` with its default method (soxr, high quality)."""
    import numpy as np
    import soxr

    if orig_sr == target_sr:
        return y
    quality = res_type if res_type.startswith("soxr") else "soxr_hq"
    ratio = float(target_sr) / orig_sr
    n_samples = int(np.ceil(y.shape[axis] * ratio))
    y_hat = np.apply_along_axis(soxr.resample, axis=axis, arr=y, in_rate=orig_sr,
                                out_rate=target_sr, quality=quality)
    if fix:
        have = y_hat.shape[axis]
        if have > n_samples:
            y_hat = np.take(y_hat, np.arange(n_samples), axis=axis)
        elif have < n_samples:
            pad = [(0, 0)] * y_hat.ndim
            pad[axis] = (0, n_samples - have)
            y_hat = np.pad(y_hat, pad)
    if scale:
        y_hat /= np.sqrt(ratio)
    return np.asarray(y_hat, dtype=y.dtype)


def load(path: Any, *, sr: float | None = 22050, mono: bool = True, offset: float = 0.0,
         duration: float | None = None, dtype: Any = None, **_kw: Any) -> tuple[Any, float]:
    """``librosa.load`` through libsndfile (WAV, FLAC, OGG, MP3 where libsndfile reads it)."""
    import numpy as np
    import soundfile as sf

    with sf.SoundFile(str(path)) as f:
        native = f.samplerate
        f.seek(int(offset * native))
        frames = -1 if duration is None else int(duration * native)
        data = f.read(frames, dtype="float32", always_2d=True).T  # channels first
    y = data.mean(axis=0) if mono else (data[0] if data.shape[0] == 1 else data)
    if sr is not None and sr != native:
        y = resample(y, orig_sr=native, target_sr=sr)
    else:
        sr = native
    return y.astype(dtype or np.float32), sr


def _build_librosa(mod: types.ModuleType) -> None:
    mod.__version__ = "0.0-voice-studio-stand-in"  # type: ignore[attr-defined]
    mod.resample = resample  # type: ignore[attr-defined]
    mod.load = load  # type: ignore[attr-defined]
    mod.hz_to_mel = hz_to_mel  # type: ignore[attr-defined]
    mod.mel_to_hz = mel_to_hz  # type: ignore[attr-defined]
    import importlib

    mod.filters = importlib.import_module("librosa.filters")  # type: ignore[attr-defined]


def _build_librosa_filters(mod: types.ModuleType) -> None:
    mod.mel = mel  # type: ignore[attr-defined]


BUILDERS = {
    "sox": (_build_sox, False),
    "onnxruntime": (_build_onnxruntime, False),
    "librosa": (_build_librosa, True),
    "librosa.filters": (_build_librosa_filters, False),
}


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the stand-ins, but only for names no finder before it could find."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        entry = BUILDERS.get(fullname)
        if entry is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=entry[1])

    def create_module(self, spec: Any) -> None:
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        setattr(module, STAND_IN_FLAG, True)
        BUILDERS[module.__name__][0](module)


def install() -> None:
    if not any(isinstance(f, StandInFinder) for f in sys.meta_path):
        sys.meta_path.append(StandInFinder())


def point_caches_at_root() -> None:
    """HF_HOME -> <root>/cache/huggingface, before huggingface_hub reads it at import."""
    if os.environ.get("HF_HOME") or os.environ.get("HF_HUB_CACHE"):
        return
    try:
        from studio import paths

        os.environ["HF_HOME"] = str(paths.cache_dir() / "huggingface")
    except Exception:  # never stop the app from starting over a cache location
        pass


if getattr(sys, "frozen", False):
    point_caches_at_root()
    install()
