"""A thread that owns a ModelPool, for callers without a thread of their own (CLI, server).

Every model call runs on this one thread, in order. ``stream()`` returns an iterator of
audio chunks that arrive while the model is still generating; cancelling it stops the
generation within a step. Optionally unloads models after an idle period.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

import numpy as np

from studio.audio.forecast import ProgressBox
from studio.engine import speak_request
from studio.engine.chunk_queue import ChunkQueue
from studio.engine.pool import ModelPool
from studio.engine.stream import CancelToken
from studio.engine.take import Take

T = TypeVar("T")


class TakeStream(Iterator[np.ndarray]):
    """Iterate audio chunks as they are generated; then ``result()`` gives the whole Take."""

    def __init__(self, progress: ProgressBox | None = None) -> None:
        self.cancel_token = CancelToken()
        # how a take made in parallel segments grows (for a start policy)
        self.progress = progress or ProgressBox()
        self.future: Future[Take] = Future()
        self.chunks = ChunkQueue(queue.Queue(), self.future.exception)  # filled by the owner

    def __iter__(self) -> TakeStream:
        return self

    def __next__(self) -> np.ndarray:
        chunk = self.chunks.get()
        if chunk is None:
            raise StopIteration
        return chunk

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def result(self, timeout: float | None = None) -> Take:
        return self.future.result(timeout)


class EngineThread:
    def __init__(self, pool: ModelPool | None = None, idle_unload_s: float | None = None,
                 on_idle_unload: Callable[[int], None] | None = None) -> None:
        self.pool = pool or ModelPool()
        self.idle_unload_s = idle_unload_s
        self._on_idle_unload = on_idle_unload
        self._jobs: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="engine-owner", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.idle_unload_s or None)
            except queue.Empty:
                count = self.pool.unload_idle(self.idle_unload_s or 0.0)
                if count and self._on_idle_unload is not None:
                    self._on_idle_unload(count)
                continue
            if job is None:
                self.pool.unload()
                return
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(self.pool))
            except BaseException as exc:  # delivered to the caller, never lost
                future.set_exception(exc)

    def call(self, fn: Callable[[ModelPool], T]) -> Future[T]:
        """Run ``fn(pool)`` on the owner thread."""
        future: Future[T] = Future()
        self._jobs.put((fn, future))
        return future

    def stream(self, request: speak_request.SpeakRequest,
               progress: ProgressBox | None = None) -> TakeStream:
        ts = TakeStream(progress)

        def job(pool: ModelPool) -> Take:
            try:
                take = speak_request.run(pool, request, on_chunk=ts.chunks.put,
                                         cancel=ts.cancel_token, progress=ts.progress)
                ts.future.set_result(take)
                return take
            except BaseException as exc:
                ts.future.set_exception(exc)
                raise
            finally:
                ts.chunks.close()

        self.call(job)
        return ts

    def speak(self, request: speak_request.SpeakRequest) -> Take:
        return self.call(lambda pool: speak_request.run(pool, request)).result()

    def close(self, timeout: float | None = 30.0) -> None:
        self._jobs.put(None)
        self.thread.join(timeout)

    def __enter__(self) -> EngineThread:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()
