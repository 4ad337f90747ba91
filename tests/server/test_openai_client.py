"""The server as OpenAI's official Python client sees it: every call a program written for
OpenAI's speech API makes, with what came back decoded and measured."""

from __future__ import annotations

import json
import threading
import time

import openai
import pytest

from studio.audio.encoding import FORMATS, STREAMABLE, StreamEncoder, decode
from studio.server.aliases import OPENAI_VOICES
from tests.server.conftest import FRAMES, SAMPLES_PER_FRAME, client_for

SAMPLES = FRAMES * SAMPLES_PER_FRAME
RATE = 24000
TEXT = "Hello there."
# a streamed MP3 or AAC cannot declare its encoder delay and padding (no header to go
# back to), so players decode that many samples more; every other case is exact
PADDING = {"mp3": 1600, "aac": 2048}


def speech(client, **kw):
    """``client.audio.speech.create`` with the raw response (headers and bytes)."""
    kw.setdefault("model", "tts-1")
    kw.setdefault("voice", "echo")
    kw.setdefault("input", TEXT)
    return client.audio.speech.with_raw_response.create(**kw)


def check_length(fmt: str, data: bytes, samples: int, streamed: bool) -> None:
    audio, rate = decode(data, fmt)
    scale = 2 if fmt == "opus" else 1  # Opus decodes at 48 kHz
    assert rate == RATE * scale, fmt
    extra = len(audio) / scale - samples
    assert 0 <= extra <= (PADDING.get(fmt, 0) if streamed or fmt == "aac" else 0), (fmt, extra)


@pytest.fixture
def client(api):
    return client_for(api)


def test_defaults_are_openais_a_streamed_mp3(api, client):
    r = client.audio.speech.with_raw_response.create(model="tts-1", voice="alloy", input=TEXT)
    assert r.headers["content-type"] == "audio/mpeg"
    assert "content-length" not in r.headers  # sent while it was generated
    assert r.headers["x-voice"] == "speaker:vivian"  # OpenAI's alloy -> a preset speaker
    check_length("mp3", r.content, SAMPLES, streamed=True)
    plain = client.audio.speech.create(model="gpt-4o-mini-tts", voice="nova", input=TEXT)
    assert decode(plain.content, "mp3")[1] == RATE


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_streamed_and_whole(client, fmt):
    streamed = speech(client, response_format=fmt, extra_body={"seed": 3})
    assert streamed.headers["content-type"].startswith(
        {"mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac", "flac": "audio/flac",
         "wav": "audio/wav", "pcm": "audio/pcm"}[fmt])
    assert ("content-length" in streamed.headers) == (fmt not in STREAMABLE)
    check_length(fmt, streamed.content, SAMPLES, streamed=fmt in STREAMABLE)
    whole = speech(client, response_format=fmt, extra_body={"seed": 3, "stream": False})
    assert int(whole.headers["content-length"]) == len(whole.content)  # for programs that
    check_length(fmt, whole.content, SAMPLES, streamed=False)  # want to know the size first
    if fmt in ("wav", "pcm"):
        assert whole.content[-2 * SAMPLES:] == streamed.content[-2 * SAMPLES:]


@pytest.mark.parametrize("fmt", STREAMABLE)
def test_first_audio_arrives_before_the_take_ends(serve, fmt):
    """The engine holds the take after its first chunk until the client has received audio
    bytes (more than the container's header): so that audio left before the take ended."""
    header = len(StreamEncoder(fmt, RATE).header())
    heard = threading.Event()
    held: list[bool] = []

    def hook(job, chunk):
        if not held:
            held.append(heard.wait(20))

    api = serve(chunk_hook=hook)
    jobs, _ = api.capture_jobs()
    got, first_audio = b"", None
    with client_for(api).audio.speech.with_streaming_response.create(
            model="tts-1", voice="echo", input=TEXT, response_format=fmt) as response:
        for part in response.iter_bytes():
            got += part
            if first_audio is None and len(got) > header:
                first_audio = time.monotonic()
                heard.set()
    assert held == [True]
    api.on_loop(jobs[0].result())
    assert first_audio is not None and first_audio < jobs[0].finished
    check_length(fmt, got, SAMPLES, streamed=True)


def sse_events(body: bytes) -> list[tuple[str, dict]]:
    events = []
    for block in body.decode().strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


