"""Waiting for engine work from a request: with a deadline, and noticing a client that
hung up, so abandoned work is cancelled instead of occupying the model."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from studio.server.audio_out import AudioPipe
from studio.server.errors import ApiError, error_body
from studio.server.scheduler import Job

T = TypeVar("T")
log = logging.getLogger(__name__)


async def _hung_up(request: Request) -> None:
    """Returns when the client disconnects (the body has been read by then)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def timeout_error(limit_s: float) -> ApiError:
    return ApiError(504, f"The request was stopped after {limit_s:g} s, the server's time limit "
                    "(waiting in the queue included). Try shorter text, or again when the "
                    "server is less busy.", "timeout")


async def settle(awaitable: Awaitable[T], request: Request, job: Job, deadline: float,
                 limit_s: float) -> T:
    """Await ``awaitable`` (a step of ``job``); on timeout or hang-up cancel the job."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(awaitable)
    gone = asyncio.ensure_future(_hung_up(request))
    try:
        done, _ = await asyncio.wait({task, gone}, timeout=max(0.0, deadline - loop.time()),
                                     return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        job.cancel()
        task.cancel()
        raise
    finally:
        gone.cancel()
    if task in done:
        return task.result()
    task.cancel()
    job.cancel()
    if gone in done:
        log.info("client hung up; cancelled job %d (%s)", job.id, job.label)
        raise ApiError(499, "The client closed the connection.", "client_closed")
    log.warning("job %d (%s) timed out after %g s", job.id, job.label, limit_s)
    raise timeout_error(limit_s)


def sse_event(payload: dict) -> bytes:
    """One Server-Sent Event named after its ``type``, as OpenAI's speech stream sends."""
    return (f"event: {payload['type']}\ndata: "
            f"{json.dumps(payload, separators=(',', ':'))}\n\n").encode()


class TakeStream:
    """A running job's audio as it comes: encoded bytes, or OpenAI's SSE events.

    The status line is gone by the time these run, so a timeout or a failure ends the
    stream early (and is logged; SSE also sends a ``speech.audio.error`` event) instead
    of turning into an error response."""

    def __init__(self, job: Job, first: np.ndarray | None, pipe: AudioPipe, deadline: float,
                 limit_s: float, input_chars: int) -> None:
        self.job, self.first, self.pipe = job, first, pipe
        self.deadline, self.limit_s, self.input_chars = deadline, limit_s, input_chars
        self.failure: str | None = None

    async def audio(self) -> AsyncIterator[bytes]:
        job, pipe = self.job, self.pipe
        loop = asyncio.get_running_loop()
        finished = False
        try:
            chunk = self.first
            yield pipe.header()
            while chunk is not None:
                data = await run_in_threadpool(pipe.push, chunk)
                if data:
                    yield data
                try:
                    chunk = await asyncio.wait_for(job.next_chunk(),
                                                   max(0.0, self.deadline - loop.time()))
                except TimeoutError:
                    log.warning("streamed job %d (%s) stopped at the %g s limit", job.id,
                                job.label, self.limit_s)
                    job.cancel()
                    self.failure = timeout_error(self.limit_s).message
                    return
                except Exception as exc:  # the status is sent: all that is left is to stop
                    log.warning("streamed job %d (%s) failed: %s", job.id, job.label, exc)
                    self.failure = str(exc) or type(exc).__name__
                    return
            finished = True
            tail = await run_in_threadpool(pipe.finish)
            if tail:
                yield tail
        finally:
            if not finished:
                pipe.close()

    async def events(self) -> AsyncIterator[bytes]:
        async for data in self.audio():
            if data:
                yield sse_event({"type": "speech.audio.delta",
                                 "audio": base64.b64encode(data).decode()})
        if self.failure is not None:
            yield sse_event({"type": "speech.audio.error",
                             "error": error_body(500, self.failure, "stream_failed")["error"]})
            return
        frames = (await self.job.result()).frames
        yield sse_event({"type": "speech.audio.done",
                         "usage": {"input_tokens": self.input_chars, "output_tokens": frames,
                                   "total_tokens": self.input_chars + frames}})


class TakeStreamResponse(StreamingResponse):
    """A streaming response that always cancels its job when it ends, however it ends
    (finished, client gone, server shutting down): cancelling a finished job is a no-op.

    A raw audio stream that failed (``failed()`` true at its end) is cut off without its
    last, empty chunk, so the client's HTTP library reports an incomplete body instead of
    a take that looks whole (SSE says so in an event instead)."""

    def __init__(self, job: Job, content: AsyncIterator[bytes],
                 failed: Callable[[], bool] | None = None, **kw: object) -> None:
        super().__init__(content, **kw)  # type: ignore[arg-type]
        self.job = job
        self.failed = failed

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        async for chunk in self.body_iterator:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if self.failed is not None and self.failed():
            log.warning("stream of job %d (%s) failed; connection closed without its end",
                        self.job.id, self.job.label)
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if not self.job.done.done():
                log.info("stream of job %d (%s) ended early; cancelled", self.job.id,
                         self.job.label)
            self.job.cancel()
