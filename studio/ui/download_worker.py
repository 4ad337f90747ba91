"""Model downloads for the window: each one runs on its own QThread, progress comes back as signals.

``studio.hub.download`` blocks, so it never runs on the GUI thread. Its progress
callback is called on the downloading thread; the worker re-emits it as a queued Qt signal
(already throttled by ``progress_interval``). Pausing is not a queued signal (it would wait
behind the running download): :meth:`DownloadManager.cancel` sets the worker's
``threading.Event`` directly and the transfer stops within about 0.1 s, keeping what it has.

One :class:`DownloadManager` per :class:`~studio.ui.context.AppContext` (see
:func:`download_manager`), so downloads outlive the Model manager dialog: closing it may leave
them running in the background. :func:`shutdown_downloads` pauses them all and waits for the
threads; it also runs when the application is about to quit.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from studio import hub
from studio.errors import StudioError

log = logging.getLogger(__name__)

DONE, CANCELLED, FAILED = "done", "cancelled", "failed"


class DownloadWorker(QObject):
    """Lives on its download thread; :meth:`run` does the whole download, then quits it."""

    progress = Signal(str, object)  # repo id, DownloadProgress
    ended = Signal(str)  # repo id; the thread is quitting, outcome and message are set

    def __init__(self, repo_id: str, models_dir: Path | None = None,
                 interval: float = 0.2) -> None:
        super().__init__()
        self.repo_id = repo_id
        self.models_dir = models_dir
        self.interval = interval
        self.cancel_event = threading.Event()
        self.outcome = ""  # done | cancelled | failed, set before the thread ends
        self.message = ""  # the folder when done, what went wrong when failed

    @Slot()
    def run(self) -> None:
        try:
            path = hub.download(self.repo_id, self.models_dir,
                                progress=lambda p: self.progress.emit(self.repo_id, p),
                                cancel=self.cancel_event, progress_interval=self.interval)
            self.outcome, self.message = DONE, str(path)
        except hub.DownloadCancelled:
            self.outcome, self.message = CANCELLED, ""
        except StudioError as exc:
            self.outcome, self.message = FAILED, str(exc)
        except Exception as exc:  # a bug must not leave the thread running or the row stuck
            log.exception("download of %s failed", self.repo_id)
            self.outcome = FAILED
            self.message = f"The download stopped unexpectedly ({type(exc).__name__}: {exc})."
        finally:
            QThread.currentThread().quit()
            self.ended.emit(self.repo_id)


@dataclass
class _Job:
    thread: QThread
    worker: DownloadWorker


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
        self._jobs: dict[str, _Job] = {}
        self._last: dict[str, Any] = {}  # repo id -> latest DownloadProgress
        self.errors: dict[str, str] = {}  # repo id -> why its last download failed
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self, repo_id: str) -> bool:
        """Start (or resume) ``repo_id``; False if it is already running."""
        if repo_id in self._jobs:
            return False
        self.errors.pop(repo_id, None)
        self._last.pop(repo_id, None)
        worker = DownloadWorker(repo_id, self.models_dir, self.interval)
        thread = QThread()
        thread.setObjectName(f"download {repo_id}")
        worker.moveToThread(thread)
        worker.progress.connect(self._on_progress)
        thread.started.connect(worker.run)
        worker.ended.connect(self._on_ended)
        self._jobs[repo_id] = _Job(thread, worker)
        thread.start()
        self.started.emit(repo_id)
        return True

    def cancel(self, repo_id: str) -> None:
        """Pause now (thread-safe, not queued); partial files stay for a resume."""
        job = self._jobs.get(repo_id)
        if job is not None:
            job.worker.cancel_event.set()

    def is_running(self, repo_id: str) -> bool:
        return repo_id in self._jobs

    def running(self) -> list[str]:
        return list(self._jobs)

    def last_progress(self, repo_id: str) -> Any:
        """The latest DownloadProgress of a running download, or None."""
        return self._last.get(repo_id) if repo_id in self._jobs else None

    @Slot(str, object)
    def _on_progress(self, repo_id: str, progress: Any) -> None:
        if repo_id in self._jobs:
            self._last[repo_id] = progress
            self.progress.emit(repo_id, progress)

    @Slot(str)
    def _on_ended(self, repo_id: str) -> None:
        job = self._jobs.pop(repo_id, None)
        if job is None:  # already reaped by shutdown()
            return
        self._reap(repo_id, job)

    def _reap(self, repo_id: str, job: _Job) -> None:
        job.thread.wait()
        self._last.pop(repo_id, None)
        outcome, message = job.worker.outcome or FAILED, job.worker.message
        if outcome == FAILED:
            self.errors[repo_id] = message
        self.ended.emit(repo_id, outcome, message)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Pause every download and wait for the threads; True if all of them ended."""
        jobs = list(self._jobs.items())
        for _, job in jobs:
            job.worker.cancel_event.set()
        ok = True
        for repo_id, job in jobs:
            if not job.thread.wait(timeout_ms):
                log.warning("download thread for %s did not stop in time", repo_id)
                ok = False
                continue
            if self._jobs.pop(repo_id, None) is not None:
                self._reap(repo_id, job)
        return ok


_ATTR = "_download_manager"


def download_manager(ctx: Any) -> DownloadManager:
    """The context's one DownloadManager, created on first use (it outlives dialogs)."""
    manager = getattr(ctx, _ATTR, None)
    if manager is None:
        manager = DownloadManager()
        setattr(ctx, _ATTR, manager)
    return manager


def shutdown_downloads(ctx: Any, timeout_ms: int = 10000) -> bool:
    """Pause the context's downloads (resumable) and wait for their threads."""
    manager = getattr(ctx, _ATTR, None)
    return True if manager is None else manager.shutdown(timeout_ms)
