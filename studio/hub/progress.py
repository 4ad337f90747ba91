"""Progress reports: byte counts turned into throttled callbacks with speed and ETA.

Throttled here, in the downloading thread, so a fast connection never floods the GUI's
event queue; state changes always come through.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from studio.hub.plan import DownloadPlan, PlannedFile
from studio.humanize import human_bytes, human_duration

_SPEED_WINDOW_S = 5.0

# states of DownloadProgress.state
CHECKING = "checking"  # listing the repo, checking what is already on disk
DOWNLOADING = "downloading"
VERIFYING = "verifying"  # hashing a partial file before resuming it
FINISHING = "finishing"  # moving the complete folder into place
DONE = "done"
CANCELLED = "cancelled"
FAILED = "failed"


@dataclass(frozen=True)
class DownloadProgress:
    """One progress report. ``eta_s`` is None until a speed is known."""

    repo_id: str
    state: str
    file: str | None  # the file being fetched (repo path), if any
    done_bytes: int
    total_bytes: int
    speed_bps: float
    eta_s: float | None
    file_done: int = 0
    file_total: int = 0
    files_done: int = 0
    files_total: int = 0

    @property
    def fraction(self) -> float:
        return self.done_bytes / self.total_bytes if self.total_bytes else 0.0

    def describe(self) -> str:
        """One line for a status bar or a terminal."""
        head = {CHECKING: "Checking", DOWNLOADING: "Downloading", VERIFYING: "Verifying",
                FINISHING: "Finishing", DONE: "Downloaded", CANCELLED: "Paused",
                FAILED: "Failed"}.get(self.state, self.state)
        if not self.total_bytes:
            return f"{head} {self.repo_id}"
        text = (f"{head} {self.repo_id}: {human_bytes(self.done_bytes)} of "
                f"{human_bytes(self.total_bytes)} ({100 * self.fraction:.0f}%)")
        if self.state == DOWNLOADING and self.speed_bps > 0:
            text += f", {human_bytes(self.speed_bps)}/s"
            if self.eta_s is not None:
                text += f", {human_duration(self.eta_s)} left"
        return text


ProgressCallback = Callable[[DownloadProgress], None]


class ProgressReporter:
    """Turns byte counts into throttled DownloadProgress calls with speed and ETA."""

    def __init__(self, repo_id: str, callback: ProgressCallback | None, interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.repo_id = repo_id
        self.callback = callback
        self.interval = interval
        self.clock = clock
        self.state = CHECKING
        self.total = 0
        self.done = 0
        self.file: str | None = None
        self.file_done = 0
        self.file_total = 0
        self.files_done = 0
        self.files_total = 0
        self._received = 0  # bytes fetched by this call (for the speed)
        self._samples: deque[tuple[float, int]] = deque()
        self._last_emit = -1e9
        self._finished = False

    def start(self, pl: DownloadPlan) -> None:
        self.total = pl.total_bytes
        self.done = pl.have_bytes
        self.files_total = len(pl.files)
        self.files_done = 0

    def set_file(self, f: PlannedFile, offset: int, state: str = DOWNLOADING) -> None:
        self.file, self.file_done, self.file_total = f.path, offset, f.size
        self.emit(state)

    def file_complete(self, f: PlannedFile) -> None:
        self.files_done += 1
        self.file_done = self.file_total = f.size
        self.emit(DOWNLOADING)

    def advance(self, n: int) -> None:
        self.done += n
        self.file_done += n
        self._received += n
        self.emit(DOWNLOADING)

    def rewind(self) -> None:
        """The current file's bytes on disk were discarded: take them off the count."""
        self.done = max(0, self.done - self.file_done)
        self.file_done = 0

    def tick(self) -> None:
        self.emit(self.state)

    def speed(self, now: float) -> float:
        self._samples.append((now, self._received))
        while len(self._samples) > 2 and now - self._samples[0][0] > _SPEED_WINDOW_S:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        return (self._received - b0) / (now - t0) if now - t0 >= 0.2 else 0.0

    def emit(self, state: str, force: bool = False) -> None:
        changed = state != self.state and state in (CHECKING, FINISHING, DONE, CANCELLED, FAILED)
        self.state = state
        if self.callback is None or self._finished:
            return
        now = self.clock()
        if not (force or changed) and now - self._last_emit < self.interval:
            return
        self._last_emit = now
        speed = self.speed(now)
        remaining = max(0, self.total - self.done)
        eta = remaining / speed if speed > 0 else (0.0 if remaining == 0 and self.total else None)
        self.callback(DownloadProgress(
            self.repo_id, state, self.file, self.done, self.total, speed, eta,
            self.file_done, self.file_total, self.files_done, self.files_total))

    def finish(self, state: str, total: int | None = None) -> None:
        if self._finished:
            return
        if total is not None:
            self.total = self.done = total
            self.files_done = self.files_total
        if state == DONE:
            self.done = self.total
            self.file = None
        self.emit(state, force=True)
        self._finished = True
