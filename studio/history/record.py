"""One take in the history: what was said, by which voice, with which seed and settings,
and when; its audio is a file beside the record.

Records are JSON (``take.json``) and are validated when read, so a hand-edited or truncated
file is skipped with a reason instead of breaking the list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

RECORD_FILE = "take.json"
AUDIO_FILE = "take.flac"
FORMAT = 1
MAX_TEXT = 100_000
MAX_NAME = 200


class RecordError(ValueError):
    """Why one history folder cannot be read (internal: the take is skipped)."""


@dataclass(frozen=True)
class HistoryTake:
    id: str  # the folder name: sortable by time ("20250131-120000-ab12")
    text: str
    voice_key: str  # "speaker:ryan", "design:<id>", "saved:<id>"
    voice_name: str
    seed: int
    sample_rate: int
    duration_s: float
    created: datetime
    stop_reason: str = "complete"
    #: how it was made, enough to make it again: language, instruct, speed, mode and the
    #: sampling options (temperature, top_k, top_p, repetition_penalty, max_frames)
    settings: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def audio_path(self) -> Path:
        assert self.folder is not None
        return self.folder / AUDIO_FILE

    def load_audio(self) -> np.ndarray:
        """The take as float32 mono at ``sample_rate``."""
        import soundfile as sf

        audio, _sr = sf.read(str(self.audio_path), dtype="float32", always_2d=False)
        return audio if audio.ndim == 1 else audio.mean(axis=1)

    def to_dict(self) -> dict[str, Any]:
        return dict(format=FORMAT, id=self.id, text=self.text, voice_key=self.voice_key,
                    voice_name=self.voice_name, seed=self.seed, sample_rate=self.sample_rate,
                    duration_s=round(self.duration_s, 3),
                    created=self.created.astimezone(UTC).isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
                    stop_reason=self.stop_reason, settings=dict(self.settings))


def check_seed(seed: object) -> int:
    """A seed is a whole number; a bool (Qt's clicked(False)) is not one."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise RecordError(f"the seed {seed!r} is not a whole number")
    return seed


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise RecordError(f"'{key}' is not text of at most {limit} characters")
    return value


def record_from_dict(data: object, folder: Path) -> HistoryTake:
    """Validate a take.json; raises RecordError with the reason."""
    if not isinstance(data, dict):
        raise RecordError("take.json does not hold an object")
    if data.get("format") != FORMAT:
        raise RecordError(f"unknown history format {data.get('format')!r}")
    if data.get("id") != folder.name:
        raise RecordError("the record's id is not its folder's name")
    rate = data.get("sample_rate")
    if isinstance(rate, bool) or not isinstance(rate, int) or not 8000 <= rate <= 192000:
        raise RecordError(f"the sample rate {rate!r} is not usable")
    duration = data.get("duration_s")
    if (isinstance(duration, bool) or not isinstance(duration, int | float)
            or not math.isfinite(duration) or duration < 0):
        raise RecordError("the duration is not a number of seconds")
    try:
        created = datetime.fromisoformat(str(data.get("created")))
    except ValueError as exc:
        raise RecordError("the creation time is not an ISO 8601 date") from exc
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise RecordError("the settings are not an object")
    return HistoryTake(
        id=folder.name, text=_text(data, "text", MAX_TEXT),
        voice_key=_text(data, "voice_key", MAX_NAME), voice_name=_text(data, "voice_name",
                                                                      MAX_NAME),
        seed=check_seed(data.get("seed")), sample_rate=rate, duration_s=float(duration),
        created=created if created.tzinfo else created.replace(tzinfo=UTC),
        stop_reason=_text(data, "stop_reason", 40) or "complete", settings=settings,
        folder=folder)
