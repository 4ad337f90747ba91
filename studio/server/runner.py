"""Running the app under uvicorn: in the foreground (the CLI) or on a background thread
(tests, or a host application). The socket is bound here, first, so a port that is taken
fails with a clear message and ``port=0`` reports the port the system chose."""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn

from studio.errors import InvalidInput
from studio.server.app import create_app
from studio.server.config import ServerConfig


def bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise InvalidInput(f"Cannot listen on {host!r}: {exc}. Give an address of this "
                           "machine, e.g. 127.0.0.1.") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InvalidInput(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Is another "
                           "server using that port? Choose another with --port.") from exc
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_config(config: ServerConfig, **kw: Any) -> uvicorn.Config:
    kw.setdefault("timeout_graceful_shutdown", 10)
    return uvicorn.Config(create_app(config), lifespan="on", http="h11", ws="none",
                          server_header=False, **kw)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._ready.set()


class ServerThread:
    """The real server on a real socket, on a daemon thread; ``url`` once started."""

    def __init__(self, config: ServerConfig, **uvicorn_kw: Any) -> None:
        uvicorn_kw.setdefault("log_config", None)
        uvicorn_kw.setdefault("log_level", "warning")
        uvicorn_kw.setdefault("timeout_graceful_shutdown", 2)
        self.config = config
        self.sock = bind(config.host, config.port)
        self.url = url_of(self.sock)
        self._ready = threading.Event()
        self.server = _Server(uvicorn_config(config, **uvicorn_kw), self._ready)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="api-server", daemon=True)

    @property
    def app(self) -> Any:
        return self.server.config.app

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.sock])
        except BaseException as exc:  # SystemExit when the app fails to start
            self.error = exc
        finally:
            self._ready.set()

    def start(self, timeout: float = 60.0) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the server did not start within {timeout} s")
        if not self.server.started:
            raise RuntimeError(f"the server failed to start: {self.error!r}")
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
        self.sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def serve(config: ServerConfig, verbose: bool = False) -> None:
    """Serve in the foreground until Ctrl+C (uvicorn handles the signals)."""
    config.check()
    from studio.library.library import VoiceLibrary
    from studio.server.aliases import Aliases

    Aliases(config.voice_aliases).check(VoiceLibrary(config.library_root))
    if config.pool is None:  # a missing accelerator is one clear line, not a startup traceback
        from studio.engine.models import choose_device

        choose_device(config.device, config.dtype)
    sock = bind(config.host, config.port)
    print(f"Voice Studio API on {url_of(sock)}"
          + (" (docs at /docs)" if config.loopback else " (token required)"), flush=True)
    server = uvicorn.Server(uvicorn_config(config, log_level="info" if verbose else "warning",
                                           access_log=verbose))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
