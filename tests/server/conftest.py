"""The real server (uvicorn on a loopback port) over the tiny models, and an HTTP client.

Every server is capped at FRAMES frames per take (the tiny models never stop by themselves)
and cuts audio into 2-frame chunks, so a take is a few tenths of a second and a stream has
several chunks.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from studio.engine.options import Streaming
from studio.engine.pool import ModelPool
from studio.server.config import ServerConfig
from studio.server.runner import ServerThread
from studio.server.state import ServerState
from tests.engine.helpers import voice_like

FRAMES = 5
SAMPLES_PER_FRAME = 1920
MAX_SECONDS = FRAMES / 12.5
STREAMING = Streaming(first_chunk=2, chunks=(2,))
# chunks emitted on the generating thread itself (no decode thread): a chunk hook that
# blocks then holds the generation, so a cancelled take is visibly cut short
HELD = Streaming(first_chunk=2, chunks=(2,), overlap=False)


@pytest.fixture(scope="package", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Two cores shared with other jobs: one intra-op thread is several times faster here."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class Api:
    """A started server and a client for it."""

    def __init__(self, server: ServerThread) -> None:
        self.server = server
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, timeout=30)

    @property
    def state(self) -> ServerState:
        return self.server.app.state.studio

    def on_loop(self, coro: Any, timeout: float = 20) -> Any:
        """Run a coroutine on the server's event loop (to await a job from a test)."""
        return asyncio.run_coroutine_threadsafe(coro, self.state.scheduler.loop).result(timeout)

    def capture_jobs(self) -> tuple[list, threading.Semaphore]:
        """Record every job the server queues; the semaphore is released once per job."""
        sched = self.state.scheduler
        jobs: list = []
        queued = threading.Semaphore(0)
        submit = sched.submit

        def recording_submit(*args: Any, **kw: Any) -> Any:
            job = submit(*args, **kw)
            jobs.append(job)
            queued.release()
            return job

        sched.submit = recording_submit  # type: ignore[method-assign]
        return jobs, queued

    def speak(self, **body: Any) -> httpx.Response:
        """A whole WAV take unless the body says otherwise (the API's default is a streamed
        MP3: tests/server/test_openai_client.py covers the defaults)."""
        body.setdefault("input", "Hello there.")
        body.setdefault("voice", "Ryan")
        body.setdefault("response_format", "wav")
        body.setdefault("stream", False)
        return self.http.post("/v1/audio/speech", json=body)

    def close(self) -> None:
        self.http.close()
        self.server.stop()


@pytest.fixture
def serve(tiny_models_dir: Path) -> Iterator[Callable[..., Api]]:
    """``serve(**config)`` starts a server; all are stopped after the test."""
    started: list[Api] = []

    def start(**kw: Any) -> Api:
        kw.setdefault("max_seconds", MAX_SECONDS)
        kw.setdefault("idle_unload_s", None)
        kw.setdefault("streaming", STREAMING)
        pool = ModelPool(device="cpu", roots=[tiny_models_dir])
        pool.collect_garbage = False  # a full gc per server stop costs ~0.5 s here
        config = ServerConfig(port=0, pool=pool, **kw)
        api = Api(ServerThread(config).start())
        started.append(api)
        return api

    yield start
    for api in started:
        api.close()


@pytest.fixture
def api(serve: Callable[..., Api]) -> Api:
    return serve()


def wav_bytes(audio: np.ndarray, sr: int = 24000, fmt: str = "WAV") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, sr, format=fmt)
    return buf.getvalue()


def reference_clip(seconds: float = 4.0) -> bytes:
    return wav_bytes(voice_like(seconds))


def decode(data: bytes) -> tuple[np.ndarray, int]:
    audio, sr = sf.read(io.BytesIO(data), dtype="int16")
    return audio, sr


def written(home: Path) -> list[str]:
    """Every file under the user's previews and voices folders (what a request may write)."""
    out = []
    for sub in ("previews", "voices"):
        folder = home / sub
        if folder.exists():
            out += [str(p.relative_to(home)) for p in folder.rglob("*") if p.is_file()]
    return sorted(out)


def client_for(api: Api) -> Any:
    """OpenAI's official client pointed at the server, as a program written for OpenAI's
    API would be (no retries: a failure shows at once)."""
    from openai import OpenAI

    return OpenAI(base_url=f"{api.url}/v1", api_key="not-needed-on-loopback", max_retries=0,
                  timeout=60)


def error_of(r: httpx.Response, status: int) -> dict:
    """The OpenAI-shaped error of a response that must have ``status``."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["message"]
    return err