@pytest.mark.parametrize("fmt", ["pcm", "mp3"])
def test_sse_sends_openais_delta_and_done_events(client, fmt):
    import base64

    r = speech(client, response_format=fmt, stream_format="sse", extra_body={"seed": 4})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.content)
    names = [name for name, _ in events]
    assert names[-1] == "speech.audio.done" and set(names[:-1]) == {"speech.audio.delta"}
    assert all(data["type"] == name for name, data in events)
    audio = b"".join(base64.b64decode(data["audio"]) for _, data in events[:-1])
    check_length(fmt, audio, SAMPLES, streamed=True)
    usage = events[-1][1]["usage"]
    assert usage["output_tokens"] == FRAMES  # codec frames
    assert usage["input_tokens"] == len(TEXT) and usage["total_tokens"] == len(TEXT) + FRAMES
    if fmt == "pcm":
        assert audio == speech(client, response_format="pcm", extra_body={"seed": 4}).content


@pytest.mark.parametrize("speed", [0.25, 1.25, 4.0])
def test_speed_changes_the_length_not_the_pitch(client, speed):
    want = round(SAMPLES / speed)
    whole = speech(client, response_format="pcm", speed=speed, extra_body={"stream": False})
    assert len(whole.content) == 2 * want
    assert float(whole.headers["x-audio-seconds"]) == pytest.approx(want / RATE, abs=1e-3)
    streamed = speech(client, response_format="wav", speed=speed)  # stretched as it streams
    assert abs(len(decode(streamed.content, "wav")[0]) - want) <= 2


def test_instructions_a_voice_cannot_take_are_ignored_with_a_warning(client):
    plain = speech(client, response_format="pcm", extra_body={"seed": 6})
    styled = speech(client, response_format="pcm", instructions="Whisper, slowly.",
                    extra_body={"seed": 6})
    assert styled.content == plain.content  # like tts-1: spoken, instructions left out
    warning = styled.headers["x-warning"]
    assert warning.startswith("instructions ignored") and "1.7B" in warning
    assert "x-warning" not in plain.headers
    design = speech(client, voice="Berlin Professor", response_format="pcm",
                    instructions="A deep, slow voice.", extra_body={"seed": 6})
    assert "x-warning" not in design.headers  # a design voice takes them


def test_every_openai_voice_name_speaks_and_is_listed(api, client):
    listed = {v["id"]: v for v in api.http.get("/v1/voices").json()["data"]
              if v["source"] == "alias"}
    assert set(listed) == set(OPENAI_VOICES) and len(listed) == 13
    assert listed["onyx"]["alias_of"] == "speaker:uncle_fu"
    for name in ("alloy", "ash", "ballad", "coral", "echo", "onyx", "nova", "sage", "cedar"):
        r = speech(client, voice=name, response_format="pcm", extra_body={"seed": 2})
        target = listed[name]["alias_of"]
        assert r.headers["x-voice"] == target, name
    same = speech(client, voice="Vivian", response_format="pcm", extra_body={"seed": 2})
    assert same.content == speech(client, voice="marin", response_format="pcm",
                                  extra_body={"seed": 2}).content


def test_aliases_point_anywhere(serve):
    api = serve(voice_aliases={"alloy": "Berlin Professor", "narrator": "Ryan"})
    client = client_for(api)
    r = speech(client, voice="alloy", response_format="pcm", extra_body={"language": "German"})
    assert r.headers["x-voice"] == "design:berlin-professor"
    assert speech(client, voice="NARRATOR").headers["x-voice"] == "speaker:ryan"
    aliases = {v["id"]: v["alias_of"] for v in api.http.get("/v1/voices").json()["data"]
               if v["source"] == "alias"}
    assert aliases["alloy"] == "design:berlin-professor" and aliases["narrator"] == "speaker:ryan"
    assert aliases["nova"] == "speaker:ono_anna"  # the other defaults stay
    omni = api.http.get("/v1/audio/voices").json()
    assert {"ryan", "alloy", "narrator"} <= set(omni["voices"]) and omni["uploaded_voices"] == []


def test_errors_the_client_raises(client):
    with pytest.raises(openai.NotFoundError) as missing:
        speech(client, voice="Nobody")
    assert missing.value.body["code"] == "voice_not_found"
    with pytest.raises(openai.BadRequestError) as empty:
        speech(client, input="  ")
    assert empty.value.body["code"] == "empty_input"
    with pytest.raises(openai.BadRequestError) as fast:
        speech(client, speed=5.0)
    assert fast.value.body["param"] == "speed"
    with pytest.raises(openai.BadRequestError) as flac:
        speech(client, response_format="flac", stream_format="audio")
    assert flac.value.body["code"] == "unsupported_format"
    models = {m.id for m in client.models.list()}
    assert {"tts-1", "tts-1-hd", "gpt-4o-mini-tts", "Qwen3-TTS-12Hz-Tiny-Base"} <= models
