"""Bad requests get a 4xx with a JSON error that says what is wrong, and write nothing."""

from __future__ import annotations

import pytest

from tests.server.conftest import error_of, written

SPEECH_CASES = [
    (dict(voice="Nobody"), 404, "voice_not_found", None),
    (dict(voice=" "), 400, "empty_voice", "voice"),
    (dict(input="   "), 400, "empty_input", "input"),
    (dict(input="x" * 101), 400, "input_too_long", "input"),
    (dict(response_format="ogg"), 400, "unsupported_format", "response_format"),
    (dict(response_format="flac", stream=True), 400, "unsupported_format", "response_format"),
    (dict(response_format="flac", stream_format="sse"), 400, "unsupported_format",
     "response_format"),
    (dict(stream_format="audio", stream=False), 400, "conflicting_stream_options", "stream"),
    (dict(stream_format="mp3"), 400, "invalid_value", "stream_format"),
    (dict(speed=4.5), 400, "invalid_value", "speed"),
    (dict(speed=0.2), 400, "invalid_value", "speed"),
    (dict(seed=-1), 400, "invalid_value", "seed"),
    (dict(seed="many"), 400, "invalid_value", "seed"),
    (dict(max_seconds=0), 400, "invalid_value", "max_seconds"),
    (dict(max_seconds=True), 400, "invalid_value", "max_seconds"),
    (dict(temperature=0), 400, "invalid_value", "temperature"),
    (dict(top_p=1.5), 400, "invalid_value", "top_p"),
    (dict(tempreature=0.5), 400, "invalid_value", "tempreature"),  # a typo is an error
    (dict(voice="sha256:abc"), 400, "invalid_hash", "voice"),
    (dict(voice="sha256:" + "ab" * 32), 404, "voice_not_cached", "voice"),
    (dict(voice="sha256:" + "ab" * 32, task_type="CustomVoice"), 400, "task_type_mismatch",
     "task_type"),
    (dict(voice={"name": "Ryan"}), 400, "invalid_value", "voice"),
    (dict(model="whisper-1"), 404, "model_not_found", "model"),
    (dict(model="Qwen3-TTS-12Hz-Tiny-Base"), 400, "wrong_model_kind", "model"),
    (dict(language="Klingon"), 400, "unknown_language", None),
    # vLLM-Omni's fields
    (dict(task_type="VoiceDesign"), 400, "task_type_mismatch", "task_type"),  # Ryan: a speaker
    (dict(task_type="Base"), 400, "task_type_mismatch", "task_type"),
    (dict(task_type="Design"), 400, "invalid_value", "task_type"),
    (dict(task_type="VoiceDesign", voice=None), 400, "missing_instructions", "instructions"),
    (dict(ref_text="Hello."), 400, "missing_ref_audio", "ref_audio"),
    (dict(ref_audio="https://example.com/a.wav"), 400, "ref_audio_url_refused", "ref_audio"),
    (dict(ref_audio="file:///etc/passwd"), 400, "ref_audio_url_refused", "ref_audio"),
    (dict(ref_audio="data:audio/wav,RIFF"), 400, "invalid_ref_audio", "ref_audio"),
    (dict(ref_audio="not base64!"), 400, "invalid_ref_audio", "ref_audio"),
    (dict(ref_audio="aGVsbG8gd29ybGQ="), 415, "unreadable_audio", None),  # "hello world"
    (dict(ref_audio="UklGRg==", task_type="CustomVoice"), 400, "task_type_mismatch",
     "task_type"),
    (dict(max_new_tokens=0), 400, "invalid_value", "max_new_tokens"),
    (dict(initial_codec_chunk_frames=1000), 400, "invalid_value", "initial_codec_chunk_frames"),
]


