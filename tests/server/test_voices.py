"""The voice lifecycle over HTTP: preview a clip -> save -> list -> speak -> delete."""

from __future__ import annotations

import glob
import os
import tempfile

from studio.server.state import PromptCache
from tests.audio.signals import silence
from tests.engine.helpers import voice_like
from tests.server.conftest import (
    FRAMES,
    SAMPLES_PER_FRAME,
    decode,
    error_of,
    reference_clip,
    wav_bytes,
    written,
)


def preview(api, clip: bytes | None = None, name: str = "me.wav", **fields):
    fields.setdefault("text", "Hello there.")
    fields.setdefault("transcript", "Some words spoken in the clip.")
    files = {"file": (name, reference_clip() if clip is None else clip, "audio/wav")}
    return api.http.post("/v1/voices/preview", files=files,
                         data={k: str(v) for k, v in fields.items()})


def test_preview_save_list_speak_delete(api, studio_home):
    r = preview(api, seed=4)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav" and r.headers["x-seed"] == "4"
    assert r.headers["x-reference-check"] in ("pass", "warn")
    assert len(decode(r.content)[0]) == FRAMES * SAMPLES_PER_FRAME
    pid = r.headers["x-preview-id"]
    info = api.http.get(f"/v1/voices/preview/{pid}").json()
    assert info["transcript"] == "Some words spoken in the clip." and info["seed"] == 4
    assert info["reference_seconds"] == 4.0 and info["expires"] == r.headers["x-preview-expires"]
    kept = api.state.library.previews.get(pid)
    assert kept.kind == "import" and kept.original_name == "me.wav"

    saved = api.http.post("/v1/voices", json={"preview_id": pid, "name": "Desk Voice",
                                              "description": "Me at my desk"})
    assert saved.status_code == 201, saved.text
    voice = saved.json()
    assert voice["id"] == "saved:desk-voice" and voice["kind"] == "cloned"
    assert voice["description"] == "Me at my desk"
    assert error_of(api.http.get(f"/v1/voices/preview/{pid}"), 404)  # promoted, not copied
    entry = api.state.library.get("desk-voice")
    assert entry.voice.original_name == "me.wav"
    assert (entry.path / "transcript.txt").read_text() == "Some words spoken in the clip."

    listed = api.http.get("/v1/voices").json()["data"]
    assert listed[0]["id"] == "saved:desk-voice" and listed[0]["name"] == "Desk Voice"
    assert api.http.get("/v1/voices/saved:desk-voice").json()["name"] == "Desk Voice"

    for voice_ref in ("saved:desk-voice", "Desk Voice", {"id": "desk-voice"}):
        spoken = api.speak(voice=voice_ref, seed=9, response_format="pcm")
        assert spoken.status_code == 200, spoken.text
        assert spoken.headers["x-voice"] == "saved:desk-voice"
        assert len(spoken.content) == 2 * FRAMES * SAMPLES_PER_FRAME
    styled = api.speak(voice="Desk Voice", instructions="Slowly.", seed=9, response_format="pcm")
    assert styled.status_code == 200 and styled.content == spoken.content  # ignored, as tts-1
    assert "instructions ignored" in styled.headers["x-warning"]

    again = preview(api, clip=wav_bytes(voice_like(4.0, seed=2)))
    taken = api.http.post("/v1/voices", json={"preview_id": again.headers["x-preview-id"],
                                              "name": "desk VOICE"})
    assert error_of(taken, 409)["code"] == "name_taken"
    discarded = api.http.delete(f"/v1/voices/preview/{again.headers['x-preview-id']}")
    assert discarded.status_code == 200 and discarded.json()["deleted"] is True
    assert not any(p.startswith("previews/") for p in written(studio_home))

    gone = api.http.delete("/v1/voices/saved:desk-voice")
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert gone.json()["trash_id"] in {t.trash_id for t in api.state.library.list_trash()}
    assert error_of(api.speak(voice="saved:desk-voice"), 404)["code"] == "voice_not_found"
    assert all(v["source"] != "saved" for v in api.http.get("/v1/voices").json()["data"])


def test_save_rebuilds_the_prompt_after_a_restart(api):
    r = preview(api, x_vector_only="true", transcript="", language="English")
    assert r.status_code == 200, r.text
    api.state.prompts = PromptCache()  # as after a restart: only the kept clip remains
    jobs, _ = api.capture_jobs()
    saved = api.http.post("/v1/voices", json={"preview_id": r.headers["x-preview-id"],
                                              "name": "Timbre"})
    assert saved.status_code == 201, saved.text
    assert [j.label for j in jobs] == ["prompt"]
    assert saved.json()["language"] == "English"
    assert api.speak(voice="Timbre", response_format="pcm").status_code == 200


def test_bad_previews_write_nothing(serve, studio_home):
    api = serve(max_upload_bytes=300_000)
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "voice-studio-upload-*")))
    cases = [
        (dict(clip=wav_bytes(voice_like(8.0))), 413, "payload_too_large"),  # 384 KB
        (dict(clip=b"this is not audio"), 415, "unreadable_audio"),
        (dict(clip=wav_bytes(voice_like(2.0))), 422, "reference_check"),  # too short
        (dict(clip=wav_bytes(voice_like(0.5)), force="true"), 422, "bad_reference"),
        (dict(clip=wav_bytes(silence(4.0)), force="true"), 422, "bad_reference"),
        (dict(transcript=""), 400, "missing_transcript"),
        (dict(x_vector_only="true"), 400, "invalid_value"),  # and a transcript too
        (dict(text=""), 400, "empty_input"),
        (dict(response_format="ogg"), 400, "unsupported_format"),
        (dict(seed="x"), 400, "invalid_value"),
        (dict(colour="blue"), 400, "invalid_value"),
    ]
    for fields, status, code in cases:
        err = error_of(preview(api, **fields), status)
        assert err["code"] == code, (fields, err)
    no_file = api.http.post("/v1/voices/preview", data={"text": "Hi", "transcript": "Hi"},
                            files={"other": ("a.wav", reference_clip(), "audio/wav")})
    assert error_of(no_file, 400)["param"] == "file"
    as_json = api.http.post("/v1/voices/preview", json={"text": "Hi"})
    assert error_of(as_json, 415)["code"] == "unsupported_media_type"
    assert written(studio_home) == []
    after = set(glob.glob(os.path.join(tempfile.gettempdir(), "voice-studio-upload-*")))
    assert after <= before  # uploads are removed whatever happens

    forced = preview(api, clip=wav_bytes(voice_like(2.0)), force="true")
    assert forced.status_code == 200 and forced.headers["x-reference-check"] == "fail"
