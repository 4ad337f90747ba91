"""Jobs and the thread that runs them: every job ends exactly once, reports made before its
owner connected are not lost, cancel() takes effect without queueing, and a take's audio
grows in one track. Real threads; the work functions stand in for the engine."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from studio.engine.speak_request import PRESET, SpeakRequest
from studio.errors import Cancelled, StudioError
from studio.ui.job_thread import JobThread
from studio.ui.jobs import Job, Step, TakeJob


@pytest.fixture
def jobs(qtbot):
    thread = JobThread("test jobs")
    yield thread
    assert thread.shutdown(timeout_ms=5000)


def test_a_report_made_before_the_owner_connects_still_arrives(qtbot, jobs) -> None:
    ran = threading.Event()

    def work(job: Job) -> str:
        job.report(0.5, "halfway")
        ran.set()
        return "done"

    job = jobs.submit(Job(), work)
    assert ran.wait(5.0) and job.outcome == "finished"  # all reported; nobody listened yet
    steps: list[Step] = []
    job.progress.connect(steps.append)
    with qtbot.waitSignal(job.finished, timeout=5000) as done:
        pass
    assert done.args == ["done"] and steps == [Step(0.5, "halfway")]


def no_model(_job: Job) -> None:
    raise StudioError("No model.")


def stopped(_job: Job) -> None:
    raise Cancelled()


@pytest.mark.parametrize(("work", "outcome", "signal"), [
    (lambda job: 42, "finished", "finished"),
    (no_model, "failed", "failed"),
    (stopped, "cancelled", "cancelled"),
])
def test_every_job_ends_once(qtbot, jobs, work, outcome, signal) -> None:
    job = Job()
    ends: list[str] = []
    for name in ("finished", "failed", "cancelled"):
        getattr(job, name).connect(lambda *_a, n=name: ends.append(n))
    with qtbot.waitSignal(getattr(job, signal), timeout=5000):
        jobs.submit(job, work)
    assert ends == [signal] and job.outcome == outcome
    if outcome == "failed":
        assert job.message == "No model."


def test_cancel_before_it_runs_skips_the_work(qtbot, jobs) -> None:
    gate, ran = threading.Event(), []
    first = jobs.submit(Job(), lambda job: gate.wait(5.0))
    second = Job()
    second.cancelled.connect(lambda: ran.append("cancelled"))
    jobs.submit(second, lambda job: ran.append("work"))
    second.cancel()  # from the GUI thread, while the first one still runs
    gate.set()
    qtbot.waitUntil(lambda: ran == ["cancelled"], timeout=5000)
    assert first.outcome == "finished"


def test_cancel_reaches_the_running_work_at_once(qtbot, jobs) -> None:
    started = threading.Event()

    def work(job: Job) -> str:
        started.set()
        while not job.cancel_requested:  # what the engine checks between steps
            threading.Event().wait(0.001)
        raise Cancelled()

    job = jobs.submit(Job(), work)
    assert started.wait(5.0)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.cancel()


def test_a_take_grows_in_its_one_track_and_ends_with_the_job(qtbot, jobs) -> None:
    chunks = [np.full(480, i, np.float32) for i in range(1, 4)]

    def work(job: TakeJob) -> str:
        for chunk in chunks:
            job.add_audio(chunk)  # the engine's chunk callback, on the generating thread
        return "take"

    job = TakeJob(SpeakRequest("Hello.", PRESET))
    spans: list[tuple[int, int]] = []
    job.chunk.connect(lambda start, end: spans.append((start, end)))
    with qtbot.waitSignal(job.finished, timeout=5000):
        jobs.submit(job, work)
    assert spans == [(0, 480), (480, 960), (960, 1440)]
    assert job.track.ended and np.array_equal(job.track.audio(), np.concatenate(chunks))


def test_shutdown_runs_the_last_call_on_the_thread_and_ends_it(qtbot) -> None:
    thread = JobThread("test shutdown")
    where: list[str] = []
    thread.submit(Job(), lambda job: None)
    assert thread.shutdown(lambda: where.append(threading.current_thread().name),
                           timeout_ms=5000)
    assert where and where[0] != threading.main_thread().name
    assert not thread.running
