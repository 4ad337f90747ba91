"""Takes on vLLM-Omni servers: one model per server, so one URL per model kind.

The request is vLLM-Omni's ``POST /v1/audio/speech`` for Qwen3-TTS (its
``OpenAICreateSpeechRequest``): ``task_type`` says the kind, a preset speaker is ``voice``,
a design voice is ``instructions``, and a saved voice travels as its reference clip
(``ref_audio``, a ``data:`` URL) and transcript (``ref_text``) with every take, because
vLLM-Omni makes the clone prompt itself. Audio comes back as raw PCM
(``stream_format: "audio"``). Our own server takes the same body (tests/remote).
"""

from __future__ import annotations

import base64
import math
import threading
from typing import Any

from studio.audio.forecast import ProgressBox
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import CLONE, DESIGN, PRESET, PromptRequest, SpeakRequest
from studio.engine.stream import CancelToken
from studio.engine.take import Take
from studio.hub.catalog import LANGUAGES
from studio.remote.connection import Connection
from studio.remote.errors import NotOffered
from studio.remote.offer import KIND_NAMES, KINDS, PROMPT, USES, Offer, probe_omni
from studio.remote.stream import ChunkFn, stream_pcm
from studio.remote.takes import Traffic, seed_for, take_from

SPEECH = "/v1/audio/speech"
TASK_TYPES = {DESIGN: "VoiceDesign", PRESET: "CustomVoice", CLONE: "Base"}
NO_PROMPTS = ("vLLM-Omni makes its clone prompt from the clip in every request and cannot "
              "hand one back, so a voice cannot be made or saved through it. For Clone and "
              "Keep, use this computer or a Voice Studio server (Settings > Engine).")


def language_name(language: str | None) -> str:
    """``english`` -> ``English``, ``auto`` -> ``Auto``: the spelling vLLM-Omni checks."""
    key = (language or "auto").strip().lower()
    return next((name for name in LANGUAGES if name.lower() == key), key.capitalize())


def data_url(clip: bytes, media_type: str = "audio/wav") -> str:
    return f"data:{media_type};base64,{base64.b64encode(clip).decode('ascii')}"


def omni_body(request: SpeakRequest, seed: int) -> dict[str, Any]:
    """vLLM-Omni's request for a take (raises NotOffered for a voice without its clip)."""
    s = request.sampling
    body: dict[str, Any] = {
        "input": request.text, "task_type": TASK_TYPES[request.mode],
        "language": language_name(request.language), "seed": seed,
        "response_format": "pcm", "stream": True, "stream_format": "audio",
        "initial_codec_chunk_frames": max(1, int(request.streaming.first_chunk)),
    }
    caps = [int(c) for c in (s.max_frames, None if s.max_seconds is None
                             else math.ceil(s.max_seconds * 12.5)) if c]
    if caps:  # vLLM-Omni caps codec frames only
        body["max_new_tokens"] = min(caps)
    if request.mode == DESIGN:  # a design voice kept here is drawn again there: vLLM-Omni
        body["task_type"] = TASK_TYPES[DESIGN]  # has no clip of it to clone
    if request.mode == PRESET:
        body["voice"] = (request.speaker or "").lower()
        if request.instruct:
            body["instructions"] = request.instruct
    elif request.mode == DESIGN:
        body["instructions"] = request.instruct or ""
    else:
        clip = request.reference
        if clip is None:
            raise NotOffered("vLLM-Omni clones from the voice's clip, and this voice has none "
                             "here (an unsaved clone). " + NO_PROMPTS)
        body["ref_audio"] = data_url(clip.path.read_bytes())
        x_vector_only = request.prompt.x_vector_only if request.prompt else not clip.transcript
        if clip.transcript and not x_vector_only:
            body["ref_text"] = clip.transcript
        else:
            body["x_vector_only_mode"] = True
    return body


class VllmOmni:
    """A Backend (studio.engine.backend) over vLLM-Omni servers, one per model kind."""

    remote = True

    def __init__(self, conns: dict[str, Connection]) -> None:
        self.conns = {k: c for k, c in conns.items() if k in KINDS}
        hosts = sorted({c.host for c in self.conns.values()})
        self.label = "vLLM-Omni at " + (", ".join(hosts) or "no server")
        self.offer: Offer | None = None
        self.traffic = Traffic()
        self._lock = threading.Lock()

    def probe(self) -> Offer:
        self.offer = probe_omni(self.conns)
        return self.offer

    def unavailable(self, kind: str) -> str | None:
        if kind == PROMPT:
            return NO_PROMPTS
        if kind not in self.conns:
            return (f"{USES.get(kind, kind)} need a vLLM-Omni server with a "
                    f"{KIND_NAMES.get(kind, kind)} model: add its URL in Settings > Engine")
        offer = self.offer
        return None if offer is None else offer.missing.get(kind)

    def speak(self, request: SpeakRequest, on_chunk: ChunkFn | None = None,
              cancel: CancelToken | None = None, progress: ProgressBox | None = None) -> Take:
        """``progress`` stays empty: the server streams the take in order."""
        reason = self.unavailable(request.kind)
        if reason:
            raise NotOffered(reason[0].upper() + reason[1:] + ".")
        seed = seed_for(request)
        received = stream_pcm(self.conns[request.kind], SPEECH, omni_body(request, seed),
                              on_chunk, cancel)
        with self._lock:
            self.traffic.count(received)
        return take_from(received, request, seed)

    def make_prompt(self, request: PromptRequest) -> VoicePrompt:
        raise NotOffered(NO_PROMPTS)

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()
