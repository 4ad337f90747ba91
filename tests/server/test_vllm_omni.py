"""vLLM-Omni's Qwen3-TTS fields on /v1/audio/speech, and cloning from a clip in one call
(POST /v1/audio/speech/clone), through OpenAI's client as such programs use it."""

from __future__ import annotations

import base64

import httpx
import pytest

from studio.audio.encoding import decode
from tests.server.conftest import (
    FRAMES,
    SAMPLES_PER_FRAME,
    client_for,
    error_of,
    reference_clip,
    written,
)

SAMPLES = FRAMES * SAMPLES_PER_FRAME
TEXT = "Hello there."
CLIP = reference_clip()
DATA_URL = "data:audio/wav;base64," + base64.b64encode(CLIP).decode()


def speech(client, **extra):
    """A whole pcm take with vLLM-Omni's fields in the body, as its programs send them."""
    extra.setdefault("seed", 1)
    extra.setdefault("stream", False)
    return client.audio.speech.with_raw_response.create(
        model="Qwen/Qwen3-TTS-12Hz-1.7B-Base", voice="vivian", input=TEXT,
        response_format="pcm", extra_body=extra)


def test_base_task_clones_ref_audio_without_keeping_it(api, studio_home):
    client = client_for(api)
    icl = speech(client, task_type="Base", ref_audio=DATA_URL, ref_text="Some words spoken.")
    assert icl.headers["x-voice"] == "ref_audio"
    assert len(icl.content) == 2 * SAMPLES
    warnings = icl.headers["x-warning"]
    assert "voice 'vivian' ignored" in warnings
    assert "Qwen/Qwen3-TTS-12Hz-1.7B-Base is not installed" in warnings  # the tiny one spoke
    assert "Tiny-Base" in icl.headers["x-model"]
    bare = speech(client, ref_audio=base64.b64encode(CLIP).decode(), x_vector_only_mode=True)
    assert len(bare.content) == 2 * SAMPLES and bare.content != icl.content
    inferred = speech(client, ref_audio=DATA_URL)  # no ref_text: timbre only, and said so
    assert inferred.content == bare.content and "no ref_text" in inferred.headers["x-warning"]
    assert written(studio_home) == []  # nothing kept: a clip in the request is used once


def test_task_types_and_generation_fields(api):
    client = client_for(api)
    preset = speech(client, task_type="CustomVoice", language="Auto", max_new_tokens=3)
    assert preset.headers["x-voice"] == "speaker:vivian" and len(preset.content) == 2 * 3 * 1920
    designed = api.http.post("/v1/audio/speech", json={
        "input": TEXT, "task_type": "VoiceDesign", "response_format": "wav", "stream": False,
        "instructions": "A calm, low voice.", "language": "English"})  # vLLM-Omni's own shape
    assert designed.status_code == 200, designed.text
    assert designed.headers["x-voice"] == "design:instructions"
    assert len(decode(designed.content, "wav")[0]) == SAMPLES
    omitted = api.http.post("/v1/audio/speech", json={"input": TEXT, "response_format": "pcm",
                                                      "seed": 1, "stream": False})
    assert omitted.headers["x-voice"] == "speaker:vivian"  # vLLM-Omni's default voice
    mode = speech(client, non_streaming_mode=False)
    assert "non_streaming_mode=false ignored" in mode.headers["x-warning"]
    assert "x-warning" not in speech(client, non_streaming_mode=True, model="tts-1").headers


def test_initial_codec_chunk_frames_sets_the_first_chunk(serve):
    chunks: list[int] = []
    api = serve(chunk_hook=lambda job, chunk: chunks.append(len(chunk)))
    r = speech(client_for(api), initial_codec_chunk_frames=1, stream=True)
    assert len(r.content) == 2 * SAMPLES
    # one frame first, then the steady two (near the take's end, frame by frame)
    assert chunks[:2] == [1920, 3840] and max(chunks) <= 3840 and sum(chunks) == 5 * 1920


def clone(client, **fields):
    files = {"file": ("me.wav", CLIP, "audio/wav")}
    fields.setdefault("input", TEXT)
    fields.setdefault("ref_text", "Some words spoken in the clip.")
    return client.post(  # the client's own multipart upload, as for its transcriptions
        "/audio/speech/clone", cast_to=httpx.Response, files=files,
        body={k: str(v) for k, v in fields.items()},
        options={"headers": {"Content-Type": "multipart/form-data"}})


def test_clone_in_one_call_then_save(api, studio_home):
    client = client_for(api)
    r = clone(client, seed=5, response_format="opus", speed=2.0, language="English")
    assert r.headers["content-type"] == "audio/ogg" and r.headers["x-seed"] == "5"
    audio, rate = decode(r.content, "opus")
    assert rate == 48000 and len(audio) == SAMPLES  # half as long: 2x at 48 kHz
    assert float(r.headers["x-audio-seconds"]) == pytest.approx(SAMPLES / 2 / 24000, abs=1e-3)
    pid = r.headers["x-preview-id"]
    kept = written(studio_home)  # no voice saved, only the clip kept like a preview
    assert kept and all(path.startswith("previews/") for path in kept)
    saved = api.http.post("/v1/voices", json={"preview_id": pid, "name": "Clip Voice"})
    assert saved.status_code == 201, saved.text
    spoken = client.audio.speech.with_raw_response.create(
        model="tts-1", voice="Clip Voice", input=TEXT, response_format="mp3")
    assert spoken.headers["x-voice"] == "saved:clip-voice"
    timbre = clone(client, ref_text="", x_vector_only="true")
    assert decode(timbre.content, "mp3")[1] == 24000


@pytest.mark.parametrize(("fields", "status", "code"), [
    (dict(ref_text=""), 400, "missing_transcript"),
    (dict(x_vector_only="true"), 400, "invalid_value"),
    (dict(input=""), 400, "empty_input"),
    (dict(response_format="ogg"), 400, "unsupported_format"),
    (dict(speed="9"), 400, "invalid_value"),
    (dict(text="Hi"), 400, "invalid_value"),  # the preview's field name, not this one's
])
def test_bad_clone_requests(api, studio_home, fields, status, code):
    r = api.http.post(
        "/v1/audio/speech/clone", files={"file": ("me.wav", CLIP, "audio/wav")},
        data={"input": TEXT, "ref_text": "Words.", **fields})
    assert error_of(r, status)["code"] == code
    assert written(studio_home) == []
