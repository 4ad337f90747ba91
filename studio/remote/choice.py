"""Which engine makes the takes: this computer, a Voice Studio server, or vLLM-Omni servers,
as Settings > Engine (or the command line's ``--server``) says. ``backend_for`` is the one
place a Backend is chosen, for the window, the command line and a project's render alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studio.engine.backend import Backend, LocalBackend
from studio.errors import InvalidInput
from studio.remote.connection import READ_S, Connection
from studio.remote.offer import KINDS

if TYPE_CHECKING:
    import ssl

    from studio.engine.pool import ModelPool
    from studio.remote.studio_server import StudioServer
    from studio.remote.vllm_omni import VllmOmni
    from studio.settings import Settings

LOCAL, STUDIO, OMNI = "local", "studio", "omni"
MODES = (LOCAL, STUDIO, OMNI)
SERVER_ENV = "VOICE_STUDIO_SERVER"
TOKEN_ENV = "VOICE_STUDIO_TOKEN"


@dataclass(frozen=True)
class EngineChoice:
    mode: str = LOCAL
    url: str = ""  # the Voice Studio server
    token: str = field(default="", repr=False)  # never printed or logged
    omni_urls: tuple[tuple[str, str], ...] = ()  # (kind, URL) for each vLLM-Omni server
    omni_token: str = field(default="", repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineChoice:
        mode = settings.engine if settings.engine in MODES else LOCAL
        urls = tuple((k, u.strip()) for k, u in sorted(settings.omni_urls.items())
                     if k in KINDS and isinstance(u, str) and u.strip())
        return cls(mode, settings.server_url.strip(), settings.server_token, urls,
                   settings.omni_token)

    @classmethod
    def from_command_line(cls, server: str | None) -> EngineChoice:
        """``--server URL`` or $VOICE_STUDIO_SERVER (the token from $VOICE_STUDIO_TOKEN);
        neither: this computer."""
        url = (server or os.environ.get(SERVER_ENV) or "").strip()
        if not url:
            return cls()
        return cls(STUDIO, url, os.environ.get(TOKEN_ENV, ""))

    def store(self, settings: Settings) -> None:
        settings.engine, settings.server_url, settings.server_token = \
            self.mode, self.url, self.token
        settings.omni_urls = dict(self.omni_urls)
        settings.omni_token = self.omni_token


def backend_for(choice: EngineChoice, pool: ModelPool | None, *, read_s: float = READ_S,
                tls: ssl.SSLContext | None = None) -> Backend:
    """The Backend ``choice`` names (``pool``: this computer's, for LOCAL). Makes no request:
    an unreachable server is found by the first take or by ``probe()``."""
    if choice.mode in (STUDIO, OMNI):
        return server_for(choice, read_s=read_s, tls=tls)
    if pool is None:
        from studio.engine.pool import ModelPool

        pool = ModelPool()
    return LocalBackend(pool)


def server_for(choice: EngineChoice, *, read_s: float = READ_S,
               tls: ssl.SSLContext | None = None) -> StudioServer | VllmOmni:
    """The server backend of a STUDIO or OMNI choice (InvalidInput for a bad address)."""
    from studio.remote.studio_server import StudioServer
    from studio.remote.vllm_omni import VllmOmni

    if choice.mode == STUDIO:
        return StudioServer(Connection(choice.url, choice.token, read_s=read_s, tls=tls))
    if choice.mode != OMNI:
        raise InvalidInput("Takes are made on this computer: there is no server to ask.")
    if not choice.omni_urls:
        raise InvalidInput("Give the URL of at least one vLLM-Omni server (one per model "
                           "kind: CustomVoice, VoiceDesign, Base).")
    return VllmOmni({kind: Connection(url, choice.omni_token, read_s=read_s, tls=tls)
                     for kind, url in choice.omni_urls})
