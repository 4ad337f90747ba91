"""Check by ear: hear each new take with the Whisper support, compare it with its text.

The failure people meet most with these models is a take that skips, repeats or garbles
words. The take is transcribed (studio.asr.transcribe) and compared word by word with what
the model was to read (studio.asr.transcript_check); a take whose words agree less than
the project's threshold is flagged with the words that differ. Without a Whisper model on
disk the check is skipped and the project says so.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from studio.asr.transcript_check import MISMATCH, TranscriptCheck, compare
from studio.asr.words import Transcript
from studio.audio.errors import AudioTooLong, AudioTooShort, NoSpeech
from studio.engine.errors import ModelNotFound
from studio.projects.schema import CheckResult

NOTE_KEY = "check"
SKIPPED_NOTE = ("Check by ear skipped: no speech recognition model is on disk, so takes were "
                "not compared with their text. Download one ('voice-studio models download "
                "whisper-small') and render again to check new takes.")


class Hearer(Protocol):
    def transcribe(self, audio: np.ndarray, sample_rate: int,
                   language: str | None = None) -> Transcript: ...


def available(asr_pool: Any) -> bool:
    """Whether ``asr_pool`` (an AsrPool) finds a usable model."""
    if asr_pool is None:
        return False
    try:
        asr_pool.resolve()
    except ModelNotFound:
        return False
    return True


def differences(result: TranscriptCheck, limit: int = 8) -> list[str]:
    out = [f"“{w.text}” (heard “{w.heard}”)" if w.status == MISMATCH else f"“{w.text}” (not heard)"
           for w in result.problems]
    out += [f"“{t.text}” (heard, not in the text)" for t in result.extra]
    return out[:limit] + ([f"and {len(out) - limit} more"] if len(out) > limit else [])


class EarCheck:
    """Hears takes and compares them with their text; ``min_score`` decides the flag."""

    def __init__(self, hearer: Hearer, min_score: float) -> None:
        self.hearer, self.min_score = hearer, min_score

    def check(self, audio: np.ndarray, sample_rate: int, text: str,
              language: str = "auto") -> CheckResult:
        lang = None if language.strip().lower() in ("", "auto") else language
        try:
            heard = self.hearer.transcribe(audio, sample_rate, lang)
        except (NoSpeech, AudioTooShort):
            return CheckResult(0.0, True, ["nothing was heard in the take"])
        except AudioTooLong as exc:
            return CheckResult(0.0, False, note=f"not checked: {exc}")
        result = compare(text, heard.words, end=len(audio) / sample_rate)
        words = [(w.text, w.time[0], w.time[1]) for w in result.words if w.time is not None]
        return CheckResult(result.score, result.score < self.min_score, differences(result),
                           heard.text, words)


def better(a: CheckResult | None, b: CheckResult | None) -> bool:
    """Whether a take checked ``a`` beats one checked ``b`` (unchecked takes never do)."""
    if a is None or a.note:
        return False
    if b is None or b.note:
        return True
    return a.score > b.score
