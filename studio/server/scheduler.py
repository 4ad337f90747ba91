"""One inference at a time, in arrival order, with a bounded queue in front of the engine.

The ModelPool is not thread-safe and one generation already uses the whole accelerator, so
the server keeps the engine's rule: one owner thread (an EngineThread) does all model work.
Requests wait here, on the event loop, not in the engine's own queue: a waiting request
that is cancelled (timeout, client gone) simply leaves the queue and never reaches the
engine, and a full queue is refused at once (503) instead of piling up work.

Chunks travel from the engine (its owner thread, or the thread it decodes on) to the
request's coroutine through ``loop.call_soon_threadsafe``, so no engine thread ever blocks
waiting for a slow client.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.engine.chunk_queue import ChunkQueue
from studio.engine.engine_thread import EngineThread
from studio.engine.pool import ModelPool
from studio.engine.stream import CancelToken
from studio.errors import Cancelled
from studio.server.errors import ApiError

log = logging.getLogger(__name__)

ChunkFn = Callable[[np.ndarray], None]
Work = Callable[[ModelPool, ChunkFn, CancelToken], Any]
ChunkHook = Callable[["Job", np.ndarray], None]
WAITING, RUNNING, DONE = "waiting", "running", "done"
_ids = itertools.count(1)


@dataclass(frozen=True)
class LoadedSummary:
    name: str
    kind: str
    size: str
    device: str


class Job:
    """One unit of model work: its chunks as they come, then its result or error."""

    def __init__(self, work: Work, scheduler: Scheduler, label: str = "") -> None:
        self.id = next(_ids)
        self.label = label
        self.work = work
        self.cancel_token = CancelToken()
        self.state = WAITING
        self.submitted = time.monotonic()
        self.started: float | None = None
        self.finished: float | None = None
        self._scheduler = scheduler
        self.done: asyncio.Future[Any] = scheduler.loop.create_future()
        self.chunks = ChunkQueue(asyncio.Queue(), self.done.exception)
        self.done.add_done_callback(lambda f: f.cancelled() or f.exception())  # "retrieved"

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def cancel(self) -> None:
        """Stop the work: leave the queue if waiting, stop within a step if running."""
        self._scheduler._cancel(self)

    async def next_chunk(self) -> np.ndarray | None:
        """The next chunk; None at the end; the job's error if it failed."""
        return await self.chunks.get_async()

    async def result(self) -> Any:
        return await asyncio.shield(self.done)

    def _complete(self, value: Any, exc: BaseException | None) -> None:
        self.state, self.finished = DONE, time.monotonic()
        if not self.done.done():
            if exc is None:
                self.done.set_result(value)
            else:
                self.done.set_exception(exc)
        self.chunks.close()


class Scheduler:
    """The bounded FIFO in front of one EngineThread. Use from the event loop's thread."""

    def __init__(self, pool: ModelPool, *, max_waiting: int = 8,
                 idle_unload_s: float | None = None, chunk_hook: ChunkHook | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.max_waiting = max_waiting
        self.loaded: tuple[LoadedSummary, ...] = ()  # replaced whole by the owner thread
        self.device = ""
        self.completed = 0
        self._chunk_hook = chunk_hook
        self._waiting: deque[Job] = deque()
        self._running: Job | None = None
        self._durations: deque[float] = deque(maxlen=20)
        self._closed = False
        self.engine = EngineThread(pool, idle_unload_s, on_idle_unload=self._on_idle_unload)

    async def start(self) -> None:
        """Settle the device (imports torch, probes CUDA) before the first request."""
        self.device = await asyncio.wrap_future(self.engine.call(lambda p: p.device.label))

    # --- queue -----------------------------------------------------------------------------

    @property
    def running(self) -> Job | None:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def submit(self, work: Work, label: str = "") -> Job:
        """Queue ``work(pool, on_chunk, cancel)``; 503 with Retry-After when full."""
        if self._closed:
            raise ApiError(503, "The server is shutting down.", "shutting_down")
        if self._running is not None and len(self._waiting) >= self.max_waiting:
            wait = self.retry_after()
            raise ApiError(
                503, f"The server is busy: {len(self._waiting)} request(s) are waiting for the "
                f"model already. Try again in about {wait} s.", "queue_full",
                headers={"Retry-After": str(wait)})
        job = Job(work, self, label)
        self._waiting.append(job)
        self._pump()
        return job

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: recent job times x the work ahead."""
        typical = sum(self._durations) / len(self._durations) if self._durations else 5.0
        return max(1, min(600, math.ceil(typical * (len(self._waiting) + 1))))

    def _pump(self) -> None:
        if self._running is not None or not self._waiting:
            return
        job = self._waiting.popleft()
        self._running, job.state, job.started = job, RUNNING, time.monotonic()
        self.engine.call(lambda pool: self._run(job, pool))

    def _cancel(self, job: Job) -> None:
        job.cancel_token.cancel()
        if job.state == WAITING:
            self._waiting.remove(job)
            job._complete(None, Cancelled())

    def _finish(self, job: Job, value: Any, exc: BaseException | None) -> None:
        job._complete(value, exc)
        if self._running is job:
            self._running = None
            self.completed += 1
            if job.started is not None and exc is None and not job.cancelled:
                self._durations.append(time.monotonic() - job.started)
        self._pump()

    # --- on the owner thread (on_chunk: on whichever engine thread emits audio) ---------------

    def _run(self, job: Job, pool: ModelPool) -> None:
        loop = self.loop

        def on_chunk(chunk: np.ndarray) -> None:
            try:
                loop.call_soon_threadsafe(job.chunks.put, chunk)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                job.cancel_token.cancel()
                return
            if self._chunk_hook is not None:
                self._chunk_hook(job, chunk)

        value: Any = None
        exc: BaseException | None = None
        try:
            if job.cancel_token.cancelled:
                raise Cancelled()
            value = job.work(pool, on_chunk, job.cancel_token)
        except BaseException as error:  # delivered to the request, never lost
            exc = error
        self._snapshot(pool)
        try:
            loop.call_soon_threadsafe(self._finish, job, value, exc)
        except RuntimeError:
            pass

    def _snapshot(self, pool: ModelPool) -> None:
        self.loaded = tuple(LoadedSummary(m.info.name, m.info.kind, m.info.size,
                                          m.device.label) for m in pool.loaded())

    def _on_idle_unload(self, count: int) -> None:
        log.info("unloaded %d idle model(s)", count)
        self._snapshot(self.engine.pool)

    # --- shutdown ---------------------------------------------------------------------------

    async def close(self, timeout: float = 30.0) -> None:
        """Refuse new work, cancel what is queued or running, stop the owner thread."""
        self._closed = True
        for job in list(self._waiting):
            self._cancel(job)
        if self._running is not None:
            self._running.cancel_token.cancel()
        await asyncio.to_thread(self.engine.close, timeout)