def test_bad_speech_requests(serve, studio_home):
    api = serve(max_input_chars=100, max_json_bytes=2000)
    for change, status, code, param in SPEECH_CASES:
        body = {"input": "Hello there.", "voice": "Ryan", **change}
        err = error_of(api.http.post("/v1/audio/speech", json=body), status)
        assert (err["code"], err["param"]) == (code, param), (change, err)
        assert err["type"] == "invalid_request_error"

    missing = error_of(api.http.post("/v1/audio/speech", json={"voice": "Ryan"}), 400)
    assert missing["param"] == "input" and "required" in missing["message"]
    text = error_of(api.http.post("/v1/audio/speech", content=b'{"input": "hi"}',
                                  headers={"content-type": "text/plain"}), 415)
    assert text["code"] == "unsupported_media_type"
    form = api.http.post("/v1/audio/speech", data={"input": "hi", "voice": "Ryan"})
    assert error_of(form, 415)["code"] == "unsupported_media_type"
    broken = api.http.post("/v1/audio/speech", content=b'{"input": ',
                           headers={"content-type": "application/json"})
    assert error_of(broken, 400)["code"] == "invalid_json"
    listed = api.http.post("/v1/audio/speech", json=["Hello"])
    assert error_of(listed, 400)["code"] == "invalid_json"
    big = api.http.post("/v1/audio/speech", json={"input": "x" * 5000, "voice": "Ryan"})
    assert error_of(big, 413)["code"] == "payload_too_large"

    assert error_of(api.http.get("/v1/nothing"), 404)["code"] == "http_404"
    assert error_of(api.http.put("/v1/audio/speech"), 405)["code"] == "http_405"
    assert error_of(api.http.get("/v1/voices/Nobody"), 404)["code"] == "voice_not_found"
    assert error_of(api.http.delete("/v1/voices/Nobody"), 404)["code"] == "voice_not_found"
    builtin = error_of(api.http.delete("/v1/voices/speaker:ryan"), 400)
    assert builtin["code"] == "builtin_voice"
    assert error_of(api.http.get("/v1/voices/preview/0123456789abcdef"), 404)["code"] == \
        "not_found"
    save = api.http.post("/v1/voices", json={"preview_id": "nope", "name": "X"})
    assert error_of(save, 404)["code"] == "not_found"
    assert error_of(api.http.post("/v1/voices", json={"name": "X"}), 400)["param"] == \
        "preview_id"

    health = api.http.get("/health").json()
    assert health["queue"]["completed"] == 1  # only what the model itself must judge
    assert written(studio_home) == []


@pytest.mark.parametrize("route", ["/v1/audio/speech", "/v1/voices"])
def test_json_endpoints_refuse_other_content_types(api, route):
    r = api.http.post(route, content=b"preview_id=x&name=y",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert error_of(r, 415)["code"] == "unsupported_media_type"


def test_listing_endpoints(api):
    voices = api.http.get("/v1/voices").json()
    assert voices["object"] == "list"
    ids = {v["id"]: v for v in voices["data"]}
    assert ids["speaker:ryan"]["source"] == "speaker"
    assert ids["design:berlin-professor"]["source"] == "design"
    assert api.http.get("/v1/voices/ryan").json()["id"] == "speaker:ryan"
    models = [m["id"] for m in api.http.get("/v1/models").json()["data"]]
    assert {"tts-1", "qwen3-tts", "Qwen3-TTS-12Hz-Tiny-Base"} <= set(models)
    assert api.http.get("/docs").status_code == 200
    schema = api.http.get("/openapi.json").json()
    assert {"/v1/audio/speech", "/v1/voices", "/v1/voices/preview", "/health"} <= \
        set(schema["paths"])
    health = api.http.get("/health").json()
    assert health["status"] == "ok" and health["device"] == "CPU (float32)"
    assert health["models"]["loaded"] == []


def test_hanging_up_mid_upload_leaves_nothing(api, studio_home, caplog, monkeypatch):
    import socket
    import threading
    from urllib.parse import urlsplit

    from studio.server import voices

    gave_up = threading.Event()
    read_form = voices.read_form

    async def watched(*args, **kw):
        try:
            return await read_form(*args, **kw)
        finally:
            gave_up.set()

    monkeypatch.setattr(voices, "read_form", watched)
    url = urlsplit(api.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/voices/preview HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: multipart/form-data; boundary=xyz\r\n"
                     b"Content-Length: 100000\r\n\r\n--xyz\r\n" + b"x" * 1000)
    assert gave_up.wait(10)
    assert api.http.get("/health").json()["status"] == "ok"
    assert written(studio_home) == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # a quiet 499
