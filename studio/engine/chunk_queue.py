"""A take's chunks as they are generated, then an end mark that every later read sees too.

Two readers wait for chunks this way: the caller iterating an ``EngineThread.stream``
(blocking, over a ``queue.Queue``) and a server request (a coroutine, over an
``asyncio.Queue`` filled from the engine's threads). Only the queue differs, so both wrap
theirs in a :class:`ChunkQueue` and the end-of-take rule lives here once.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable
from typing import Any

import numpy as np

_END = object()


class ChunkQueue:
    """Chunks in, then :meth:`close`; a read past the end returns None, or raises the
    producer's error (``error()``, asked only once the end is read)."""

    def __init__(self, q: queue.Queue[Any] | asyncio.Queue[Any],
                 error: Callable[[], BaseException | None]) -> None:
        self.queue = q
        self.error = error

    def put(self, chunk: np.ndarray) -> None:
        self.queue.put_nowait(chunk)

    def close(self) -> None:
        self.queue.put_nowait(_END)

    def get(self) -> np.ndarray | None:
        """The next chunk, waiting for it (a ``queue.Queue``)."""
        assert isinstance(self.queue, queue.Queue)
        return self._unpack(self.queue.get())

    async def get_async(self) -> np.ndarray | None:
        """The next chunk, awaiting it (an ``asyncio.Queue``)."""
        assert isinstance(self.queue, asyncio.Queue)
        return self._unpack(await self.queue.get())

    def _unpack(self, item: Any) -> np.ndarray | None:
        if item is _END:
            self.queue.put_nowait(_END)  # later reads end too
            exc = self.error()
            if exc is not None:
                raise exc
            return None
        return item
