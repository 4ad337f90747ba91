"""Model downloads for the window: each one is a job on a thread of its own.

``download`` blocks, so it never runs on the GUI thread; its progress callback (already
throttled by ``progress_interval``) becomes the job's ``progress``. Pausing is not a
queued signal (it would wait behind the running download): the job's ``cancel()`` sets the
download's ``threading.Event`` directly and the transfer stops within about 0.1 s, keeping
what it has for a resume.

The manager outlives the Model manager dialog (closing it may leave downloads running in
the background) and says what happens to every download with its own signals, because
both the dialog and the window's notice bar follow them. ``shutdown`` pauses them all and
waits for the threads; it also runs when the application is about to quit.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from studio import hub
from studio.errors import StudioError
from studio.hub import DownloadProgress
from studio.hub.errors import ConnectionLost, HubUnreachable
from studio.ui.job_thread import JobThread
from studio.ui.jobs import Job

log = logging.getLogger(__name__)

DONE, CANCELLED, FAILED = "done", "cancelled", "failed"


def download_message(exc: BaseException) -> str:
    """What the Model manager says about a failed download, in a window user's words."""
    if isinstance(exc, HubUnreachable) and not isinstance(exc, ConnectionLost):
        return (f"Could not reach {exc.host}. Check your internet connection, or download "
                "the model on another computer, copy its folder here and click Use a folder "
                "I already have….")
    if isinstance(exc, StudioError):
        return str(exc)
    log.error("a download failed", exc_info=exc)  # a bug: the row must not be left stuck
    return f"The download stopped unexpectedly ({type(exc).__name__}: {exc})."


class DownloadJob(Job):
    """One model's download; its result is the model's folder."""

    def __init__(self, repo_id: str) -> None:
        super().__init__()
        self.repo_id = repo_id
        self.stop = threading.Event()  # what the download code watches

    def cancel(self) -> None:
        super().cancel()
        self.stop.set()


class DownloadManager(QObject):
    """The GUI-side owner of running downloads. Call every method from the GUI thread."""

    started = Signal(str)  # repo id
    progress = Signal(str, object)  # repo id, DownloadProgress
    ended = Signal(str, str, str)  # repo id, done|cancelled|failed, folder or message

    def __init__(self, models_dir: Path | None = None, interval: float = 0.2,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.models_dir = models_dir
        self.interval = interval
        self._running: dict[str, tuple[DownloadJob, JobThread]] = {}
        self._last: dict[str, DownloadProgress] = {}  # repo id -> latest progress
        self.errors: dict[str, str] = {}  # repo id -> why its last download failed
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self, repo_id: str) -> DownloadJob | None:
        """Start (or resume) ``repo_id``; None if it is already running."""
        if repo_id in self._running:
            return None
        self.errors.pop(repo_id, None)
        self._last.pop(repo_id, None)
        job = DownloadJob(repo_id)
        thread = JobThread(f"download {repo_id}", parent=self, explain=download_message)
        job.progress.connect(lambda p: self._on_progress(repo_id, p))
        job.finished.connect(lambda path: self._end(repo_id, DONE, str(path)))
        job.cancelled.connect(lambda: self._end(repo_id, CANCELLED, ""))
        job.failed.connect(lambda message: self._end(repo_id, FAILED, message))
        self._running[repo_id] = (job, thread)
        thread.submit(job, self._work)
        self.started.emit(repo_id)
        return job

    def cancel(self, repo_id: str) -> None:
        """Pause now (thread-safe, not queued); partial files stay for a resume."""
        running = self._running.get(repo_id)
        if running is not None:
            running[0].cancel()

    def is_running(self, repo_id: str) -> bool:
        return repo_id in self._running

    def running(self) -> list[str]:
        return list(self._running)

    def last_progress(self, repo_id: str) -> DownloadProgress | None:
        """The latest progress of a running download, or None."""
        return self._last.get(repo_id) if repo_id in self._running else None

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Pause every download and wait for the threads; True if all of them ended."""
        running = list(self._running.items())
        for _, (job, _thread) in running:
            job.cancel()
        ok = True
        for repo_id, (job, thread) in running:
            if not thread.shutdown(timeout_ms=timeout_ms):
                log.warning("download thread for %s did not stop in time", repo_id)
                ok = False
            elif repo_id in self._running:  # its end is still queued: report it now
                outcome = {"finished": DONE, "cancelled": CANCELLED}.get(job.outcome, FAILED)
                self._end(repo_id, outcome, job.message)
        return ok

    # --- the download's thread ------------------------------------------------------------

    def _work(self, job: DownloadJob) -> Path:
        return hub.download(job.repo_id, self.models_dir, progress=job.report_progress,
                           cancel=job.stop, progress_interval=self.interval)

    # --- reports, on the GUI thread ---------------------------------------------------------

    def _on_progress(self, repo_id: str, progress: DownloadProgress) -> None:
        if repo_id in self._running:
            self._last[repo_id] = progress
            self.progress.emit(repo_id, progress)

    def _end(self, repo_id: str, outcome: str, message: str) -> None:
        running = self._running.pop(repo_id, None)
        if running is None:  # already reported by shutdown()
            return
        running[1].shutdown()
        running[1].deleteLater()
        self._last.pop(repo_id, None)
        if outcome == FAILED:
            self.errors[repo_id] = message
        self.ended.emit(repo_id, outcome, message)
