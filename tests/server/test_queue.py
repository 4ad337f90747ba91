"""The queue in front of the engine: full queue, time limit, clients that hang up."""

from __future__ import annotations

import base64
import json
import socket
import threading
from urllib.parse import urlsplit

import httpx
import pytest

from studio.errors import Cancelled
from tests.server.conftest import HELD, SAMPLES_PER_FRAME


class Gate:
    """A chunk hook that holds the generation on a job's first chunk until released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.released: list[bool] = []

    def __call__(self, job, chunk) -> None:
        if not self.reached.is_set():
            self.reached.set()
            self.released.append(self.release.wait(20))


def test_full_queue_answers_503_with_retry_after(serve):
    gate = Gate()
    api = serve(queue_size=1, chunk_hook=gate, streaming=HELD)
    jobs, queued = api.capture_jobs()
    answers: dict[str, httpx.Response] = {}

    def client(name: str, seed: int) -> None:
        answers[name] = api.speak(seed=seed)

    first = threading.Thread(target=client, args=("first", 1))
    first.start()
    assert gate.reached.wait(20)  # running, held by the gate
    second = threading.Thread(target=client, args=("second", 2))
    second.start()
    assert queued.acquire(timeout=20) and queued.acquire(timeout=20)  # both queued
    health = api.http.get("/health").json()
    assert health["queue"]["running"] == 1 and health["queue"]["waiting"] == 1

    refused = api.speak(seed=3)
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["code"] == "queue_full"
    assert refused.json()["error"]["type"] == "server_error"

    gate.release.set()
    first.join(30)
    second.join(30)
    assert answers["first"].status_code == 200 and answers["second"].status_code == 200
    assert [j.state for j in jobs] == ["done", "done"]
    assert api.speak(seed=4).status_code == 200  # room again


def test_time_limit_cancels_the_take_and_answers_504(serve):
    gate = Gate()
    api = serve(request_timeout_s=0.5, chunk_hook=gate, streaming=HELD)
    jobs, _ = api.capture_jobs()
    r = api.speak(seed=1)
    gate.release.set()
    assert r.status_code == 504, r.text
    assert r.json()["error"]["code"] == "timeout"
    take = api.on_loop(jobs[0].result())
    assert take.stop_reason == "cancelled"
    assert len(take.audio) < 5 * SAMPLES_PER_FRAME
    assert api.http.get("/health").json()["queue"]["running"] == 0


def test_a_stream_out_of_time_ends_with_an_sse_error_event(serve):
    gate = Gate()
    api = serve(chunk_hook=gate, streaming=HELD)
    gate.reached.set()  # the warm-up (model load) passes the gate
    assert api.speak(seed=1).status_code == 200
    gate.reached.clear()
    api.state.config.request_timeout_s = 1.0  # read per request
    body = {"input": "Hello there.", "voice": "Ryan", "seed": 2, "stream_format": "sse",
            "response_format": "pcm"}
    r = api.http.post("/v1/audio/speech", json=body)  # held after its first chunk
    gate.release.set()
    assert r.status_code == 200  # sent with the first chunk, before the limit
    events = [block.split("\ndata: ") for block in r.text.strip().split("\n\n")]
    assert [e[0] for e in events] == ["event: speech.audio.delta", "event: speech.audio.error"]
    first = base64.b64decode(json.loads(events[0][1])["audio"])
    assert len(first) == 2 * 2 * SAMPLES_PER_FRAME  # the first chunk (2 frames), then no more
    error = json.loads(events[-1][1])["error"]
    assert error["code"] == "stream_failed" and "1 s" in error["message"]


def test_a_waiting_request_that_times_out_leaves_the_queue(serve):
    gate = Gate()
    api = serve(chunk_hook=gate, streaming=HELD)
    jobs, _ = api.capture_jobs()
    results: list[httpx.Response] = []
    first = threading.Thread(target=lambda: results.append(api.speak(seed=1)))
    first.start()
    assert gate.reached.wait(20)  # the first request holds the engine
    api.state.config.request_timeout_s = 0.5  # read per request: only the second's limit
    second = api.speak(seed=2)  # waits behind the held job until its own limit
    assert second.status_code == 504
    with pytest.raises(Cancelled):
        api.on_loop(jobs[1].result())
    assert jobs[1].started is None  # never reached the engine
    gate.release.set()
    first.join(30)
    assert results[0].status_code == 200


@pytest.mark.parametrize("stream", [True, False])
def test_client_hanging_up_cancels_the_take(serve, stream):
    cancelled: list[bool] = []
    reached = threading.Event()

    def hook(job, chunk):
        if not reached.is_set():
            reached.set()
            cancelled.append(job.cancel_token.wait(20))  # until the server notices

    api = serve(chunk_hook=hook, streaming=HELD)
    jobs, _ = api.capture_jobs()
    body = {"input": "Hello there.", "voice": "Ryan", "seed": 2, "stream": stream}
    if stream:
        with api.http.stream("POST", "/v1/audio/speech", json=body) as r:
            assert r.status_code == 200
            next(r.iter_raw())  # the header and the first chunk, then hang up
    else:  # hang up once the take is being generated (held by the hook), not on a timer
        url = urlsplit(api.url)
        payload = json.dumps(body).encode()
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
            assert reached.wait(20)
    assert reached.wait(20)
    take = api.on_loop(jobs[0].result())
    assert cancelled == [True]
    assert take.stop_reason == "cancelled"
    assert len(take.audio) < 5 * SAMPLES_PER_FRAME
    assert api.speak(seed=3).status_code == 200  # the model is free again


def test_idle_models_are_unloaded_and_health_says_so(serve):
    api = serve(idle_unload_s=0.3)
    assert api.speak(seed=1).status_code == 200
    loaded = api.http.get("/health").json()["models"]["loaded"]
    assert [m["kind"] for m in loaded] == ["custom_voice"]
    assert loaded[0]["name"] == "Qwen3-TTS-12Hz-Tiny-CustomVoice"
    assert loaded[0]["device"] == "CPU (float32)"
    unloaded = threading.Event()
    for _ in range(200):  # at most 10 s; typically a few tenths
        if not api.http.get("/health").json()["models"]["loaded"]:
            unloaded.set()
            break
        unloaded.wait(0.05)
    assert unloaded.is_set()
    assert api.speak(seed=1).status_code == 200  # loads again on demand
