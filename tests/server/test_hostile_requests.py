"""Requests a hostile or broken client sends: each gets the documented JSON error (never a
500 or plain text), a body that never ends is cut off, and ``max_seconds`` caps the whole
response however long the text."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import httpx
import pytest

from tests.full_disk import full_disk_fixture  # noqa: F401 - the full_disk fixture
from tests.server.conftest import Api, error_of, reference_clip, written

JSON = {"content-type": "application/json"}


def raw_body(api: Api, body: bytes) -> dict:
    """POST a JSON body as given (Python's encoder never writes Infinity or deep nesting)."""
    r = api.http.post("/v1/audio/speech", content=body, headers=JSON)
    return error_of(r, 400)


@pytest.mark.parametrize("max_seconds", [1e308, -1.0, 0, 3600.5])
def test_max_seconds_out_of_range_is_a_400(api, max_seconds):
    err = error_of(api.speak(max_seconds=max_seconds), 400)
    assert (err["code"], err["param"]) == ("invalid_value", "max_seconds")
    assert "at most 3600" in err["message"]


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"Infinity", b"-Infinity", b"NaN"])
def test_non_finite_numbers_in_the_body_are_a_400(api, literal):
    body = b'{"input": "Hi.", "voice": "Ryan", "max_seconds": ' + literal + b"}"
    assert raw_body(api, body)["code"] == "invalid_json"


def test_huge_seed_is_a_400(api):
    err = error_of(api.speak(seed=99999999999999999999), 400)
    assert err["param"] == "seed" and "2147483646" in err["message"]


@pytest.mark.parametrize("nesting", [b"[" * 200_000, b'{"a":' * 50_000])
def test_deeply_nested_json_is_a_400(api, nesting):
    err = raw_body(api, b'{"input": "Hi.", "voice": "Ryan", "x": ' + nesting)
    assert err["code"] == "invalid_json" and "nested" in err["message"]
    assert api.http.get("/health").status_code == 200


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e308"])
def test_preview_form_refuses_non_finite_max_seconds(api, studio_home, value):
    r = api.http.post("/v1/voices/preview", files={"file": ("me.wav", reference_clip())},
                      data={"text": "Hello.", "transcript": "Hello there.", "max_seconds": value})
    assert error_of(r, 400)["param"] == "max_seconds"
    assert written(studio_home) == []


@pytest.mark.parametrize("stream", [False, True])
def test_max_seconds_caps_the_whole_response(serve, stream):
    api = serve(max_seconds=None)
    text = "\n\n".join(f"Part number {i} of a longer text." for i in range(6))  # 6 segments
    r = api.speak(input=text, max_seconds=0.3, response_format="pcm", stream=stream, seed=1)
    assert r.status_code == 200, r.text
    assert len(r.content) // 2 == round(0.3 * 24000)  # s16 samples
    if not stream:
        assert r.headers["x-stop-reason"] == "max_length"


def test_the_servers_own_cap_is_for_the_whole_response_too(serve):
    api = serve(max_seconds=0.2)
    text = "\n\n".join(f"Part number {i}." for i in range(4))
    r = api.speak(input=text, response_format="pcm", max_seconds=5.0)
    assert len(r.content) // 2 == round(0.2 * 24000)


# --- the HTTP layer, on raw sockets -----------------------------------------------------

def exchange(api: Api, data: bytes, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read until the server closes; (status, headers, body)."""
    host, port = api.server.sock.getsockname()[:2]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        return read_response(s)


def read_response(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data or not complete(data):
        part = s.recv(65536)
        if not part:
            break
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


MALFORMED = {
    "garbage-request-line": b"HELLO\r\n\r\n",
    "space-in-header-name": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: y\r\n\r\n",
    "two-lengths": b"POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                   b"Content-Length: 6\r\n\r\nhello",
    "bad-chunk-size": b"POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                      b"application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "length-not-a-number": b"POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Length: abc\r\n\r\n",
    "no-host": b"GET /health HTTP/1.1\r\n\r\n",
    "nul-in-target": b"GET /he\x00alth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "non-ascii-target": "GET /v1/voices/é HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_http_gets_the_json_error(api, case):
    status, headers, body = exchange(api, MALFORMED[case])
    assert status == 400 and headers["content-type"] == "application/json", body
    err = json.loads(body)["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["code"] == "invalid_http" and err["type"] == "invalid_request_error"


def started_body(api: Api, sent: bytes = b'{"input": "Hi') -> socket.socket:
    """A request whose headers promise 100 bytes of body, of which only a few arrive."""
    host, port = api.server.sock.getsockname()[:2]
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
              b"application/json\r\nContent-Length: 100\r\n\r\n" + sent)
    return s


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll the server until ``condition`` holds (each poll is a real request)."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the server never got there"


def test_a_body_that_never_ends_is_cut_off_and_uploads_are_capped(serve):
    api = serve(body_timeout_s=1.0, max_uploads=2)

    def arriving() -> int:
        return api.http.get("/health").json()["uploads"]["arriving"]

    slow = [started_body(api), started_body(api)]
    wait_for(lambda: arriving() == 2)
    with started_body(api) as third:  # refused at once, not held
        status, headers, body = read_response(third)
    assert status == 503 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "too_many_uploads"
    assert headers["connection"] == "close" and headers["retry-after"] == "1"
    for s in slow:  # each cut off at its time limit, with the JSON error, and hung up
        with s:
            status, headers, body = read_response(s)
            assert status == 408 and json.loads(body)["error"]["code"] == "request_timeout"
            assert s.recv(10) == b""
    assert arriving() == 0
    r = api.http.post("/v1/voices", json={"preview_id": "nope", "name": "X"})
    assert error_of(r, 404)["code"] == "not_found"  # whole bodies are read as before


# --- a full disk: 507 with the JSON error, nothing left behind ---------------------------

def preview(api: Api) -> httpx.Response:
    return api.http.post("/v1/voices/preview", files={"file": ("me.wav", reference_clip())},
                         data={"text": "Hello.", "transcript": "Some words in the clip."})


@pytest.mark.parametrize("room", [0, 5000, 300_000])
def test_a_preview_onto_a_full_disk_is_a_507(api, studio_home, full_disk, room):
    full_disk(room)
    err = error_of(preview(api), 507)
    assert err["code"] == "disk_full" and err["type"] == "server_error"
    assert "the disk is full" in err["message"] and "Free some space" in err["message"]
    assert written(studio_home) == []
    assert api.http.get("/health").status_code == 200


@pytest.mark.parametrize("room", [0, 200])
def test_saving_a_voice_onto_a_full_disk_is_a_507(api, studio_home, full_disk, room):
    r = preview(api)
    assert r.status_code == 200, r.text
    kept = written(studio_home)
    full_disk(room)
    saved = api.http.post("/v1/voices", json={"preview_id": r.headers["x-preview-id"],
                                              "name": "Desk Voice"})
    err = error_of(saved, 507)
    assert err["message"].startswith("Could not save the voice: the disk is full")
    assert written(studio_home) == kept  # the preview is still there, no voice was added
