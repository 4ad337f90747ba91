"""Frame levels and a simple energy-based voice activity detector (pure numpy).

Used by the reference check, loudness normalisation and silence trimming. It is
deliberately simple: per-frame RMS on 20 ms frames, a threshold that adapts to the clip's
own noise floor and loud level, then gap filling so the pauses between words stay speech.
That is enough to find silence, leading/trailing pauses and a clean window; it does not try
to tell speech from other sounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_S = 0.02
FLOOR_DB = -120.0
#: a clip whose loudest frames are below this is silent
SILENCE_DB = -60.0
#: samples at or above this magnitude count as clipped
CLIP_LEVEL = 0.99


def frame_power(audio: np.ndarray, hop: int) -> np.ndarray:
    """Mean square per frame of ``hop`` samples (the last partial frame included)."""
    x = np.asarray(audio, dtype=np.float32)
    n = x.shape[0] // hop
    full = x[: n * hop].reshape(n, hop)
    power = np.einsum("ij,ij->i", full, full, dtype=np.float64) / hop
    rest = x[n * hop:]
    if rest.shape[0]:
        power = np.append(power, float(np.dot(rest, rest)) / rest.shape[0])
    return power


def power_db(power: np.ndarray | float) -> np.ndarray:
    return np.maximum(10.0 * np.log10(np.maximum(power, 1e-12)), FLOOR_DB)


def frame_clipped(audio: np.ndarray, hop: int, level: float = CLIP_LEVEL) -> np.ndarray:
    """How many samples of each frame are at or above ``level`` full scale."""
    x = np.asarray(audio, dtype=np.float32)
    hit = np.abs(x) >= level
    n = x.shape[0] // hop
    counts = hit[: n * hop].reshape(n, hop).sum(axis=1)
    if x.shape[0] > n * hop:
        counts = np.append(counts, hit[n * hop:].sum())
    return counts


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and (exclusive) end indices of the True runs of a boolean array."""
    m = np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0]))
    d = np.diff(m)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _paint(n: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Boolean array of length n, True inside each [start, end) span (vectorised)."""
    delta = np.zeros(n + 1, dtype=np.int32)
    np.add.at(delta, starts, 1)
    np.add.at(delta, ends, -1)
    return np.cumsum(delta[:n]) > 0


def _smooth(mask: np.ndarray, min_gap: int, min_run: int) -> np.ndarray:
    """Fill short pauses between speech runs, then drop runs too short to be speech."""
    starts, ends = runs(mask)
    if starts.size > 1:
        short = (starts[1:] - ends[:-1]) < min_gap
        mask = mask | _paint(mask.size, ends[:-1][short], starts[1:][short])
        starts, ends = runs(mask)
    keep = (ends - starts) >= min_run
    return _paint(mask.size, starts[keep], ends[keep])


@dataclass(frozen=True)
class Activity:
    """Per-frame levels and the speech decision for one clip."""

    power: np.ndarray  # mean square per frame
    db: np.ndarray  # the same in dBFS
    speech: np.ndarray  # bool per frame
    hop: int
    sample_rate: int
    threshold_db: float
    floor_db: float  # noise floor: mean level of the quietest 10% of frames

    @property
    def frame_s(self) -> float:
        return self.hop / float(self.sample_rate)

    @property
    def speech_s(self) -> float:
        return float(np.count_nonzero(self.speech)) * self.frame_s

    def speech_db(self) -> float:
        """RMS level of the speech frames in dBFS (FLOOR_DB when there is none)."""
        if not self.speech.any():
            return FLOOR_DB
        return float(power_db(float(self.power[self.speech].mean())))

    def bounds(self) -> tuple[int, int] | None:
        """First and last+1 speech frame, or None."""
        idx = np.flatnonzero(self.speech)
        return (int(idx[0]), int(idx[-1]) + 1) if idx.size else None


def detect_speech(
    audio: np.ndarray,
    sample_rate: int,
    frame_s: float = FRAME_S,
    min_gap_s: float = 0.3,
    min_speech_s: float = 0.1,
) -> Activity:
    """Energy VAD with a threshold between the clip's noise floor and its loud frames."""
    hop = max(1, int(round(frame_s * sample_rate)))
    power = frame_power(audio, hop)
    db = power_db(power)
    if db.size == 0:
        empty = np.zeros(0, dtype=bool)
        return Activity(power, db, empty, hop, int(sample_rate), 0.0, FLOOR_DB)
    quiet_n = max(1, db.size // 10)
    quietest = np.partition(power, quiet_n - 1)[:quiet_n]
    floor_db = float(power_db(float(quietest.mean())))
    loud_db = float(np.percentile(db, 95))
    if loud_db < SILENCE_DB:
        speech = np.zeros(db.size, dtype=bool)
        threshold = loud_db
    elif loud_db - floor_db < 6.0:
        # no pauses to learn from: steady sound is all "active"
        threshold = max(SILENCE_DB, floor_db - 6.0)
        speech = db > threshold
    else:
        threshold = max(SILENCE_DB, floor_db + max(6.0, 0.3 * (loud_db - floor_db)))
        speech = db > threshold
    frame = hop / float(sample_rate)
    speech = _smooth(speech, int(round(min_gap_s / frame)), max(1, int(round(min_speech_s / frame))))
    return Activity(power, db, speech, hop, int(sample_rate), float(threshold), floor_db)


def speech_bounds(
    audio: np.ndarray, sample_rate: int, pad_s: float = 0.1
) -> tuple[float, float] | None:
    """(start, end) seconds of the speech with ``pad_s`` either side, or None if silent."""
    act = detect_speech(audio, sample_rate)
    b = act.bounds()
    if b is None:
        return None
    total = np.asarray(audio).shape[0] / float(sample_rate)
    start = max(0.0, b[0] * act.frame_s - pad_s)
    end = min(total, b[1] * act.frame_s + pad_s)
    return start, end
