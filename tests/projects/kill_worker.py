"""The victim of the kill test: renders a project in a loop until it is SIGKILLed.

Its engine is a stand-in that makes a take's audio in microseconds (the fault injected here
is the kill; the storage, the render loop and the checks are the real ones), so the kills
land in every phase: between blocks, writing a take's audio, replacing project.json. When
nothing is left to render it edits a block, so there is always work.
"""

from __future__ import annotations

import random
import traceback
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np

from studio.engine.take import Take
from studio.projects import live, render
from studio.projects.store import ProjectStore


def fake_audio(seed: int) -> np.ndarray:
    n = 1920 * (3 + seed % 5)
    return (0.1 * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


class FakeStream:
    def __init__(self, request: Any) -> None:
        self.seed = request.sampling.seed
        self.audio = fake_audio(self.seed)

    def __iter__(self) -> Any:
        return iter(np.array_split(self.audio, 4))

    def cancel(self) -> None:
        pass

    def result(self) -> Take:
        return Take(self.audio, 24000, self.seed, model_name="fake")


class FakeEngine:
    def stream(self, request: Any) -> FakeStream:
        return FakeStream(request)

    def call(self, fn: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(None))
        return future


def run(home: Path, project_id: str, seed: int) -> None:
    try:
        _loop(home, project_id, seed)
    except BaseException:
        (home.parent / "worker-error.txt").write_text(traceback.format_exc())
        raise


def _loop(home: Path, project_id: str, seed: int) -> None:
    # every finished take saved at once, so the kills land in saves as often as in renders
    # (a take not saved yet is a file the next render sweeps and makes again)
    live.WAIT_S = 0.0
    rng = random.Random(seed)
    store = ProjectStore(home)
    while True:
        project = store.load(project_id)
        todo = render.select(project, [], None)
        if not todo:
            block = rng.choice([b for _c, b in project.blocks()])
            block.text += " Again."
            store.save(project)
            continue
        render.Renderer(store, project_id, FakeEngine()).run(todo)
