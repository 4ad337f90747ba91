"""A project's audio on disk: takes and kept references as 24-bit FLAC, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.fsutil import atomic_open


def write_flac(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """Atomically: a kill leaves the old file or the new one, never half of it."""
    import soundfile as sf

    with atomic_open(path) as fh:
        sf.write(fh, np.asarray(audio, dtype=np.float32), sample_rate, format="FLAC",
                 subtype="PCM_24")


def read_audio(path: Path) -> np.ndarray:
    """float32 mono samples."""
    import soundfile as sf

    data, _sr = sf.read(str(path), dtype="float32", always_2d=False)
    return data
