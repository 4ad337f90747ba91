"""The engine for the window: every loaded model lives on the inference thread, and the GUI
never calls a model.

Takes run on this computer or on a server (Settings > Engine): the client holds one
Backend (studio.engine.backend) and the pages never know which. A job keeps the backend it
was started on; switching lets a running take end where it began. When a server fails a
take (unreachable, wrong token, too slow, the stream dropped) the job says so as usual,
keeping what arrived, and ``remote_trouble`` then lets the window offer this computer.

A take or a clone prompt is a job (studio.ui.jobs) run on that thread, one at a time, in
order; whoever asked holds the job and hears how it goes. What concerns the whole window
rather than one request (a model loading or loaded, the engine ready, busy or idle,
models unloaded, a failed warm-up) is said by this client's own signals. Garbage is
collected on the GUI thread after an unload (the window does it), never here: it could
finalise Qt objects that belong to the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from studio.engine import batch_requests
from studio.engine import speak_request as requests
from studio.engine.backend import Backend, LocalBackend
from studio.engine.errors import ModelNotFound
from studio.engine.pool import ModelPool
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import PromptRequest, SpeakRequest
from studio.engine.stream import CancelToken
from studio.engine.take import INTERRUPTED, Take
from studio.errors import StudioError
from studio.remote.errors import RemoteError
from studio.ui.job_thread import JobThread, user_message
from studio.ui.jobs import Job, TakeJob
from studio.ui.model_help import window_error

J = TypeVar("J", bound=Job)
R = TypeVar("R")


class _Either:
    """A row's cancel: its own job's, or the whole batch's (the window closing)."""

    def __init__(self, *tokens: CancelToken) -> None:
        self.tokens = tokens

    @property
    def cancelled(self) -> bool:
        return any(t.cancelled for t in self.tokens)


class _BatchJob(Job):
    """The job the inference thread runs for a batch; its takes' jobs are what callers see.
    However it ends, every take's job has ended by then (failed or cancelled with it)."""

    def __init__(self, jobs: list[TakeJob]) -> None:
        super().__init__()
        self.takes = jobs

    def end_failed(self, message: str) -> None:
        for job in self.takes:
            if not job.outcome:
                job.end_failed(message)
        super().end_failed(message)

    def end_cancelled(self) -> None:
        for job in self.takes:
            if not job.outcome:
                job.end_cancelled()
        super().end_cancelled()


