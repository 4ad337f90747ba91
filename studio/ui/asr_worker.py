"""Transcription for the window: a Whisper model owned by its own QThread.

Why a thread of its own rather than a request on the inference thread: a transcription
must not wait behind a streamed preview or a long take on the Speak page (nor hold them
up), and the Whisper model is a different kind of model with its own life: loaded on the
first Transcribe, unloaded after a few idle minutes, never counted against the voice
models' limit. Like the inference worker, only its thread touches the model; requests
arrive as queued signals, results leave as signals carrying the request id, and Stop sets
the request's cancel token directly (checked between decoding steps), not through the
queue. Garbage is collected on the GUI thread after an unload (see AppContext.create).

One :class:`AsrClient` per AppContext, created on first use (:func:`asr_client`) so the
thread exists only once someone transcribes; :func:`shutdown_asr` ends it.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from studio.engine.stream import CancelToken
from studio.errors import Cancelled
from studio.ui.workers import user_message

log = logging.getLogger(__name__)

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


class AsrWorker(QObject):
    """Lives on the transcription thread; slots run there."""

    finished = Signal(int, object)  # request id, Transcript (times in clip seconds)
    failed = Signal(int, str)  # request id, message for the user
    progress = Signal(int, float, str)  # request id, fraction, what is happening
    unloaded = Signal()

    def __init__(self, tokens: dict[int, CancelToken], lock: threading.Lock,
                 idle_unload_s: float = IDLE_UNLOAD_S) -> None:
        super().__init__()
        from studio.asr.transcribe import AsrPool

        self.pool = AsrPool()
        self._tokens, self._lock = tokens, lock
        self._idle_s = idle_unload_s
        self._idle: QTimer | None = None

    @Slot()
    def start(self) -> None:
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(self._idle_s * 1000))
        self._idle.timeout.connect(self.unload)

    @Slot(int, object)
    def transcribe(self, request_id: int, request: TranscribeRequest) -> None:
        with self._lock:
            token = self._tokens.setdefault(request_id, CancelToken())
        try:
            if token.cancelled:  # stopped while queued: say so, every request ends once
                self.failed.emit(request_id, Cancelled().message)
                return
            self.pool.configure(request.device, request.dtype, request.roots, request.extra,
                                request.prefer)

            def progress(fraction: float, message: str) -> None:
                self.progress.emit(request_id, float(fraction), str(message))

            transcript = self.pool.transcribe(request.audio, request.sample_rate,
                                              request.language, token, progress)
            self.finished.emit(request_id, transcript.shifted(request.offset))
        except Exception as exc:  # everything reaches the page as a message
            self.failed.emit(request_id, user_message(exc))
        finally:
            with self._lock:
                self._tokens.pop(request_id, None)
            if self._idle is not None:
                self._idle.start()

    @Slot()
    def unload(self) -> None:
        if self.pool.unload():
            self.unloaded.emit()

    @Slot()
    def shutdown(self) -> None:
        if self._idle is not None:
            self._idle.stop()
        self.pool.unload()
        QThread.currentThread().quit()


class AsrClient(QObject):
    """The GUI-side handle. Call every method from the GUI thread."""

    _transcribe = Signal(int, object)
    _unload = Signal()
    _shutdown = Signal()

    def __init__(self, idle_unload_s: float = IDLE_UNLOAD_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._tokens: dict[int, CancelToken] = {}
        self._lock = threading.Lock()
        self.thread = QThread()
        self.thread.setObjectName("transcription")
        self.worker = AsrWorker(self._tokens, self._lock, idle_unload_s)
        self.worker.moveToThread(self.thread)
        self._transcribe.connect(self.worker.transcribe)
        self._unload.connect(self.worker.unload)
        self._shutdown.connect(self.worker.shutdown)
        self.worker.unloaded.connect(self._collect)
        self.thread.started.connect(self.worker.start)
        self.thread.start()

    def transcribe(self, request: TranscribeRequest) -> int:
        request_id = next(self._ids)
        with self._lock:
            self._tokens[request_id] = CancelToken()
        self._transcribe.emit(request_id, request)
        return request_id

    def cancel(self, request_id: int) -> None:
        """Stop a running or queued transcription now (thread-safe, not queued)."""
        with self._lock:
            token = self._tokens.get(request_id)
        if token is not None:
            token.cancel()

    def unload(self) -> None:
        self._unload.emit()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        if not self.thread.isRunning():
            return True
        with self._lock:
            tokens = list(self._tokens.values())
        for token in tokens:
            token.cancel()
        self._shutdown.emit()
        return self.thread.wait(timeout_ms)

    @Slot()
    def _collect(self) -> None:
        import gc

        gc.collect()  # here, on the GUI thread


def request_for(ctx: Any, audio: np.ndarray, sample_rate: int, language: str | None,
                offset: float = 0.0) -> TranscribeRequest:
    """A request carrying the app's current device, model folders and chosen model."""
    s = ctx.settings
    roots = ctx.pool.roots
    return TranscribeRequest(
        np.asarray(audio, np.float32).copy(), int(sample_rate), language, float(offset),
        s.device, None if s.dtype == "auto" else s.dtype,
        tuple(roots) if roots is not None else None, tuple(ctx.pool.extra),
        s.roles.get("asr") or None)


_ATTR = "_asr_client"


def asr_client(ctx: Any) -> AsrClient:
    """The context's one AsrClient, created (and its thread started) on first use."""
    client = getattr(ctx, _ATTR, None)
    if client is None:
        client = AsrClient()
        setattr(ctx, _ATTR, client)
    return client


def existing_asr_client(ctx: Any) -> AsrClient | None:
    return getattr(ctx, _ATTR, None)


def shutdown_asr(ctx: Any, timeout_ms: int = 30000) -> bool:
    """End the transcription thread, if one was started; True if it ended."""
    client = getattr(ctx, _ATTR, None)
    return True if client is None else client.shutdown(timeout_ms)
