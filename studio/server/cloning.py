"""Speak in the voice of an uploaded clip, in one request: ``POST /v1/audio/speech/clone``
and ``POST /v1/voices/preview`` (the same work under the field names of each).

The clip is checked, a clone prompt is built and the text is spoken in that voice; only
after all of that succeeded is the clip kept in the preview area (an "import" item, with
the upload as its original and the transcript in its details, kept as long as any
imported clip), so ``POST /v1/voices`` can save it as a voice later. A failed request
writes nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from studio.audio.encoding import MEDIA_TYPES
from studio.audio.reference_check import check_clip
from studio.engine import speak_request
from studio.engine.pool import ModelPool
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import CLONE, PromptRequest, SpeakRequest, make_prompt
from studio.engine.stream import CancelToken
from studio.engine.take import Take
from studio.errors import Cancelled
from studio.library.schema import format_time
from studio.server.audio_out import check_format, whole_file
from studio.server.bodies import Upload, parse_fields, read_form
from studio.server.errors import ApiError
from studio.server.refaudio import UPLOAD_PREFIX, decode_in
from studio.server.scheduler import ChunkFn
from studio.server.schemas import CloneForm
from studio.server.speech_plan import check_text, sampling_for
from studio.server.state import ServerState, header_value, state
from studio.server.takes import settle

router = APIRouter()
API_SOURCE = "api"


@dataclass(frozen=True)
class CloneAsk:
    """One clone-and-speak request, whichever endpoint it came through."""

    text: str
    transcript: str
    x_vector_only: bool
    language: str | None
    seed: int | None
    max_seconds: float | None
    force: bool
    fmt: str
    speed: float = 1.0
    transcript_param: str = "transcript"


def take_upload(files: dict[str, Upload]) -> Upload:
    upload = files.pop("file", None)
    if upload is None or not upload.data:
        raise ApiError(400, "'file' is required: the reference clip (WAV, FLAC, OGG or MP3, "
                       "5-15 s of one person speaking).", "missing_file", param="file")
    if files:
        raise ApiError(400, f"Only one file ('file') is taken, not {', '.join(files)}.",
                       "unexpected_file", param=next(iter(files)))
    return upload


def check_transcript(ask: CloneAsk) -> None:
    if ask.x_vector_only and ask.transcript:
        raise ApiError(400, f"Give either {ask.transcript_param} or x_vector_only, not both.",
                       "invalid_value", param="x_vector_only")
    if not ask.x_vector_only and not ask.transcript:
        raise ApiError(400, f"'{ask.transcript_param}' is needed: the exact words spoken in the "
                       "clip. Or send x_vector_only=true to clone from the voice's timbre "
                       "alone (less faithful).", "missing_transcript",
                       param=ask.transcript_param)


async def speak_upload(request: Request, st: ServerState, upload: Upload,
                       ask: CloneAsk) -> Response:
    cfg = st.config
    check_transcript(ask)
    sampling = sampling_for(cfg, ask.seed, ask.max_seconds)
    limit = cfg.request_timeout_s
    deadline = asyncio.get_running_loop().time() + limit
    with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as tmp:
        clip, path = await run_in_threadpool(decode_in, Path(tmp), upload.data, upload.filename)
        report = await run_in_threadpool(check_clip, clip)
        if not report.ok and not ask.force:
            problems = " ".join(i.message for i in report.items if i.status.value == "fail")
            raise ApiError(422, f"The clip failed the reference check: {problems} Send a "
                           "better clip, or force=true to use it anyway.", "reference_check",
                           param="file")
        prompt_request = PromptRequest(clip.audio, clip.sample_rate, ask.transcript or None,
                                       ask.x_vector_only)

        def work(pool: ModelPool, on_chunk: ChunkFn,
                 cancel: CancelToken) -> tuple[VoicePrompt, Take]:
            prompt = make_prompt(pool, prompt_request)
            if cancel.cancelled:
                raise Cancelled()
            speak = SpeakRequest(ask.text, CLONE, ask.language or "auto", prompt=prompt,
                                 sampling=sampling, streaming=cfg.streaming)
            return prompt, speak_request.run(pool, speak, on_chunk, cancel)

        job = st.scheduler.submit(work, label="clone")
        prompt, take = await settle(job.result(), request, job, deadline, limit)
        data = await run_in_threadpool(whole_file, take.audio, take.sample_rate, ask.fmt,
                                       ask.speed)
        meta = dict(source=API_SOURCE, transcript=ask.transcript or None,
                    x_vector_only=ask.x_vector_only, language=ask.language, text=ask.text,
                    seed=take.seed, file=upload.filename[:255], model=prompt.model_name)
        item = await run_in_threadpool(st.library.previews.add_audio, clip.audio,
                                       clip.sample_rate, "import", meta, original=path)
    st.prompts.put(item.id, prompt)
    headers = {"X-Preview-Id": item.id, "X-Preview-Expires": format_time(item.expires),
               "X-Seed": str(take.seed), "X-Stop-Reason": take.stop_reason,
               "X-Reference-Check": report.worst.value, "X-Sample-Rate": str(take.sample_rate),
               "X-Audio-Seconds": f"{take.duration_s / ask.speed:.3f}",
               "X-Model": header_value(take.model_name)}
    return Response(data, media_type=MEDIA_TYPES[ask.fmt], headers=headers)


def form_schema(model: type) -> dict:
    """OpenAPI for a multipart body: the clip as ``file`` and ``model``'s text fields."""
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", *model.model_json_schema().get("required", [])],
        "properties": {"file": {"type": "string", "format": "binary"},
                       **model.model_json_schema()["properties"]}}}}}}


@router.post("/v1/audio/speech/clone", response_class=Response,
             openapi_extra=form_schema(CloneForm), summary="Speak in the voice of a clip")
async def clone(request: Request) -> Response:
    st = state(request)
    fields, files = await read_form(request, st.config.max_upload_bytes)
    upload = take_upload(files)
    form = parse_fields(CloneForm, fields)
    ask = CloneAsk(text=check_text(form.input, st.config, "input"),
                   transcript=(form.ref_text or "").strip(), x_vector_only=form.x_vector_only,
                   language=form.language, seed=form.seed, max_seconds=form.max_seconds,
                   force=form.force, fmt=check_format(form.response_format, False),
                   speed=form.speed or 1.0, transcript_param="ref_text")
    return await speak_upload(request, st, upload, ask)
