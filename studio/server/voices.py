"""The voice lifecycle over HTTP: list, preview a clone from a clip, save it, delete.

A preview is the CLI's ``voices clone`` split in two, like the window's clone page: the
clip is checked, a clone prompt is built and the text is spoken in that voice; only after
all of that succeeded is the clip kept in the preview area (an "import" item, with the
upload as its original and the transcript in its details, kept as long as any imported
clip). Saving promotes that clip into a new voice. A failed request writes nothing.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

import soundfile as sf
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from studio.audio.files import import_clip
from studio.audio.reference_check import check_clip
from studio.engine import speak_request
from studio.engine.errors import MissingTranscript
from studio.engine.pool import ModelPool
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import CLONE, PromptRequest, SpeakRequest, make_prompt
from studio.engine.stream import CancelToken
from studio.engine.take import Take
from studio.errors import Cancelled
from studio.library.anyvoice import SAVED, VoiceRef, all_voices, resolve
from studio.library.errors import InvalidName
from studio.library.folder import VoiceEntry
from studio.library.ids import clean_name, name_key
from studio.library.previews import PreviewItem
from studio.library.schema import format_time
from studio.server.bodies import parse_fields, read_form, read_json
from studio.server.encode import MEDIA_TYPES, check_format, encode
from studio.server.errors import ApiError
from studio.server.scheduler import ChunkFn
from studio.server.schemas import (
    PreviewForm,
    PreviewInfo,
    SaveVoiceRequest,
    VoiceDeleted,
    VoiceList,
    VoiceOut,
)
from studio.server.speech import check_text, sampling_for
from studio.server.state import ServerState, header_value, json_body, state
from studio.server.takes import settle

router = APIRouter()
API_SOURCE = "api"


def saved_out(entry: VoiceEntry) -> VoiceOut:
    v = entry.voice
    return VoiceOut(id=f"{SAVED}:{v.id}", name=v.name, source="saved", language=v.language,
                    description=v.description, voice_id=v.id, kind=v.kind,
                    created=format_time(v.created))


def ref_out(ref: VoiceRef, st: ServerState) -> VoiceOut:
    if ref.source == SAVED:
        return saved_out(st.library.get(ref.id))
    return VoiceOut(id=ref.key, name=ref.name, source=ref.source,  # type: ignore[arg-type]
                    language=ref.language, description=ref.description)


def list_voices(st: ServerState) -> VoiceList:
    saved = [saved_out(e) for e in st.library.list().voices]
    return VoiceList(data=saved + [ref_out(r, st) for r in all_voices(None)])


@router.get("/v1/voices", response_model=VoiceList, summary="Every voice 'voice' accepts")
async def get_voices(request: Request) -> VoiceList:
    return await run_in_threadpool(list_voices, state(request))


# --- previews (registered before /v1/voices/{voice_id} so "preview" is not taken as an id)


def _upload_name(filename: str) -> str:
    """A safe file name for the upload that keeps its extension (libsndfile uses it)."""
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(filename or "").name).strip(" .")
    return (name or "clip")[-120:]


def preview_info(item: PreviewItem) -> PreviewInfo:
    meta = item.meta
    if meta.get("source") != API_SOURCE:
        raise ApiError(404, f"The unsaved clip {item.id} was not made by POST "
                       "/v1/voices/preview.", "preview_not_found", param="preview_id")
    info = sf.info(str(item.path))
    return PreviewInfo(id=item.id, expires=format_time(item.expires),
                       transcript=meta.get("transcript"),
                       x_vector_only=bool(meta.get("x_vector_only")),
                       language=meta.get("language"), text=str(meta.get("text", "")),
                       seed=meta.get("seed"), reference_seconds=round(info.duration, 3))


@router.post("/v1/voices/preview", response_class=Response, summary="Hear a clone of a clip",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {
                     "type": "object", "required": ["file", "text"],
                     "properties": {"file": {"type": "string", "format": "binary"},
                                    **PreviewForm.model_json_schema()["properties"]}}}}}})
async def preview(request: Request) -> Response:
    st = state(request)
    cfg = st.config
    fields, files = await read_form(request, cfg.max_upload_bytes)
    upload = files.pop("file", None)
    if upload is None or not upload.data:
        raise ApiError(400, "'file' is required: the reference clip (WAV, FLAC, OGG or MP3, "
                       "5-15 s of one person speaking).", "missing_file", param="file")
    if files:
        raise ApiError(400, f"Only one file ('file') is taken, not {', '.join(files)}.",
                       "unexpected_file", param=next(iter(files)))
    form = parse_fields(PreviewForm, fields)
    fmt = check_format(form.response_format, False)
    text = check_text(form.text, cfg, "text")
    transcript = (form.transcript or "").strip()
    if form.x_vector_only and transcript:
        raise ApiError(400, "Give either a transcript or x_vector_only, not both.",
                       "invalid_value", param="x_vector_only")
    if not form.x_vector_only and not transcript:
        raise MissingTranscript()
    sampling = sampling_for(cfg, form.seed, form.max_seconds)
    limit = cfg.request_timeout_s
    deadline = asyncio.get_running_loop().time() + limit
    with tempfile.TemporaryDirectory(prefix="voice-studio-upload-") as tmp:
        path = Path(tmp) / _upload_name(upload.filename)
        await run_in_threadpool(path.write_bytes, upload.data)
        clip = await run_in_threadpool(import_clip, path)
        report = await run_in_threadpool(check_clip, clip)
        if not report.ok and not form.force:
            problems = " ".join(i.message for i in report.items if i.status.value == "fail")
            raise ApiError(422, f"The clip failed the reference check: {problems} Send a "
                           "better clip, or force=true to use it anyway.", "reference_check",
                           param="file")
        prompt_request = PromptRequest(clip.audio, clip.sample_rate, transcript or None,
                                       form.x_vector_only)

        def work(pool: ModelPool, on_chunk: ChunkFn,
                 cancel: CancelToken) -> tuple[VoicePrompt, Take]:
            prompt = make_prompt(pool, prompt_request)
            if cancel.cancelled:
                raise Cancelled()
            speak = SpeakRequest(text, CLONE, form.language or "auto", prompt=prompt,
                                 sampling=sampling, streaming=cfg.streaming)
            return prompt, speak_request.run(pool, speak, on_chunk, cancel)

        job = st.scheduler.submit(work, label="preview")
        prompt, take = await settle(job.result(), request, job, deadline, limit)
        data = await run_in_threadpool(encode, take.audio, take.sample_rate, fmt)
        meta = dict(source=API_SOURCE, transcript=transcript or None,
                    x_vector_only=form.x_vector_only, language=form.language, text=text,
                    seed=take.seed, file=upload.filename[:255], model=prompt.model_name)
        item = await run_in_threadpool(st.library.previews.add_audio, clip.audio,
                                       clip.sample_rate, "import", meta, original=path)
    st.prompts.put(item.id, prompt)
    headers = {"X-Preview-Id": item.id, "X-Preview-Expires": format_time(item.expires),
               "X-Seed": str(take.seed), "X-Stop-Reason": take.stop_reason,
               "X-Reference-Check": report.worst.value, "X-Sample-Rate": str(take.sample_rate),
               "X-Model": header_value(take.model_name)}
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/v1/voices/preview/{preview_id}", response_model=PreviewInfo,
            summary="What a preview holds and when it expires")
async def get_preview(request: Request, preview_id: str) -> PreviewInfo:
    st = state(request)
    item = await run_in_threadpool(st.library.previews.get, preview_id)
    return await run_in_threadpool(preview_info, item)


@router.delete("/v1/voices/preview/{preview_id}", summary="Discard a preview")
async def delete_preview(request: Request, preview_id: str) -> dict:
    st = state(request)
    item = await run_in_threadpool(st.library.previews.get, preview_id)
    await run_in_threadpool(preview_info, item)  # only the API's own previews
    await run_in_threadpool(st.library.previews.remove, item.id)
    st.prompts.pop(item.id)
    return {"id": item.id, "object": "voice.preview.deleted", "deleted": True}


# --- saved voices ----------------------------------------------------------------------------


def _check_free_name(st: ServerState, name: str) -> str:
    cleaned = clean_name(name)
    if any(name_key(v.name) == name_key(cleaned) for v in st.library.list().voices):
        raise ApiError(409, f"A voice called {cleaned!r} already exists. Choose another name, "
                       "or delete that voice first.", "name_taken", param="name")
    return cleaned


@router.post("/v1/voices", status_code=201, response_model=VoiceOut,
             openapi_extra=json_body(SaveVoiceRequest), summary="Save a preview as a voice")
async def save_voice(request: Request) -> JSONResponse:
    st = state(request)
    body = await read_json(request, SaveVoiceRequest, st.config.max_json_bytes)
    item = await run_in_threadpool(st.library.previews.get, body.preview_id)
    info = await run_in_threadpool(preview_info, item)
    name = await run_in_threadpool(_check_free_name, st, body.name)
    prompt = st.prompts.get(item.id)
    if prompt is None:  # the server restarted since the preview: build it again
        audio, sr = await run_in_threadpool(sf.read, str(item.path), dtype="float32")
        req = PromptRequest(audio, int(sr), info.transcript, info.x_vector_only)
        limit = st.config.request_timeout_s
        job = st.scheduler.submit(lambda pool, _c, _t: make_prompt(pool, req), label="prompt")
        deadline = asyncio.get_running_loop().time() + limit
        prompt = await settle(job.result(), request, job, deadline, limit)
    try:
        entry = await run_in_threadpool(
            lambda: st.library.create(name, prompt=prompt, kind="cloned", preview=item.id,
                                      transcript=info.transcript or "",
                                      language=body.language or info.language or "Auto",
                                      description=body.description,
                                      model=prompt.model_name or None))
    except InvalidName as exc:  # taken between the check and the save
        raise ApiError(409, str(exc), "name_taken", param="name") from exc
    st.prompts.pop(item.id)
    return JSONResponse(saved_out(entry).model_dump(), status_code=201)


@router.get("/v1/voices/{voice_id}", response_model=VoiceOut, summary="One voice")
async def get_voice(request: Request, voice_id: str) -> VoiceOut:
    st = state(request)
    return await run_in_threadpool(lambda: ref_out(resolve(voice_id, st.library), st))


@router.delete("/v1/voices/{voice_id}", response_model=VoiceDeleted,
               summary="Move a saved voice to the trash")
async def delete_voice(request: Request, voice_id: str) -> VoiceDeleted:
    st = state(request)
    ref = await run_in_threadpool(resolve, voice_id, st.library)
    if ref.source != SAVED:
        raise ApiError(400, f"{ref.name!r} is a built-in voice; only saved voices can be "
                       "deleted.", "builtin_voice", param="voice_id")
    item = await run_in_threadpool(st.library.delete, ref.id)
    return VoiceDeleted(id=ref.key, trash_id=item.trash_id)
