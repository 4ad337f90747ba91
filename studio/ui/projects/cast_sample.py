"""A short sample of the voice chosen for a cast name: the first sentence that name speaks
in the script, made on the inference thread and played through the app's player as it is
made. One sample at a time; clicking again (or another sample) stops it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from studio.engine.options import Sampling
from studio.engine.speak_request import SpeakRequest
from studio.library.anyvoice import resolve
from studio.projects import cast, takes
from studio.ui.jobs import TakeJob

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage

SAMPLE_FRAMES = 100  # 8 s at 12.5 frames a second: a sentence, not a chapter


class CastSample(QObject):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__(page)
        self.page = page
        self.max_frames = SAMPLE_FRAMES
        self.job: TakeJob | None = None
        self.name: str | None = None  # whose sample is playing or being made
        page.cast.sample_requested.connect(self.toggle)
        page.ctx.playback.state_changed.connect(self._state)

    def request(self, name: str, voice: str) -> SpeakRequest:
        """The sample in ``voice``: a member's pinned reference when it has one (what its
        blocks are spoken from), else the voice as the library has it."""
        page = self.page
        project = page.project
        text = takes.sample_line(project, name)
        sampling = Sampling(max_frames=self.max_frames)
        member = project.member(name) if project is not None else None
        if project is not None and member is not None and member.voice == voice \
                and member.kept:
            return cast.request(project, member, text, "auto", "", page.ctx.library,
                                page.store.path(project), sampling)
        return resolve(voice, page.ctx.library, page.ctx.presets).request(
            text, page.ctx.library, sampling=sampling)

    def toggle(self, name: str, voice: str) -> TakeJob | None:
        """Play ``name``'s sample, or stop it when it is the one playing."""
        playing = self.name
        self.stop()
        if playing == name:
            return None
        if not voice:
            self.page.notice.show_message(f"Choose a voice for {name} first.", "info")
            return None
        request = self.page.attempt(lambda: self.request(name, voice))
        if request is None:
            return None
        self.name = name
        job = self.job = self.page.ctx.inference.speak(request)  # type: ignore[arg-type]
        job.failed.connect(lambda m: self._ended(job, m))
        job.cancelled.connect(lambda: self._ended(job))
        job.finished.connect(lambda _take: self._made(job))
        self.page.ctx.playback.stream(self, job.track)
        self.page.cast.show_playing(name)
        return job

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.page.ctx.playback.stop(self)
        self._ended(self.job)

    def _ended(self, job: TakeJob | None, message: str = "") -> None:
        if job is not self.job:
            return  # an earlier sample, already replaced
        self.job, self.name = None, None
        self.page.cast.show_playing(None)
        if message:
            self.page.notice.show_message(message, "error")

    def _made(self, job: TakeJob) -> None:
        playback = self.page.ctx.playback
        if playback.owner is not self or playback.state in ("idle", "finished"):
            self._ended(job)  # nothing plays it (no output device): the button comes back

    def _state(self, owner: object, state: str) -> None:
        if owner is self and state in ("idle", "finished") and (
                self.job is None or self.job.outcome):
            self._ended(self.job)
