"""One server's address and token, the HTTP clients that talk to it, and every failure
turned into a sentence that says what to check.

HTTPS is verified against the operating system's certificates (truststore), so a server
behind a reverse proxy with a company or self-made CA the system trusts works as a
browser would. Takes use a client without keep-alive: each take gets its own
connection, whose socket a cancel can shut down even while the server has not answered
yet (stream.py). The token only ever travels in the Authorization header.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio.errors import InvalidInput
from studio.remote.errors import (
    NotASpeechServer,
    RemoteError,
    ServerBusy,
    ServerRefused,
    ServerTooSlow,
    ServerUnreachable,
    StreamDropped,
    TlsProblem,
    WrongToken,
)

CONNECT_S = 5.0
READ_S = 120.0  # a server loading a model may say nothing for a while before its first audio
TOKEN_HINT = "Settings > Engine in the window, $VOICE_STUDIO_TOKEN for the command line"


def normalize_url(url: str) -> str:
    """``gpu.lan:8765`` -> ``http://gpu.lan:8765``; no trailing slash; only http(s)."""
    text = (url or "").strip().rstrip("/")
    if not text:
        raise InvalidInput("Give the server's address, e.g. http://gpu-box.local:8765.")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not a server address: give http://HOST:PORT or "
                           "https://HOST/... .")
    return text


def system_tls() -> ssl.SSLContext:
    """The operating system's trusted certificates (Python's defaults where truststore is
    not installed: on Linux those are the system's too)."""
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except ImportError:
        return ssl.create_default_context()


class Connection:
    """A server at ``url``; ``read_s`` is how long it may stay silent."""

    def __init__(self, url: str, token: str = "", *, read_s: float = READ_S,
                 connect_s: float = CONNECT_S, tls: ssl.SSLContext | None = None) -> None:
        self.url = normalize_url(url)
        self.host = urlsplit(self.url).netloc
        self.read_s = read_s
        self._token = token.strip()
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        timeout = httpx.Timeout(read_s, connect=connect_s, write=max(read_s, 30.0))
        verify = tls or system_tls()
        self.api = httpx.Client(base_url=self.url, headers=headers, timeout=timeout,
                                verify=verify)
        self.takes = httpx.Client(base_url=self.url, headers=headers, timeout=timeout,
                                  verify=verify,
                                  limits=httpx.Limits(max_keepalive_connections=0))

    def __repr__(self) -> str:  # never the token
        return f"Connection({self.url!r})"

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def close(self) -> None:
        self.api.close()
        self.takes.close()

    # --- plain requests ------------------------------------------------------------------------

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """A whole request; a failure or an error status raises a RemoteError."""
        try:
            response = self.api.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise self.explain(exc) from exc
        if response.status_code >= 400:
            raise self.refusal(response)
        return response

    def json(self, method: str, path: str, **kw: Any) -> Any:
        response = self.request(method, path, **kw)
        try:
            return response.json()
        except ValueError as exc:
            raise NotASpeechServer(f"{self.host} answered {path} with something that is not "
                                   "JSON: it is not a speech server, or the address points "
                                   "at another program.") from exc

    # --- failures in words ------------------------------------------------------------------

    def explain(self, exc: BaseException, audio_s: float = 0.0) -> RemoteError:
        """A transport failure (``audio_s`` of audio had arrived) as a RemoteError."""
        where = f"the server at {self.host}"
        kept = f" Kept the {audio_s:.1f} s that arrived." if audio_s else ""
        if isinstance(exc, httpx.ConnectTimeout):
            return ServerUnreachable(f"No answer from {where} within {CONNECT_S:g} s. Check the "
                                     "address, that the machine is on, and the network.")
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
            return ServerTooSlow(f"{where.capitalize()} sent nothing for {self.read_s:g} s, so "
                                 f"the take was stopped.{kept} It may be busy or overloaded; "
                                 "try again, or use this computer.")
        if isinstance(exc, httpx.ConnectError):
            tls = _tls_reason(exc)
            if tls is not None:
                return TlsProblem(f"A secure (HTTPS) connection to {where} failed: {tls}")
            return ServerUnreachable(f"Cannot reach {where} ({_reason(exc)}). Check that "
                                     "'voice-studio serve' runs there, and the address and "
                                     "port.")
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            if not audio_s:  # our server answers with the first audio
                return StreamDropped(f"{where.capitalize()} closed the connection without "
                                     "answering. Check the address (https:// for a server "
                                     "behind TLS) and that the server is running.")
            return StreamDropped(f"The connection to {where} dropped in the middle of the "
                                 f"take.{kept} The server may have stopped or restarted.")
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ServerUnreachable(f"{self.url} is not an address to talk HTTP to ({exc}).")
        return RemoteError(f"Talking to {where} failed ({type(exc).__name__}: {exc}).")

    def refusal(self, response: httpx.Response) -> RemoteError:
        """An error status as a RemoteError, with the server's own message where it has one."""
        status = response.status_code
        try:
            response.read()
            error = response.json().get("error") or {}
            message, code = str(error.get("message") or ""), str(error.get("code") or "")
        except (ValueError, AttributeError, httpx.HTTPError):
            message, code = "", ""
        where = f"The server at {self.host}"
        if status == 401 or code in ("missing_token", "invalid_token"):
            said = "needs a token" if code == "missing_token" or not self.has_token else \
                "refused the token (it is wrong)"
            return WrongToken(f"{where} {said}. Set the token its owner gave you ({TOKEN_HINT}).")
        if not message:  # no JSON error: another kind of web server, or a proxy's page
            if status in (400, 404, 405, 501):
                return NotASpeechServer(f"{where} answered, but not as a speech server "
                                        f"(HTTP {status} for {response.request.url.path}). "
                                        "Check the address: it is the server's base URL, "
                                        "e.g. http://host:8765.")
            return RemoteError(f"{where} failed (HTTP {status}).")
        if code in ("http_404", "http_405"):
            return NotASpeechServer(f"{where} has no {response.request.url.path}: it is not a "
                                    "Voice Studio server, or an older version.")
        if status == 503 or code == "queue_full":
            return ServerBusy(f"{where} is busy: {message}")
        if status >= 500:
            return RemoteError(f"{where} failed: {message}")
        return ServerRefused(message, code)


def _reason(exc: BaseException) -> str:
    """The innermost OS-level reason ('Connection refused'), not httpx's whole chain."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__ or cause.__context__
    return str(exc).split(":")[-1].strip() or type(exc).__name__


def _tls_reason(exc: BaseException) -> str | None:
    cause: BaseException | None = exc
    text = str(exc)
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (f"its certificate is not trusted by this computer "
                    f"({cause.verify_message or cause.reason}). Install the certificate "
                    "authority of the server (or its reverse proxy) in the system's trusted "
                    "certificates, or ask its owner for a certificate from a public authority.")
        if isinstance(cause, ssl.SSLError):
            return (f"{cause.reason or cause}. Is it an http:// server (try http:// in the "
                    "address)?")
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "its certificate is not trusted by this computer."
    return None

