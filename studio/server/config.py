"""The server's settings, checked before anything starts listening.

A loopback-only server with no token is the safe default: only programs on this machine can
reach it. Any other address exposes the voices (and the machine's accelerator) to the
network, so it is refused unless a bearer token is set.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.engine.options import Streaming
from studio.errors import InvalidInput

if TYPE_CHECKING:
    from studio.engine.pool import ModelPool

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
FRAME_RATE = 12.5  # codec frames per second of audio (every Qwen3-TTS 12Hz model)


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def seconds_to_frames(seconds: float) -> int:
    return max(1, int(round(seconds * FRAME_RATE)))


@dataclass
class ServerConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None  # bearer token; required for a non-loopback host
    queue_size: int = 8  # requests that may wait behind the running one; more get 503
    request_timeout_s: float = 300.0  # from admission to the last sample, queue wait included
    idle_unload_s: float | None = 600.0  # unload models unused this long; None: never
    max_seconds: float | None = None  # cap on the audio of one segment; None: the engine's guard
    max_input_chars: int = 20_000
    max_upload_bytes: int = 20 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    pool: ModelPool | None = None  # None: a ModelPool from device/dtype/extra_models
    device: str = "auto"
    dtype: str | None = None
    extra_models: list[Path] = field(default_factory=list)
    library_root: Path | None = None  # None: the per-user data folder
    streaming: Streaming = field(default_factory=Streaming)  # chunking of generated audio
    # speech requests (and sentences) generated together at most: 0 as memory allows, 1 one
    # at a time, each exactly as qwen-tts makes it alone (server/scheduler.py)
    batch: int = 0
    gather_ms: float = 30.0  # how long a request waits for others to share its batch
    # voice names clients may send -> the voice (over OpenAI's names; see server/aliases.py)
    voice_aliases: dict[str, str] = field(default_factory=dict)
    # test hook: called on the thread that produced each chunk (the engine's generating or
    # decoding thread) once the chunk is on its way to the event loop
    chunk_hook: Callable[[Any, Any], None] | None = field(default=None, repr=False)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def max_frames(self) -> int | None:
        return None if self.max_seconds is None else seconds_to_frames(self.max_seconds)

    def check(self) -> ServerConfig:
        """Refuse settings that would be unsafe or cannot work; returns self."""
        if self.token is not None and not self.token.strip():
            raise InvalidInput("The token is empty. Give a long random string, e.g. from "
                               "'python -c \"import secrets; print(secrets.token_urlsafe())\"'.")
        if not self.loopback and not self.token:
            raise InvalidInput(
                f"Refusing to listen on {self.host} without a token: any machine that can "
                "reach it could use your voices. Add --token TOKEN (clients send "
                "'Authorization: Bearer TOKEN'), or use --host 127.0.0.1.")
        if not 0 <= self.port <= 65535:
            raise InvalidInput(f"The port must be 0-65535, not {self.port}.")
        if self.queue_size < 0:
            raise InvalidInput("The queue size cannot be negative.")
        if self.batch < 0 or self.gather_ms < 0:
            raise InvalidInput("The batch size and the gather time cannot be negative "
                               "(batch 0: automatic; 1: one request at a time).")
        for name in ("request_timeout_s", "idle_unload_s", "max_seconds"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidInput(f"{name.replace('_', ' ')} must be more than 0.")
        from studio.server.aliases import Aliases

        Aliases(self.voice_aliases)  # every alias has a name and a voice
        return self
