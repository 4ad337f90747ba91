"""What a streamed answer becomes: the same Take a take on this computer returns, so the
pages, the history and the exports cannot tell them apart."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from studio.engine.speak_request import SpeakRequest
from studio.engine.take import CANCELLED, COMPLETE, INTERRUPTED, MAX_LENGTH, Take
from studio.remote.stream import CANCELLED as STREAM_CANCELLED
from studio.remote.stream import FAILED, PCM_RATE, Received

SAMPLES_PER_FRAME = PCM_RATE * 2 // 25  # one 12.5 Hz codec frame: 1920 samples
MAX_SEED = 2**31 - 2  # what both servers take


def seed_for(request: SpeakRequest) -> int:
    """The take's seed, chosen here when the request leaves it open, so a take made by a
    server is as repeatable as one made here."""
    seed = request.sampling.seed
    return secrets.randbelow(MAX_SEED + 1) if seed is None else int(seed)


def take_from(received: Received, request: SpeakRequest, seed: int) -> Take:
    audio = received.audio
    if received.ended == STREAM_CANCELLED:
        reason = CANCELLED
    elif received.ended == FAILED:
        reason = INTERRUPTED
    else:
        s = request.sampling
        caps = [int(c) for c in (None if s.max_frames is None else s.max_frames * SAMPLES_PER_FRAME,
                                 None if s.max_seconds is None
                                 else round(s.max_seconds * PCM_RATE)) if c]
        reason = MAX_LENGTH if caps and len(audio) >= min(caps) else COMPLETE
    headers = received.headers
    try:
        seed = int(headers.get("x-seed", seed))
    except ValueError:
        pass
    notes = [str(received.problem)] if received.problem is not None else []
    return Take(audio=audio, sample_rate=PCM_RATE, seed=seed, stop_reason=reason,
                frames=len(audio) // SAMPLES_PER_FRAME, elapsed_s=received.elapsed_s,
                first_chunk_s=received.first_chunk_s,
                model_name=headers.get("x-model", ""), notes=notes)


@dataclass
class Traffic:
    """Bytes this client sent and received, in request and response bodies (a take's JSON,
    voice uploads; its audio): what the voice cache saves is read here."""

    sent: int = 0
    received: int = 0
    requests: int = 0
    uploads: int = 0

    def count(self, received: Received) -> None:
        self.sent += received.sent_bytes
        self.received += received.received_bytes
        self.requests += 1
