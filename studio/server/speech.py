"""``POST /v1/audio/speech`` in the shape of OpenAI's speech API, and ``GET /v1/models``.

The voice decides the model kind, exactly as in the CLI and the window (it resolves through
``studio.library.anyvoice``, after the OpenAI voice names of ``aliases``); ``model`` is an
alias or names one installed model of that kind. Formats that can be streamed are sent
while the take is generated, unless the request says ``"stream": false``; the status line
waits for the first chunk, so errors the model finds still get their 4xx.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from studio.audio.encoding import MEDIA_TYPES, STREAMABLE
from studio.audio.samplerate import SAMPLE_RATE
from studio.engine import batch_requests, speak_request
from studio.engine.pool import ModelPool
from studio.engine.speak_request import make_prompt
from studio.engine.stream import CancelToken
from studio.engine.take import Take
from studio.errors import Cancelled
from studio.server.audio_out import AudioPipe, check_format, whole_file
from studio.server.bodies import read_json
from studio.server.errors import ApiError
from studio.server.scheduler import BatchSpec, ChunkFn, Job
from studio.server.schemas import MODEL_ALIASES, SpeechRequest
from studio.server.speech_plan import SpeechPlan, check_text, plan
from studio.server.state import ServerState, header_value, json_body, state
from studio.server.takes import TakeStream, TakeStreamResponse, settle

router = APIRouter()
SSE, AUDIO, WHOLE = "sse", "audio", "whole"
SSE_TYPE = "text/event-stream"


def delivery(body: SpeechRequest) -> str:
    """sse, audio (streamed bytes) or whole (one file with a Content-Length)."""
    if body.stream_format is not None:
        if body.stream is False:
            raise ApiError(400, f"stream_format {body.stream_format!r} streams, and stream is "
                           "false. Leave one of them out.", "conflicting_stream_options",
                           param="stream")
        return SSE if body.stream_format == "sse" else AUDIO
    if body.stream is None:
        fmt = (body.response_format or "").strip().lower()
        return AUDIO if fmt in STREAMABLE else WHOLE
    return AUDIO if body.stream else WHOLE


def warning_headers(warnings: list[str]) -> dict[str, str]:
    return {"X-Warning": header_value("; ".join(warnings))} if warnings else {}


def submit(st: ServerState, p: SpeechPlan) -> Job:
    """Queue the take; it may be generated together with other requests for the same model
    (server/scheduler.py), each keeping its own voice, seed and sampling."""
    speak, reference = p.speak, p.reference

    def request(pool: ModelPool, cancel: CancelToken) -> speak_request.SpeakRequest:
        if reference is None:
            return speak
        prompted = replace(speak, prompt=make_prompt(pool, reference))  # on the engine
        if cancel.cancelled:
            raise Cancelled()
        return prompted

    def work(pool: ModelPool, on_chunk: ChunkFn, cancel: CancelToken) -> Take:
        return speak_request.run(pool, request(pool, cancel), on_chunk, cancel)

    return st.scheduler.submit(work, label=f"speech {p.voice_key}",
                               batch=BatchSpec(batch_requests.batch_key(speak), request))


@router.post("/v1/audio/speech", openapi_extra=json_body(SpeechRequest),
             response_class=Response, responses={200: {"content": {
                 t: {} for t in [*MEDIA_TYPES.values(), SSE_TYPE]}, "description": "the audio"}},
             summary="Speak text in a voice (OpenAI-compatible)")
async def speech(request: Request) -> Response:
    st = state(request)
    cfg = st.config
    clip_b64 = (cfg.max_upload_bytes // 3 + 1) * 4 + 256  # ref_audio, as base64 in a data: URL
    body = await read_json(request, SpeechRequest, cfg.max_json_bytes, ("ref_audio", clip_b64))
    how = delivery(body)
    fmt = check_format(body.response_format, how != WHOLE)
    speed = body.speed or 1.0
    text = check_text(body.input, cfg, "input")
    p = await run_in_threadpool(plan, st, body, text)
    job = submit(st, p)
    limit = cfg.request_timeout_s
    deadline = asyncio.get_running_loop().time() + limit
    headers = {"X-Seed": str(p.speak.sampling.seed), "X-Voice": header_value(p.voice_key),
               **warning_headers(p.warnings)}
    if how != WHOLE:
        first = await settle(job.next_chunk(), request, job, deadline, limit)
        headers["X-Sample-Rate"] = str(SAMPLE_RATE)
        try:
            stream = TakeStream(job, first, AudioPipe(fmt, SAMPLE_RATE, speed), deadline, limit,
                                len(text))
            if how == SSE:
                return TakeStreamResponse(job, stream.events(), media_type=SSE_TYPE,
                                          headers=headers)
            return TakeStreamResponse(job, stream.audio(), lambda: stream.failure is not None,
                                      media_type=MEDIA_TYPES[fmt], headers=headers)
        except BaseException:
            job.cancel()
            raise
    take = await settle(job.result(), request, job, deadline, limit)
    data = await run_in_threadpool(whole_file, take.audio, take.sample_rate, fmt, speed)
    headers.update({"X-Sample-Rate": str(take.sample_rate), "X-Stop-Reason": take.stop_reason,
                    "X-Audio-Seconds": f"{take.duration_s / speed:.3f}",
                    "X-Model": header_value(take.model_name)})
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/v1/models", summary="The model names 'model' accepts")
async def list_models(request: Request) -> dict:
    st = state(request)
    installed = await run_in_threadpool(st.scheduler.engine.pool.available)
    data = [{"id": a, "object": "model", "owned_by": "voice-studio", "kind": "alias"}
            for a in MODEL_ALIASES]
    data += [{"id": i.name, "object": "model", "owned_by": "voice-studio", "kind": i.kind,
              "size": i.size} for i in installed if i.usable]
    return {"object": "list", "data": data}
