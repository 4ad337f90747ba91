"""What a speech request asks for, settled before any model work: the voice (a name, an
alias, or vLLM-Omni's ``task_type`` + ``ref_audio``), the model, the sampling, and the
parts of the request that are ignored, each with a warning for the ``X-Warning`` header.

Like OpenAI's ``tts-1``, a voice that cannot take ``instructions`` (a cloned voice, or a
preset speaker on a CustomVoice model without style control) speaks without them rather
than failing.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from studio.engine.errors import ModelNotFound
from studio.engine.options import Sampling, Streaming
from studio.engine.speak_request import CLONE, DESIGN, MODE_KIND, PromptRequest, SpeakRequest
from studio.library.anyvoice import DESIGN_PRESET, SAVED, SPEAKER, VoiceRef
from studio.server.config import FRAME_RATE, ServerConfig
from studio.server.errors import ApiError
from studio.server.prompt_store import HASH_PREFIX, check_digest, not_cached
from studio.server.refaudio import UPLOAD_PREFIX, decode_in, ref_audio_bytes
from studio.server.schemas import MAX_SEED, MODEL_ALIASES, SpeechRequest
from studio.server.state import ServerState

KIND_NAMES = {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign"}
TASK_SOURCES = {"Base": SAVED, "CustomVoice": SPEAKER, "VoiceDesign": DESIGN_PRESET}
SOURCE_WORDS = {SAVED: "a saved (cloned) voice", SPEAKER: "a preset speaker",
                DESIGN_PRESET: "a design voice"}
DEFAULT_VOICE = "Vivian"  # vLLM-Omni's default speaker, when 'voice' is left out
REF_AUDIO_KEY = "ref_audio"
DESIGN_KEY = "design:instructions"
# qwen-tts's prompt construction the engine uses per kind of model a take starts with
# (vLLM-Omni's defaults too). None: both. A design take that draws its voice designs its
# sample (true) and clones the rest from it (false, studio.engine.design_voice); a design
# voice already kept is only cloned, so its request starts with the Base model.
NON_STREAMING_MODE = {"voice_design": None, "custom_voice": True, "base": False}
BUILT_WITH = {True: "true", False: "false",
              None: "true for the designed sample and false for what is cloned from it"}
SAMPLING_FIELDS = ("temperature", "top_k", "top_p", "repetition_penalty")


@dataclass
class SpeechPlan:
    speak: SpeakRequest  # for ref_audio: prompt None until the job builds it from reference
    voice_key: str
    reference: PromptRequest | None = None
    warnings: list[str] = field(default_factory=list)


def check_text(text: str, config: ServerConfig, param: str) -> str:
    if not text or not text.strip():
        raise ApiError(400, f"'{param}' is empty: give the text to speak.", "empty_input",
                       param=param)
    if len(text) > config.max_input_chars:
        raise ApiError(400, f"'{param}' is {len(text)} characters long; this server takes up "
                       f"to {config.max_input_chars} per request. Split the text.",
                       "input_too_long", param=param)
    return text


def sampling_for(config: ServerConfig, seed: int | None, max_seconds: float | None,
                 max_frames: int | None = None, body: SpeechRequest | None = None) -> Sampling:
    """A seed is always chosen here, so it can be reported before the take starts. The
    length cap is the smallest of the server's, the request's ``max_seconds`` and its
    ``max_frames`` (vLLM's max_new_tokens), for the whole response."""
    caps = [c for c in (config.max_seconds, max_seconds,
                        None if max_frames is None else max_frames / FRAME_RATE) if c is not None]
    tuned = {} if body is None else {name: getattr(body, name) for name in SAMPLING_FIELDS}
    return Sampling(seed=secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
                    max_seconds=min(caps) if caps else None, **tuned)


def model_preference(st: ServerState, model: str, kind: str, voice: str,
                     warnings: list[str]) -> str | None:
    """None for an alias (the default model of the voice's kind), else that model's name.

    A Hugging Face id (``Qwen/Qwen3-TTS-12Hz-1.7B-CustomVoice``, what vLLM-Omni clients
    send) names the installed model of that name when there is one of the right kind,
    and otherwise falls back to the default, with a warning, instead of failing."""
    wanted = (model or "").strip()
    if not wanted or wanted.lower() in MODEL_ALIASES:
        return None
    hub_id = "/" in wanted
    name = wanted.rsplit("/", 1)[-1]
    installed = [i for i in st.scheduler.engine.pool.available() if i.usable]  # disk only
    for info in installed:
        if info.name.lower() == name.lower():
            if info.kind == kind:
                return info.name
            if hub_id:
                break
            raise ApiError(400, f"The voice {voice!r} speaks with a {KIND_NAMES[kind]} model, "
                           f"and {info.name} is a {KIND_NAMES.get(info.kind, info.kind)} model. "
                           "Leave 'model' as qwen3-tts to use the right one.",
                           "wrong_model_kind", param="model")
    if hub_id and name.lower().startswith("qwen3-tts"):
        warnings.append(f"model {wanted} is not installed here for this voice; used the "
                        f"installed {KIND_NAMES[kind]} model")
        return None
    names = ", ".join([*MODEL_ALIASES, *sorted(i.name for i in installed)])
    raise ApiError(404, f"There is no model called {wanted!r}. Use one of: {names}.",
                   "model_not_found", param="model")


def _instructions(st: ServerState, ref: VoiceRef, body: SpeechRequest, prefer: str | None,
                  warnings: list[str]) -> str | None:
    """The instructions to pass on, or None (with a warning) where they cannot be used."""
    text = (body.instructions or "").strip() or None
    if text is None or ref.source == DESIGN_PRESET:
        return text
    if ref.source == SAVED:
        warnings.append(f"instructions ignored: {ref.name!r} is a cloned voice, which speaks "
                        "as its clip does and cannot take instructions")
        return None
    try:
        info = st.scheduler.engine.pool.resolve("custom_voice", prefer, need_instruct=True)
    except ModelNotFound:
        return text  # the take itself reports the missing model
    if not info.supports_instruct:
        warnings.append(f"instructions ignored: the {info.name} model cannot follow style "
                        "instructions (the 1.7B CustomVoice model can)")
        return None
    return text


def _reference(st: ServerState, body: SpeechRequest, warnings: list[str]) -> PromptRequest:
    data, name = ref_audio_bytes(body.ref_audio or "", st.config.max_upload_bytes)
    with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as tmp:
        clip, _ = decode_in(Path(tmp), data, name)
    transcript = (body.ref_text or "").strip()
    x_vector_only = bool(body.x_vector_only_mode) or not transcript
    if not transcript and not body.x_vector_only_mode:
        warnings.append("no ref_text: cloned from the clip's speaker embedding only; send "
                        "ref_text (what the clip says) for a closer voice")
    return PromptRequest(clip.audio, clip.sample_rate, None if x_vector_only else transcript,
                         x_vector_only)


def _sent_voice(st: ServerState, body: SpeechRequest, text: str, task: str | None,
                sampling: Sampling, streaming: Streaming, warnings: list[str]) -> SpeechPlan:
    """``voice: "sha256:<hex>"``: a clone prompt a client sent (voice_upload.py)."""
    digest = check_digest((body.voice_name or "")[len(HASH_PREFIX):], "voice")
    if task not in (None, "Base"):
        raise ApiError(400, f"task_type {task} needs a preset speaker or a description, and "
                       "a voice sent by hash is a cloned voice. Leave task_type out.",
                       "task_type_mismatch", param="task_type")
    prompt = st.prompt_store.get(digest)
    if prompt is None:
        raise not_cached(digest)
    if (body.instructions or "").strip():
        warnings.append("instructions ignored: a cloned voice speaks as its clip does and "
                        "cannot take instructions")
    key = HASH_PREFIX + digest
    prefer = model_preference(st, body.model, "base", key, warnings)
    speak = SpeakRequest(text, CLONE, body.language or "auto", prompt=prompt,
                         sampling=sampling, streaming=streaming, model=prefer)
    return SpeechPlan(speak, key, None, warnings)


def _streaming(config: ServerConfig, body: SpeechRequest) -> Streaming:
    streaming = replace(config.streaming, batch=config.batch)
    if body.initial_codec_chunk_frames is None:
        return streaming
    return replace(streaming, first_chunk=body.initial_codec_chunk_frames)


def plan(st: ServerState, body: SpeechRequest, text: str) -> SpeechPlan:
    """Everything but the model work; blocking (library and disk): run it off the loop."""
    warnings: list[str] = []
    cfg = st.config
    sampling = sampling_for(cfg, body.seed, body.max_seconds, body.max_new_tokens, body)
    streaming = _streaming(cfg, body)
    task = body.task_type or ("Base" if body.ref_audio or body.ref_text else None)
    if body.ref_text and not body.ref_audio:
        raise ApiError(400, "ref_text is the transcript of ref_audio: send the clip as "
                       "ref_audio too, or leave ref_text out.", "missing_ref_audio",
                       param="ref_audio")
    if body.ref_audio and task != "Base":
        raise ApiError(400, f"ref_audio is a clip to clone, which task_type {task} does not "
                       "take. Use task_type Base, or leave ref_audio out.",
                       "task_type_mismatch", param="task_type")
    language = body.language
    if body.ref_audio:
        if body.voice_name:
            warnings.append(f"voice {body.voice_name!r} ignored: ref_audio is the voice")
        if (body.instructions or "").strip():
            warnings.append("instructions ignored: a voice cloned from ref_audio cannot take "
                            "instructions")
        prefer = model_preference(st, body.model, "base", REF_AUDIO_KEY, warnings)
        reference = _reference(st, body, warnings)
        speak = SpeakRequest(text, CLONE, language or "auto", sampling=sampling,
                             streaming=streaming, model=prefer)
        result = SpeechPlan(speak, REF_AUDIO_KEY, reference, warnings)
    elif (body.voice_name or "").startswith(HASH_PREFIX):
        result = _sent_voice(st, body, text, task, sampling, streaming, warnings)
    elif task == "VoiceDesign" and not body.voice_name:
        description = (body.instructions or "").strip()
        if not description:
            raise ApiError(400, "task_type VoiceDesign needs 'instructions': describe the "
                           "voice (e.g. \"a calm, low male voice\"), or name a design voice.",
                           "missing_instructions", param="instructions")
        prefer = model_preference(st, body.model, "voice_design", DESIGN_KEY, warnings)
        speak = SpeakRequest(text, DESIGN, language or "auto", instruct=description,
                             sampling=sampling, streaming=streaming, model=prefer)
        result = SpeechPlan(speak, DESIGN_KEY, None, warnings)
    else:
        name = body.voice_name if body.voice_name is not None else DEFAULT_VOICE
        if not name.strip():
            raise ApiError(400, "'voice' is empty: name a voice (GET /v1/voices lists them).",
                           "empty_voice", param="voice")
        ref = st.aliases.resolve(name, st.library)
        if task is not None and TASK_SOURCES[task] != ref.source:
            raise ApiError(400, f"task_type {task} needs {SOURCE_WORDS[TASK_SOURCES[task]]}, "
                           f"and {ref.name!r} is {SOURCE_WORDS[ref.source]}. Leave task_type "
                           "out: the voice decides the model.", "task_type_mismatch",
                           param="task_type")
        prefer = model_preference(st, body.model, MODE_KIND[ref.mode], ref.name, warnings)
        instruct = _instructions(st, ref, body, prefer, warnings)
        speak = ref.request(text, st.library, language=language, instruct=instruct,
                            sampling=sampling, streaming=streaming, model=prefer)
        result = SpeechPlan(speak, ref.key, None, warnings)
    kind = result.speak.kind
    if body.non_streaming_mode is not None and body.non_streaming_mode != NON_STREAMING_MODE[kind]:
        warnings.append(f"non_streaming_mode={str(body.non_streaming_mode).lower()} ignored: "
                        f"{KIND_NAMES[kind]} takes are built with "
                        f"{BUILT_WITH[NON_STREAMING_MODE[kind]]}")
    return result
