"""The inference worker: owns every loaded model on its own QThread; the GUI never calls a model.

Requests reach the worker as queued signals and run one at a time, in order. Streamed
chunks come back as signals carrying the request id, so the GUI can drop chunks of a take it
no longer shows. Stop is not a queued signal (it would wait behind the running take): the
GUI sets the request's cancel token directly, which the generating thread checks between
decode steps.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from studio.engine.stream import CancelToken
from studio.errors import StudioError

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> str:
    if isinstance(exc, StudioError):
        return str(exc)
    log.exception("unexpected error in the inference worker", exc_info=exc)
    return (f"Something went wrong inside the engine ({type(exc).__name__}: {exc}). "
            "Try again; if it keeps happening, restart the app.")


class InferenceWorker(QObject):
    """Lives on the inference thread. Slots run there; signals are delivered to the GUI."""

    chunk = Signal(int, object)  # request id, float32 array
    finished = Signal(int, object)  # request id, Take
    prompt_ready = Signal(int, object)  # request id, VoicePrompt
    failed = Signal(int, str)  # request id, message for the user
    loading = Signal(str, float, str)  # kind, fraction, message
    model_ready = Signal(object)  # LoadedModel's ModelInfo
    engine_ready = Signal(str)  # device label, once torch/qwen-tts are imported
    busy = Signal(str)  # what is running, "" when idle
    unloaded = Signal()

    def __init__(self, pool: Any, tokens: dict[int, CancelToken], lock: threading.Lock,
                 idle_unload_s: float = 0.0) -> None:
        super().__init__()
        self.pool = pool
        self._tokens = tokens
        self._lock = lock
        self._idle_s = idle_unload_s
        self._idle_timer: QTimer | None = None

    def _token(self, request_id: int) -> CancelToken:
        with self._lock:
            return self._tokens.setdefault(request_id, CancelToken())

    def _forget(self, request_id: int) -> None:
        with self._lock:
            self._tokens.pop(request_id, None)

    def _progress(self, kind: str):  # noqa: ANN202
        return lambda fraction, message: self.loading.emit(kind, float(fraction), str(message))

    @Slot()
    def start(self) -> None:
        if self._idle_s > 0:
            self._idle_timer = QTimer(self)
            self._idle_timer.setInterval(int(max(self._idle_s / 4, 1.0) * 1000))
            self._idle_timer.timeout.connect(self._unload_idle)
            self._idle_timer.start()

    @Slot()
    def warm_up(self) -> None:
        """Import the heavy libraries in the background so the first take starts sooner.

        Asked for by the window once it is on screen: importing torch holds the GIL for
        seconds, which would otherwise slow the window's first paint."""
        try:
            self.busy.emit("Starting the engine")
            from studio.engine.compat import import_qwen_tts

            import_qwen_tts()
            self.engine_ready.emit(self.pool.device.label)
        except Exception as exc:  # shown to the user; the app stays usable
            self.failed.emit(0, user_message(exc))
        finally:
            self.busy.emit("")

    @Slot()
    def _unload_idle(self) -> None:
        if self.pool.unload_idle(self._idle_s):
            self.unloaded.emit()

    @Slot(str, str)
    def preload(self, kind: str, prefer: str = "") -> None:
        try:
            self.busy.emit(f"Loading the {kind.replace('_', ' ')} model")
            model = self.pool.get(kind, prefer or None, progress=self._progress(kind))
            self.model_ready.emit(model.info)
        except Exception as exc:
            self.failed.emit(0, user_message(exc))
        finally:
            self.busy.emit("")

    def _request(self, request_id: int, busy: str, work: Callable[[CancelToken], None]) -> None:
        """Run one request unless it was cancelled while queued; errors go to ``failed``."""
        token = self._token(request_id)
        try:
            if token.cancelled:
                return
            self.busy.emit(busy)
            work(token)
        except Exception as exc:
            self.failed.emit(request_id, user_message(exc))
        finally:
            self._forget(request_id)
            self.busy.emit("")

    @Slot(int, object)
    def speak(self, request_id: int, request: Any) -> None:
        from studio.engine import speak_request

        def work(token: CancelToken) -> None:
            need = bool(request.instruct and request.mode == speak_request.PRESET)
            model = self.pool.get(request.kind, request.model, need,
                                  progress=self._progress(request.kind), speed=request.speed)
            self.model_ready.emit(model.info)
            take = speak_request.run(self.pool, request,
                                on_chunk=lambda a: self.chunk.emit(request_id, a), cancel=token)
            self.finished.emit(request_id, take)

        self._request(request_id, "Generating", work)

    @Slot(int, object)
    def make_prompt(self, request_id: int, request: Any) -> None:
        from studio.engine import speak_request

        def work(_token: CancelToken) -> None:
            self.pool.get("base", request.model, progress=self._progress("base"))
            self.prompt_ready.emit(request_id, speak_request.make_prompt(self.pool, request))

        self._request(request_id, "Analysing the voice", work)

    @Slot(str, str)
    def set_device(self, device: str, dtype: str) -> None:
        self.pool.set_device(device, None if dtype == "auto" else dtype)
        self.unloaded.emit()

    @Slot()
    def unload_all(self) -> None:
        self.pool.unload()
        self.unloaded.emit()

    @Slot()
    def shutdown(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
        self.pool.unload()
        QThread.currentThread().quit()


class InferenceClient(QObject):
    """The GUI-side handle: submits requests, cancels them, shuts the thread down cleanly."""

    _speak = Signal(int, object)
    _prompt = Signal(int, object)
    _preload = Signal(str, str)
    _set_device = Signal(str, str)
    _unload = Signal()
    _shutdown = Signal()
    _warm_up = Signal()

    def __init__(self, pool: Any, idle_unload_s: float = 0.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._tokens: dict[int, CancelToken] = {}
        self._lock = threading.Lock()
        self.thread = QThread()
        self.thread.setObjectName("inference")
        self.worker = InferenceWorker(pool, self._tokens, self._lock, idle_unload_s)
        self.worker.moveToThread(self.thread)
        self._speak.connect(self.worker.speak)
        self._prompt.connect(self.worker.make_prompt)
        self._preload.connect(self.worker.preload)
        self._set_device.connect(self.worker.set_device)
        self._unload.connect(self.worker.unload_all)
        self._shutdown.connect(self.worker.shutdown)
        self._warm_up.connect(self.worker.warm_up)
        self.thread.started.connect(self.worker.start)
        self.thread.start()

    def speak(self, request: Any) -> int:
        request_id = next(self._ids)
        with self._lock:
            self._tokens[request_id] = CancelToken()
        self._speak.emit(request_id, request)
        return request_id

    def make_prompt(self, request: Any) -> int:
        request_id = next(self._ids)
        with self._lock:
            self._tokens[request_id] = CancelToken()
        self._prompt.emit(request_id, request)
        return request_id

    def warm_up(self) -> None:
        self._warm_up.emit()

    def preload(self, kind: str, prefer: str = "") -> None:
        self._preload.emit(kind, prefer)

    def set_device(self, device: str, dtype: str) -> None:
        self._set_device.emit(device, dtype)

    def unload(self) -> None:
        self._unload.emit()

    def cancel(self, request_id: int) -> None:
        """Stop a running or queued request now (thread-safe, no queueing)."""
        with self._lock:
            token = self._tokens.get(request_id)
        if token is not None:
            token.cancel()

    def cancel_all(self) -> None:
        with self._lock:
            tokens = list(self._tokens.values())
        for token in tokens:
            token.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything, let the worker unload and quit; True if the thread ended."""
        if not self.thread.isRunning():
            return True
        self.cancel_all()
        self._shutdown.emit()
        return self.thread.wait(timeout_ms)
