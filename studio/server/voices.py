"""The voice lifecycle over HTTP: list, preview a clone from a clip, save it, delete.

A preview is the CLI's ``voices clone`` split in two, like the window's clone page: the
clip is spoken in (``cloning.speak_upload``) and kept in the preview area; saving promotes
that clip into a new voice. The listing also names the voice aliases (OpenAI's voice
names), and ``GET /v1/audio/voices`` lists the same names in vLLM-Omni's shape.
"""

from __future__ import annotations

import asyncio

import soundfile as sf
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from studio.engine.speak_request import PromptRequest, make_prompt
from studio.library.anyvoice import SAVED, SPEAKER, VoiceRef, all_voices
from studio.library.errors import InvalidName, VoiceNotFound
from studio.library.folder import VoiceEntry
from studio.library.ids import clean_name, name_key
from studio.library.previews import PreviewItem
from studio.library.schema import format_time
from studio.server.audio_out import check_format
from studio.server.bodies import parse_fields, read_form, read_json
from studio.server.cloning import API_SOURCE, CloneAsk, form_schema, speak_upload, take_upload
from studio.server.errors import ApiError
from studio.server.schemas import (
    PreviewForm,
    PreviewInfo,
    SaveVoiceRequest,
    VoiceDeleted,
    VoiceList,
    VoiceOut,
)
from studio.server.speech_plan import check_text
from studio.server.state import ServerState, json_body, state
from studio.server.takes import settle

router = APIRouter()


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


def alias_outs(st: ServerState) -> list[VoiceOut]:
    """Every alias whose voice exists, as what it speaks with."""
    out = []
    for alias in st.aliases.all():
        try:
            ref = st.aliases.resolve(alias.name, st.library)
        except VoiceNotFound:
            continue
        if name_key(ref.name) == name_key(alias.name):
            continue  # a real voice of that name wins over a default alias
        out.append(VoiceOut(id=alias.name, name=alias.name, source="alias",
                            language=ref.language, alias_of=ref.key,
                            description=f"speaks as {ref.name}"))
    return out


def list_voices(st: ServerState) -> VoiceList:
    saved = [saved_out(e) for e in st.library.list().voices]
    builtin = [ref_out(r, st) for r in all_voices(None)]
    return VoiceList(data=saved + builtin + alias_outs(st))


@router.get("/v1/voices", response_model=VoiceList, summary="Every voice 'voice' accepts")
async def get_voices(request: Request) -> VoiceList:
    return await run_in_threadpool(list_voices, state(request))


def omni_voices(st: ServerState) -> dict:
    """vLLM-Omni's ``GET /v1/audio/voices``: names, and the saved (cloned) voices."""
    entries = st.library.list().voices
    names = [r.id for r in all_voices(None) if r.source == SPEAKER]
    names += [a.id for a in alias_outs(st)] + [e.voice.id for e in entries]
    uploaded = [{"name": e.voice.id, "display_name": e.voice.name,
                 "created_at": int(e.voice.created.timestamp())}
                for e in entries]
    return {"voices": names, "uploaded_voices": uploaded}


@router.get("/v1/audio/voices", summary="Voice names, in vLLM-Omni's shape")
async def get_omni_voices(request: Request) -> dict:
    return await run_in_threadpool(omni_voices, state(request))


# --- previews (registered before /v1/voices/{voice_id} so "preview" is not taken as an id)


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
             openapi_extra=form_schema(PreviewForm))
async def preview(request: Request) -> Response:
    st = state(request)
    fields, files = await read_form(request, st.config.max_upload_bytes)
    upload = take_upload(files)
    form = parse_fields(PreviewForm, fields)
    ask = CloneAsk(text=check_text(form.text, st.config, "text"),
                   transcript=(form.transcript or "").strip(), x_vector_only=form.x_vector_only,
                   language=form.language, seed=form.seed, max_seconds=form.max_seconds,
                   force=form.force, fmt=check_format(form.response_format, False))
    return await speak_upload(request, st, upload, ask)


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
    return await run_in_threadpool(lambda: ref_out(st.aliases.resolve(voice_id, st.library), st))


@router.delete("/v1/voices/{voice_id}", response_model=VoiceDeleted,
               summary="Move a saved voice to the trash")
async def delete_voice(request: Request, voice_id: str) -> VoiceDeleted:
    st = state(request)
    ref = await run_in_threadpool(st.aliases.resolve, voice_id, st.library)
    if ref.source != SAVED:
        raise ApiError(400, f"{ref.name!r} is a built-in voice; only saved voices can be "
                       "deleted.", "builtin_voice", param="voice_id")
    item = await run_in_threadpool(st.library.delete, ref.id)
    return VoiceDeleted(id=ref.key, trash_id=item.trash_id)
