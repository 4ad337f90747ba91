"""Handles for work that runs off the GUI thread: one object per request, heard only by
whoever started it.

Starting a take, a clone prompt, a transcription or a download returns a Job; its owner
connects to the job's signals, so no part of the window filters other parts' results.
Every job ends exactly once: ``finished`` with the result (a take stopped early is still a
result: what was made is kept), ``cancelled`` (stopped before there was anything to give)
or ``failed`` with a message for the user. The working thread reports through private
twins of these signals, each connected to its public one when the job is made; Qt queues
them to the job's own (the GUI) thread and the public signal fires there. So nothing is
lost when the work reports before its owner has connected: connecting any time before
the GUI thread next handles events is in time. ``cancel()`` sets the job's token at once,
from the GUI thread: a queued request would wait behind the running work.

A :class:`TakeJob` also carries the take's one growing :class:`Track`: the engine's thread
appends each decoded chunk to it and says so with ``chunk``; the player and the waveform
read the same track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from studio.audio.forecast import ProgressBox
from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.track import Track
from studio.engine.speak_request import SpeakRequest
from studio.engine.stream import CancelToken


@dataclass(frozen=True)
class Step:
    """How far a job is, in words a status line can show."""

    fraction: float
    message: str


class Job(QObject):
    progress = Signal(object)  # a Step, or a download's DownloadProgress
    finished = Signal(object)  # the result
    failed = Signal(str)  # what went wrong, for the user
    cancelled = Signal()  # stopped with nothing to give
    # the working thread's side of each: queued to the job's thread, then re-emitted there
    _progressed = Signal(object)
    _finished = Signal(object)
    _failed = Signal(str)
    _cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._progressed.connect(self.progress)
        self._finished.connect(self.finished)
        self._failed.connect(self.failed)
        self._cancelled.connect(self.cancelled)
        self.token = CancelToken()
        # how it ended, set on the working thread just before the end is reported
        self.outcome = ""  # "finished" | "cancelled" | "failed"
        self.message = ""  # why it failed
        self.remote_fault = False  # a server failed it; this computer might not (inference.py)

    def cancel(self) -> None:
        """Stop now if running, or skip it if still queued (any thread, not queued)."""
        self.token.cancel()

    @property
    def cancel_requested(self) -> bool:
        return self.token.cancelled

    # --- the working thread's side ------------------------------------------------------

    def report(self, fraction: float, message: str) -> None:
        self.report_progress(Step(float(fraction), str(message)))

    def report_progress(self, progress: object) -> None:
        self._progressed.emit(progress)

    def end_with(self, result: object) -> None:
        self._close("finished")
        self._finished.emit(result)

    def end_failed(self, message: str) -> None:
        self.message = message
        self._close("failed")
        self._failed.emit(message)

    def end_cancelled(self) -> None:
        self._close("cancelled")
        self._cancelled.emit()

    def _close(self, outcome: str) -> None:
        self.closing()
        self.outcome = outcome

    def closing(self) -> None:
        """What a kind of job must do before its end is reported (on the working thread)."""


class TakeJob(Job):
    """A take being generated. Its audio grows in ``track``, the one copy of it."""

    chunk = Signal(int, int)  # the frames just added to ``track``: [start, end)
    _grew = Signal(int, int)

    def __init__(self, request: SpeakRequest) -> None:
        super().__init__()
        self._grew.connect(self.chunk)
        self.request = request
        self.track = Track(SAMPLE_RATE * 30)
        self.progress = ProgressBox()  # how the take grows, when made in parallel segments

    def add_audio(self, audio: np.ndarray) -> None:
        """The engine's chunk callback (on the generating thread)."""
        start = self.track.length
        end = self.track.append(audio)
        self._grew.emit(start, end)

    def closing(self) -> None:
        self.track.end()  # the player plays out what is left
