"""Speech requests waiting for the same model start together as one batch: each streams to
its own client, ends with its own take, is cancelled alone, keeps its own seed."""

from __future__ import annotations

import threading
import time

import httpx
import numpy as np

from tests.server.conftest import FRAMES, HELD, SAMPLES_PER_FRAME, decode
from tests.server.test_queue import Gate


def _held_first(api, gate: Gate) -> threading.Thread:  # noqa: ANN001
    """A first request that holds the engine (on its first chunk) while others queue."""
    first = threading.Thread(target=lambda: api.speak(seed=100, input="Hold on."))
    first.start()
    assert gate.reached.wait(20)
    return first


def _queue(api, queued: threading.Semaphore, bodies: list[dict]) -> list[threading.Thread]:  # noqa: ANN001
    answers: dict[int, httpx.Response] = {}
    threads = []
    for i, body in enumerate(bodies):
        t = threading.Thread(target=lambda i=i, b=body: answers.__setitem__(i, api.speak(**b)))
        t.start()
        threads.append(t)
        assert queued.acquire(timeout=20)  # in the queue, in this order
    threads.append(answers)  # type: ignore[arg-type]
    return threads


def test_waiting_requests_start_together_and_each_gets_its_own_take(serve):
    gate = Gate()
    firsts: dict[int, float] = {}

    def hook(job, chunk) -> None:  # noqa: ANN001
        firsts.setdefault(job.id, time.monotonic())
        gate(job, chunk)

    api = serve(chunk_hook=hook, streaming=HELD, queue_size=8)
    jobs, queued = api.capture_jobs()
    first = _held_first(api, gate)
    assert queued.acquire(timeout=20)
    bodies = [dict(seed=1, input="One, two."), dict(seed=2, max_seconds=0.24),
              dict(seed=3, voice="Vivian", language="English", response_format="pcm"),
              dict(seed=4, input="A longer text than the others.")]
    *threads, answers = _queue(api, queued, bodies)
    gate.release.set()
    first.join(30)
    for t in threads:
        t.join(60)
    batch = jobs[1:]
    assert len({j.started for j in batch}) == 1  # one batch, started at once
    assert all(j.started >= jobs[0].finished for j in batch)
    for i, body in enumerate(bodies):
        r = answers[i]
        assert r.status_code == 200, r.text
        assert r.headers["x-seed"] == str(body["seed"])
        frames = round(body.get("max_seconds", FRAMES / 12.5) * 12.5)
        data = r.content if body.get("response_format") == "pcm" else r.content[44:]
        assert len(data) == 2 * frames * SAMPLES_PER_FRAME, i
    # every client heard its first audio before any take of the batch was complete
    assert max(firsts[j.id] for j in batch) < min(j.finished for j in batch)
    # the shorter take ended first: its client did not wait for the batch
    short = batch[1]
    assert short.finished < max(j.finished for j in batch)
    health = api.http.get("/health").json()["queue"]
    assert health["running"] == 0 and health["completed"] == 5


def test_a_client_hanging_up_stops_only_its_row(serve):
    gate = Gate()
    api = serve(chunk_hook=gate, streaming=HELD, max_seconds=2.0)
    jobs, queued = api.capture_jobs()
    first = _held_first(api, gate)
    assert queued.acquire(timeout=20)
    heard = threading.Event()

    def leaver() -> None:
        body = {"input": "I will leave.", "voice": "Ryan", "seed": 7, "stream": True,
                "response_format": "pcm"}
        with api.http.stream("POST", "/v1/audio/speech", json=body) as r:
            next(r.iter_raw())
            heard.set()  # then hang up

    leaving = threading.Thread(target=leaver)
    leaving.start()
    assert queued.acquire(timeout=20)
    *threads, answers = _queue(api, queued, [dict(seed=8), dict(seed=9)])
    gate.release.set()
    first.join(30)
    leaving.join(60)
    for t in threads:
        t.join(60)
    assert heard.is_set()
    left = api.on_loop(jobs[1].result())
    assert left.stop_reason == "cancelled" and len(left.audio) < 25 * SAMPLES_PER_FRAME
    for i in (0, 1):
        assert answers[i].status_code == 200
        assert len(answers[i].content) - 44 == 2 * 25 * SAMPLES_PER_FRAME  # the full 2 s


def test_a_seed_gives_the_same_take_alone_or_in_a_batch(serve):
    gate = Gate()
    api = serve(chunk_hook=gate, streaming=HELD)
    gate.reached.set()
    gate.release.set()
    alone = api.speak(seed=42, response_format="pcm")
    gate.reached.clear()
    gate.release.clear()
    jobs, queued = api.capture_jobs()
    first = _held_first(api, gate)
    assert queued.acquire(timeout=20)
    *threads, answers = _queue(api, queued, [dict(seed=5), dict(seed=42, response_format="pcm"),
                                             dict(seed=6)])
    gate.release.set()
    first.join(30)
    for t in threads:
        t.join(60)
    assert len({j.started for j in jobs[1:]}) == 1
    a = np.frombuffer(alone.content, np.int16).astype(int)
    b = np.frombuffer(answers[1].content, np.int16).astype(int)
    assert len(a) == len(b) == FRAMES * SAMPLES_PER_FRAME
    assert np.abs(a - b).max() <= 2  # float rounding of a batched product, nothing more


def test_batch_one_runs_requests_one_at_a_time(serve):
    gate = Gate()
    api = serve(chunk_hook=gate, streaming=HELD, batch=1)
    jobs, queued = api.capture_jobs()
    first = _held_first(api, gate)
    assert queued.acquire(timeout=20)
    *threads, answers = _queue(api, queued, [dict(seed=1), dict(seed=2)])
    gate.release.set()
    first.join(30)
    for t in threads:
        t.join(60)
    runs = sorted((j.started, j.finished) for j in jobs)
    assert all(a[1] <= b[0] for a, b in zip(runs, runs[1:], strict=False))
    assert all(answers[i].status_code == 200 for i in (0, 1))
    audio, _sr = decode(answers[0].content)
    assert len(audio) == FRAMES * SAMPLES_PER_FRAME