class InferenceClient(QObject):
    loading = Signal(str, float, str)  # kind, fraction, message
    model_ready = Signal(object)  # the loaded model's ModelInfo
    engine_ready = Signal(str)  # device label, once torch/qwen-tts are imported
    busy = Signal(str)  # what is running, "" when idle
    unloaded = Signal()
    failed = Signal(str)  # trouble no request owns (warm-up, preload)
    engine_changed = Signal(str)  # where takes are made now: a server, or this device's label
    remote_trouble = Signal(str)  # a server failed a take: what happened (after the page knows)

    def __init__(self, pool: ModelPool, idle_unload_s: float = 0.0,
                 parent: QObject | None = None, backend: Backend | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.backend: Backend = backend or LocalBackend(pool)
        self._idle_s = idle_unload_s
        housekeeping = self._unload_idle if idle_unload_s > 0 else None
        self.jobs = JobThread("inference", housekeeping, max(idle_unload_s / 4, 1.0), self)
        self.jobs.start()

    @property
    def thread(self) -> QThread:
        return self.jobs.thread

    # --- requests (each returns the job its caller listens to) -------------------------------

    def speak(self, request: SpeakRequest) -> TakeJob:
        """Generate a take; its chunks grow ``job.track`` while it is made."""
        backend = self.backend

        def work(job: TakeJob) -> Take:
            speak = requests.with_kept_voice(request)  # kept since the request was made?
            if not backend.remote:
                self._local_model(speak)
            with self._faults(job):
                return backend.speak(speak, on_chunk=job.add_audio, cancel=job.token,
                                     progress=job.progress)

        job = TakeJob(request)
        if backend.remote:
            self._watch(job)
        return self.jobs.submit(job, self._busy(self._doing("Generating", backend), work))

    def speak_batch(self, batch: list[SpeakRequest]) -> list[TakeJob]:
        """Generate several takes together, as rows of one batch (they must share a
        ``batch_requests.batch_key``); each has its own job, ended on its own, and stopping
        one stops only its row. A server makes them one after another."""
        if self.backend.remote:
            return [self.speak(request) for request in batch]
        jobs = [TakeJob(request) for request in batch]
        group = _BatchJob(jobs)

        def work(_group: _BatchJob) -> None:
            self._local_model(batch[0])
            results = batch_requests.run_batch(self.pool, batch, [j.add_audio for j in jobs],
                                         [_Either(j.token, group.token) for j in jobs])
            for job, result in zip(jobs, results, strict=True):
                if isinstance(result, BaseException):
                    job.end_failed(user_message(result))
                else:
                    job.end_with(result)

        self.jobs.submit(group, self._busy("Generating", work))
        return jobs

    def _local_model(self, speak: SpeakRequest) -> None:
        """Load the model a local take needs (on the engine's thread), saying so."""
        need = bool(speak.instruct and speak.mode == requests.PRESET)
        try:
            model = self.pool.get(speak.kind, speak.model, need,
                                  progress=self._progress(speak.kind), speed=speak.speed)
        except ModelNotFound as exc:
            raise window_error(exc, speak.kind) from exc
        self.model_ready.emit(model.info)

    def make_prompt(self, request: PromptRequest) -> Job:
        """Build a clone prompt (a VoicePrompt) from a reference clip."""
        backend = self.backend

        def work(job: Job) -> VoicePrompt:
            if not backend.remote:
                try:
                    self.pool.get("base", request.model, progress=self._progress("base"))
                except ModelNotFound as exc:
                    raise window_error(exc, "base") from exc
            with self._faults(job):
                return backend.make_prompt(request)

        job = Job()
        if backend.remote:
            self._watch(job)
        return self.jobs.submit(job, self._busy(self._doing("Analysing the voice", backend),
                                                work))

    def unavailable(self, kind: str) -> str | None:
        """Why the engine in use cannot make takes of ``kind`` (or ``prompt``: turn a clip
        into a voice), in a sentence; None when it can. Never waits for the network."""
        return self.backend.unavailable(kind)

    # --- which engine ---------------------------------------------------------------------

    def use_backend(self, backend: Backend) -> None:
        """Make the next takes on ``backend``. A server is asked what it offers on the
        engine's thread; the old backend closes after the jobs already queued on it."""
        old, self.backend = self.backend, backend
        probe = getattr(backend, "probe", None)

        def work() -> None:
            if old is not backend:
                old.close()
            if probe is not None:
                try:
                    probe()
                except StudioError as exc:  # the takes will say it again, with what to do
                    self.failed.emit(f"{backend.label}: {exc}")
            self.engine_changed.emit(self._where())

        self.jobs.call(work)

    def _doing(self, what: str, backend: Backend) -> str:
        return f"{what} on the {backend.label}" if backend.remote else what

    @staticmethod
    @contextmanager
    def _faults(job: Job) -> Iterator[None]:
        """Mark a job whose server failed in a way this computer may not (on its thread,
        before the job reports)."""
        try:
            yield
        except RemoteError as exc:
            job.remote_fault = exc.switchable
            raise

    def _watch(self, job: Job) -> None:
        """A remote job that fails, or a take cut off, tells the window after its owner."""
        job.failed.connect(lambda message: job.remote_fault and self._trouble(message))
        if isinstance(job, TakeJob):
            job.finished.connect(lambda take: take.stop_reason == INTERRUPTED
                                 and self._trouble(take.message or ""))

    def _trouble(self, message: str) -> None:
        QTimer.singleShot(0, self, lambda: self.remote_trouble.emit(message))

    # --- the engine as a whole ----------------------------------------------------------------

    def warm_up(self) -> None:
        """Import the heavy libraries in the background so the first take starts sooner.

        Asked for by the window once it is on screen: importing torch holds the GIL for
        seconds, which would otherwise slow the window's first paint."""

        self.jobs.call(self._reported("Starting the engine",
                                      lambda: self.engine_ready.emit(self._where())))

    def preload(self, kind: str, prefer: str = "") -> None:
        def work() -> None:
            model = self.pool.get(kind, prefer or None, progress=self._progress(kind))
            self.model_ready.emit(model.info)

        self.jobs.call(self._reported(f"Loading the {kind.replace('_', ' ')} model", work))

    def set_device(self, device: str, dtype: str) -> None:
        def work() -> None:
            self.pool.set_device(device, None if dtype == "auto" else dtype)
            self.unloaded.emit()

        self.jobs.call(work)

    def unload(self) -> None:
        def work() -> None:
            self.pool.unload()
            self.unloaded.emit()

        self.jobs.call(work)

    def cancel_all(self) -> None:
        self.jobs.cancel_all()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything, let the thread unload the models and end; True if it ended."""

        def last() -> None:
            self.backend.close()
            self.pool.unload()

        ended = self.jobs.shutdown(last, timeout_ms)
        if not self.jobs.running:  # never started: nothing ran last()
            self.backend.close()
        return ended

    # --- on the inference thread --------------------------------------------------------------

    def _where(self) -> str:
        """Where takes are made, for the status bar; on this computer, once torch is in
        (a server's takes never import it)."""
        if self.backend.remote:
            return self.backend.label
        from studio.engine.compat import import_qwen_tts

        import_qwen_tts()
        return self.pool.device.label

    def _unload_idle(self) -> None:
        if self.pool.unload_idle(self._idle_s):
            self.unloaded.emit()

    def _progress(self, kind: str) -> Callable[[float, str], None]:
        return lambda fraction, message: self.loading.emit(kind, float(fraction), str(message))

    def _busy(self, what: str, work: Callable[[J], R]) -> Callable[[J], R]:
        """``work`` with the status bar saying ``what`` while it runs."""

        def run(job: J) -> R:
            self.busy.emit(what)
            try:
                return work(job)
            finally:
                self.busy.emit("")

        return run

    def _reported(self, what: str, work: Callable[[], None]) -> Callable[[], None]:
        """``work`` saying ``what`` while it runs; an error is shown, not raised."""

        def run() -> None:
            self.busy.emit(what)
            try:
                work()
            except Exception as exc:  # shown to the user; the app stays usable
                self.failed.emit(user_message(exc))
            finally:
                self.busy.emit("")

        return run
