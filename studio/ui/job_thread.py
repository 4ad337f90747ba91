"""One QThread that runs jobs one at a time, in order: the helper behind the engine's
thread, the transcription thread and each download.

What only one thread may touch (a loaded model) lives on that thread and is used only from
the work functions submitted to it; the GUI gets a Job back (studio.ui.jobs) and never
waits. The thread starts on first use, so a helper nobody used costs nothing. An optional
housekeeping call (unloading a model that sat idle) runs on the same thread from a timer
that lives there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from studio.errors import Cancelled, StudioError
from studio.ui.jobs import Job

log = logging.getLogger(__name__)
J = TypeVar("J", bound=Job)


def user_message(exc: BaseException) -> str:
    """What the user is told about an error from a worker thread."""
    if isinstance(exc, StudioError):
        return str(exc)
    log.exception("unexpected error in a worker thread", exc_info=exc)
    return (f"Something went wrong inside the engine ({type(exc).__name__}: {exc}). "
            "Try again; if it keeps happening, restart the app.")


class ThreadWorker(QObject):
    """Lives on the thread; its slots run there."""

    def __init__(self, active: set[Job], lock: threading.Lock,
                 housekeeping: Callable[[], None] | None, every_s: float,
                 explain: Callable[[BaseException], str]) -> None:
        super().__init__()
        self._active, self._lock = active, lock
        self._explain = explain
        self._housekeeping = housekeeping
        self._every_ms = int(max(every_s, 0.05) * 1000)
        self.timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        if self._housekeeping is not None:
            self.timer = QTimer(self)
            self.timer.setInterval(self._every_ms)
            self.timer.timeout.connect(self._housekeeping)
            self.timer.start()

    @Slot(object, object)
    def run(self, job: Job, work: Callable[[Job], object]) -> None:
        try:
            if job.cancel_requested:  # stopped while queued
                job.end_cancelled()
                return
            result = work(job)
        except Cancelled:
            job.end_cancelled()
        except Exception as exc:  # everything reaches the owner as a message
            job.end_failed(self._explain(exc))
        else:
            job.end_with(result)
        finally:
            with self._lock:
                self._active.discard(job)

    @Slot(object)
    def call(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # housekeeping must not end the thread
            log.exception("a call on the %s thread failed", QThread.currentThread().objectName())

    @Slot()
    def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        QThread.currentThread().quit()


class JobThread(QObject):
    """The GUI side: submit, cancel, shut down. Call every method from the GUI thread."""

    _run = Signal(object, object)
    _call = Signal(object)
    _stop = Signal()

    def __init__(self, name: str, housekeeping: Callable[[], None] | None = None,
                 every_s: float = 0.0, parent: QObject | None = None,
                 explain: Callable[[BaseException], str] = user_message) -> None:
        super().__init__(parent)
        self._active: set[Job] = set()
        self._lock = threading.Lock()
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.worker = ThreadWorker(self._active, self._lock, housekeeping, every_s, explain)
        self.worker.moveToThread(self.thread)
        self._run.connect(self.worker.run)
        self._call.connect(self.worker.call)
        self._stop.connect(self.worker.stop)
        self.thread.started.connect(self.worker.start)

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def start(self) -> None:
        """Start the thread now rather than on first use."""
        if not self.thread.isRunning():
            self.thread.start()

    def submit(self, job: J, work: Callable[[J], object]) -> J:
        """Run ``work(job)`` on the thread after what is queued; its return value is the
        job's result, a Cancelled error cancels it, any other error fails it with the
        message ``explain`` gives."""
        self.start()
        with self._lock:
            self._active.add(job)
        self._run.emit(job, work)
        return job

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` on the thread, in order with the jobs."""
        self.start()
        self._call.emit(fn)

    def cancel_all(self) -> None:
        with self._lock:
            jobs = list(self._active)
        for job in jobs:
            job.cancel()

    def shutdown(self, last: Callable[[], None] | None = None, timeout_ms: int = 30000) -> bool:
        """Cancel every job, run ``last`` on the thread, end it; True if it ended."""
        if not self.thread.isRunning():
            return True
        self.cancel_all()
        if last is not None:
            self._call.emit(last)
        self._stop.emit()
        return self.thread.wait(timeout_ms)
