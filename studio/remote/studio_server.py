"""Takes on a Voice Studio server (``voice-studio serve`` on another machine).

A saved voice travels once: its clone prompt (safetensors, about 30 KB) is named by its
SHA-256 in the take's request; a server that does not have it answers 404
``voice_not_cached``, gets the prompt with ``PUT /v1/voices/by-hash/<sha256>`` and the take
is asked again. Every later take, from this or any other client, sends only the hash. A
clip becomes a prompt on the server (``POST /v1/voices/by-hash``), which keeps it the same
way and sends it back, so Save in the window stores the voice here as always.
"""

from __future__ import annotations

import hashlib
import io
import threading
from typing import Any

import soundfile as sf

from studio.audio.forecast import ProgressBox
from studio.engine.prompts import VoicePrompt, from_bytes, to_bytes
from studio.engine.speak_request import CLONE, DESIGN, PRESET, PromptRequest, SpeakRequest
from studio.engine.stream import CancelToken
from studio.engine.take import Take
from studio.remote.connection import Connection
from studio.remote.errors import NotOffered, ServerRefused
from studio.remote.offer import PROMPT, Offer, probe_studio
from studio.remote.stream import ChunkFn, body_bytes, stream_pcm
from studio.remote.takes import Traffic, seed_for, take_from

SPEECH = "/v1/audio/speech"
BY_HASH = "/v1/voices/by-hash"
HASH_PREFIX = "sha256:"  # a voice named by its prompt's hash (studio/server/prompt_store.py)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def speech_body(request: SpeakRequest, seed: int, voice: str | None = None) -> dict[str, Any]:
    """The JSON of ``POST /v1/audio/speech`` for a take: raw PCM, streamed. ``voice``: the
    hash name of the request's prompt (a saved voice, or a design voice already kept, which
    is only cloned, as on this computer)."""
    s = request.sampling
    body: dict[str, Any] = {
        "input": request.text, "language": request.language or "auto", "seed": seed,
        "response_format": "pcm", "stream": True, "stream_format": "audio",
        "initial_codec_chunk_frames": max(1, min(64, int(request.streaming.first_chunk))),
    }
    optional = {"max_new_tokens": s.max_frames, "max_seconds": s.max_seconds,
                "temperature": s.temperature, "top_k": s.top_k,
                "top_p": s.top_p, "repetition_penalty": s.repetition_penalty}
    body.update({k: v for k, v in optional.items() if v is not None})
    if voice is not None:  # a saved voice, or a design voice already kept: cloned
        body.update(task_type="Base", voice=voice)
    elif request.mode == DESIGN:
        body.update(task_type="VoiceDesign", instructions=request.instruct or "")
    elif request.mode == PRESET:
        body.update(task_type="CustomVoice", voice=request.speaker or "")
        if request.instruct:
            body["instructions"] = request.instruct
    return body


def clip_bytes(request: PromptRequest) -> bytes:
    """The clip as 16-bit FLAC: lossless at the model's precision, about half a WAV."""
    buf = io.BytesIO()
    sf.write(buf, request.audio, request.sample_rate, format="FLAC", subtype="PCM_16")
    return buf.getvalue()


class StudioServer:
    """A Backend (studio.engine.backend) on a Voice Studio server."""

    remote = True

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.label = f"Voice Studio server at {conn.host}"
        self.offer: Offer | None = None  # set by probe()
        self.traffic = Traffic()
        self._lock = threading.Lock()

    def probe(self) -> Offer:
        """Ask the server what it offers (network: off the GUI thread)."""
        self.offer = probe_studio(self.conn)
        return self.offer

    def unavailable(self, kind: str) -> str | None:
        """From the last probe only: never waits for the network."""
        offer = self.offer
        return None if offer is None else offer.missing.get(kind)

    def speak(self, request: SpeakRequest, on_chunk: ChunkFn | None = None,
              cancel: CancelToken | None = None, progress: ProgressBox | None = None) -> Take:
        """``progress`` stays empty: the server streams the take in order."""
        reason = self.unavailable(request.kind)
        if reason:
            raise NotOffered(f"The server at {self.conn.host} cannot do this: {reason}.")
        voice = None
        if request.mode == CLONE and request.prompt is None:
            raise NotOffered("Choose a voice to clone first.")
        if request.prompt is not None:  # it travels once, then by its hash
            data = to_bytes(request.prompt)
            voice = HASH_PREFIX + digest_of(data)
        seed = seed_for(request)
        body = speech_body(request, seed, voice)
        try:
            received = stream_pcm(self.conn, SPEECH, body, on_chunk, cancel)
        except ServerRefused as exc:
            if exc.server_code != "voice_not_cached":
                raise
            with self._lock:
                self.traffic.sent += len(body_bytes(body))  # the ask that found it missing
            self.upload(data)
            received = stream_pcm(self.conn, SPEECH, body, on_chunk, cancel)
        with self._lock:
            self.traffic.count(received)
        return take_from(received, request, seed)

    def upload(self, data: bytes) -> None:
        """Send a prompt to the server's cache (once per voice and server)."""
        self.conn.request("PUT", f"{BY_HASH}/{digest_of(data)}", content=data,
                          headers={"Content-Type": "application/octet-stream"})
        with self._lock:
            self.traffic.sent += len(data)
            self.traffic.uploads += 1

    def make_prompt(self, request: PromptRequest) -> VoicePrompt:
        reason = self.unavailable(PROMPT)
        if reason:
            raise NotOffered(f"The server at {self.conn.host} cannot do this: {reason}.")
        clip = clip_bytes(request)
        fields = {"x_vector_only": "true" if request.x_vector_only else "false"}
        if request.transcript and not request.x_vector_only:
            fields["transcript"] = request.transcript
        response = self.conn.request("POST", BY_HASH, data=fields,
                                     files={"file": ("reference.flac", clip, "audio/flac")})
        with self._lock:
            self.traffic.sent += len(clip)
            self.traffic.received += len(response.content)
        return from_bytes(response.content, source=f"voice prompt from {self.conn.host}")

    def close(self) -> None:
        self.conn.close()
