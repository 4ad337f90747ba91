"""The remote engine against the real server on 127.0.0.1 (tests/server/conftest.py starts
it on the tiny models), and what a client of it needs."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from studio.engine.options import Sampling, Streaming
from studio.engine.speak_request import DESIGN, PRESET, SpeakRequest
from studio.remote.choice import OMNI, STUDIO, EngineChoice, server_for
from studio.remote.studio_server import StudioServer
from studio.remote.vllm_omni import VllmOmni
from tests.server.conftest import (  # noqa: F401 (fixtures, found by pytest by name)
    FRAMES,
    HELD,
    SAMPLES_PER_FRAME,
    Api,
    api,
    one_torch_thread,
    serve,
)

SAMPLES = FRAMES * SAMPLES_PER_FRAME


def preset(seed: int = 1, **kw: Any) -> SpeakRequest:
    return SpeakRequest("Hello there.", PRESET, speaker="ryan", sampling=Sampling(seed=seed),
                        streaming=Streaming(first_chunk=2), **kw)


def design(seed: int = 1) -> SpeakRequest:
    return SpeakRequest("Hello there.", DESIGN, instruct="A calm, low voice.",
                        sampling=Sampling(seed=seed), streaming=Streaming(first_chunk=2))


@pytest.fixture
def remote() -> Any:
    """``remote(api, **kw)``: a StudioServer client of a started server; all closed after."""
    made: list[StudioServer | VllmOmni] = []

    def make(server: Api, token: str = "", **kw: Any) -> StudioServer:
        backend = server_for(EngineChoice(STUDIO, server.url, token), **kw)
        assert isinstance(backend, StudioServer)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def omni() -> Any:
    """``omni(urls)``: a vLLM-Omni client with {kind: url}; closed after the test."""
    made: list[VllmOmni] = []

    def make(urls: dict[str, str], **kw: Any) -> VllmOmni:
        backend = server_for(EngineChoice(OMNI, omni_urls=tuple(urls.items())), **kw)
        assert isinstance(backend, VllmOmni)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


class Hold:
    """A chunk hook that holds the server's generation at its first chunk until the job is
    cancelled (or ``release``), and says whether the cancel came."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.ended = threading.Event()  # the hold is over: ``cancelled`` says how
        self.cancelled: list[bool] = []

    def __call__(self, job: Any, _chunk: Any) -> None:
        if self.reached.is_set():
            return
        self.reached.set()
        cancelled = False
        for _ in range(400):  # at most 20 s
            if job.cancel_token.wait(0.05):
                cancelled = True
                break
            if self.release.is_set():
                break
        self.cancelled.append(cancelled)
        self.ended.set()
