"""Render buttons (missing or stale, the chapter, the selected blocks), a progress bar with
the time left, and cancel. Blocks turn done as the core writes each take: the render works
on the page's own LiveProject, so each step repaints two rows and reads nothing."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QWidget

from studio.humanize import human_duration
from studio.projects import lexicon, render, resume
from studio.projects.live import LiveProject
from studio.projects.render import RenderReport
from studio.projects.resume import Pending
from studio.ui.projects.render_bridge import (
    RenderJob,
    RenderOutcome,
    RenderUpdate,
    start_render,
)
from studio.ui.widgets.flow_layout import flow_in

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage


class RenderPanel(QWidget):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__()
        self.page = page
        self.job: RenderJob | None = None
        self.report: RenderReport | None = None  # the last render's
        self.ids: list[str] = []
        self.live: LiveProject | None = None  # the project being rendered
        self.max_seconds: float | None = None  # a cap on each take (tests, drafts)
        row = flow_in(self)  # wraps on a narrow window
        self.missing = self._button("Render missing or stale", self.render_missing)
        self.chapter = self._button("Render chapter", self.render_chapter)
        self.selected = self._button("Render selected", self.render_selected)
        self.stop = self._button("Cancel render", self.cancel)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Render progress")
        self.bar.setVisible(False)
        self.left = QLabel("")
        self.left.setAccessibleName("Time left")
        for w in (self.missing, self.chapter, self.selected, self.stop, self.bar, self.left):
            row.addWidget(w)
        self.update_buttons()

    def _button(self, label: str, slot: object) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(label)
        button.clicked.connect(slot)
        return button

    def running(self) -> bool:
        return self.job is not None

    def update_buttons(self) -> None:
        has = self.page.project is not None
        for b in (self.missing, self.chapter, self.selected):
            b.setEnabled(has and not self.running())
        self.stop.setEnabled(self.running())

    def render_missing(self) -> None:
        self._start(lambda p, e, lib: render.select(p, e, lib))

    def render_chapter(self) -> None:
        self._start(lambda p, e, lib: render.select(p, e, lib, chapter=self.page.chapter + 1))

    def render_selected(self) -> None:
        ids = self.page.selected_ids()
        self._start(lambda _p, _e, _lib: ids)

    def resume(self, note: Pending) -> None:
        """Render what an interrupted render left missing or stale (the project is open)."""
        if self.page.project is not None and not self._start(
                lambda p, e, lib: resume.still_to_do(p, note, e, lib)):
            resume.clear(self.page.store, note.project_id)

    def _start(self, choose: object) -> bool:
        """Start a render of what ``choose`` picks; False when there was nothing to do."""
        page = self.page
        if page.project is None or page.live is None or self.running():
            return True
        project = page.project
        shared = lexicon.load_shared()
        ids = page.attempt(lambda: choose(project, lexicon.merged(project.lexicon, shared),  # type: ignore[operator]
                                       page.ctx.library))
        if ids is None:
            return True
        if not ids:
            page.notice.show_message("Everything here is rendered and up to date.", "info")
            return False
        if page.attempt(lambda: render.check_cast(project, ids, page.ctx.library)) is None:
            return True
        self.ids = list(ids)
        self.live = page.live
        # what lives now (the models, the open project) lives on: a full collection walking
        # it all paused the window for up to a second mid-render
        gc.freeze()
        if page.offer.note is not None and page.offer.note.project_id == project.id:
            page.offer.hide()
        self.job = start_render(page.ctx.inference, page.store, page.live, self.ids,
                                page.ctx.library, shared, self.max_seconds)
        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(lambda: self._ended("The render was cancelled."))
        self.bar.setRange(0, len(self.ids))
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.left.setText("starting…")
        page.model.rendering = {self.ids[0]}
        page.model.refresh({self.ids[0]})
        self.update_buttons()
        return True

    def _progress(self, update: RenderUpdate) -> None:
        progress = update.progress
        self.bar.setValue(progress.done)
        eta = progress.eta_s
        self.left.setText(f"{progress.label} · {human_duration(eta)} left" if eta is not None
                          else progress.label)
        model = self.page.model
        if self.page.live is not self.live:
            return  # another project is on screen
        model.rendering = {update.current} if update.current else set()
        model.refresh({b for b in (update.finished, update.current) if b})

    def _finished(self, outcome: RenderOutcome) -> None:
        report = self.report = outcome.report
        what = f"{report.rendered} block(s) rendered"
        if report.cancelled:
            what = f"Render stopped; {report.rendered} finished block(s) are kept"
        if report.flagged:
            what += f"; {len(report.flagged)} flagged (F3 goes to the next)"
        if report.failed:
            what += "; " + "; ".join(report.failed[:3])
        self._ended(what + ".")

    def _failed(self, message: str) -> None:
        self._ended(message, "error")

    def _ended(self, message: str, kind: str = "info") -> None:
        self.job = None
        was = self.page.model.rendering
        self.page.model.rendering = set()
        self.bar.setVisible(False)
        self.left.setText("")
        if self.page.live is self.live:
            self.page.model.refresh(was)
        self.live = None
        self.update_buttons()
        self.page.notice.show_message(message, kind)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def interrupt(self) -> None:
        """The window closes: stop, and let the next start offer to resume."""
        if self.job is not None:
            self.job.interrupt()
