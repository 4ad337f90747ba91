"""One inference at a time, in arrival order, with a bounded queue in front of the engine;
speech requests that can share a batch are started together as one.

The ModelPool is not thread-safe, so the server keeps the engine's rule: one owner thread
(an EngineThread) does all model work. One generation step costs about as much for several
rows as for one (it is bound by reading the weights), so speech requests that wait for the
same model are generated together, as rows of one batch: when the engine is free, the
request at the head of the queue waits a gather window (a few tens of ms) for company,
then starts with every waiting request of the same ``BatchSpec.key`` (at most ``batch``).
Each still streams to its own client, is cancelled alone (its row stops, the others go
on), and is finished as soon as its own take is complete. What a batch shares is exactly
``batch_requests.batch_key``: the model and speed mode, and the chunking; each request
keeps its own text, voice, language, seed and sampling options (engine/row_sampler.py).
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
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.engine import batch_requests, batch_size, speak_request
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
class BatchSpec:
    """How a job may share a batch: requests with equal keys can be rows of one, and
    ``request(pool, cancel)`` (on the engine's thread) gives what the job speaks."""

    key: Hashable
    request: Callable[[ModelPool, CancelToken], speak_request.SpeakRequest]


@dataclass(frozen=True)
class LoadedSummary:
    name: str
    kind: str
    size: str
    device: str


class Job:
    """One unit of model work: its chunks as they come, then its result or error."""

    def __init__(self, work: Work, scheduler: Scheduler, label: str = "",
                 batch: BatchSpec | None = None) -> None:
        self.id = next(_ids)
        self.label = label
        self.work = work  # how it runs alone
        self.batch = batch  # how it runs as a row of a batch, if it can
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
                 idle_unload_s: float | None = None, chunk_hook: ChunkHook | None = None,
                 batch: int = batch_size.AUTO, gather_s: float = 0.03) -> None:
        self.loop = asyncio.get_running_loop()
        self.max_waiting = max_waiting
        self.batch = batch  # requests per batch at most: 0 as the engine allows, 1 no batches
        self.gather_s = gather_s
        self.loaded: tuple[LoadedSummary, ...] = ()  # replaced whole by the owner thread
        self.device = ""
        self.completed = 0
        self._chunk_hook = chunk_hook
        self._waiting: deque[Job] = deque()
        self._running: list[Job] = []
        self._gathering = False
        self._durations: deque[float] = deque(maxlen=20)
        self._closed = False
        self.engine = EngineThread(pool, idle_unload_s, on_idle_unload=self._on_idle_unload)

    async def start(self) -> None:
        """Settle the device (imports torch, probes CUDA) before the first request."""
        self.device = await asyncio.wrap_future(self.engine.call(lambda p: p.device.label))

    # --- queue -----------------------------------------------------------------------------

    @property
    def running(self) -> Job | None:
        """The first running job (of the batch that runs), None when idle."""
        return self._running[0] if self._running else None

    @property
    def running_count(self) -> int:
        return len(self._running)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def submit(self, work: Work, label: str = "", batch: BatchSpec | None = None) -> Job:
        """Queue ``work(pool, on_chunk, cancel)`` (or, with ``batch``, a row of a batch);
        503 with Retry-After when full."""
        if self._closed:
            raise ApiError(503, "The server is shutting down.", "shutting_down")
        if self._running and len(self._waiting) >= self.max_waiting:
            wait = self.retry_after()
            raise ApiError(
                503, f"The server is busy: {len(self._waiting)} request(s) are waiting for the "
                f"model already. Try again in about {wait} s.", "queue_full",
                headers={"Retry-After": str(wait)})
        job = Job(work, self, label, batch)
        self._waiting.append(job)
        self._pump()
        return job

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: recent job times x the work ahead."""
        typical = sum(self._durations) / len(self._durations) if self._durations else 5.0
        return max(1, min(600, math.ceil(typical * (len(self._waiting) + 1))))

    def _pump(self) -> None:
        if self._running or self._gathering or not self._waiting:
            return
        head = self._waiting[0]
        if head.batch is None or self.batch == 1:
            self._waiting.popleft()
            self._begin([head])
            self.engine.call(lambda pool: self._run(head, pool))
            return
        self._gathering = True  # give requests sent at the same moment a chance to join
        self.loop.call_later(self.gather_s, self._start_batch)

    def _start_batch(self) -> None:
        self._gathering = False
        if self._running or not self._waiting or self._waiting[0].batch is None:
            self._pump()
            return
        key = self._waiting[0].batch.key
        most = self.batch or batch_size.default_max(self.engine.pool.device.device)
        jobs = [j for j in self._waiting if j.batch is not None and j.batch.key == key][:most]
        for job in jobs:
            self._waiting.remove(job)
        self._begin(jobs)
        self.engine.call(lambda pool: self._run_batch(jobs, pool))

    def _begin(self, jobs: list[Job]) -> None:
        now = time.monotonic()
        for job in jobs:
            job.state, job.started = RUNNING, now
        self._running = list(jobs)

    def _cancel(self, job: Job) -> None:
        job.cancel_token.cancel()
        if job.state == WAITING:
            self._waiting.remove(job)
            job._complete(None, Cancelled())

    def _finish(self, job: Job, value: Any, exc: BaseException | None) -> None:
        job._complete(value, exc)
        if job in self._running:
            self._running.remove(job)
            self.completed += 1
            if job.started is not None and exc is None and not job.cancelled:
                self._durations.append(time.monotonic() - job.started)
        self._pump()

    # --- on the owner thread (on_chunk: on whichever engine thread emits audio) ---------------

    def _chunks_of(self, job: Job) -> ChunkFn:
        loop = self.loop

        def on_chunk(chunk: np.ndarray) -> None:
            try:
                loop.call_soon_threadsafe(job.chunks.put, chunk)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                job.cancel_token.cancel()
                return
            if self._chunk_hook is not None:
                self._chunk_hook(job, chunk)

        return on_chunk

    def _report(self, job: Job, value: Any, exc: BaseException | None) -> None:
        try:
            self.loop.call_soon_threadsafe(self._finish, job, value, exc)
        except RuntimeError:
            pass

    def _run(self, job: Job, pool: ModelPool) -> None:
        value: Any = None
        exc: BaseException | None = None
        try:
            if job.cancel_token.cancelled:
                raise Cancelled()
            value = job.work(pool, self._chunks_of(job), job.cancel_token)
        except BaseException as error:  # delivered to the request, never lost
            exc = error
        self._snapshot(pool)
        self._report(job, value, exc)

    def _run_batch(self, jobs: list[Job], pool: ModelPool) -> None:
        """Every job's take as a row of shared batches; each job ends when its take does."""
        rows: list[tuple[Job, speak_request.SpeakRequest]] = []
        for job in jobs:
            assert job.batch is not None
            try:
                if job.cancel_token.cancelled:
                    raise Cancelled()
                rows.append((job, job.batch.request(pool, job.cancel_token)))
            except BaseException as error:  # this request's own trouble (its clip, say)
                self._report(job, None, error)
        if not rows:
            return
        finished = set()

        def done_with(job: Job) -> Callable[[Any], None]:
            def done(take: Any) -> None:
                finished.add(job.id)
                self._report(job, take, None)
            return done

        try:
            results = batch_requests.run_batch(
                pool, [r for _, r in rows], [self._chunks_of(j) for j, _ in rows],
                [j.cancel_token for j, _ in rows], on_dones=[done_with(j) for j, _ in rows])
        except BaseException as error:  # the model could not be loaded, say: all share it
            results = [error] * len(rows)
        self._snapshot(pool)
        for (job, _), result in zip(rows, results, strict=True):
            if job.id in finished:
                continue
            if isinstance(result, BaseException):
                self._report(job, None, result)
            else:
                self._report(job, result, None)

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
        for job in self._running:
            job.cancel_token.cancel()
        await asyncio.to_thread(self.engine.close, timeout)
