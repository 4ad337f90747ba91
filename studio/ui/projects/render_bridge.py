"""A project render as a job on the inference thread.

The core's Renderer asks an engine for ``stream(request)`` and ``call(fn)``. Its work runs
as one job on the inference thread, where the models live, so this engine answers both
directly there: no second thread, and the window's takes and the render queue one after
the other. Takes go through the inference client's Backend, so a render runs wherever
Settings > Engine says (this computer or a server), as the pages' takes do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.engine import speak_request as requests
from studio.engine.backend import Backend
from studio.engine.pool import ModelPool
from studio.engine.speak_request import SpeakRequest
from studio.engine.stream import CancelToken
from studio.engine.take import Take
from studio.projects.live import LiveProject
from studio.projects.render import Progress, Renderer, RenderReport
from studio.projects.store import ProjectStore
from studio.ui.jobs import Job


class InlineStream:
    """One take made when it is iterated, on the calling (inference) thread."""

    def __init__(self, backend: Backend, request: SpeakRequest) -> None:
        self.backend, self.request = backend, request
        self.token = CancelToken()
        self.take: Take | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.take is None:
            self.take = self.backend.speak(requests.with_kept_voice(self.request),
                                           cancel=self.token)
        return iter(())

    def cancel(self) -> None:
        self.token.cancel()

    def result(self) -> Take:
        if self.take is None:
            iter(self)
        assert self.take is not None
        return self.take


class InlineEngine:
    def __init__(self, backend: Backend, pool: ModelPool) -> None:
        self.backend, self.pool = backend, pool

    def stream(self, request: SpeakRequest) -> InlineStream:
        return InlineStream(self.backend, request)

    def call(self, fn: Callable[[ModelPool], Any]) -> Future:
        done: Future = Future()
        try:
            done.set_result(fn(self.pool))
        except Exception as exc:  # handed to whoever reads the result, as a thread would
            done.set_exception(exc)
        return done


@dataclass(frozen=True)
class RenderUpdate:
    """A render's step. The render changes the window's own LiveProject in memory, so the
    page repaints the rows of ``finished`` and ``current`` and reads nothing from disk."""

    progress: Progress
    finished: str | None  # the block finished just before this step
    current: str | None  # the block being rendered now


@dataclass(frozen=True)
class RenderOutcome:
    report: RenderReport


class RenderJob(Job):
    """A render; ``progress`` carries RenderUpdates, ``finished`` a RenderOutcome (also when
    cancelled: what was finished is kept)."""

    def __init__(self, renderer: Renderer) -> None:
        super().__init__()
        self.renderer = renderer

    def cancel(self) -> None:
        self.renderer.cancel()
        super().cancel()

    def interrupt(self) -> None:
        """Stop because the window closes: the next start offers to resume."""
        self.renderer.interrupt()
        super().cancel()


def start_render(inference: Any, store: ProjectStore, live: LiveProject, block_ids: list[str],
                 library: Any, shared: list, max_seconds: float | None = None) -> RenderJob:
    """Queue a render of ``block_ids`` of ``live`` (the page's open project) on ``inference``
    (an InferenceClient)."""
    job_box: list[RenderJob] = []
    ids = list(block_ids)
    previous: list[str | None] = [None]

    def on_progress(progress: Progress) -> None:
        job_box[0].report_progress(RenderUpdate(progress, previous[0], progress.block_id))
        previous[0] = progress.block_id

    engine = InlineEngine(inference.backend, inference.pool)
    renderer = Renderer(store, live.id, engine, library, None,
                        shared, on_progress, max_seconds=max_seconds, live=live)
    job = RenderJob(renderer)
    job_box.append(job)

    def work(_job: RenderJob) -> RenderOutcome:
        return RenderOutcome(renderer.run(ids))

    return inference.jobs.submit(job, work)
