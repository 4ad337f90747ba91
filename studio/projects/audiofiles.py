"""A project's audio on disk: takes and kept references as 24-bit FLAC, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.audio.writer import write_audio


def write_flac(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """Atomically (writer.py): a kill leaves the old file or the new one, never half of it,
    and a full disk is DiskFull with nothing left behind."""
    write_audio(path, np.asarray(audio, dtype=np.float32), sample_rate, format="FLAC",
                subtype="PCM_24")


def read_audio(path: Path) -> np.ndarray:
    """float32 mono samples."""
    import soundfile as sf

    data, _sr = sf.read(str(path), dtype="float32", always_2d=False)
    return data
