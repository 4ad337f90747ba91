"""Voices that travel: a client's saved voice (its clone prompt) is sent once and kept by
hash (prompt_store.py); a clip the client has not made a prompt from yet is turned into
one here, kept the same way, and sent back, so the client can save the voice and name it
by hash from then on. Used by the window and the command line when they run takes on a
Voice Studio server (studio.remote).

``PUT /v1/voices/by-hash/{sha256}``: the prompt's bytes (201 new, 200 already here);
``GET``/``HEAD`` the same path: 200 when here, 404 ``voice_not_cached`` when not;
``POST /v1/voices/by-hash``: multipart ``file`` (a clip), ``transcript`` or
``x_vector_only``: 201 with the prompt's bytes and ``X-Voice-Hash``.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from studio.engine.speak_request import PromptRequest, make_prompt
from studio.server.bodies import parse_fields, read_form, read_limited
from studio.server.cloning import take_upload
from studio.server.errors import ApiError
from studio.server.prompt_store import HASH_PREFIX, PromptStore, check_digest, not_cached
from studio.server.refaudio import UPLOAD_PREFIX, decode_in
from studio.server.schemas import PromptForm
from studio.server.state import header_value, state
from studio.server.takes import settle

router = APIRouter()
PROMPT_TYPE = "application/octet-stream"


def described(digest: str, size: int, created: bool = False) -> dict:
    return {"id": f"{HASH_PREFIX}{digest}", "object": "voice.prompt", "bytes": size,
            "created": created}


def store_of(request: Request) -> PromptStore:
    return state(request).prompt_store


@router.put("/v1/voices/by-hash/{sha256}", summary="Keep a voice's clone prompt by its hash",
            openapi_extra={"requestBody": {"required": True, "content": {
                PROMPT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
async def put_prompt(request: Request, sha256: str) -> JSONResponse:
    digest = check_digest(sha256)
    store = store_of(request)
    data = await read_limited(request, state(request).config.max_upload_bytes, "voice prompt")
    created = await run_in_threadpool(store.put, digest, data)
    return JSONResponse(described(digest, len(data), created), status_code=201 if created else 200)


@router.get("/v1/voices/by-hash/{sha256}", summary="Is a voice with this hash here?")
async def has_prompt(request: Request, sha256: str) -> JSONResponse:
    digest = check_digest(sha256)
    size = await run_in_threadpool(store_of(request).size, digest)
    if size is None:
        raise not_cached(digest)
    return JSONResponse(described(digest, size))


router.add_api_route("/v1/voices/by-hash/{sha256}", has_prompt, methods=["HEAD"],
                     include_in_schema=False)


@router.post("/v1/voices/by-hash", status_code=201, response_class=Response,
             summary="Make a clone prompt from a clip, keep it by hash, and send it back")
async def make_from_clip(request: Request) -> Response:
    st = state(request)
    fields, files = await read_form(request, st.config.max_upload_bytes)
    upload = take_upload(files)
    form = parse_fields(PromptForm, fields)
    transcript = (form.transcript or "").strip()
    if form.x_vector_only == bool(transcript):
        raise ApiError(400, "Send 'transcript' (the words spoken in the clip), or "
                       "x_vector_only=true to clone the timbre alone; one of the two.",
                       "missing_transcript", param="transcript")
    with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as tmp:
        clip, _ = await run_in_threadpool(decode_in, Path(tmp), upload.data, upload.filename)
    wanted = PromptRequest(clip.audio, clip.sample_rate, transcript or None, form.x_vector_only)
    limit = st.config.request_timeout_s
    deadline = asyncio.get_running_loop().time() + limit
    job = st.scheduler.submit(lambda pool, _chunk, _cancel: make_prompt(pool, wanted),
                              label="voice prompt")
    prompt = await settle(job.result(), request, job, deadline, limit)
    digest, data = await run_in_threadpool(st.prompt_store.store, prompt)
    return Response(data, status_code=201, media_type=PROMPT_TYPE,
                    headers={"X-Voice-Hash": digest, "X-Model": header_value(prompt.model_name or "")})
