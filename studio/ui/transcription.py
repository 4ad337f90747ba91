"""Transcription for the window: a Whisper model owned by a thread of its own.

Why not a job on the inference thread: a transcription must not wait behind a streamed
preview or a long take on the Speak page (nor hold them up), and the Whisper model has a
life of its own: loaded on the first Transcribe, unloaded after a few idle minutes, never
counted against the voice models' limit. The thread starts on the first transcription.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from studio.asr.transcribe import AsrPool
from studio.engine.errors import ModelNotFound
from studio.engine.pool import ModelPool
from studio.settings import Settings
from studio.ui.job_thread import JobThread
from studio.ui.jobs import Job
from studio.ui.model_help import window_error

IDLE_UNLOAD_S = 180.0  # a transcription model is needed once per clip, then frees its memory


@dataclass(frozen=True)
class TranscribeRequest:
    audio: np.ndarray
    sample_rate: int
    language: str | None = None  # None: detect
    offset: float = 0.0  # where the audio starts in the clip: words come back in clip time
    # where to look for models and which to prefer, read on the GUI thread
    device: str = "auto"
    dtype: str | None = None
    roots: tuple[Path, ...] | None = None
    extra: tuple[Path, ...] = ()
    prefer: str | None = None


def request_for(settings: Settings, pool: ModelPool, audio: np.ndarray, sample_rate: int,
                language: str | None, offset: float = 0.0) -> TranscribeRequest:
    """A request carrying the app's current device, model folders and chosen model."""
    roots = pool.roots
    return TranscribeRequest(
        np.asarray(audio, np.float32).copy(), int(sample_rate), language, float(offset),
        settings.device, None if settings.dtype == "auto" else settings.dtype,
        tuple(roots) if roots is not None else None, tuple(pool.extra),
        settings.roles.get("asr") or None)


class AsrClient(QObject):
    """Call every method from the GUI thread."""

    unloaded = Signal()

    def __init__(self, idle_unload_s: float = IDLE_UNLOAD_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = AsrPool()  # touched only on the transcription thread from here on
        self._idle_s = idle_unload_s
        self._last_used = time.monotonic()
        self.jobs = JobThread("transcription", self._unload_idle, idle_unload_s / 4, self)
        self.unloaded.connect(self._collect)

    @property
    def thread(self) -> QThread:
        return self.jobs.thread

    def transcribe(self, request: TranscribeRequest) -> Job:
        """Hear ``request.audio``; the job's result is a Transcript in clip time and its
        progress says what is happening (loading the model, listening)."""

        def work(job: Job) -> object:
            try:
                self.pool.configure(request.device, request.dtype, request.roots,
                                    request.extra, request.prefer)
                transcript = self.pool.transcribe(request.audio, request.sample_rate,
                                                  request.language, job.token, job.report)
                return transcript.shifted(request.offset)
            except ModelNotFound as exc:
                raise window_error(exc, "asr") from exc
            finally:
                self._last_used = time.monotonic()

        return self.jobs.submit(Job(), work)

    def unload(self) -> None:
        """Let go of the model now (its files must not be in use: deleting it on Windows)."""
        if self.jobs.running:  # never started: nothing is loaded
            self.jobs.call(self._unload)

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        return self.jobs.shutdown(self.pool.unload, timeout_ms)

    # on the transcription thread
    def _unload_idle(self) -> None:
        if time.monotonic() - self._last_used >= self._idle_s:
            self._unload()

    def _unload(self) -> None:
        if self.pool.unload():
            self.unloaded.emit()

    @Slot()
    def _collect(self) -> None:
        import gc

        gc.collect()  # here, on the GUI thread
