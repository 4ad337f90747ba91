"""One streamed take over HTTP: POST a JSON body, read raw 16-bit PCM as it arrives, hand
it on as float32 chunks, stop at once when cancelled.

Cancel works at every moment, including while the server has not answered yet (it sends
its headers with the first audio, after the queue and a model load): the take's own
connection is recorded as it opens (httpx's ``trace`` extension) and shut down from a
watcher thread, which wakes the blocked read; the server sees the hang-up and stops the
take. Whatever arrived before a cancel or a failure is kept in ``Received``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np

from studio.engine.stream import CancelToken
from studio.remote.connection import Connection
from studio.remote.errors import RemoteError

ChunkFn = Callable[[np.ndarray], None]
PCM_RATE = 24000  # Qwen3-TTS 12 Hz models, and what both servers send as pcm
COMPLETE, CANCELLED, FAILED = "complete", "cancelled", "failed"


@dataclass
class Received:
    """What came back: the audio, the response headers, how the stream ended."""

    audio: np.ndarray
    headers: dict[str, str] = field(default_factory=dict)
    ended: str = COMPLETE
    problem: RemoteError | None = None
    first_chunk_s: float | None = None
    elapsed_s: float = 0.0
    sent_bytes: int = 0
    received_bytes: int = 0

    @property
    def seconds(self) -> float:
        return len(self.audio) / PCM_RATE


class PcmReader:
    """s16le bytes in, float32 samples out; an odd byte waits for its partner."""

    def __init__(self) -> None:
        self._rest = b""

    def feed(self, data: bytes) -> np.ndarray:
        data = self._rest + data
        even = len(data) - len(data) % 2
        self._rest = data[even:]
        return np.frombuffer(data[:even], dtype="<i2").astype(np.float32) / 32768.0


class SocketTracker:
    """The sockets of one request's connection, from httpx's trace events, and a way to
    shut them from another thread."""

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._shut = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                late = self._shut
            if late:
                self.shut()

    def shut(self) -> None:
        with self._lock:
            self._shut = True
            sockets = list(self._sockets)
        for sock in sockets:
            try:  # the plain socket's shutdown, also under TLS: wakes a blocked read
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


class CancelWatch:
    """Shuts the request's connection when ``cancel`` is set, until ``done()``."""

    def __init__(self, cancel: CancelToken | None, tracker: SocketTracker) -> None:
        self._cancel, self._tracker = cancel, tracker
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        if cancel is not None:
            self._thread = threading.Thread(target=self._run, name="remote-cancel", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        assert self._cancel is not None
        while not self._done.is_set():
            if self._cancel.wait(0.05):
                self._tracker.shut()
                return

    def done(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(1.0)


def body_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def stream_pcm(conn: Connection, path: str, body: dict[str, Any],
               on_chunk: ChunkFn | None = None, cancel: CancelToken | None = None) -> Received:
    """POST ``body`` and read the PCM answer as it comes. An error status before any audio
    raises (a RemoteError); a cancel or a failure after that returns what arrived, with
    ``ended`` and ``problem`` saying why it stopped."""
    tracker = SocketTracker()
    watch = CancelWatch(cancel, tracker)
    reader = PcmReader()
    parts: list[np.ndarray] = []
    got = Received(np.zeros(0, np.float32))
    started = time.monotonic()
    payload = body_bytes(body)
    got.sent_bytes = len(payload)
    try:
        with conn.takes.stream("POST", path, content=payload,
                               headers={"Content-Type": "application/json"},
                               extensions={"trace": tracker.trace}) as response:
            if response.status_code >= 400:
                raise conn.refusal(response)
            got.headers = dict(response.headers)
            for data in response.iter_raw():
                got.received_bytes += len(data)
                chunk = reader.feed(data)
                if not len(chunk):
                    continue
                if got.first_chunk_s is None:
                    got.first_chunk_s = time.monotonic() - started
                parts.append(chunk)
                if on_chunk is not None:
                    on_chunk(chunk)
                if cancel is not None and cancel.cancelled:
                    got.ended = CANCELLED
                    break
    except httpx.HTTPError as exc:
        if cancel is not None and cancel.cancelled:
            got.ended = CANCELLED
        else:
            audio_s = sum(len(p) for p in parts) / PCM_RATE
            problem = conn.explain(exc, audio_s)
            if not parts:
                raise problem from exc
            got.ended, got.problem = FAILED, problem
    finally:
        watch.done()
    got.audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    got.elapsed_s = time.monotonic() - started
    return got
