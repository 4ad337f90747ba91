"""A local HTTP API over the studio's voices (FastAPI under uvicorn).

``create_app(ServerConfig(...))`` builds the app; ``ServerThread`` runs it in the
background; ``voice-studio serve`` runs it in the foreground.
"""

from studio.server.app import create_app
from studio.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]
