"""``POST /v1/audio/speech`` in the shape of OpenAI's speech API, and ``GET /v1/models``.

The voice decides the model kind, exactly as in the CLI and the window (it resolves through
``studio.library.anyvoice``); ``model`` is an alias or names one installed model of that
kind.
"""

from __future__ import annotations

import asyncio
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from studio.audio.samplerate import SAMPLE_RATE
from studio.engine import speak_request
from studio.engine.options import Sampling
from studio.engine.speak_request import MODE_KIND
from studio.library.anyvoice import SAVED, VoiceRef, resolve
from studio.server.bodies import read_json
from studio.server.config import ServerConfig, seconds_to_frames
from studio.server.encode import MEDIA_TYPES, StreamEncoder, check_format, encode
from studio.server.errors import ApiError
from studio.server.schemas import MAX_SEED, MODEL_ALIASES, SpeechRequest
from studio.server.state import ServerState, header_value, json_body, state
from studio.server.takes import TakeStreamResponse, settle, stream_chunks

router = APIRouter()
KIND_NAMES = {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign"}


def check_text(text: str, config: ServerConfig, param: str) -> str:
    if not text or not text.strip():
        raise ApiError(400, f"'{param}' is empty: give the text to speak.", "empty_input",
                       param=param)
    if len(text) > config.max_input_chars:
        raise ApiError(400, f"'{param}' is {len(text)} characters long; this server takes up "
                       f"to {config.max_input_chars} per request. Split the text.",
                       "input_too_long", param=param)
    return text


def sampling_for(config: ServerConfig, seed: int | None, max_seconds: float | None) -> Sampling:
    """A seed is always chosen here, so it can be reported before the take starts."""
    caps = [c for c in (config.max_frames,
                        seconds_to_frames(max_seconds) if max_seconds else None) if c]
    return Sampling(seed=secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
                    max_frames=min(caps) if caps else None)


def model_preference(st: ServerState, model: str, ref: VoiceRef) -> str | None:
    """None for an alias (the default model of the voice's kind), else that model's name."""
    wanted = (model or "").strip()
    if not wanted or wanted.lower() in MODEL_ALIASES:
        return None
    kind = MODE_KIND[ref.mode]
    installed = [i for i in st.scheduler.engine.pool.available() if i.usable]  # disk only
    for info in installed:
        if info.name.lower() == wanted.lower():
            if info.kind != kind:
                raise ApiError(400, f"The voice {ref.name!r} speaks with a "
                               f"{KIND_NAMES[kind]} model, and {info.name} is a "
                               f"{KIND_NAMES.get(info.kind, info.kind)} model. Leave 'model' "
                               "as qwen3-tts to use the right one.", "wrong_model_kind",
                               param="model")
            return info.name
    names = ", ".join([*MODEL_ALIASES, *sorted(i.name for i in installed)])
    raise ApiError(404, f"There is no model called {wanted!r}. Use one of: {names}.",
                   "model_not_found", param="model")


@router.post("/v1/audio/speech", openapi_extra=json_body(SpeechRequest),
             response_class=Response, responses={200: {"content": {
                 t: {} for t in MEDIA_TYPES.values()}, "description": "the audio"}},
             summary="Speak text in a voice (OpenAI-compatible)")
async def speech(request: Request) -> Response:
    st = state(request)
    cfg = st.config
    body = await read_json(request, SpeechRequest, cfg.max_json_bytes)
    if body.stream_format == "sse":
        raise ApiError(400, "stream_format 'sse' is not supported; use 'audio' (or stream: "
                       "true) for raw audio chunks.", "unsupported_stream_format",
                       param="stream_format")
    stream = body.stream or body.stream_format == "audio"
    fmt = check_format(body.response_format, stream)
    if body.speed is not None and body.speed != 1.0:
        raise ApiError(400, "Only speed 1.0 is supported.", "unsupported_speed", param="speed")
    text = check_text(body.input, cfg, "input")
    if not body.voice_name.strip():
        raise ApiError(400, "'voice' is empty: name a voice (GET /v1/voices lists them).",
                       "empty_voice", param="voice")
    ref = await run_in_threadpool(resolve, body.voice_name, st.library)
    if ref.source == SAVED and (body.instructions or "").strip():
        raise ApiError(400, f"{ref.name!r} is a saved (cloned) voice, which cannot take "
                       "instructions. Leave 'instructions' out, or use a preset speaker or a "
                       "design voice.", "instructions_not_supported", param="instructions")
    prefer = await run_in_threadpool(model_preference, st, body.model, ref)
    sampling = sampling_for(cfg, body.seed, body.max_seconds)
    speak = await run_in_threadpool(
        lambda: ref.request(text, st.library, language=body.language,
                            instruct=body.instructions, sampling=sampling,
                            streaming=cfg.streaming, model=prefer))
    job = st.scheduler.submit(
        lambda pool, on_chunk, cancel: speak_request.run(pool, speak, on_chunk, cancel),
        label=f"speech {ref.key}")
    limit = cfg.request_timeout_s
    deadline = asyncio.get_running_loop().time() + limit
    headers = {"X-Seed": str(sampling.seed), "X-Voice": header_value(ref.key)}
    if stream:
        # the status waits for the first chunk, so errors found by the model (language,
        # speaker, missing model) still get their 4xx; afterwards the response owns the job
        first = await settle(job.next_chunk(), request, job, deadline, limit)
        headers["X-Sample-Rate"] = str(SAMPLE_RATE)
        try:
            chunks = stream_chunks(job, first, StreamEncoder(fmt, SAMPLE_RATE), deadline, limit)
            return TakeStreamResponse(job, chunks, media_type=MEDIA_TYPES[fmt], headers=headers)
        except BaseException:
            job.cancel()
            raise
    take = await settle(job.result(), request, job, deadline, limit)
    data = await run_in_threadpool(encode, take.audio, take.sample_rate, fmt)
    headers.update({"X-Sample-Rate": str(take.sample_rate), "X-Stop-Reason": take.stop_reason,
                    "X-Audio-Seconds": f"{take.duration_s:.3f}",
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
