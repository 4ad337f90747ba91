"""Make ``import qwen_tts`` work beside any torch build. The one place this is settled.

qwen-tts 0.1.1 depends on torchaudio without a version, so pip installs the newest
torchaudio wheel, whose native library is linked against one particular (CUDA) torch.
Beside any other torch (our pinned torch==2.13.0, or a CPU build) ``import torchaudio``
raises OSError, and ``import qwen_tts`` fails with it, because its package ``__init__``
imports the 25 Hz tokenizer, which imports ``torchaudio.compliance.kaldi`` at import time.

The 12 Hz models this app uses never call torchaudio. So, before importing qwen_tts, we
try torchaudio; if its native library refuses to load we register a stand-in
``torchaudio._extension`` module (no native library, every availability flag False) and
import torchaudio again: its pure-Python parts then import, and qwen_tts with them.
Where torchaudio imports cleanly (a matching torch/torchaudio pair) nothing is touched.

Chosen over pinning torch to the version torchaudio was built against because that pin
forces the 2.5 GB CUDA build of torch onto every machine, GPU or not.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import sys
import types
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: {"shim": True} once the torchaudio stand-in was needed, False when not, None: not settled yet
torchaudio_state: dict[str, Any] = {"shim": None}


def _stand_in_extension() -> types.ModuleType:
    mod = types.ModuleType("torchaudio._extension")
    mod._IS_TORCHAUDIO_EXT_AVAILABLE = False  # type: ignore[attr-defined]
    mod._IS_ALIGN_AVAILABLE = False  # type: ignore[attr-defined]
    mod._IS_RIR_AVAILABLE = False  # type: ignore[attr-defined]
    mod._IS_KALDI_AVAILABLE = False  # type: ignore[attr-defined]

    def _load_lib(_name: str) -> bool:
        return False

    def _check_cuda_version() -> None:
        return None

    def _fail(*_args: Any, **_kwargs: Any) -> Any:
        def decorator(func: Any) -> Any:
            return func

        return decorator

    mod._load_lib = _load_lib  # type: ignore[attr-defined]
    mod._check_cuda_version = _check_cuda_version  # type: ignore[attr-defined]
    mod.fail_if_no_align = _fail()  # type: ignore[attr-defined]
    mod.fail_if_no_rir = _fail()  # type: ignore[attr-defined]
    mod.fail_if_no_kaldi = _fail()  # type: ignore[attr-defined]
    mod.__all__ = []  # type: ignore[attr-defined]
    return mod


def _drop(prefix: str) -> None:
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        del sys.modules[name]


def ensure_torchaudio(importer: Callable[[str], Any] = importlib.import_module) -> bool:
    """Import torchaudio, installing the stand-in if its native library cannot load.

    Returns True when the stand-in was needed. ``importer`` is injectable for tests.
    """
    if torchaudio_state["shim"] is not None:
        return bool(torchaudio_state["shim"])
    try:
        importer("torchaudio")
        torchaudio_state["shim"] = False
        return False
    except (OSError, ImportError, RuntimeError) as exc:
        log.info("torchaudio's native library does not load here (%s); using the stand-in", exc)
    _drop("torchaudio")
    sys.modules["torchaudio._extension"] = _stand_in_extension()
    importer("torchaudio")
    torchaudio_state["shim"] = True
    return True


def prepare_qwen_tts_import() -> None:
    """Everything that must happen before the first ``import qwen_tts``."""
    # qwen-tts pulls sox, which logs a warning when the sox binary is missing; harmless.
    logging.getLogger("sox").setLevel(logging.ERROR)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    ensure_torchaudio()


def import_qwen_tts() -> types.ModuleType:
    """Import and return the qwen_tts package (5-10 s the first time: call it off the UI)."""
    prepare_qwen_tts_import()
    # qwen_tts prints a flash-attn banner on stdout at import; keep the CLI's stdout clean.
    with contextlib.redirect_stdout(io.StringIO()):
        import qwen_tts
    return qwen_tts
