"""POST /v1/audio/speech on the real server: formats, streaming, several clients at once."""

from __future__ import annotations

import struct
import threading
import time

import numpy as np
import pytest

from tests.server.conftest import FRAMES, SAMPLES_PER_FRAME, decode

SAMPLES = FRAMES * SAMPLES_PER_FRAME


def test_whole_take_in_each_format(api):
    r = api.speak(seed=7)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert r.headers["x-seed"] == "7" and r.headers["x-voice"] == "speaker:ryan"
    assert r.headers["x-stop-reason"] == "max_length"  # the tiny models never stop
    audio, sr = decode(r.content)
    assert sr == 24000 and audio.shape == (SAMPLES,)
    assert np.abs(audio).max() > 0

    pcm = api.speak(seed=7, response_format="pcm")
    assert pcm.headers["content-type"] == "audio/pcm"
    assert pcm.content == r.content[44:]  # the same samples, same seed: repeatable

    flac = api.speak(seed=7, response_format="flac", model="tts-1")
    assert flac.headers["content-type"] == "audio/flac"
    flac_audio, _ = decode(flac.content)
    assert np.abs(flac_audio.astype(int) - audio.astype(int)).max() <= 1

    mp3 = api.speak(seed=7, response_format="mp3", model="tts-1-hd")
    assert mp3.status_code == 200 and mp3.headers["content-type"] == "audio/mpeg"
    assert len(decode(mp3.content)[0]) == SAMPLES  # a whole MP3 declares its exact length

    other = api.speak(seed=8, response_format="pcm")
    assert other.headers["x-seed"] == "8" and other.content != pcm.content
    random = api.speak(response_format="pcm")
    assert int(random.headers["x-seed"]) >= 0  # a seed is chosen and reported


def test_design_voice_and_voice_object(api):
    r = api.speak(voice={"id": "design:berlin-professor"}, language="German", seed=1)
    assert r.status_code == 200, r.text
    assert r.headers["x-voice"] == "design:berlin-professor"
    assert "VoiceDesign" in r.headers["x-model"]
    named = api.speak(voice="Berlin Professor", language="German", seed=1)
    assert named.content == r.content  # a name resolves like the CLI's --voice


def read_stream(response) -> tuple[bytes, list[tuple[float, int]]]:
    data, reads = b"", []
    for part in response.iter_raw():
        reads.append((time.monotonic(), len(part)))
        data += part
    return data, reads


@pytest.mark.parametrize("fmt", ["wav", "pcm"])
def test_stream_equals_the_whole_take(api, fmt):
    whole = api.speak(seed=3, response_format=fmt)
    body = {"input": "Hello there.", "voice": "Ryan", "seed": 3, "response_format": fmt,
            "stream": True}
    with api.http.stream("POST", "/v1/audio/speech", json=body) as r:
        assert r.status_code == 200
        assert r.headers.get("content-length") is None  # chunked
        data, _ = read_stream(r)
    if fmt == "wav":
        riff, size, wave, fmt_id, _, pcm, channels, rate, _, _, bits, data_id, data_size = \
            struct.unpack("<4sI4s4sIHHIIHH4sI", data[:44])
        assert (riff, wave, fmt_id, data_id) == (b"RIFF", b"WAVE", b"fmt ", b"data")
        assert (pcm, channels, rate, bits) == (1, 1, 24000, 16)
        assert size == data_size == 0xFFFFFFFF  # length unknown while streaming
        audio, sr = decode(data)  # libsndfile reads a streamed WAV
        assert sr == 24000 and len(audio) == SAMPLES
        assert data[44:] == whole.content[44:]
    else:
        assert data == whole.content
    assert len(data) - (44 if fmt == "wav" else 0) == 2 * SAMPLES


def test_stream_arrives_while_the_take_is_generated(serve):
    """The engine holds the take after its first chunk until the client has that audio:
    so the first audio provably reached the client before the take ended."""
    heard = threading.Event()
    held: list[bool] = []
    chunks: list[int] = []

    def hook(job, chunk):
        chunks.append(len(chunk))
        if len(chunks) == 1:
            held.append(heard.wait(20))

    api = serve(chunk_hook=hook)
    jobs, _ = api.capture_jobs()
    body = {"input": "Hello there.", "voice": "Ryan", "seed": 5, "stream": True,
            "response_format": "wav"}
    reads: list[float] = []
    first_audio = None
    got = 0
    with api.http.stream("POST", "/v1/audio/speech", json=body) as r:
        for part in r.iter_raw():
            reads.append(time.monotonic())
            got += len(part)
            if got > 44 and first_audio is None:
                first_audio = reads[-1]
                heard.set()
    assert held == [True]
    # the first chunk as configured; near the take's end its frames come step by step
    assert chunks[0] == 2 * SAMPLES_PER_FRAME and max(chunks) <= 2 * SAMPLES_PER_FRAME
    assert sum(chunks) == 5 * SAMPLES_PER_FRAME
    assert got == 44 + 2 * SAMPLES
    take = api.on_loop(jobs[0].result())
    assert take.stop_reason == "max_length"
    assert first_audio is not None and first_audio < jobs[0].finished
    assert len(reads) >= 2 and reads[-1] > first_audio  # the rest came later, in more reads


def test_several_clients_at_once_all_answered(serve):
    api = serve(queue_size=8)
    jobs, _ = api.capture_jobs()
    cases = [dict(seed=11, max_seconds=0.16), dict(seed=11, max_seconds=0.16),
             dict(seed=12, max_seconds=0.24), dict(seed=13, max_seconds=0.32, stream=True),
             dict(seed=14, voice="design:berlin-professor", max_seconds=0.16),
             dict(seed=15)]
    start = threading.Barrier(len(cases))
    results: dict[int, tuple[int, dict, bytes]] = {}

    def client(i: int, body: dict) -> None:
        body = {"input": "Hello there.", "voice": "Ryan", "response_format": "pcm", **body}
        start.wait(10)
        r = api.http.post("/v1/audio/speech", json=body)
        results[i] = (r.status_code, dict(r.headers), r.content)

    threads = [threading.Thread(target=client, args=(i, c)) for i, c in enumerate(cases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == list(range(len(cases)))
    for i, case in enumerate(cases):
        status, headers, content = results[i]
        assert status == 200, content
        assert headers["x-seed"] == str(case["seed"])
        frames = round(case.get("max_seconds", FRAMES / 12.5) * 12.5)
        assert len(content) == 2 * frames * SAMPLES_PER_FRAME, i
    assert results[0][2] == results[1][2]  # same seed, same text length: same take
    assert len(jobs) == len(cases)
    # requests for one model may run together as a batch; never two batches at once
    for a in jobs:
        for b in jobs:
            if a.batch.key != b.batch.key or a.started != b.started:
                assert a.finished <= b.started or b.finished <= a.started
    health = api.http.get("/health").json()
    assert health["queue"] == {"running": 0, "running_for_s": None, "waiting": 0,
                               "max_waiting": 8, "completed": len(cases)}
